"""The only module that talks to Stripe. Every call is outside any database lock."""

from decimal import Decimal

import stripe
from django.conf import settings

from bookings.exceptions import PaymentProviderError


def stripe_enabled() -> bool:
    return bool(settings.STRIPE_SECRET_KEY)


def client() -> stripe.StripeClient:
    base_addresses = {"api": settings.STRIPE_API_BASE} if settings.STRIPE_API_BASE else None
    return stripe.StripeClient(settings.STRIPE_SECRET_KEY, base_addresses=base_addresses, max_network_retries=2)


def minor_units(amount: Decimal) -> int:
    """Stripe counts in the currency's smallest unit (pence, cents)."""
    return int((amount * 100).quantize(Decimal("1")))


def create_checkout_session(*, params: dict, idempotency_key: str) -> stripe.checkout.Session:
    try:
        return client().v1.checkout.sessions.create(params=params, options={"idempotency_key": idempotency_key})
    except stripe.StripeError as error:
        raise PaymentProviderError(
            "We could not reach our card payment provider. Your seat is still held; please try again in a moment."
        ) from error


def retrieve_checkout_session(session_id: str) -> stripe.checkout.Session:
    return client().v1.checkout.sessions.retrieve(session_id)


def create_refund(*, payment_intent: str, amount: Decimal, idempotency_key: str, metadata: dict) -> stripe.Refund:
    return client().v1.refunds.create(
        params={"payment_intent": payment_intent, "amount": minor_units(amount), "metadata": metadata},
        options={"idempotency_key": idempotency_key},
    )


def verify_webhook(*, payload: bytes, signature: str) -> stripe.Event:
    """Raises `ValueError` or `stripe.SignatureVerificationError` for anything not signed by Stripe."""
    return stripe.Webhook.construct_event(payload, signature, settings.STRIPE_WEBHOOK_SECRET)
