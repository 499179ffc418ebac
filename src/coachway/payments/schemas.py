"""Request and response models of payment terms, payments, their applications and payment plans."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from coachway.core.fields import Line, RefId, Text
from coachway.core.money import to_money
from coachway.payments.models import PAYMENT_METHODS, PAYMENT_STATUSES, PAYMENT_TYPES

Amount = Annotated[Decimal, Field(gt=0, le=Decimal("10000000.00"), max_digits=12, decimal_places=2),
                   AfterValidator(to_money)]
Limit = Annotated[Decimal, Field(ge=0, le=Decimal("99999999.99"), max_digits=12, decimal_places=2),
                  AfterValidator(to_money)]
Percent = Annotated[Decimal, Field(ge=0, le=100, max_digits=5, decimal_places=2)]
Days = Annotated[int, Field(ge=0, le=365)]
Method = Literal[PAYMENT_METHODS]
ClientType = Literal["individual", "corporate", "government", "school", "nonprofit"]


class CancellationTier(BaseModel):
    model_config = ConfigDict(extra="forbid")

    days_before: Days
    fee_percentage: Percent


class PaymentConfigRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    config_name: str
    deposit_percentage: Decimal
    deposit_days_before: int
    balance_due_days_before: int
    allow_autopay: bool
    require_cc_on_file: bool
    po_allowed_client_types: list[str] | None
    po_credit_limit: Decimal | None
    cancellation_policy: list[CancellationTier]
    updated_by: int | None
    updated_at: datetime


class PaymentConfigUpdate(BaseModel):
    """The payment terms to change; only the fields sent change."""

    model_config = ConfigDict(extra="forbid")

    deposit_percentage: Percent | None = None
    deposit_days_before: Days | None = None
    balance_due_days_before: Days | None = None
    allow_autopay: bool | None = None
    require_cc_on_file: bool | None = None
    po_allowed_client_types: Annotated[list[ClientType], Field(max_length=5)] | None = None
    po_credit_limit: Limit | None = None
    cancellation_policy: Annotated[list[CancellationTier], Field(min_length=1, max_length=10)] | None = None


class ApplicationItem(BaseModel):
    """An amount of a payment for one charter."""

    model_config = ConfigDict(extra="forbid")

    charter_id: RefId
    amount: Amount


Applications = Annotated[list[ApplicationItem], Field(max_length=50)]


class PaymentCreate(BaseModel):
    """Money received: recorded (check, ACH, wire, PO, cash) or a card charged through Stripe."""

    model_config = ConfigDict(extra="forbid")

    client_id: RefId
    amount: Amount
    payment_method: Method
    payment_date: date | None = None
    check_number: Line(50) | None = None
    bank_name: Line(100) | None = None
    po_number: Line(100) | None = None
    reference_number: Line(100) | None = None
    notes: Text(2000) | None = None
    payment_method_id: Line(255) | None = None  # card: the Stripe PaymentMethod to charge
    applications: Applications = []


class PaymentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    client_id: int
    client_name: str | None
    charter_id: int | None
    amount: Decimal
    payment_type: Literal[PAYMENT_TYPES]
    payment_method: str
    status: Literal[PAYMENT_STATUSES]
    payment_date: date
    check_number: str | None
    bank_name: str | None
    po_number: str | None
    reference_number: str | None
    applied_to_multiple_charters: bool
    original_payment_id: int | None
    reason: str | None
    notes: str | None
    stripe_payment_intent_id: str | None
    stripe_refund_id: str | None
    failure_message: str | None
    created_by: int | None
    created_at: datetime
    applied_amount: Decimal | None = None
    refunded_amount: Decimal | None = None
    unapplied_amount: Decimal | None = None


class ApplyMultiple(BaseModel):
    """Split a payment across charters: all or nothing."""

    model_config = ConfigDict(extra="forbid")

    applications: Annotated[list[ApplicationItem], Field(min_length=1, max_length=50)]


class Unapply(BaseModel):
    model_config = ConfigDict(extra="forbid")

    charter_id: RefId
    amount: Amount | None = None  # None: all the payment has on the charter
    note: Line(255) | None = None


class ApplicationRead(BaseModel):
    id: int
    payment_id: int
    charter_id: int
    amount_applied: Decimal
    applied_at: datetime
    applied_by: int | None
    reversal_payment_id: int | None
    note: str | None
    trip_date: date | None
    charter_status: str | None
    charter_balance: Decimal


class ApplicationsRead(BaseModel):
    """A payment's breakdown: what went on which charter, what went back, what is left."""

    payment_id: int
    client_id: int
    amount: Decimal
    applied_amount: Decimal
    refunded_amount: Decimal
    unapplied_amount: Decimal
    applications: list[ApplicationRead]


class RefundRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: Amount
    reason: Text(2000, 1)
    charters: Annotated[list[ApplicationItem], Field(max_length=50)] | None = None


class VoidRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Text(2000, 1)


class DateAdjust(BaseModel):
    model_config = ConfigDict(extra="forbid")

    payment_date: date
    reason: Text(2000, 1)


class InstallmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: Line(50) | None = None
    due_date: date
    amount: Annotated[Decimal, Field(ge=0, le=Decimal("10000000.00"), max_digits=12, decimal_places=2),
                      AfterValidator(to_money)]


class PlanUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    installments: Annotated[list[InstallmentIn], Field(min_length=1, max_length=24)]


class InstallmentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    sequence: int
    label: str
    due_date: date
    amount: Decimal


class PlanRead(BaseModel):
    charter_id: int
    deposit_amount: Decimal
    deposit_due_date: date
    deposit_paid: bool
    deposit_paid_at: datetime | None
    balance_amount: Decimal
    balance_due_date: date
    balance_paid: bool
    balance_paid_at: datetime | None
    custom_installments: list[dict] | None
    installments: list[InstallmentRead]
    receivable: Decimal
    paid: Decimal
    balance: Decimal
