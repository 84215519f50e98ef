"""Taking a place: apply (screened programs), hold, confirm free, confirm pay-later."""

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from bookings import audit
from bookings.exceptions import AlreadyBooked, BookingClosed, CohortFull, InvalidChoice, NotAllowedNow
from bookings.models import Booking, BookingState, PaymentMethod, WaitlistEntry, WaitlistState
from bookings.seats import seats_taken
from bookings.services.email_planning import plan_booking_links
from bookings.services.locking import lock_booking, lock_cohort_for_booking, locking_transaction
from programs.models import Cohort, ProgramPage, ProgramPriceTier, Session


@dataclass(frozen=True)
class Participant:
    """What the intake form collected, already validated."""

    name: str
    email: str
    consent_text: str
    time_zone: str = ""
    emergency_contact: str = ""
    access_needs: str = ""
    answers: dict = field(default_factory=dict)


def consent_text_for(program: ProgramPage) -> str:
    return (
        f"I have read this note about {program.title}: “{program.safety_note.strip()}” "
        "I understand that the group is not a substitute for therapy or crisis care, "
        "and I take part at my own pace."
    )


def consent_version(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def payment_methods_for(*, program: ProgramPage, amount: Decimal) -> list[str]:
    """Which ways to pay this program offers for this amount, in order of preference."""
    if amount == 0:
        return [PaymentMethod.FREE]
    methods = []
    if settings.STRIPE_SECRET_KEY:
        methods.append(PaymentMethod.STRIPE)
    if program.allow_pay_later:
        methods.append(PaymentMethod.PAY_LATER)
    return methods


def price_tiers_of(program_id: int) -> dict[int, tuple[str, Decimal]]:
    """A program's sliding scale: label and amount by tier id (empty for one price)."""
    rows = ProgramPriceTier.objects.filter(program_id=program_id).values_list("pk", "label", "amount")
    return {pk: (label, amount) for pk, label, amount in rows}


def price_for(*, cohort: Cohort, tiers: dict[int, tuple[str, Decimal]], tier_id: int | None) -> tuple[str, Decimal]:
    """The label and amount to charge; a tier must be one of the program's own (`price_tiers_of`)."""
    if not tiers:
        if tier_id:
            raise InvalidChoice("This group has one price; please choose again.")
        return "", cohort.price
    if tier_id not in tiers:
        raise InvalidChoice("Please choose one of the prices offered.")
    return tiers[tier_id]


def place_booking(
    *,
    cohort_id: int,
    participant: Participant,
    tier_id: int | None = None,
    payment_method: str | None = None,
    waitlist_code: str | None = None,
    session_id: int | None = None,
    now: datetime | None = None,
) -> Booking:
    """Take a place in a cohort (or, as a drop-in, in one of its sessions), or apply for one
    where the program screens first.

    Free places are confirmed at once, pay-later places are confirmed with a due date,
    card payments get a seat held until the hold expires. With `waitlist_code`, the seat
    reserved by that waitlist offer is the one taken. Raises `BookingClosed`, `CohortFull`,
    `AlreadyBooked`, `InvalidChoice` or `NotAllowedNow`; then nothing is written.
    """
    clock = now  # None: the real clock, read again once the lock is held
    now = clock or timezone.now()
    email = participant.email.strip()
    try:
        with locking_transaction():
            # The program, its price tiers and the person's earlier bookings are read before the
            # lock (a tier edited at this very moment is as if it were edited a moment later);
            # the cohort's switches, its schedule and the seats are read under it.
            cohort = Cohort.objects.select_related("program").defer(*UNUSED_WHEN_BOOKING).get(pk=cohort_id)
            tiers = price_tiers_of(cohort.program_id)
            lapsed, second = _second_booking(cohort=cohort, session_id=session_id, email=email, now=now)
            lock_cohort_for_booking(cohort)
            now = clock or timezone.now()  # waiting for the lock may have taken a while
            choice = _choose(cohort, tiers=tiers, tier_id=tier_id, payment_method=payment_method,
                             session_id=session_id, now=now)
            if lapsed:
                Booking.objects.filter(pk__in=lapsed, state=BookingState.HELD).update(state=BookingState.EXPIRED)
            offer = _live_offer(cohort=cohort, code=waitlist_code, now=now) if waitlist_code else None
            booking = Booking(
                cohort=cohort,
                session=choice.session,
                payment_method=choice.method,
                name=participant.name,
                email=email,
                participant_time_zone=participant.time_zone,
                emergency_contact=participant.emergency_contact,
                access_needs=participant.access_needs,
                intake_answers=participant.answers,
                consent_text=participant.consent_text,
                consent_version=consent_version(participant.consent_text),
                consent_given_at=now,
                tier_label=choice.tier_label,
                amount=choice.amount,
                currency=settings.PAYMENT_CURRENCY,
            )
            if cohort.program.requires_screening and offer is None:
                booking.state = BookingState.APPLIED
            else:
                _take_seat(booking, cohort=cohort, first_start=choice.first_start, now=now, reserved=1 if offer else 0)
            # Only now, after every check a stranger's booking would meet (closed, full, a bad
            # choice): a person who has a place hears no other answer than anyone else would.
            if second is not None:
                raise second
            booking.save()
            if offer is not None:
                offer.state = WaitlistState.ACCEPTED
                offer.booking = booking
                offer.save(update_fields=["state", "booking"])
    except IntegrityError as error:
        # The same person booking twice at once: both passed the check above, the database
        # let one in. The other hears what the check would have told them.
        if any(name in str(error) for name in ONE_ACTIVE_BOOKING_CONSTRAINTS):
            _refuse_second_booking(cohort=cohort, session_id=session_id, email=email, now=now)
        raise
    return booking


@dataclass(frozen=True)
class Choice:
    """What is being booked and how it is paid, checked against the cohort and its program."""

    session: Session | None
    first_start: datetime
    tier_label: str
    amount: Decimal
    method: str


def _choose(cohort: Cohort, *, tiers, tier_id, payment_method, session_id, now: datetime) -> Choice:
    if session_id is not None:
        session, first_start, tier_label, amount = _drop_in(cohort, session_id=session_id, tier_id=tier_id, now=now)
    else:
        session = None
        timetable = ensure_bookable(cohort, now=now)
        first_start = timetable.first_start
        tier_label, amount = price_for(cohort=cohort, tiers=tiers, tier_id=tier_id)
        amount = timetable.prorated(amount) if cohort.program.prorate_late_joiners else amount
    methods = payment_methods_for(program=cohort.program, amount=amount)
    if not methods:
        raise BookingClosed("Online booking is not available for this group yet; please contact us.")
    method = payment_method or methods[0]
    if method not in methods:
        raise InvalidChoice("Please choose one of the ways to pay offered.")
    return Choice(session=session, first_start=first_start, tier_label=tier_label, amount=amount, method=method)


def approve_application(
    *, booking_id: int, message: str = "", acting_user=None, now: datetime | None = None
) -> Booking:
    """A facilitator says yes: the applicant now gets a seat (held until paid, where payment is due)."""
    now = now or timezone.now()
    with locking_transaction():
        cohort, booking = lock_booking(booking_id)
        if booking.state != BookingState.APPLIED:
            if booking.state in {BookingState.HELD, BookingState.AWAITING_PAYMENT, BookingState.CONFIRMED}:
                return booking  # already approved: a double click
            raise NotAllowedNow("Only an open application can be approved.")
        if booking.session_id:
            first_start = _drop_in(cohort, session_id=booking.session_id, tier_id=None, now=now)[1]
        else:
            first_start = ensure_bookable(cohort, now=now).first_start
        booking.screening_message = message
        # An approved applicant has a day to pay, not the half hour of a walk-in checkout.
        _take_seat(booking, cohort=cohort, first_start=first_start, now=now, hold=timedelta(hours=settings.WAITLIST_OFFER_HOURS))
        booking.save()
        audit.record(booking_id=booking.pk, action="bookings.approve", acting_user=acting_user)
    return booking


def decline_application(*, booking_id: int, message: str, acting_user=None) -> Booking:
    with locking_transaction():
        _, booking = lock_booking(booking_id)
        if booking.state == BookingState.DECLINED:
            return booking
        if booking.state != BookingState.APPLIED:
            raise NotAllowedNow("Only an open application can be declined.")
        booking.state = BookingState.DECLINED
        booking.screening_message = message
        booking.save(update_fields=["state", "screening_message"])
        audit.record(booking_id=booking.pk, action="bookings.decline", acting_user=acting_user)
    return booking


def expire_lapsed_holds(*, now: datetime | None = None) -> int:
    """Mark holds whose time is up as expired. Their seats were free already; this tidies the roster."""
    now = now or timezone.now()
    return Booking.objects.filter(state=BookingState.HELD, hold_expires_at__lte=now).update(state=BookingState.EXPIRED)


def _take_seat(
    booking: Booking, *, cohort: Cohort, first_start: datetime, now: datetime, hold=None, reserved: int = 0
) -> None:
    """`reserved`: seats already counted for this very person (their waitlist offer)."""
    # The caller holds the cohort lock: counting and inserting cannot interleave.
    if seats_taken(cohort_id=cohort.pk, now=now, session_id=booking.session_id) - reserved >= cohort.capacity:
        raise CohortFull("This group is full. You can join the waitlist and we will offer you the next free place.")
    if booking.payment_method == PaymentMethod.FREE:
        booking.state = BookingState.CONFIRMED
        booking.confirmed_at = now
    elif booking.payment_method == PaymentMethod.PAY_LATER:
        booking.state = BookingState.AWAITING_PAYMENT
        booking.confirmed_at = now
        booking.payment_due_on = _pay_later_due(cohort=cohort, first_start=first_start, now=now)
    else:
        booking.state = BookingState.HELD
        booking.hold_expires_at = now + (hold or timedelta(minutes=settings.BOOKING_HOLD_MINUTES))


def _pay_later_due(*, cohort: Cohort, first_start: datetime, now: datetime) -> date:
    due = first_start.astimezone(cohort.zone).date() - timedelta(days=cohort.program.pay_later_due_days)
    return max(due, now.astimezone(cohort.zone).date())


@dataclass(frozen=True)
class Timetable:
    first_start: datetime
    total: int
    started: int

    def prorated(self, amount: Decimal) -> Decimal:
        """A late joiner pays for the sessions left."""
        if not self.started:
            return amount
        return (amount * (self.total - self.started) / self.total).quantize(Decimal("0.01"))


def ensure_open(cohort: Cohort, *, now: datetime) -> None:
    """The cohort's own switches: its status and its booking window."""
    if cohort.status != Cohort.Status.OPEN:
        raise BookingClosed("This group is not taking bookings.")
    if cohort.booking_opens_at and now < cohort.booking_opens_at:
        raise BookingClosed("Booking for this group has not opened yet.")
    if cohort.booking_closes_at and now >= cohort.booking_closes_at:
        raise BookingClosed("Booking for this group has closed.")


def ensure_bookable(cohort: Cohort, *, now: datetime) -> Timetable:
    ensure_open(cohort, now=now)
    starts = list(
        Session.objects.filter(cohort=cohort, status=Session.Status.SCHEDULED)
        .order_by("starts_at").values_list("starts_at", flat=True)
    )
    started = sum(1 for start in starts if start <= now)
    closes_after = (cohort.closes_after_session or 1) if cohort.program.allow_late_joiners else 1
    if not starts or started >= len(starts) or (started and started >= closes_after):
        raise BookingClosed("This group has already started, so it is no longer taking bookings.")
    return Timetable(first_start=starts[0], total=len(starts), started=started)


def _drop_in(cohort: Cohort, *, session_id: int, tier_id: int | None, now: datetime):
    """The session, its start, label and price for a drop-in place in it."""
    if not cohort.allow_drop_ins or cohort.drop_in_price is None:
        raise InvalidChoice("This group is booked as a whole course; single sessions are not offered.")
    if tier_id:
        raise InvalidChoice("Drop-in sessions have one price; please choose again.")
    ensure_open(cohort, now=now)
    session = Session.objects.filter(cohort=cohort, pk=session_id, status=Session.Status.SCHEDULED).first()
    if session is None:
        raise InvalidChoice("Please choose one of the sessions offered.")
    if session.starts_at <= now:
        raise BookingClosed("This session has already started.")
    return session, session.starts_at, "Drop-in", cohort.drop_in_price


# Never read on the way to a seat, and costly to load: the page's content and the cohort's rule.
UNUSED_WHEN_BOOKING = ("recurrence", "program__body", "program__intake_questions", "program__search_description")

ONE_ACTIVE_BOOKING_CONSTRAINTS = ("booking_one_active_per_email", "booking_one_drop_in_per_email")


def _refuse_second_booking(*, cohort: Cohort, session_id: int | None, email: str, now: datetime) -> None:
    _, refusal = _second_booking(cohort=cohort, session_id=session_id, email=email, now=now)
    if refusal is not None:
        raise refusal


def _second_booking(
    *, cohort: Cohort, session_id: int | None, email: str, now: datetime
) -> tuple[list[int], AlreadyBooked | None]:
    """The person's lapsed holds, which no longer count, and the refusal of a second active booking (or None).

    Only reads, so it can run before the cohort's lock (which must come before any booking's).
    A friendly answer for the common case; two requests at once are settled by the partial
    unique constraints on (cohort, lower(email)) and (session, lower(email)).
    """
    theirs = list(
        Booking.objects.active().filter(cohort=cohort, email__iexact=email)
        .values_list("pk", "state", "hold_expires_at", "session_id")
    )
    lapsed = [pk for pk, state, expires, _ in theirs if state == BookingState.HELD and expires and expires <= now]
    booked_sessions = {booked_session for pk, _, _, booked_session in theirs if pk not in lapsed}
    if None in booked_sessions:
        return lapsed, AlreadyBooked(
            "This email address already has a place or an application for this group. "
            "Your confirmation email has a link to your booking."
        )
    if session_id is not None and session_id in booked_sessions:
        return lapsed, AlreadyBooked("This email address already has a place in this session.")
    return lapsed, None


def place_booking_quietly(*, cohort_id: int, participant: Participant, **choices) -> Booking | None:
    """`place_booking` for the public form, which must not tell whether an address has a place.

    The booking link goes to the address, never to the browser: a second booking of the same
    address is not refused aloud but writes the person their booking link (and returns None),
    and a new booking that has no confirmation to send yet (a held seat waiting for its card
    payment, an application) gets its link the same way. Other refusals are raised as before:
    a stranger's booking meets them too.
    """
    try:
        booking = place_booking(cohort_id=cohort_id, participant=participant, **choices)
    except AlreadyBooked:
        booking = None
    if booking is None or booking.state in (BookingState.HELD, BookingState.APPLIED):
        plan_booking_links(email=participant.email, cohort_id=cohort_id)
    return booking


def _live_offer(*, cohort: Cohort, code: str, now: datetime) -> WaitlistEntry:
    offer = WaitlistEntry.objects.select_for_update().filter(cohort=cohort, code=code).first()
    if offer is None or offer.state != WaitlistState.OFFERED or offer.offer_expires_at <= now:
        raise NotAllowedNow("This waitlist offer is no longer open. You can join the waitlist again.")
    return offer


def update_participant_details(
    *, booking_id: int, name: str, emergency_contact: str, access_needs: str, answers: dict
) -> Booking:
    """The participant corrects their own details and answers while their booking is active."""
    with transaction.atomic():
        booking = Booking.objects.select_for_update().get(pk=booking_id)
        if not booking.is_cancellable:
            raise NotAllowedNow("This booking has ended, so its details can no longer be changed.")
        booking.name = name.strip()
        booking.emergency_contact = emergency_contact.strip()
        booking.access_needs = access_needs.strip()
        booking.intake_answers = answers
        booking.save(update_fields=["name", "emergency_contact", "access_needs", "intake_answers"])
    return booking
