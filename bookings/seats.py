"""The one rule for seats: taken = confirmed (paid or due) + holds that have not expired.

Expired holds simply stop counting, so a seat frees itself the moment its hold lapses;
the tidy-up task only changes their state for the roster.
"""

from datetime import datetime

from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce

from bookings.models import Booking


def seats_taken(*, cohort_id: int, now: datetime) -> int:
    return Booking.objects.filter(cohort_id=cohort_id).taking_seats(now=now).count()


def seats_taken_subquery(*, now: datetime):
    """An expression for `Cohort` querysets: the seats taken in each cohort, in one query."""
    per_cohort = (
        Booking.objects.filter(cohort=OuterRef("pk"))
        .taking_seats(now=now)
        .order_by()
        .values("cohort")
        .annotate(taken=Count("pk"))
        .values("taken")
    )
    return Coalesce(Subquery(per_cohort, output_field=IntegerField()), 0)
