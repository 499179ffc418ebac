"""Vendor bills (accounts payable): entering and correcting a bill, approving it for payment, disputing it,
and paying it in one or more payments (check, ACH, wire, card) until it is paid.

A bill moves received -> approved -> partially_paid -> paid; disputed puts it on hold (from any state but
paid) until it is un-disputed, which sends it back to received for a fresh approval. "Overdue" is not a
stored status: it is any bill not paid whose due date is before today (company time).

Until a vendors domain exists, a bill's vendor is a user of role "vendor": the three functions under
"the vendor link" are the only ones that know it.
"""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, false, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from coachway.auth import service as auth_service
from coachway.charters import service as charters_service
from coachway.core import audit, clock
from coachway.core.errors import Conflict, Invalid, NotFound
from coachway.core.money import to_money
from coachway.core.pagination import paginate
from coachway.core.permissions import SYSTEM, Actor, require
from coachway.payments.models import (
    BILL_PAYMENT_METHODS,
    BILL_STATUSES,
    PAYMENT_TERMS,
    VendorBill,
    VendorBillPayment,
)

# The one table of the bill workflow: which status may follow which.
BILL_TRANSITIONS: dict[str, frozenset[str]] = {
    "received": frozenset({"approved", "partially_paid", "paid", "disputed"}),
    "approved": frozenset({"partially_paid", "paid", "disputed"}),
    "partially_paid": frozenset({"partially_paid", "paid", "disputed"}),
    "disputed": frozenset({"received"}),
    "paid": frozenset(),
}
# Which statuses each action starts from (the transitions above say where it may lead).
BILL_ACTIONS: dict[str, frozenset[str]] = {
    "update": frozenset({"received", "disputed"}),
    "approve": frozenset({"received"}),
    "pay": frozenset({"approved", "partially_paid"}),
    "dispute": frozenset({"received", "approved", "partially_paid"}),
    "undispute": frozenset({"disputed"}),
}
BILL_STATUS_WORDS = {"received": "Received", "approved": "Approved", "partially_paid": "Partially paid",
                     "paid": "Paid", "disputed": "Disputed"}
BILL_METHOD_WORDS = {"check": "Check", "ach": "ACH", "wire": "Wire", "credit_card": "Credit card"}
TERM_DAYS = {"Due on Receipt": 0, "Net 15": 15, "Net 30": 30, "Net 45": 45, "Net 60": 60}
BILL_SORTS = {
    "due_date": (VendorBill.due_date.asc(), VendorBill.id.asc()),
    "bill_date": (VendorBill.bill_date.desc(), VendorBill.id.desc()),
    "newest": (VendorBill.created_at.desc(), VendorBill.id.desc()),
    "balance": (VendorBill.balance_due.desc(), VendorBill.id.asc()),
    "bill_number": (VendorBill.bill_number.asc(), VendorBill.id.asc()),
}
EDITABLE = ("bill_number", "vendor_id", "charter_id", "bill_date", "due_date", "subtotal", "tax",
            "payment_terms", "notes")
MAX_AMOUNT = Decimal("9999999.99")
ZERO = Decimal("0.00")


def usd(amount: Decimal) -> str:
    """An amount as people read it: $1,250.00."""
    return f"${amount:,.2f}"


company_today = clock.company_today  # today where the company is


def days_past_due(bill: VendorBill, today: date | None = None) -> int:
    """How many days an unpaid bill is past its due date (0 when paid or not yet due)."""
    if bill.status == "paid":
        return 0
    return max(0, ((today or company_today()) - bill.due_date).days)


def is_overdue(bill: VendorBill, today: date | None = None) -> bool:
    """True when the bill is not paid and its due date is before today."""
    return days_past_due(bill, today) > 0


def due_date_for(bill_date: date, payment_terms: str) -> date:
    """The due date the payment terms give a bill of this date."""
    return bill_date + timedelta(days=TERM_DAYS[payment_terms])


# ---------------------------------------------------------------- the vendor link
# A vendor is an active user of role "vendor" until the vendors domain exists; moving to it changes only
# these.

def _vendor(session: Session, vendor_id: int) -> None:
    """Invalid unless vendor_id names an active vendor."""
    user = auth_service.users_by_ids(session, [vendor_id]).get(vendor_id)
    if user is None or user.role != "vendor":
        raise Invalid.field("vendor_id", f"There is no vendor {vendor_id}.")
    if not user.is_active:
        raise Invalid.field("vendor_id", f"Vendor {user.full_name or user.email} is inactive.")


