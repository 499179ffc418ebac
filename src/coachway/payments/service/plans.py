"""Payment plans: when a booked charter's money is due. Booking makes the standard plan (deposit and balance,
from the payment terms); staff may replace it with custom installments that add up to the same total."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from coachway.charters.models import Charter
from coachway.charters.service._common import find
from coachway.core import audit, clock
from coachway.core.errors import Conflict, Invalid, NotFound
from coachway.core.money import to_money
from coachway.core.permissions import Actor, require
from coachway.payments.models import PaymentPlan, PaymentPlanInstallment
from coachway.payments.service import ledger
from coachway.payments.service.config import get_payment_configuration

MAX_INSTALLMENTS = 24
CENT = Decimal("0.01")


company_today = clock.company_today  # today where the company is


@dataclass(frozen=True)
class Due:
    """One installment as asked for: what, when and how much."""

    label: str
    due_date: date
    amount: Decimal


def standard_dues(session: Session, total: Decimal, trip_date: date, today: date) -> list[Due]:
    """The deposit and balance the payment terms give for a trip: the deposit due deposit_days_before the
    trip (today when that has passed), the balance balance_due_days_before it (never before the deposit)."""
    config = get_payment_configuration(session)
    deposit = (total * config.deposit_percentage / 100).quantize(CENT, rounding=ROUND_HALF_UP)
    deposit_due = max(today, trip_date - timedelta(days=config.deposit_days_before))
    balance_due = max(deposit_due, trip_date - timedelta(days=config.balance_due_days_before))
    return [Due("Deposit", deposit_due, deposit), Due("Balance", balance_due, total - deposit)]


def _replace(session: Session, charter: Charter, dues: list[Due], *, custom: bool) -> PaymentPlan:
    plan = session.scalar(select(PaymentPlan).where(PaymentPlan.charter_id == charter.id))
    first, last = dues[0], dues[-1]
    if plan is None:
        plan = PaymentPlan(
            charter_id=charter.id,
            deposit_amount=first.amount,
            deposit_due_date=first.due_date,
            balance_amount=last.amount,
            balance_due_date=last.due_date,
        )
        session.add(plan)
        session.flush()
    else:
        session.execute(
            delete(PaymentPlanInstallment).where(PaymentPlanInstallment.payment_plan_id == plan.id)
        )
    plan.deposit_amount, plan.deposit_due_date = first.amount, first.due_date
    plan.balance_amount, plan.balance_due_date = last.amount, last.due_date
    plan.custom_installments = (
        [{"label": d.label, "due_date": d.due_date.isoformat(), "amount": str(d.amount)} for d in dues]
        if custom
        else None
    )
    session.add_all(
        PaymentPlanInstallment(
            payment_plan_id=plan.id,
            charter_id=charter.id,
            sequence=n,
            label=d.label,
            due_date=d.due_date,
            amount=d.amount,
        )
        for n, d in enumerate(dues, start=1)
    )
    session.flush()
    refresh_paid_flags(session, [charter.id])
    return plan


def create_for_booking(session: Session, charter: Charter) -> PaymentPlan | None:
    """The standard plan of a charter just booked (none when it has no price yet, or already has a plan)."""
    if charter.quoted_price is None:
        return None
    existing = session.scalar(select(PaymentPlan).where(PaymentPlan.charter_id == charter.id))
    if existing is not None:
        return existing
    dues = standard_dues(session, to_money(charter.quoted_price), charter.trip_date, company_today())
    return _replace(session, charter, dues, custom=False)


def get_plan(
    session: Session, actor: Actor, charter_id: int
) -> tuple[PaymentPlan, list[PaymentPlanInstallment]]:
    """A charter's plan and its installments in due order (404 when it has none)."""
    require(actor, "payments:read")
    find(session, actor, charter_id)
    plan = session.scalar(select(PaymentPlan).where(PaymentPlan.charter_id == charter_id))
    if plan is None:
        raise NotFound(f"Charter {charter_id} has no payment plan (it is made when the charter is booked).")
    rows = session.scalars(
        select(PaymentPlanInstallment)
        .where(PaymentPlanInstallment.payment_plan_id == plan.id)
        .order_by(PaymentPlanInstallment.sequence)
    ).all()
    return plan, list(rows)


