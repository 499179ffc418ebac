"""Reports of money clients owe (see positions.py for how a charter's position at a day is worked out).

Every function takes (session, actor, as_of, filters), requires financial_reports:read, runs one or two
SQL statements whatever the amount of data, and returns a Report: a page of rows and the totals of all
rows, money as Decimal to the cent (totals are sums of the rows' cents, so they always reconcile).
"""

from datetime import date, timedelta

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from coachway.charters.models import Charter
from coachway.core.errors import Invalid
from coachway.core.permissions import Actor
from coachway.payments.models import PaymentPlanInstallment
from coachway.payments.reports.base import (
    BUCKET_KEYS,
    BUCKET_LABELS,
    Column,
    Report,
    as_of,
    authorize,
    bucket_sums_by_index,
    check_bucket,
    clients_t,
    page_with_totals,
)
from coachway.payments.reports.positions import cancelled_at, charter_positions, due_stream, open_dues

PAYMENT_STATUSES = ("paid", "partial", "unpaid", "credit", "nothing_due")
MAX_UPCOMING_DAYS = 366
_BUCKET_COLUMNS = [Column(k, BUCKET_LABELS[k], "money") for k in BUCKET_KEYS]


def ar_aging(session: Session, actor: Actor, *, as_of_day: date | None = None, client_id: int | None = None,
             limit: int | None = None, offset: int = 0) -> Report:
    """AR aging by client: the open receivables in each bucket of days past due (current, 1-30, 31-60,
    61-90, 91-120, over 120), their total, and the credits owed back (never netted into the buckets).
    A client appears when something is open or owed back."""
    authorize(actor)
    at = as_of(as_of_day)
    # Straight from the stream of dues (no per-charter grouping first): the credit parts of a charter's
    # rows add up to its credit, and first_open marks one due per charter with something open.
    s = due_stream(session, at, client_id=client_id)
    by_client = (select(s.c.client_id, *bucket_sums_by_index(s.c.bucket, s.c.open),
                        func.sum(s.c.open).label("total_open"), func.sum(s.c.credit_part).label("credit"),
                        func.sum(s.c.first_open).label("open_charters"))
                 .group_by(s.c.client_id)
                 .having((func.sum(s.c.open) > 0) | (func.sum(s.c.credit_part) > 0))
                 .subquery("by_client"))
    rows = (select(by_client, clients_t.c.name.label("client_name"))
            .join(clients_t, clients_t.c.id == by_client.c.client_id))
    money_keys = [*BUCKET_KEYS, "total_open", "credit"]
    found, totals, count = page_with_totals(session, rows, order_by=["client_name", "client_id"],
                                            money_keys=money_keys, count_keys=("open_charters",),
                                            limit=limit, offset=offset)
    columns = [Column("client_name", "Client"), *_BUCKET_COLUMNS, Column("total_open", "Open", "money"),
               Column("credit", "Credits", "money"), Column("open_charters", "Open charters", "int")]
    return Report("ar-aging", "AR aging", at.day, columns, found, totals, count, limit, offset,
                  {"client_id": client_id})


def ar_aging_charters(session: Session, actor: Actor, *, as_of_day: date | None = None,
                      client_id: int | None = None, bucket: str | None = None, limit: int | None = None,
                      offset: int = 0) -> Report:
    """The charters behind the AR aging (the drill-down): per charter open at the day, its open amount in
    each bucket, oldest open due date; only charters with an open amount in `bucket` when given."""
    authorize(actor)
    check_bucket(bucket)
    at = as_of(as_of_day)
    pos = charter_positions(session, at, client_id=client_id)
    shown = pos.c[bucket] > 0 if bucket else pos.c.open > 0
    rows = (select(pos.c.charter_id, pos.c.client_id, clients_t.c.name.label("client_name"),
                   Charter.trip_date, Charter.status, pos.c.oldest_due, pos.c.receivable, pos.c.paid,
                   *(pos.c[k] for k in BUCKET_KEYS), pos.c.open.label("total_open"))
            .join(clients_t, clients_t.c.id == pos.c.client_id)
            .join(Charter, Charter.id == pos.c.charter_id)
            .where(shown))
    money_keys = ["receivable", "paid", *BUCKET_KEYS, "total_open"]
    found, totals, count = page_with_totals(session, rows, order_by=["oldest_due", "charter_id"],
                                            money_keys=money_keys, limit=limit, offset=offset)
    for row in found:
        row["days_past_due"] = (at.day - row["oldest_due"]).days if row["oldest_due"] else None
    # Drilled down to one bucket, the other buckets' columns are left out (their amounts stay in the rows).
    buckets = [c for c in _BUCKET_COLUMNS if bucket in (None, c.key)]
    columns = [Column("charter_id", "Charter", "charter"), Column("client_name", "Client"),
               Column("trip_date", "Trip date", "date"), Column("status", "Status now"),
               Column("oldest_due", "Oldest open due", "date"),
               Column("days_past_due", "Days past due", "int"), Column("receivable", "Receivable", "money"),
               Column("paid", "Paid", "money"), *buckets, Column("total_open", "Open", "money")]
    title = "AR aging: charters" + (f" ({BUCKET_LABELS[bucket]})" if bucket else "")
    return Report("ar-aging-charters", title, at.day, columns, found, totals, count, limit, offset,
                  {"client_id": client_id, "bucket": bucket})