def vendor_names(session: Session, vendor_ids: set[int]) -> dict[int, str]:
    """Display names of vendors by id (one query)."""
    return auth_service.user_names(session, {v for v in vendor_ids if v is not None})


def vendor_choices(session: Session, actor: Actor) -> list[tuple[int, str]]:
    """The active vendors a bill may name, by name: (id, name)."""
    require(actor, "vendor_bills:read")
    return [(u.id, u.full_name or u.email) for u in auth_service.users_by_role(session, "vendor")]


# ---------------------------------------------------------------- checks

def _refuse(bill: VendorBill, action: str, words: str) -> None:
    if bill.status not in BILL_ACTIONS[action]:
        hint = ""
        if bill.status == "disputed" and action in ("approve", "pay"):
            hint = " Settle the dispute (un-dispute it) first."
        elif bill.status == "received" and action == "pay":
            hint = " Approve it first."
        raise Conflict(f"Bill {bill.bill_number} is {BILL_STATUS_WORDS[bill.status].lower()}; it cannot be "
                       f"{words}.{hint}", errors=[{"field": "status", "message": f"The bill is "
                                                   f"{BILL_STATUS_WORDS[bill.status].lower()}."}])


def _move(bill: VendorBill, new: str) -> None:
    """Set the bill's status, within BILL_TRANSITIONS (a programming slip otherwise, never user input)."""
    if new not in BILL_TRANSITIONS[bill.status]:
        raise Conflict(f"A {bill.status} bill cannot become {new}.")
    bill.status = new


def _amount(name: str, value: Any) -> Decimal:
    try:
        money = to_money(value if isinstance(value, Decimal) else str(value))
    except (ArithmeticError, TypeError, ValueError):
        raise Invalid.field(name, "Enter an amount like 1250.00.") from None
    if money < 0:
        raise Invalid.field(name, "The amount cannot be negative.")
    if money > MAX_AMOUNT:
        raise Invalid.field(name, f"The amount can be at most {usd(MAX_AMOUNT)}.")
    return money


def _check_bill_number(session: Session, bill_number: str, *, bill_id: int | None = None) -> str:
    number = (bill_number or "").strip()
    if not number:
        raise Invalid.field("bill_number", "This field is required.")
    if len(number) > 50:
        raise Invalid.field("bill_number", "Use at most 50 characters.")
    stmt = select(VendorBill.id).where(func.lower(VendorBill.bill_number) == number.lower())
    if bill_id is not None:
        stmt = stmt.where(VendorBill.id != bill_id)
    if session.scalar(stmt) is not None:
        raise _duplicate(number)
    return number


def _duplicate(number: str) -> Conflict:
    return Conflict(f"There is already a bill numbered {number}.",
                    errors=[{"field": "bill_number", "message": f"Bill {number} is already entered."}])


def _check_charter(session: Session, charter_id: int | None) -> None:
    if charter_id is None:
        return
    try:
        charters_service.get_charter(session, SYSTEM, charter_id)
    except NotFound:
        raise Invalid.field("charter_id", f"There is no charter {charter_id}.") from None


def _check_dates(fields: dict[str, Any]) -> None:
    """Derive the due date from the terms when it is not given; the due date is on or after the bill date."""
    terms = fields.get("payment_terms")
    if terms is not None and terms not in PAYMENT_TERMS:
        raise Invalid.field("payment_terms", f"Choose one of: {', '.join(PAYMENT_TERMS)}.")
    if fields["bill_date"] > company_today():
        raise Invalid.field("bill_date", "The bill date is in the future.")
    if fields.get("due_date") is None:
        if terms is None:
            raise Invalid.field("due_date", "Give the due date, or payment terms to work it out from.")
        fields["due_date"] = due_date_for(fields["bill_date"], terms)
    if fields["due_date"] < fields["bill_date"]:
        raise Invalid.field("due_date", "The due date is before the bill date.")


def _totals(bill: VendorBill) -> None:
    bill.total_amount = to_money(bill.subtotal + bill.tax)
    if bill.total_amount <= 0:
        raise Invalid.field("subtotal", "A bill's total must be more than zero.")
    if bill.total_amount < bill.paid_amount:
        paid = usd(bill.paid_amount)
        raise Conflict(f"{paid} is already paid on bill {bill.bill_number}; its total cannot go below that.",
                       errors=[{"field": "subtotal", "message": f"The total cannot be below {paid} paid."}])
    bill.balance_due = to_money(bill.total_amount - bill.paid_amount)


