"""A booking's sessions as an iCalendar file (RFC 5545), to import once or subscribe to.

Each session is one event whose UID never changes (its row is kept across re-expansions
of the cohort's rule) and whose SEQUENCE is the session's own `sequence`, so a calendar
app updates the event in place when a session moves or is cancelled. Sessions removed
from the schedule stay in the file as cancelled events: a calendar that already holds
them then drops them instead of keeping a meeting that no longer happens.

Privacy: the file carries the program, the times and the room. It never carries the
link to the private booking page (calendars are shared, synced and forwarded, and the link
is the key to the booking), the meeting link (sent by email only to people with a place),
nor anything the participant told us (intake answers, emergency contact, access needs).
"""

from datetime import date
from urllib.parse import urlsplit

from django.db.models import Prefetch
from django.utils import timezone
from icalendar import Calendar, Event

from bookings.codes import code_digest, same_code
from bookings.models import Booking, BookingState
from programs.models import Cohort, ProgramFormat, Session

PRODID = "-//Workshop scheduler//Booking calendar//EN"

CONFIRMED, TENTATIVE, CANCELLED = "CONFIRMED", "TENTATIVE", "CANCELLED"


def booking_for_calendar(*, code: str) -> Booking | None:
    """The booking behind a private code with its cohort, program, venues and every session
    (removed ones too), in two queries whatever the number of sessions."""
    sessions = Session.objects.select_related("venue_override").order_by("starts_at", "pk")
    booking = (
        Booking.objects.select_related("cohort__program", "cohort__venue")
        .prefetch_related(Prefetch("cohort__sessions", queryset=sessions))
        .filter(code_digest=code_digest(code), erased_at=None)
        .first()
    )
    return booking if booking is not None and same_code(booking.code, code) else None


def booking_calendar(booking: Booking, *, site_url: str) -> bytes:
    """The booking's sessions as an RFC 5545 calendar (a drop-in gets its one session)."""
    site_url = site_url.rstrip("/")
    host = urlsplit(site_url).hostname or "localhost"
    cohort = booking.cohort
    program = cohort.program
    description = _emails_line(cohort)
    booking_status = _booking_status(booking)
    stamp = timezone.now()

    sessions = sorted(cohort.sessions.all(), key=lambda s: (s.starts_at, s.pk))
    # Numbered as the booking page lists them: the sessions still on the schedule, in order.
    numbers = {
        s.pk: n for n, s in enumerate((s for s in sessions if s.status != Session.Status.REMOVED), start=1)
    }
    if booking.session_id:
        sessions = [s for s in sessions if s.pk == booking.session_id]

    calendar = Calendar.new(
        prodid=PRODID,
        method="PUBLISH",
        name=program.title,  # NAME and X-WR-CALNAME
        uid=f"booking-{booking.pk}@{host}",
    )
    for session in sessions:
        status = CANCELLED if session.is_cancelled else booking_status
        summary = _summary(program.title, session, numbers.get(session.pk))
        calendar.add_component(
            Event.new(
                uid=f"session-{session.pk}@{host}",
                stamp=stamp,
                start=_local(session.starts_at, cohort),
                end=_local(session.ends_at, cohort),
                sequence=session.sequence,
                status=status,
                summary=f"Cancelled: {summary}" if status == CANCELLED else summary,
                location=_location(session, cohort),
                description=description,
            )
        )
    if sessions:
        first, last = sessions[0].starts_at.astimezone(cohort.zone), sessions[-1].ends_at.astimezone(cohort.zone)
        # Only the years the sessions fall in: icalendar's default (1970-2038) would add
        # ~3 kB of transitions nobody needs, and stop short of later dates.
        calendar.add_missing_timezones(first_date=date(first.year, 1, 1), last_date=date(last.year + 1, 1, 1))
    return calendar.to_ical()


def _booking_status(booking: Booking) -> str:
    """What a scheduled session is to this participant."""
    if booking.has_place and booking.cohort.status != Cohort.Status.CANCELLED:
        return CONFIRMED
    # Waiting for a facilitator or for a card payment: the place may still come.
    if booking.state == BookingState.APPLIED or booking.hold_is_live:
        return TENTATIVE
    # Declined, cancelled, expired (or a hold that lapsed before the sweep marked it):
    # every event is cancelled, so a subscribed calendar clears itself.
    return CANCELLED


def _local(instant, cohort: Cohort):
    local = instant.astimezone(cohort.zone)
    # A TZID wall time cannot say which of the two autumn-fold hours it means, and RFC 5545
    # reads it as the first; a session in the second one is written in UTC instead.
    return instant if local.fold else local


def _summary(title: str, session: Session, number: int | None) -> str:
    if session.topic:
        return f"{title}: {session.topic}"
    return f"{title} · session {number}" if number else title


def _location(session: Session, cohort: Cohort) -> str | None:
    if cohort.mode == ProgramFormat.ONLINE:
        return "Online"
    # Read through the cohort already loaded, not `session.venue`, which would load the
    # cohort again for every session.
    venue = session.venue_override or cohort.venue
    if venue is None:
        return "Online" if cohort.mode == ProgramFormat.HYBRID else None
    place = ", ".join(line.strip() for line in [venue.name, *venue.address.splitlines()] if line.strip())
    return f"{place} (or online)" if cohort.mode == ProgramFormat.HYBRID else place


def _emails_line(cohort: Cohort) -> str:
    if cohort.mode == ProgramFormat.IN_PERSON:
        return "Materials for each session are sent by email."
    return "The join link and materials for each session are sent by email."
