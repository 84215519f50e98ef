"""Bookings in the Wagtail admin: a read-only list, and staff actions that go through the services."""

from django.urls import path
from wagtail import hooks
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from bookings import audit, roster_views
from bookings.panels import WeekAheadPanel
from bookings.admin_views import (
    BookingHistoryView, BookingInspectView, PaymentExportIndexView, SafeExportIndexView, booking_action,
)
from bookings.forms import CohortMessageForm
from bookings.models import Booking, CohortMessage, EmailLog, Payment
from programs.access import ScopedViewSetMixin
from programs.filters import cohort_filterset
from programs.permissions import ServiceOwnedPolicy


class ReadOnlyBookingPolicy(ServiceOwnedPolicy):
    """Bookings change only through the services (staff actions), never through a generic edit form.

    Staff who may act on bookings (change) may also see them.
    """

    def user_has_permission(self, user, action):
        if action == "view":
            return super().user_has_permission(user, "view") or ModelPermissionPolicy.user_has_permission(
                self, user, "change"
            )
        return super().user_has_permission(user, action)


register_permission_policy(Booking, ReadOnlyBookingPolicy(Booking, owned_actions={"add", "change", "delete"}))


class BookingViewSet(ScopedViewSetMixin, ModelViewSet):
    model = Booking
    icon = "tick-inverse"
    menu_label = "Bookings"
    menu_order = 160
    add_to_admin_menu = True
    copy_view_enabled = False
    inspect_view_enabled = True
    index_view_class = SafeExportIndexView
    inspect_view_class = BookingInspectView
    history_view_class = BookingHistoryView
    list_display = ["name", "email", "cohort", "state", "payment_method", "amount", "created_at"]
    list_select_related = ("cohort__program",)
    filterset_class = cohort_filterset(Booking, "state", "payment_method")
    search_fields = ["name", "email"]
    # Intake answers, emergency contact and access needs stay out of this view: the intake view
    # (roster_views.intake_answers) shows them and records each look.
    inspect_view_fields = [
        "name", "email", "cohort", "state", "payment_method", "tier_label", "amount", "currency",
        "hold_expires_at", "payment_due_on", "participant_time_zone",
        "consent_version", "consent_given_at", "screening_message", "cancellation_reason", "created_at",
        "confirmed_at", "cancelled_at",
    ]
    form_fields = ["name"]
    # The roster export; intake answers are never in it (they are behind the audited view).
    # What a facilitator reads in a spreadsheet: the states' names, not their codes.
    list_export = ["name", "email", "cohort", "get_state_display", "get_payment_method_display", "tier_label",
                   "amount", "currency", "booked_at_local", "participant_time_zone"]
    export_headings = {"get_state_display": "State", "get_payment_method_display": "Paying by",
                       "booked_at_local": "Booked at (cohort time)", "participant_time_zone": "Participant's zone"}
    export_filename = "roster"


register_permission_policy(Payment, ServiceOwnedPolicy(Payment, owned_actions={"add", "change", "delete"}))


class PaymentViewSet(ScopedViewSetMixin, ModelViewSet):
    """Money received, for the accounts; exported as CSV or XLSX."""

    model = Payment
    cohort_path = "booking__cohort"
    index_view_class = PaymentExportIndexView
    icon = "form"
    menu_label = "Payments"
    menu_order = 165
    add_to_admin_menu = True
    copy_view_enabled = False
    list_display = ["booking", "provider", "status", "amount", "currency", "paid_at"]
    list_select_related = ("booking__cohort__program",)
    list_filter = ["provider", "status"]
    search_fields = ["booking__name", "booking__email"]
    form_fields = ["note"]
    list_export = ["booking", "booking.email", "get_provider_display", "get_status_display", "amount", "currency",
                   "paid_at", "stripe_payment_intent_id", "note"]
    export_headings = {"booking": "Booking", "booking.email": "Email", "get_provider_display": "Paid through",
                       "get_status_display": "Status", "stripe_payment_intent_id": "Stripe payment"}
    export_filename = "payments"


bookings_viewset = BookingViewSet("bookings_admin", url_prefix="bookings")


# The log is written by the planner and the send task only.
register_permission_policy(EmailLog, ServiceOwnedPolicy(EmailLog, owned_actions={"add", "change", "delete"}))


class EmailLogViewSet(ScopedViewSetMixin, ModelViewSet):
    """Every message planned or sent, with what the ESP said about its delivery."""

    model = EmailLog
    cohort_path = "booking__cohort"
    icon = "mail"
    menu_label = "Emails"
    menu_order = 170
    add_to_admin_menu = True
    copy_view_enabled = False
    inspect_view_enabled = True
    list_display = ["to", "kind", "status", "due_at", "sent_at", "delivery_status"]
    list_filter = ["kind", "status", "delivery_status"]
    search_fields = ["to", "subject"]
    form_fields = ["to"]


# A message goes out as soon as it is saved: it is never edited or deleted afterwards.
register_permission_policy(
    CohortMessage, ServiceOwnedPolicy(CohortMessage, owned_actions={"change", "delete"})
)


class CohortMessageCreateView(generic.CreateView):
    def save_instance(self):
        self.form.instance.author = self.request.user
        return super().save_instance()


class CohortMessageViewSet(ScopedViewSetMixin, ModelViewSet):
    """Write to every confirmed participant of a cohort, or of one session; sent by the task queue."""

    model = CohortMessage
    icon = "mail"
    menu_label = "Message a cohort"
    add_view_class = CohortMessageCreateView
    copy_view_enabled = False
    inspect_view_enabled = True
    list_display = ["subject", "cohort", "session", "created_at", "author"]
    list_select_related = ("cohort__program", "session__cohort__program", "author")
    filterset_class = cohort_filterset(CohortMessage)

    def get_form_class(self, for_update=False):
        return CohortMessageForm


@hooks.register("register_admin_viewset")
def register_cohort_messages_admin():
    return CohortMessageViewSet("cohort_messages", url_prefix="cohort-messages")


@hooks.register("register_admin_viewset")
def register_bookings_admin():
    return bookings_viewset


@hooks.register("register_admin_viewset")
def register_payments_admin():
    return PaymentViewSet("payments_admin", url_prefix="payments")


@hooks.register("register_admin_viewset")
def register_email_log_admin():
    return EmailLogViewSet("email_log", url_prefix="emails")


@hooks.register("register_admin_urls")
def register_booking_action_urls():
    return [
        path("bookings/<int:pk>/act/<slug:action>/", booking_action, name="bookings_booking_action"),
        path("bookings/<int:booking_id>/intake/", roster_views.intake_answers, name="bookings_intake"),
        path("cohorts/<int:cohort_id>/roster/", roster_views.roster, name="bookings_roster"),
        path("sessions/<int:session_id>/attendance/", roster_views.attendance, name="bookings_attendance"),
        path("waitlist/<int:entry_id>/offer/", roster_views.offer_waitlist_seat, name="bookings_offer_seat"),
        path("cohorts/<int:cohort_id>/roster-with-intake.<str:file_format>", roster_views.roster_with_intake_export,
             name="bookings_roster_intake_export"),
        path("cohorts/<int:cohort_id>/attendance.<str:file_format>", roster_views.attendance_export,
             name="bookings_attendance_export"),
    ]


@hooks.register("register_log_actions")
def register_booking_log_actions(actions):
    audit.register_log_actions(actions)


@hooks.register("construct_homepage_panels")
def add_week_ahead_panel(request, panels):
    if request.user.has_perm("programs.view_cohort"):
        panels.append(WeekAheadPanel(request))
