"""Card payments end to end: the real stripe SDK against the local stand-in, webhooks signed for real."""

import json
from datetime import datetime, timedelta, timezone as dt_timezone
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from bookings.models import Booking, BookingState, EmailKind, EmailLog, Payment, PaymentStatus, Refund, StripeEvent
from bookings.services.cancelling import cancel_booking
from bookings.services.payments import start_checkout
from bookings.services.placing import place_booking
from tests.bookings.helpers import NOW, participant_for
from tests.factories import CohortFactory, add_program, build_site
from tests.stripe_stand_in import sign_payload

pytestmark = pytest.mark.django_db

WEBHOOK_SECRET = "whsec_test_secret"


@pytest.fixture(autouse=True)
def stripe_on(stripe_stand_in, settings):
    settings.STRIPE_SECRET_KEY = stripe_stand_in.api_key
    settings.STRIPE_API_BASE = stripe_stand_in.base_url
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    return stripe_stand_in



@pytest.fixture
def cohort():
    _, index = build_site()
    program = add_program(index, title="Online circle")
    return CohortFactory(program=program, price=Decimal("180.00"), capacity=1)


def hold(cohort, n=1) -> Booking:
    return place_booking(cohort_id=cohort.pk, participant=participant_for(cohort.program, n), payment_method="stripe")


def checkout(booking) -> str:
    start_checkout(booking_id=booking.pk, success_url="http://testserver/ok", cancel_url="http://testserver/no")
    return Payment.objects.get(booking=booking).stripe_checkout_session_id


def deliver(client, event: dict, *, secret=WEBHOOK_SECRET, timestamp=None, signature=None):
    payload = json.dumps(event).encode()
    header = signature if signature is not None else sign_payload(payload, secret, timestamp=timestamp)
    return client.post(
        reverse("bookings:stripe-webhook"), payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=header
    )


def state_of(booking) -> tuple:
    booking.refresh_from_db()
    payment = booking.payments.first()
    return booking.state, payment.status if payment else None


def test_booking_by_card_holds_a_seat_and_its_page_goes_to_checkout_with_the_hold_as_expiry(client, cohort, stripe_stand_in):
    data = {"name": "Robin", "email": "robin@example.org", "consent": "on", "time_zone": "Europe/Paris"}
    answer = client.post(reverse("bookings:book", args=[cohort.pk]), data)
    # The booking page (and its Pay button) is reached from the email only: the form's answer
    # must not tell whether the address had a place already.
    assert answer["Location"] == reverse("bookings:booked", args=[cohort.pk])
    booking = Booking.objects.get()
    assert EmailLog.objects.filter(booking=booking, kind=EmailKind.BOOKING_LINK).exists()
    response = client.post(reverse("bookings:pay", args=[booking.code]))

    payment = booking.payments.get()
    assert response.status_code == 302
    assert response["Location"] == payment.checkout_url
    assert response["Location"].startswith(stripe_stand_in.base_url + "/pay/cs_test_")
    session = stripe_stand_in.session(payment.stripe_checkout_session_id)
    booking.refresh_from_db()  # the hold follows Stripe's 30-minute floor for a session's life
    assert session["expires_at"] == int(booking.hold_expires_at.timestamp())
    assert session["client_reference_id"] == str(booking.pk)
    assert session["metadata"] == {"booking_id": str(booking.pk), "payment_id": str(payment.pk)}
    assert session["amount_total"] == 18000
    (create,) = [r for r in stripe_stand_in.requests if r.path == "/v1/checkout/sessions"]
    assert create.idempotency_key == f"booking-{booking.pk}-payment-{payment.pk}-checkout"
    assert booking.participant_time_zone == "Europe/Paris"


def test_starting_checkout_twice_gives_the_same_session(cohort, stripe_stand_in):
    booking = hold(cohort)
    first = start_checkout(booking_id=booking.pk, success_url="http://t/ok", cancel_url="http://t/no")
    second = start_checkout(booking_id=booking.pk, success_url="http://t/ok", cancel_url="http://t/no")
    assert first == second
    assert len([r for r in stripe_stand_in.requests if r.path == "/v1/checkout/sessions"]) == 1


def test_stripe_down_keeps_the_hold_and_a_retry_uses_the_same_key(client, cohort, stripe_stand_in):
    booking = hold(cohort)
    stripe_stand_in.fail_next(500)
    response = client.post(reverse("bookings:pay", args=[booking.code]))
    assert response.status_code == 302 and response["Location"] == booking.get_absolute_url()
    assert state_of(booking) == (BookingState.HELD, PaymentStatus.PENDING)

    response = client.post(reverse("bookings:pay", args=[booking.code]))
    assert response["Location"].startswith(stripe_stand_in.base_url)
    keys = {r.idempotency_key for r in stripe_stand_in.requests if r.path == "/v1/checkout/sessions"}
    assert len(keys) == 1


