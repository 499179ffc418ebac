"""Request and response models of vendor bills and their payments (field names are the spec's columns)."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from coachway.core.fields import Line, RefId, Text
from coachway.core.money import to_money
from coachway.core.pagination import Page
from coachway.payments.models import BILL_PAYMENT_METHODS, PAYMENT_TERMS

Amount = Annotated[Decimal, Field(ge=0, le=Decimal("9999999.99"), max_digits=12, decimal_places=2),
                   AfterValidator(to_money)]
Payment = Annotated[Decimal, Field(gt=0, le=Decimal("9999999.99"), max_digits=12, decimal_places=2),
                    AfterValidator(to_money)]
Day = Annotated[date, Field(ge=date(2000, 1, 1), le=date(2100, 12, 31))]
Terms = Literal[PAYMENT_TERMS]
Method = Literal[BILL_PAYMENT_METHODS]
BillNumber = Line(50, min_length=1)


class VendorBillCreate(BaseModel):
    """A bill a vendor sent. Without due_date, it is worked out from payment_terms (one of them is needed)."""

    model_config = ConfigDict(extra="forbid")

    bill_number: BillNumber
    vendor_id: RefId
    charter_id: RefId | None = None
    bill_date: Day
    due_date: Day | None = None
    subtotal: Amount
    tax: Amount = Decimal("0.00")
    payment_terms: Terms | None = None
    notes: Text(5000) | None = None


class VendorBillUpdate(BaseModel):
    """Only the fields sent change (while the bill is received or disputed); totals follow."""

    model_config = ConfigDict(extra="forbid")

    bill_number: BillNumber | None = None
    vendor_id: RefId | None = None
    charter_id: RefId | None = None
    bill_date: Day | None = None
    due_date: Day | None = None
    subtotal: Amount | None = None
    tax: Amount | None = None
    payment_terms: Terms | None = None
    notes: Text(5000) | None = None


# Fields a PUT may clear by sending null; due_date cleared is worked out again from the terms.
CLEARABLE = {"charter_id", "payment_terms", "notes", "due_date"}


class VendorBillRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    bill_number: str
    vendor_id: int
    vendor_name: str | None = None
    charter_id: int | None
    bill_date: date
    due_date: date
    subtotal: Decimal
    tax: Decimal
    total_amount: Decimal
    paid_amount: Decimal
    balance_due: Decimal
    status: str
    is_overdue: bool = False
    days_past_due: int = 0
    approved_by: int | None
    approved_by_name: str | None = None
    approved_at: datetime | None
    payment_terms: str | None
    notes: str | None
    quickbooks_bill_id: str | None
    created_by: int | None
    created_at: datetime
    updated_at: datetime


class VendorBillPage(Page[VendorBillRead]):
    """One page of bills, and what all the bills matching the filters still owe together."""

    balance_due_total: Decimal


class BillPaymentCreate(BaseModel):
    """A payment of an approved bill: at most its balance due; a check needs its number."""

    model_config = ConfigDict(extra="forbid")

    amount: Payment
    payment_method: Method
    payment_date: Day | None = None
    check_number: Line(50) | None = None
    reference_number: Line(100) | None = None
    notes: Text(5000) | None = None


class BillPaymentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    vendor_bill_id: int
    payment_id: int | None
    amount: Decimal
    payment_date: date
    payment_method: str
    check_number: str | None
    reference_number: str | None
    notes: str | None
    created_by: int | None
    created_by_name: str | None = None
    created_at: datetime


class BillPaidRead(BaseModel):
    """A payment just recorded and the bill as it now stands."""

    payment: BillPaymentRead
    bill: VendorBillRead


class DisputeRequest(BaseModel):
    """Why the bill is disputed (or, to settle it, how the dispute was settled)."""

    model_config = ConfigDict(extra="forbid")

    reason: Text(2000, min_length=1)
