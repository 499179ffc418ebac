"""Vendor bill pages: the list (filters, overdue, what is owed in all), entering and correcting a bill, and a
bill's page with its approval, payments, pay form and dispute.

Every rule lives in payments/service/bills.py; these handlers parse the form, call it and pick a page.
"""

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from coachway.core.deps import undo_refused
from coachway.core.errors import Conflict, DomainError, Invalid
from coachway.core.fields import MAX_ID
from coachway.core.permissions import Actor, require
from coachway.payments.models import BILL_PAYMENT_METHODS, BILL_STATUSES, PAYMENT_TERMS
from coachway.payments.schemas_bills import (
    BillPaymentCreate,
    DisputeRequest,
    VendorBillCreate,
    VendorBillUpdate,
)
from coachway.payments.service import bills as service
from coachway.web import nav
from coachway.web.deps import FormDep, PageActor, PageSession
from coachway.web.forms import FormErrors, validate, values
from coachway.web.templating import is_htmx, pager, redirect, render

router = APIRouter(include_in_schema=False)
nav.register("Vendor bills", "/admin/vendor-bills", permission="vendor_bills:read", order=42,
             description="Bills from vendors: approve them, pay them, see what is overdue.")

BASE = "/admin/vendor-bills"
PAGE_SIZE = 25
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
Short = Annotated[str, Query(max_length=20)]
BILL_FIELDS = ("bill_number", "vendor_id", "charter_id", "bill_date", "due_date", "subtotal", "tax",
               "payment_terms", "notes")
CLEARABLE = ("charter_id", "due_date", "payment_terms", "notes")
PAY_FIELDS = ("amount", "payment_method", "payment_date", "check_number", "reference_number", "notes")
SORT_WORDS = {"due_date": "Due soonest", "bill_date": "Newest bill date", "newest": "Newest entered",
              "balance": "Largest balance", "bill_number": "Bill number"}
LABELS = {"bill_number": "Bill number", "vendor_id": "Vendor", "charter_id": "Charter",
          "bill_date": "Bill date", "due_date": "Due date", "subtotal": "Subtotal", "tax": "Tax",
          "payment_terms": "Payment terms",
          "notes": "Notes", "amount": "Amount", "payment_method": "Method", "payment_date": "Payment date",
          "check_number": "Check number", "reference_number": "Reference", "reason": "Reason",
          "status": "Status"}
STATUS_FILTERS = [("open", "Open (not paid)"), ("overdue", "Overdue"),
                  *((s, service.BILL_STATUS_WORDS[s]) for s in BILL_STATUSES)]


def _errors(exc: DomainError) -> FormErrors:
    return FormErrors.of(exc, LABELS)


def _can(actor: Actor, permission: str) -> bool:
    return "*" in actor.permissions or actor.can(permission)


def _number(text: str) -> int | None:
    text = (text or "").strip()
    return int(text) if text.isdigit() and 0 < int(text) <= MAX_ID else None


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _shared() -> dict[str, Any]:
    return {"status_words": service.BILL_STATUS_WORDS, "method_words": service.BILL_METHOD_WORDS,
            "usd": service.usd}


# ---------------------------------------------------------------- the list

@router.get(BASE)
def bills_list(request: Request, actor: PageActor, session: PageSession,
               q: Annotated[str, Query(max_length=50)] = "", status: Short = "", vendor: Short = "",
               due_from: Short = "", due_to: Short = "", sort: Short = "due_date",
               offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0):
    """Vendor bills, filtered (status incl. overdue, vendor, due dates, bill number), with what they owe."""
    require(actor, "vendor_bills:read")
    filters = {"q": q.strip() or None, "status": status if status in dict(STATUS_FILTERS) else None,
               "vendor_id": _number(vendor), "due_from": _day(due_from), "due_to": _day(due_to)}
    sort = sort if sort in SORT_WORDS else "due_date"
    filter_error = None
    try:
        rows, total = service.list_bills(session, actor, sort=sort, limit=PAGE_SIZE, offset=offset, **filters)
        owed = service.balance_due_total(session, actor, **filters)
    except Invalid as exc:
        rows, total, owed, filter_error = [], 0, None, exc.detail
    today = service.company_today()
    context = {"title": "Vendor bills", "bills": rows, "total": total, "owed": owed,
               "filters": filters, "sort": sort, "filter_error": filter_error,
               "filtered": any(v for v in filters.values()),
               "vendors": service.vendor_names(session, {b.vendor_id for b in rows}),
               "late": {b.id: service.days_past_due(b, today) for b in rows},
               "statuses": STATUS_FILTERS, "sorts": list(SORT_WORDS.items()),
               "vendor_options": service.vendor_choices(session, actor),
               "can_create": _can(actor, "vendor_bills:manage"),
               "pager": pager(request, total=total, limit=PAGE_SIZE, offset=offset), **_shared()}
    if is_htmx(request, "bill-results"):
        return render(request, "payments/bills_list.html", context, block="results")
    return render(request, "payments/bills_list.html", context)