def _flush_unique(session: Session, bill: VendorBill) -> None:
    """Flush, turning a bill number taken by a concurrent request into the same 409 as the check."""
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise _duplicate(bill.bill_number) from None


def _record(session: Session, actor: Actor, bill: VendorBill, old: dict[str, Any] | None,
            action: str) -> None:
    audit.record(session, actor, entity_type="vendor_bill", entity_id=bill.id, action=action, old=old,
                 new=audit.snapshot(bill))


def _note(bill: VendorBill, actor: Actor, words: str) -> None:
    """Append a dated line to the bill's notes (the reason of a dispute or its resolution)."""
    who = actor.name or actor.email or "system"
    line = f"{company_today().isoformat()} {who}: {words}"
    bill.notes = f"{bill.notes}\n{line}" if bill.notes else line


# ---------------------------------------------------------------- reading

def readable(actor: Actor) -> Select[tuple[VendorBill]]:
    """The bills an actor may see: all of them for those who may read bills, none otherwise."""
    stmt = select(VendorBill)
    if "*" in actor.permissions or actor.can("vendor_bills:read"):
        return stmt
    return stmt.where(false())


def find(session: Session, actor: Actor, bill_id: int, *, lock: bool = False) -> VendorBill:
    """The bill, if the actor may see it (404 otherwise); lock holds its row until the transaction ends."""
    require(actor, "vendor_bills:read")
    stmt = readable(actor).where(VendorBill.id == bill_id)
    if lock:
        # Every change to a bill takes this lock first: two payments at once wait for each other, so the
        # second sees the balance the first left and can never overpay.
        stmt = stmt.with_for_update()
    bill = session.scalar(stmt)
    if bill is None:
        raise NotFound(f"There is no vendor bill {bill_id}.")
    return bill


def _filtered(actor: Actor, *, status: str | None = None, vendor_id: int | None = None,
              charter_id: int | None = None, due_from: date | None = None, due_to: date | None = None,
              q: str | None = None, today: date | None = None) -> Select:
    stmt = readable(actor)
    if status is not None:
        if status == "overdue":
            stmt = stmt.where(VendorBill.status != "paid", VendorBill.due_date < (today or company_today()))
        elif status == "open":
            stmt = stmt.where(VendorBill.status != "paid")
        elif status in BILL_STATUSES:
            stmt = stmt.where(VendorBill.status == status)
        else:
            raise Invalid.field("status", f"Choose one of: open, overdue, {', '.join(BILL_STATUSES)}.")
    if vendor_id is not None:
        stmt = stmt.where(VendorBill.vendor_id == vendor_id)
    if charter_id is not None:
        stmt = stmt.where(VendorBill.charter_id == charter_id)
    if due_from is not None and due_to is not None and due_to < due_from:
        raise Invalid.field("due_to", "The end date is before the start date.")
    if due_from is not None:
        stmt = stmt.where(VendorBill.due_date >= due_from)
    if due_to is not None:
        stmt = stmt.where(VendorBill.due_date <= due_to)
    if q and q.strip():
        like = "%" + q.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(func.lower(VendorBill.bill_number).like(like, escape="\\"))
    return stmt


def list_bills(session: Session, actor: Actor, *, sort: str = "due_date", limit: int = 50, offset: int = 0,
               **filters) -> tuple[list[VendorBill], int]:
    """A page of vendor bills, filtered (status, including open and overdue; vendor; charter; due dates;
    bill number) and sorted (due_date, bill_date, newest, balance, bill_number)."""
    require(actor, "vendor_bills:read")
    if sort not in BILL_SORTS:
        raise Invalid.field("sort", f"Choose one of: {', '.join(BILL_SORTS)}.")
    stmt = _filtered(actor, **filters).order_by(*BILL_SORTS[sort])
    return paginate(session, stmt, limit=limit, offset=offset)


def balance_due_total(session: Session, actor: Actor, **filters) -> Decimal:
    """What the bills matching the filters still owe, together (to the cent)."""
    require(actor, "vendor_bills:read")
    matching = _filtered(actor, **filters).subquery()
    total = session.scalar(select(func.coalesce(func.sum(matching.c.balance_due), 0)))
    return to_money(Decimal(str(total)))


def get_bill(session: Session, actor: Actor, bill_id: int) -> VendorBill:
    """One vendor bill."""
    return find(session, actor, bill_id)


def list_bill_payments(session: Session, actor: Actor, bill_id: int) -> list[VendorBillPayment]:
    """The payments made on a bill, oldest first."""
    find(session, actor, bill_id)
    return list(session.scalars(select(VendorBillPayment).where(VendorBillPayment.vendor_bill_id == bill_id)
                                .order_by(VendorBillPayment.payment_date, VendorBillPayment.id)))


