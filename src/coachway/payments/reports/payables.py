"""Reports of money owed to vendors: AP aging by vendor (and its bills), vendor payables.

As of a day D: a vendor bill counts when its bill_date is on or before D; what was paid on it is the sum
of its vendor_bill_payments dated on or before D; it is open for total_amount - paid (never below 0).
Days past due = D - due_date, in the same buckets as AR. Disputed bills (status disputed now: bill status
has no history) are included, and their open amount is also shown apart. The vendor is the bill's
vendor_id user (their full name, or email).
"""

from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from coachway.core.permissions import Actor
from coachway.payments.models import VendorBill, VendorBillPayment
from coachway.payments.reports.base import (
    BUCKET_KEYS,
    BUCKET_LABELS,
    AsOf,
    Column,
    Report,
    as_of,
    at_least_zero,
    authorize,
    bucket_sums,
    cents,
    check_bucket,
    page_with_totals,
    users_t,
)

_BUCKET_COLUMNS = [Column(k, BUCKET_LABELS[k], "money") for k in BUCKET_KEYS]


def vendor_name():
    """SQL: a vendor's name for reports."""
    return func.coalesce(func.nullif(users_t.c.full_name, ""), users_t.c.email)


def open_bills(at: AsOf, *, vendor_id: int | None = None):
    """SQL (a subquery): bills received by the day with, in cents, total, paid and open at the day."""
    vb = VendorBill
    paid = (select(VendorBillPayment.vendor_bill_id, func.sum(cents(VendorBillPayment.amount)).label("paid"))
            .where(VendorBillPayment.payment_date <= at.day)
            .group_by(VendorBillPayment.vendor_bill_id)
            .subquery("bill_paid"))
    total = cents(vb.total_amount)
    paid_cents = func.coalesce(paid.c.paid, 0)
    stmt = (select(vb.id.label("bill_id"), vb.bill_number, vb.vendor_id, vb.charter_id, vb.bill_date,
                   vb.due_date, vb.status, case((vb.status == "disputed", 1), else_=0).label("disputed"),
                   total.label("total"), paid_cents.label("paid"),
                   at_least_zero(total - paid_cents).label("open"))
            .outerjoin(paid, paid.c.vendor_bill_id == vb.id)
            .where(vb.bill_date <= at.day))
    if vendor_id is not None:
        stmt = stmt.where(vb.vendor_id == vendor_id)
    return stmt.subquery("bills")


def ap_aging(session: Session, actor: Actor, *, as_of_day: date | None = None, vendor_id: int | None = None,
             limit: int | None = None, offset: int = 0) -> Report:
    """AP aging by vendor: the open amount of their bills in each bucket of days past due, the total, and
    how much of it is disputed; vendors with something open."""
    authorize(actor)
    at = as_of(as_of_day)
    b = open_bills(at, vendor_id=vendor_id)
    rows = (select(b.c.vendor_id, vendor_name().label("vendor_name"), *bucket_sums(b.c.due_date, b.c.open,
                                                                                   at),
                   func.sum(b.c.open).label("total_open"),
                   func.sum(case((b.c.disputed == 1, b.c.open), else_=0)).label("disputed"),
                   func.count(case((b.c.open > 0, 1))).label("open_bills"))
            .join(users_t, users_t.c.id == b.c.vendor_id)
            .group_by(b.c.vendor_id, users_t.c.full_name, users_t.c.email)
            .having(func.sum(b.c.open) > 0))
    found, totals, count = page_with_totals(session, rows, order_by=["vendor_name", "vendor_id"],
                                            money_keys=[*BUCKET_KEYS, "total_open", "disputed"],
                                            count_keys=("open_bills",), limit=limit, offset=offset)
    columns = [Column("vendor_name", "Vendor"), *_BUCKET_COLUMNS, Column("total_open", "Open", "money"),
               Column("disputed", "Of it disputed", "money"), Column("open_bills", "Open bills", "int")]
    return Report("ap-aging", "AP aging", at.day, columns, found, totals, count, limit, offset,
                  {"vendor_id": vendor_id})


