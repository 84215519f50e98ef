"""Sessions (one meeting of a cohort) and the materials participants prepare with."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel
from wagtail.models import Orderable


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    CANCELLED = "cancelled", "Cancelled"
    # The cohort's rule no longer gives this date. Kept (not deleted) so its materials,
    # emails and attendance survive; it comes back if the date returns to the rule.
    REMOVED = "removed", "Removed from the schedule"


class Session(ClusterableModel):
    """One meeting of a cohort, stored as UTC instants and kept in step with the cohort's rule."""

    Status = SessionStatus

    cohort = models.ForeignKey("programs.Cohort", on_delete=models.CASCADE, related_name="sessions")
    # The date the rule gave this session: its identity across re-expansions, even when
    # it has been moved to another day.
    occurrence_date = models.DateField()
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    status = models.CharField(max_length=16, choices=SessionStatus.choices, default=SessionStatus.SCHEDULED)
    is_rescheduled = models.BooleanField(
        default=False, help_text="Moved by hand: re-expanding the cohort's rule leaves its time alone."
    )
    topic = models.CharField(max_length=200, blank=True)
    venue_override = models.ForeignKey(
        "programs.Venue",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Another room for this session only.",
    )
    change_note = models.TextField(blank=True, help_text="Why this session was moved or cancelled.")
    # Grows on every change participants should hear about (time, place, cancellation);
    # it is the SEQUENCE of the session's calendar event.
    sequence = models.PositiveIntegerField(default=0)
    # When participants last had something to hear about (time, place, cancellation): who
    # booked before it gets a change notice, who booked after it already knows.
    changed_at = models.DateTimeField(null=True, blank=True)

    panels = [FieldPanel("topic")]

    class Meta:
        ordering = ["starts_at", "pk"]
        indexes = [
            models.Index(fields=["starts_at"], name="session_starts_at"),
            # The public pages find the cohorts still to come from their sessions still to come.
            models.Index(fields=["status", "ends_at"], name="session_status_ends_at"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "occurrence_date"], name="session_unique_occurrence"),
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="session_ends_after_start"),
            models.CheckConstraint(condition=Q(status__in=SessionStatus.values), name="session_status_valid"),
        ]

    def __str__(self) -> str:
        local = self.starts_at.astimezone(self.cohort.zone)
        return f"{self.cohort} · {local:%a %d %b %Y, %H:%M}"

    @property
    def is_cancelled(self) -> bool:
        return self.status != SessionStatus.SCHEDULED

    @property
    def local_starts_at(self):
        return self.starts_at.astimezone(self.cohort.zone)

    @property
    def local_ends_at(self):
        return self.ends_at.astimezone(self.cohort.zone)

    @property
    def venue(self):
        return self.venue_override or self.cohort.venue


class SessionMaterial(Orderable):
    """Something to read, watch or bring: a document, a link or a short note."""

    session = ParentalKey(Session, on_delete=models.CASCADE, related_name="materials")
    title = models.CharField(max_length=200)
    document = models.ForeignKey(
        "wagtaildocs.Document", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    url = models.URLField(blank=True)
    note = models.TextField(blank=True)

    panels = [FieldPanel("title"), FieldPanel("document"), FieldPanel("url"), FieldPanel("note")]

    def __str__(self) -> str:
        return self.title

    def clean(self):
        if not (self.document_id or self.url or self.note):
            raise ValidationError("Attach a document, give a link or write a note.")