def people_names(session: Session, user_ids: set[int | None]) -> dict[int, str]:
    """Names of the staff who approved bills or recorded payments."""
    return auth_service.user_names(session, {u for u in user_ids if u is not None})


# ---------------------------------------------------------------- entering and correcting

def create_bill(session: Session, actor: Actor, *, bill_number: str, vendor_id: int, bill_date: date,
                subtotal: Decimal, tax: Decimal = ZERO, due_date: date | None = None,
                payment_terms: str | None = None, charter_id: int | None = None,
                notes: str | None = None) -> VendorBill:
    """Enter a bill a vendor sent; without a due date it is worked out from the payment terms."""
    require(actor, "vendor_bills:manage")
    fields: dict[str, Any] = {"bill_date": bill_date, "due_date": due_date, "payment_terms": payment_terms}
    number = _check_bill_number(session, bill_number)
    _vendor(session, vendor_id)
    _check_charter(session, charter_id)
    _check_dates(fields)
    now = clock.now()
    bill = VendorBill(bill_number=number, vendor_id=vendor_id, charter_id=charter_id, bill_date=bill_date,
                      due_date=fields["due_date"], subtotal=_amount("subtotal", subtotal),
                      tax=_amount("tax", tax),
                      paid_amount=ZERO, status="received", payment_terms=payment_terms,
                      notes=(notes or "").strip() or None, created_by=actor.user_id, created_at=now,
                      updated_at=now)
    _totals(bill)
    session.add(bill)
    _flush_unique(session, bill)
    _record(session, actor, bill, None, "create")
    return bill


def update_bill(session: Session, actor: Actor, bill_id: int, **changes) -> VendorBill:
    """Correct a bill while it is received or disputed; totals and balance follow. Changing the bill date or
    the terms without a due date works the due date out again."""
    require(actor, "vendor_bills:manage")
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise TypeError(f"unknown vendor bill fields: {sorted(unknown)}")
    bill = find(session, actor, bill_id, lock=True)
    _refuse(bill, "update", "changed (only received or disputed bills can be)")
    for key in ("bill_number", "vendor_id", "bill_date", "subtotal", "tax"):
        if key in changes and changes[key] is None:
            raise Invalid.field(key, "This cannot be empty.")
    old = audit.snapshot(bill)
    if "bill_number" in changes:
        changes["bill_number"] = _check_bill_number(session, changes["bill_number"], bill_id=bill.id)
    if "vendor_id" in changes and changes["vendor_id"] != bill.vendor_id:
        _vendor(session, changes["vendor_id"])
    if changes.get("charter_id") is not None and changes["charter_id"] != bill.charter_id:
        _check_charter(session, changes["charter_id"])
    dates = {"bill_date": changes.get("bill_date", bill.bill_date),
             "payment_terms": changes.get("payment_terms", bill.payment_terms),
             "due_date": changes.get("due_date", bill.due_date)}
    rederive = "due_date" not in changes and ("bill_date" in changes or "payment_terms" in changes)
    if rederive and dates["payment_terms"] is not None:
        dates["due_date"] = None
    if "bill_date" in changes or "due_date" in changes or "payment_terms" in changes:
        _check_dates(dates)
    for key in ("subtotal", "tax"):
        if key in changes:
            changes[key] = _amount(key, changes[key])
    if "notes" in changes:
        changes["notes"] = (changes["notes"] or "").strip() or None
    for key, value in changes.items():
        setattr(bill, key, value)
    bill.due_date = dates["due_date"]
    bill.payment_terms = dates["payment_terms"]
    _totals(bill)
    if audit.snapshot(bill) == old:
        return bill
    bill.updated_at = clock.now()
    _flush_unique(session, bill)
    _record(session, actor, bill, old, "update")
    return bill


# ---------------------------------------------------------------- approving and disputing

def approve_bill(session: Session, actor: Actor, bill_id: int) -> VendorBill:
    """Approve a received bill for payment; who approved it and when are kept."""
    require(actor, "vendor_bills:approve")
    bill = find(session, actor, bill_id, lock=True)
    _refuse(bill, "approve", "approved")
    old = audit.snapshot(bill)
    now = clock.now()
    bill.approved_by, bill.approved_at, bill.updated_at = actor.user_id, now, now
    # A bill paid in part before a dispute sent it back for approval keeps counting what was paid.
    _move(bill, "paid" if bill.balance_due == 0 else "partially_paid" if bill.paid_amount > 0 else "approved")
    session.flush()
    _record(session, actor, bill, old, "approve")
    return bill


