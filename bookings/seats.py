"""The one rule for seats: taken = confirmed (paid or due) + holds and waitlist offers not yet expired.

Expired holds and offers simply stop counting, so a seat frees itself the moment its time
runs out; the tidy-up task only changes their state for the roster.
"""

from datetime import datetime

from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce

from bookings.models import Booking, WaitlistEntry


def seats_taken(*, cohort_id: int, now: datetime) -> int:
    bookings = Booking.objects.filter(cohort_id=cohort_id).taking_seats(now=now).count()
    return bookings + WaitlistEntry.objects.filter(cohort_id=cohort_id).live_offers(now=now).count()


def seats_taken_subquery(*, now: datetime):
    """An expression for `Cohort` querysets: the seats taken in each cohort, in the same query."""
    return _count_per_cohort(Booking.objects.taking_seats(now=now)) + _count_per_cohort(
        WaitlistEntry.objects.live_offers(now=now)
    )


def _count_per_cohort(queryset):
    per_cohort = (
        queryset.filter(cohort=OuterRef("pk")).order_by().values("cohort").annotate(n=Count("pk")).values("n")
    )
    return Coalesce(Subquery(per_cohort, output_field=IntegerField()), 0)
