"""Stripe webhook events applied to payments, each exactly once.

Stripe delivers an event at least once, possibly twice at the same moment, and in no promised order. The
event's id goes into `stripe_events` first, inside a savepoint: a second delivery (even a concurrent one,
which waits on the unique index until the first commits) fails that insert and changes nothing. If applying
the event fails, the whole request rolls back, the id with it, and Stripe's retry applies it again.
"""

from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from coachway.core import audit, clock
from coachway.core.errors import Conflict, DomainError
from coachway.core.permissions import SYSTEM
from coachway.integrations.payments_gateway import from_cents
from coachway.payments.models import Payment, StripeEvent
from coachway.payments.service.ledger import HOLDING_STATUSES

ALREADY_HANDLED = "already handled"
IGNORED = "ignored"
UNKNOWN_INTENT = "ignored (unknown payment intent)"
_OUTCOME_MAX = 255
# A charge CoachWay made is written to the database when the staff request that made it commits, and Stripe's
# event may come first: for this long such an event is refused (Stripe delivers it again later), after that
# it is recorded as about an unknown payment intent.
RETRY_UNKNOWN_OWN_INTENT_SECONDS = 3600


class RetryLater(Conflict):
    """The event is about a CoachWay charge not stored yet: refused, so that Stripe delivers it again."""


def handle_stripe_event(session: Session, event: dict[str, Any]) -> str:
    """Apply one verified Stripe event to the payment it is about; says what was done."""
    row = StripeEvent(event_id=str(event["id"])[:255], event_type=str(event["type"])[:100],
                      outcome="received")
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return ALREADY_HANDLED
    handler = _HANDLERS.get(event["type"])
    obj = (event.get("data") or {}).get("object")
    if handler is None or not isinstance(obj, dict):
        payment, outcome = None, IGNORED
    else:
        payment, outcome = handler(session, obj)
    if outcome == UNKNOWN_INTENT and _own_and_recent(event, obj):
        raise RetryLater(f"The payment of event {event['id']} is not recorded yet; deliver it again later.")
    row.payment_id = payment.id if payment is not None else None
    row.outcome = outcome[:_OUTCOME_MAX]
    session.flush()
    return outcome


def _own_and_recent(event: dict[str, Any], obj: Any) -> bool:
    """True for an event about a charge CoachWay made (its metadata names our payment) that is still young."""
    metadata = obj.get("metadata") if isinstance(obj, dict) else None
    created = event.get("created")
    if not isinstance(metadata, dict) or not metadata.get("payment_id") or not isinstance(created, int):
        return False
    return clock.now().timestamp() - created < RETRY_UNKNOWN_OWN_INTENT_SECONDS


def _locked_payment(session: Session, condition) -> Payment | None:
    # The row lock (PostgreSQL) orders this event against other events and staff actions on the payment.
    stmt = (select(Payment).where(Payment.payment_type == "payment", condition)
            .order_by(Payment.id).limit(1).with_for_update())
    return session.scalars(stmt).first()


def _object_id(value: Any) -> str | None:
    """An id from a field Stripe sends either as an id or as the expanded object."""
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) and value else None


def _settle(session: Session, payment: Payment, status: str, *, charge_id: str | None = None,
            failure_message: str | None = None) -> None:
    """Move a pending card payment to its final status as Stripe reports it; audited."""
    before = audit.snapshot(payment)
    payment.status = status
    if status == "succeeded":
        payment.succeeded_at = clock.now()
        payment.stripe_charge_id = charge_id or payment.stripe_charge_id
    else:
        payment.failure_message = failure_message or "The card payment failed."
    session.flush()
    audit.record(session, SYSTEM, entity_type="payment", entity_id=payment.id, action=f"stripe_{status}",
                 old=before, new=audit.snapshot(payment))


def _intent_succeeded(session: Session, intent: dict[str, Any]) -> tuple[Payment | None, str]:
    intent_id = _object_id(intent)
    payment = _locked_payment(session, Payment.stripe_payment_intent_id == intent_id) if intent_id else None
    if payment is None:
        return None, UNKNOWN_INTENT
    if payment.status != "pending":
        return payment, f"ignored (payment already {payment.status})"
    _settle(session, payment, "succeeded", charge_id=_object_id(intent.get("latest_charge")))
    return payment, "payment succeeded"


