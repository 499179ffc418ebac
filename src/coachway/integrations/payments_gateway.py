"""Card payments through Stripe (the official `stripe` SDK): Customers, PaymentIntents, Refunds and signed
webhooks.

Cards are the one payment method with no offline default: without COACHWAY_STRIPE_SECRET_KEY,
`get_card_gateway()` answers None and callers refuse card payments with `CARD_UNAVAILABLE`, while every
manual method (check, ACH, wire, PO, cash) keeps working. Webhook signatures are checked by `parse_event`,
which needs only the webhook secret.

Tests swap the gateway with `set_card_gateway(...)`, usually a `StripeGateway` built on a fake
`stripe.HTTPClient`, so that no test talks to Stripe.
"""

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import stripe

from coachway.config import get_settings

CARD_UNAVAILABLE = "Card payments are unavailable: Stripe is not configured (set COACHWAY_STRIPE_SECRET_KEY)."
CURRENCY = "usd"
_CENT = Decimal("0.01")
# PaymentIntent statuses of a staff-initiated, off-session charge, as CoachWay sees them.
_PENDING = {"processing", "requires_capture"}
_FAILED = {"requires_payment_method", "canceled", "requires_action", "requires_confirmation"}


@dataclass(frozen=True)
class ChargeResult:
    """What became of a card charge.

    intent_id is None only when Stripe refused the charge before creating a PaymentIntent.
    """

    intent_id: str | None
    status: str  # "succeeded" | "pending" | "failed"
    charge_id: str | None
    failure_message: str | None


@dataclass(frozen=True)
class RefundResult:
    """A refund Stripe accepted; status is Stripe's ("succeeded", "pending", "failed", ...)."""

    refund_id: str
    status: str


@dataclass(frozen=True)
class SavedCard:
    """A card saved on a Stripe customer, as staff choose it."""

    id: str
    brand: str
    last4: str
    exp_month: int
    exp_year: int

    @property
    def label(self) -> str:
        """"Visa ending 4242, expires 12/2030"."""
        return f"{self.brand.capitalize()} ending {self.last4}, expires {self.exp_month:02d}/{self.exp_year}"


class GatewayError(Exception):
    """Stripe could not be asked or refused the request itself (not a card decline); message is for staff.

    uncertain is True when Stripe may have acted anyway (no answer, or a server error): retry with the same
    idempotency key to learn the outcome rather than start a new charge.
    """

    def __init__(self, message: str, *, uncertain: bool = False):
        super().__init__(message)
        self.uncertain = uncertain


class InvalidWebhook(Exception):
    """A webhook delivery that is not verifiably from Stripe: bad or stale signature, or not an event."""


def to_cents(amount: Decimal) -> int:
    """Dollars as integer cents, exactly; an amount with a fraction of a cent or not above zero is refused."""
    if not isinstance(amount, Decimal):
        raise TypeError("amount must be a Decimal")
    if not amount.is_finite() or amount <= 0 or amount != amount.quantize(_CENT):
        raise ValueError(f"not a positive amount in whole cents: {amount}")
    return int(amount.scaleb(2))


def from_cents(cents: int) -> Decimal:
    """Integer cents as Decimal dollars."""
    return (Decimal(int(cents)) / 100).quantize(_CENT)


def parse_event(payload: bytes, signature_header: str | None, secret: str, tolerance: int) -> dict[str, Any]:
    """The webhook event in payload, once its Stripe-Signature proves it is Stripe's and recent enough."""
    try:
        stripe.WebhookSignature.verify_header(payload, signature_header, secret, tolerance)
    except stripe.SignatureVerificationError as exc:
        raise InvalidWebhook(str(exc.user_message or exc)) from exc
    except UnicodeDecodeError as exc:
        raise InvalidWebhook("The body is not UTF-8 text.") from exc
    try:
        event = json.loads(payload)
    except ValueError as exc:
        raise InvalidWebhook("The body is not JSON.") from exc
    if (not isinstance(event, dict) or not isinstance(event.get("id"), str)
            or not isinstance(event.get("type"), str) or not isinstance(event.get("data"), dict)):
        raise InvalidWebhook("The body is not a Stripe event (id, type and data are needed).")
    return event


def _stripe_message(exc: stripe.StripeError) -> str:
    return str(exc.user_message or "Stripe refused the request.")


def _gateway_error(exc: stripe.StripeError) -> GatewayError:
    uncertain = isinstance(exc, stripe.APIConnectionError) or (exc.http_status or 0) >= 500
    return GatewayError(_stripe_message(exc), uncertain=uncertain)


