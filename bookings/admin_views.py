"""Staff actions on one booking in the Wagtail admin; each calls one service."""

from decimal import Decimal
from typing import NamedTuple

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from wagtail.admin import messages
from wagtail.admin.views import generic
from wagtail.admin.views.generic import history

from bookings.exceptions import BookingError
from bookings.exports import plain_text_cell
from bookings.models import Booking, BookingState
from bookings.services.attendance import record_export
from bookings.services.cancelling import RefundQuote, cancel_booking, refund_quote
from bookings.services.payments import mark_paid
from bookings.services.placing import approve_application, decline_application
from bookings.services.moving import move_booking
from bookings.services.privacy import erase_booking
from programs.access import cohorts_visible_to, scope_to_user


class MessageForm(forms.Form):
    message = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=2000,
        help_text="Sent with the decision. Be kind: the person may be in a fragile place.",
    )


class DeclineForm(MessageForm):
    message = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), max_length=2000,
        initial="Thank you for applying. We don't think this group is the right fit for you just now. "
        "We would be glad to suggest other support if you would like.",
    )


class MarkPaidForm(forms.Form):
    note = forms.CharField(max_length=300, required=False, help_text='e.g. "Bank transfer received 3 March".')


class MoveForm(forms.Form):
    cohort = forms.ModelChoiceField(queryset=None, label="Move to cohort")

    def __init__(self, *args, booking, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cohort"].queryset = (
            cohorts_visible_to(user).filter(program_id=booking.cohort.program_id).exclude(pk=booking.cohort_id)
            .select_related("program")
        )


class StaffEraseForm(forms.Form):
    confirm = forms.BooleanField(label="Erase the participant's personal data from this booking")


