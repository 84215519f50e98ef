"""Turning an email-log row into a message: subject, text and HTML parts, attachments.

Messages say times in the participant's own zone, named, with the cohort's beside it when
they differ. Intake answers, emergency contacts and access needs never appear in them.
"""

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import dateformat

from bookings.material_links import document_link, material_link
from bookings.models import EmailKind, EmailLog
from bookings.privacy_links import address_token
from programs.time_zones import zone_label


@dataclass(frozen=True)
class SessionTime:
    """A session's time as one participant reads it."""

    local: str
    cohort_local: str | None

    def __str__(self) -> str:
        return f"{self.local} ({self.cohort_local})" if self.cohort_local else self.local


def session_time(session, *, reader_zone: str) -> SessionTime:
    cohort_zone = session.cohort.time_zone
    reader = _format(session.starts_at, session.ends_at, reader_zone)
    return SessionTime(reader, _format(session.starts_at, session.ends_at, cohort_zone) if reader_zone != cohort_zone else None)


def _format(starts, ends, zone_name: str) -> str:
    zone = ZoneInfo(zone_name)
    starts, ends = starts.astimezone(zone), ends.astimezone(zone)
    return f"{dateformat.format(starts, 'D j M, H:i')}–{dateformat.format(ends, 'H:i')} {zone_label(zone_name)}"


def build_message(log: EmailLog, *, organisation: str) -> EmailMultiAlternatives:
    context = _context(log, organisation=organisation)
    template = f"bookings/email/{log.kind}"
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"{template}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[log.to],
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    if log.kind == EmailKind.CONFIRMATION:
        from bookings.calendar import booking_calendar

        filename = f"{log.booking.cohort.program.slug}.ics"
        message.attach(filename, booking_calendar(log.booking, site_url=settings.SITE_URL), "text/calendar")
    # The ESP's tags: the kind only, never anything about the person.
    message.tags = [log.kind]
    message.metadata = {"email_log_id": str(log.pk)}
    return message


def _context(log: EmailLog, *, organisation: str) -> dict:
    booking, entry, session = log.booking, log.waitlist_entry, log.session
    person = booking or entry
    cohort = person.cohort
    reader_zone = (booking.participant_time_zone if booking else "") or cohort.time_zone
    context = {
        "log": log,
        "organisation": organisation,
        "name": person.name,
        "cohort": cohort,
        "program": cohort.program,
        "is_update": log.is_update,
        "site_url": settings.SITE_URL,
    }
    if booking:
        context["booking"] = booking
        context["booking_url"] = settings.SITE_URL + booking.get_absolute_url()
        sessions = [s for s in cohort.sessions.all() if s.status == "scheduled"]
        if booking.session_id:
            sessions = [s for s in sessions if s.pk == booking.session_id]
        context["sessions"] = [(s, session_time(s, reader_zone=reader_zone)) for s in sessions]
    if entry:
        context["waitlist_url"] = settings.SITE_URL + reverse("bookings:waitlist", args=[entry.code])
        if entry.offer_expires_at:  # only an offer has an end; a place in line does not
            context["offer_expires"] = _format(entry.offer_expires_at, entry.offer_expires_at, reader_zone).split("–")[0]
    if log.kind == EmailKind.PRIVACY_LINK:
        # About the address, not one booking: no booking link beside it.
        context.pop("booking_url", None)
        context["data_url"] = settings.SITE_URL + reverse("bookings:your-data", args=[address_token(log)])
    if log.cohort_message_id:
        message = log.cohort_message
        context["message"] = message
        if message.attachment_id:
            context["attachment_url"] = document_link(booking=booking, document=message.attachment)
    if session:
        context["session"] = session
        context["session_time"] = session_time(session, reader_zone=reader_zone)
        context["venue"] = session.venue
        context["online"] = cohort.mode in {"online", "hybrid"}
        context["in_person"] = cohort.mode in {"in_person", "hybrid"}
        if log.kind == EmailKind.PREP:
            context["meeting_url"] = cohort.meeting_url
            context["materials"] = [(m, material_link(booking=booking, material=m)) for m in session.materials.all()]
    return context
