"""Read queries for the participant's pages, with their joins chosen up front."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch, Q

from bookings.models import (
    Attendance,
    Booking,
    BookingState,
    EmailLog,
    PaymentStatus,
    WaitlistEntry,
    WaitlistState,
)
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


@dataclass
class RosterRow:
    booking: Booking
    payment: str
    marks: dict[int, str]
    emails: list


def payment_state(booking: Booking) -> str:
    """Paid, due, refunded, ... in the words staff use, from the booking's payments and refunds."""
    paid = sum((p.amount for p in booking.payments.all() if p.status == PaymentStatus.SUCCEEDED), Decimal("0"))
    refunded = sum(
        (r.amount for p in booking.payments.all() for r in p.refunds.all() if r.status != "failed"), Decimal("0")
    )
    if booking.amount == 0:
        return "Free"
    if paid and refunded >= paid:
        return "Refunded"
    if refunded:
        return f"Paid, {refunded} refunded"
    if paid:
        return "Paid"
    if booking.state == BookingState.AWAITING_PAYMENT:
        return f"Due {booking.payment_due_on:%d %b}" if booking.payment_due_on else "Payment clearing"
    if booking.state == BookingState.HELD:
        return "Checkout open"
    return "Not paid"


def cohort_roster(*, cohort) -> tuple[list[Session], list[RosterRow], list[WaitlistEntry]]:
    """Everything the roster page shows, in a fixed number of queries."""
    sessions = list(cohort.sessions.exclude(status=Session.Status.REMOVED).order_by("starts_at"))
    bookings = (
        Booking.objects.filter(cohort=cohort)
        .exclude(state=BookingState.EXPIRED)
        .select_related("session")
        .prefetch_related(
            "payments__refunds",
            Prefetch("emails", queryset=EmailLog.objects.order_by("created_at")),
            "attendance",
        )
        .order_by("created_at", "pk")
    )
    rows = [
        RosterRow(
            booking=booking,
            payment=payment_state(booking),
            marks={a.session_id: a.mark for a in booking.attendance.all()},
            emails=list(booking.emails.all()),
        )
        for booking in bookings
    ]
    waitlist = list(cohort.waitlist.filter(state__in=[WaitlistState.WAITING, WaitlistState.OFFERED]).order_by("created_at", "pk"))
    return sessions, rows, waitlist


def session_attendance(*, session) -> list[tuple[Booking, str]]:
    """The people expected at a session (whole-course places and its drop-ins) with their marks."""
    bookings = (
        Booking.objects.filter(cohort_id=session.cohort_id, state__in=[BookingState.CONFIRMED, BookingState.AWAITING_PAYMENT])
        .filter(Q(session__isnull=True) | Q(session=session))
        .prefetch_related(Prefetch("attendance", queryset=Attendance.objects.filter(session=session)))
        .order_by("name", "pk")
    )
    return [(b, next((a.mark for a in b.attendance.all()), "")) for b in bookings]