class StaffCancelForm(forms.Form):
    refund = forms.DecimalField(min_value=Decimal("0"), decimal_places=2, max_digits=8, label="Refund amount")
    reason = forms.CharField(max_length=300, required=False)

    def __init__(self, *args, quote: RefundQuote, may_exceed_policy: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.quote, self.may_exceed_policy = quote, may_exceed_policy
        if not may_exceed_policy:
            self.fields["refund"].help_text = f"Up to {quote.amount}, what the cancellation policy gives back now."

    def clean_refund(self):
        refund = self.cleaned_data["refund"]
        if refund > self.quote.amount and not self.may_exceed_policy:
            raise forms.ValidationError(
                f"The policy gives back {self.quote.amount} now; a larger refund needs the permission to handle money."
            )
        return refund


CHANGE = "bookings.change_booking"
# Moving money: marking paid, and a refund above the policy's quote (StaffCancelForm).
HANDLE_MONEY = "bookings.handle_money"


class Action(NamedTuple):
    label: str
    form_class: type[forms.Form]
    states: set[str]
    permission: str


# The one place that says who may do what to a booking; without the permission, the form and a
# forged POST are refused (PermissionDenied) before anything is read or written.
ACTIONS = {
    "approve": Action("Approve the application", MessageForm, {BookingState.APPLIED}, CHANGE),
    "decline": Action("Decline the application", DeclineForm, {BookingState.APPLIED}, CHANGE),
    "mark-paid": Action("Mark as paid", MarkPaidForm, {BookingState.AWAITING_PAYMENT}, HANDLE_MONEY),
    "move": Action("Move to another cohort", MoveForm,
                   {BookingState.HELD, BookingState.AWAITING_PAYMENT, BookingState.CONFIRMED}, CHANGE),
    "erase": Action("Erase personal data", StaffEraseForm, set(BookingState.values), CHANGE),
    "cancel": Action(
        "Cancel the booking",
        StaffCancelForm,
        {BookingState.APPLIED, BookingState.HELD, BookingState.AWAITING_PAYMENT, BookingState.CONFIRMED},
        CHANGE,
    ),
}


def actions_for(booking: Booking, user) -> list[tuple[str, str]]:
    return [
        (name, action.label) for name, action in ACTIONS.items()
        if booking.state in action.states and user.has_perm(action.permission)
    ]


def booking_action(request, pk: int, action: str):
    if action not in ACTIONS:
        raise Http404("No such action.")
    label, form_class, states, permission = ACTIONS[action]
    if not request.user.has_perm(permission):
        raise PermissionDenied
    visible = scope_to_user(Booking.objects.select_related("cohort__program"), request.user, cohort_path="cohort")
    booking = get_object_or_404(visible, pk=pk)
    extra = {}
    if form_class is MoveForm:
        extra = {"booking": booking, "user": request.user}
    elif form_class is StaffCancelForm:
        quote = refund_quote(booking=booking)
        may_exceed_policy = request.user.has_perm(HANDLE_MONEY)
        extra = {"quote": quote, "may_exceed_policy": may_exceed_policy,
                 "initial": {"refund": quote.paid if may_exceed_policy else quote.amount}}
    form = form_class(request.POST or None, **extra)
    if request.method == "POST" and booking.state not in states:
        form.add_error(None, f"This booking is now “{booking.get_state_display()}”, so this no longer applies.")
    elif request.method == "POST" and form.is_valid():
        try:
            _run(action, booking, form.cleaned_data, acting_user=request.user)
        except BookingError as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(request, f"{label}: done for {booking.name}.")
            return redirect("bookings_admin:inspect", pk)
    return TemplateResponse(
        request,
        "bookings/admin/booking_action.html",
        {"booking": booking, "form": form, "label": label, "page_title": label,
         "back_url": reverse("bookings_admin:inspect", args=[pk])},
    )


def _run(action: str, booking: Booking, data: dict, *, acting_user) -> None:
    if action == "approve":
        approve_application(booking_id=booking.pk, message=data["message"], acting_user=acting_user)
    elif action == "decline":
        decline_application(booking_id=booking.pk, message=data["message"], acting_user=acting_user)
    elif action == "mark-paid":
        mark_paid(booking_id=booking.pk, note=data["note"], acting_user=acting_user)
    elif action == "move":
        move_booking(booking_id=booking.pk, to_cohort_id=data["cohort"].pk, acting_user=acting_user)
    elif action == "erase":
        # This booking only: the person's other bookings may sit in cohorts this user does not run.
        erase_booking(booking_id=booking.pk, acting_user=acting_user, reason="Erased at the participant's request, by staff")
    elif action == "cancel":
        cancel_booking(booking_id=booking.pk, by_staff=True, refund_amount=data["refund"], reason=data["reason"],
                       acting_user=acting_user)


class SafeExportIndexView(generic.IndexView):
    """The admin's list of bookings or payments. Its CSV/XLSX export carries no live formula, and
    counts as a look at every booking in it (recorded before the file is written)."""

    #: The path from a listed row to its booking's id.
    booking_id_path = "pk"

    def as_spreadsheet(self, queryset, spreadsheet_format):
        record_export(
            booking_ids=list(queryset.values_list(self.booking_id_path, flat=True).distinct()),
            export=f"{self.get_filename()} list", file_format=spreadsheet_format, acting_user=self.request.user,
        )
        return super().as_spreadsheet(queryset, spreadsheet_format)

    def preprocess_field_value(self, field, value, export_format):
        return plain_text_cell(super().preprocess_field_value(field, value, export_format))


class PaymentExportIndexView(SafeExportIndexView):
    booking_id_path = "booking_id"


class BookingInspectView(generic.InspectView):
    template_name = "bookings/admin/booking_inspect.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["booking_actions"] = [
            (label, reverse("bookings_booking_action", args=[self.object.pk, name]))
            for name, label in actions_for(self.object, self.request.user)
        ]
        # Emergency contact and access needs are health data: shown only behind the audited intake view.
        if self.request.user.has_perm("programs.view_cohort"):
            context["intake_url"] = reverse("bookings_intake", args=[self.object.pk])
        return context


class BookingHistoryView(history.HistoryView):
    """Who did what to a booking (bookings/audit.py), for everyone who may see the booking.

    Wagtail's default asks for add, change or delete, which no one holds on bookings
    (`ReadOnlyBookingPolicy`: they change only through the services), so the history was closed.
    """

    any_permission_required = ["view"]

    def get_base_object_queryset(self):
        return scope_to_user(super().get_base_object_queryset(), self.request.user, cohort_path="cohort")
