"""A participant's data: everything we hold, erasure on request, and automatic retention.

Erasure keeps the rows the accounts need (bookings, payments, refunds, attendance) but
removes every personal field from them; intake answers are removed outright.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Prefetch
from django.utils import timezone

from bookings.models import Attendance, Booking, EmailLog, Payment, Refund, WaitlistEntry
from bookings.services.cancelling import cancel_booking


def participant_data(*, email: str) -> dict:
    """Everything held about the person with this address, as plain JSON-ready data."""
    bookings = (
        Booking.objects.filter(email__iexact=email)
        .select_related("cohort__program", "session")
        .prefetch_related("payments__refunds", Prefetch("attendance", Attendance.objects.select_related("session")),
                          "emails")
    )
    return {
        "email": email,
        "bookings": [_booking_data(b) for b in bookings],
        "waitlist": [
            {"cohort": str(e.cohort), "name": e.name, "email": e.email, "state": e.state,
             "joined_at": e.created_at.isoformat()}
            for e in WaitlistEntry.objects.filter(email__iexact=email).select_related("cohort__program")
        ],
    }


def _booking_data(booking: Booking) -> dict:
    return {
        "cohort": str(booking.cohort),
        "drop_in_session": booking.session.starts_at.isoformat() if booking.session else None,
        "state": booking.state,
        "name": booking.name,
        "email": booking.email,
        "time_zone": booking.participant_time_zone,
        "emergency_contact": booking.emergency_contact,
        "access_needs": booking.access_needs,
        "intake_answers": booking.intake_answers,
        "consent": {"text": booking.consent_text, "version": booking.consent_version,
                    "given_at": booking.consent_given_at.isoformat()},
        "price": {"tier": booking.tier_label, "amount": str(booking.amount), "currency": booking.currency},
        "created_at": booking.created_at.isoformat(),
        "payments": [
            {"amount": str(p.amount), "status": p.status, "paid_at": p.paid_at.isoformat() if p.paid_at else None,
             "refunds": [{"amount": str(r.amount), "status": r.status} for r in p.refunds.all()]}
            for p in booking.payments.all()
        ],
        "attendance": [
            {"session": a.session.starts_at.isoformat(), "mark": a.mark}
            for a in booking.attendance.all()
        ],
        "emails": [
            {"kind": e.kind, "status": e.status, "sent_at": e.sent_at.isoformat() if e.sent_at else None}
            for e in booking.emails.all()
        ],
    }


def erase_participant(*, email: str, reason: str = "Erased at the participant's request") -> int:
    """Cancel the person's places (by the policy) and remove every personal field they left."""
    bookings = list(Booking.objects.filter(email__iexact=email).values_list("pk", flat=True))
    for booking_id in bookings:
        booking = Booking.objects.get(pk=booking_id)
        if booking.is_cancellable:
            cancel_booking(booking_id=booking_id, reason=reason)
    with transaction.atomic():
        for booking_id in bookings:
            placeholder = f"erased-{booking_id}@erased.invalid"
            Booking.objects.filter(pk=booking_id).update(
                name="Erased participant", email=placeholder, participant_time_zone="", emergency_contact="",
                access_needs="", intake_answers={}, screening_message="",
            )
            EmailLog.objects.filter(booking_id=booking_id).update(to=placeholder, delivery_detail="")
            Payment.objects.filter(booking_id=booking_id).update(note="")
            Refund.objects.filter(payment__booking_id=booking_id).update(reason="Refund")
        for entry in WaitlistEntry.objects.filter(email__iexact=email):
            placeholder = f"erased-w{entry.pk}@erased.invalid"
            EmailLog.objects.filter(waitlist_entry=entry).update(to=placeholder)
            WaitlistEntry.objects.filter(pk=entry.pk).update(name="Erased participant", email=placeholder, state="left")
    return len(bookings)


def erase_expired_intake_answers(*, now: datetime | None = None) -> int:
    """Intake answers are kept for INTAKE_RETENTION_DAYS after a cohort's last session, then removed."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.INTAKE_RETENTION_DAYS)
    expired = (
        Booking.objects.annotate(course_ended_at=Max("cohort__sessions__ends_at"))
        .filter(course_ended_at__lt=cutoff)
        .exclude(intake_answers={}, emergency_contact="", access_needs="")
        .values_list("pk", flat=True)
    )
    return Booking.objects.filter(pk__in=list(expired)).update(intake_answers={}, emergency_contact="", access_needs="")
