"""Which messages are due, for whom: the planner writes one email-log row per message.

It looks only at the current state (bookings, sessions, offers) and at what the log holds,
so it can run as often as anyone likes, from any number of workers, and after any downtime:
a row that exists already is never made twice (its `dedupe_key` is unique), and nothing is
planned for a session that has started.
"""

from datetime import datetime, timedelta

from django.db.models import Max
from django.utils import timezone

from bookings.models import (
    Booking,
    BookingState,
    CohortMessage,
    EmailKind,
    EmailLog,
    EmailStatus,
    PaymentMethod,
    WaitlistEntry,
    WaitlistState,
)

from programs.models import Session

HAS_PLACE = [BookingState.CONFIRMED, BookingState.AWAITING_PAYMENT]
IN_LINE = [WaitlistState.WAITING, WaitlistState.OFFERED]
# Change notices and cancellations older than this are history, not news.
NEWS_WINDOW = timedelta(days=7)
# Prep emails are planned at most this far ahead of a session, whatever the program's lead time.
LONGEST_LEAD = timedelta(days=14)
PAYMENT_REMINDER_DAYS = 3


def plan_emails(*, now: datetime | None = None) -> int:
    """Write a log row for every message now due; returns how many new rows were written."""
    now = now or timezone.now()
    rows = [
        *_confirmations(now),
        *_prep_emails(now),
        *_session_notices(now),
        *_booking_cancellations(now),
        *_payment_reminders(now),
        *_waitlist_offers(now),
        *_cohort_messages(now),
    ]
    if not rows:
        return 0
    existing = set(EmailLog.objects.filter(dedupe_key__in=[r.dedupe_key for r in rows]).values_list("dedupe_key", flat=True))
    new = [row for row in rows if row.dedupe_key not in existing]
    # ignore_conflicts: another worker planning at the same moment wrote the same rows.
    EmailLog.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def _row(
    kind, *, booking=None, entry=None, session=None, revision=0, due_at, is_update=False, message=None
) -> EmailLog:
    recipient = f"b{booking.pk}" if booking else f"w{entry.pk}"
    return EmailLog(
        dedupe_key=f"{kind}:{recipient}:{session.pk if session else '-'}:{revision}",
        kind=kind,
        cohort_message=message,
        booking=booking,
        waitlist_entry=entry,
        session=session,
        revision=revision,
        is_update=is_update,
        to=(booking or entry).email,
        due_at=due_at,
    )


def _confirmations(now):
    bookings = (
        Booking.objects.filter(state__in=HAS_PLACE)
        .annotate(course_ends_at=Max("cohort__sessions__ends_at"))
        .filter(course_ends_at__gt=now)
    )
    for booking in bookings:
        # The cohort is the revision: a participant moved to another cohort is confirmed again.
        yield _row(EmailKind.CONFIRMATION, booking=booking, revision=booking.cohort_id,
                   due_at=booking.confirmed_at or now)


def _prep_emails(now):
    sessions = list(
        Session.objects.filter(status=Session.Status.SCHEDULED, starts_at__gt=now, starts_at__lte=now + LONGEST_LEAD)
        .select_related("cohort__program")
    )
    due = [s for s in sessions if s.starts_at - timedelta(hours=s.cohort.program.prep_lead_time_hours) <= now]
    if not due:
        return
    by_cohort = _bookings_with_a_place(cohort_ids={s.cohort_id for s in due})
    already_sent = set(
        EmailLog.objects.filter(kind=EmailKind.PREP, status=EmailStatus.SENT, session__in=due)
        .values_list("booking_id", "session_id")
    )
    for session in due:
        lead = timedelta(hours=session.cohort.program.prep_lead_time_hours)
        for booking in by_cohort.get(session.cohort_id, []):
            if booking.session_id not in (None, session.pk):
                continue  # a drop-in for another session
            yield _row(
                EmailKind.PREP, booking=booking, session=session, revision=session.sequence,
                due_at=session.starts_at - lead, is_update=(booking.pk, session.pk) in already_sent,
            )


def _session_notices(now):
    changed = list(
        Session.objects.filter(changed_at__gte=now - NEWS_WINDOW, starts_at__gt=now).select_related("cohort")
    )
    if not changed:
        return
    by_cohort = _bookings_with_a_place(cohort_ids={s.cohort_id for s in changed})
    for session in changed:
        kind = EmailKind.SESSION_CHANGED if session.status == Session.Status.SCHEDULED else EmailKind.SESSION_CANCELLED
        for booking in by_cohort.get(session.cohort_id, []):
            told_already = booking.confirmed_at and booking.confirmed_at >= session.changed_at
            if told_already or booking.session_id not in (None, session.pk):
                continue
            yield _row(kind, booking=booking, session=session, revision=session.sequence, due_at=session.changed_at)