def test_completed_webhook_confirms_and_a_duplicate_changes_nothing(client, cohort, stripe_stand_in):
    booking = hold(cohort)
    session_id = checkout(booking)
    event = stripe_stand_in.event("checkout.session.completed", stripe_stand_in.complete(session_id))

    assert deliver(client, event).status_code == 200
    assert state_of(booking) == (BookingState.CONFIRMED, PaymentStatus.SUCCEEDED)
    confirmed_at = booking.confirmed_at

    assert deliver(client, event).status_code == 200
    assert state_of(booking) == (BookingState.CONFIRMED, PaymentStatus.SUCCEEDED)
    assert booking.confirmed_at == confirmed_at
    assert StripeEvent.objects.filter(event_id=event["id"]).count() == 1


def test_expired_arriving_after_completed_does_not_undo_the_payment(client, cohort, stripe_stand_in):
    booking = hold(cohort)
    session_id = checkout(booking)
    completed = stripe_stand_in.event("checkout.session.completed", stripe_stand_in.complete(session_id))
    stale_expired = stripe_stand_in.event("checkout.session.expired", {**stripe_stand_in.session(session_id), "status": "expired"})

    deliver(client, completed)
    deliver(client, stale_expired)

    assert state_of(booking) == (BookingState.CONFIRMED, PaymentStatus.SUCCEEDED)


def test_expired_checkout_releases_the_hold(client, cohort, stripe_stand_in):
    booking = hold(cohort)
    session_id = checkout(booking)
    deliver(client, stripe_stand_in.event("checkout.session.expired", stripe_stand_in.expire(session_id)))
    assert state_of(booking) == (BookingState.EXPIRED, PaymentStatus.EXPIRED)
    assert hold(cohort, 2).state == BookingState.HELD  # the seat is free again


@pytest.mark.parametrize(
    "tamper",
    [
        {"secret": "whsec_wrong"},
        {"signature": ""},
        {"signature": "t=1,v1=deadbeef"},
        {"timestamp": int(NOW.timestamp()) - 3600},  # a replay of an old delivery
    ],
)
def test_a_bad_signature_is_400_and_changes_nothing(client, cohort, stripe_stand_in, tamper):
    booking = hold(cohort)
    session_id = checkout(booking)
    event = stripe_stand_in.event("checkout.session.completed", stripe_stand_in.complete(session_id))
    assert deliver(client, event, **tamper).status_code == 400
    assert state_of(booking) == (BookingState.HELD, PaymentStatus.PENDING)
    assert StripeEvent.objects.count() == 0


def test_a_tampered_payload_is_400(client, cohort, stripe_stand_in):
    booking = hold(cohort)
    session_id = checkout(booking)
    event = stripe_stand_in.event("checkout.session.completed", stripe_stand_in.complete(session_id))
    payload = json.dumps(event).encode()
    header = sign_payload(payload, WEBHOOK_SECRET)
    response = client.post(
        reverse("bookings:stripe-webhook"), payload.replace(b"complete", b"COMPLETE"),
        content_type="application/json", HTTP_STRIPE_SIGNATURE=header,
    )
    assert response.status_code == 400


def test_an_event_for_an_unknown_session_is_acknowledged_and_ignored(client, cohort, stripe_stand_in):
    ghost = {"id": "cs_test_not_ours", "object": "checkout.session", "status": "complete"}
    response = deliver(client, stripe_stand_in.event("checkout.session.completed", ghost))
    assert response.status_code == 200
    assert StripeEvent.objects.count() == 1
    assert Booking.objects.count() == 0


def test_an_event_type_we_do_not_use_is_acknowledged(client, stripe_stand_in):
    response = deliver(client, stripe_stand_in.event("customer.created", {"id": "cus_1", "object": "customer"}))
    assert response.status_code == 200


def test_returning_from_checkout_before_the_webhook_confirms_then_the_webhook_changes_nothing(
    client, cohort, stripe_stand_in
):
    booking = hold(cohort)
    session_id = checkout(booking)
    event = stripe_stand_in.event("checkout.session.completed", stripe_stand_in.complete(session_id))

    response = client.get(booking.get_absolute_url() + f"?checkout_session_id={session_id}")
    assert response.status_code == 302
    assert state_of(booking) == (BookingState.CONFIRMED, PaymentStatus.SUCCEEDED)

    assert deliver(client, event).status_code == 200
    assert state_of(booking) == (BookingState.CONFIRMED, PaymentStatus.SUCCEEDED)
    assert Payment.objects.count() == 1 and Refund.objects.count() == 0


