"""The one rule for seats.

A cohort's places are taken by whole-course bookings that are confirmed (paid or due), by
card holds and waitlist offers that have not expired, and, session by session, by drop-ins.
A whole-course place needs a seat in every session, so it is free only while the busiest
session has room; a drop-in needs a seat in its own session only.

Expired holds and offers simply stop counting, so a seat frees itself the moment its time
runs out; the tidy-up task only changes their state for the roster.
"""

from datetime import datetime

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from bookings.models import Booking, WaitlistEntry


def seats_taken(*, cohort_id: int, now: datetime, session_id: int | None = None) -> int:
    """Seats taken for a whole-course place, or in one session when `session_id` is given.

    Two short queries, three when the cohort has drop-ins: place_booking counts while it
    holds the cohort's lock, so this is kept cheap.
    """
    taking = Booking.objects.filter(cohort_id=cohort_id).taking_seats(now=now)
    in_drop_ins = Q(session__isnull=False) if session_id is None else Q(session_id=session_id)
    counts = taking.aggregate(course=Count("pk", filter=Q(session__isnull=True)), drop_ins=Count("pk", filter=in_drop_ins))
    course = counts["course"] + WaitlistEntry.objects.filter(cohort_id=cohort_id).live_offers(now=now).count()
    if session_id is not None or not counts["drop_ins"]:
        return course + counts["drop_ins"]
    busiest = taking.drop_ins().values("session").annotate(n=Count("pk")).order_by("-n").values_list("n", flat=True)
    return course + busiest.first()


def seats_taken_subquery(*, now: datetime, session_id: int | None = None):
    """An expression for `Cohort` querysets: the seats a whole-course place (or a drop-in in
    `session_id`) competes for, in the same query."""
    taking = Booking.objects.taking_seats(now=now)
    drop_ins = taking.drop_ins().filter(cohort=OuterRef("pk")).order_by()
    if session_id is None:
        drop_ins = drop_ins.values("session").annotate(n=Count("pk")).order_by("-n").values("n")[:1]
    else:
        drop_ins = drop_ins.filter(session_id=session_id).values("cohort").annotate(n=Count("pk")).values("n")
    return (
        _count_per_cohort(taking.whole_course())
        + _count_per_cohort(WaitlistEntry.objects.live_offers(now=now))
        + Coalesce(Subquery(drop_ins, output_field=IntegerField()), 0)
    )


def _count_per_cohort(queryset):
    per_cohort = (
        queryset.filter(cohort=OuterRef("pk")).order_by().values("cohort").annotate(n=Count("pk")).values("n")
    )
    return Coalesce(Subquery(per_cohort, output_field=IntegerField()), 0)