def ap_aging_bills(session: Session, actor: Actor, *, as_of_day: date | None = None,
                   vendor_id: int | None = None, bucket: str | None = None, limit: int | None = None,
                   offset: int = 0) -> Report:
    """The open bills behind the AP aging (the drill-down), oldest due first; only those in `bucket` when
    given."""
    authorize(actor)
    check_bucket(bucket)
    at = as_of(as_of_day)
    b = open_bills(at, vendor_id=vendor_id)
    limits = at.bucket_dates()
    index = BUCKET_KEYS.index(bucket) if bucket else None
    where = [b.c.open > 0]
    if index is not None:
        if index < len(limits):
            where.append(b.c.due_date >= limits[index])
        if index > 0:
            where.append(b.c.due_date < limits[index - 1])
    rows = (select(b.c.bill_id, b.c.bill_number, b.c.vendor_id, vendor_name().label("vendor_name"),
                   b.c.charter_id, b.c.bill_date, b.c.due_date, b.c.status, b.c.total, b.c.paid, b.c.open)
            .join(users_t, users_t.c.id == b.c.vendor_id)
            .where(*where))
    found, totals, count = page_with_totals(session, rows, order_by=["due_date", "bill_id"],
                                            money_keys=["total", "paid", "open"], limit=limit, offset=offset)
    for row in found:
        row["days_past_due"] = (at.day - row["due_date"]).days
    columns = [Column("bill_number", "Bill"), Column("vendor_name", "Vendor"),
               Column("charter_id", "Charter", "charter"), Column("bill_date", "Bill date", "date"),
               Column("due_date", "Due", "date"), Column("days_past_due", "Days past due", "int"),
               Column("status", "Status"), Column("total", "Total", "money"), Column("paid", "Paid", "money"),
               Column("open", "Open", "money")]
    title = "AP aging: bills" + (f" ({BUCKET_LABELS[bucket]})" if bucket else "")
    return Report("ap-aging-bills", title, at.day, columns, found, totals, count, limit, offset,
                  {"vendor_id": vendor_id, "bucket": bucket})


def vendor_payables(session: Session, actor: Actor, *, as_of_day: date | None = None,
                    vendor_id: int | None = None, limit: int | None = None, offset: int = 0) -> Report:
    """Vendor payables by vendor: bills received by the day, their total, paid, open, the open amount
    overdue (due before the day) and disputed; vendors with something open."""
    authorize(actor)
    at = as_of(as_of_day)
    b = open_bills(at, vendor_id=vendor_id)
    rows = (select(b.c.vendor_id, vendor_name().label("vendor_name"), func.count().label("bills"),
                   func.sum(b.c.total).label("total"), func.sum(b.c.paid).label("paid"),
                   func.sum(b.c.open).label("open"),
                   func.sum(case((b.c.due_date < at.day, b.c.open), else_=0)).label("overdue"),
                   func.sum(case((b.c.disputed == 1, b.c.open), else_=0)).label("disputed"))
            .join(users_t, users_t.c.id == b.c.vendor_id)
            .group_by(b.c.vendor_id, users_t.c.full_name, users_t.c.email)
            .having(func.sum(b.c.open) > 0))
    found, totals, count = page_with_totals(session, rows, order_by=["-open", "vendor_name", "vendor_id"],
                                            money_keys=["total", "paid", "open", "overdue", "disputed"],
                                            count_keys=("bills",), limit=limit, offset=offset)
    columns = [Column("vendor_name", "Vendor"), Column("bills", "Bills", "int"),
               Column("total", "Billed", "money"), Column("paid", "Paid", "money"),
               Column("open", "Open", "money"), Column("overdue", "Overdue", "money"),
               Column("disputed", "Disputed", "money")]
    return Report("vendor-payables", "Vendor payables", at.day, columns, found, totals, count, limit, offset,
                  {"vendor_id": vendor_id})