def outstanding_receivables(session: Session, actor: Actor, *, as_of_day: date | None = None,
                            client_id: int | None = None, limit: int | None = None,
                            offset: int = 0) -> Report:
    """Outstanding receivables by client: receivable (the dues of their bookings at the day), paid, open
    (what is still owed), credits (owed back) and the oldest open due date; clients owing something."""
    authorize(actor)
    at = as_of(as_of_day)
    pos = charter_positions(session, at, client_id=client_id)
    rows = (select(pos.c.client_id, clients_t.c.name.label("client_name"),
                   func.count().label("charters"), func.sum(pos.c.receivable).label("receivable"),
                   func.sum(pos.c.paid).label("paid"), func.sum(pos.c.open).label("open"),
                   func.sum(pos.c.credit).label("credit"), func.min(pos.c.oldest_due).label("oldest_due"))
            .join(clients_t, clients_t.c.id == pos.c.client_id)
            .group_by(pos.c.client_id, clients_t.c.name)
            .having(func.sum(pos.c.open) > 0))
    found, totals, count = page_with_totals(
        session, rows, order_by=["-open", "client_name", "client_id"],
        money_keys=["receivable", "paid", "open", "credit"], count_keys=("charters",), limit=limit,
        offset=offset)
    columns = [Column("client_name", "Client"), Column("charters", "Bookings", "int"),
               Column("receivable", "Receivable", "money"), Column("paid", "Paid", "money"),
               Column("open", "Open", "money"), Column("credit", "Credits", "money"),
               Column("oldest_due", "Oldest open due", "date")]
    return Report("outstanding-receivables", "Outstanding receivables", at.day, columns, found, totals, count,
                  limit, offset, {"client_id": client_id})


def _status_expr(pos):
    balance = pos.c.receivable - pos.c.paid
    return case((balance < 0, "credit"),
                (and_(balance == 0, pos.c.receivable > 0), "paid"),
                (pos.c.receivable == 0, "nothing_due"),
                (pos.c.paid <= 0, "unpaid"),
                else_="partial")


def _charter_rows(session: Session, at, *, client_id: int | None, where=()):
    pos = charter_positions(session, at, client_id=client_id)
    status = _status_expr(pos)
    stmt = (select(pos.c.charter_id, pos.c.client_id, clients_t.c.name.label("client_name"),
                   Charter.trip_date, Charter.status.label("charter_status"), pos.c.receivable, pos.c.paid,
                   (pos.c.receivable - pos.c.paid).label("balance"), status.label("payment_status"),
                   pos.c.oldest_due.label("next_due"))
            .join(clients_t, clients_t.c.id == pos.c.client_id)
            .join(Charter, Charter.id == pos.c.charter_id))
    return stmt, pos, status


_CHARTER_COLUMNS = [Column("charter_id", "Charter", "charter"), Column("client_name", "Client"),
                    Column("trip_date", "Trip date", "date"), Column("charter_status", "Status now"),
                    Column("receivable", "Receivable", "money"), Column("paid", "Paid", "money"),
                    Column("balance", "Balance", "money"), Column("payment_status", "Payment status"),
                    Column("next_due", "Next due", "date")]


def charter_payment_status(session: Session, actor: Actor, *, as_of_day: date | None = None,
                           client_id: int | None = None, payment_status: str | None = None,
                           limit: int | None = None, offset: int = 0) -> Report:
    """Per booking at the day: receivable, paid, balance (negative: a credit) and whether it is paid
    (balance 0), partial, unpaid (nothing paid), credit (overpaid) or nothing_due (no receivable, nothing
    paid); next_due is the oldest due date still open. Filters: client_id, payment_status."""
    authorize(actor)
    if payment_status is not None and payment_status not in PAYMENT_STATUSES:
        raise Invalid.field("payment_status", f"Choose one of: {', '.join(PAYMENT_STATUSES)}.")
    at = as_of(as_of_day)
    stmt, _pos, status = _charter_rows(session, at, client_id=client_id)
    if payment_status:
        stmt = stmt.where(status == payment_status)
    found, totals, count = page_with_totals(session, stmt, order_by=["trip_date", "charter_id"],
                                            money_keys=["receivable", "paid", "balance"], limit=limit,
                                            offset=offset)
    return Report("charter-payment-status", "Charter payment status", at.day, _CHARTER_COLUMNS, found,
                  totals, count, limit, offset, {"client_id": client_id, "payment_status": payment_status})


