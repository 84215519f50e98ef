"""Several workers at once on the same due messages: each message still goes out once."""

import threading
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection

from bookings.models import EmailLog, EmailStatus
from bookings.services.email_planning import plan_emails
from bookings.services.email_sending import send_planned_email
from bookings.services.placing import place_booking
from tests.bookings.helpers import participant_for
from tests.factories import CohortFactory, add_program, build_site

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.real_time,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_four_workers_sending_the_same_twenty_messages_send_each_once():
    _, index = build_site()
    program = add_program(index, default_price=Decimal("0"))
    cohort = CohortFactory(program=program, price=Decimal("0"), capacity=30)
    for n in range(20):
        place_booking(cohort_id=cohort.pk, participant=participant_for(program, n))
    plan_emails()
    plan_emails()  # a second planner run plans nothing new
    log_ids = list(EmailLog.objects.values_list("pk", flat=True))
    assert len(log_ids) == 20
    go, errors = threading.Event(), []

    def worker():
        try:
            go.wait()
            for log_id in log_ids:
                send_planned_email(log_id=log_id, organisation="Circles")
        except BaseException as error:  # collected and checked in the test's thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    go.set()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(m.to[0] for m in mail.outbox) == sorted(f"person{n}@example.org" for n in range(20))
    assert set(EmailLog.objects.values_list("status", flat=True)) == {EmailStatus.SENT}
