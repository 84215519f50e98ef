"""Every staff action on money or personal data leaves a log entry naming who did it, in the same
transaction; moving money needs its own permission, which facilitators do not hold by default."""

import json
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from wagtail.log_actions import registry as log_registry
from wagtail.models import ModelLogEntry

from bookings.models import BookingState, Payment, Refund
from bookings.services.cancelling import cancel_booking
from bookings.services.payments import mark_paid
from bookings.services.placing import place_booking
from programs.demo.loader import ensure_facilitators_group
from tests.bookings.helpers import audit_entries, participant_for
from tests.factories import CohortFactory, FacilitatorFactory, add_program, build_site

pytestmark = pytest.mark.django_db

PRIVATE = ["Ann Private", "ann@example.org", "Ben, 07700 900111", "step-free entrance", "kinder to myself",
           "Bank transfer 3 March", "Moved away"]


@pytest.fixture
def index():
    return build_site()[1]


@pytest.fixture
def program(index):
    return add_program(index, title="Circle", allow_pay_later=True)


def book(program, n=1, **fields):
    cohort = fields.pop("cohort", None) or CohortFactory(program=program, price=Decimal("120.00"))
    return place_booking(cohort_id=cohort.pk, participant=participant_for(
        program, n, name="Ann Private", email=f"ann{n or ''}@example.org".replace("ann1@", "ann@"),
        emergency_contact="Ben, 07700 900111", access_needs="step-free entrance", **fields))


def act(client, booking, action, data=None):
    return client.post(reverse("bookings_booking_action", args=[booking.pk, action]), data or {})


@pytest.fixture
def facilitator(client, django_user_model, index, program):
    """A facilitator of `program` in the Facilitators group as the demo builds it."""
    user = django_user_model.objects.create_user("maya", password="pw")
    user.groups.add(ensure_facilitators_group(index))
    program.facilitators.add(FacilitatorFactory(user=user))
    program.save()
    client.force_login(user)
    return user


def test_the_bookings_log_actions_are_registered():
    for action in ["bookings.mark_paid", "bookings.refund", "bookings.cancel", "bookings.move", "bookings.approve",
                   "bookings.decline", "bookings.view_intake", "bookings.export", "bookings.erase"]:
        assert log_registry.action_exists(action), action


def test_mark_paid_and_a_cancel_with_refund_name_the_staff_member(staff_client, program):
    booking = book(program)
    assert act(staff_client, booking, "mark-paid", {"note": "Bank transfer 3 March"}).status_code == 302
    assert act(staff_client, booking, "cancel", {"refund": "100.00", "reason": "Moved away"}).status_code == 302

    entries = list(ModelLogEntry.objects.filter(action__startswith="bookings.").order_by("pk"))
    assert [(e.action, e.user.username, e.object_id, e.label) for e in entries] == [
        ("bookings.mark_paid", "staff", str(booking.pk), f"Booking #{booking.pk}"),
        ("bookings.cancel", "staff", str(booking.pk), f"Booking #{booking.pk}"),
        ("bookings.refund", "staff", str(booking.pk), f"Booking #{booking.pk}"),
    ]
    assert entries[0].data["amount"] == "120.00" and entries[2].data["amount"] == "100.00"
    assert entries[1].data["refund"] == "100.00"


def test_move_approve_and_decline_name_the_staff_member(staff_client, index, program):
    booking = book(program)
    other = CohortFactory(program=program, title="Later")
    assert act(staff_client, booking, "move", {"cohort": other.pk}).status_code == 302
    screened = add_program(index, title="Screened", requires_screening=True, default_price=Decimal("0"))
    cohort = CohortFactory(program=screened, price=Decimal("0"))
    yes, no = book(screened, 2, cohort=cohort), book(screened, 3, cohort=cohort)
    act(staff_client, yes, "approve", {"message": "Welcome"})
    act(staff_client, no, "decline", {"message": "Not now; here are other options."})

    assert [(e.action, e.object_id, e.user.username) for e in ModelLogEntry.objects.order_by("pk")
            if e.action.startswith("bookings.")] == [
        ("bookings.move", str(booking.pk), "staff"),
        ("bookings.approve", str(yes.pk), "staff"),
        ("bookings.decline", str(no.pk), "staff"),
    ]
    assert audit_entries("bookings.move").get().data == {"from_cohort": booking.cohort_id, "to_cohort": other.pk}


def test_a_participant_cancelling_is_recorded_without_a_user(program):
    booking = book(program)
    cancel_booking(booking_id=booking.pk)
    entry = audit_entries("bookings.cancel").get()
    assert (entry.user, entry.data["by"]) == (None, "the participant")


def test_the_entry_is_written_in_the_same_transaction_as_the_change(program, monkeypatch, django_user_model):
    booking = book(program)

    def broken_log(*args, **kwargs):
        raise RuntimeError("the log is down")

    monkeypatch.setattr("bookings.audit.log", broken_log)
    with pytest.raises(RuntimeError):
        mark_paid(booking_id=booking.pk, acting_user=django_user_model.objects.create_user("s"))
    booking.refresh_from_db()
    assert booking.state == BookingState.AWAITING_PAYMENT
    assert not Payment.objects.exists()


