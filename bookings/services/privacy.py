"""A participant's data: everything we hold, erasure on request, and automatic retention.

Erasure keeps the rows the accounts need (bookings, payments, refunds, attendance) but
removes every personal field from them; intake answers are removed outright.
"""

from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Prefetch
from django.utils import timezone

from bookings import audit
from bookings.models import (
    Attendance,
    Booking,
    EmailLog,
    EmailStatus,
    Payment,
    Refund,
    WaitlistEntry,
    WaitlistState,
)
from bookings.outbox import remove_outbox_files
from bookings.services.cancelling import cancel_booking
from bookings.services.locking import lock_booking


def booking_data(*, booking_id: int) -> dict:
    """Everything held about one booking (and the waitlist entry it came from), as plain JSON-ready data.

    A booking's code proves nothing about its address (anyone can type any address into the
    booking form), so what one code exports is that booking alone.
    """
    booking = _bookings().get(pk=booking_id)
    entries = WaitlistEntry.objects.filter(booking=booking).select_related("cohort__program")
    return {"email": booking.email, "bookings": [_booking_data(booking)], "waitlist": [_entry_data(e) for e in entries]}


def participant_data(*, email: str) -> dict:
    """Everything held about the person with this address: only for a proven address (privacy_links)."""
    entries = WaitlistEntry.objects.filter(email__iexact=email, erased_at__isnull=True).select_related("cohort__program")
    return {
        "email": email,
        "bookings": [_booking_data(b) for b in _bookings().filter(email__iexact=email, erased_at__isnull=True)],
        "waitlist": [_entry_data(e) for e in entries],
    }


def _bookings():
    return Booking.objects.select_related("cohort__program", "session").prefetch_related(
        "payments__refunds", Prefetch("attendance", Attendance.objects.select_related("session")), "emails"
    )


def _entry_data(entry: WaitlistEntry) -> dict:
    return {"cohort": str(entry.cohort), "name": entry.name, "email": entry.email, "state": entry.state,
            "joined_at": entry.created_at.isoformat()}


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


PARTICIPANT_REQUEST = "Erased at the participant's request"


def erase_booking(*, booking_id: int, acting_user=None, reason: str = PARTICIPANT_REQUEST) -> Booking:
    """Cancel one booking (by the policy) and remove every personal field it holds.

    `acting_user`: the staff user who erased it, or None for the participant. The audit entry
    names the booking by number only: the name it would show is what is being erased.
    Nothing is written to the person afterwards; their outbox files are removed once the
    erasure is committed.
    """
    now = timezone.now()
    with transaction.atomic():
        _, booking = lock_booking(booking_id)
        if booking.erased_at:
            return booking
        if booking.is_cancellable:
            cancel_booking(booking_id=booking_id, reason=reason, acting_user=acting_user)
        placeholder = f"erased-{booking_id}@erased.invalid"
        Booking.objects.filter(pk=booking_id).update(
            name="Erased participant", email=placeholder, participant_time_zone="", emergency_contact="",
            access_needs="", intake_answers={}, screening_message="", erased_at=now,
        )
        emails = EmailLog.objects.filter(booking_id=booking_id)
        log_ids = list(emails.values_list("pk", flat=True))
        emails.filter(status=EmailStatus.PLANNED).update(status=EmailStatus.SKIPPED)
        emails.update(to=placeholder, delivery_detail="")
        Payment.objects.filter(booking_id=booking_id).update(note="")
        Refund.objects.filter(payment__booking_id=booking_id).update(reason="Refund")
        # The waitlist entry the booking was made from holds the same name and address.
        for entry in WaitlistEntry.objects.filter(booking_id=booking_id):
            log_ids += _erase_entry(entry, now=now)
        booking.refresh_from_db()
        audit.record(booking_id=booking.pk, action="bookings.erase", acting_user=acting_user,
                     by_staff=acting_user is not None)
        transaction.on_commit(partial(remove_outbox_files, log_ids=log_ids))
    return booking


def erase_participant(*, email: str, acting_user=None, reason: str = PARTICIPANT_REQUEST) -> int:
    """Erase every booking and waitlist entry of an address: only for a proven address (privacy_links)."""
    now = timezone.now()
    with transaction.atomic():
        bookings = list(Booking.objects.filter(email__iexact=email, erased_at__isnull=True).values_list("pk", flat=True))
        for booking_id in bookings:
            erase_booking(booking_id=booking_id, acting_user=acting_user, reason=reason)
        log_ids = []
        for entry in WaitlistEntry.objects.filter(email__iexact=email, erased_at__isnull=True):
            log_ids += _erase_entry(entry, now=now)
        transaction.on_commit(partial(remove_outbox_files, log_ids=log_ids))
    return len(bookings)


def _erase_entry(entry: WaitlistEntry, *, now: datetime) -> list[int]:
    placeholder = f"erased-w{entry.pk}@erased.invalid"
    emails = EmailLog.objects.filter(waitlist_entry=entry)
    log_ids = list(emails.values_list("pk", flat=True))
    emails.filter(status=EmailStatus.PLANNED).update(status=EmailStatus.SKIPPED)
    emails.update(to=placeholder)
    state = entry.state if entry.state == WaitlistState.ACCEPTED else WaitlistState.LEFT
    WaitlistEntry.objects.filter(pk=entry.pk).update(
        name="Erased participant", email=placeholder, state=state, erased_at=now
    )
    return log_ids


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
