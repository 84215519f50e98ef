"""The Stripe stand-in answers the real `stripe` SDK the way Stripe does."""

import json
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
import stripe
import time_machine

from tests.stripe_stand_in import (
    InvalidTransition,
    StripeStandIn,
    sign_payload,
    stripe_stand_in,  # noqa: F401 (the fixture)
)

WEBHOOK_SECRET = "whsec_test_secret"
FROZEN_NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def stand_in(stripe_stand_in: StripeStandIn) -> StripeStandIn:  # noqa: F811
    return stripe_stand_in


@pytest.fixture
def client(stand_in: StripeStandIn) -> stripe.StripeClient:
    return stripe.StripeClient(stand_in.api_key, base_addresses={"api": stand_in.base_url}, max_network_retries=0)


def checkout_params(**overrides) -> dict:
    """Two places in a workshop (2 x 180.00 EUR) plus a 5.00 EUR fee: 36 500 cents."""
    params = {
        "mode": "payment",
        "line_items": [
            {
                "quantity": 2,
                "price_data": {"currency": "eur", "unit_amount": 18000, "product_data": {"name": "Workshop"}},
            },
            {
                "quantity": 1,
                "price_data": {"currency": "eur", "unit_amount": 500, "product_data": {"name": "Booking fee"}},
            },
        ],
        "metadata": {"booking_id": 5},
        "client_reference_id": "booking-5",
        "customer_email": "ana@example.com",
        "success_url": "https://example.com/done",
        "cancel_url": "https://example.com/cancel",
        "expires_at": int(time.time()) + 3600,
    }
    return {**params, **overrides}


def create_session(client: stripe.StripeClient, key: str = "k1", **overrides):
    return client.v1.checkout.sessions.create(params=checkout_params(**overrides), options={"idempotency_key": key})


def paid_session(client: stripe.StripeClient, stand_in: StripeStandIn) -> dict:
    """A checkout session the customer has paid (36 500 cents)."""
    return stand_in.complete(create_session(client).id)


def refund(client: stripe.StripeClient, key: str, **params):
    return client.v1.refunds.create(params=params, options={"idempotency_key": key})


# Checkout sessions -------------------------------------------------------------


def test_create_and_retrieve_round_trip_with_nested_params(client, stand_in):
    created = create_session(client)

    assert created.id.startswith("cs_test_")
    assert created.object == "checkout.session"
    assert (created.status, created.payment_status, created.payment_intent) == ("open", "unpaid", None)
    assert created.amount_total == 2 * 18000 + 500
    assert created.currency == "eur"
    assert created.metadata.to_dict() == {"booking_id": "5"}
    assert created.client_reference_id == "booking-5"
    assert created.customer_email == "ana@example.com"
    assert created.url == f"{stand_in.base_url}/pay/{created.id}"
    assert (created.mode, created.success_url, created.cancel_url) == (
        "payment",
        "https://example.com/done",
        "https://example.com/cancel",
    )
    assert created.expires_at > created.created

    retrieved = client.v1.checkout.sessions.retrieve(created.id)
    assert retrieved.to_dict() == created.to_dict()


def test_requests_travel_over_plain_http_to_localhost(client, stand_in):
    created = create_session(client)
    client.v1.checkout.sessions.retrieve(created.id)

    assert stand_in.base_url.startswith("http://127.0.0.1:")
    (method, path, params, key), retrieve = stand_in.requests
    assert (method, path, key) == ("POST", "/v1/checkout/sessions", "k1")
    assert params["line_items"][0]["price_data"]["unit_amount"] == "18000"
    assert params["line_items"][1]["price_data"]["product_data"] == {"name": "Booking fee"}
    assert params["metadata"] == {"booking_id": "5"}
    assert retrieve == ("GET", f"/v1/checkout/sessions/{created.id}", {}, None)


def test_sdk_sends_an_idempotency_key_with_every_post_even_unasked(client, stand_in):
    client.v1.checkout.sessions.create(params=checkout_params())

    assert stand_in.requests[0].idempotency_key


def test_idempotent_replay_returns_the_stored_answer_and_creates_nothing(client, stand_in):
    first = create_session(client, key="k1")
    stand_in.complete(first.id)

    replay = create_session(client, key="k1", expires_at=first.expires_at)

    assert replay.id == first.id
    assert replay.status == "open", "the stored answer, not the session as it is now"
    assert replay.last_response.headers["Idempotent-Replayed"] == "true"
    assert stand_in.session(first.id)["status"] == "complete", "the replay changed nothing"
    assert create_session(client, key="k2", expires_at=first.expires_at).id != first.id


def test_concurrent_replays_of_one_key_create_one_session(client):
    params = checkout_params()

    def create(_: int) -> str:
        return client.v1.checkout.sessions.create(params=params, options={"idempotency_key": "k1"}).id

    with ThreadPoolExecutor(max_workers=8) as pool:
        ids = set(pool.map(create, range(16)))

    assert len(ids) == 1


