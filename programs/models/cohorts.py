"""A cohort: one run of a program, with its own dates, zone, place and price."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from recurrence.fields import RecurrenceField

from programs.models.program import ProgramFormat, ProgramPage
from programs.schedule import RuleError, session_dates
from programs.time_zones import local_span, local_start, validate_time_zone, zone_label


class CohortStatus(models.TextChoices):
    DRAFT = "draft", "Draft (not shown)"
    OPEN = "open", "Open for booking"
    CLOSED = "closed", "Booking closed"
    CANCELLED = "cancelled", "Cancelled"


class CohortQuerySet(models.QuerySet):
    def visible(self):
        """Shown, booked and waitlisted on the public site: not a draft, and its program is
        published with no view restriction (password, login, groups) on it or above it."""
        return self.exclude(status=CohortStatus.DRAFT).filter(program__in=ProgramPage.objects.live().public())

    def not_finished(self, *, now: datetime | None = None):
        return self.filter(sessions__ends_at__gt=now or timezone.now()).distinct()


class Cohort(models.Model):
    """One run of a program, e.g. "Spring 2027 · Tuesday evenings"; its sessions follow its rule."""

    Status = CohortStatus
    Mode = ProgramFormat

    program = models.ForeignKey("programs.ProgramPage", on_delete=models.CASCADE, related_name="cohorts")
    title = models.CharField(max_length=120, help_text='What people call this run, e.g. "Spring 2027 · Tuesday evenings".')
    status = models.CharField(max_length=16, choices=CohortStatus.choices, default=CohortStatus.DRAFT)
    mode = models.CharField(max_length=16, choices=ProgramFormat.choices, default=ProgramFormat.ONLINE)
    time_zone = models.CharField(
        max_length=64,
        validators=[validate_time_zone],
        help_text="Where the sessions happen, as an IANA name such as Europe/London. Sessions keep their local time in it.",
    )
    start_date = models.DateField(help_text="Date of the first session.")
    start_time = models.TimeField(help_text="Local start time of every session.")
    end_time = models.TimeField(help_text="Local end time of every session.")
    recurrence = RecurrenceField(blank=True)
    venue = models.ForeignKey(
        "programs.Venue", null=True, blank=True, on_delete=models.PROTECT, related_name="cohorts"
    )
    meeting_url = models.URLField(
        blank=True, help_text="Private: sent only to confirmed participants before each session."
    )
    capacity = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    price = models.DecimalField(max_digits=8, decimal_places=2, validators=[MinValueValidator(0)])
    allow_drop_ins = models.BooleanField(default=False, help_text="People may book a single session.")
    drop_in_price = models.DecimalField(
        max_digits=8, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)],
        help_text="Price of one session for a drop-in.",
    )
    closes_after_session = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1)],
        help_text="Where the program takes late joiners: nobody new joins once this many sessions have started.",
    )
    booking_opens_at = models.DateTimeField(null=True, blank=True)
    booking_closes_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CohortQuerySet.as_manager()

    class Meta:
        ordering = ["start_date", "start_time", "pk"]
        permissions = [("manage_all_cohorts", "Can see and manage every program's cohorts and bookings")]
        indexes = [models.Index(fields=["status", "start_date"], name="cohort_status_start")]
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gte=1), name="cohort_capacity_positive"),
            models.CheckConstraint(condition=Q(price__gte=0), name="cohort_price_not_negative"),
            models.CheckConstraint(condition=Q(end_time__gt=models.F("start_time")), name="cohort_ends_after_start"),
            models.CheckConstraint(
                condition=Q(booking_opens_at__isnull=True)
                | Q(booking_closes_at__isnull=True)
                | Q(booking_closes_at__gt=models.F("booking_opens_at")),
                name="cohort_booking_window_ordered",
            ),
            models.CheckConstraint(condition=Q(status__in=CohortStatus.values), name="cohort_status_valid"),
            models.CheckConstraint(condition=Q(mode__in=ProgramFormat.values), name="cohort_mode_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.program.title} · {self.title}" if self.program_id else self.title

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def zone_label(self) -> str:
        return zone_label(self.time_zone)

    @property
    def session_duration(self):
        day = self.start_date
        return datetime.combine(day, self.end_time) - datetime.combine(day, self.start_time)

    def local_start_on(self, day) -> datetime:
        return local_start(day, self.start_time, self.zone)

    def session_span_on(self, day) -> tuple[datetime, datetime]:
        """When the session on local date `day` starts and ends, in UTC."""
        return local_span(day, self.start_time, self.end_time, self.zone)

    def scheduled_dates(self):
        """The local dates the rule gives; raises `RuleError` for an empty or endless rule."""
        return session_dates(
            self.recurrence,
            first_date=self.start_date,
            zone=self.zone,
            limit=settings.PROGRAMS_MAX_SESSIONS_PER_COHORT,
        )

    def clean(self):
        errors: dict[str, list[str]] = {}
        if self.start_time and self.end_time and self.end_time <= self.start_time:
            errors.setdefault("end_time", []).append("A session must end after it starts (on the same day).")
        if self.booking_opens_at and self.booking_closes_at and self.booking_closes_at <= self.booking_opens_at:
            errors.setdefault("booking_closes_at", []).append("Booking must close after it opens.")
        needs_link = self.mode in {ProgramFormat.ONLINE, ProgramFormat.HYBRID}
        needs_venue = self.mode in {ProgramFormat.IN_PERSON, ProgramFormat.HYBRID}
        if self.status == CohortStatus.OPEN and needs_link and not self.meeting_url:
            errors.setdefault("meeting_url", []).append("An online cohort needs its meeting link before it opens.")
        if self.status == CohortStatus.OPEN and needs_venue and not self.venue_id:
            errors.setdefault("venue", []).append("An in-person cohort needs a venue before it opens.")
        zone_is_valid = True
        try:
            validate_time_zone(self.time_zone)
        except ValidationError:
            zone_is_valid = False
        if zone_is_valid and self.start_date:
            try:
                self.scheduled_dates()
            except RuleError as refusal:
                # Not keyed to "recurrence": the admin edits the rule through several
                # plain fields, so the message belongs to the form as a whole.
                errors.setdefault(NON_FIELD_ERRORS, []).append(refusal.message)
        if self.allow_drop_ins and self.drop_in_price is None:
            errors.setdefault("drop_in_price", []).append("Give the price of a drop-in session.")
        if errors:
            raise ValidationError(errors)
