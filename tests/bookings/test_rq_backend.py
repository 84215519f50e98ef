"""The same send task on the Redis/RQ backend, against the real Redis (CI: fails if Redis is missing)."""

from decimal import Decimal

import django_rq
import pytest
from django.core import mail
from django.test import override_settings
from rq import SimpleWorker

from bookings.models import EmailLog, EmailStatus
from bookings.services.email_planning import plan_emails
from bookings.services.email_sending import dispatch_due_emails
from bookings.services.placing import place_booking
from django_tasks_rq.backend import Job
from tests.bookings.helpers import participant_for
from tests.factories import CohortFactory, add_program, build_site

pytestmark = [pytest.mark.redis, pytest.mark.django_db]

# A Redis database of its own, emptied before and after, so nothing else on the server is touched.
TEST_QUEUES = {"default": {"URL": "redis://127.0.0.1:6379/15"}}
RQ_TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}


@pytest.fixture
def rq_queue():
    with override_settings(RQ_QUEUES=TEST_QUEUES, TASKS=RQ_TASKS):
        queue = django_rq.get_queue("default", job_class=Job)
        queue.connection.flushdb()
        yield queue
        queue.connection.flushdb()


def run_worker(queue) -> None:
    # SimpleWorker runs jobs in this process, on this test's database connection.
    SimpleWorker([queue], connection=queue.connection, job_class=Job).work(burst=True)


def test_a_confirmation_goes_through_redis_once(rq_queue, django_capture_on_commit_callbacks):
    _, index = build_site()
    program = add_program(index, default_price=Decimal("0"))
    cohort = CohortFactory(program=program, price=Decimal("0"))
    place_booking(cohort_id=cohort.pk, participant=participant_for(program))
    plan_emails()

    with django_capture_on_commit_callbacks(execute=True):
        assert dispatch_due_emails() == 1
    queued = [job.func_name for job in rq_queue.get_jobs()]
    assert queued.count("bookings.tasks.send_email") == 1
    assert mail.outbox == []  # nothing is sent until a worker takes the job

    run_worker(rq_queue)
    assert len(mail.outbox) == 1
    assert EmailLog.objects.get().status == EmailStatus.SENT

    # The same row queued twice (a tick after a restart) still sends once.
    from bookings.tasks import send_email

    send_email.enqueue(log_id=EmailLog.objects.get().pk)
    run_worker(rq_queue)
    assert len(mail.outbox) == 1
