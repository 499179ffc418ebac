"""Stripe's webhook: POST /api/v1/payments/stripe/webhook.

Stripe calls it, not a user: there is no sign-in, the Stripe-Signature header (HMAC of the raw body with the
webhook secret, within the tolerance window) is the proof. It is left out of the OpenAPI document, since no
API client calls it.
"""

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request
from pydantic import BaseModel

from coachway.config import get_settings
from coachway.core.deps import SessionDep
from coachway.core.errors import DomainError
from coachway.integrations.payments_gateway import InvalidWebhook, parse_event
from coachway.payments.service.webhook import handle_stripe_event

# No prefix of its own: coachway.payments.api includes it into its /api/v1 router
# (`router.include_router(api_stripe.router)`), which gives it the address above.
router = APIRouter(tags=["payments"])
MAX_WEBHOOK_BYTES = 256 * 1024  # Stripe's events are a few KiB; anything near this is not from Stripe
WEBHOOK_UNCONFIGURED = ("Stripe webhooks are not accepted: no webhook signing secret is configured "
                        "(set COACHWAY_STRIPE_WEBHOOK_SECRET).")


class PayloadTooLarge(DomainError):
    """The request body is larger than this address accepts."""

    status = 413
    title = "Payload too large"


class NotConfigured(DomainError):
    """This installation is not set up to take the request."""

    status = 503
    title = "Service unavailable"


class WebhookReceipt(BaseModel):
    """Stripe's answer: the event was received, and what it did."""

    received: bool
    outcome: str


async def _read_body(request: Request) -> bytes:
    """The raw body (the signature covers its exact bytes), refused past MAX_WEBHOOK_BYTES."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_WEBHOOK_BYTES:
        raise PayloadTooLarge(f"A webhook body may be at most {MAX_WEBHOOK_BYTES} bytes.")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_WEBHOOK_BYTES:
            raise PayloadTooLarge(f"A webhook body may be at most {MAX_WEBHOOK_BYTES} bytes.")
    return bytes(body)


@router.post("/payments/stripe/webhook", include_in_schema=False)
def receive_stripe_webhook(session: SessionDep, body: Annotated[bytes, Depends(_read_body)],
                           stripe_signature: Annotated[str | None, Header()] = None) -> WebhookReceipt:
    """Take one event from Stripe: verify its signature, then apply it once."""
    settings = get_settings()
    if not settings.stripe_webhook_secret:
        raise NotConfigured(WEBHOOK_UNCONFIGURED)
    if not stripe_signature:
        raise DomainError("The Stripe-Signature header is missing.")
    try:
        event = parse_event(body, stripe_signature, settings.stripe_webhook_secret,
                            settings.stripe_webhook_tolerance)
    except InvalidWebhook as exc:
        raise DomainError(f"The webhook is refused: {exc}") from exc
    return WebhookReceipt(received=True, outcome=handle_stripe_event(session, event))
