"""Many people pressing "Book" at once: seats taken never exceed the cohort's capacity.

Each attempt runs in its own thread on its own database connection, and all of them are
released together, so the cohort lock (`SELECT … FOR UPDATE` on PostgreSQL, `BEGIN IMMEDIATE`
on SQLite) is the only thing standing between them and an oversold group.
"""

import sqlite3
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection, connections
from django.test import override_settings
from django.utils import timezone

from bookings.exceptions import AlreadyBooked, CohortFull
from bookings.models import Booking, BookingState, EmailKind, EmailLog, WaitlistEntry
from bookings.seats import seats_taken
from bookings.services.cancelling import cancel_booking
from bookings.services.placing import place_booking, place_booking_quietly
from bookings.services.waitlist import join_waitlist_quietly
from programs.models import ProgramPriceTier
from tests.bookings.helpers import participant_for
from tests.factories import CohortFactory, add_program, build_site

# serialized_rollback: a transactional test ends by emptying every table, including what the
# migrations put there (Wagtail's root page, the default site); this reloads it first.
# real_time: threads racing each other on the real clock, not the bookings tests' frozen one.
pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.real_time]

# PostgreSQL here allows 100 connections (a few kept for superusers), and the test runner holds
# one of its own: more than 60 threads connected at once would be refused with "too many
# clients" instead of queueing on the cohort lock, which is what these tests are about.
MAX_OPEN_CONNECTIONS = 60
JOIN_TIMEOUT = 60


@pytest.fixture(scope="module", autouse=True)
def _restore_migrated_data_for_later_tests(django_db_setup, django_db_blocker):
    """Put back what migrations created once this module is done, as the tests after it expect.

    The flush after the last test here would otherwise leave later tests without a root page.
    """
    yield
    contents = getattr(connection, "_test_serialized_contents", None)
    if contents:
        with django_db_blocker.unblock():
            connection.creation.deserialize_db_from_string(contents)


@dataclass
class Attempt:
    """One thread's work: what it does, what it waits for first, and how it ended."""

    work: Callable[[], object]
    after: Sequence[threading.Event] = ()
    finished: threading.Event = field(default_factory=threading.Event)
    outcome: object = None


