"""The one rule for seats.

A cohort's places are taken by whole-course bookings that are confirmed (paid or due), by
card holds and waitlist offers that have not expired, and, session by session, by drop-ins.
A whole-course place needs a seat in every session still to come, so it is free only while
the busiest of those has room; a drop-in needs a seat in its own session only, and stops
counting once that session is over or cancelled.

Expired holds and offers simply stop counting, so a seat frees itself the moment its time
runs out; the tidy-up task only changes their state for the roster.
"""

from datetime import datetime

from django.db.models import BigIntegerField, Count, Q, Value

from bookings.models import Booking, WaitlistEntry
from programs.models.sessions import SessionStatus


def seats_taken(*, cohort_id: int, now: datetime, session_id: int | None = None) -> int:
    """Seats taken for a whole-course place, or in one session when `session_id` is given.

    One query: place_booking counts while it holds the cohort's lock.
    """
    return seats_taken_by_cohort([cohort_id], now=now, session_id=session_id)[cohort_id]


def seats_taken_by_cohort(cohort_ids, *, now: datetime, session_id: int | None = None) -> dict[int, int]:
    """`seats_taken` for many cohorts at once, in one query whatever their number."""
    taken = dict.fromkeys(cohort_ids, 0)
    busiest_drop_ins = dict.fromkeys(cohort_ids, 0)
    # A drop-in holds a seat in its own session only while that session is still to come.
    still_held = Q(session__isnull=True) | Q(session__status=SessionStatus.SCHEDULED, session__ends_at__gt=now)
    places = (
        Booking.objects.filter(still_held, cohort_id__in=taken).taking_seats(now=now)
        .order_by().values_list("cohort", "session").annotate(n=Count("pk"))
    )
    # A live waitlist offer holds a whole-course seat: counted like a booking with no session.
    offers = (
        WaitlistEntry.objects.filter(cohort_id__in=taken).live_offers(now=now)
        .order_by().annotate(no_session=Value(None, output_field=BigIntegerField()))
        .values_list("cohort", "no_session").annotate(n=Count("pk"))
    )
    for cohort_id, in_session, count in places.union(offers, all=True):
        if in_session is None:
            taken[cohort_id] += count
        elif session_id is None or in_session == session_id:
            busiest_drop_ins[cohort_id] = max(busiest_drop_ins[cohort_id], count)
    return {cohort_id: taken[cohort_id] + busiest_drop_ins[cohort_id] for cohort_id in taken}
