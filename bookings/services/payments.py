"""Card payments through Stripe Checkout, and payments recorded by staff.

Stripe is only a trigger: whatever arrives (a webhook or the participant coming back from
checkout), the Checkout Session is read again from Stripe and the booking is brought in line
with it under the cohort lock. Running it twice, late, or out of order changes nothing twice.
"""

import logging
from datetime import datetime, timedelta
from decimal import Decimal
from functools import partial

import stripe
from django.db import IntegrityError, transaction
from django.utils import timezone

from bookings import audit, stripe_gateway
from bookings.exceptions import NotAllowedNow
from bookings.models import Booking, BookingState, Payment, PaymentMethod, PaymentStatus, Refund, StripeEvent
from bookings.seats import seats_taken
from bookings.services.locking import lock_booking, locking_transaction

logger = logging.getLogger(__name__)

# Stripe refuses a Checkout Session that expires sooner than 30 minutes after it is created.
STRIPE_MINIMUM_CHECKOUT = timedelta(minutes=31)
# A pay-later place paid by card: the checkout may stay open most of Stripe's 24-hour maximum.
PAY_NOW_CHECKOUT = timedelta(hours=23)

CHECKOUT_EVENTS = {
    "checkout.session.completed",
    "checkout.session.async_payment_succeeded",
    "checkout.session.async_payment_failed",
    "checkout.session.expired",
}


def start_checkout(*, booking_id: int, success_url: str, cancel_url: str, now: datetime | None = None) -> str:
    """The Stripe Checkout URL for a held card booking, or for paying a pay-later place now.

    The idempotency key and every parameter are fixed by the booking's payment row, so a
    double click or a retry after a lost response gets the same session back.
    """
    now = now or timezone.now()
    with locking_transaction():
        _, booking = lock_booking(booking_id)
        held = booking.payment_method == PaymentMethod.STRIPE and booking.state == BookingState.HELD
        paying_later = booking.payment_method == PaymentMethod.PAY_LATER and booking.state == BookingState.AWAITING_PAYMENT
        if not (held or (paying_later and stripe_gateway.stripe_enabled())):
            raise NotAllowedNow("This booking is not waiting for a card payment.")
        payment = booking.payments.filter(provider="stripe", status=PaymentStatus.PENDING).first()
        if payment is not None and payment.checkout_expires_at <= now:
            payment.status = PaymentStatus.EXPIRED
            payment.save(update_fields=["status"])
            payment = None
        if payment is None:
            if held:
                if booking.hold_expires_at <= now:
                    raise NotAllowedNow("Your seat was held for a limited time and the time ran out. Please book again.")
                # Checkout and hold end together; Stripe's minimum may stretch a fresh hold a little.
                booking.hold_expires_at = max(booking.hold_expires_at, now + STRIPE_MINIMUM_CHECKOUT)
                booking.save(update_fields=["hold_expires_at"])
                expires_at = booking.hold_expires_at
            else:
                expires_at = now + PAY_NOW_CHECKOUT  # the seat is theirs already; no hurry
            payment = Payment.objects.create(
                booking=booking, provider="stripe", amount=booking.amount, currency=booking.currency,
                checkout_expires_at=expires_at,
            )
        elif payment.checkout_url:
            return payment.checkout_url

    session = stripe_gateway.create_checkout_session(
        params=_checkout_params(booking, payment, success_url=success_url, cancel_url=cancel_url),
        idempotency_key=f"booking-{booking.pk}-payment-{payment.pk}-checkout",
    )
    Payment.objects.filter(pk=payment.pk).update(stripe_checkout_session_id=session.id, checkout_url=session.url)
    return session.url