def set_custom_plan(
    session: Session, actor: Actor, charter_id: int, installments: list[dict[str, Any]]
) -> PaymentPlan:
    """Replace a booked charter's plan with installments (label, due_date, amount) that add up to its price;
    due dates in order. Audited."""
    require(actor, "payments:adjust")
    charter = find(session, actor, charter_id, lock=True)
    if charter.status not in ledger.RECEIVABLE_STATUSES or charter.quoted_price is None:
        raise Conflict(f"Charter {charter_id} is {charter.status}: only a priced booking has a payment plan.")
    if not 1 <= len(installments) <= MAX_INSTALLMENTS:
        raise Invalid.field("installments", f"Give 1 to {MAX_INSTALLMENTS} installments.")
    dues = [
        Due(
            (item.get("label") or f"Installment {n}").strip()[:50], item["due_date"], to_money(item["amount"])
        )
        for n, item in enumerate(installments, start=1)
    ]
    errors = []
    for n, due in enumerate(dues):
        if due.amount < 0:
            errors.append(
                {"field": f"installments.{n}.amount", "message": "An installment cannot be negative."}
            )
        if n and due.due_date < dues[n - 1].due_date:
            errors.append(
                {
                    "field": f"installments.{n}.due_date",
                    "message": "Due dates must be in order, earliest first.",
                }
            )
    total = to_money(charter.quoted_price)
    if sum((d.amount for d in dues), Decimal(0)) != total:
        errors.append(
            {
                "field": "installments",
                "message": f"The installments add up to {sum(d.amount for d in dues):.2f}; "
                f"the charter's price is {total:.2f}.",
            }
        )
    if errors:
        raise Invalid("The payment plan was not changed.", errors=errors)
    old = _plan_snapshot(session, charter.id)
    plan = _replace(session, charter, dues, custom=True)
    audit.record(
        session,
        actor,
        entity_type="payment_plan",
        entity_id=plan.id,
        action="update",
        old=old,
        new=_plan_snapshot(session, charter.id),
    )
    return plan


def _plan_snapshot(session: Session, charter_id: int) -> dict[str, Any]:
    rows = session.execute(
        select(PaymentPlanInstallment.label, PaymentPlanInstallment.due_date, PaymentPlanInstallment.amount)
        .where(PaymentPlanInstallment.charter_id == charter_id)
        .order_by(PaymentPlanInstallment.sequence)
    ).all()
    return {
        "installments": [{"label": r[0], "due_date": r[1].isoformat(), "amount": str(r[2])} for r in rows]
    }


def refresh_paid_flags(session: Session, charter_ids: list[int]) -> None:
    """Set deposit_paid / balance_paid (and cancellation_fee_paid) from what the charters have been paid."""
    if not charter_ids:
        return
    money = ledger.balances(session, charter_ids)
    plans = session.scalars(select(PaymentPlan).where(PaymentPlan.charter_id.in_(charter_ids))).all()
    now = clock.now()
    for plan in plans:
        paid = money[plan.charter_id].paid if plan.charter_id in money else Decimal(0)
        deposit_paid = paid >= plan.deposit_amount
        balance_paid = (
            paid >= plan.deposit_amount + plan.balance_amount
            if plan.custom_installments is None
            else paid >= sum(Decimal(i["amount"]) for i in plan.custom_installments)
        )
        if deposit_paid != plan.deposit_paid:
            plan.deposit_paid, plan.deposit_paid_at = deposit_paid, now if deposit_paid else None
        if balance_paid != plan.balance_paid:
            plan.balance_paid, plan.balance_paid_at = balance_paid, now if balance_paid else None
    for charter in session.scalars(
        select(Charter).where(Charter.id.in_(charter_ids), Charter.status == "cancelled")
    ):
        position = money.get(charter.id)
        fee = charter.cancellation_fee or Decimal(0)
        charter.cancellation_fee_paid = bool(fee > 0 and position is not None and position.paid >= fee)
    session.flush()
