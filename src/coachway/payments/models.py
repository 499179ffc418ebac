"""Payment configuration: the deposit and balance terms quotes and invoices follow (spec table)."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, Boolean, ForeignKey, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from coachway.core import clock
from coachway.core.db import Base, Money


class PaymentConfiguration(Base):
    """A named set of payment terms; the one named "default" applies unless a client's terms say otherwise."""

    __tablename__ = "payment_configuration"

    id: Mapped[int] = mapped_column(primary_key=True)
    config_name: Mapped[str] = mapped_column(String(100), unique=True)
    deposit_percentage: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal(25))
    deposit_days_before: Mapped[int] = mapped_column(default=30)
    balance_due_days_before: Mapped[int] = mapped_column(default=2)
    allow_autopay: Mapped[bool] = mapped_column(Boolean, default=True)
    require_cc_on_file: Mapped[bool] = mapped_column(Boolean, default=False)
    po_allowed_client_types: Mapped[list[str] | None] = mapped_column(JSON)
    po_credit_limit: Mapped[Money | None]
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=clock.now, onupdate=clock.now)