def _checkout_params(booking: Booking, payment: Payment, *, success_url: str, cancel_url: str) -> dict:
    cohort = booking.cohort
    name = f"{cohort.program.title} · {cohort.title}"
    if booking.tier_label:
        name = f"{name} · {booking.tier_label}"
    return {
        "mode": "payment",
        "line_items": [
            {
                "quantity": 1,
                "price_data": {
                    "currency": payment.currency.lower(),
                    "unit_amount": stripe_gateway.minor_units(payment.amount),
                    "product_data": {"name": name},
                },
            }
        ],
        "customer_email": booking.email,
        "client_reference_id": str(booking.pk),
        "metadata": {"booking_id": str(booking.pk), "payment_id": str(payment.pk)},
        "expires_at": int(payment.checkout_expires_at.timestamp()),
        "success_url": success_url,
        "cancel_url": cancel_url,
    }


def handle_stripe_event(*, event_id: str, event_type: str, obj: dict) -> None:
    """Act on one verified webhook event, at most once per event id."""
    if StripeEvent.objects.filter(event_id=event_id).exists():
        return
    if event_type in CHECKOUT_EVENTS:
        try:
            session = stripe_gateway.retrieve_checkout_session(obj["id"])  # before any lock
        except stripe.InvalidRequestError as error:
            if error.code != "resource_missing":
                raise
            logger.warning("Stripe event %s names checkout session %s, which Stripe does not know", event_id, obj["id"])
            with transaction.atomic():
                _record_event(event_id, event_type, obj)
            return
        with transaction.atomic():
            if not _record_event(event_id, event_type, obj):
                return
            sync_checkout_session(session, async_failed=event_type == "checkout.session.async_payment_failed")
    elif event_type == "charge.refunded":
        with transaction.atomic():
            if _record_event(event_id, event_type, obj):
                reconcile_refunds(payment_intent=obj.get("payment_intent") or "", amount_refunded=obj["amount_refunded"])
    else:
        with transaction.atomic():
            _record_event(event_id, event_type, obj)


def _record_event(event_id: str, event_type: str, obj: dict) -> bool:
    """Store the event; False when another delivery of it got here first."""
    try:
        with transaction.atomic():
            StripeEvent.objects.create(event_id=event_id, type=event_type, object_id=obj.get("id", ""))
    except IntegrityError:
        return False
    return True


def sync_checkout_from_return(*, booking_id: int, session_id: str) -> Booking:
    """The participant is back from checkout: read the session from Stripe rather than wait for the webhook."""
    if not Payment.objects.filter(booking_id=booking_id, stripe_checkout_session_id=session_id).exists():
        return Booking.objects.get(pk=booking_id)
    session = stripe_gateway.retrieve_checkout_session(session_id)
    with transaction.atomic():
        sync_checkout_session(session)
    return Booking.objects.get(pk=booking_id)


def sync_checkout_session(session, *, async_failed: bool = False, now: datetime | None = None) -> Booking | None:
    """Bring a booking and its payment in line with a Checkout Session as Stripe reports it now."""
    now = now or timezone.now()
    payment = _payment_for_session(session)
    if payment is None:
        logger.warning("Stripe Checkout Session %s matches no payment here; ignored.", session.id)
        return None
    cohort, booking = lock_booking(payment.booking_id)
    payment = Payment.objects.select_for_update().get(pk=payment.pk)

    paid = session.status == "complete" and session.payment_status in {"paid", "no_payment_required"}
    if paid:
        _settle_paid(booking, payment, cohort=cohort, payment_intent=session.payment_intent or "", now=now)
    elif session.status == "complete" and async_failed:
        _settle_failed(booking, payment, now=now)
    elif session.status == "complete":
        _settle_processing(booking, payment, now=now)
    elif session.status == "expired":
        _settle_expired(booking, payment)
    return booking


