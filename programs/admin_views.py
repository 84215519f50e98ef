"""Admin views for cohorts (saving runs the schedule expansion; "Preview dates" shows it first)
and the staff-only site-history report."""

from django import forms
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.views.decorators.cache import never_cache
from wagtail.admin import messages
from wagtail.admin.auth import require_admin_access
from wagtail.admin.views.reports.audit_logging import LogEntriesView
from wagtail.admin.views.reports.page_types_usage import PageTypesUsageReportView
from wagtail.admin.widgets import AdminDateInput
from wagtail.admin.views import generic

from programs.access import sees_everything
from programs.exceptions import RuleError, SessionNotMovable
from programs.selectors import records_that_keep
from programs.services import (
    cancel_session, duplicate_cohort, expand_schedule, reschedule_session, restore_session,
)

PREVIEW_FIELD = "preview-schedule"


class SchedulePreviewMixin:
    def post(self, request, *args, **kwargs):
        if PREVIEW_FIELD not in request.POST:
            return super().post(request, *args, **kwargs)
        if not hasattr(self, "object"):
            self.object = self.get_object() if self.kwargs.get(self.pk_url_kwarg) else None
        form = self.get_form()
        if form.is_valid():
            form.build_schedule_preview()
            messages.info(request, "This is a preview: nothing is saved until you press Save.")
        else:
            messages.validation_error(request, "The cohort has errors; the dates cannot be shown yet.", form)
        self.form = form
        return self.render_to_response(self.get_context_data(form=form))

    def save_instance(self):
        cohort = super().save_instance()
        changes = expand_schedule(cohort_id=cohort.pk)
        self.schedule_changes = changes
        return cohort

    def get_success_message(self, *args):
        message = super().get_success_message(*args)
        changes = getattr(self, "schedule_changes", None)
        if changes and changes.changed:
            parts = [
                f"{len(items)} {label}"
                for items, label in [
                    (changes.added, "added"),
                    (changes.retimed, "retimed"),
                    (changes.removed, "removed"),
                    (changes.restored, "restored"),
                ]
                if items
            ]
            message = f"{message} Sessions: {', '.join(parts)}."
        return message


class ProgramChoiceMixin:
    """Facilitators create and move cohorts only within the programs they lead."""

    def get_form(self, *args, **kwargs):
        from programs.access import sees_everything
        from programs.models import ProgramPage

        form = super().get_form(*args, **kwargs)
        if not sees_everything(self.request.user):
            form.fields["program"].queryset = ProgramPage.objects.filter(facilitators__user=self.request.user).distinct()
        return form


class CohortCreateView(ProgramChoiceMixin, SchedulePreviewMixin, generic.CreateView):
    def get_initial(self):
        """Start a new cohort from its program's defaults (?program=<id> from the program page)."""
        from programs.models import ProgramPage

        initial = super().get_initial()
        program = ProgramPage.objects.filter(pk=self.request.GET.get("program") or 0).first()
        if program:
            initial.update(
                program=program.pk,
                capacity=program.default_capacity,
                price=program.default_price,
                mode=program.format,
            )
        return initial


class CohortEditView(ProgramChoiceMixin, SchedulePreviewMixin, generic.EditView):
    pass


