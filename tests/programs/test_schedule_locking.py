"""Two admins saving the same cohort at once: the cohort row lock makes one wait for the other."""

import threading

import pytest
from django.db import connection

from programs.models import Session
from programs.services import expand_schedule
from tests.factories import CohortFactory, add_program, build_site

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_expansions_create_each_session_once():
    _, index = build_site()
    cohort = CohortFactory(program=add_program(index), weeks=12, expanded=False)
    start = threading.Barrier(4)
    errors: list[BaseException] = []

    def expand():
        try:
            start.wait()
            expand_schedule(cohort_id=cohort.pk)
        except BaseException as error:  # collected and re-raised in the test's thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=expand) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert Session.objects.filter(cohort=cohort).count() == 12
    assert set(Session.objects.filter(cohort=cohort).values_list("sequence", flat=True)) == {0}