def test_reusing_a_key_with_other_params_is_an_idempotency_error(client, stand_in):
    first = create_session(client, key="k1")

    with pytest.raises(stripe.IdempotencyError) as raised:
        create_session(client, key="k1", expires_at=first.expires_at, customer_email="other@example.com")

    assert raised.value.http_status == 400
    assert raised.value.json_body["error"]["type"] == "idempotency_error"


def test_a_refused_request_is_not_stored_so_its_key_can_be_retried(client):
    with pytest.raises(stripe.InvalidRequestError):
        create_session(client, key="k1", mode=None)

    assert create_session(client, key="k1").status == "open"


@time_machine.travel(FROZEN_NOW, tick=False)
@pytest.mark.parametrize("offset", [30 * 60, 24 * 60 * 60])
def test_expires_at_may_be_from_30_minutes_to_24_hours_ahead(client, offset):
    session = create_session(client, expires_at=int(time.time()) + offset)

    assert session.expires_at - session.created == offset


@time_machine.travel(FROZEN_NOW, tick=False)
@pytest.mark.parametrize("offset", [30 * 60 - 1, 24 * 60 * 60 + 1, -60])
def test_expires_at_outside_the_window_is_refused(client, offset):
    with pytest.raises(stripe.InvalidRequestError) as raised:
        create_session(client, expires_at=int(time.time()) + offset)

    assert raised.value.param == "expires_at"
    assert "expires_at" in raised.value.user_message


@pytest.mark.parametrize(
    ("overrides", "param"),
    [
        ({"mode": None}, "mode"),
        ({"line_items": None}, "line_items"),
        (
            {"line_items": [{"price_data": {"currency": "eur", "unit_amount": 1, "product": "p"}}]},
            "line_items[0][quantity]",
        ),
        (
            {"line_items": [{"quantity": 1, "price_data": {"currency": "eur", "product": "p"}}]},
            "line_items[0][price_data][unit_amount]",
        ),
    ],
)
def test_missing_required_params_are_refused(client, overrides, param):
    with pytest.raises(stripe.InvalidRequestError) as raised:
        create_session(client, **overrides)

    assert raised.value.param == param
    assert raised.value.code == "parameter_missing"


def test_unknown_session_is_resource_missing(client):
    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.checkout.sessions.retrieve("cs_test_nope")

    assert raised.value.http_status == 404
    assert raised.value.code == "resource_missing"


def test_expire_endpoint_expires_only_open_sessions(client):
    session = create_session(client)

    assert client.v1.checkout.sessions.expire(session.id).status == "expired"
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.checkout.sessions.expire(session.id)


def test_a_key_that_is_not_a_test_secret_key_is_refused(stand_in):
    live = stripe.StripeClient("sk_live_nope", base_addresses={"api": stand_in.base_url}, max_network_retries=0)

    with pytest.raises(stripe.AuthenticationError) as raised:
        live.v1.checkout.sessions.retrieve("cs_test_any")

    assert raised.value.http_status == 401
    assert raised.value.json_body["error"]["type"] == "invalid_request_error"


# Refunds -------------------------------------------------------------------


def test_refund_more_than_paid_is_refused_then_partial_and_rest_work(client, stand_in):
    intent = paid_session(client, stand_in)["payment_intent"]

    with pytest.raises(stripe.InvalidRequestError) as too_much:
        refund(client, "r0", payment_intent=intent, amount=36501)
    partial = refund(client, "r1", payment_intent=intent, amount=10000, metadata={"booking_id": 5})
    rest = refund(client, "r2", payment_intent=intent)

    assert too_much.value.param == "amount"
    assert (partial.object, partial.amount, partial.status) == ("refund", 10000, "succeeded")
    assert partial.id.startswith("re_")
    assert (partial.payment_intent, partial.currency) == (intent, "eur")
    assert partial.metadata.to_dict() == {"booking_id": "5"}
    assert rest.amount == 26500
    with pytest.raises(stripe.InvalidRequestError) as again:
        refund(client, "r3", payment_intent=intent, amount=1)
    assert again.value.code == "charge_already_refunded"


def test_refund_replay_does_not_refund_twice(client, stand_in):
    intent = paid_session(client, stand_in)["payment_intent"]

    first = refund(client, "r1", payment_intent=intent, amount=10000)
    replay = refund(client, "r1", payment_intent=intent, amount=10000)

    assert replay.id == first.id
    assert stand_in.charge_refunded_event(intent)["data"]["object"]["amount_refunded"] == 10000


@pytest.mark.parametrize("intent", ["pi_unknown", None])
def test_refund_of_an_unknown_or_missing_payment_intent_is_refused(client, intent):
    with pytest.raises(stripe.InvalidRequestError) as raised:
        refund(client, "r1", payment_intent=intent)

    assert raised.value.param == "payment_intent"


def test_refund_waits_for_a_delayed_payment_to_settle(client, stand_in):
    session = create_session(client)
    intent = stand_in.complete(session.id, async_pending=True)["payment_intent"]

    with pytest.raises(stripe.InvalidRequestError):
        refund(client, "r1", payment_intent=intent)
    stand_in.async_succeed(session.id)

    assert refund(client, "r2", payment_intent=intent).amount == 36500


