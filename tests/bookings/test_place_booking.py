"""Taking a place: the seat rule, the booking window, tiers, screening, and nothing written on refusal."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.test import override_settings

from bookings.exceptions import AlreadyBooked, BookingClosed, CohortFull, InvalidChoice, NotAllowedNow
from bookings.models import Booking, BookingState, PaymentMethod
from bookings.seats import seats_taken
from bookings.services.placing import (
    approve_application,
    decline_application,
    expire_lapsed_holds,
    place_booking,
)
from programs.models import Cohort, ProgramPriceTier
from tests.bookings.helpers import NOW, participant_for
from tests.factories import CohortFactory, add_program, build_site

pytestmark = pytest.mark.django_db




@pytest.fixture
def index():
    return build_site()[1]


@pytest.fixture
def free_cohort(index):
    program = add_program(index, title="Free circle", default_price=Decimal("0"))
    return CohortFactory(program=program, price=Decimal("0"), capacity=2)


@pytest.fixture
def paid_cohort(index):
    program = add_program(index, title="Paid circle", allow_pay_later=True)
    return CohortFactory(program=program, price=Decimal("120.00"), capacity=2)


def test_a_free_place_is_confirmed_at_once(free_cohort):
    booking = place_booking(cohort_id=free_cohort.pk, participant=participant_for(free_cohort.program))
    assert booking.state == BookingState.CONFIRMED
    assert booking.payment_method == PaymentMethod.FREE
    assert len(booking.code) >= 22  # at least 128 bits of URL-safe base64
    assert booking.consent_given_at == NOW
    assert booking.consent_text.startswith("I have read this note about Free circle")
    assert len(booking.consent_version) == 16


def test_pay_later_confirms_with_a_due_date_before_the_first_session(paid_cohort):
    booking = place_booking(cohort_id=paid_cohort.pk, participant=participant_for(paid_cohort.program))
    assert booking.state == BookingState.AWAITING_PAYMENT
    assert booking.payment_due_on == date(2027, 3, 2)  # 7 days before Tue 9 Mar 2027
    assert booking.amount == Decimal("120.00")


@override_settings(STRIPE_SECRET_KEY="sk_test_x")
def test_card_payment_holds_the_seat_for_the_hold_time(paid_cohort):
    booking = place_booking(
        cohort_id=paid_cohort.pk, participant=participant_for(paid_cohort.program), payment_method="stripe"
    )
    assert booking.state == BookingState.HELD
    assert booking.hold_expires_at == NOW + timedelta(minutes=30)
    assert seats_taken(cohort_id=paid_cohort.pk, now=NOW) == 1
    assert seats_taken(cohort_id=paid_cohort.pk, now=NOW + timedelta(minutes=31)) == 0


def test_a_full_cohort_refuses_and_writes_nothing(free_cohort):
    for n in range(2):
        place_booking(cohort_id=free_cohort.pk, participant=participant_for(free_cohort.program, n))
    with pytest.raises(CohortFull):
        place_booking(cohort_id=free_cohort.pk, participant=participant_for(free_cohort.program, 9))
    assert Booking.objects.count() == 2


@override_settings(STRIPE_SECRET_KEY="sk_test_x")
def test_an_expired_hold_frees_its_seat_without_any_job_running(paid_cohort):
    program = paid_cohort.program
    for n in range(2):
        place_booking(cohort_id=paid_cohort.pk, participant=participant_for(program, n), payment_method="stripe")
    with pytest.raises(CohortFull):
        place_booking(cohort_id=paid_cohort.pk, participant=participant_for(program, 3), payment_method="stripe")

    with time_machine.travel(NOW + timedelta(minutes=31), tick=False):
        late = place_booking(cohort_id=paid_cohort.pk, participant=participant_for(program, 3), payment_method="stripe")
    assert late.state == BookingState.HELD
    assert Booking.objects.filter(state=BookingState.HELD).count() == 3  # the lapsed two are only tidied later

    with time_machine.travel(NOW + timedelta(minutes=31), tick=False):
        assert expire_lapsed_holds() == 2
    assert Booking.objects.filter(state=BookingState.EXPIRED).count() == 2


@override_settings(STRIPE_SECRET_KEY="sk_test_x")
def test_the_same_person_can_book_again_once_their_hold_lapsed(paid_cohort):
    program = paid_cohort.program
    place_booking(cohort_id=paid_cohort.pk, participant=participant_for(program, 1), payment_method="stripe")
    with pytest.raises(AlreadyBooked):
        place_booking(cohort_id=paid_cohort.pk, participant=participant_for(program, 1, email="PERSON1@example.org"))
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        again = place_booking(cohort_id=paid_cohort.pk, participant=participant_for(program, 1), payment_method="stripe")
    assert again.state == BookingState.HELD
    assert Booking.objects.filter(email__iexact="person1@example.org").count() == 2


def test_a_second_booking_with_the_same_email_is_refused(free_cohort):
    place_booking(cohort_id=free_cohort.pk, participant=participant_for(free_cohort.program, 1))
    with pytest.raises(AlreadyBooked):
        place_booking(cohort_id=free_cohort.pk, participant=participant_for(free_cohort.program, 1, name="Other name"))
    assert Booking.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"status": Cohort.Status.CLOSED}, "not taking bookings"),
        ({"status": Cohort.Status.DRAFT}, "not taking bookings"),
        ({"booking_opens_at": NOW + timedelta(days=1)}, "has not opened yet"),
        ({"booking_closes_at": NOW - timedelta(minutes=1)}, "has closed"),
        ({"start_date": date(2026, 11, 17)}, "already started"),
    ],
)
def test_a_closed_booking_window_refuses_and_writes_nothing(free_cohort, change, message):
    Cohort.objects.filter(pk=free_cohort.pk).update(**change)
    if "start_date" in change:
        free_cohort.refresh_from_db()
        from programs.services import expand_schedule

        expand_schedule(cohort_id=free_cohort.pk)
    with pytest.raises(BookingClosed, match=message):
        place_booking(cohort_id=free_cohort.pk, participant=participant_for(free_cohort.program))
    assert Booking.objects.count() == 0


def test_a_tier_must_be_one_of_the_programs_own(index, paid_cohort):
    program = paid_cohort.program
    supported = ProgramPriceTier.objects.create(program=program, label="Supported", amount=Decimal("60.00"))
    other_program = add_program(index, title="Other")
    foreign = ProgramPriceTier.objects.create(program=other_program, label="Cheap", amount=Decimal("1.00"))

    for bad in (None, foreign.pk, 999999):
        with pytest.raises(InvalidChoice):
            place_booking(cohort_id=paid_cohort.pk, participant=participant_for(program), tier_id=bad)
    assert Booking.objects.count() == 0

    booking = place_booking(cohort_id=paid_cohort.pk, participant=participant_for(program), tier_id=supported.pk)
    assert (booking.tier_label, booking.amount) == ("Supported", Decimal("60.00"))


def test_an_unoffered_payment_method_is_refused(paid_cohort):
    with pytest.raises(InvalidChoice):
        place_booking(cohort_id=paid_cohort.pk, participant=participant_for(paid_cohort.program), payment_method="stripe")
    with pytest.raises(InvalidChoice):
        place_booking(cohort_id=paid_cohort.pk, participant=participant_for(paid_cohort.program), payment_method="free")
    assert Booking.objects.count() == 0


def test_a_paid_program_without_stripe_or_pay_later_cannot_be_booked_online(index):
    program = add_program(index, title="Card only")
    cohort = CohortFactory(program=program)
    with pytest.raises(BookingClosed, match="not available"):
        place_booking(cohort_id=cohort.pk, participant=participant_for(program))


def test_screening_applies_without_a_seat_then_approval_takes_one(index):
    program = add_program(index, title="Screened", requires_screening=True, default_price=Decimal("0"))
    cohort = CohortFactory(program=program, price=Decimal("0"), capacity=1)
    first = place_booking(cohort_id=cohort.pk, participant=participant_for(program, 1))
    second = place_booking(cohort_id=cohort.pk, participant=participant_for(program, 2))
    assert (first.state, second.state) == (BookingState.APPLIED, BookingState.APPLIED)
    assert seats_taken(cohort_id=cohort.pk, now=NOW) == 0

    approved = approve_application(booking_id=first.pk, message="Welcome!")
    assert approved.state == BookingState.CONFIRMED
    assert approve_application(booking_id=first.pk).state == BookingState.CONFIRMED  # double click
    with pytest.raises(CohortFull):
        approve_application(booking_id=second.pk)
    second.refresh_from_db()
    assert second.state == BookingState.APPLIED

    declined = decline_application(booking_id=second.pk, message="This group may not be the right fit just now.")
    assert declined.state == BookingState.DECLINED
    with pytest.raises(NotAllowedNow):
        approve_application(booking_id=second.pk)


@pytest.fixture
def drop_in_cohort(index):
    program = add_program(index, title="Drop-in circle", allow_pay_later=True)
    return CohortFactory(program=program, price=Decimal("120.00"), capacity=2, allow_drop_ins=True,
                         drop_in_price=Decimal("20.00"), weeks=3)


def test_a_drop_in_takes_a_seat_in_its_session_only(drop_in_cohort):
    program = drop_in_cohort.program
    first, second, third = drop_in_cohort.sessions.order_by("starts_at")
    a = place_booking(cohort_id=drop_in_cohort.pk, participant=participant_for(program, 1), session_id=second.pk)
    assert (a.session_id, a.amount, a.tier_label) == (second.pk, Decimal("20.00"), "Drop-in")
    place_booking(cohort_id=drop_in_cohort.pk, participant=participant_for(program, 2), session_id=second.pk)

    with pytest.raises(CohortFull):  # session two is full
        place_booking(cohort_id=drop_in_cohort.pk, participant=participant_for(program, 3), session_id=second.pk)
    with pytest.raises(CohortFull):  # a whole-course place needs a seat in session two too
        place_booking(cohort_id=drop_in_cohort.pk, participant=participant_for(program, 3))
    assert place_booking(cohort_id=drop_in_cohort.pk, participant=participant_for(program, 3), session_id=third.pk)
    assert Booking.objects.count() == 3


def test_a_person_may_drop_in_to_several_sessions_but_not_twice_to_one(drop_in_cohort):
    program = drop_in_cohort.program
    first, second, _ = drop_in_cohort.sessions.order_by("starts_at")
    place_booking(cohort_id=drop_in_cohort.pk, participant=participant_for(program, 1), session_id=first.pk)
    place_booking(cohort_id=drop_in_cohort.pk, participant=participant_for(program, 1), session_id=second.pk)
    with pytest.raises(AlreadyBooked):
        place_booking(cohort_id=drop_in_cohort.pk, participant=participant_for(program, 1), session_id=second.pk)
    assert Booking.objects.count() == 2


def test_drop_ins_need_the_cohort_to_allow_them_and_a_session_of_its_own(index, drop_in_cohort):
    program = drop_in_cohort.program
    other = CohortFactory(program=program, price=Decimal("120.00"))
    with pytest.raises(InvalidChoice):
        place_booking(cohort_id=other.pk, participant=participant_for(program), session_id=other.sessions.first().pk)
    with pytest.raises(InvalidChoice):  # a session of another cohort: a tampered id
        place_booking(cohort_id=drop_in_cohort.pk, participant=participant_for(program), session_id=other.sessions.first().pk)
    assert Booking.objects.count() == 0


def test_the_booking_form_offers_single_sessions(client, drop_in_cohort):
    from django.urls import reverse

    second = drop_in_cohort.sessions.order_by("starts_at")[1]
    body = client.get(reverse("bookings:book", args=[drop_in_cohort.pk])).content.decode()
    assert "The whole course (£120.00)" in body
    assert "Only Tue 16 Mar, 19:00" in body
    response = client.post(
        reverse("bookings:book", args=[drop_in_cohort.pk]),
        {"name": "Kim", "email": "kim@example.org", "consent": "on", "place": str(second.pk), "payment_method": "pay_later"},
    )
    booking = Booking.objects.get()
    assert response.status_code == 302
    assert (booking.session_id, booking.amount) == (second.pk, Decimal("20.00"))


def changed_just_before_the_lock(monkeypatch, change):
    """Run `change` (another person's committed edit) between place_booking's first reads and its lock."""
    from bookings.services import placing

    real_lock = placing.lock_cohort_for_booking

    def lock_after_the_change(cohort):
        change()
        return real_lock(cohort)

    monkeypatch.setattr(placing, "lock_cohort_for_booking", lock_after_the_change)


def test_a_session_cancelled_while_booking_is_refused_for_a_drop_in(drop_in_cohort, monkeypatch):
    from programs.services import cancel_session

    session = drop_in_cohort.sessions.order_by("starts_at")[1]
    changed_just_before_the_lock(monkeypatch, lambda: cancel_session(session_id=session.pk, note="Facilitator unwell"))

    with pytest.raises(InvalidChoice):
        place_booking(cohort_id=drop_in_cohort.pk, participant=participant_for(drop_in_cohort.program, 1),
                      session_id=session.pk)
    assert not Booking.objects.exists()


def test_a_price_or_capacity_changed_while_booking_is_the_one_applied(drop_in_cohort, monkeypatch):
    program = drop_in_cohort.program
    changed_just_before_the_lock(
        monkeypatch, lambda: Cohort.objects.filter(pk=drop_in_cohort.pk).update(drop_in_price=Decimal("25.00"))
    )
    booking = place_booking(cohort_id=drop_in_cohort.pk, participant=participant_for(program, 1),
                            session_id=drop_in_cohort.sessions.first().pk)
    assert booking.amount == Decimal("25.00")

    changed_just_before_the_lock(monkeypatch, lambda: Cohort.objects.filter(pk=drop_in_cohort.pk).update(capacity=1))
    with pytest.raises(CohortFull):
        place_booking(cohort_id=drop_in_cohort.pk, participant=participant_for(program, 2),
                      session_id=drop_in_cohort.sessions.first().pk)


def test_a_cohort_closed_while_booking_takes_no_one(drop_in_cohort, monkeypatch):
    changed_just_before_the_lock(
        monkeypatch, lambda: Cohort.objects.filter(pk=drop_in_cohort.pk).update(status=Cohort.Status.CLOSED)
    )
    with pytest.raises(BookingClosed):
        place_booking(cohort_id=drop_in_cohort.pk, participant=participant_for(drop_in_cohort.program, 1))
    assert not Booking.objects.exists()


def test_booking_closing_while_waiting_for_the_lock_takes_no_one(drop_in_cohort, monkeypatch):
    Cohort.objects.filter(pk=drop_in_cohort.pk).update(booking_closes_at=NOW + timedelta(minutes=1))
    waited = time_machine.travel(NOW + timedelta(minutes=2), tick=False)
    changed_just_before_the_lock(monkeypatch, waited.start)
    try:
        with pytest.raises(BookingClosed):
            place_booking(cohort_id=drop_in_cohort.pk, participant=participant_for(drop_in_cohort.program, 1))
    finally:
        waited.stop()
    assert not Booking.objects.exists()


def test_a_drop_in_in_a_cancelled_session_no_longer_blocks_a_whole_course_place(drop_in_cohort):
    from programs.services import cancel_session

    program = drop_in_cohort.program
    second = drop_in_cohort.sessions.order_by("starts_at")[1]
    for n in (1, 2):  # session two is full of drop-ins, so no whole-course place is left
        place_booking(cohort_id=drop_in_cohort.pk, participant=participant_for(program, n), session_id=second.pk)
    with pytest.raises(CohortFull):
        place_booking(cohort_id=drop_in_cohort.pk, participant=participant_for(program, 3))

    cancel_session(session_id=second.pk, note="Room unavailable")

    assert seats_taken(cohort_id=drop_in_cohort.pk, now=NOW) == 0
    assert place_booking(cohort_id=drop_in_cohort.pk, participant=participant_for(program, 3))


def test_a_drop_in_stops_counting_once_its_session_is_over(drop_in_cohort):
    program = drop_in_cohort.program
    first = drop_in_cohort.sessions.order_by("starts_at")[0]
    place_booking(cohort_id=drop_in_cohort.pk, participant=participant_for(program, 1), session_id=first.pk)
    assert seats_taken(cohort_id=drop_in_cohort.pk, now=NOW) == 1

    assert seats_taken(cohort_id=drop_in_cohort.pk, now=first.ends_at + timedelta(minutes=1)) == 0
