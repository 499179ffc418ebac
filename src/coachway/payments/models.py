"""Payments domain tables: payment terms, payment plans, payments and their application to charters, Stripe
events, idempotency keys, and vendor bills with their payments (spec section 7 and section 3).

Money in is a row of `payments` (payment_type "payment"); money going back is a new row (a "refund" or a
"void" naming `original_payment_id`), never an edit. Which charters a payment pays is `payment_applications`:
positive rows put money on a charter, negative rows take it off again (unapplying, or the charter's share of
a refund or void, which `reversal_payment_id` names). A charter's paid amount is therefore one SUM.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from coachway.core import clock
from coachway.core.db import Base, Money

PAYMENT_METHODS = ("card", "check", "ach", "wire", "po", "cash")
OFFLINE_METHODS = ("check", "ach", "wire", "po", "cash")
PAYMENT_TYPES = ("payment", "refund", "void")
PAYMENT_STATUSES = ("pending", "succeeded", "failed", "cancelled")
BILL_STATUSES = ("received", "approved", "partially_paid", "paid", "disputed")
BILL_PAYMENT_METHODS = ("check", "ach", "wire", "credit_card")
PAYMENT_TERMS = ("Due on Receipt", "Net 15", "Net 30", "Net 45", "Net 60")

# The cancellation policy used until someone sets one: days before the trip -> share of the price kept as fee.
DEFAULT_CANCELLATION_POLICY = [
    {"days_before": 30, "fee_percentage": "0"},
    {"days_before": 14, "fee_percentage": "25"},
    {"days_before": 7, "fee_percentage": "50"},
    {"days_before": 0, "fee_percentage": "100"},
]


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
    # Not in the spec's table: the cancellation policy (tiers of days before the trip and the fee share).
    cancellation_policy: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=clock.now, onupdate=clock.now)


class PaymentPlan(Base):
    """When a booked charter's money is due: a deposit and a balance, or custom installments (spec table).

    The due amounts themselves are rows of payment_plan_installments (so reports can age them in SQL);
    deposit_* and balance_* mirror the first and last installment, custom_installments the whole list when
    the plan is custom.
    """

    __tablename__ = "payment_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    charter_id: Mapped[int] = mapped_column(ForeignKey("charters.id", ondelete="CASCADE"), unique=True)
    deposit_amount: Mapped[Money]
    deposit_due_date: Mapped[date]
    deposit_paid: Mapped[bool] = mapped_column(Boolean, default=False)
    deposit_paid_at: Mapped[datetime | None]
    balance_amount: Mapped[Money]
    balance_due_date: Mapped[date]
    balance_paid: Mapped[bool] = mapped_column(Boolean, default=False)
    balance_paid_at: Mapped[datetime | None]
    custom_installments: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now, onupdate=clock.now)


class PaymentPlanInstallment(Base):
    """One amount of a charter's plan and the date it is due (sequence 1 is the deposit)."""

    __tablename__ = "payment_plan_installments"
    __table_args__ = (
        UniqueConstraint("payment_plan_id", "sequence"),
        CheckConstraint("amount >= 0", name="amount"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_plan_id: Mapped[int] = mapped_column(ForeignKey("payment_plans.id", ondelete="CASCADE"))
    charter_id: Mapped[int] = mapped_column(ForeignKey("charters.id", ondelete="CASCADE"), index=True)
    sequence: Mapped[int]
    label: Mapped[str] = mapped_column(String(50))
    due_date: Mapped[date] = mapped_column(index=True)
    amount: Mapped[Money]


class Payment(Base):
    """Money received from a client (payment), or given back (refund, void): never edited, only added to."""

    __tablename__ = "payments"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount"),
        CheckConstraint("payment_type = 'payment' OR original_payment_id IS NOT NULL",
                        name="reversal_original"),
        Index("ix_payments_payment_date_method", "payment_date", "payment_method"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    client_name: Mapped[str | None] = mapped_column(String(255))
    charter_id: Mapped[int | None] = mapped_column(ForeignKey("charters.id", ondelete="SET NULL"), index=True)
    amount: Mapped[Money]
    payment_type: Mapped[str] = mapped_column(String(20), default="payment")
    payment_method: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="succeeded", index=True)
    payment_date: Mapped[date]
    check_number: Mapped[str | None] = mapped_column(String(50))
    bank_name: Mapped[str | None] = mapped_column(String(100))
    po_number: Mapped[str | None] = mapped_column(String(100))
    reference_number: Mapped[str | None] = mapped_column(String(100))
    applied_to_multiple_charters: Mapped[bool] = mapped_column(Boolean, default=False)
    original_payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"), index=True)
    reason: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    stripe_payment_intent_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    stripe_charge_id: Mapped[str | None] = mapped_column(String(255))
    stripe_refund_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    failure_message: Mapped[str | None] = mapped_column(Text)
    succeeded_at: Mapped[datetime | None]
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now, onupdate=clock.now)


class PaymentApplication(Base):
    """A share of a payment put on a charter (positive), or taken off it again (negative; spec table)."""

    __tablename__ = "payment_applications"
    __table_args__ = (
        CheckConstraint("amount_applied <> 0", name="amount_applied"),
        Index("ix_payment_applications_charter_id_applied_at", "charter_id", "applied_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id"), index=True)
    charter_id: Mapped[int] = mapped_column(ForeignKey("charters.id"))
    amount_applied: Mapped[Money]
    applied_at: Mapped[datetime] = mapped_column(default=clock.now)
    applied_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reversal_payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"))
    note: Mapped[str | None] = mapped_column(String(255))


class StripeEvent(Base):
    """A Stripe webhook event already handled (its id is unique, so a replay changes nothing)."""

    __tablename__ = "stripe_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(255), unique=True)
    event_type: Mapped[str] = mapped_column(String(100))
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id", ondelete="SET NULL"))
    outcome: Mapped[str] = mapped_column(String(255))
    received_at: Mapped[datetime] = mapped_column(default=clock.now)


class IdempotencyKey(Base):
    """The first answer to a request sent with an Idempotency-Key, returned again to its retries."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("user_id", "scope", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    scope: Mapped[str] = mapped_column(String(100))
    key: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None]
    response: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)


class VendorBill(Base):
    """A bill from a vendor (spec table); vendor_id names the vendor's user until a vendors domain exists."""

    __tablename__ = "vendor_bills"
    __table_args__ = (
        CheckConstraint("subtotal >= 0 AND tax >= 0 AND total_amount >= 0", name="amounts"),
        CheckConstraint("paid_amount >= 0 AND paid_amount <= total_amount", name="paid_amount"),
        Index("ix_vendor_bills_status_due_date", "status", "due_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    bill_number: Mapped[str] = mapped_column(String(50), unique=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    charter_id: Mapped[int | None] = mapped_column(ForeignKey("charters.id", ondelete="SET NULL"), index=True)
    bill_date: Mapped[date]
    due_date: Mapped[date]
    subtotal: Mapped[Money]
    tax: Mapped[Money] = mapped_column(default=Decimal("0.00"))
    total_amount: Mapped[Money]
    paid_amount: Mapped[Money] = mapped_column(default=Decimal("0.00"))
    balance_due: Mapped[Money]
    status: Mapped[str] = mapped_column(String(20), default="received")
    approved_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    approved_at: Mapped[datetime | None]
    payment_terms: Mapped[str | None] = mapped_column(String(50))
    notes: Mapped[str | None] = mapped_column(Text)
    quickbooks_bill_id: Mapped[str | None] = mapped_column(String(255))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now, onupdate=clock.now)


class VendorBillPayment(Base):
    """Money paid against a vendor bill (spec table; partial payments allowed)."""

    __tablename__ = "vendor_bill_payments"
    __table_args__ = (CheckConstraint("amount > 0", name="amount"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    vendor_bill_id: Mapped[int] = mapped_column(ForeignKey("vendor_bills.id", ondelete="CASCADE"), index=True)
    payment_id: Mapped[int | None]
    amount: Mapped[Money]
    payment_date: Mapped[date] = mapped_column(index=True)
    payment_method: Mapped[str] = mapped_column(String(20))
    check_number: Mapped[str | None] = mapped_column(String(50))
    reference_number: Mapped[str | None] = mapped_column(String(100))
    notes: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
