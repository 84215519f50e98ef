"""The programs app in the Wagtail admin: cohorts, sessions, facilitators and venues."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.ui.tables import Column
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel, ObjectList
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets import ListingButton
from wagtail.models import Page
from wagtail.permissions import register_permission_policy
from wagtail.snippets.views.snippets import DeleteView as SnippetDeleteView
from wagtail.snippets.views.snippets import EditView as SnippetEditView
from wagtail.snippets.views.snippets import HistoryView as SnippetHistoryView
from wagtail.snippets.views.snippets import IndexView as SnippetIndexView
from wagtail.snippets.views.snippets import SnippetViewSet
from wagtail.snippets.views.snippets import UsageView as SnippetUsageView

from programs.access import ScopedViewSetMixin, sees_everything
from programs.admin_views import (
    CohortCreateView, CohortDeleteView, CohortEditView, SessionEditView, duplicate_cohort_view, in_words,
)
from programs.admin_visibility import BULK_ACTIONS, VisibleDocumentsAdminAPIViewSet, pages_user_may_see
from programs.documents import user_may_download
from programs.filters import CohortFilterSet, SessionFilterSet
from programs.forms import CohortForm, SessionForm
from programs.models import Cohort, Facilitator, ProgramPage, Session, Venue
from programs.panels import SchedulePreviewPanel
from programs.permissions import FacilitatorProfilePolicy, ServiceOwnedPolicy, checked_per_instance
from programs.selectors import records_that_keep


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
    delete_view_class = CohortDeleteView
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
                    FieldPanel("restore_session"),
                    FieldPanel("note"),
                ],
                heading="Move, cancel or restore (participants are told by email)",
            ),
        ],
        base_form_class=SessionForm,
    )


# A facilitator edits only their own profile; linking logins to profiles is for staff alone.
register_permission_policy(Facilitator, FacilitatorProfilePolicy(Facilitator))


class FacilitatorIndexView(SnippetIndexView):
    def get_edit_url(self, instance):
        if self.permission_policy.user_has_permission_for_instance(self.request.user, "change", instance):
            return super().get_edit_url(instance)
        return None


class FacilitatorViewSet(SnippetViewSet):
    model = Facilitator
    icon = "user"
    list_display = ["name", "role"]
    copy_view_enabled = False
    index_view_class = FacilitatorIndexView
    edit_view_class = checked_per_instance(SnippetEditView)
    delete_view_class = checked_per_instance(SnippetDeleteView, action="delete")
    history_view_class = checked_per_instance(SnippetHistoryView)
    usage_view_class = checked_per_instance(SnippetUsageView)


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


def _refusal_to_delete(request, pages):
    """Programs that hold bookings (or their parents) are unpublished, never deleted: the
    participants' records and the accounts hang on them."""
    for page in pages:
        # Deleting a page deletes everything below it too.
        kept = records_that_keep(*page.get_descendants(inclusive=True))
        if kept:
            messages.error(
                request,
                f"“{page.get_admin_display_title()}” can't be deleted: it has {in_words(kept)}, kept for the "
                "participants and the accounts. Unpublish it instead, so nobody can find or book it.",
            )
            return redirect("wagtailadmin_pages:edit", page.pk)
    return None


@hooks.register("before_delete_page")
def refuse_deleting_programs_with_records(request, page):
    return _refusal_to_delete(request, [page])


@hooks.register("before_bulk_action")
def refuse_bulk_deleting_programs_with_records(request, action_type, objects, action_class_instance):
    if action_type == "delete":
        return _refusal_to_delete(request, [obj for obj in objects if isinstance(obj, Page)])
    return None


@hooks.register("construct_reports_menu")
def hide_staff_reports_from_facilitators(request, menu_items):
    # Staff-only reports (programs.admin_views.staff_report_urls): the site history lists every
    # model's log entries, the page-types report names pages by their draft titles.
    if not sees_everything(request.user):
        menu_items[:] = [item for item in menu_items if item.name not in {"site-history", "page-types-usage"}]


@hooks.register("construct_page_chooser_queryset")
def choose_only_pages_the_user_may_see(pages, request):
    # A chooser names each page by its latest draft's title, its children and the page it browses
    # (the URL's parent page, shown as the list's first row) alike.
    visible = pages_user_may_see(request.user)
    parent_id = request.resolver_match.kwargs.get("parent_page_id")
    if parent_id is not None and not visible.filter(pk=parent_id).exists():
        raise Http404
    return pages.filter(pk__in=visible.values("pk"))


@hooks.register("construct_explorer_page_queryset")
def explore_only_pages_the_user_may_see(parent_page, pages, request):
    # Wagtail lists only explorable pages, but opens any page below the user's explorable root,
    # showing it (and its draft title) as the listing's header: "add" on the program index
    # would open every program. This hook runs for every explorer listing, before it renders.
    if not pages_user_may_see(request.user).filter(pk=parent_page.pk).exists():
        raise Http404
    return pages


@hooks.register("before_move_page")
def refuse_moving_pages_the_user_may_not_move(request, page_to_move, destination):
    # Wagtail's move confirmation checks the permission only when the move is posted; its
    # page would otherwise show the draft title of a page the user may not move.
    if not page_to_move.permissions_for_user(request.user).can_move_to(destination):
        raise PermissionDenied


for _bulk_action in BULK_ACTIONS:
    hooks.register("register_bulk_action", _bulk_action, order=1)


@hooks.register("construct_admin_api", order=1)
def scope_admin_api_documents(router):
    # Replaces Wagtail's endpoint, which lists every document in a collection without a view
    # restriction to any admin user.
    router.register_endpoint("documents", VisibleDocumentsAdminAPIViewSet)