class StripeGateway:
    """Customers, card charges and refunds on one Stripe account."""

    def __init__(self, secret_key: str, api_base: str | None = None,
                 http_client: stripe.HTTPClient | None = None):
        base = {"api": api_base} if api_base else None
        self.client = stripe.StripeClient(secret_key, base_addresses=base, http_client=http_client)

    def ensure_customer(self, *, existing_id: str | None, email: str | None, name: str,
                        client_id: int) -> str:
        """The client's Stripe customer id: the one already stored, or a new Customer."""
        if existing_id:
            return existing_id
        params: dict[str, Any] = {"name": name, "metadata": {"client_id": str(client_id)}}
        if email:
            params["email"] = email
        try:
            customer = self.client.v1.customers.create(params)
        except stripe.StripeError as exc:
            raise _gateway_error(exc) from exc
        return customer.id

    def charge(self, *, amount: Decimal, customer_id: str, payment_method_id: str, description: str,
               idempotency_key: str, metadata: dict[str, str]) -> ChargeResult:
        """Charge the customer's saved card now (staff-initiated, the cardholder is not present)."""
        params: dict[str, Any] = {
            "amount": to_cents(amount), "currency": CURRENCY, "customer": customer_id,
            "payment_method": payment_method_id, "payment_method_types": ["card"], "confirm": True,
            "off_session": True, "description": description, "metadata": dict(metadata),
        }
        try:
            intent = self.client.v1.payment_intents.create(params, {"idempotency_key": idempotency_key})
        except stripe.CardError as exc:
            # A decline is an answer, not an error: the intent Stripe made is in the error body.
            declined = getattr(exc.error, "payment_intent", None)
            return ChargeResult(intent_id=getattr(declined, "id", None), status="failed",
                                charge_id=_charge_id(getattr(declined, "latest_charge", None)),
                                failure_message=_stripe_message(exc))
        except stripe.StripeError as exc:
            raise _gateway_error(exc) from exc
        return _charge_result(intent)

    def list_cards(self, customer_id: str) -> list[SavedCard]:
        """The cards saved on the customer (the client adds them in the portal or with Stripe Checkout)."""
        try:
            found = self.client.v1.customers.payment_methods.list(customer_id, {"type": "card", "limit": 20})
        except stripe.StripeError as exc:
            raise _gateway_error(exc) from exc
        cards = []
        for method in found.data:
            card = getattr(method, "card", None)
            cards.append(SavedCard(id=method.id, brand=str(getattr(card, "brand", "card")),
                                   last4=str(getattr(card, "last4", "????")),
                                   exp_month=int(getattr(card, "exp_month", 0) or 0),
                                   exp_year=int(getattr(card, "exp_year", 0) or 0)))
        return cards

    def refund(self, *, intent_id: str, amount: Decimal, idempotency_key: str,
               metadata: dict[str, str] | None = None) -> RefundResult:
        """Give back part or all of a card payment."""
        params: dict[str, Any] = {"payment_intent": intent_id, "amount": to_cents(amount),
                                  "metadata": dict(metadata or {})}
        try:
            refund = self.client.v1.refunds.create(params, {"idempotency_key": idempotency_key})
        except stripe.StripeError as exc:
            raise _gateway_error(exc) from exc
        return RefundResult(refund_id=refund.id, status=str(refund.status))

    def parse_event(self, payload: bytes, signature_header: str | None, secret: str,
                    tolerance: int) -> dict[str, Any]:
        """The verified webhook event (see the module-level parse_event)."""
        return parse_event(payload, signature_header, secret, tolerance)


def _charge_id(latest_charge: Any) -> str | None:
    if latest_charge is None or isinstance(latest_charge, str):
        return latest_charge
    return getattr(latest_charge, "id", None)


def _charge_result(intent: Any) -> ChargeResult:
    charge_id = _charge_id(getattr(intent, "latest_charge", None))
    status = intent.status
    if status == "succeeded":
        return ChargeResult(intent.id, "succeeded", charge_id, None)
    if status in _PENDING:
        return ChargeResult(intent.id, "pending", charge_id, None)
    message = getattr(getattr(intent, "last_payment_error", None), "message", None)
    if status == "requires_action" and not message:
        message = "The card needs the cardholder's authentication; ask the client to pay in the portal."
    message = message or f"The charge did not go through ({status})."
    return ChargeResult(intent.id, "failed", charge_id, message)


_override: StripeGateway | None = None


def set_card_gateway(gateway: StripeGateway | None) -> None:
    """Use this gateway instead of the configured one (tests); None goes back to the configuration."""
    global _override
    _override = gateway


def get_card_gateway() -> StripeGateway | None:
    """The card gateway, or None when Stripe is not configured (cards unavailable: say CARD_UNAVAILABLE)."""
    if _override is not None:
        return _override
    s = get_settings()
    if not s.stripe_secret_key:
        return None
    return StripeGateway(s.stripe_secret_key, api_base=s.stripe_api_base)