def _booking_cancellations(now):
    # An erased booking was cancelled by its erasure: there is nobody left to tell.
    cancelled = Booking.objects.filter(state=BookingState.CANCELLED, cancelled_at__gte=now - NEWS_WINDOW, erased_at=None)
    for booking in cancelled:
        yield _row(EmailKind.BOOKING_CANCELLED, booking=booking, due_at=booking.cancelled_at)


def _payment_reminders(now):
    today = timezone.localdate(now)
    reminders = Booking.objects.filter(
        state=BookingState.AWAITING_PAYMENT,
        payment_method=PaymentMethod.PAY_LATER,
        payment_due_on__lte=today + timedelta(days=PAYMENT_REMINDER_DAYS),
        payment_due_on__gte=today - timedelta(days=NEWS_WINDOW.days),
    )
    for booking in reminders:
        yield _row(EmailKind.PAYMENT_REMINDER, booking=booking, due_at=now)


def _waitlist_offers(now):
    for entry in WaitlistEntry.objects.filter(state=WaitlistState.OFFERED, offer_expires_at__gt=now):
        yield _row(EmailKind.WAITLIST_OFFER, entry=entry, revision=int(entry.offered_at.timestamp()), due_at=entry.offered_at)


def _cohort_messages(now):
    messages = list(CohortMessage.objects.filter(created_at__gte=now - NEWS_WINDOW))
    if not messages:
        return
    by_cohort = _bookings_with_a_place(cohort_ids={m.cohort_id for m in messages})
    for message in messages:
        for booking in by_cohort.get(message.cohort_id, []):
            if not message.reaches(booking):
                continue
            # The message id is the revision: one email per participant per message.
            yield _row(EmailKind.COHORT_MESSAGE, booking=booking, revision=message.pk, due_at=message.created_at,
                       message=message)


def _bookings_with_a_place(*, cohort_ids) -> dict[int, list[Booking]]:
    grouped: dict[int, list[Booking]] = {}
    for booking in Booking.objects.filter(cohort_id__in=cohort_ids, state__in=HAS_PLACE):
        grouped.setdefault(booking.cohort_id, []).append(booking)
    return grouped


def plan_booking_links(*, email: str, now: datetime | None = None, cohort_id: int | None = None) -> int:
    """Someone lost their links (or booked or joined a waitlist again): one email per active
    booking and per place in a waitlist line of that address (in that cohort, with `cohort_id`),
    at most hourly."""
    now = now or timezone.now()
    email = email.strip()
    bookings = Booking.objects.active().filter(email__iexact=email)
    entries = WaitlistEntry.objects.filter(email__iexact=email, state__in=IN_LINE, erased_at=None)
    if cohort_id is not None:
        bookings, entries = bookings.filter(cohort_id=cohort_id), entries.filter(cohort_id=cohort_id)
    revision = _hour(now)
    rows = [
        *(_row(EmailKind.BOOKING_LINK, booking=booking, revision=revision, due_at=now) for booking in bookings),
        *(_row(EmailKind.WAITLIST_LINK, entry=entry, revision=revision, due_at=now) for entry in entries),
    ]
    EmailLog.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def plan_privacy_link(*, email: str, now: datetime | None = None) -> int:
    """Someone asked for everything held about an address: one email with a signed link to it,
    at most hourly, written against the address's latest booking or waitlist entry."""
    now = now or timezone.now()
    email = email.strip()
    holder = (
        Booking.objects.filter(email__iexact=email, erased_at=None).order_by("-created_at", "-pk").first()
        or WaitlistEntry.objects.filter(email__iexact=email, erased_at=None).order_by("-created_at", "-pk").first()
    )
    if holder is None:
        return 0
    row = _row(EmailKind.PRIVACY_LINK, booking=holder if isinstance(holder, Booking) else None,
               entry=holder if isinstance(holder, WaitlistEntry) else None, revision=_hour(now), due_at=now)
    EmailLog.objects.bulk_create([row], ignore_conflicts=True)
    return 1


def _hour(now: datetime) -> int:
    return int(now.timestamp()) // 3600