def _payment_for_session(session) -> Payment | None:
    payment = Payment.objects.filter(stripe_checkout_session_id=session.id).first()
    if payment is not None:
        return payment
    # The create call's answer can be lost after Stripe made the session; the metadata
    # still says which payment it was for.
    payment_id = (session.metadata or {}).get("payment_id")
    if not payment_id or not str(payment_id).isdigit():
        return None
    updated = Payment.objects.filter(pk=payment_id, provider="stripe", stripe_checkout_session_id__isnull=True).update(
        stripe_checkout_session_id=session.id
    )
    return Payment.objects.filter(pk=payment_id, stripe_checkout_session_id=session.id).first() if updated else None


def _settle_paid(booking: Booking, payment: Payment, *, cohort, payment_intent: str, now: datetime) -> None:
    if payment.status == PaymentStatus.SUCCEEDED:
        return  # already settled by the other path
    payment.status = PaymentStatus.SUCCEEDED
    payment.paid_at = now
    payment.stripe_payment_intent_id = payment_intent
    payment.save(update_fields=["status", "paid_at", "stripe_payment_intent_id"])

    if booking.state == BookingState.CONFIRMED:
        return
    keeps_seat = booking.state == BookingState.AWAITING_PAYMENT or booking.hold_is_live
    # A payment that arrives after its hold lapsed still gets the seat if one is free.
    seat_free = keeps_seat or seats_taken(cohort_id=cohort.pk, now=now) < cohort.capacity
    if booking.state in {BookingState.HELD, BookingState.EXPIRED, BookingState.AWAITING_PAYMENT} and seat_free:
        booking.state = BookingState.CONFIRMED
        booking.confirmed_at = now
        booking.save(update_fields=["state", "confirmed_at"])
        return
    if booking.state != BookingState.CANCELLED:
        booking.state = BookingState.CANCELLED
        booking.cancelled_at = now
        booking.cancellation_reason = (
            "Your payment reached us after the time your seat was held for, and the seat had "
            "been given to someone else. We have refunded the full amount."
        )
        booking.save(update_fields=["state", "cancelled_at", "cancellation_reason"])
    refund_payment(payment=payment, amount=payment.amount - _refunded(payment), reason="Paid after the hold lapsed")


def _settle_processing(booking: Booking, payment: Payment, *, now: datetime) -> None:
    """A bank payment is on its way: keep the seat while it clears."""
    if payment.status == PaymentStatus.PENDING:
        payment.status = PaymentStatus.PROCESSING
        payment.save(update_fields=["status"])
    if booking.state == BookingState.HELD and booking.hold_is_live:
        booking.state = BookingState.AWAITING_PAYMENT
        booking.save(update_fields=["state"])


def _settle_failed(booking: Booking, payment: Payment, *, now: datetime) -> None:
    if payment.status in {PaymentStatus.SUCCEEDED, PaymentStatus.FAILED}:
        return
    payment.status = PaymentStatus.FAILED
    payment.save(update_fields=["status"])
    if booking.state in {BookingState.HELD, BookingState.AWAITING_PAYMENT}:
        booking.state = BookingState.CANCELLED
        booking.cancelled_at = now
        booking.cancellation_reason = "Your bank payment did not go through, so the seat has been released."
        booking.save(update_fields=["state", "cancelled_at", "cancellation_reason"])


def _settle_expired(booking: Booking, payment: Payment) -> None:
    if payment.status != PaymentStatus.PENDING:
        return  # Stripe may send expired after completed; the completed one wins
    payment.status = PaymentStatus.EXPIRED
    payment.save(update_fields=["status"])
    if booking.state == BookingState.HELD:
        booking.state = BookingState.EXPIRED
        booking.save(update_fields=["state"])


def _refunded(payment: Payment) -> Decimal:
    return sum((r.amount for r in payment.refunds.exclude(status="failed")), Decimal("0"))


