"""Stripe without the internet: a fake HTTP client for the official SDK, signed webhook deliveries, and card
payment rows to point events at."""

import hashlib
import hmac
import itertools
import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import stripe

from coachway.core.db import transaction
from coachway.integrations.payments_gateway import StripeGateway, set_card_gateway
from coachway.payments.models import Payment
from tests.factories_domain import make_client

WEBHOOK_SECRET = "whsec_test_coachway"
_seq = itertools.count(1)

Responder = Callable[[str, str, dict[str, str]], tuple[int, dict[str, Any]]]


class FakeStripeHTTP(stripe.HTTPClient):
    """Answers the SDK's requests with canned Stripe JSON and remembers each request."""

    name = "fake"

    def __init__(self, responder: Responder):
        super().__init__()
        self.responder = responder
        self.requests: list[dict[str, Any]] = []

    def request(self, method, url, headers, post_data=None, *, _usage=None):
        parts = urlsplit(url)
        params = dict(parse_qsl(post_data or parts.query, keep_blank_values=True))
        self.requests.append({"method": method.upper(), "path": parts.path, "params": params,
                              "headers": dict(headers or {}), "url": url})
        status, body = self.responder(method.upper(), parts.path, params)
        return json.dumps(body), status, {"Request-Id": f"req_{len(self.requests)}"}

    def request_stream(self, method, url, headers, post_data=None, *, _usage=None):
        raise NotImplementedError

    def close(self):
        pass


def fake_gateway(responder: Responder) -> tuple[StripeGateway, FakeStripeHTTP]:
    """A real StripeGateway whose HTTP goes to responder instead of Stripe."""
    http = FakeStripeHTTP(responder)
    return StripeGateway("sk_test_fake", http_client=http), http


@contextmanager
def stripe_answering(responder: Responder) -> Iterator[FakeStripeHTTP]:
    """Within the block the app's card gateway is Stripe answered by responder; yields its fake HTTP."""
    gateway, http = fake_gateway(responder)
    set_card_gateway(gateway)
    try:
        yield http
    finally:
        set_card_gateway(None)


def intent_json(*, intent_id: str = "pi_1", status: str = "succeeded", amount: int = 10000,
                latest_charge: str | None = "ch_1", last_payment_error: dict | None = None) -> dict[str, Any]:
    """A PaymentIntent as Stripe returns it (the fields CoachWay reads)."""
    return {"id": intent_id, "object": "payment_intent", "status": status, "amount": amount,
            "currency": "usd", "latest_charge": latest_charge, "last_payment_error": last_payment_error,
            "metadata": {}}


def card_error_json(message: str = "Your card was declined.", *, intent_id: str | None = "pi_declined",
                    decline_code: str = "generic_decline") -> dict[str, Any]:
    """Stripe's 402 body for a declined card (with the intent it made, unless intent_id is None)."""
    error: dict[str, Any] = {"type": "card_error", "code": "card_declined", "decline_code": decline_code,
                             "message": message}
    if intent_id:
        error["payment_intent"] = intent_json(intent_id=intent_id, status="requires_payment_method",
                                              latest_charge="ch_declined",
                                              last_payment_error={"message": message})
    return {"error": error}


# ---------------------------------------------------------------- webhooks

def sign(payload: bytes, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """A Stripe-Signature header for payload, computed as Stripe does (HMAC-SHA256 of "t.payload")."""
    t = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{t}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def event(event_type: str, obj: dict[str, Any], *, event_id: str | None = None) -> dict[str, Any]:
    """A Stripe event wrapping obj."""
    return {"id": event_id or f"evt_{next(_seq)}", "object": "event", "type": event_type,
            "api_version": "2025-01-27.acacia", "created": int(time.time()), "livemode": False,
            "data": {"object": obj}}


def intent_event(event_type: str, intent_id: str, *, charge_id: str = "ch_1", message: str | None = None,
                 event_id: str | None = None) -> dict[str, Any]:
    """payment_intent.succeeded / payment_intent.payment_failed for intent_id."""
    failed = event_type == "payment_intent.payment_failed"
    obj = intent_json(intent_id=intent_id, status="requires_payment_method" if failed else "succeeded",
                      latest_charge=charge_id,
                      last_payment_error={"message": message} if failed else None)
    return event(event_type, obj, event_id=event_id)


def refund_json(refund_id: str, amount: int, *, status: str = "succeeded",
                created: int = 0) -> dict[str, Any]:
    """A Refund as listed on a charge."""
    return {"id": refund_id, "object": "refund", "amount": amount, "status": status, "created": created,
            "reason": "requested_by_customer"}


def charge_refunded_event(intent_id: str, *, charge_id: str = "ch_1", amount: int = 10000,
                          refunds: list[dict[str, Any]] | None = None, amount_refunded: int | None = None,
                          event_id: str | None = None) -> dict[str, Any]:
    """charge.refunded; refunds=None leaves the refunds list out (as API versions since 2022-11-15 do)."""
    if amount_refunded is None:
        amount_refunded = sum(r["amount"] for r in refunds or [])
    obj: dict[str, Any] = {
        "id": charge_id, "object": "charge", "amount": amount, "payment_intent": intent_id,
        "status": "succeeded", "paid": True, "refunded": True, "amount_refunded": amount_refunded,
    }
    if refunds is not None:
        obj["refunds"] = {"object": "list", "data": refunds, "has_more": False}
    return event("charge.refunded", obj, event_id=event_id)


def payload_of(evt: dict[str, Any]) -> bytes:
    """The body Stripe would send for evt."""
    return json.dumps(evt, indent=2).encode()


# ---------------------------------------------------------------- payments

def make_card_payment(*, client_id: int | None = None, amount: Decimal = Decimal("100.00"),
                      status: str = "pending", intent_id: str | None = None, charge_id: str | None = None,
                      **kw) -> Payment:
    """A card payment row (pending by default) tied to a PaymentIntent, committed; returns it (detached)."""
    client_id = client_id or make_client().id
    n = next(_seq)
    with transaction() as session:
        payment = Payment(client_id=client_id, amount=amount, payment_type="payment", payment_method="card",
                          status=status, payment_date=kw.pop("payment_date", date(2026, 12, 7)),
                          stripe_payment_intent_id=intent_id or f"pi_test_{n}", stripe_charge_id=charge_id,
                          **kw)
        session.add(payment)
        session.flush()
    return payment
