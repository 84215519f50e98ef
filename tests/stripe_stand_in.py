"""A local HTTP stand-in for the Stripe endpoints this project uses.

Tests drive the real `stripe` SDK against it, so nothing ever calls the real
Stripe. Point a client at it with::

    client = stripe.StripeClient(
        stand_in.api_key,
        base_addresses={"api": stand_in.base_url},
        max_network_retries=0,
    )

The SDK talks plain ``http://127.0.0.1:<port>`` without complaint: the scheme
comes from ``base_addresses`` as given, and no setting is needed for it.

Served endpoints (form-encoded bodies, JSON answers, Stripe-shaped errors):

* ``POST /v1/checkout/sessions`` (payment mode, ``price_data`` line items only)
* ``GET /v1/checkout/sessions/{id}``
* ``POST /v1/checkout/sessions/{id}/expire``
* ``POST /v1/refunds``

Every request needs ``Authorization: Bearer sk_test_...``. Every POST honours
``Idempotency-Key`` as Stripe does: the same key with the same request replays
the stored answer (header ``Idempotent-Replayed: true``); the same key with a
different request is an ``idempotency_error``. Only successful answers are
stored (Stripe also keeps errors raised once an endpoint has started work), so
a refused or failed request may be retried with the same key.

What happens at Stripe outside the API (the customer paying, a delayed payment
settling, a session timing out) the test does through plain methods:
`StripeStandIn.complete`, `async_succeed`, `async_fail`, `expire`. `event` and
`charge_refunded_event` build the matching webhook events, and `sign_payload` signs them with the real
``Stripe-Signature`` scheme. Sessions do not expire by themselves when their
``expires_at`` passes; call `expire` for that.

`StripeStandIn.fail_next` makes the next request fail with a 5xx (or any other
status); the answer carries ``Stripe-Should-Retry: false`` so the SDK reports it
even when network retries are enabled.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, NamedTuple
from urllib.parse import parse_qsl, urlsplit

import pytest
import stripe

API_KEY = "sk_test_stand_in"
MIN_EXPIRY_SECONDS = 30 * 60
MAX_EXPIRY_SECONDS = 24 * 60 * 60


class RecordedRequest(NamedTuple):
    """One API request as the stand-in received it."""

    method: str
    path: str
    params: dict[str, Any]
    idempotency_key: str | None


class InvalidTransition(ValueError):
    """A test-side control was asked for a change Stripe could not make."""


class _ApiError(Exception):
    """An error answer, rendered as Stripe renders it."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str = "invalid_request_error",
        code: str | None = None,
        param: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.error = {"type": type, "message": message}
        if code:
            self.error["code"] = code
        if param:
            self.error["param"] = param


@dataclass
class _Payment:
    """The money side of a completed checkout session."""

    amount: int
    currency: str
    charge_id: str
    status: str  # "processing", "succeeded" or "failed"
    refunded: int = 0


def sign_payload(payload: bytes, secret: str, *, timestamp: int | None = None) -> str:
    """Return the ``Stripe-Signature`` header Stripe would send with `payload`.

    The scheme is ``t=<ts>,v1=<hex HMAC-SHA256 of "<ts>.<payload>" keyed by secret>``,
    as checked by `stripe.WebhookSignature.verify_header`.
    """
    if timestamp is None:
        timestamp = int(time.time())
    signed = f"{timestamp}.{payload.decode('utf-8')}".encode()
    signature = hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={signature}"


def parse_form(encoded: str) -> dict[str, Any]:
    """Decode a Stripe form body (``a[b][0][c]=v``) into nested dicts and lists."""
    root: dict[str, Any] = {}
    for key, value in parse_qsl(encoded, keep_blank_values=True):
        *parents, leaf = _key_path(key)
        node = root
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return _listify(root)


def _key_path(key: str) -> list[str]:
    """Split ``line_items[0][price_data]`` into ``["line_items", "0", "price_data"]``."""
    head, _, rest = key.partition("[")
    return [head, *re.findall(r"([^\[\]]*)\]", rest)]


