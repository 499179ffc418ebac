"""Payments: recording money received (offline, or a card charged through Stripe), applying it to one or many
charters, unapplying, refunds and voids (new records, never edits), and adjusting a payment's date.

Concurrency: every change locks the payment row first, then the charters it touches in id order
(SELECT ... FOR UPDATE), so concurrent applications of one payment, or to one charter, happen one at a time
and the checks (the applied total never exceeds the payment, no charter's balance goes below zero) hold.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import uuid4

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from coachway.charters.models import Charter
from coachway.charters.service._common import readable as readable_charters
from coachway.clients.models import Client
from coachway.core import audit, clock
from coachway.core.errors import Conflict, Invalid, NotFound
from coachway.core.money import to_money
from coachway.core.pagination import paginate
from coachway.core.permissions import Actor, require
from coachway.integrations import payments_gateway
from coachway.payments.models import OFFLINE_METHODS, Payment, PaymentApplication
from coachway.payments.service import ledger, plans
from coachway.payments.service.config import get_payment_configuration

MAX_APPLICATIONS = 50
MAX_AMOUNT = Decimal("10000000.00")
METHOD_WORDS = {
    "card": "Card",
    "check": "Check",
    "ach": "ACH",
    "wire": "Wire",
    "po": "Purchase order",
    "cash": "Cash",
}
TYPE_WORDS = {"payment": "Payment", "refund": "Refund", "void": "Void"}


@dataclass(frozen=True)
class Allocation:
    """An amount for one charter (positive: put on it)."""

    charter_id: int
    amount: Decimal


def allocations(items: list[dict[str, Any]] | None, field: str = "applications") -> list[Allocation]:
    """Checked allocations from [{"charter_id", "amount"}]: at most MAX_APPLICATIONS, each charter once,
    each amount above zero (to the cent)."""
    items = items or []
    if len(items) > MAX_APPLICATIONS:
        raise Invalid.field(field, f"Apply to at most {MAX_APPLICATIONS} charters at a time.")
    errors, seen, out = [], set(), []
    for n, item in enumerate(items):
        charter_id, amount = item.get("charter_id"), to_money(item.get("amount") or 0)
        if charter_id in seen:
            errors.append(
                {"field": f"{field}.{n}.charter_id", "message": f"Charter {charter_id} is listed twice."}
            )
        if amount <= 0:
            errors.append({"field": f"{field}.{n}.amount", "message": "Apply more than zero."})
        seen.add(charter_id)
        out.append(Allocation(charter_id, amount))
    if errors:
        raise Invalid("Nothing was applied.", errors=errors)
    return out


def _client(session: Session, client_id: int) -> Client:
    client = session.get(Client, client_id)
    if client is None:
        raise Invalid.field("client_id", f"No client {client_id}.")
    return client


def find(session: Session, actor: Actor, payment_id: int, *, lock: bool = False) -> Payment:
    """The payment (404 when there is none); lock holds its row until the transaction ends."""
    require(actor, "payments:read")
    stmt = select(Payment).where(Payment.id == payment_id)
    if lock:
        stmt = stmt.with_for_update()
    payment = session.scalar(stmt)
    if payment is None:
        raise NotFound(f"No payment {payment_id}.")
    return payment


def _check_date(value: date, field: str = "payment_date") -> None:
    if value > plans.company_today():
        raise Invalid.field(field, "A payment cannot be dated in the future.")


def _check_amount(amount: Decimal) -> Decimal:
    amount = to_money(amount)
    if amount <= 0:
        raise Invalid.field("amount", "The amount must be more than zero.")
    if amount > MAX_AMOUNT:
        raise Invalid.field("amount", f"The amount cannot exceed {MAX_AMOUNT:,.2f}.")
    return amount


def _check_method_details(session: Session, client: Client, method: str, data: dict[str, Any]) -> None:
    if method == "check" and not (data.get("check_number") or "").strip():
        raise Invalid.field("check_number", "A check payment needs the check number.")
    if method == "po":
        if not (data.get("po_number") or "").strip():
            raise Invalid.field("po_number", "A purchase-order payment needs the PO number.")
        allowed = get_payment_configuration(session).po_allowed_client_types
        if allowed and client.client_type not in allowed:
            raise Invalid.field(
                "payment_method",
                f"Purchase orders are accepted from {', '.join(allowed)} clients; "
                f"{client.name} is {client.client_type}.",
            )


def record_payment(
    session: Session,
    actor: Actor,
    *,
    client_id: int,
    amount: Decimal,
    payment_method: str,
    payment_date: date | None = None,
    check_number: str | None = None,
    bank_name: str | None = None,
    po_number: str | None = None,
    reference_number: str | None = None,
    notes: str | None = None,
    applications: list[dict[str, Any]] | None = None,
) -> Payment:
    """Record money received offline (check, ACH, wire, PO, cash) and, optionally, apply it at once."""
    require(actor, "payments:record")
    if payment_method not in OFFLINE_METHODS:
        raise Invalid.field(
            "payment_method",
            f"Record one of: {', '.join(OFFLINE_METHODS)} (cards are charged, not recorded).",
        )
    amount = _check_amount(amount)
    payment_date = payment_date or plans.company_today()
    _check_date(payment_date)
    client = _client(session, client_id)
    details = {"check_number": check_number, "po_number": po_number}
    _check_method_details(session, client, payment_method, details)
    items = allocations(applications)
    payment = Payment(
        client_id=client.id,
        client_name=client.name,
        amount=amount,
        payment_type="payment",
        payment_method=payment_method,
        status="succeeded",
        payment_date=payment_date,
        check_number=_clean(check_number),
        bank_name=_clean(bank_name),
        po_number=_clean(po_number),
        reference_number=_clean(reference_number),
        notes=_clean(notes),
        succeeded_at=clock.now(),
        created_by=actor.user_id,
    )
    session.add(payment)
    session.flush()
    _audit_new(session, actor, payment, "create")
    if items:
        _apply(session, actor, payment, items)
    return payment


def charge_card(
    session: Session,
    actor: Actor,
    *,
    client_id: int,
    amount: Decimal,
    payment_method_id: str,
    notes: str | None = None,
    applications: list[dict[str, Any]] | None = None,
    idempotency_key: str | None = None,
) -> Payment:
    """Charge a client's card through Stripe by hand (its own permission). The payment is recorded whatever
    Stripe answers: succeeded, pending (Stripe's webhook settles it) or failed with the decline message."""
    require(actor, "payments:charge_card")
    gateway = payments_gateway.get_card_gateway()
    if gateway is None:
        raise Invalid.field("payment_method", payments_gateway.CARD_UNAVAILABLE)
    amount = _check_amount(amount)
    if not (payment_method_id or "").strip():
        raise Invalid.field("payment_method_id", "Give the Stripe payment method to charge.")
    client = _client(session, client_id)
    items = allocations(applications)
    customer_id = gateway.ensure_customer(
        existing_id=client.stripe_customer_id, email=client.email, name=client.name, client_id=client.id
    )
    if client.stripe_customer_id != customer_id:
        client.stripe_customer_id = customer_id
    payment = Payment(
        client_id=client.id,
        client_name=client.name,
        amount=amount,
        payment_type="payment",
        payment_method="card",
        status="pending",
        payment_date=plans.company_today(),
        notes=_clean(notes),
        created_by=actor.user_id,
    )
    session.add(payment)
    session.flush()
    if items:
        _apply(session, actor, payment, items)  # holds the charters' room while Stripe answers
    # Stripe's own idempotency: a retry with the same Idempotency-Key never charges twice.
    stripe_key = f"coachway-{actor.user_id}-{idempotency_key}" if idempotency_key else f"coachway-{uuid4()}"
    result = _ask_stripe(
        gateway.charge,
        amount=amount,
        customer_id=customer_id,
        payment_method_id=payment_method_id.strip(),
        description=f"CoachWay payment {payment.id} ({client.name})",
        idempotency_key=stripe_key,
        metadata={"payment_id": str(payment.id), "client_id": str(client.id)},
    )
    payment.stripe_payment_intent_id = result.intent_id
    payment.stripe_charge_id = result.charge_id
    payment.status = result.status
    payment.failure_message = result.failure_message
    if result.status == "succeeded":
        payment.succeeded_at = clock.now()
    session.flush()
    _audit_new(session, actor, payment, "charge_card")
    plans.refresh_paid_flags(session, [i.charter_id for i in items])
    return payment


def _audit_new(session: Session, actor: Actor, payment: Payment, action: str) -> None:
    """Audit a payment as just written."""
    audit.record(session, actor, entity_type="payment", entity_id=payment.id, action=action, old=None,
                 new=audit.snapshot(payment))


def _ask_stripe(call, **kwargs):
    """Call the card gateway; its errors become a 409 that says whether Stripe may have acted."""
    try:
        return call(**kwargs)
    except payments_gateway.GatewayError as exc:
        hint = (" Stripe may have acted: retry with the same Idempotency-Key to learn the outcome."
                if exc.uncertain else "")
        raise Conflict(f"Stripe refused the request: {exc}.{hint}") from exc


def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _lock_charters(session: Session, actor: Actor, ids: list[int]) -> dict[int, Charter]:
    rows = session.scalars(
        readable_charters(actor).where(Charter.id.in_(ids)).order_by(Charter.id).with_for_update()
    ).all()
    return {c.id: c for c in rows}


def _apply(
    session: Session, actor: Actor, payment: Payment, items: list[Allocation]
) -> list[PaymentApplication]:
    """Put the allocations on their charters; the payment is locked by the caller."""
    if payment.payment_type != "payment":
        raise Conflict(f"Payment {payment.id} is a {payment.payment_type}; only payments are applied.")
    if payment.status not in ledger.HOLDING_STATUSES:
        raise Conflict(f"Payment {payment.id} {payment.status}; there is no money to apply.")
    position = ledger.position(session, payment)
    total = sum((i.amount for i in items), Decimal(0))
    if total > position.unapplied:
        raise Conflict(
            f"Only {position.unapplied:,.2f} of payment {payment.id} is left to apply; "
            f"{total:,.2f} was asked for.",
            errors=[{"field": "applications", "message": f"{position.unapplied:.2f} left to apply."}],
        )
    charters = _lock_charters(session, actor, [i.charter_id for i in items])
    money = ledger.balances(session, list(charters))
    errors = []
    for n, item in enumerate(items):
        field = f"applications.{n}"
        charter = charters.get(item.charter_id)
        if charter is None:
            errors.append({"field": f"{field}.charter_id", "message": f"No charter {item.charter_id}."})
            continue
        if charter.client_id != payment.client_id:
            errors.append(
                {
                    "field": f"{field}.charter_id",
                    "message": f"Charter {charter.id} belongs to another client.",
                }
            )
            continue
        room = money[charter.id].room
        if charter.status not in (*ledger.RECEIVABLE_STATUSES, "cancelled"):
            errors.append(
                {
                    "field": f"{field}.charter_id",
                    "message": f"Charter {charter.id} is a {charter.status}; book it first.",
                }
            )
        elif item.amount > room:
            errors.append(
                {
                    "field": f"{field}.amount",
                    "message": f"Charter {charter.id} has {max(room, Decimal(0)):.2f} left to pay.",
                }
            )
    if errors:
        missing = any(e["message"].startswith("No charter") for e in errors)
        cls = Invalid if missing else Conflict
        raise cls("Nothing was applied: " + " ".join(e["message"] for e in errors), errors=errors)
    now = clock.now()
    rows = [
        PaymentApplication(
            payment_id=payment.id,
            charter_id=i.charter_id,
            amount_applied=i.amount,
            applied_at=now,
            applied_by=actor.user_id,
        )
        for i in items
    ]
    session.add_all(rows)
    session.flush()
    _refresh_payment_flags(session, payment)
    audit.record(
        session,
        actor,
        entity_type="payment",
        entity_id=payment.id,
        action="apply",
        old=None,
        new={"applications": [{"charter_id": i.charter_id, "amount": str(i.amount)} for i in items]},
    )
    plans.refresh_paid_flags(session, [i.charter_id for i in items])
    return rows


def _net_by_charter(session: Session, payment_id: int) -> list[tuple[int, Decimal]]:
    """What the payment still has on each charter, the most recently applied first."""
    rows = session.execute(
        select(
            PaymentApplication.charter_id,
            func.sum(PaymentApplication.amount_applied),
            func.max(PaymentApplication.id),
        )
        .where(PaymentApplication.payment_id == payment_id)
        .group_by(PaymentApplication.charter_id)
        .order_by(func.max(PaymentApplication.id).desc())
    ).all()
    return [(r[0], to_money(r[1])) for r in rows if r[1] and to_money(r[1]) > 0]


def _refresh_payment_flags(session: Session, payment: Payment) -> None:
    on = _net_by_charter(session, payment.id)
    multiple = len(on) > 1
    single = on[0][0] if len(on) == 1 else None
    if payment.applied_to_multiple_charters != multiple:
        payment.applied_to_multiple_charters = multiple
    if payment.charter_id != single:
        payment.charter_id = single


def apply_payment(
    session: Session, actor: Actor, payment_id: int, applications: list[dict[str, Any]]
) -> list[PaymentApplication]:
    """Split a payment across charters (spec apply-multiple): all or nothing."""
    require(actor, "payments:record")
    items = allocations(applications)
    if not items:
        raise Invalid.field("applications", "Name at least one charter and amount.")
    payment = find(session, actor, payment_id, lock=True)
    return _apply(session, actor, payment, items)


def unapply_payment(
    session: Session,
    actor: Actor,
    payment_id: int,
    charter_id: int,
    amount: Decimal | None = None,
    note: str | None = None,
) -> PaymentApplication:
    """Take (part of) a payment back off a charter, leaving it free to apply elsewhere: a negative row."""
    require(actor, "payments:record")
    payment = find(session, actor, payment_id, lock=True)
    _lock_charters(session, actor, [charter_id])
    on = dict(_net_by_charter(session, payment.id))
    if charter_id not in on:
        raise Conflict(f"Payment {payment.id} has nothing on charter {charter_id}.")
    amount = on[charter_id] if amount is None else to_money(amount)
    if amount <= 0 or amount > on[charter_id]:
        raise Invalid.field("amount", f"Take off more than zero and at most {on[charter_id]:.2f}.")
    row = PaymentApplication(
        payment_id=payment.id,
        charter_id=charter_id,
        amount_applied=-amount,
        applied_at=clock.now(),
        applied_by=actor.user_id,
        note=_clean(note) or "Unapplied",
    )
    session.add(row)
    session.flush()
    _refresh_payment_flags(session, payment)
    audit.record(
        session,
        actor,
        entity_type="payment",
        entity_id=payment.id,
        action="unapply",
        old=None,
        new={"charter_id": charter_id, "amount": str(amount)},
    )
    plans.refresh_paid_flags(session, [charter_id])
    return row


def record_refund(
    session: Session,
    actor: Actor,
    original: Payment,
    amount: Decimal,
    *,
    reason: str,
    stripe_refund_id: str | None = None,
    payment_type: str = "refund",
    payment_method: str | None = None,
    charter_amounts: list[Allocation] | None = None,
) -> Payment:
    """Record money given back from a payment (locked by the caller) as a new row. It comes off the payment's
    unapplied part first, then off its charters (as named, else the most recently applied first)."""
    amount = to_money(amount)
    position = ledger.position(session, original)
    refundable = position.amount - position.refunded
    if amount <= 0 or amount > refundable:
        raise Conflict(
            f"At most {refundable:,.2f} of payment {original.id} can be given back.",
            errors=[{"field": "amount", "message": f"At most {refundable:.2f}."}],
        )
    on = _net_by_charter(session, original.id)
    if charter_amounts:
        held = dict(on)
        for n, item in enumerate(charter_amounts):
            if item.amount > held.get(item.charter_id, Decimal(0)):
                raise Invalid.field(
                    f"charters.{n}.amount",
                    f"Payment {original.id} has {held.get(item.charter_id, 0):.2f} on charter "
                    f"{item.charter_id}.",
                )
        takes = [(i.charter_id, i.amount) for i in charter_amounts]
        if amount - sum(a for _, a in takes) > position.unapplied:
            raise Invalid.field("charters", "Name charters for the part of the refund that was applied.")
    else:
        need, takes = amount - min(amount, max(position.unapplied, Decimal(0))), []
        for charter_id, held in on:
            if need <= 0:
                break
            take = min(held, need)
            takes.append((charter_id, take))
            need -= take
    refund = Payment(
        client_id=original.client_id,
        client_name=original.client_name,
        amount=amount,
        payment_type=payment_type,
        payment_method=payment_method or original.payment_method,
        status="succeeded",
        payment_date=plans.company_today(),
        original_payment_id=original.id,
        reason=reason,
        stripe_refund_id=stripe_refund_id,
        succeeded_at=clock.now(),
        created_by=actor.user_id,
    )
    session.add(refund)
    session.flush()
    if takes:
        _lock_charters(session, actor, [c for c, _ in takes])
        session.add_all(
            PaymentApplication(
                payment_id=original.id,
                charter_id=c,
                amount_applied=-a,
                applied_at=clock.now(),
                applied_by=actor.user_id,
                reversal_payment_id=refund.id,
                note=f"{TYPE_WORDS[payment_type]} {refund.id}",
            )
            for c, a in takes
        )
        session.flush()
    _refresh_payment_flags(session, original)
    audit.record(
        session,
        actor,
        entity_type="payment",
        entity_id=refund.id,
        action=payment_type,
        old=None,
        new={**audit.snapshot(refund), "charters": [{"charter_id": c, "amount": str(a)} for c, a in takes]},
    )
    plans.refresh_paid_flags(session, [c for c, _ in takes])
    return refund


def refund_payment(
    session: Session,
    actor: Actor,
    payment_id: int,
    amount: Decimal,
    reason: str,
    charters: list[dict[str, Any]] | None = None,
) -> Payment:
    """Give money back from a payment: a card payment through Stripe, anything else recorded (the check or
    transfer is sent outside). A new refund row; the payment itself never changes."""
    require(actor, "payments:refund")
    reason = (reason or "").strip()
    if not reason:
        raise Invalid.field("reason", "Say why the money goes back.")
    payment = find(session, actor, payment_id, lock=True)
    if payment.payment_type != "payment" or payment.status != "succeeded":
        raise Conflict(
            f"Payment {payment.id} is a {payment.status} {payment.payment_type}; only a payment "
            "that succeeded can be refunded."
        )
    amount = _check_amount(amount)
    takes = allocations(charters, "charters") if charters else None
    stripe_refund_id = None
    if payment.payment_method == "card":
        gateway = payments_gateway.get_card_gateway()
        if gateway is None or not payment.stripe_payment_intent_id:
            raise Conflict(payments_gateway.CARD_UNAVAILABLE)
        position = ledger.position(session, payment)
        if amount > position.amount - position.refunded:
            raise Conflict(
                f"At most {position.amount - position.refunded:,.2f} of payment {payment.id} can "
                "be given back."
            )
        result = _ask_stripe(
            gateway.refund,
            intent_id=payment.stripe_payment_intent_id,
            amount=amount,
            idempotency_key=f"coachway-refund-{payment.id}-{position.refunded}-{amount}",
            metadata={"payment_id": str(payment.id)},
        )
        stripe_refund_id = result.refund_id
    return record_refund(
        session,
        actor,
        payment,
        amount,
        reason=reason,
        stripe_refund_id=stripe_refund_id,
        charter_amounts=takes,
    )


def void_payment(session: Session, actor: Actor, payment_id: int, reason: str) -> Payment:
    """Cancel an offline payment recorded in error or not honoured (a bounced check): a void row for what is
    left of it, taking it off every charter."""
    require(actor, "payments:refund")
    reason = (reason or "").strip()
    if not reason:
        raise Invalid.field("reason", "Say why the payment is voided.")
    payment = find(session, actor, payment_id, lock=True)
    if payment.payment_type != "payment":
        raise Conflict(f"Payment {payment.id} is a {payment.payment_type}; only payments are voided.")
    if payment.payment_method == "card":
        raise Conflict("Card payments are refunded, not voided.")
    position = ledger.position(session, payment)
    left = position.amount - position.refunded
    if left <= 0:
        raise Conflict(f"Payment {payment.id} was already given back in full.")
    return record_refund(session, actor, payment, left, reason=reason, payment_type="void")


def adjust_payment_date(
    session: Session, actor: Actor, payment_id: int, payment_date: date, reason: str
) -> Payment:
    """Correct the date a payment was received (audited with the reason)."""
    require(actor, "payments:adjust")
    reason = (reason or "").strip()
    if not reason:
        raise Invalid.field("reason", "Say why the date changes.")
    _check_date(payment_date)
    payment = find(session, actor, payment_id, lock=True)
    if payment.payment_date == payment_date:
        return payment
    old = {"payment_date": payment.payment_date.isoformat()}
    payment.payment_date = payment_date
    session.flush()
    audit.record(
        session,
        actor,
        entity_type="payment",
        entity_id=payment.id,
        action="adjust_date",
        old=old,
        new={"payment_date": payment_date.isoformat(), "reason": reason},
    )
    return payment


def _filtered(
    stmt: Select,
    *,
    client_id: int | None = None,
    charter_id: int | None = None,
    payment_method: str | None = None,
    payment_type: str | None = None,
    status: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    q: str | None = None,
) -> Select:
    if client_id is not None:
        stmt = stmt.where(Payment.client_id == client_id)
    if charter_id is not None:
        on = select(PaymentApplication.payment_id).where(PaymentApplication.charter_id == charter_id)
        stmt = stmt.where(or_(Payment.id.in_(on), Payment.original_payment_id.in_(on)))
    for column, value in (
        (Payment.payment_method, payment_method),
        (Payment.payment_type, payment_type),
        (Payment.status, status),
    ):
        if value:
            stmt = stmt.where(column == value)
    if date_from is not None:
        stmt = stmt.where(Payment.payment_date >= date_from)
    if date_to is not None:
        stmt = stmt.where(Payment.payment_date <= date_to)
    if q and q.strip():
        like = f"%{q.strip().lower()}%"
        stmt = stmt.where(
            or_(
                func.lower(Payment.client_name).like(like),
                func.lower(Payment.check_number).like(like),
                func.lower(Payment.reference_number).like(like),
                func.lower(Payment.po_number).like(like),
            )
        )
    return stmt


def list_payments(
    session: Session, actor: Actor, *, limit: int = 50, offset: int = 0, **filters: Any
) -> tuple[list[Payment], int]:
    """Payments, refunds and voids, newest first, with filters."""
    require(actor, "payments:read")
    if filters.get("date_from") and filters.get("date_to") and filters["date_from"] > filters["date_to"]:
        raise Invalid.field("date_to", "The end date is before the start date.")
    stmt = _filtered(select(Payment), **filters).order_by(Payment.payment_date.desc(), Payment.id.desc())
    return paginate(session, stmt, limit=limit, offset=offset)


@dataclass(frozen=True)
class ApplicationLine:
    """One application row with what a person needs to read it."""

    id: int
    payment_id: int
    charter_id: int
    amount_applied: Decimal
    applied_at: Any
    applied_by: int | None
    reversal_payment_id: int | None
    note: str | None
    trip_date: date | None
    charter_status: str | None
    client_id: int | None
    balance: Decimal


def applications_of(session: Session, actor: Actor, payment_id: int) -> tuple[Payment, list[ApplicationLine]]:
    """A payment's applications (spec GET /payments/{id}/applications), oldest first, each with its charter's
    current balance."""
    payment = find(session, actor, payment_id)
    rows = session.execute(
        select(PaymentApplication, Charter.trip_date, Charter.status, Charter.client_id)
        .join(Charter, Charter.id == PaymentApplication.charter_id)
        .where(PaymentApplication.payment_id == payment.id)
        .order_by(PaymentApplication.id)
    ).all()
    money = ledger.balances(session, list({r[0].charter_id for r in rows}))
    return payment, [
        ApplicationLine(
            a.id,
            a.payment_id,
            a.charter_id,
            to_money(a.amount_applied),
            a.applied_at,
            a.applied_by,
            a.reversal_payment_id,
            a.note,
            trip,
            status,
            client,
            money[a.charter_id].balance,
        )
        for a, trip, status, client in rows
    ]


def reversals_of(session: Session, payment: Payment) -> list[Payment]:
    """The refunds and voids of a payment, oldest first."""
    return list(
        session.scalars(select(Payment).where(Payment.original_payment_id == payment.id).order_by(Payment.id))
    )


def open_charters(session: Session, actor: Actor, client_id: int) -> list[tuple[Charter, ledger.Balance]]:
    """A client's charters with money still to pay (room above zero), by trip date: where a payment can go."""
    require(actor, "payments:read")
    charters = session.scalars(
        readable_charters(actor)
        .where(Charter.client_id == client_id, Charter.status.in_((*ledger.RECEIVABLE_STATUSES, "cancelled")))
        .order_by(Charter.trip_date, Charter.id)
        .limit(200)
    ).all()
    money = ledger.balances(session, [c.id for c in charters])
    return [(c, money[c.id]) for c in charters if money[c.id].room > 0]