def in_words(names: list[str]) -> str:
    """["bookings", "messages", "payments"] -> "bookings, messages and payments"."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


class CohortDeleteView(generic.DeleteView):
    """A cohort that people booked is closed, never deleted: their records hang on it."""

    def get(self, request, *args, **kwargs):
        return self._refusal() or super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        return self._refusal() or super().post(request, *args, **kwargs)

    def _refusal(self):
        kept = records_that_keep(self.object)
        if not kept:
            return None
        messages.error(
            self.request,
            f"“{self.object}” can't be deleted: it has {in_words(kept)}, kept for the participants and the "
            "accounts. Set its status to closed or cancelled instead.",
        )
        return redirect("cohorts:edit", self.object.pk)


class SessionEditView(generic.EditView):
    """Saving a session applies a move, cancellation or restoration through the services, which
    the emails follow; a change the services refuse leaves everything as it was."""

    def form_valid(self, form):
        try:
            with transaction.atomic():
                return super().form_valid(form)
        except SessionNotMovable as refusal:
            form.add_error(None, refusal.message)
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)

    def get_page_subtitle(self):
        return f"{self.object} ({self.object.get_status_display()})"

    def save_instance(self):
        original = type(self.object).objects.get(pk=self.object.pk)
        session = super().save_instance()
        # The generic save wrote the whole row; time and status belong to the services.
        type(session).objects.filter(pk=session.pk).update(
            starts_at=original.starts_at, ends_at=original.ends_at, status=original.status
        )
        form = self.form
        note = form.cleaned_data.get("note", "")
        if form.cleaned_data.get("cancel_session"):
            cancel_session(session_id=session.pk, note=note)
        else:
            if form.cleaned_data.get("restore_session"):
                restore_session(session_id=session.pk, note=note)
            if (move := form.requested_move()) is not None:
                reschedule_session(session_id=session.pk, starts_at=move[0], ends_at=move[1], note=note)
        session.refresh_from_db()
        return session


class DuplicateCohortForm(forms.Form):
    title = forms.CharField(max_length=120, label="Title of the new cohort")
    start_date = forms.DateField(widget=AdminDateInput, label="Date of its first session")


@permission_required("programs.add_cohort", raise_exception=True)
def duplicate_cohort_view(request, pk: int):
    from programs.access import cohorts_visible_to

    cohort = get_object_or_404(cohorts_visible_to(request.user), pk=pk)
    form = DuplicateCohortForm(request.POST or None, initial={"title": f"{cohort.title} (next term)"})
    if request.method == "POST" and form.is_valid():
        try:
            copy = duplicate_cohort(cohort_id=cohort.pk, **form.cleaned_data)
        except RuleError as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(request, f"“{copy.title}” is ready as a draft. Check its dates, then open it for booking.")
            return redirect("cohorts:edit", copy.pk)
    return TemplateResponse(request, "programs/admin/duplicate_cohort.html",
                            {"form": form, "cohort": cohort, "page_title": "Duplicate cohort"})


class StaffOnlyMixin:
    """A site-wide report for staff only: facilitators are refused (Wagtail turns it into a redirect)."""

    def dispatch(self, request, *args, **kwargs):
        if not sees_everything(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class StaffSiteHistoryView(StaffOnlyMixin, LogEntriesView):
    """Wagtail's site-history report, for staff only.

    It lists a model's log entries to anyone holding any permission on that model, so a
    facilitator would read the history of every program's cohorts, bookings and messages.
    Facilitators read each of their own objects' history from the object instead.
    """


class StaffPageTypesUsageView(StaffOnlyMixin, PageTypesUsageReportView):
    """Wagtail's page-types report, for staff only: it names the last edited page of each type
    across the site by its draft title, to anyone who may add a page anywhere."""


def _admin_view(view):
    # The decorators Wagtail puts on its own admin URLs.
    return never_cache(require_admin_access(view))


def _staff_report(route: str, name: str, view_class) -> list:
    return [
        path(f"{route}/", _admin_view(view_class.as_view()), name=name),
        path(f"{route}/results/", _admin_view(view_class.as_view(results_only=True)), name=f"{name}_results"),
    ]


# Mounted in config/urls.py ahead of Wagtail's admin, at the same paths as its reports, so the
# reports' links and reverse("wagtailadmin_reports:...") reach these views.
staff_report_urls = [
    *_staff_report("site-history", "programs_site_history", StaffSiteHistoryView),
    *_staff_report("page-types-usage", "programs_page_types_usage", StaffPageTypesUsageView),
]