def dispute_bill(session: Session, actor: Actor, bill_id: int, *, reason: str) -> VendorBill:
    """Put a bill on hold because something on it is wrong; the reason goes into its notes. Its approval is
    withdrawn: it needs approving again once the dispute is settled."""
    require(actor, "vendor_bills:manage")
    words = (reason or "").strip()
    if not words:
        raise Invalid.field("reason", "Say what is wrong with the bill.")
    bill = find(session, actor, bill_id, lock=True)
    _refuse(bill, "dispute", "disputed")
    old = audit.snapshot(bill)
    _move(bill, "disputed")
    bill.approved_by = bill.approved_at = None
    _note(bill, actor, f"Disputed: {words}")
    bill.updated_at = clock.now()
    session.flush()
    _record(session, actor, bill, old, "dispute")
    return bill


def undispute_bill(session: Session, actor: Actor, bill_id: int, *, reason: str) -> VendorBill:
    """Settle a dispute: the bill goes back to received (to be approved again); the resolution is noted."""
    require(actor, "vendor_bills:manage")
    words = (reason or "").strip()
    if not words:
        raise Invalid.field("reason", "Say how the dispute was settled.")
    bill = find(session, actor, bill_id, lock=True)
    _refuse(bill, "undispute", "un-disputed")
    old = audit.snapshot(bill)
    _move(bill, "received")
    _note(bill, actor, f"Dispute settled: {words}")
    bill.updated_at = clock.now()
    session.flush()
    _record(session, actor, bill, old, "undispute")
    return bill


# ---------------------------------------------------------------- paying

def pay_bill(session: Session, actor: Actor, bill_id: int, *, amount: Decimal, payment_method: str,
             payment_date: date | None = None, check_number: str | None = None,
             reference_number: str | None = None, notes: str | None = None) -> VendorBillPayment:
    """Record a payment of an approved bill (all of it or a part); the bill becomes partially paid or paid.
    The bill's row is locked first, so concurrent payments can never together pay more than it owes."""
    require(actor, "vendor_bills:pay")
    money = _amount("amount", amount)
    if money <= 0:
        raise Invalid.field("amount", "Pay more than zero.")
    if payment_method not in BILL_PAYMENT_METHODS:
        raise Invalid.field("payment_method", f"Choose one of: {', '.join(BILL_PAYMENT_METHODS)}.")
    check_number = (check_number or "").strip() or None
    if payment_method == "check" and check_number is None:
        raise Invalid.field("check_number", "Give the check number.")
    today = company_today()
    payment_date = payment_date or today
    if payment_date > today:
        raise Invalid.field("payment_date", "The payment date is in the future.")
    bill = find(session, actor, bill_id, lock=True)
    _refuse(bill, "pay", "paid")
    if money > bill.balance_due:
        owed = usd(bill.balance_due)
        raise Conflict(f"Bill {bill.bill_number} owes {owed}; {usd(money)} would pay more than that.",
                       errors=[{"field": "amount", "message": f"Pay at most the balance due, {owed}."}])
    old = audit.snapshot(bill)
    payment = VendorBillPayment(vendor_bill_id=bill.id, amount=money, payment_date=payment_date,
                                payment_method=payment_method, check_number=check_number,
                                reference_number=(reference_number or "").strip() or None,
                                notes=(notes or "").strip() or None, created_by=actor.user_id,
                                created_at=clock.now())
    session.add(payment)
    bill.paid_amount = to_money(bill.paid_amount + money)
    bill.balance_due = to_money(bill.total_amount - bill.paid_amount)
    _move(bill, "paid" if bill.balance_due == 0 else "partially_paid")
    bill.updated_at = clock.now()
    session.flush()
    audit.record(session, actor, entity_type="vendor_bill_payment", entity_id=payment.id, action="create",
                 new=audit.snapshot(payment))
    _record(session, actor, bill, old, "pay")
    return payment


__all__ = [
    "BILL_ACTIONS", "BILL_METHOD_WORDS", "BILL_SORTS", "BILL_STATUS_WORDS", "BILL_TRANSITIONS", "TERM_DAYS",
    "approve_bill", "balance_due_total", "create_bill", "days_past_due", "dispute_bill", "due_date_for",
    "get_bill", "is_overdue", "list_bill_payments", "list_bills", "pay_bill", "people_names",
    "undispute_bill", "update_bill", "vendor_choices", "vendor_names",
]
