"""What a charter owes and what has been paid on it: the SQL every payment rule and report shares.

- A charter's **receivable** is what the client owes for it: the quoted price once booked (booked, confirmed,
  in progress or completed), the cancellation fee once cancelled, nothing while a quote.
- Its **paid** amount is the sum of `payment_applications.amount_applied` over payments that succeeded
  (negative rows, from unapplying, refunds and voids, take money back off).
- Its **balance** is receivable - paid; below zero it is a credit owed back to the client.
- Applications of **pending** payments (a card charge Stripe has not confirmed) do not count as paid, but they
  do hold the charter's room: a new application may not take the balance below zero counting them.
"""

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from coachway.charters.models import Charter
from coachway.core.money import to_money
from coachway.payments.models import Payment, PaymentApplication

RECEIVABLE_STATUSES = ("booked", "confirmed", "in_progress", "completed")
HOLDING_STATUSES = ("pending", "succeeded")  # payment statuses whose applications hold a charter's room
ZERO = Decimal("0.00")


def receivable_expr() -> ColumnElement:
    """SQL: what the client owes for a charter (Charter columns), by its status."""
    return case(
        (Charter.status == "cancelled", func.coalesce(Charter.cancellation_fee, 0)),
        (Charter.status.in_(RECEIVABLE_STATUSES), func.coalesce(Charter.quoted_price, 0)),
        else_=0,
    )


def applied_by_charter(statuses: tuple[str, ...] = ("succeeded",)) -> Select:
    """SQL: (charter_id, applied) summing the applications of payments in the given statuses."""
    return (select(PaymentApplication.charter_id,
                   func.sum(PaymentApplication.amount_applied).label("applied"))
            .join(Payment, Payment.id == PaymentApplication.payment_id)
            .where(Payment.status.in_(statuses))
            .group_by(PaymentApplication.charter_id))


@dataclass(frozen=True)
class Balance:
    """A charter's money position: owed, paid (succeeded), held by pending card charges, and the balance."""

    charter_id: int
    receivable: Decimal
    paid: Decimal
    pending: Decimal

    @property
    def balance(self) -> Decimal:
        """Still owed (negative: a credit owed back to the client)."""
        return self.receivable - self.paid

    @property
    def room(self) -> Decimal:
        """How much more may be applied (pending charges count as already applied)."""
        return self.receivable - self.paid - self.pending


def balances(session: Session, charter_ids: list[int]) -> dict[int, Balance]:
    """The balance of each charter named, in one query (unknown ids are left out)."""
    if not charter_ids:
        return {}
    paid = func.coalesce(func.sum(case((Payment.status == "succeeded", PaymentApplication.amount_applied),
                                       else_=0)), 0)
    pending = func.coalesce(func.sum(case((Payment.status == "pending", PaymentApplication.amount_applied),
                                          else_=0)), 0)
    stmt = (select(Charter.id, receivable_expr(), paid, pending)
            .outerjoin(PaymentApplication, PaymentApplication.charter_id == Charter.id)
            .outerjoin(Payment, Payment.id == PaymentApplication.payment_id)
            .where(Charter.id.in_(charter_ids))
            .group_by(Charter.id, Charter.status, Charter.cancellation_fee, Charter.quoted_price))
    return {row[0]: Balance(row[0], to_money(row[1]), to_money(row[2]), to_money(row[3]))
            for row in session.execute(stmt)}


def balance_of(session: Session, charter_id: int) -> Balance:
    """One charter's balance (zeros for an unknown id)."""
    return balances(session, [charter_id]).get(charter_id, Balance(charter_id, ZERO, ZERO, ZERO))


@dataclass(frozen=True)
class PaymentPosition:
    """How a payment's amount is split: put on charters, given back, and still free to apply."""

    payment_id: int
    amount: Decimal
    applied: Decimal
    refunded: Decimal

    @property
    def unapplied(self) -> Decimal:
        """Free to apply to charters (or refund without touching any charter)."""
        return self.amount - self.applied - self.refunded


def positions(session: Session, payments: list[Payment]) -> dict[int, PaymentPosition]:
    """Applied and refunded totals of each payment, in two queries whatever the number of payments."""
    ids = [p.id for p in payments]
    if not ids:
        return {}
    applied = dict(session.execute(
        select(PaymentApplication.payment_id, func.sum(PaymentApplication.amount_applied))
        .where(PaymentApplication.payment_id.in_(ids)).group_by(PaymentApplication.payment_id)).all())
    refunded = dict(session.execute(
        select(Payment.original_payment_id, func.sum(Payment.amount))
        .where(Payment.original_payment_id.in_(ids), Payment.status.in_(HOLDING_STATUSES))
        .group_by(Payment.original_payment_id)).all())
    return {p.id: PaymentPosition(p.id, to_money(p.amount), to_money(applied.get(p.id) or 0),
                                  to_money(refunded.get(p.id) or 0)) for p in payments}


def position(session: Session, payment: Payment) -> PaymentPosition:
    """One payment's split."""
    return positions(session, [payment])[payment.id]
