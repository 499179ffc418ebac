"""Cancelling a charter with its money: the fee the cancellation policy keeps (unless staff set one), the fee
becoming what the client owes, and the rest of what they paid going back to them."""

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from coachway.charters.models import Charter
from coachway.charters.service import transitions
from coachway.charters.service._common import find
from coachway.core.money import to_money
from coachway.core.permissions import Actor, require
from coachway.payments.models import Payment, PaymentApplication
from coachway.payments.service import ledger, plans
from coachway.payments.service.config import cancellation_fee, get_payment_configuration
from coachway.payments.service.payments import Allocation, record_refund, refund_payment


def policy_fee(session: Session, charter: Charter) -> tuple[Decimal, Decimal]:
    """The fee (and its percentage) the cancellation policy keeps if the charter is cancelled today: nothing
    for a quote or an unpriced trip."""
    if charter.status not in ledger.RECEIVABLE_STATUSES or charter.quoted_price is None:
        return Decimal("0.00"), Decimal(0)
    days = (charter.trip_date - plans.company_today()).days
    return cancellation_fee(get_payment_configuration(session), to_money(charter.quoted_price), days)


def cancel(
    session: Session,
    actor: Actor,
    charter_id: int,
    *,
    cancellation_reason: str,
    cancellation_fee: Decimal | None = None,
    refund: bool = True,
) -> tuple[Charter, list[Payment]]:
    """Cancel a charter: record the date, reason, fee (the policy's unless given) and who; with refund, give
    back what was paid beyond the fee (newest payments first; cards through Stripe). Returns the refunds."""
    require(actor, "charters:cancel")
    charter = find(session, actor, charter_id)
    # Lock the payments on the charter before the charter itself: the order every payment change uses.
    payment_ids = sorted(
        set(
            session.scalars(
                select(PaymentApplication.payment_id).where(PaymentApplication.charter_id == charter_id)
            )
        )
    )
    if payment_ids:
        session.scalars(
            select(Payment).where(Payment.id.in_(payment_ids)).order_by(Payment.id).with_for_update()
        ).all()
    fee = cancellation_fee
    if fee is None and charter.status in ledger.RECEIVABLE_STATUSES and charter.quoted_price is not None:
        fee = policy_fee(session, charter)[0]  # a quote owes nothing and keeps no fee
    charter = transitions.cancel_charter(
        session, actor, charter_id, cancellation_reason=cancellation_reason, cancellation_fee=fee
    )
    refunds: list[Payment] = []
    if refund and ("*" in actor.permissions or actor.can("payments:refund")):
        refunds = refund_credit(session, actor, charter)  # without the right, accounting sees the credit
    plans.refresh_paid_flags(session, [charter.id])
    return charter, refunds


def refund_credit(session: Session, actor: Actor, charter: Charter) -> list[Payment]:
    """Give back what a charter was paid beyond what it owes, from its payments newest first."""
    credit = -ledger.balance_of(session, charter.id).balance
    if credit <= 0:
        return []
    require(actor, "payments:refund")
    rows = session.execute(
        select(PaymentApplication.payment_id, PaymentApplication.charter_id)
        .join(Payment, Payment.id == PaymentApplication.payment_id)
        .where(PaymentApplication.charter_id == charter.id, Payment.status == "succeeded")
        .group_by(PaymentApplication.payment_id, PaymentApplication.charter_id)
        .order_by(PaymentApplication.payment_id.desc())
    ).all()
    refunds = []
    for payment_id, _ in rows:
        if credit <= 0:
            break
        payment = session.get(Payment, payment_id)
        held = sum(
            (
                to_money(a)
                for a in session.scalars(
                    select(PaymentApplication.amount_applied).where(
                        PaymentApplication.payment_id == payment_id,
                        PaymentApplication.charter_id == charter.id,
                    )
                )
            ),
            Decimal(0),
        )
        take = min(held, credit)
        if take <= 0:
            continue
        reason = f"Charter {charter.id} cancelled: paid beyond the cancellation fee"
        if payment.payment_method == "card":
            refunds.append(
                refund_payment(
                    session,
                    actor,
                    payment.id,
                    take,
                    reason,
                    charters=[{"charter_id": charter.id, "amount": take}],
                )
            )
        else:
            refunds.append(
                record_refund(
                    session,
                    actor,
                    payment,
                    take,
                    reason=reason,
                    charter_amounts=[Allocation(charter.id, take)],
                )
            )
        credit -= take
    return refunds