# Injected failures -----------------------------------------------------------


def test_fail_next_fails_one_request_with_an_api_error(client, stand_in):
    stand_in.fail_next()

    with pytest.raises(stripe.APIError) as raised:
        create_session(client, key="k1")

    assert raised.value.http_status == 500
    assert create_session(client, key="k1").status == "open", "a failed request is not stored"


def test_fail_next_is_not_retried_away(stand_in):
    retrying = stripe.StripeClient(stand_in.api_key, base_addresses={"api": stand_in.base_url}, max_network_retries=2)
    stand_in.fail_next(503)

    with pytest.raises(stripe.APIError) as raised:
        retrying.v1.checkout.sessions.retrieve("cs_test_any")

    assert raised.value.http_status == 503
    assert len(stand_in.requests) == 1


# Test-side controls and events ---------------------------------------------------


def test_complete_pays_the_session(client, stand_in):
    session = create_session(client)

    completed = stand_in.complete(session.id)

    assert (completed["status"], completed["payment_status"]) == ("complete", "paid")
    assert completed["payment_intent"].startswith("pi_")
    assert client.v1.checkout.sessions.retrieve(session.id).payment_intent == completed["payment_intent"]


def test_a_delayed_payment_can_succeed_or_fail(client, stand_in):
    settles, fails = create_session(client, key="k1"), create_session(client, key="k2")
    for session in (settles, fails):
        assert stand_in.complete(session.id, async_pending=True)["payment_status"] == "unpaid"

    assert stand_in.async_succeed(settles.id)["payment_status"] == "paid"
    failed = stand_in.async_fail(fails.id)
    assert (failed["status"], failed["payment_status"]) == ("complete", "unpaid")
    with pytest.raises(InvalidTransition):
        stand_in.async_succeed(fails.id)


def test_expire_and_impossible_transitions(client, stand_in):
    session = create_session(client)

    assert stand_in.expire(session.id)["status"] == "expired"
    with pytest.raises(InvalidTransition):
        stand_in.complete(session.id)
    with pytest.raises(KeyError):
        stand_in.session("cs_test_nope")


def test_session_returns_a_copy(client, stand_in):
    session = create_session(client)

    stand_in.session(session.id)["status"] = "complete"

    assert stand_in.session(session.id)["status"] == "open"


def test_event_has_the_shape_of_a_stripe_event(client, stand_in):
    session = stand_in.complete(create_session(client).id)

    event = stand_in.event("checkout.session.completed", session, created=1_700_000_000)

    assert event["id"].startswith("evt_")
    assert (event["object"], event["type"], event["created"]) == ("event", "checkout.session.completed", 1_700_000_000)
    assert (event["api_version"], event["livemode"]) == (stripe.api_version, False)
    assert event["data"]["object"] == session


def test_charge_refunded_event_reports_the_refunded_total(client, stand_in):
    intent = paid_session(client, stand_in)["payment_intent"]
    refund(client, "r1", payment_intent=intent)

    event = stand_in.charge_refunded_event(intent)

    charge = event["data"]["object"]
    assert event["type"] == "charge.refunded"
    assert charge["id"].startswith("ch_")
    assert (charge["object"], charge["payment_intent"], charge["currency"]) == ("charge", intent, "eur")
    assert (charge["amount"], charge["amount_refunded"], charge["refunded"]) == (36500, 36500, True)


# Webhook signatures ------------------------------------------------------------


@pytest.fixture
def payload(client, stand_in) -> bytes:
    session = stand_in.complete(create_session(client).id)
    return json.dumps(stand_in.event("checkout.session.completed", session)).encode()


def test_signed_payload_verifies_with_the_sdk(payload):
    event = stripe.Webhook.construct_event(payload, sign_payload(payload, WEBHOOK_SECRET), WEBHOOK_SECRET)

    assert event.type == "checkout.session.completed"
    assert event.data.object.payment_status == "paid"


def test_signature_matches_the_sdk_signer(payload):
    header = sign_payload(payload, WEBHOOK_SECRET, timestamp=1_700_000_000)

    assert header == stripe.WebhookSignature.generate_signature_header(
        payload.decode(), WEBHOOK_SECRET, timestamp=1_700_000_000
    )


def assert_refused(body: bytes, header: str) -> None:
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(body, header, WEBHOOK_SECRET)


def test_tampered_payload_is_refused(payload):
    tampered = payload.replace(b'"paid"', b'"free"')

    assert tampered != payload
    assert_refused(tampered, sign_payload(payload, WEBHOOK_SECRET))


def test_payload_signed_with_another_secret_is_refused(payload):
    assert_refused(payload, sign_payload(payload, "whsec_other"))


def test_signature_older_than_the_tolerance_is_refused(payload):
    stale = int(time.time()) - stripe.Webhook.DEFAULT_TOLERANCE - 1

    assert stripe.Webhook.DEFAULT_TOLERANCE == 300
    assert_refused(payload, sign_payload(payload, WEBHOOK_SECRET, timestamp=stale))