def test_returning_from_checkout_after_the_webhook_changes_nothing(client, cohort, stripe_stand_in):
    booking = hold(cohort)
    session_id = checkout(booking)
    deliver(client, stripe_stand_in.event("checkout.session.completed", stripe_stand_in.complete(session_id)))
    paid_at = Payment.objects.get().paid_at

    client.get(booking.get_absolute_url() + f"?checkout_session_id={session_id}")

    assert state_of(booking) == (BookingState.CONFIRMED, PaymentStatus.SUCCEEDED)
    assert Payment.objects.get().paid_at == paid_at


def test_a_session_id_of_another_booking_on_return_is_ignored(client, cohort, stripe_stand_in):
    cohort.capacity = 2
    cohort.save()
    mine, theirs = hold(cohort, 1), hold(cohort, 2)
    checkout(mine)
    their_session = checkout(theirs)
    stripe_stand_in.complete(their_session)
    client.get(mine.get_absolute_url() + f"?checkout_session_id={their_session}")
    assert state_of(theirs) == (BookingState.HELD, PaymentStatus.PENDING)


def test_a_payment_after_the_seat_was_given_away_is_refunded_in_full(
    client, cohort, stripe_stand_in, django_capture_on_commit_callbacks
):
    late = hold(cohort, 1)
    session_id = checkout(late)
    with time_machine.travel(NOW + timedelta(minutes=40), tick=False):
        someone_else = place_booking(
            cohort_id=cohort.pk, participant=participant_for(cohort.program, 2), payment_method="stripe"
        )
        assert someone_else.state == BookingState.HELD
        event = stripe_stand_in.event("checkout.session.completed", stripe_stand_in.complete(session_id))
        with django_capture_on_commit_callbacks(execute=True):
            deliver(client, event)

    late.refresh_from_db()
    assert late.state == BookingState.CANCELLED
    assert "refunded the full amount" in late.cancellation_reason
    refund = Refund.objects.get()
    assert refund.amount == Decimal("180.00") and refund.status == "succeeded" and refund.stripe_refund_id
    (refund_request,) = [r for r in stripe_stand_in.requests if r.path == "/v1/refunds"]
    assert refund_request.idempotency_key == f"refund-{refund.pk}"
    assert refund_request.params["amount"] == "18000"


def test_a_late_payment_keeps_the_seat_when_nobody_took_it(client, cohort, stripe_stand_in):
    booking = hold(cohort)
    session_id = checkout(booking)
    with time_machine.travel(NOW + timedelta(minutes=40), tick=False):
        deliver(client, stripe_stand_in.event("checkout.session.completed", stripe_stand_in.complete(session_id)))
    assert state_of(booking) == (BookingState.CONFIRMED, PaymentStatus.SUCCEEDED)
    assert Refund.objects.count() == 0


def test_a_bank_payment_keeps_the_seat_while_it_clears_then_confirms(client, cohort, stripe_stand_in):
    booking = hold(cohort)
    session_id = checkout(booking)
    pending = stripe_stand_in.complete(session_id, async_pending=True)
    deliver(client, stripe_stand_in.event("checkout.session.completed", pending))
    assert state_of(booking) == (BookingState.AWAITING_PAYMENT, PaymentStatus.PROCESSING)

    with time_machine.travel(NOW + timedelta(days=2), tick=False):
        succeeded = stripe_stand_in.async_succeed(session_id)
        deliver(client, stripe_stand_in.event("checkout.session.async_payment_succeeded", succeeded))
    assert state_of(booking) == (BookingState.CONFIRMED, PaymentStatus.SUCCEEDED)


def test_a_failed_bank_payment_releases_the_seat(client, cohort, stripe_stand_in):
    booking = hold(cohort)
    session_id = checkout(booking)
    deliver(client, stripe_stand_in.event("checkout.session.completed", stripe_stand_in.complete(session_id, async_pending=True)))
    deliver(client, stripe_stand_in.event("checkout.session.async_payment_failed", stripe_stand_in.async_fail(session_id)))
    assert state_of(booking) == (BookingState.CANCELLED, PaymentStatus.FAILED)
    assert hold(cohort, 2).state == BookingState.HELD


