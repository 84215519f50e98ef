"""A booking that waits too long for the cohort's lock is told to try again; nothing is written.

Another connection, in another thread (PostgreSQL) or another SQLite handle, holds the lock
for longer than the booking may wait.
"""

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.urls import reverse

from bookings.exceptions import BookingBusy
from bookings.models import Booking
from bookings.services.placing import place_booking
from programs.models import Cohort
from tests.bookings.helpers import participant_for
from tests.bookings.test_booking_form import QUESTIONS, valid_data
from tests.bookings.test_seat_contention import (  # noqa: F401 (fixtures)
    _restore_migrated_data_for_later_tests,
    file_backed_sqlite,
)
from tests.factories import CohortFactory, add_program, build_site

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.real_time]

BUSY = "Many people are booking right now. Please try again in a moment."
# Far longer than the booking may wait: before the fix the booking sat out all of it.
HELD_FOR_SECONDS = 10


@pytest.fixture
def cohort():
    _, index = build_site()
    program = add_program(index, title="Free circle", default_price=Decimal("0"), intake_questions=QUESTIONS)
    return CohortFactory(program=program, price=Decimal("0"), capacity=3)


@contextmanager
def cohort_locked_by_another_connection(cohort) -> Iterator[None]:
    locked, release = threading.Event(), threading.Event()

    def hold() -> None:
        try:
            with transaction.atomic():
                Cohort.objects.select_for_update().get(pk=cohort.pk)
                locked.set()
                release.wait(timeout=HELD_FOR_SECONDS)
        finally:
            connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    assert locked.wait(timeout=HELD_FOR_SECONDS)
    try:
        yield
    finally:
        release.set()
        holder.join()


def assert_told_to_try_again_with_the_form_kept(client, cohort, data: dict) -> None:
    with pytest.raises(BookingBusy, match=BUSY):
        place_booking(cohort_id=cohort.pk, participant=participant_for(cohort.program))
    response = client.post(reverse("bookings:book", args=[cohort.pk]), data)
    body = response.content.decode()
    assert response.status_code == 409
    assert BUSY in body
    assert 'value="Sam Rivera"' in body and "Learning to be gentler with myself." in body


@pytest.mark.postgres
def test_on_postgresql_a_booking_waits_for_the_lock_only_so_long(client, cohort, settings):
    settings.BOOKING_LOCK_TIMEOUT_MS = 200
    data = valid_data(client, cohort)
    with cohort_locked_by_another_connection(cohort):
        assert_told_to_try_again_with_the_form_kept(client, cohort, data)
    assert Booking.objects.count() == 0
    # The lock is free again: the same form goes through.
    assert client.post(reverse("bookings:book", args=[cohort.pk]), data).status_code == 302


@pytest.mark.sqlite
def test_on_sqlite_a_booking_waits_for_the_write_lock_only_the_busy_timeout(file_backed_sqlite, client, cohort):
    data = valid_data(client, cohort)
    connection.close()
    connection.settings_dict["OPTIONS"] = {**connection.settings_dict["OPTIONS"], "timeout": 0.2}
    other = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another writer holds the database's write lock
    try:
        assert_told_to_try_again_with_the_form_kept(client, cohort, data)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert Booking.objects.count() == 0
    assert client.post(reverse("bookings:book", args=[cohort.pk]), data).status_code == 302


@pytest.mark.postgres
def test_on_postgresql_the_waitlist_waits_for_the_lock_only_so_long(client, cohort, settings):
    from bookings.models import WaitlistEntry, WaitlistState
    from bookings.services.waitlist import join_waitlist

    settings.BOOKING_LOCK_TIMEOUT_MS = 200
    for n in range(cohort.capacity):
        place_booking(cohort_id=cohort.pk, participant=participant_for(cohort.program, n))
    entry = join_waitlist(cohort_id=cohort.pk, name="Ana", email="ana@example.org")
    with cohort_locked_by_another_connection(cohort):
        joined = client.post(reverse("bookings:join-waitlist", args=[cohort.pk]),
                             {"name": "Ben", "email": "ben@example.org"})
        left = client.post(reverse("bookings:waitlist", args=[entry.code]), follow=True)
    assert joined.status_code == 409 and BUSY in joined.content.decode()
    assert left.status_code == 200 and BUSY in left.content.decode()
    assert list(WaitlistEntry.objects.values_list("email", "state")) == [("ana@example.org", WaitlistState.WAITING)]