# ---------------------------------------------------------------- entering and correcting

def _bill_data(form: FormData) -> dict[str, str]:
    return {name: str(form.get(name) or "").strip() for name in BILL_FIELDS}


def _form_page(request: Request, session: Session, actor: Actor, *, bill=None, data: dict | None = None,
               errors: FormErrors | None = None, status_code: int = 200):
    title = f"Correct bill {bill.bill_number}" if bill is not None else "New vendor bill"
    return render(request, "payments/bills_form.html",
                  {"title": title, "bill": bill, "values": data or {}, "form_errors": errors,
                   "vendor_options": service.vendor_choices(session, actor),
                   "terms": [(t, t) for t in PAYMENT_TERMS], **_shared()}, status_code=status_code)


@router.get(BASE + "/new")
def bill_new(request: Request, actor: PageActor, session: PageSession):
    """The form for a bill a vendor sent."""
    require(actor, "vendor_bills:manage")
    return _form_page(request, session, actor, data={"bill_date": service.company_today().isoformat(),
                                                     "payment_terms": "Net 30", "tax": "0.00"})


@router.post(BASE)
def bill_create(request: Request, actor: PageActor, session: PageSession, form: FormDep):
    """Enter a bill from the form."""
    data = _bill_data(form)
    try:
        body = validate(VendorBillCreate, {k: v for k, v in data.items() if v})
        bill = service.create_bill(session, actor, **body.model_dump())
    except (Invalid, Conflict) as exc:
        undo_refused(session, exc)
        return _form_page(request, session, actor, data=data, errors=_errors(exc), status_code=exc.status)
    return redirect(request, f"{BASE}/{bill.id}",
                    flash=f"Bill {bill.bill_number} is entered; it is due {bill.due_date.isoformat()}.")


def _edit_values(bill) -> dict[str, str]:
    return {name: "" if getattr(bill, name) is None else str(getattr(bill, name)) for name in BILL_FIELDS}


@router.get(BASE + "/{bill_id:int}/edit")
def bill_edit(request: Request, bill_id: Id, actor: PageActor, session: PageSession):
    """The form to correct a received or disputed bill."""
    require(actor, "vendor_bills:manage")
    bill = service.get_bill(session, actor, bill_id)
    if bill.status not in service.BILL_ACTIONS["update"]:
        words = service.BILL_STATUS_WORDS[bill.status].lower()
        message = f"Bill {bill.bill_number} is {words}; only received or disputed bills can be corrected."
        return redirect(request, f"{BASE}/{bill.id}", kind="error", flash=message)
    return _form_page(request, session, actor, bill=bill, data=_edit_values(bill))


def _follows_terms(bill, data: dict[str, str]) -> bool:
    """True when the form changed the terms or the bill date but left the due date as it was: the due date
    then follows the new terms (as it would have, had the field been cleared)."""
    moved = (data["payment_terms"] != (bill.payment_terms or "")
             or data["bill_date"] != bill.bill_date.isoformat())
    return bool(data["payment_terms"]) and moved and data["due_date"] == bill.due_date.isoformat()


@router.post(BASE + "/{bill_id:int}")
def bill_update(request: Request, bill_id: Id, actor: PageActor, session: PageSession, form: FormDep):
    """Save corrections (blank optional fields are cleared; a blank due date follows the terms)."""
    data = _bill_data(form)
    try:
        bill = service.get_bill(session, actor, bill_id)
        sent = {k: v for k, v in data.items() if v}
        if _follows_terms(bill, data):
            sent.pop("due_date", None)
        body = validate(VendorBillUpdate, sent)
        changes = body.model_dump(exclude_unset=True)
        for name in ("bill_number", "vendor_id", "bill_date", "subtotal", "tax"):
            if name not in changes:
                raise Invalid.field(name, "This field is required.")
        changes |= {name: None for name in CLEARABLE if name not in changes}
        bill = service.update_bill(session, actor, bill_id, **changes)
    except (Invalid, Conflict) as exc:
        undo_refused(session, exc)
        bill = service.get_bill(session, actor, bill_id)
        return _form_page(request, session, actor, bill=bill, data=data, errors=_errors(exc),
                          status_code=exc.status)
    return redirect(request, f"{BASE}/{bill.id}", flash=f"Saved bill {bill.bill_number}.")


# ---------------------------------------------------------------- a bill's page