def run_at_once(attempts: Sequence[Attempt]) -> list[object]:
    """Run every attempt in its own thread and connection, all released by one signal.

    Returns what each attempt returned, or the exception it raised, in order.
    """
    go = threading.Event()
    slots = threading.BoundedSemaphore(MAX_OPEN_CONNECTIONS)

    def run(attempt: Attempt) -> None:
        try:
            go.wait()
            for event in attempt.after:
                # Waited on before taking a connection slot, so waiting never starves the
                # attempts it waits for.
                event.wait(timeout=JOIN_TIMEOUT)
            with slots:
                try:
                    attempt.outcome = attempt.work()
                except BaseException as error:  # collected and checked in the test's thread
                    attempt.outcome = error
                finally:
                    connection.close()
        finally:
            attempt.finished.set()

    threads = [threading.Thread(target=run, args=(attempt,)) for attempt in attempts]
    for thread in threads:
        thread.start()
    go.set()
    for thread in threads:
        thread.join(timeout=JOIN_TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "an attempt did not finish in time"
    return [attempt.outcome for attempt in attempts]


def booking_attempt(cohort, n: int, **kwargs) -> Attempt:
    participant = participant_for(cohort.program, n)
    return Attempt(lambda: place_booking(cohort_id=cohort.pk, participant=participant), **kwargs)


def free_cohort(*, capacity: int):
    _, index = build_site()
    program = add_program(index, title="Free circle", default_price=Decimal("0"))
    # Starting weeks from now, so the group is open whatever day the suite runs on.
    return CohortFactory(
        program=program, price=Decimal("0"), capacity=capacity, start_date=timezone.localdate() + timedelta(weeks=6)
    )


def seats_counted_by_state(cohort) -> int:
    """The seat rule spelled out on the rows themselves, apart from `seats_taken`."""
    rows = Booking.objects.filter(cohort=cohort)
    live_holds = rows.filter(state=BookingState.HELD, hold_expires_at__gt=timezone.now()).count()
    return rows.filter(state__in=[BookingState.CONFIRMED, BookingState.AWAITING_PAYMENT]).count() + live_holds


def split(outcomes: list[object]) -> tuple[list[Booking], list[CohortFull], list[object]]:
    booked = [o for o in outcomes if isinstance(o, Booking)]
    refused = [o for o in outcomes if isinstance(o, CohortFull)]
    other = [o for o in outcomes if not isinstance(o, Booking | CohortFull)]
    return booked, refused, other


@pytest.mark.postgres
def test_200_people_booking_10_seats_at_once_take_exactly_10():
    cohort = free_cohort(capacity=10)

    outcomes = run_at_once([booking_attempt(cohort, n) for n in range(200)])

    booked, refused, other = split(outcomes)
    assert other == []
    assert (len(booked), len(refused)) == (10, 190)
    assert seats_taken(cohort_id=cohort.pk, now=timezone.now()) == 10
    assert seats_counted_by_state(cohort) == 10
    assert Booking.objects.filter(cohort=cohort).count() == 10
    assert set(Booking.objects.filter(cohort=cohort).values_list("pk", flat=True)) == {b.pk for b in booked}


@pytest.mark.postgres
def test_cancellations_and_lapsed_holds_during_a_rush_free_each_seat_once():
    capacity = 20
    _, index = build_site()
    program = add_program(index, title="Sliding scale circle")
    cohort = CohortFactory(program=program, capacity=capacity, start_date=timezone.localdate() + timedelta(weeks=6))
    free_tier = ProgramPriceTier.objects.create(program=program, label="Free place", amount=Decimal("0"))
    card_tier = ProgramPriceTier.objects.create(program=program, label="Standard", amount=Decimal("120.00"))

    # Six card checkouts started two hours ago and never finished: their holds have lapsed,
    # so their seats are free again although the rows still say HELD.
    with override_settings(STRIPE_SECRET_KEY="sk_test_x"), time_machine.travel(timezone.now() - timedelta(hours=2)):
        lapsed = [
            place_booking(
                cohort_id=cohort.pk, participant=participant_for(program, n), tier_id=card_tier.pk,
                payment_method="stripe",
            )
            for n in range(6)
        ]
    confirmed = [
        place_booking(cohort_id=cohort.pk, participant=participant_for(program, n), tier_id=free_tier.pk)
        for n in range(100, 108)
    ]
    assert {b.state for b in lapsed} == {BookingState.HELD}
    assert {b.state for b in confirmed} == {BookingState.CONFIRMED}
    assert seats_taken(cohort_id=cohort.pk, now=timezone.now()) == 8
    free_before, cancelled = capacity - 8, confirmed[:4]

    def book(n: int, **kwargs) -> Attempt:
        participant = participant_for(program, n)
        return Attempt(lambda: place_booking(cohort_id=cohort.pk, participant=participant, tier_id=free_tier.pk), **kwargs)

    # Each cancellation is sent twice (a double click): the second must not free a second seat.
    cancels = [Attempt(lambda pk=b.pk: cancel_booking(booking_id=pk)) for b in cancelled for _ in range(2)]
    # The people whose holds lapsed try again, among forty newcomers...
    first_wave = [book(n) for n in range(6)] + [book(n) for n in range(200, 240)]
    # ...and twenty more arrive once every cancellation has gone through. At most
    # free_before + 4 = 16 seats can be free by then, so they alone outnumber them: the group
    # must end exactly full, whichever order the rest ran in.
    last_wave = [book(n, after=[c.finished for c in cancels]) for n in range(300, 320)]

    outcomes = run_at_once(cancels + first_wave + last_wave)

    cancel_outcomes, booking_outcomes = outcomes[: len(cancels)], outcomes[len(cancels):]
    assert all(isinstance(o, Booking) and o.state == BookingState.CANCELLED for o in cancel_outcomes), cancel_outcomes
    booked, refused, other = split(booking_outcomes)
    assert other == []
    # Every seat free at the start is taken once, and every cancelled seat is taken again once.
    assert len(booked) == free_before + len(cancelled)
    assert len(refused) == len(booking_outcomes) - len(booked)

    now = timezone.now()
    assert seats_taken(cohort_id=cohort.pk, now=now) == capacity
    assert seats_counted_by_state(cohort) == capacity
    rows = Booking.objects.filter(cohort=cohort)
    assert rows.filter(state=BookingState.CONFIRMED).count() == capacity
    assert rows.filter(state=BookingState.HELD, hold_expires_at__gt=now).count() == 0
    assert set(rows.filter(state=BookingState.CANCELLED).values_list("pk", flat=True)) == {b.pk for b in cancelled}
    # A lapsed hold is tidied (EXPIRED) only when its owner got a new place; the others stay HELD
    # and count for nothing.
    rebooked = {b.email for b in booked} & {b.email for b in lapsed}
    assert rows.filter(pk__in=[b.pk for b in lapsed], state=BookingState.EXPIRED).count() == len(rebooked)


@pytest.mark.postgres
def test_one_person_pressing_book_20_times_at_once_gets_one_place_and_19_clear_refusals():
    cohort = free_cohort(capacity=10)
    same_person = participant_for(cohort.program, 7)

    outcomes = run_at_once([
        Attempt(lambda: place_booking(cohort_id=cohort.pk, participant=same_person)) for _ in range(20)
    ])

    booked = [o for o in outcomes if isinstance(o, Booking)]
    assert len(booked) == 1
    assert all(isinstance(o, AlreadyBooked) for o in outcomes if o not in booked), outcomes
    assert Booking.objects.filter(cohort=cohort).count() == 1


def in_one_hour(test):
    """Run `test` at twenty past the hour (the clock still moving): links are sent at most
    hourly, so a run that crossed the hour would rightly plan a second one."""
    return time_machine.travel(timezone.now().replace(minute=20), tick=True)(test)


@pytest.mark.postgres
@in_one_hour
def test_one_person_sending_the_public_form_20_times_at_once_gets_one_place_and_one_email():
    cohort = free_cohort(capacity=10)
    same_person = participant_for(cohort.program, 7)

    outcomes = run_at_once([
        Attempt(lambda: place_booking_quietly(cohort_id=cohort.pk, participant=same_person)) for _ in range(20)
    ])

    (booking,) = [o for o in outcomes if isinstance(o, Booking)]
    assert outcomes.count(None) == 19, outcomes  # each told quietly, by email, not refused aloud
    assert Booking.objects.filter(cohort=cohort).count() == 1
    (link,) = EmailLog.objects.filter(kind=EmailKind.BOOKING_LINK)
    assert (link.booking_id, link.to) == (booking.pk, same_person.email)


@pytest.mark.postgres
@in_one_hour
def test_one_person_joining_the_waitlist_20_times_at_once_is_in_line_once_and_told_once():
    cohort = free_cohort(capacity=1)
    place_booking(cohort_id=cohort.pk, participant=participant_for(cohort.program, 1))

    outcomes = run_at_once([
        Attempt(lambda: join_waitlist_quietly(cohort_id=cohort.pk, name="Ana", email="ana@example.org"))
        for _ in range(20)
    ])

    (entry,) = [o for o in outcomes if isinstance(o, WaitlistEntry)]
    assert outcomes.count(None) == 19, outcomes
    assert WaitlistEntry.objects.filter(cohort=cohort).count() == 1
    (link,) = EmailLog.objects.filter(kind=EmailKind.WAITLIST_LINK)
    assert link.waitlist_entry_id == entry.pk


@pytest.fixture
def file_backed_sqlite(tmp_path):
    """Point every connection, in every thread, at a file copy of the SQLite test database.

    pytest-django's SQLite test database is in memory with a shared cache, where SQLite locks
    table by table and answers "database table is locked" at once instead of waiting out the
    busy timeout, so threads cannot queue for the write lock there. A file has real locking:
    BEGIN IMMEDIATE waits, as it does in production.
    """
    in_memory, memory_settings = connections["default"], connections.settings["default"]
    in_memory.ensure_connection()
    copy = sqlite3.connect(tmp_path / "contention.sqlite3")
    in_memory.connection.backup(copy)
    copy.close()
    # New connections (one per thread) are made from these settings.
    connections.settings["default"] = {**memory_settings, "NAME": str(tmp_path / "contention.sqlite3")}
    connections["default"] = connections.create_connection("default")
    yield
    connections["default"].close()
    connections["default"] = in_memory
    connections.settings["default"] = memory_settings


@pytest.mark.sqlite
def test_on_sqlite_40_people_booking_5_seats_at_once_take_exactly_5(file_backed_sqlite):
    assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    cohort = free_cohort(capacity=5)

    outcomes = run_at_once([booking_attempt(cohort, n) for n in range(40)])

    booked, refused, other = split(outcomes)
    assert other == []
    assert (len(booked), len(refused)) == (5, 35)
    assert seats_taken(cohort_id=cohort.pk, now=timezone.now()) == 5
    assert seats_counted_by_state(cohort) == 5
    assert Booking.objects.filter(cohort=cohort).count() == 5
