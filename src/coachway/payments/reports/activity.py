"""Reports of what happened in a period: checks received, trips departed by agent and month,
cancellations with their fees and refunds. Periods end no later than the as-of day."""

from datetime import date, timedelta

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, aliased

from coachway.charters.models import Charter
from coachway.core.errors import Invalid
from coachway.core.permissions import Actor
from coachway.payments.models import Payment, PaymentApplication
from coachway.payments.reports.base import (
    FIRST_DAY,
    AsOf,
    Column,
    Report,
    as_of,
    at_least_zero,
    authorize,
    cents,
    clients_t,
    local_date,
    month_key,
    page_with_totals,
    smaller,
    users_t,
)
from coachway.payments.reports.positions import paid_by_charter

DEPARTED_STATUSES = ("confirmed", "in_progress", "completed")
MAX_YEARS = 10
MAX_PERIOD_DAYS = 3660
UNASSIGNED = "Unassigned"


def _period(at: AsOf, date_from: date | None, date_to: date | None, default_from: date) -> tuple[date, date]:
    first = date_from or default_from
    last = min(date_to or at.day, at.day)
    if first < FIRST_DAY:
        raise Invalid.field("date_from", f"Choose a day from {FIRST_DAY.isoformat()} on.")
    if first > last:
        raise Invalid.field("date_from", "Choose a first day on or before the last day (and the as-of day).")
    if (last - first).days > MAX_PERIOD_DAYS:
        raise Invalid.field("date_from", "Choose a period of at most ten years.")
    return first, last


def daily_check_log(session: Session, actor: Actor, *, as_of_day: date | None = None,
                    date_from: date | None = None, date_to: date | None = None, limit: int | None = None,
                    offset: int = 0) -> Report:
    """Checks received: succeeded payments by check dated from date_from to date_to (both default to the
    as-of day; the period ends at the latest on it), with check number, bank, client, amount and how many
    charters the check was applied to by the day. Only checks received are listed: refunds paid out by
    check are not in this log."""
    authorize(actor)
    at = as_of(as_of_day)
    first, last = _period(at, date_from, date_to, at.day)
    pa = PaymentApplication
    applied = (select(func.count(func.distinct(pa.charter_id)))
               .where(pa.payment_id == Payment.id, pa.amount_applied > 0, pa.applied_at < at.end)
               .correlate(Payment).scalar_subquery())
    rows = (select(Payment.id.label("payment_id"), Payment.payment_date, Payment.check_number,
                   Payment.bank_name, Payment.client_id,
                   func.coalesce(Payment.client_name, clients_t.c.name).label("client_name"),
                   cents(Payment.amount).label("amount"), applied.label("charters"))
            .join(clients_t, clients_t.c.id == Payment.client_id)
            .where(Payment.payment_method == "check", Payment.payment_type == "payment",
                   Payment.status == "succeeded", Payment.payment_date >= first,
                   Payment.payment_date <= last))
    found, totals, count = page_with_totals(session, rows, order_by=["payment_date", "payment_id"],
                                            money_keys=["amount"], limit=limit, offset=offset)
    columns = [Column("payment_date", "Date", "date"), Column("check_number", "Check number"),
               Column("bank_name", "Bank"), Column("client_name", "Client"), Column("amount", "Amount",
                                                                                    "money"),
               Column("charters", "Charters applied", "int"), Column("payment_id", "Payment", "int")]
    return Report("daily-check-log", "Daily check log", at.day, columns, found, totals, count, limit, offset,
                  {"date_from": first, "date_to": last})