def zero_balance_charters(session: Session, actor: Actor, *, as_of_day: date | None = None,
                          client_id: int | None = None, limit: int | None = None, offset: int = 0) -> Report:
    """Bookings fully paid at the day: a receivable above zero and a balance of exactly zero."""
    authorize(actor)
    at = as_of(as_of_day)
    stmt, pos, _status = _charter_rows(session, at, client_id=client_id)
    stmt = stmt.where(pos.c.receivable > 0, pos.c.receivable == pos.c.paid)
    found, totals, count = page_with_totals(session, stmt, order_by=["trip_date", "charter_id"],
                                            money_keys=["receivable", "paid", "balance"], limit=limit,
                                            offset=offset)
    return Report("zero-balance-charters", "Zero-balance charters", at.day, _CHARTER_COLUMNS, found, totals,
                  count, limit, offset, {"client_id": client_id})


def unearned_revenue(session: Session, actor: Actor, *, as_of_day: date | None = None,
                     client_id: int | None = None, limit: int | None = None, offset: int = 0) -> Report:
    """Money held for trips not yet run: what was paid by the day on bookings not cancelled at the day
    whose trip date is after it (paid above the receivable included: it is held too)."""
    authorize(actor)
    at = as_of(as_of_day)
    pos = charter_positions(session, at, client_id=client_id)
    stmt = (select(pos.c.charter_id, pos.c.client_id, clients_t.c.name.label("client_name"),
                   Charter.trip_date, Charter.status.label("charter_status"), pos.c.receivable, pos.c.paid,
                   (pos.c.receivable - pos.c.paid).label("balance"))
            .join(clients_t, clients_t.c.id == pos.c.client_id)
            .join(Charter, Charter.id == pos.c.charter_id)
            .where(Charter.trip_date > at.day, pos.c.paid > 0,
                   ~cancelled_at(at)))
    found, totals, count = page_with_totals(session, stmt, order_by=["trip_date", "charter_id"],
                                            money_keys=["receivable", "paid", "balance"], limit=limit,
                                            offset=offset)
    columns = [Column("charter_id", "Charter", "charter"), Column("client_name", "Client"),
               Column("trip_date", "Trip date", "date"), Column("charter_status", "Status now"),
               Column("receivable", "Receivable", "money"), Column("paid", "Paid (unearned)", "money"),
               Column("balance", "Balance", "money")]
    return Report("unearned-revenue", "Unearned revenue", at.day, columns, found, totals, count, limit,
                  offset, {"client_id": client_id})


def upcoming_payments(session: Session, actor: Actor, *, as_of_day: date | None = None, days: int = 30,
                      client_id: int | None = None, limit: int | None = None, offset: int = 0) -> Report:
    """Dues with an amount still open at the day that fall due from the day to `days` days after it (both
    included), soonest first: charter, client, installment, due date, amount and what is open of it."""
    authorize(actor)
    if not 1 <= days <= MAX_UPCOMING_DAYS:
        raise Invalid.field("days", f"Choose from 1 to {MAX_UPCOMING_DAYS} days.")
    at = as_of(as_of_day)
    last = at.day + timedelta(days=days)
    od = open_dues(session, at, client_id=client_id)
    inst = PaymentPlanInstallment
    stmt = (select(od.c.charter_id, od.c.client_id, clients_t.c.name.label("client_name"),
                   Charter.trip_date, func.coalesce(inst.label, case((od.c.seq == 0, "Cancellation fee"),
                                                                     else_="Trip price"))
                   .label("installment"),
                   od.c.due_date, od.c.seq, od.c.amount, od.c.open)
            .join(clients_t, clients_t.c.id == od.c.client_id)
            .join(Charter, Charter.id == od.c.charter_id)
            .outerjoin(inst, and_(inst.charter_id == od.c.charter_id, inst.sequence == od.c.seq))
            .where(od.c.open > 0, od.c.due_date >= at.day, od.c.due_date <= last))
    found, totals, count = page_with_totals(session, stmt, order_by=["due_date", "charter_id", "seq"],
                                            money_keys=["amount", "open"], limit=limit, offset=offset)
    for row in found:
        row.pop("seq", None)
    columns = [Column("due_date", "Due", "date"), Column("charter_id", "Charter", "charter"),
               Column("client_name", "Client"), Column("trip_date", "Trip date", "date"),
               Column("installment", "Installment"), Column("amount", "Amount", "money"),
               Column("open", "Open", "money")]
    return Report("upcoming-payments", "Upcoming payments", at.day, columns, found, totals, count, limit,
                  offset, {"client_id": client_id, "days": days})