def _listify(node: Any) -> Any:
    """Turn dicts keyed "0", "1", ... into lists, all the way down."""
    if not isinstance(node, dict):
        return node
    converted = {key: _listify(value) for key, value in node.items()}
    if converted and sorted(converted) == sorted(str(i) for i in range(len(converted))):
        return [converted[str(i)] for i in range(len(converted))]
    return converted


def _new_id(prefix: str) -> str:
    return prefix + secrets.token_hex(12)


def _now() -> int:
    return int(time.time())


def _param_name(name: str, parent: str) -> str:
    """How Stripe names a parameter in errors: ``line_items[0][quantity]``."""
    return f"{parent}[{name}]" if parent else name


def _missing(name: str, parent: str) -> _ApiError:
    full = _param_name(name, parent)
    return _ApiError(400, f"Missing required param: {full}.", code="parameter_missing", param=full)


def _required(params: Mapping[str, Any], name: str, *, parent: str = "") -> Any:
    """A parameter that must be present and non-empty."""
    value = params.get(name)
    if value in (None, "", [], {}):
        raise _missing(name, parent)
    return value


def _int_param(params: Mapping[str, Any], name: str, *, parent: str = "", default: int | None = None) -> int:
    """An integer parameter, validated the way Stripe validates it."""
    raw = params.get(name)
    if raw is None:
        if default is None:
            raise _missing(name, parent)
        return default
    try:
        return int(raw)
    except (TypeError, ValueError):
        full = _param_name(name, parent)
        raise _ApiError(400, f"Invalid integer: {raw}", code="parameter_invalid_integer", param=full) from None


def _line_item_total(item: Any, index: int) -> tuple[int, str]:
    """Validate one ``line_items[i]`` entry; return its amount and currency."""
    parent = f"line_items[{index}]"
    if not isinstance(item, dict):
        raise _ApiError(400, "Invalid object", param=parent)
    if "price" in item:
        raise _ApiError(400, f"No such price: '{item['price']}'", code="resource_missing", param=f"{parent}[price]")
    price_data = _required(item, "price_data", parent=parent)
    if not isinstance(price_data, dict):
        raise _ApiError(400, "Invalid object", param=f"{parent}[price_data]")
    quantity = _int_param(item, "quantity", parent=parent)
    price_parent = f"{parent}[price_data]"
    currency = _required(price_data, "currency", parent=price_parent)
    unit_amount = _int_param(price_data, "unit_amount", parent=price_parent)
    if "product" not in price_data:
        _required(price_data, "product_data", parent=price_parent)
    return unit_amount * quantity, currency.lower()


def _checkout_totals(params: Mapping[str, Any]) -> tuple[int, str]:
    """Sum the line items; all must share one currency."""
    line_items = _required(params, "line_items")
    if not isinstance(line_items, list):
        raise _ApiError(400, "Invalid array", param="line_items")
    totals = [_line_item_total(item, index) for index, item in enumerate(line_items)]
    currencies = {currency for _, currency in totals}
    if len(currencies) > 1:
        raise _ApiError(400, "All line items must use the same currency.", param="line_items")
    return sum(amount for amount, _ in totals), currencies.pop()


def _checkout_expiry(params: Mapping[str, Any], now: int) -> int:
    expires_at = _int_param(params, "expires_at", default=now + MAX_EXPIRY_SECONDS)
    if expires_at < now + MIN_EXPIRY_SECONDS:
        raise _ApiError(
            400,
            "The `expires_at` timestamp must be at least 30 minutes from Checkout Session creation.",
            param="expires_at",
        )
    if expires_at > now + MAX_EXPIRY_SECONDS:
        raise _ApiError(
            400,
            "The `expires_at` timestamp must be less than 24 hours from Checkout Session creation.",
            param="expires_at",
        )
    return expires_at