def _show(request: Request, session: Session, actor: Actor, bill_id: int, *, status_code: int = 200,
          **extra):
    bill = service.get_bill(session, actor, bill_id)
    payments = service.list_bill_payments(session, actor, bill_id)
    people = service.people_names(session, {bill.approved_by, bill.created_by,
                                            *(p.created_by for p in payments)})
    late = service.days_past_due(bill)
    can_manage = _can(actor, "vendor_bills:manage")
    context = {
        "title": f"Bill {bill.bill_number}", "bill": bill, "payments": payments, "people": people,
        "vendor_name": service.vendor_names(session, {bill.vendor_id}).get(bill.vendor_id),
        "late": late, "notes": (bill.notes or "").splitlines(),
        "can_edit": can_manage and bill.status in service.BILL_ACTIONS["update"],
        "can_approve": _can(actor, "vendor_bills:approve") and bill.status in service.BILL_ACTIONS["approve"],
        "can_pay": _can(actor, "vendor_bills:pay") and bill.status in service.BILL_ACTIONS["pay"],
        "can_dispute": can_manage and bill.status in service.BILL_ACTIONS["dispute"],
        "can_undispute": can_manage and bill.status in service.BILL_ACTIONS["undispute"],
        "may_pay": _can(actor, "vendor_bills:pay"),
        "methods": [(m, service.BILL_METHOD_WORDS[m]) for m in BILL_PAYMENT_METHODS],
        "page_error": None, "pay_errors": None, "dispute_errors": None,
        "pay_values": {"amount": f"{bill.balance_due:.2f}", "payment_method": "check",
                       "payment_date": service.company_today().isoformat()},
        "dispute_values": {}, **_shared()}
    context.update(extra)
    return render(request, "payments/bills_detail.html", context, status_code=status_code)


@router.get(BASE + "/{bill_id:int}")
def bill_detail(request: Request, bill_id: Id, actor: PageActor, session: PageSession):
    """One bill: amounts, status, approval, payments, and what may be done next."""
    return _show(request, session, actor, bill_id)


@router.post(BASE + "/{bill_id:int}/approve")
def bill_approve(request: Request, bill_id: Id, actor: PageActor, session: PageSession, form: FormDep):
    """Approve the bill for payment."""
    try:
        bill = service.approve_bill(session, actor, bill_id)
    except (Invalid, Conflict) as exc:
        undo_refused(session, exc)
        return _show(request, session, actor, bill_id, page_error=exc.detail, status_code=exc.status)
    return redirect(request, f"{BASE}/{bill.id}", flash=f"Bill {bill.bill_number} is approved for payment.")


@router.post(BASE + "/{bill_id:int}/pay")
def bill_pay(request: Request, bill_id: Id, actor: PageActor, session: PageSession, form: FormDep):
    """Record a payment of the bill (all of what it owes, or a part)."""
    data = values(form, *PAY_FIELDS)
    try:
        body = validate(BillPaymentCreate, data)
        payment = service.pay_bill(session, actor, bill_id, **body.model_dump())
    except (Invalid, Conflict) as exc:
        undo_refused(session, exc)
        return _show(request, session, actor, bill_id, pay_errors=_errors(exc), pay_values=data,
                     status_code=exc.status)
    bill = service.get_bill(session, actor, bill_id)
    owed = service.usd(bill.balance_due)
    rest = "it is paid in full." if bill.status == "paid" else f"{owed} is still due."
    return redirect(request, f"{BASE}/{bill.id}",
                    flash=f"Recorded {service.usd(payment.amount)} paid on bill {bill.bill_number}; {rest}")


@router.post(BASE + "/{bill_id:int}/dispute")
def bill_dispute(request: Request, bill_id: Id, actor: PageActor, session: PageSession, form: FormDep):
    """Put the bill on hold, saying what is wrong with it."""
    data = values(form, "reason")
    try:
        body = validate(DisputeRequest, data)
        bill = service.dispute_bill(session, actor, bill_id, reason=body.reason)
    except (Invalid, Conflict) as exc:
        undo_refused(session, exc)
        return _show(request, session, actor, bill_id, dispute_errors=_errors(exc), dispute_values=data,
                     status_code=exc.status)
    return redirect(request, f"{BASE}/{bill.id}", flash=f"Bill {bill.bill_number} is disputed and on hold.")


@router.post(BASE + "/{bill_id:int}/undispute")
def bill_undispute(request: Request, bill_id: Id, actor: PageActor, session: PageSession, form: FormDep):
    """Settle the dispute: the bill goes back to received, to be approved again."""
    data = values(form, "reason")
    try:
        body = validate(DisputeRequest, data)
        bill = service.undispute_bill(session, actor, bill_id, reason=body.reason)
    except (Invalid, Conflict) as exc:
        undo_refused(session, exc)
        return _show(request, session, actor, bill_id, dispute_errors=_errors(exc), dispute_values=data,
                     status_code=exc.status)
    return redirect(request, f"{BASE}/{bill.id}",
                    flash=f"The dispute on bill {bill.bill_number} is settled; it needs approving again.")
