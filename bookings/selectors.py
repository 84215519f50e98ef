"""Read queries for the participant's pages, with their joins chosen up front."""

from django.db.models import Prefetch

from bookings.models import Booking
from programs.models import Session


def booking_for_page(*, code: str) -> Booking | None:
    """The booking behind a private code, with everything its page shows, in a fixed number of queries."""
    sessions = Session.objects.exclude(status=Session.Status.REMOVED).select_related("venue_override")
    return (
        Booking.objects.select_related("cohort__program", "cohort__venue")
        .prefetch_related(Prefetch("cohort__sessions", queryset=sessions, to_attr="timetable"), "payments__refunds")
        .filter(code=code)
        .first()
    )