def test_cancelling_a_paid_place_refunds_by_policy_and_charge_refunded_reconciles(
    client, cohort, stripe_stand_in, django_capture_on_commit_callbacks
):
    booking = hold(cohort)
    session_id = checkout(booking)
    deliver(client, stripe_stand_in.event("checkout.session.completed", stripe_stand_in.complete(session_id)))

    # 10 days before the first session (9 March): between 7 and 14 days, so half back.
    with time_machine.travel(datetime(2027, 2, 27, 12, 0, tzinfo=dt_timezone.utc), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            cancel_booking(booking_id=booking.pk)
    refund = Refund.objects.get()
    assert refund.amount == Decimal("90.00") and refund.status == "succeeded"

    intent = stripe_stand_in.session(session_id)["payment_intent"]
    event = stripe_stand_in.charge_refunded_event(intent)
    deliver(client, event)
    deliver(client, event)
    assert Refund.objects.count() == 1
    assert sum(r.amount for r in Refund.objects.all()) == Decimal("90.00")


def test_charge_refunded_from_the_dashboard_is_recorded(client, cohort, stripe_stand_in):
    booking = hold(cohort)
    session_id = checkout(booking)
    deliver(client, stripe_stand_in.event("checkout.session.completed", stripe_stand_in.complete(session_id)))
    intent = stripe_stand_in.session(session_id)["payment_intent"]
    charge = {"id": "ch_1", "object": "charge", "payment_intent": intent, "amount": 18000, "amount_refunded": 18000,
              "refunded": True, "currency": "gbp"}
    deliver(client, stripe_stand_in.event("charge.refunded", charge))
    refund = Refund.objects.get()
    assert refund.amount == Decimal("180.00") and refund.reason == "Refunded in Stripe"


def test_a_refund_that_could_not_reach_stripe_is_sent_by_the_next_tick(
    client, cohort, stripe_stand_in, django_capture_on_commit_callbacks
):
    from django.core.management import call_command

    booking = hold(cohort)
    session_id = checkout(booking)
    deliver(client, stripe_stand_in.event("checkout.session.completed", stripe_stand_in.complete(session_id)))
    stripe_stand_in.fail_next(500)
    with django_capture_on_commit_callbacks(execute=True):
        cancel_booking(booking_id=booking.pk)  # the refund task fails: Stripe answered 500
    refund = Refund.objects.get()
    assert refund.status == "pending" and refund.stripe_refund_id is None

    call_command("bookings_tick")  # too soon: the first attempt may still be under way
    refund.refresh_from_db()
    assert refund.stripe_refund_id is None
    with time_machine.travel(NOW + timedelta(minutes=10), tick=False):
        call_command("bookings_tick")
        call_command("bookings_tick")
    refund.refresh_from_db()
    assert refund.status == "succeeded" and refund.stripe_refund_id
    assert len([r for r in stripe_stand_in.requests if r.path == "/v1/refunds"]) == 2  # the failed one and the retry


def test_a_pay_later_place_can_be_paid_now_by_card(client, stripe_stand_in):
    _, index = build_site()
    program = add_program(index, title="Later circle", allow_pay_later=True)
    cohort = CohortFactory(program=program, price=Decimal("80.00"))
    booking = place_booking(cohort_id=cohort.pk, participant=participant_for(program, 1), payment_method="pay_later")
    assert "now by card" in client.get(booking.get_absolute_url()).content.decode()

    response = client.post(reverse("bookings:pay", args=[booking.code]))
    assert response["Location"].startswith(stripe_stand_in.base_url)
    payment = booking.payments.get()
    assert stripe_stand_in.session(payment.stripe_checkout_session_id)["expires_at"] == int((NOW + timedelta(hours=23)).timestamp())
    deliver(client, stripe_stand_in.event("checkout.session.completed", stripe_stand_in.complete(payment.stripe_checkout_session_id)))
    assert state_of(booking) == (BookingState.CONFIRMED, PaymentStatus.SUCCEEDED)


def test_an_abandoned_pay_now_checkout_is_replaced_by_a_fresh_one(client, stripe_stand_in):
    _, index = build_site()
    program = add_program(index, title="Later circle", allow_pay_later=True)
    booking = place_booking(cohort_id=CohortFactory(program=program).pk, participant=participant_for(program, 1),
                            payment_method="pay_later")
    client.post(reverse("bookings:pay", args=[booking.code]))
    with time_machine.travel(NOW + timedelta(days=1), tick=False):
        response = client.post(reverse("bookings:pay", args=[booking.code]))
    assert response["Location"].startswith(stripe_stand_in.base_url)
    assert list(booking.payments.values_list("status", flat=True)) == [PaymentStatus.EXPIRED, PaymentStatus.PENDING]
    assert booking.state == BookingState.AWAITING_PAYMENT
