"""Staff work on bookings in the admin: approve, decline, mark paid, cancel with any refund."""

from decimal import Decimal

import pytest
from django.urls import reverse

from bookings.models import BookingState, Payment, Refund
from bookings.services.placing import place_booking
from tests.bookings.helpers import participant_for
from tests.factories import CohortFactory, add_program, build_site

pytestmark = pytest.mark.django_db




@pytest.fixture
def staff(staff_client):
    return staff_client


@pytest.fixture
def index():
    return build_site()[1]


def act(client, booking, action, data=None):
    return client.post(reverse("bookings_booking_action", args=[booking.pk, action]), data or {})


def test_the_booking_list_and_page_show_no_intake_answers(staff, index):
    program = add_program(index, allow_pay_later=True)
    booking = place_booking(cohort_id=CohortFactory(program=program).pk, participant=participant_for(program))
    listing = staff.get(reverse("bookings_admin:index")).content.decode()
    assert booking.name in listing
    page = staff.get(reverse("bookings_admin:inspect", args=[booking.pk])).content.decode()
    assert "Mark as paid" in page
    assert "kinder to myself" not in page
    assert staff.get(reverse("bookings_admin:edit", args=[booking.pk])).status_code in (302, 403)


def test_staff_mark_a_pay_later_booking_paid_once(staff, index):
    program = add_program(index, allow_pay_later=True)
    booking = place_booking(cohort_id=CohortFactory(program=program).pk, participant=participant_for(program))
    assert act(staff, booking, "mark-paid", {"note": "Bank transfer"}).status_code == 302
    assert act(staff, booking, "mark-paid", {"note": "Bank transfer"}).status_code == 200  # no longer offered
    booking.refresh_from_db()
    assert booking.state == BookingState.CONFIRMED
    assert Payment.objects.filter(booking=booking, provider="manual").count() == 1


def test_staff_approve_and_decline_applications_with_a_message(staff, index):
    program = add_program(index, requires_screening=True, default_price=Decimal("0"))
    cohort = CohortFactory(program=program, price=Decimal("0"))
    yes = place_booking(cohort_id=cohort.pk, participant=participant_for(program, 1))
    no = place_booking(cohort_id=cohort.pk, participant=participant_for(program, 2))

    act(staff, yes, "approve", {"message": "Welcome"})
    response = act(staff, no, "decline", {"message": ""})
    assert response.status_code == 200  # a decline needs its kind message
    act(staff, no, "decline", {"message": "Not the right time; here are other options."})

    yes.refresh_from_db(), no.refresh_from_db()
    assert yes.state == BookingState.CONFIRMED
    assert (no.state, no.screening_message) == (BookingState.DECLINED, "Not the right time; here are other options.")


def test_staff_cancel_with_any_refund_up_to_what_was_paid(staff, index):
    program = add_program(index, allow_pay_later=True)
    booking = place_booking(cohort_id=CohortFactory(program=program).pk, participant=participant_for(program))
    act(staff, booking, "mark-paid", {"note": "Cash"})

    too_much = act(staff, booking, "cancel", {"refund": "500.00", "reason": "Moved away"})
    assert too_much.status_code == 200 and "The refund must be between 0 and 120.00" in too_much.content.decode()
    booking.refresh_from_db()
    assert booking.state == BookingState.CONFIRMED

    act(staff, booking, "cancel", {"refund": "100.00", "reason": "Moved away"})
    booking.refresh_from_db()
    assert booking.state == BookingState.CANCELLED
    assert [r.amount for r in Refund.objects.all()] == [Decimal("100.00")]


def test_actions_need_the_change_permission(client, django_user_model, index):
    program = add_program(index, allow_pay_later=True)
    booking = place_booking(cohort_id=CohortFactory(program=program).pk, participant=participant_for(program))
    client.force_login(django_user_model.objects.create_user("visitor", password="pw"))
    assert act(client, booking, "mark-paid").status_code in (302, 403)
    booking.refresh_from_db()
    assert booking.state == BookingState.AWAITING_PAYMENT


def test_staff_move_a_place_to_another_cohort_of_the_program(staff, index, django_capture_on_commit_callbacks):
    from bookings.services.email_planning import plan_emails
    from bookings.services.waitlist import join_waitlist
    from bookings.models import EmailLog, WaitlistEntry

    program = add_program(index, default_price=Decimal("0"))
    spring = CohortFactory(program=program, title="Spring", price=Decimal("0"), capacity=1)
    autumn = CohortFactory(program=program, title="Autumn", price=Decimal("0"), capacity=1)
    booking = place_booking(cohort_id=spring.pk, participant=participant_for(program, 1))
    plan_emails()
    join_waitlist(cohort_id=spring.pk, name="Ana", email="ana@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        response = act(staff, booking, "move", {"cohort": autumn.pk})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.cohort_id == autumn.pk
    assert WaitlistEntry.objects.get().state == "offered"  # the freed seat went down the line
    plan_emails()
    assert EmailLog.objects.filter(kind="confirmation", booking=booking).count() == 2  # confirmed again

    other = place_booking(cohort_id=spring.pk, participant=participant_for(program, 2), waitlist_code=WaitlistEntry.objects.get().code)
    response = act(staff, other, "move", {"cohort": autumn.pk})
    assert "That cohort is full." in response.content.decode()
    other.refresh_from_db()
    assert other.cohort_id == spring.pk


def test_a_move_to_another_program_is_not_offered(staff, index):
    first, second = add_program(index, title="One", default_price=Decimal("0")), add_program(index, title="Two", default_price=Decimal("0"))
    booking = place_booking(cohort_id=CohortFactory(program=first, price=Decimal("0")).pk, participant=participant_for(first))
    elsewhere = CohortFactory(program=second, price=Decimal("0"))
    response = act(staff, booking, "move", {"cohort": elsewhere.pk})
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    booking.refresh_from_db()
    assert booking.cohort.program_id == first.pk


def test_staff_offer_a_seat_to_someone_on_the_waitlist(staff, index):
    from bookings.services.cancelling import cancel_booking
    from bookings.services.waitlist import join_waitlist

    program = add_program(index, default_price=Decimal("0"))
    cohort = CohortFactory(program=program, price=Decimal("0"), capacity=1)
    booking = place_booking(cohort_id=cohort.pk, participant=participant_for(program, 1))
    first = join_waitlist(cohort_id=cohort.pk, name="Ana", email="ana@example.org")
    second = join_waitlist(cohort_id=cohort.pk, name="Ben", email="ben@example.org")
    staff.post(reverse("bookings_offer_seat", args=[second.pk]))
    second.refresh_from_db()
    assert second.state == "waiting"  # no free seat yet
    cancel_booking(booking_id=booking.pk)
    staff.post(reverse("bookings_offer_seat", args=[second.pk]))
    first.refresh_from_db(), second.refresh_from_db()
    assert (first.state, second.state) == ("waiting", "offered")
