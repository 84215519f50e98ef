"""The programs app in the Wagtail admin: cohorts, sessions, facilitators and venues."""

from django.http import Http404
from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.ui.tables import Column
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel, ObjectList
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets import ListingButton
from wagtail.permissions import register_permission_policy
from wagtail.snippets.views.snippets import SnippetViewSet

from programs.access import ScopedViewSetMixin
from programs.documents import user_may_download
from programs.admin_views import CohortCreateView, CohortEditView, SessionEditView, duplicate_cohort_view
from programs.filters import CohortFilterSet, SessionFilterSet
from programs.forms import CohortForm, SessionForm
from programs.models import Cohort, Facilitator, ProgramPage, Session, Venue
from programs.panels import SchedulePreviewPanel
from programs.permissions import ServiceOwnedPolicy


@hooks.register("before_serve_document")
def serve_documents_only_to_their_keepers(document, request):
    """Every document request passes here (WAGTAILDOCS_SERVE_METHOD = "serve_view"): a prep document
    is private, so anyone who may not choose or change it in its collection is told it is not there."""
    if not user_may_download(request.user, document):
        raise Http404("No document here.")


class RosterColumn(Column):
    cell_template_name = "programs/admin/roster_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["roster_url"] = reverse("bookings_roster", args=[instance.pk])
        context["duplicate_url"] = reverse("programs_duplicate_cohort", args=[instance.pk])
        return context


class CohortViewSet(ScopedViewSetMixin, ModelViewSet):
    cohort_path = ""
    model = Cohort
    icon = "date"
    menu_label = "Cohorts"
    add_view_class = CohortCreateView
    edit_view_class = CohortEditView
    copy_view_enabled = False
    list_display = ["title", "program", "status", "start_date", "capacity", RosterColumn("roster", label="Roster")]
    list_select_related = ("program",)
    filterset_class = CohortFilterSet
    search_fields = ["title"]
    edit_handler = ObjectList(
        [
            FieldPanel("program"),
            FieldPanel("title"),
            FieldPanel("status"),
            MultiFieldPanel(
                [
                    FieldPanel("time_zone"),
                    FieldPanel("start_date"),
                    FieldRowPanel([FieldPanel("start_time"), FieldPanel("end_time")]),
                    FieldPanel("repeat"),
                    FieldRowPanel([FieldPanel("session_count"), FieldPanel("last_date")]),
                    FieldPanel("skip_dates"),
                    FieldPanel("extra_dates"),
                    SchedulePreviewPanel(heading="Sessions"),
                ],
                heading="Schedule",
            ),
            MultiFieldPanel(
                [FieldPanel("mode"), FieldPanel("venue"), FieldPanel("meeting_url")], heading="Where"
            ),
            MultiFieldPanel(
                [
                    FieldRowPanel([FieldPanel("capacity"), FieldPanel("price")]),
                    FieldRowPanel([FieldPanel("booking_opens_at"), FieldPanel("booking_closes_at")]),
                    FieldPanel("closes_after_session"),
                    FieldRowPanel([FieldPanel("allow_drop_ins"), FieldPanel("drop_in_price")]),
                ],
                heading="Places and booking",
            ),
        ],
        base_form_class=CohortForm,
    )


# Sessions come from their cohort's rule: they are edited here, never added or deleted by hand.
register_permission_policy(Session, ServiceOwnedPolicy(Session, owned_actions={"add", "delete"}))


class SessionViewSet(ScopedViewSetMixin, ModelViewSet):
    """Topics and prep materials per session; the dates themselves come from the cohort."""

    model = Session
    icon = "time"
    menu_label = "Sessions"
    add_to_admin_menu = False
    copy_view_enabled = False
    list_display = ["__str__", "topic", "status"]
    list_select_related = ("cohort__program",)
    filterset_class = SessionFilterSet
    edit_view_class = SessionEditView
    edit_handler = ObjectList(
        [
            FieldPanel("topic"),
            FieldPanel("venue_override"),
            InlinePanel("materials", heading="Prep materials", label="Material"),
            MultiFieldPanel(
                [
                    FieldPanel("new_date"),
                    FieldRowPanel([FieldPanel("new_start"), FieldPanel("new_end")]),
                    FieldPanel("cancel_session"),
                    FieldPanel("note"),
                ],
                heading="Move or cancel (participants are told by email)",
            ),
        ],
        base_form_class=SessionForm,
    )


class FacilitatorViewSet(SnippetViewSet):
    model = Facilitator
    icon = "user"
    list_display = ["name", "role"]


class VenueViewSet(SnippetViewSet):
    model = Venue
    icon = "site"
    list_display = ["name"]


class ProgramsAdminGroup(ViewSetGroup):
    menu_label = "Programs"
    menu_icon = "calendar"
    menu_order = 150
    items = (CohortViewSet("cohorts"), SessionViewSet("sessions"), FacilitatorViewSet, VenueViewSet)


@hooks.register("register_admin_viewset")
def register_programs_admin():
    return ProgramsAdminGroup()


@hooks.register("register_page_listing_buttons")
def cohort_buttons(page, user, next_url=None):
    if isinstance(page.specific_deferred, ProgramPage):
        yield ListingButton(
            "Cohorts",
            reverse("cohorts:index") + f"?program={page.pk}",
            priority=30,
        )
        yield ListingButton(
            "New cohort",
            reverse("cohorts:add") + f"?program={page.pk}",
            priority=31,
        )


@hooks.register("register_admin_urls")
def register_programs_admin_urls():
    return [path("cohorts/<int:pk>/duplicate/", duplicate_cohort_view, name="programs_duplicate_cohort")]


def _refuse_other_programs(request, page):
    """Facilitators edit only the programs they lead; pages other than programs follow Wagtail's rules."""
    from django.core.exceptions import PermissionDenied

    from programs.access import sees_everything

    program = page.specific_deferred
    if isinstance(program, ProgramPage) and not sees_everything(request.user):
        if not program.facilitators.filter(user=request.user).exists():
            raise PermissionDenied("You can edit only the programs you lead.")


hooks.register("before_edit_page", _refuse_other_programs)
hooks.register("before_delete_page", _refuse_other_programs)
hooks.register("before_copy_page", _refuse_other_programs)
