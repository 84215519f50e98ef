"""The email log: one row per message a participant should get, claimed before it is sent."""

from django.db import models
from django.db.models import Q


class EmailKind(models.TextChoices):
    CONFIRMATION = "confirmation", "Booking confirmation"
    PREP = "prep", "Prep materials and join details"
    SESSION_CHANGED = "session_changed", "Session changed"
    SESSION_CANCELLED = "session_cancelled", "Session cancelled"
    BOOKING_CANCELLED = "booking_cancelled", "Booking cancelled"
    PAYMENT_REMINDER = "payment_reminder", "Payment reminder"
    WAITLIST_OFFER = "waitlist_offer", "Waitlist offer"
    COHORT_MESSAGE = "cohort_message", "Message from a facilitator"
    BOOKING_LINK = "booking_link", "Booking link sent again"
    PRIVACY_LINK = "privacy_link", "Link to all of an address's bookings"
    WAITLIST_LINK = "waitlist_link", "Waitlist page link"


class EmailStatus(models.TextChoices):
    PLANNED = "planned", "Waiting to be sent"
    CLAIMED = "claimed", "Being sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Could not be sent"
    SKIPPED = "skipped", "No longer needed"


class EmailLog(models.Model):
    """One message to one participant about one thing; `dedupe_key` makes it happen at most once."""

    Kind = EmailKind
    Status = EmailStatus

    # "<kind>:<booking or waitlist entry>:<session>:<revision>". The revision is the session's
    # sequence, so a prep email planned again after a move is a new message, marked as an update.
    dedupe_key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=32, choices=EmailKind.choices)
    booking = models.ForeignKey("bookings.Booking", null=True, blank=True, on_delete=models.PROTECT, related_name="emails")
    waitlist_entry = models.ForeignKey(
        "bookings.WaitlistEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="emails"
    )
    session = models.ForeignKey("programs.Session", null=True, blank=True, on_delete=models.PROTECT, related_name="emails")
    cohort_message = models.ForeignKey(
        "bookings.CohortMessage", null=True, blank=True, on_delete=models.PROTECT, related_name="emails"
    )
    revision = models.PositiveIntegerField(default=0)
    is_update = models.BooleanField(default=False, help_text="An earlier version of this message went out already.")
    to = models.EmailField()

    status = models.CharField(max_length=16, choices=EmailStatus.choices, default=EmailStatus.PLANNED)
    due_at = models.DateTimeField()
    enqueued_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    esp_message_id = models.CharField(max_length=255, blank=True, db_index=True)
    # What the ESP's tracking webhooks last said: delivered, bounced, complained, ...
    delivery_status = models.CharField(max_length=32, blank=True)
    delivery_detail = models.CharField(max_length=500, blank=True)
    delivery_updated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_at", "pk"]
        indexes = [models.Index(fields=["status", "due_at"], name="emaillog_status_due")]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=EmailStatus.values), name="emaillog_status_valid"),
            models.CheckConstraint(condition=Q(kind__in=EmailKind.values), name="emaillog_kind_valid"),
            models.CheckConstraint(
                condition=Q(booking__isnull=False) | Q(waitlist_entry__isnull=False), name="emaillog_has_recipient"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.to} · {self.get_status_display()}"