def departed_by_agent(session: Session, actor: Actor, *, as_of_day: date | None = None,
                      year_from: int | None = None, year_to: int | None = None, limit: int | None = None,
                      offset: int = 0) -> Report:
    """Trips departed by sales agent and month: charters confirmed, in progress or completed whose trip
    date falls in the years asked for (default: the as-of day's year) and is on or before the as-of day;
    how many and their quoted prices (revenue)."""
    authorize(actor)
    at = as_of(as_of_day)
    year_to = year_to or at.day.year
    year_from = year_from or year_to
    if year_to > at.day.year or year_from > year_to or year_to - year_from >= MAX_YEARS or year_from < 2000:
        raise Invalid.field("year_from", f"Choose years from 2000 to {at.day.year}, at most {MAX_YEARS} "
                                         "of them, the first not after the last.")
    first, last = date(year_from, 1, 1), min(date(year_to, 12, 31), at.day)
    c = Charter
    month = month_key(session, c.trip_date)
    inner = (select(c.assigned_sales_agent_id.label("agent_id"), month.label("month"),
                    cents(func.coalesce(c.quoted_price, 0)).label("price"))
             .where(c.status.in_(DEPARTED_STATUSES), c.trip_date >= first, c.trip_date <= last)
             .subquery("departed"))
    agent = func.coalesce(func.nullif(users_t.c.full_name, ""), users_t.c.email, UNASSIGNED)
    rows = (select(inner.c.agent_id, agent.label("agent_name"), inner.c.month, func.count().label("trips"),
                   func.sum(inner.c.price).label("revenue"))
            .outerjoin(users_t, users_t.c.id == inner.c.agent_id)
            .group_by(inner.c.agent_id, users_t.c.full_name, users_t.c.email, inner.c.month))
    found, totals, count = page_with_totals(session, rows, order_by=["agent_name", "agent_id", "month"],
                                            money_keys=["revenue"], count_keys=("trips",), limit=limit,
                                            offset=offset)
    columns = [Column("agent_name", "Agent"), Column("month", "Month"), Column("trips", "Trips", "int"),
               Column("revenue", "Revenue", "money")]
    return Report("departed-by-agent", "Departed trips by agent", at.day, columns, found, totals, count,
                  limit,
                  offset, {"year_from": year_from, "year_to": year_to})


def cancellation_report(session: Session, actor: Actor, *, as_of_day: date | None = None,
                        date_from: date | None = None, date_to: date | None = None, limit: int | None = None,
                        offset: int = 0) -> Report:
    """Charters cancelled from date_from to date_to (company-timezone days; default: the as-of day's month
    to the day): reason, quoted price, cancellation fee, how much of the fee was paid by the day (what was
    paid on the charter, up to the fee) and the refunds given (the charter's share of refund payments)."""
    authorize(actor)
    at = as_of(as_of_day)
    first, last = _period(at, date_from, date_to, at.day.replace(day=1))
    paid = paid_by_charter(at).subquery("paid")
    refund_payment = aliased(Payment)
    pa = PaymentApplication
    refunds = (select(pa.charter_id, (-func.sum(cents(pa.amount_applied))).label("refunds"))
               .join(refund_payment, refund_payment.id == pa.reversal_payment_id)
               .where(pa.amount_applied < 0, refund_payment.payment_type == "refund",
                      refund_payment.status == "succeeded", pa.applied_at < at.end)
               .group_by(pa.charter_id).subquery("refunds"))
    c = Charter
    fee = cents(func.coalesce(c.cancellation_fee, 0))
    rows = (select(c.id.label("charter_id"), c.client_id, clients_t.c.name.label("client_name"), c.trip_date,
                   local_date(session, c.cancellation_date).label("cancelled_on"),
                   c.cancellation_reason.label("reason"), cents(func.coalesce(c.quoted_price,
                                                                              0)).label("price"),
                   fee.label("fee"),
                   smaller(fee, at_least_zero(func.coalesce(paid.c.paid, 0))).label("fee_paid"),
                   func.coalesce(refunds.c.refunds, 0).label("refunds"))
            .join(clients_t, clients_t.c.id == c.client_id)
            .outerjoin(paid, paid.c.charter_id == c.id)
            .outerjoin(refunds, refunds.c.charter_id == c.id)
            .where(and_(c.status == "cancelled", c.cancellation_date >= at.start_of(first),
                        c.cancellation_date < at.start_of(last + timedelta(days=1)))))
    found, totals, count = page_with_totals(session, rows, order_by=["cancelled_on", "charter_id"],
                                            money_keys=["price", "fee", "fee_paid", "refunds"], limit=limit,
                                            offset=offset)
    columns = [Column("charter_id", "Charter", "charter"), Column("client_name", "Client"),
               Column("cancelled_on", "Cancelled", "date"), Column("trip_date", "Trip date", "date"),
               Column("reason", "Reason"), Column("price", "Quoted price", "money"),
               Column("fee", "Fee", "money"), Column("fee_paid", "Fee paid", "money"),
               Column("refunds", "Refunds", "money")]
    return Report("cancellation-report", "Cancellations", at.day, columns, found, totals, count, limit,
                  offset,
                  {"date_from": first, "date_to": last})
