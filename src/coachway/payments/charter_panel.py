"""The payments panel on a charter's page: what it owes, what is paid, its plan installments (each shown
paid, part paid or open, paying the earliest first) and the payments on it."""

from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from coachway.charters.models import Charter
from coachway.core.permissions import Actor
from coachway.payments import service
from coachway.payments.models import Payment, PaymentApplication, PaymentPlanInstallment


def _can(actor: Actor, permission: str) -> bool:
    return "*" in actor.permissions or actor.can(permission)


def panel(session: Session, actor: Actor, charter: Charter) -> dict[str, Any] | None:
    """The panel's figures, or None for a quote or for someone who may not see payments."""
    if not _can(actor, "payments:read") or charter.status == "quote":
        return None
    money = service.balance_of(session, charter.id)
    rows = session.scalars(select(PaymentPlanInstallment)
                           .where(PaymentPlanInstallment.charter_id == charter.id)
                           .order_by(PaymentPlanInstallment.sequence)).all()
    left, installments = money.paid, []
    for row in rows:
        covered = min(max(left, Decimal(0)), row.amount)
        left -= covered
        state = "paid" if covered == row.amount else ("part" if covered > 0 else "open")
        installments.append({"label": row.label, "due_date": row.due_date, "amount": row.amount,
                             "covered": covered, "state": state})
    applications = session.execute(
        select(PaymentApplication, Payment).join(Payment, Payment.id == PaymentApplication.payment_id)
        .where(PaymentApplication.charter_id == charter.id).order_by(PaymentApplication.id)).all()
    return {"money": money, "installments": installments, "applications": applications,
            "method_words": service.METHOD_WORDS,
            "can_record": _can(actor, "payments:record") and money.room > 0}