def _intent_failed(session: Session, intent: dict[str, Any]) -> tuple[Payment | None, str]:
    intent_id = _object_id(intent)
    payment = _locked_payment(session, Payment.stripe_payment_intent_id == intent_id) if intent_id else None
    if payment is None:
        return None, UNKNOWN_INTENT
    if payment.status != "pending":
        return payment, f"ignored (payment already {payment.status})"
    error = intent.get("last_payment_error")
    message = error.get("message") if isinstance(error, dict) else None
    _settle(session, payment, "failed", failure_message=message)
    return payment, "payment failed"


def _refunded_so_far(session: Session, payment: Payment) -> Decimal:
    total = session.scalar(select(func.coalesce(func.sum(Payment.amount), 0))
                           .where(Payment.original_payment_id == payment.id, Payment.payment_type == "refund",
                                  Payment.status.in_(HOLDING_STATUSES)))
    return Decimal(total or 0)


def _refunds_to_record(session: Session, payment: Payment,
                       charge: dict[str, Any]) -> list[tuple[str | None, Decimal, str | None]]:
    """(Stripe refund id, amount, Stripe's reason) of each refund of the charge not yet recorded."""
    listed = charge.get("refunds")
    items = [r for r in listed.get("data") or [] if isinstance(r, dict)] if isinstance(listed, dict) else []
    items = [r for r in items if isinstance(r.get("id"), str) and isinstance(r.get("amount"), int)
             and r.get("status") in ("succeeded", "pending")]
    ids = [r["id"] for r in items]
    known = set(session.scalars(select(Payment.stripe_refund_id).where(Payment.stripe_refund_id.in_(ids)))) \
        if ids else set()
    todo = [(r["id"], from_cents(r["amount"]), r.get("reason"))
            for r in sorted(items, key=lambda r: r.get("created") or 0) if r["id"] not in known]
    complete = isinstance(listed, dict) and "data" in listed and not listed.get("has_more")
    if not complete and isinstance(charge.get("amount_refunded"), int):
        # API versions since 2022-11-15 leave the refunds list out of charges: go by the refunded total.
        missing = (from_cents(charge["amount_refunded"]) - _refunded_so_far(session, payment)
                   - sum((amount for _, amount, _ in todo), Decimal(0)))
        if missing > 0:
            todo.append((None, missing, None))
    return todo


def _charge_refunded(session: Session, charge: dict[str, Any]) -> tuple[Payment | None, str]:
    from coachway.payments.service.payments import record_refund

    intent_id, charge_id = _object_id(charge.get("payment_intent")), _object_id(charge)
    # Every charge CoachWay makes comes from a PaymentIntent (unique, indexed); the charge id is a fallback.
    condition = (Payment.stripe_payment_intent_id == intent_id if intent_id
                 else Payment.stripe_charge_id == charge_id if charge_id else None)
    payment = _locked_payment(session, condition) if condition is not None else None
    if payment is None:
        return None, UNKNOWN_INTENT
    if payment.status == "pending" and charge.get("status") == "succeeded":
        # Events come in no set order: a refunded charge had succeeded, whether or not we heard yet.
        _settle(session, payment, "succeeded", charge_id=charge_id)
    if payment.status != "succeeded":
        return payment, f"ignored (payment is {payment.status})"
    recorded, refused = 0, []
    for refund_id, amount, stripe_reason in _refunds_to_record(session, payment, charge):
        reason = f"Refunded in Stripe ({', '.join(filter(None, [refund_id or 'refund', stripe_reason]))})"
        try:
            with session.begin_nested():
                record_refund(session, SYSTEM, payment, amount, reason=reason, stripe_refund_id=refund_id)
            recorded += 1
        except IntegrityError:
            continue  # recorded meanwhile by the staff action that asked Stripe for this refund
        except DomainError as exc:
            # Stripe gave the money back whatever our rules say: keep the event, note why it is not booked.
            refused.append(f"{refund_id or amount}: {exc.detail}")
            audit.record(session, SYSTEM, entity_type="payment", entity_id=payment.id,
                         action="stripe_refund_not_recorded",
                         new={"stripe_refund_id": refund_id, "amount": str(amount), "reason": exc.detail})
    if refused:
        return payment, f"recorded {recorded} refund(s); not recorded: {'; '.join(refused)}"
    return payment, f"recorded {recorded} refund(s)" if recorded else "no new refund"


_HANDLERS = {
    "payment_intent.succeeded": _intent_succeeded,
    "payment_intent.payment_failed": _intent_failed,
    "charge.refunded": _charge_refunded,
}