def refund_payment(*, payment: Payment, amount: Decimal, reason: str, acting_user=None) -> Refund | None:
    """Record a refund and send it to Stripe once the transaction commits."""
    if amount <= 0:
        return None
    refund = Refund.objects.create(payment=payment, amount=amount, reason=reason)
    audit.record(booking_id=payment.booking_id, action="bookings.refund", acting_user=acting_user,
                 refund=refund.pk, amount=str(amount), currency=payment.currency)
    if payment.provider == "stripe":
        from bookings.tasks import send_refund_to_stripe

        transaction.on_commit(partial(send_refund_to_stripe.enqueue, refund_id=refund.pk))
    else:
        refund.status = "succeeded"
        refund.save(update_fields=["status"])
    return refund


def send_refund(*, refund_id: int) -> Refund:
    """Ask Stripe for a recorded refund; the idempotency key makes a retry safe."""
    refund = Refund.objects.select_related("payment").get(pk=refund_id)
    if refund.stripe_refund_id or refund.status != "pending":
        return refund
    result = stripe_gateway.create_refund(
        payment_intent=refund.payment.stripe_payment_intent_id,
        amount=refund.amount,
        idempotency_key=f"refund-{refund.pk}",
        metadata={"refund_id": str(refund.pk), "booking_id": str(refund.payment.booking_id)},
    )
    Refund.objects.filter(pk=refund.pk, stripe_refund_id__isnull=True).update(
        stripe_refund_id=result.id, status="succeeded" if result.status == "succeeded" else "pending"
    )
    refund.refresh_from_db()
    return refund


def retry_unsent_refunds(*, older_than: timedelta = timedelta(minutes=5), now: datetime | None = None) -> int:
    """Send again the Stripe refunds whose first attempt failed (Stripe down, worker stopped)."""
    now = now or timezone.now()
    unsent = Refund.objects.filter(
        status="pending", stripe_refund_id__isnull=True, payment__provider="stripe", created_at__lt=now - older_than
    ).values_list("pk", flat=True)
    sent = 0
    for refund_id in list(unsent):
        try:
            send_refund(refund_id=refund_id)
            sent += 1
        except stripe.StripeError:
            logger.warning("Refund %s could not be sent to Stripe yet; the next tick tries again.", refund_id)
    return sent


def reconcile_refunds(*, payment_intent: str, amount_refunded: int) -> None:
    """`charge.refunded`: make our refunds add up to what Stripe says was refunded."""
    payment = Payment.objects.select_for_update().filter(stripe_payment_intent_id=payment_intent).first() if payment_intent else None
    if payment is None:
        return
    stripe_total = Decimal(amount_refunded) / 100
    payment.refunds.filter(status="pending", stripe_refund_id__isnull=False).update(status="succeeded")
    missing = stripe_total - _refunded(payment)
    if missing > 0:
        # Refunded in Stripe's dashboard: record it so the accounts add up.
        refund = Refund.objects.create(payment=payment, amount=missing, reason="Refunded in Stripe", status="succeeded")
        audit.record(booking_id=payment.booking_id, action="bookings.refund", acting_user=None,
                     refund=refund.pk, amount=str(missing), currency=payment.currency, source="Stripe dashboard")


def mark_paid(*, booking_id: int, note: str = "", acting_user=None, now: datetime | None = None) -> Booking:
    """Staff record a pay-later payment (cash, bank transfer); the entry names who did."""
    now = now or timezone.now()
    with locking_transaction():
        _, booking = lock_booking(booking_id)
        if booking.state == BookingState.CONFIRMED:
            return booking
        if booking.state != BookingState.AWAITING_PAYMENT:
            raise NotAllowedNow("Only a booking awaiting payment can be marked paid.")
        payment = Payment.objects.create(
            booking=booking, provider="manual", status=PaymentStatus.SUCCEEDED, amount=booking.amount,
            currency=booking.currency, note=note, paid_at=now,
        )
        booking.state = BookingState.CONFIRMED
        booking.save(update_fields=["state"])
        # The note is free text and stays out of the log; the payment row keeps it.
        audit.record(booking_id=booking.pk, action="bookings.mark_paid", acting_user=acting_user,
                     payment=payment.pk, amount=str(payment.amount), currency=payment.currency)
    return booking
