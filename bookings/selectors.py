"""Read queries for the participant's pages, with their joins chosen up front."""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db.models import Prefetch, Q

from bookings.codes import code_digest, same_code
from bookings.material_links import material_link
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
    sessions = (
        Session.objects.exclude(status=Session.Status.REMOVED)
        .select_related("venue_override")
        .prefetch_related("materials")
    )
    booking = (
        Booking.objects.select_related("cohort__program", "cohort__venue")
        .prefetch_related(Prefetch("cohort__sessions", queryset=sessions, to_attr="timetable"), "payments__refunds")
        .filter(code_digest=code_digest(code), erased_at=None)  # an erased booking answers as an unknown code
        .first()
    )
    return booking if booking is not None and same_code(booking.code, code) else None


@dataclass(frozen=True)
class SessionOnPage:
    session: object
    is_mine: bool
    join_url: str
    materials: list


def sessions_for_booking_page(booking, *, now) -> list[SessionOnPage]:
    """Materials only for a booking with a place; the join link only from the prep lead time until the end."""
    cohort = booking.cohort
    lead = timedelta(hours=cohort.program.prep_lead_time_hours)
    online = cohort.mode in {"online", "hybrid"}
    rows = []
    for session in cohort.timetable:
        is_mine = booking.session_id in (None, session.pk)
        shared = booking.has_place and is_mine and not session.is_cancelled
        joinable = shared and online and session.starts_at - lead <= now < session.ends_at
        materials = [(m, material_link(booking=booking, material=m)) for m in session.materials.all()] if shared else []
        rows.append(SessionOnPage(session, is_mine, cohort.meeting_url if joinable else "", materials))
    return rows


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


@dataclass
class Dashboard:
    sessions_this_week: list
    open_cohorts: list
    unpaid: int
    bounced: int


def dashboard_for(*, user, now) -> Dashboard:
    """The admin home panel: this week's sessions and each open cohort's state, for the user's cohorts."""
    from django.db.models import Count

    from bookings.seats import seats_taken_by_cohort
    from programs.access import cohorts_visible_to
    from programs.models import Cohort

    cohorts = cohorts_visible_to(user)
    sessions = list(
        Session.objects.filter(cohort__in=cohorts, status=Session.Status.SCHEDULED,
                               starts_at__gte=now, starts_at__lt=now + timedelta(days=7))
        .select_related("cohort__program").order_by("starts_at")
    )
    open_cohorts = list(
        Cohort.objects.filter(pk__in=cohorts.values("pk"), status=Cohort.Status.OPEN)
        .select_related("program")
        .annotate(waiting=Count("waitlist", filter=Q(waitlist__state=WaitlistState.WAITING), distinct=True))
        .order_by("start_date")
    )
    taken = seats_taken_by_cohort([cohort.pk for cohort in open_cohorts], now=now)
    for cohort in open_cohorts:
        cohort.seats_taken = taken[cohort.pk]
        cohort.seats_left = cohort.capacity - cohort.seats_taken
    unpaid = Booking.objects.filter(cohort__in=cohorts, state=BookingState.AWAITING_PAYMENT).count()
    bounced = EmailLog.objects.filter(booking__cohort__in=cohorts, delivery_status__in=["bounced", "complained"]).count()
    return Dashboard(sessions_this_week=sessions, open_cohorts=open_cohorts, unpaid=unpaid, bounced=bounced)
