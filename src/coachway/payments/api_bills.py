"""Vendor bills (accounts payable) over HTTP: /api/v1/vendor-bills, their approval, disputes and payments."""

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from sqlalchemy.orm import Session

from coachway.core.deps import CurrentActor, PageDep, SessionDep
from coachway.core.errors import Invalid
from coachway.core.fields import MAX_ID
from coachway.payments.models import BILL_STATUSES, VendorBill, VendorBillPayment
from coachway.payments.schemas_bills import (
    CLEARABLE,
    BillPaidRead,
    BillPaymentCreate,
    BillPaymentRead,
    DisputeRequest,
    VendorBillCreate,
    VendorBillPage,
    VendorBillRead,
    VendorBillUpdate,
)
from coachway.payments.service import bills as service

router = APIRouter(tags=["vendor bills"])  # included by payments/api.py under its /api/v1 prefix
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
RefFilter = Annotated[int | None, Query(ge=1, le=MAX_ID)]
StatusFilter = Literal[("open", "overdue", *BILL_STATUSES)]
SortFilter = Literal[tuple(service.BILL_SORTS)]


def bill_reads(session: Session, bills: list[VendorBill]) -> list[VendorBillRead]:
    """The API shape of bills, with vendor and approver names and whether each is overdue."""
    today = service.company_today()
    vendors = service.vendor_names(session, {b.vendor_id for b in bills})
    people = service.people_names(session, {b.approved_by for b in bills})
    out = []
    for bill in bills:
        data = VendorBillRead.model_validate(bill)
        data.vendor_name = vendors.get(bill.vendor_id)
        data.approved_by_name = people.get(bill.approved_by) if bill.approved_by else None
        data.days_past_due = service.days_past_due(bill, today)
        data.is_overdue = data.days_past_due > 0
        out.append(data)
    return out


def _payment_reads(session: Session, payments: list[VendorBillPayment]) -> list[BillPaymentRead]:
    people = service.people_names(session, {p.created_by for p in payments})
    out = []
    for payment in payments:
        data = BillPaymentRead.model_validate(payment)
        data.created_by_name = people.get(payment.created_by) if payment.created_by else None
        out.append(data)
    return out


@router.post("/vendor-bills", response_model=VendorBillRead, status_code=201)
def create_bill(body: VendorBillCreate, actor: CurrentActor, session: SessionDep):
    """Enter a vendor's bill (status received). Without due_date it is worked out from payment_terms."""
    return bill_reads(session, [service.create_bill(session, actor, **body.model_dump())])[0]


@router.get("/vendor-bills", response_model=VendorBillPage)
def list_bills(actor: CurrentActor, session: SessionDep, page: PageDep, status: StatusFilter | None = None,
               vendor_id: RefFilter = None, charter_id: RefFilter = None, due_from: date | None = None,
               due_to: date | None = None, q: Annotated[str | None, Query(max_length=50)] = None,
               sort: SortFilter = "due_date"):
    """Vendor bills. status=overdue keeps bills not paid whose due date has passed (company time); open keeps
    those not paid; q searches bill numbers; balance_due_total is what all matching bills still owe."""
    filters = {"status": status, "vendor_id": vendor_id, "charter_id": charter_id, "due_from": due_from,
               "due_to": due_to, "q": q}
    rows, total = service.list_bills(session, actor, sort=sort, limit=page.limit, offset=page.offset,
                                     **filters)
    return VendorBillPage(items=bill_reads(session, rows), total=total, limit=page.limit, offset=page.offset,
                          balance_due_total=service.balance_due_total(session, actor, **filters))


@router.get("/vendor-bills/{bill_id}", response_model=VendorBillRead)
def get_bill(bill_id: Id, actor: CurrentActor, session: SessionDep):
    """One vendor bill."""
    return bill_reads(session, [service.get_bill(session, actor, bill_id)])[0]


@router.put("/vendor-bills/{bill_id}", response_model=VendorBillRead)
def update_bill(bill_id: Id, body: VendorBillUpdate, actor: CurrentActor, session: SessionDep):
    """Correct a bill while it is received or disputed; only the fields sent change and the totals follow."""
    changes = body.model_dump(exclude_unset=True)
    for key, value in changes.items():
        if value is None and key not in CLEARABLE:
            raise Invalid.field(key, "This cannot be empty.")
    return bill_reads(session, [service.update_bill(session, actor, bill_id, **changes)])[0]


@router.post("/vendor-bills/{bill_id}/approve", response_model=VendorBillRead)
def approve_bill(bill_id: Id, actor: CurrentActor, session: SessionDep):
    """Approve a received bill for payment (needs vendor_bills:approve); the approver is recorded."""
    return bill_reads(session, [service.approve_bill(session, actor, bill_id)])[0]


@router.post("/vendor-bills/{bill_id}/pay", response_model=BillPaidRead, status_code=201)
def pay_bill(bill_id: Id, body: BillPaymentCreate, actor: CurrentActor, session: SessionDep):
    """Record a payment of an approved or partially paid bill: at most its balance due, dated today or
    before; check payments need check_number. The bill becomes partially_paid or paid."""
    payment = service.pay_bill(session, actor, bill_id, **body.model_dump())
    bill = service.get_bill(session, actor, bill_id)
    return BillPaidRead(payment=_payment_reads(session, [payment])[0], bill=bill_reads(session, [bill])[0])


@router.get("/vendor-bills/{bill_id}/payments", response_model=list[BillPaymentRead])
def list_payments(bill_id: Id, actor: CurrentActor, session: SessionDep):
    """The payments made on a bill, oldest first."""
    return _payment_reads(session, service.list_bill_payments(session, actor, bill_id))


@router.post("/vendor-bills/{bill_id}/dispute", response_model=VendorBillRead)
def dispute_bill(bill_id: Id, body: DisputeRequest, actor: CurrentActor, session: SessionDep):
    """Put a bill on hold (any status but paid) with the reason; its approval is withdrawn."""
    return bill_reads(session, [service.dispute_bill(session, actor, bill_id, reason=body.reason)])[0]


@router.post("/vendor-bills/{bill_id}/undispute", response_model=VendorBillRead)
def undispute_bill(bill_id: Id, body: DisputeRequest, actor: CurrentActor, session: SessionDep):
    """Settle a dispute (reason: how): the bill goes back to received, to be approved again."""
    return bill_reads(session, [service.undispute_bill(session, actor, bill_id, reason=body.reason)])[0]
