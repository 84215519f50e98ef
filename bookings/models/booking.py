"""A participant's place in a cohort, from application to cancellation."""


from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from bookings.codes import code_digest, new_material_key, new_secret_code


class BookingState(models.TextChoices):
    APPLIED = "applied", "Applied (waiting for a facilitator)"
    DECLINED = "declined", "Not offered a place"
    HELD = "held", "Seat held, payment not finished"
    AWAITING_PAYMENT = "awaiting_payment", "Confirmed, payment due"
    CONFIRMED = "confirmed", "Confirmed"
    CANCELLED = "cancelled", "Cancelled"
    EXPIRED = "expired", "Hold expired"


# A booking in one of these states stops the same email booking the same cohort again.
ACTIVE_STATES = [BookingState.APPLIED, BookingState.HELD, BookingState.AWAITING_PAYMENT, BookingState.CONFIRMED]
# These take a seat for good; a HELD booking takes one only until its hold expires.
SEATED_STATES = [BookingState.AWAITING_PAYMENT, BookingState.CONFIRMED]


class PaymentMethod(models.TextChoices):
    FREE = "free", "Free"
    STRIPE = "stripe", "Card (Stripe)"
    PAY_LATER = "pay_later", "Pay later"


class BookingQuerySet(models.QuerySet):
    def active(self):
        return self.filter(state__in=ACTIVE_STATES)

    def whole_course(self):
        return self.filter(session__isnull=True)

    def drop_ins(self):
        return self.filter(session__isnull=False)


class Booking(models.Model):
    """One participant's place in one cohort; its code opens their private booking page."""

    State = BookingState

    cohort = models.ForeignKey("programs.Cohort", on_delete=models.PROTECT, related_name="bookings")
    # Set for a drop-in: a place in this one session only, where the cohort allows it.
    session = models.ForeignKey(
        "programs.Session", null=True, blank=True, on_delete=models.PROTECT, related_name="drop_ins"
    )
    code = models.CharField(max_length=64, unique=True, default=new_secret_code, editable=False)
    # Lookups go through the digest; the code itself is then compared in constant time.
    code_digest = models.CharField(max_length=64, unique=True, editable=False)
    # Names the booking in prep-material links instead of the code: a forwarded link or a
    # mail provider's click log opens that one material, never the booking page.
    material_key = models.CharField(max_length=32, unique=True, default=new_material_key, editable=False)
    state = models.CharField(max_length=20, choices=BookingState.choices)
    payment_method = models.CharField(max_length=16, choices=PaymentMethod.choices)

    name = models.CharField(max_length=120)
    email = models.EmailField()
    participant_time_zone = models.CharField(max_length=64, blank=True)
    emergency_contact = models.CharField(max_length=300, blank=True)
    access_needs = models.TextField(blank=True)
    # Health-related: shown only to the cohort's facilitators and staff, never logged or emailed.
    intake_answers = models.JSONField(default=dict, blank=True)
    consent_text = models.TextField()
    consent_version = models.CharField(max_length=64)
    consent_given_at = models.DateTimeField()

    tier_label = models.CharField(max_length=120, blank=True)
    amount = models.DecimalField(max_digits=8, decimal_places=2)
    currency = models.CharField(max_length=3)

    hold_expires_at = models.DateTimeField(null=True, blank=True)
    payment_due_on = models.DateField(null=True, blank=True)
    screening_message = models.TextField(blank=True, help_text="The kind words sent with a decision.")
    cancellation_reason = models.TextField(blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # Set when the person's details were erased: the row stays for the accounts, but its
    # code opens nothing any more and no message is written to it.
    erased_at = models.DateTimeField(null=True, blank=True)

    objects = BookingQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        # change_booking covers approve, decline, move and cancel within the policy; moving money
        # (mark paid, a refund above the policy's quote) is a separate trust (bookings/admin_views.py ACTIONS).
        permissions = [("handle_money", "Can mark paid and refund")]
        indexes = [
            models.Index(fields=["cohort", "state"], name="booking_cohort_state"),
            models.Index(fields=["state", "hold_expires_at"], name="booking_state_hold"),
        ]
        constraints = [
            models.UniqueConstraint(
                "cohort", models.functions.Lower("email"),
                condition=Q(state__in=ACTIVE_STATES, session__isnull=True),
                name="booking_one_active_per_email",
                violation_error_message="This email address already has a place or an application for this group.",
            ),
            models.UniqueConstraint(
                "session", models.functions.Lower("email"),
                condition=Q(state__in=ACTIVE_STATES, session__isnull=False),
                name="booking_one_drop_in_per_email",
                violation_error_message="This email address already has a place in this session.",
            ),
            models.CheckConstraint(condition=Q(state__in=BookingState.values), name="booking_state_valid"),
            models.CheckConstraint(condition=Q(payment_method__in=PaymentMethod.values), name="booking_payment_method_valid"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="booking_amount_not_negative"),
            models.CheckConstraint(
                condition=~Q(state=BookingState.HELD) | Q(hold_expires_at__isnull=False),
                name="booking_hold_has_expiry",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} · {self.cohort}"

    def save(self, *args, **kwargs):
        # Derived, not a rule: the digest always matches the code.
        self.code_digest = code_digest(self.code)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("bookings:detail", kwargs={"code": self.code})

    @property
    def hold_is_live(self) -> bool:
        return self.state == BookingState.HELD and self.hold_expires_at and self.hold_expires_at > timezone.now()

    @property
    def booked_at_local(self) -> str:
        """When the booking was made, in the cohort's own zone (for exports)."""
        return self.created_at.astimezone(self.cohort.zone).strftime("%Y-%m-%d %H:%M")

    @property
    def is_cancellable(self) -> bool:
        return self.state in ACTIVE_STATES

    @property
    def has_place(self) -> bool:
        return self.state in SEATED_STATES
