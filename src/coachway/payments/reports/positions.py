"""Where every charter's money stood at the end of a day: what was due and when, what was paid, and which
dues are still open. The SQL the receivable reports share (the ledger's rules, replayed as of a day).

As of a day D (see base.py for the end-of-day instant):

- A charter is a **booking at D** when it was booked before the end of D (booked_at; a booking of old data
  without booked_at counts from its creation) and is now booked, confirmed, in progress, completed or
  cancelled. It is **cancelled at D** when it is cancelled now and its cancellation_date (none: its
  created_at) is before the end of D: a charter cancelled after D was still an ordinary booking at D.
- Its **dues at D**: cancelled at D, one due of its cancellation fee (none: 0) on the day it was cancelled
  (the company-timezone date of cancellation_date); otherwise its payment plan's installments (amount,
  due_date, in order of due date then sequence); without a plan (old data), one due of its quoted price
  on its trip date. Its **receivable** is the sum of its dues.
- **Paid at D**: the sum of payment_applications.amount_applied applied before the end of D whose payment
  succeeded (negative rows, unapplied money and refunds, take money back off). A negative total, which
  the ledger never produces, counts as nothing paid.
- What is paid settles the dues oldest first (FIFO): a due's **open** amount is
  least(amount, greatest(0, running total of dues up to and including it - paid)). So the open dues of a
  charter add up to greatest(receivable - paid, 0), and the charter's **credit** (money owed back) is
  greatest(paid - receivable, 0): credits are reported beside the buckets, never netted into them.
- Days past due = D - due date; the buckets are in base.BUCKETS (0 or less is current).

Everything is one statement of CTEs and window functions, whatever the number of charters.
"""

from sqlalchemy import Select, and_, case, func, literal, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from coachway.charters.models import Charter
from coachway.payments.models import Payment, PaymentApplication, PaymentPlanInstallment
from coachway.payments.reports.base import (
    AsOf,
    at_least_zero,
    bucket_index,
    bucket_sums_by_index,
    cents,
    local_date,
    smaller,
)

BOOKING_STATUSES = ("booked", "confirmed", "in_progress", "completed", "cancelled")


def cancelled_at(at: AsOf) -> ColumnElement:
    """SQL (Charter columns): cancelled before the end of the as-of day (a cancelled charter without a
    cancellation date counts as cancelled since it was created). Never NULL, so it can be negated."""
    return and_(Charter.status == "cancelled",
                func.coalesce(Charter.cancellation_date, Charter.created_at) < at.end)


def booked_by(at: AsOf) -> ColumnElement:
    """SQL (Charter columns): a booking (or a cancelled one) at the end of the as-of day."""
    c = Charter
    booked = or_(c.booked_at < at.end,
                 and_(c.booked_at.is_(None), c.status != "cancelled", c.created_at < at.end))
    return and_(c.status.in_(BOOKING_STATUSES), or_(booked, cancelled_at(at)))


def paid_by_charter(at: AsOf) -> Select:
    """SQL: (charter_id, paid) in cents, applications before the end of the as-of day of succeeded
    payments."""
    pa = PaymentApplication
    return (select(pa.charter_id, func.sum(cents(pa.amount_applied)).label("paid"))
            .join(Payment, Payment.id == pa.payment_id)
            .where(Payment.status == "succeeded", pa.applied_at < at.end)
            .group_by(pa.charter_id))


def dues(session: Session, at: AsOf, *, client_id: int | None = None) -> Select:
    """SQL: (charter_id, client_id, due_date, seq, amount in cents, is_due 1) of every booking's dues at
    the day: one scan of charters, left-joined to their installments unless cancelled at the day (a
    charter without installments gives one row: its price on the trip date, or its cancellation fee on
    the day it was cancelled)."""
    c = Charter
    inst = PaymentPlanInstallment
    cancelled = cancelled_at(at)
    due_date = case((cancelled, local_date(session, func.coalesce(c.cancellation_date, c.created_at))),
                    (inst.id.is_(None), c.trip_date), else_=inst.due_date)
    amount = case((cancelled, func.coalesce(c.cancellation_fee, 0)),
                  (inst.id.is_(None), func.coalesce(c.quoted_price, 0)), else_=inst.amount)
    seq = case((cancelled, 0), (inst.id.is_(None), 1), else_=inst.sequence)
    stmt = (select(c.id.label("charter_id"), c.client_id, due_date.label("due_date"), seq.label("seq"),
                   cents(amount).label("amount"), literal(1).label("is_due"))
            .outerjoin(inst, and_(inst.charter_id == c.id, ~cancelled))
            .where(booked_by(at)))
    if client_id is not None:
        stmt = stmt.where(c.client_id == client_id)
    return stmt


