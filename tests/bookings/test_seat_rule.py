"""The seat rule on rows in every state at once, for one cohort and for several side by side."""

from datetime import timedelta
from decimal import Decimal

import pytest

from bookings.models import Booking, BookingState, WaitlistEntry, WaitlistState
from bookings.seats import seats_taken, seats_taken_by_cohort
from programs.models import Session
from tests.bookings.helpers import NOW
from tests.factories import CohortFactory, add_program, build_site

pytestmark = pytest.mark.django_db

LATER = NOW + timedelta(minutes=10)
EARLIER = NOW - timedelta(minutes=10)


def add_booking(cohort, n: int, state: str, *, session=None, hold_expires_at=None) -> Booking:
    return Booking.objects.create(
        cohort=cohort, session=session, state=state, payment_method="stripe", name=f"Person {n}",
        email=f"person{n}@example.org", consent_text="I agree.", consent_version="v1", consent_given_at=NOW,
        amount=Decimal("10.00"), currency="GBP", hold_expires_at=hold_expires_at,
    )


def add_offer(cohort, n: int, *, state: str, expires_at) -> WaitlistEntry:
    return WaitlistEntry.objects.create(
        cohort=cohort, name=f"Waiting {n}", email=f"waiting{n}@example.org", state=state, offer_expires_at=expires_at,
    )


@pytest.fixture
def two_cohorts():
    index = build_site()[1]
    program = add_program(index, title="Drop-in circle")
    busy = CohortFactory(program=program, capacity=20, allow_drop_ins=True, drop_in_price=Decimal("20"), weeks=3)
    quiet = CohortFactory(program=program, capacity=20, weeks=3)
    return busy, quiet


def test_every_state_counts_as_the_rule_says(two_cohorts):
    busy, quiet = two_cohorts
    first, second, third = busy.sessions.order_by("starts_at")
    Session.objects.filter(pk=third.pk).update(status=Session.Status.CANCELLED)
    n = iter(range(100))

    # Whole-course places: 2 confirmed, 1 awaiting payment, 1 live hold = 4 seats.
    for state in (BookingState.CONFIRMED, BookingState.CONFIRMED, BookingState.AWAITING_PAYMENT):
        add_booking(busy, next(n), state)
    add_booking(busy, next(n), BookingState.HELD, hold_expires_at=LATER)
    # None of these holds a seat.
    add_booking(busy, next(n), BookingState.HELD, hold_expires_at=EARLIER)
    for state in (BookingState.APPLIED, BookingState.DECLINED, BookingState.CANCELLED, BookingState.EXPIRED):
        add_booking(busy, next(n), state, hold_expires_at=EARLIER if state == BookingState.EXPIRED else None)
    # Offers: one live (a seat), one lapsed, one accepted (its booking counts instead).
    add_offer(busy, next(n), state=WaitlistState.OFFERED, expires_at=LATER)
    add_offer(busy, next(n), state=WaitlistState.OFFERED, expires_at=EARLIER)
    add_offer(busy, next(n), state=WaitlistState.ACCEPTED, expires_at=LATER)
    # Drop-ins: 3 in session two (one a live hold), 1 in session one, 5 in the cancelled session three,
    # and a cancelled and a lapsed one in session two.
    for _ in range(2):
        add_booking(busy, next(n), BookingState.CONFIRMED, session=second)
    add_booking(busy, next(n), BookingState.HELD, session=second, hold_expires_at=LATER)
    add_booking(busy, next(n), BookingState.CANCELLED, session=second)
    add_booking(busy, next(n), BookingState.HELD, session=second, hold_expires_at=EARLIER)
    add_booking(busy, next(n), BookingState.CONFIRMED, session=first)
    for _ in range(5):
        add_booking(busy, next(n), BookingState.CONFIRMED, session=third)
    # The other cohort: one place, which must not leak into the first one's count.
    add_booking(quiet, next(n), BookingState.CONFIRMED)

    whole_course = 4 + 1  # places and the live offer
    assert seats_taken(cohort_id=busy.pk, now=NOW) == whole_course + 3  # the busiest session still to come: two
    assert seats_taken(cohort_id=busy.pk, now=NOW, session_id=first.pk) == whole_course + 1
    assert seats_taken(cohort_id=busy.pk, now=NOW, session_id=second.pk) == whole_course + 3
    assert seats_taken(cohort_id=busy.pk, now=NOW, session_id=third.pk) == whole_course  # cancelled
    assert seats_taken(cohort_id=busy.pk, now=second.ends_at + timedelta(minutes=1)) == 4 - 1  # hold and offer lapsed too
    assert seats_taken_by_cohort([busy.pk, quiet.pk], now=NOW) == {busy.pk: 8, quiet.pk: 1}


def test_no_cohorts_need_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert seats_taken_by_cohort([], now=NOW) == {}


def test_a_cohort_with_nothing_booked_has_every_seat_free(two_cohorts):
    busy, quiet = two_cohorts
    assert seats_taken_by_cohort([quiet.pk, busy.pk], now=NOW) == {quiet.pk: 0, busy.pk: 0}


@pytest.mark.postgres
def test_on_postgresql_the_count_a_booking_makes_under_the_lock_is_planned_once_per_connection(two_cohorts):
    from django.db import connection

    busy, _ = two_cohorts
    for _ in range(6):  # psycopg prepares a statement on its sixth run on a connection
        seats_taken(cohort_id=busy.pk, now=NOW)
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [statement for (statement,) in cursor.fetchall()]
    assert any("bookings_waitlistentry" in statement for statement in prepared), prepared
