"""Payment configuration: the deposit, due-date, PO and cancellation terms bookings and payments follow."""

from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from coachway.core import audit
from coachway.core.errors import Invalid
from coachway.core.permissions import Actor, require
from coachway.payments.models import PaymentConfiguration

DEFAULT_NAME = "default"


def get_payment_configuration(session: Session) -> PaymentConfiguration:
    """The payment terms named "default", created with the model's defaults when missing."""
    named = select(PaymentConfiguration).where(PaymentConfiguration.config_name == DEFAULT_NAME)
    found = session.scalar(named)
    if found is not None:
        return found
    try:
        # A savepoint: when another request adds the row first, only this insert is undone.
        with session.begin_nested():
            row = PaymentConfiguration(config_name=DEFAULT_NAME)
            session.add(row)
        session.expire(row)  # read back as stored (the percentage with its two decimals)
        return row
    except IntegrityError:
        return session.scalars(named).one()


def update_deposit_percentage(session: Session, actor: Actor,
                              deposit_percentage: Decimal) -> PaymentConfiguration:
    """Set the share of a quote's total due as the deposit (0 to 100 %); audited.

    Until the payments domain has its own permissions, the pricing managers set this (with the rest of the
    pricing policy).
    """
    require(actor, "pricing:manage")
    value = Decimal(str(deposit_percentage))
    if not Decimal(0) <= value <= Decimal(100):
        raise Invalid.field("deposit_percentage", "The deposit is 0 to 100 percent of the total.")
    row = get_payment_configuration(session)
    old = audit.snapshot(row)
    row.deposit_percentage = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    row.updated_by = actor.user_id
    session.flush()
    new = audit.snapshot(row)
    if old["deposit_percentage"] != new["deposit_percentage"]:
        audit.record(session, actor, entity_type="payment_configuration", entity_id=row.id, action="update",
                     old=old, new=new)
    return row
