"""The booking's calendar feed: one .ics file per private booking link."""

from django.conf import settings
from django.http import Http404, HttpResponse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from bookings.calendar import booking_calendar, booking_for_calendar
from bookings.http import private_page


@require_safe
@private_page
def booking_calendar_feed(request, code: str):
    # Same lookup as the booking page: an indexed equality on the secret code, and a miss
    # says nothing about which codes exist.
    booking = booking_for_calendar(code=code) if 20 <= len(code) <= 64 else None
    if booking is None:
        raise Http404("No booking has this link.")
    # SITE_URL, not the request's host: the events' UIDs are built from it and must not
    # change with the address a calendar app happened to use.
    body = booking_calendar(booking, site_url=settings.SITE_URL)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    filename = f"{booking.cohort.program.slug or 'booking'}.ics"
    response.headers["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response