def _metadata(params: Mapping[str, Any]) -> dict[str, Any]:
    metadata = params.get("metadata") or {}
    if not isinstance(metadata, dict):
        raise _ApiError(400, "Invalid object", param="metadata")
    return metadata


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, stand_in: StripeStandIn) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.stand_in = stand_in


class _Handler(BaseHTTPRequestHandler):
    """Hands each HTTP request to the stand-in and writes back its answer."""

    server: _Server

    def do_GET(self) -> None:
        self._serve("GET", urlsplit(self.path).query)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self._serve("POST", self.rfile.read(length).decode("utf-8"))

    def _serve(self, method: str, encoded_params: str) -> None:
        path = urlsplit(self.path).path
        status, body, headers = self.server.stand_in.respond(method, path, parse_form(encoded_params), self.headers)
        self.send_response(status)
        for name, value in {**headers, "Content-Type": "application/json", "Content-Length": str(len(body))}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet."""


class StripeStandIn:
    """A threaded local server answering like the Stripe API, plus test-side controls."""

    api_key = API_KEY

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sessions: dict[str, dict[str, Any]] = {}
        self._payments: dict[str, _Payment] = {}
        self._idempotent: dict[str, tuple[tuple[Any, ...], bytes]] = {}
        self._requests: list[RecordedRequest] = []
        self._pending_failure: int | None = None
        self._routes: list[tuple[str, re.Pattern[str], Callable[..., dict[str, Any]]]] = [
            ("POST", re.compile(r"/v1/checkout/sessions"), self._create_session),
            ("GET", re.compile(r"/v1/checkout/sessions/(?P<session_id>[^/]+)"), self._retrieve_session),
            ("POST", re.compile(r"/v1/checkout/sessions/(?P<session_id>[^/]+)/expire"), self._expire_session),
            ("POST", re.compile(r"/v1/refunds"), self._create_refund),
        ]
        self._server = _Server(self)
        host, port = self._server.server_address[:2]
        self.base_url = f"http://{host}:{port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, name="stripe-stand-in", daemon=True
        )
        self._thread.start()

    def close(self) -> None:
        """Stop serving and release the port."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def __enter__(self) -> StripeStandIn:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # HTTP side ---------------------------------------------------------------

    def respond(
        self, method: str, path: str, params: dict[str, Any], headers: Mapping[str, str]
    ) -> tuple[int, bytes, dict[str, str]]:
        """Answer one API request (for the HTTP handler): status, JSON body and extra headers."""
        key = headers.get("Idempotency-Key")
        with self._lock:
            self._requests.append(RecordedRequest(method, path, copy.deepcopy(params), key))
            try:
                self._raise_pending_failure()
                self._authenticate(headers.get("Authorization") or "")
                if method == "POST" and key:
                    return self._idempotent_post(key, path, params)
                return 200, self._dispatch(method, path, params), {}
            except _ApiError as error:
                return error.status, json.dumps({"error": error.error}).encode(), self._error_headers(error)

    def _raise_pending_failure(self) -> None:
        status, self._pending_failure = self._pending_failure, None
        if status is not None:
            raise _ApiError(status, "Failure injected by StripeStandIn.fail_next().", type="api_error")

    @staticmethod
    def _error_headers(error: _ApiError) -> dict[str, str]:
        return {"Stripe-Should-Retry": "false"} if error.error["type"] == "api_error" else {}

    def _authenticate(self, authorization: str) -> None:
        scheme, _, key = authorization.partition(" ")
        if scheme != "Bearer" or not key.startswith("sk_test_"):
            raise _ApiError(401, f"Invalid API Key provided: {key[:8]}****")

    def _idempotent_post(self, key: str, path: str, params: dict[str, Any]) -> tuple[int, bytes, dict[str, str]]:
        fingerprint = (path, json.dumps(params, sort_keys=True))
        if key in self._idempotent:
            stored_fingerprint, body = self._idempotent[key]
            if stored_fingerprint != fingerprint:
                raise _ApiError(
                    400,
                    "Keys for idempotent requests can only be used with the same parameters they were first "
                    f"used with. Try using a key other than '{key}' if you meant to execute a different request.",
                    type="idempotency_error",
                )
            return 200, body, {"Idempotent-Replayed": "true"}
        body = self._dispatch("POST", path, params)
        self._idempotent[key] = (fingerprint, body)
        return 200, body, {}

    def _dispatch(self, method: str, path: str, params: dict[str, Any]) -> bytes:
        for route_method, pattern, handler in self._routes:
            match = pattern.fullmatch(path)
            if match and route_method == method:
                return json.dumps(handler(params, **match.groupdict())).encode()
        raise _ApiError(404, f"Unrecognized request URL ({method}: {path}).")

    def _create_session(self, params: dict[str, Any]) -> dict[str, Any]:
        mode = _required(params, "mode")
        if mode != "payment":
            raise _ApiError(400, f"The stand-in only models mode=payment, not {mode!r}.", param="mode")
        amount_total, currency = _checkout_totals(params)
        now = _now()
        session_id = _new_id("cs_test_")
        session = {
            "id": session_id,
            "object": "checkout.session",
            "status": "open",
            "payment_status": "unpaid",
            "url": f"{self.base_url}/pay/{session_id}",
            "client_reference_id": params.get("client_reference_id"),
            "metadata": _metadata(params),
            "amount_total": amount_total,
            "currency": currency,
            "customer_email": params.get("customer_email"),
            "expires_at": _checkout_expiry(params, now),
            "payment_intent": None,
            "success_url": params.get("success_url"),
            "cancel_url": params.get("cancel_url"),
            "mode": mode,
            "created": now,
            "livemode": False,
        }
        self._sessions[session_id] = session
        return session

    def _known_session(self, session_id: str) -> dict[str, Any]:
        session = self._sessions.get(session_id)
        if session is None:
            raise _ApiError(404, f"No such checkout.session: '{session_id}'", code="resource_missing")
        return session

    def _retrieve_session(self, params: dict[str, Any], session_id: str) -> dict[str, Any]:
        return self._known_session(session_id)

    def _expire_session(self, params: dict[str, Any], session_id: str) -> dict[str, Any]:
        session = self._known_session(session_id)
        if session["status"] != "open":
            raise _ApiError(
                400,
                f'Only Checkout Sessions with a status in ["open"] can be expired. '
                f'This Checkout Session has a status of "{session["status"]}".',
            )
        session["status"] = "expired"
        return session

    def _create_refund(self, params: dict[str, Any]) -> dict[str, Any]:
        intent_id = _required(params, "payment_intent")
        payment = self._refundable_payment(intent_id)
        amount = self._refund_amount(params, payment)
        payment.refunded += amount
        return {
            "id": _new_id("re_"),
            "object": "refund",
            "amount": amount,
            "currency": payment.currency,
            "charge": payment.charge_id,
            "payment_intent": intent_id,
            "status": "succeeded",
            "metadata": _metadata(params),
            "created": _now(),
        }

    def _refundable_payment(self, intent_id: str) -> _Payment:
        payment = self._payments.get(intent_id)
        if payment is None:
            raise _ApiError(
                400, f"No such payment_intent: '{intent_id}'", code="resource_missing", param="payment_intent"
            )
        if payment.status != "succeeded":
            raise _ApiError(
                400,
                f"This PaymentIntent ({intent_id}) does not have a successful charge to refund.",
                code="charge_not_refundable",
                param="payment_intent",
            )
        return payment

    @staticmethod
    def _refund_amount(params: dict[str, Any], payment: _Payment) -> int:
        remaining = payment.amount - payment.refunded
        if remaining == 0:
            raise _ApiError(
                400, f"Charge {payment.charge_id} has already been refunded.", code="charge_already_refunded"
            )
        amount = _int_param(params, "amount", default=remaining)
        if amount <= 0:
            raise _ApiError(400, "This value must be greater than or equal to 1.", param="amount")
        if amount > remaining:
            raise _ApiError(
                400,
                f"Refund amount ({amount}) is greater than unrefunded amount on charge ({remaining})",
                code="amount_too_large",
                param="amount",
            )
        return amount

    # Test side ---------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every API request received so far, oldest first (a copy)."""
        with self._lock:
            return list(self._requests)

    def fail_next(self, status: int = 500) -> None:
        """Make the next API request, whatever it is, fail with `status`."""
        with self._lock:
            self._pending_failure = status

    def session(self, session_id: str) -> dict[str, Any]:
        """The checkout session as it stands now (a copy); KeyError if unknown."""
        with self._lock:
            return copy.deepcopy(self._sessions[session_id])

    def complete(self, session_id: str, *, async_pending: bool = False) -> dict[str, Any]:
        """The customer pays; with `async_pending`, the payment is still settling."""
        with self._lock:
            session = self._session_in(session_id, status="open")
            intent_id = _new_id("pi_")
            self._payments[intent_id] = _Payment(
                amount=session["amount_total"],
                currency=session["currency"],
                charge_id=_new_id("ch_"),
                status="processing" if async_pending else "succeeded",
            )
            session.update(
                status="complete", payment_status="unpaid" if async_pending else "paid", payment_intent=intent_id
            )
            return copy.deepcopy(session)

    def async_succeed(self, session_id: str) -> dict[str, Any]:
        """A delayed payment settles: the session becomes paid."""
        with self._lock:
            session = self._session_in(session_id, status="complete", payment="processing")
            self._payments[session["payment_intent"]].status = "succeeded"
            session["payment_status"] = "paid"
            return copy.deepcopy(session)

    def async_fail(self, session_id: str) -> dict[str, Any]:
        """A delayed payment fails: the session stays complete and unpaid."""
        with self._lock:
            session = self._session_in(session_id, status="complete", payment="processing")
            self._payments[session["payment_intent"]].status = "failed"
            return copy.deepcopy(session)

    def expire(self, session_id: str) -> dict[str, Any]:
        """The session times out, as Stripe does after `expires_at`."""
        with self._lock:
            session = self._session_in(session_id, status="open")
            session["status"] = "expired"
            return copy.deepcopy(session)

    def _session_in(self, session_id: str, *, status: str, payment: str | None = None) -> dict[str, Any]:
        """The session, which must have `status` (and a payment in state `payment`)."""
        session = self._sessions[session_id]
        if session["status"] != status:
            raise InvalidTransition(f"{session_id} is {session['status']!r}, not {status!r}")
        if payment is not None and self._payments[session["payment_intent"]].status != payment:
            raise InvalidTransition(f"the payment of {session_id} is not {payment!r}")
        return session

    def event(self, type: str, obj: dict[str, Any], *, created: int | None = None) -> dict[str, Any]:
        """A Stripe Event of `type` about `obj`, as a webhook would deliver it."""
        return {
            "id": _new_id("evt_"),
            "object": "event",
            "type": type,
            "created": _now() if created is None else created,
            "api_version": stripe.api_version,
            "livemode": False,
            "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None},
            "data": {"object": copy.deepcopy(obj)},
        }

    def charge_refunded_event(self, payment_intent: str) -> dict[str, Any]:
        """A ``charge.refunded`` event for the charge behind `payment_intent`, with its refunded total."""
        with self._lock:
            payment = self._payments[payment_intent]
            charge = {
                "id": payment.charge_id,
                "object": "charge",
                "payment_intent": payment_intent,
                "amount": payment.amount,
                "amount_refunded": payment.refunded,
                "refunded": payment.refunded >= payment.amount,
                "currency": payment.currency,
                "status": "succeeded",
                "livemode": False,
            }
        return self.event("charge.refunded", charge)


@pytest.fixture
def stripe_stand_in() -> Iterator[StripeStandIn]:
    """A running `StripeStandIn`, closed after the test."""
    with StripeStandIn() as stand_in:
        yield stand_in
