"""Admin forms: the cohort's rule in plain words instead of RRULE text; the program page form."""

import re
from datetime import date
from zoneinfo import ZoneInfo

from django import forms
from wagtail.admin.forms import WagtailAdminModelForm, WagtailAdminPageForm
from wagtail.admin.widgets import AdminDateInput

from programs.documents import documents_user_may_attach
from programs.schedule import WeeklyPattern, build_rule, read_pattern
from programs.time_zones import local_span, validate_time_zone

REPEAT_CHOICES = [
    ("1", "Every week"),
    ("2", "Every two weeks"),
    ("", "Does not repeat: only the first date and the extra dates"),
]
DATE_SEPARATORS = re.compile(r"[\s,;]+")


class DateListField(forms.CharField):
    """Dates typed one per line (or separated by commas), as YYYY-MM-DD."""

    widget = forms.Textarea(attrs={"rows": 3, "placeholder": "2027-04-06"})

    def to_python(self, value) -> tuple[date, ...]:
        text = super().to_python(value)
        days = []
        for token in DATE_SEPARATORS.split(text.strip()) if text.strip() else []:
            try:
                days.append(date.fromisoformat(token))
            except ValueError:
                raise forms.ValidationError(
                    "“%(token)s” is not a date. Write dates as year-month-day, e.g. 2027-04-06.",
                    code="invalid_date",
                    params={"token": token[:40]},
                ) from None
        return tuple(sorted(set(days)))

    def prepare_value(self, value):
        if isinstance(value, (list, tuple)):
            return "\n".join(day.isoformat() for day in value)
        return value


class CohortForm(WagtailAdminModelForm):
    repeat = forms.ChoiceField(choices=REPEAT_CHOICES, required=False, initial="1")
    session_count = forms.IntegerField(
        required=False, min_value=1, max_value=520, label="How many times it repeats",
        help_text="Counting the first date; skipped dates come out of these. Leave empty if you give a last date.",
    )
    last_date = forms.DateField(
        required=False, widget=AdminDateInput, label="Or: last session on or before",
    )
    skip_dates = DateListField(
        required=False, label="Skip these dates", help_text="Holidays and breaks: one date per line, e.g. 2027-04-06."
    )
    extra_dates = DateListField(
        required=False, label="Extra dates", help_text="Sessions outside the repeat: one date per line."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.time_zone:
            pattern = read_pattern(self.instance.recurrence, zone=self.instance.zone)
            self.initial.update(
                repeat=str(pattern.every_weeks or ""),
                session_count=pattern.session_count,
                last_date=pattern.last_date,
                skip_dates=pattern.skip_dates,
                extra_dates=pattern.extra_dates,
            )
        self.schedule_preview = None

    def clean(self):
        cleaned = super().clean()
        repeat = cleaned.get("repeat")
        count, last_date = cleaned.get("session_count"), cleaned.get("last_date")
        if repeat and count and last_date:
            self.add_error("last_date", "Give either the number of sessions or the last date, not both.")
        first_date = cleaned.get("start_date")
        if repeat and last_date and first_date and last_date < first_date:
            self.add_error("last_date", "The last date is before the first date.")
        zone_name, start_time = cleaned.get("time_zone"), cleaned.get("start_time")
        # A rule built from a field already refused would only add a second, misleading error.
        if not zone_name or not start_time or self.errors.keys() & {"session_count", "last_date", "skip_dates", "extra_dates"}:
            return cleaned
        try:
            validate_time_zone(zone_name)
        except forms.ValidationError:
            return cleaned
        pattern = WeeklyPattern(
            every_weeks=int(repeat) if repeat else None,
            session_count=count if repeat else None,
            last_date=last_date if repeat and not count else None,
            skip_dates=cleaned["skip_dates"],
            extra_dates=cleaned["extra_dates"],
        )
        # The model's own clean() then checks the rule is finite and not empty.
        self.instance.recurrence = build_rule(pattern=pattern, start_time=start_time, zone=ZoneInfo(zone_name))
        return cleaned

    def build_schedule_preview(self) -> list[tuple]:
        """The sessions a save would give, as (local start, local end) pairs; call after is_valid()."""
        cohort = self.instance
        self.schedule_preview = [cohort.session_span_on(day) for day in cohort.scheduled_dates()]
        return self.schedule_preview


class SessionForm(WagtailAdminModelForm):
    """Topic, room and materials, plus the one-off changes participants are told about."""

    new_date = forms.DateField(required=False, widget=AdminDateInput, label="Move to date")
    new_start = forms.TimeField(required=False, label="New start time")
    new_end = forms.TimeField(required=False, label="New end time")
    cancel_session = forms.BooleanField(required=False, label="Cancel this session")
    restore_session = forms.BooleanField(
        required=False, label="Restore this session",
        help_text="This session is cancelled. Tick to put it back on; participants are told by email.",
    )
    note = forms.CharField(
        required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2}),
        label="Note to participants", help_text="Sent with the change notice, e.g. the reason.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A material's document is one the user may choose (by collection), as Wagtail's chooser offers:
        # a forged id of another facilitator's document is a form error, not a file handed to this group.
        documents = documents_user_may_attach(self.for_user)
        materials = self.formsets["materials"]
        for form in [*materials.forms, materials.empty_form]:
            form.fields["document"].queryset = documents
        if self.instance.pk:
            local_start, local_end = self.instance.local_starts_at, self.instance.local_ends_at
            self.initial.setdefault("new_date", local_start.date())
            self.initial.setdefault("new_start", local_start.time())
            self.initial.setdefault("new_end", local_end.time())
        # Only the change that applies to the session as it is now is offered.
        is_cancelled = self.instance.pk and self.instance.status == self.instance.Status.CANCELLED
        del self.fields["cancel_session" if is_cancelled else "restore_session"]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("new_start"), cleaned.get("new_end")
        if start and end and end <= start:
            self.add_error("new_end", "A session must end after it starts.")
        return cleaned

    def requested_move(self):
        """(starts_at, ends_at) in UTC if the facilitator changed the time, else None."""
        data = self.cleaned_data
        if not (data.get("new_date") and data.get("new_start") and data.get("new_end")):
            return None
        zone = self.instance.cohort.zone
        starts, ends = local_span(data["new_date"], data["new_start"], data["new_end"], zone)
        return None if (starts, ends) == (self.instance.starts_at, self.instance.ends_at) else (starts, ends)


class ProgramPageForm(WagtailAdminPageForm):
    """A facilitator who creates a program leads it from its first save (Wagtail's autosave
    creates the page before anyone picks facilitators), and cannot drop themselves from a program
    they lead: leading is what lets them publish it and see its cohorts."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.own_profile = self.profile_of(self.for_user)
        if self.own_profile is not None and self.instance.pk is None and "facilitators" in self.fields:
            self.initial["facilitators"] = [self.own_profile.pk]

    def profile_of(self, user):
        from programs.access import sees_everything

        if user is None or "facilitators" not in self.fields or sees_everything(user):
            return None
        return self.fields["facilitators"].queryset.filter(user=user).first()

    def clean_facilitators(self):
        chosen = self.cleaned_data["facilitators"]
        leads = self.instance.pk is None or self.own_profile in self.instance.facilitators.all()
        if self.own_profile is not None and leads and self.own_profile not in chosen:
            raise forms.ValidationError(
                "Keep yourself among the facilitators: you would lose this program. "
                "To hand it over, ask the site's staff."
            )
        return chosen