def test_exports_and_intake_looks_are_recorded_for_each_booking(staff_client, program):
    booking = book(program)
    mark_paid(booking_id=booking.pk)
    cohort_id = booking.cohort_id
    staff_client.get(reverse("bookings_admin:index") + "?export=csv")
    staff_client.get(reverse("payments_admin:index") + "?export=xlsx")
    staff_client.get(reverse("bookings_attendance_export", args=[cohort_id, "csv"]))
    staff_client.get(reverse("bookings_roster_intake_export", args=[cohort_id, "xlsx"]))
    staff_client.get(reverse("bookings_intake", args=[booking.pk]))

    exports = audit_entries("bookings.export")
    assert list(exports.values_list("object_id", "user__username", "data")) == [
        (str(booking.pk), "staff", {"export": "roster list", "format": "csv"}),
        (str(booking.pk), "staff", {"export": "payments list", "format": "xlsx"}),
        (str(booking.pk), "staff", {"export": "attendance", "format": "csv"}),
        (str(booking.pk), "staff", {"export": "roster with intake answers", "format": "xlsx"}),
    ]
    assert audit_entries("bookings.view_intake").get().user.username == "staff"


def test_no_entry_holds_a_name_an_address_or_health_data(staff_client, program):
    booking = book(program)
    act(staff_client, booking, "mark-paid", {"note": "Bank transfer 3 March"})
    staff_client.get(reverse("bookings_intake", args=[booking.pk]))
    staff_client.get(reverse("bookings_roster_intake_export", args=[booking.cohort_id, "csv"]))
    act(staff_client, booking, "cancel", {"refund": "10.00", "reason": "Moved away"})

    written = json.dumps([(e.label, e.data) for e in ModelLogEntry.objects.filter(action__startswith="bookings.")])
    assert written.count("Booking #") == 5
    assert not [text for text in PRIVATE if text in written]


def test_the_bookings_history_and_the_site_history_show_the_entries(staff_client, program):
    booking = book(program)
    act(staff_client, booking, "mark-paid", {"note": ""})

    history = staff_client.get(reverse("bookings_admin:history", args=[booking.pk]))
    assert history.status_code == 200
    assert "Marked paid: 120.00 GBP" in history.content.decode()
    site_history = staff_client.get(reverse("wagtailadmin_reports:site_history")).content.decode()
    assert f"Booking #{booking.pk}" in site_history and "Mark paid" in site_history


def test_the_inspect_view_leaves_emergency_contact_and_access_needs_to_the_audited_view(staff_client, program):
    booking = book(program)
    page = staff_client.get(reverse("bookings_admin:inspect", args=[booking.pk])).content.decode()
    assert "07700 900111" not in page and "step-free entrance" not in page
    assert reverse("bookings_intake", args=[booking.pk]) in page
    assert not ModelLogEntry.objects.filter(action__startswith="bookings.").exists()

    intake = staff_client.get(reverse("bookings_intake", args=[booking.pk])).content.decode()
    assert "07700 900111" in intake and "step-free entrance" in intake
    assert audit_entries("bookings.view_intake").count() == 1


def test_facilitators_do_not_move_money_by_default(client, facilitator, program):
    booking = book(program)
    assert not facilitator.has_perm("bookings.handle_money")
    page = client.get(reverse("bookings_admin:inspect", args=[booking.pk])).content.decode()
    assert "Cancel the booking" in page and "Mark as paid" not in page

    forged = act(client, booking, "mark-paid", {"note": "cash"})
    # Wagtail's admin answers a PermissionDenied with its usual refusal: back to the dashboard.
    assert (forged.status_code, forged["Location"]) == (302, reverse("wagtailadmin_home"))
    booking.refresh_from_db()
    assert booking.state == BookingState.AWAITING_PAYMENT
    assert not Payment.objects.exists() and not ModelLogEntry.objects.filter(action__startswith="bookings.").exists()


def test_a_facilitator_refunds_up_to_the_policy_and_no_more(client, facilitator, program):
    booking = book(program)
    mark_paid(booking_id=booking.pk)
    program.full_refund_days, program.partial_refund_days, program.partial_refund_percent = 10_000, 10_000, 0
    program.save()  # now the policy gives nothing back

    too_much = act(client, booking, "cancel", {"refund": "50.00", "reason": ""})
    assert too_much.status_code == 200
    assert "a larger refund needs the permission to handle money" in too_much.content.decode()
    booking.refresh_from_db()
    assert booking.state == BookingState.CONFIRMED
    assert not Refund.objects.exists() and not audit_entries("bookings.cancel").exists()

    assert act(client, booking, "cancel", {"refund": "0.00", "reason": ""}).status_code == 302
    assert audit_entries("bookings.cancel").get().user == facilitator
    assert not Refund.objects.exists()


def test_a_facilitator_given_the_money_permission_marks_paid(client, facilitator, program):
    facilitator.user_permissions.add(Permission.objects.get(codename="handle_money"))
    booking = book(program)
    assert "Mark as paid" in client.get(reverse("bookings_admin:inspect", args=[booking.pk])).content.decode()
    assert act(client, booking, "mark-paid", {"note": ""}).status_code == 302
    assert audit_entries("bookings.mark_paid").get().user.username == "maya"
