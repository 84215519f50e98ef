"""Staff actions on one booking in the Wagtail admin; each calls one service."""

from decimal import Decimal

from django import forms
from django.contrib.auth.decorators import permission_required
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from wagtail.admin import messages
from wagtail.admin.views import generic

from bookings.exceptions import BookingError
from bookings.exports import plain_text_cell
from bookings.models import Booking, BookingState
from bookings.services.cancelling import amount_paid, cancel_booking
from bookings.services.payments import mark_paid
from bookings.services.placing import approve_application, decline_application
from bookings.services.moving import move_booking
from bookings.services.privacy import erase_participant
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
    confirm = forms.BooleanField(label="Erase this participant's personal data from every booking with their address")


class StaffCancelForm(forms.Form):
    refund = forms.DecimalField(min_value=Decimal("0"), decimal_places=2, max_digits=8, label="Refund amount")
    reason = forms.CharField(max_length=300, required=False)


ACTIONS = {
    # name: (label, form class, allowed states)
    "approve": ("Approve the application", MessageForm, {BookingState.APPLIED}),
    "decline": ("Decline the application", DeclineForm, {BookingState.APPLIED}),
    "mark-paid": ("Mark as paid", MarkPaidForm, {BookingState.AWAITING_PAYMENT}),
    "move": ("Move to another cohort", MoveForm, {BookingState.HELD, BookingState.AWAITING_PAYMENT, BookingState.CONFIRMED}),
    "erase": ("Erase personal data", StaffEraseForm, set(BookingState.values)),
    "cancel": (
        "Cancel the booking",
        StaffCancelForm,
        {BookingState.APPLIED, BookingState.HELD, BookingState.AWAITING_PAYMENT, BookingState.CONFIRMED},
    ),
}


def actions_for(booking: Booking) -> list[tuple[str, str]]:
    return [(name, label) for name, (label, _, states) in ACTIONS.items() if booking.state in states]


@permission_required("bookings.change_booking", raise_exception=True)
def booking_action(request, pk: int, action: str):
    visible = scope_to_user(Booking.objects.select_related("cohort__program"), request.user, cohort_path="cohort")
    booking = get_object_or_404(visible, pk=pk)
    if action not in ACTIONS:
        return redirect("bookings_admin:inspect", pk)
    label, form_class, states = ACTIONS[action]
    initial = {"refund": amount_paid(booking)} if action == "cancel" else None
    extra = {"booking": booking, "user": request.user} if form_class is MoveForm else {}
    form = form_class(request.POST or None, initial=initial, **extra)
    if request.method == "POST" and booking.state not in states:
        form.add_error(None, f"This booking is now “{booking.get_state_display()}”, so this no longer applies.")
    elif request.method == "POST" and form.is_valid():
        try:
            _run(action, booking, form.cleaned_data)
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


def _run(action: str, booking: Booking, data: dict) -> None:
    if action == "approve":
        approve_application(booking_id=booking.pk, message=data["message"])
    elif action == "decline":
        decline_application(booking_id=booking.pk, message=data["message"])
    elif action == "mark-paid":
        mark_paid(booking_id=booking.pk, note=data["note"])
    elif action == "move":
        move_booking(booking_id=booking.pk, to_cohort_id=data["cohort"].pk)
    elif action == "erase":
        erase_participant(email=booking.email, reason="Erased at the participant's request, by staff")
    elif action == "cancel":
        cancel_booking(booking_id=booking.pk, by_staff=True, refund_amount=data["refund"], reason=data["reason"])


class SafeExportIndexView(generic.IndexView):
    """The admin's list of bookings or payments, whose CSV/XLSX export carries no live formula."""

    def preprocess_field_value(self, field, value, export_format):
        return plain_text_cell(super().preprocess_field_value(field, value, export_format))


class BookingInspectView(generic.InspectView):
    template_name = "bookings/admin/booking_inspect.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["booking_actions"] = [
            (label, reverse("bookings_booking_action", args=[self.object.pk, name]))
            for name, label in actions_for(self.object)
        ]
        return context
