"""Sending one planned email, at most once, and hearing back from the ESP.

A row is claimed (planned → claimed) by one atomic UPDATE before anything is sent, so two
workers never send it both. A claim older than CLAIM_TIMEOUT means a worker died between
claim and send; the row may then be claimed again, so the message still goes out once.
"""

import logging
from datetime import datetime, timedelta
from functools import partial

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from bookings.emails import build_message
from bookings.models import BookingState, EmailKind, EmailLog, EmailStatus, WaitlistState
from programs.models import Session

logger = logging.getLogger(__name__)

CLAIM_TIMEOUT = timedelta(minutes=10)
MAX_ATTEMPTS = 5
HAS_PLACE = {BookingState.CONFIRMED, BookingState.AWAITING_PAYMENT}
IN_LINE = {WaitlistState.WAITING, WaitlistState.OFFERED}


def claimable(now: datetime):
    stale = Q(status=EmailStatus.CLAIMED, claimed_at__lt=now - CLAIM_TIMEOUT)
    return EmailLog.objects.filter(Q(status=EmailStatus.PLANNED) | stale, due_at__lte=now)


def send_planned_email(*, log_id: int, organisation: str, now: datetime | None = None) -> EmailLog:
    now = now or timezone.now()
    claimed = claimable(now).filter(pk=log_id).update(
        status=EmailStatus.CLAIMED, claimed_at=now, attempts=F("attempts") + 1
    )
    log = EmailLog.objects.select_related(
        "booking__cohort__program", "booking__cohort__venue", "waitlist_entry__cohort__program",
        "session__cohort__program", "session__venue_override", "cohort_message__attachment",
    ).get(pk=log_id)
    if not claimed:
        return log  # sent already, being sent by another worker, or not due yet
    reason = _no_longer_needed(log, now=now)
    if reason:
        logger.info("Email %s skipped: %s", log.pk, reason)
        EmailLog.objects.filter(pk=log.pk).update(status=EmailStatus.SKIPPED, delivery_detail=reason)
        return _reloaded(log)
    message = build_message(log, organisation=organisation)
    try:
        message.send()
    except Exception:  # the ESP boundary: any failure there leaves the row for another try
        logger.exception("Email %s (%s) could not be sent (attempt %s)", log.pk, log.kind, log.attempts)
        retry = log.attempts < MAX_ATTEMPTS
        EmailLog.objects.filter(pk=log.pk).update(status=EmailStatus.PLANNED if retry else EmailStatus.FAILED)
        return _reloaded(log)
    status = getattr(message, "anymail_status", None)
    message_id = status.message_id if status else None
    EmailLog.objects.filter(pk=log.pk).update(
        status=EmailStatus.SENT, sent_at=now, subject=message.subject[:300],
        esp_message_id="" if message_id is None else str(message_id),
    )
    return _reloaded(log)


def _no_longer_needed(log: EmailLog, *, now: datetime) -> str:
    """Why a planned message should not go out any more, or "" if it should."""
    person = log.booking or log.waitlist_entry
    if person.erased_at:
        return "the details were erased"
    if log.kind == EmailKind.PRIVACY_LINK:
        return ""
    if log.waitlist_entry_id:
        entry = log.waitlist_entry
        if log.kind == EmailKind.WAITLIST_LINK:
            return "" if entry.state in IN_LINE else "the place in line has ended"
        return "" if entry.state == WaitlistState.OFFERED and entry.offer_expires_at > now else "the offer has ended"
    booking = log.booking
    if log.kind == EmailKind.BOOKING_LINK:
        return "" if booking.is_cancellable else "the booking has ended"
    if log.kind == EmailKind.BOOKING_CANCELLED:
        return "" if booking.state == BookingState.CANCELLED else "the booking is not cancelled"
    if booking.state not in HAS_PLACE:
        return "the booking no longer has a place"
    if log.kind == EmailKind.PAYMENT_REMINDER:
        return "" if booking.state == BookingState.AWAITING_PAYMENT else "paid already"
    session = log.session
    if session is None:
        return ""
    if session.sequence != log.revision:
        return "the session changed again; a newer message is planned"
    if session.starts_at <= now:
        return "the session has started"
    if log.kind == EmailKind.PREP and session.status != Session.Status.SCHEDULED:
        return "the session is cancelled"
    return ""


def _reloaded(log: EmailLog) -> EmailLog:
    log.refresh_from_db()
    return log


def dispatch_due_emails(*, now: datetime | None = None) -> int:
    """Queue a send task for each due message not queued recently; returns how many were queued."""
    from bookings.tasks import send_email

    now = now or timezone.now()
    due = claimable(now).filter(Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=now - CLAIM_TIMEOUT))
    ids = list(due.values_list("pk", flat=True)[:500])
    if not ids:
        return 0
    with transaction.atomic():
        EmailLog.objects.filter(pk__in=ids).update(enqueued_at=now)
        for log_id in ids:
            transaction.on_commit(partial(send_email.enqueue, log_id=log_id))
    return len(ids)


DELIVERY_EVENTS = {"delivered", "bounced", "complained", "rejected", "failed", "deferred", "opened", "clicked", "unsubscribed"}
# Later news never overwrites worse news: a bounce stays a bounce after an "opened".
SEVERITY = {"opened": 1, "clicked": 1, "deferred": 2, "delivered": 3, "unsubscribed": 4, "failed": 5, "rejected": 5, "bounced": 6, "complained": 7}


def record_delivery_event(*, message_id: str, event_type: str, description: str = "", at: datetime | None = None) -> int:
    """An ESP tracking event: update the log row(s) of that message; returns how many changed."""
    if not message_id or event_type not in DELIVERY_EVENTS:
        return 0
    changed = 0
    with transaction.atomic():
        for log in EmailLog.objects.select_for_update().filter(esp_message_id=message_id):
            if SEVERITY.get(log.delivery_status, 0) > SEVERITY[event_type]:
                continue
            log.delivery_status = event_type
            log.delivery_detail = (description or "")[:500]
            log.delivery_updated_at = at or timezone.now()
            log.save(update_fields=["delivery_status", "delivery_detail", "delivery_updated_at"])
            changed += 1
    return changed