def due_stream(session: Session, at: AsOf, *, client_id: int | None = None):
    """SQL (a subquery): every due of every booking at the day (is_due 1), each with, computed once per row:

    - paid: the charter's paid amount (joined once per charter); open: what of the due is still open, FIFO;
      bucket: the due's aging bucket (0 current to 5 over 120);
    - first_open: 1 on a charter's oldest due still open (so counting charters needs no DISTINCT);
    - credit_part: summed over a charter's rows (or a client's) it is the credit, greatest(paid - receivable,
      0): (open - amount) on each due, plus paid on the charter's first.

    One sort by charter and due order and one window pass give the running total and the row number.
    """
    d = dues(session, at, client_id=client_id).subquery("dues")
    p = paid_by_charter(at).subquery("paid")
    # One window clause (the same partition, order and frame) for both, so one sort and one pass.
    window = {"partition_by": d.c.charter_id, "order_by": (d.c.due_date, d.c.seq), "rows": (None, 0)}
    windowed = (select(d.c.charter_id, d.c.client_id, d.c.due_date, d.c.seq, d.c.amount, d.c.is_due,
                       at_least_zero(func.coalesce(p.c.paid, 0)).label("paid"),
                       func.sum(d.c.amount).over(**window).label("running"),
                       func.row_number().over(**window).label("rn"))
                .select_from(d.outerjoin(p, p.c.charter_id == d.c.charter_id))
                .subquery("windowed"))
    w = windowed.c
    open_amount = smaller(w.amount, at_least_zero(w.running - w.paid))
    first_open = case((and_(w.amount > 0, w.running - w.paid > 0, w.running - w.amount <= w.paid), 1),
                      else_=0)
    # Summed over a charter's rows: paid - receivable + open, which is its credit whether it is overpaid
    # (nothing open) or not (then the open dues add up to receivable - paid, and the credit is 0).
    credit_part = (open_amount - w.amount) + case((w.rn == 1, w.paid), else_=0)
    return (select(w.charter_id, w.client_id, w.due_date, w.seq, w.amount, w.is_due, w.paid,
                   open_amount.label("open"), bucket_index(w.due_date, at).label("bucket"),
                   first_open.label("first_open"), credit_part.label("credit_part"))
            .subquery("due_stream"))


def open_dues(session: Session, at: AsOf, *, client_id: int | None = None):
    """SQL (a subquery): each due (not the paid rows) of due_stream."""
    s = due_stream(session, at, client_id=client_id)
    return select(s).where(s.c.is_due == 1).subquery("open_dues")


def charter_positions(session: Session, at: AsOf, *, client_id: int | None = None):
    """SQL (a subquery): per booking at the day, in cents: receivable, paid, open, credit, the oldest open
    due date and the open amount in each aging bucket."""
    s = due_stream(session, at, client_id=client_id)
    is_due = s.c.is_due == 1
    grouped = (select(s.c.charter_id, func.max(s.c.client_id).label("client_id"),
                      func.sum(case((is_due, s.c.amount), else_=0)).label("receivable"),
                      func.max(s.c.paid).label("paid"),
                      func.sum(s.c.open).label("open"),
                      func.min(case((s.c.first_open == 1, s.c.due_date))).label("oldest_due"),
                      *bucket_sums_by_index(s.c.bucket, s.c.open))
               .group_by(s.c.charter_id)
               .subquery("charter_sums"))
    return (select(grouped, at_least_zero(grouped.c.paid - grouped.c.receivable).label("credit"))
            .subquery("positions"))
