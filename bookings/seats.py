"""The one rule for seats.

A cohort's places are taken by whole-course bookings that are confirmed (paid or due), by
card holds and waitlist offers that have not expired, and, session by session, by drop-ins.
A whole-course place needs a seat in every session still to come, so it is free only while
the busiest of those has room; a drop-in needs a seat in its own session only, and stops
counting once that session is over or cancelled.

Expired holds and offers simply stop counting, so a seat frees itself the moment its time
runs out; the tidy-up task only changes their state for the roster.

The rule is one SQL statement rather than an ORM query: every booking counts seats while it
holds the cohort's lock, and building the equivalent queryset took twenty times as long as
running it (bench/booking_contention.py), all of it time the next booker waits.
"""

from datetime import datetime

from django.db import connection

from bookings.models import Booking, BookingState, WaitlistEntry, WaitlistState
from bookings.models.booking import SEATED_STATES
from programs.models import Session
from programs.models.sessions import SessionStatus


def seats_taken(*, cohort_id: int, now: datetime, session_id: int | None = None) -> int:
    """Seats taken for a whole-course place, or in one session when `session_id` is given."""
    return seats_taken_by_cohort([cohort_id], now=now, session_id=session_id)[cohort_id]


def seats_taken_by_cohort(cohort_ids, *, now: datetime, session_id: int | None = None) -> dict[int, int]:
    """`seats_taken` for many cohorts at once, in one query whatever their number."""
    taken = dict.fromkeys(cohort_ids, 0)
    if not taken:
        return {}
    busiest_drop_ins = dict.fromkeys(taken, 0)
    with connection.cursor() as cursor:
        cursor.execute(*_places_and_offers(list(taken), now=now))
        rows = cursor.fetchall()
    for cohort_id, in_session, count in rows:
        if in_session is None:
            taken[cohort_id] += count
        elif session_id is None or in_session == session_id:
            busiest_drop_ins[cohort_id] = max(busiest_drop_ins[cohort_id], count)
    return {cohort_id: taken[cohort_id] + busiest_drop_ins[cohort_id] for cohort_id in taken}


def _places_and_offers(cohort_ids: list[int], *, now: datetime) -> tuple[str, list]:
    """(cohort, session, seats) rows: places by session (none for the whole course), then live offers.

    A live waitlist offer holds a whole-course seat, so it comes out as a row with no session.
    """
    at = connection.ops.adapt_datetimefield_value(now)
    in_cohorts = ", ".join(["%s"] * len(cohort_ids))
    seated = ", ".join(["%s"] * len(SEATED_STATES))
    sql = f"""
        SELECT b.cohort_id, b.session_id, COUNT(*)
        FROM {Booking._meta.db_table} b LEFT JOIN {Session._meta.db_table} s ON s.id = b.session_id
        WHERE b.cohort_id IN ({in_cohorts})
          AND (b.state IN ({seated}) OR (b.state = %s AND b.hold_expires_at > %s))
          AND (b.session_id IS NULL OR (s.status = %s AND s.ends_at > %s))
        GROUP BY b.cohort_id, b.session_id
        UNION ALL
        SELECT w.cohort_id, NULL, COUNT(*)
        FROM {WaitlistEntry._meta.db_table} w
        WHERE w.cohort_id IN ({in_cohorts}) AND w.state = %s AND w.offer_expires_at > %s
        GROUP BY w.cohort_id
    """  # noqa: S608 (table names from the models; every value is a parameter)
    params = [
        *cohort_ids, *SEATED_STATES, BookingState.HELD, at, SessionStatus.SCHEDULED, at,
        *cohort_ids, WaitlistState.OFFERED, at,
    ]
    return sql, params
