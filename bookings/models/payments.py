"""Money: payments, refunds, and the log of Stripe events received."""

from django.db import models
from django.db.models import Q


class PaymentStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    PROCESSING = "processing", "Processing (bank payment on its way)"
    SUCCEEDED = "succeeded", "Paid"
    FAILED = "failed", "Failed"
    EXPIRED = "expired", "Checkout expired"


class Payment(models.Model):
    """Money owed or paid for a booking: a Stripe Checkout Session, or a payment staff recorded."""

    Status = PaymentStatus

    booking = models.ForeignKey("bookings.Booking", on_delete=models.PROTECT, related_name="payments")
    provider = models.CharField(max_length=16, choices=[("stripe", "Stripe"), ("manual", "Recorded by staff")])
    status = models.CharField(max_length=16, choices=PaymentStatus.choices, default=PaymentStatus.PENDING)
    amount = models.DecimalField(max_digits=8, decimal_places=2)
    currency = models.CharField(max_length=3)
    stripe_checkout_session_id = models.CharField(max_length=255, null=True, blank=True, unique=True)
    stripe_payment_intent_id = models.CharField(max_length=255, blank=True, db_index=True)
    checkout_url = models.URLField(max_length=2000, blank=True)
    # Fixed when the payment row is made, so a retried create sends Stripe the same parameters.
    checkout_expires_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="payment_amount_not_negative"),
            models.CheckConstraint(condition=Q(status__in=PaymentStatus.values), name="payment_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} · {self.get_status_display()}"


class Refund(models.Model):
    """Money given back, through Stripe's Refunds API or by hand."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount = models.DecimalField(max_digits=8, decimal_places=2)
    reason = models.CharField(max_length=300)
    stripe_refund_id = models.CharField(max_length=255, null=True, blank=True, unique=True)
    status = models.CharField(
        max_length=16,
        choices=[("pending", "Pending"), ("succeeded", "Refunded"), ("failed", "Failed")],
        default="pending",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive")]

    def __str__(self) -> str:
        return f"Refund {self.amount} {self.payment.currency}"


class StripeEvent(models.Model):
    """Every Stripe webhook event received, once: a second delivery of the same id is a no-op."""

    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=255, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"
