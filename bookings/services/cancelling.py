"""Cancelling a place by the program's policy, and what comes back."""

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_DOWN, Decimal
from functools import partial

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from bookings import audit
from bookings.exceptions import InvalidChoice, NotAllowedNow
from bookings.models import Booking, BookingState, PaymentStatus, Refund
from bookings.services.locking import lock_booking, locking_transaction
from bookings.services.payments import refund_payment
from programs.models import Session

@dataclass(frozen=True)
class RefundQuote:
    """What a cancellation now would give back, in words a participant understands."""

    paid: Decimal
    percent: int
    amount: Decimal
    explanation: str


def amount_paid(booking: Booking) -> Decimal:
    """Money received for the booking and not yet given back."""
    received = booking.payments.filter(status=PaymentStatus.SUCCEEDED).aggregate(total=Sum("amount"))["total"]
    returned = (
        Refund.objects.filter(payment__booking=booking).exclude(status="failed").aggregate(total=Sum("amount"))
    )["total"]
    return ((received or Decimal("0")) - (returned or Decimal("0"))).quantize(Decimal("0.01"))


def refund_quote(*, booking: Booking, now: datetime | None = None) -> RefundQuote:
    now = now or timezone.now()
    program = booking.cohort.program
    paid = amount_paid(booking)
    sessions = Session.objects.filter(cohort_id=booking.cohort_id, status=Session.Status.SCHEDULED)
    if booking.session_id:
        sessions = sessions.filter(pk=booking.session_id)  # a drop-in counts from its own session
    first_start = sessions.order_by("starts_at").values_list("starts_at", flat=True).first()
    days_left = (first_start - now).total_seconds() / 86400 if first_start else -1
    if days_left >= program.full_refund_days:
        percent = 100
        rule = f"You are cancelling at least {program.full_refund_days} days before the first session."
    elif days_left >= program.partial_refund_days:
        percent = program.partial_refund_percent
        rule = f"You are cancelling between {program.partial_refund_days} and {program.full_refund_days} days before the first session."
    else:
        percent = 0
        rule = f"You are cancelling less than {program.partial_refund_days} days before the first session."
    amount = (paid * percent / 100).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    if paid == 0:
        explanation = "Nothing has been paid for this place, so there is nothing to refund."
    else:
        explanation = f"{rule} You get back {percent}% of what you paid: {amount} {booking.currency}."
    return RefundQuote(paid=paid, percent=percent, amount=amount, explanation=explanation)


def cancel_booking(
    *,
    booking_id: int,
    reason: str = "",
    by_staff: bool = False,
    refund_amount: Decimal | None = None,
    acting_user=None,
    now: datetime | None = None,
) -> Booking:
    """Cancel a place. Participants get the policy's refund; staff may give any amount up to what was paid.

    `acting_user`: the staff member, None when the participant or the system cancels. Whether
    they may refund more than the policy's quote is for the caller to check (`refund_quote`).
    """
    now = now or timezone.now()
    with locking_transaction():
        _, booking = lock_booking(booking_id)
        if booking.state == BookingState.CANCELLED:
            return booking
        if not booking.is_cancellable:
            raise NotAllowedNow("This booking cannot be cancelled any more.")
        had_seat = booking.has_place or booking.hold_is_live
        quote = refund_quote(booking=booking, now=now)
        amount = quote.amount
        if by_staff and refund_amount is not None:
            if refund_amount < 0 or refund_amount > quote.paid:
                raise InvalidChoice(f"The refund must be between 0 and {quote.paid} {booking.currency}.")
            amount = refund_amount
        booking.state = BookingState.CANCELLED
        booking.cancelled_at = now
        booking.cancellation_reason = reason or ("Cancelled by staff" if by_staff else "Cancelled by the participant")
        booking.save(update_fields=["state", "cancelled_at", "cancellation_reason"])
        # The reason is free text (it may say why someone is unwell): the booking keeps it, the log does not.
        audit.record(booking_id=booking.pk, action="bookings.cancel", acting_user=acting_user,
                     by="staff" if by_staff else "the participant", refund=str(amount), policy_refund=str(quote.amount))
        _refund(booking, amount, acting_user=acting_user)
        if had_seat:
            from bookings.tasks import offer_waitlist_seats

            transaction.on_commit(partial(offer_waitlist_seats.enqueue, cohort_id=booking.cohort_id))
    return booking


def _refund(booking: Booking, amount: Decimal, *, acting_user) -> None:
    for payment in booking.payments.filter(status=PaymentStatus.SUCCEEDED).order_by("-paid_at"):
        if amount <= 0:
            return
        refundable = payment.amount - sum((r.amount for r in payment.refunds.exclude(status="failed")), Decimal("0"))
        part = min(amount, refundable)
        refund_payment(payment=payment, amount=part, reason=booking.cancellation_reason, acting_user=acting_user)
        amount -= part
