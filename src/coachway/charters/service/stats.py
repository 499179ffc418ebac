"""Charter figures for the sales dashboard and reports, aggregated in SQL (one query each, however many
charters there are).

Every function takes agent_id: the sales agent whose charters count (assigned_sales_agent_id), or None
for every charter. Quote revisions that a newer revision replaced (superseded_by_id set) never count:
the current revision stands for the whole quote. Trip dates are local dates; instants (booked_at,
created_at) are aware UTC, so callers pass the UTC bounds of the local days they mean.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from sqlalchemy import ColumnElement, and_, case, column, func, or_, select, table
from sqlalchemy.orm import Session

from coachway.charters.models import Charter
from coachway.core.money import to_money

# Statuses of a booking whose trip has not run yet, and of one that still owes the company money.
DEPARTING_STATUSES = ("booked", "confirmed", "in_progress")
DUE_STATUSES = ("booked", "confirmed")
# Clients belong to the clients domain: only the columns these figures need are read here (names for
# lists, and whether the client pays by card), as charters/_common reads client names.
# The payments domain's tables, read here without importing it (payments builds on charters).
_applications = table("payment_applications", column("charter_id"), column("payment_id"),
                      column("amount_applied"))
_payments = table("payments", column("id"), column("status"))
_clients = table("clients", column("id"), column("name"), column("stripe_customer_id"),
                 column("auto_pay_enabled"))


@dataclass(frozen=True)
class Booked:
    """Charters booked in a period (not cancelled since): how many, their price and their profit."""

    count: int
    revenue: Decimal
    profit: Decimal


@dataclass(frozen=True)
class Departure:
    """One charter leaving soon, as the upcoming-departures list shows it."""

    charter_id: int
    client_id: int
    client_name: str
    trip_date: date
    pickup_time: time | None
    passenger_count: int
    status: str
    quoted_price: Decimal | None
    assigned_sales_agent_id: int | None


def _money(value) -> Decimal:
    return to_money(Decimal(str(value)) if value is not None else Decimal(0))


def _of_agent(agent_id: int | None, *, current: bool = True) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [Charter.superseded_by_id.is_(None)] if current else []
    if agent_id is not None:
        where.append(Charter.assigned_sales_agent_id == agent_id)
    return where


def _profit():
    return Charter.quoted_price - func.coalesce(Charter.estimated_vendor_cost, 0)


def open_quotes(session: Session, *, agent_id: int | None, first_day: date, last_day: date) -> int:
    """Current quotes (not superseded) whose trip date falls from first_day to last_day, both included."""
    stmt = select(func.count()).select_from(Charter).where(
        *_of_agent(agent_id), Charter.status == "quote", Charter.trip_date >= first_day,
        Charter.trip_date <= last_day)
    return session.scalar(stmt) or 0


def departures_count(session: Session, *, agent_id: int | None, first_day: date, last_day: date) -> int:
    """Booked, confirmed or running charters whose trip date falls from first_day to last_day."""
    stmt = select(func.count()).select_from(Charter).where(
        *_of_agent(agent_id), Charter.status.in_(DEPARTING_STATUSES), Charter.trip_date >= first_day,
        Charter.trip_date <= last_day)
    return session.scalar(stmt) or 0


def booked(session: Session, *, agent_id: int | None, since: datetime, until: datetime) -> Booked:
    """Charters booked from since (included) to until (excluded) and not cancelled: count, the sum of
    their quoted prices, and of their quoted price less the estimated vendor cost (none counts as 0)."""
    stmt = select(func.count(), func.coalesce(func.sum(Charter.quoted_price), 0),
                  func.coalesce(func.sum(_profit()), 0)).where(
        *_of_agent(agent_id), Charter.booked_at >= since, Charter.booked_at < until,
        Charter.status != "cancelled")
    count, revenue, profit = session.execute(stmt).one()
    return Booked(count=count or 0, revenue=_money(revenue), profit=_money(profit))


def _day_of(instant, edges: Sequence[datetime]):
    """SQL: the index of the day an instant falls in, given the UTC instants each day starts at and the
    last day ends at (dialect-free, and right across daylight-saving changes)."""
    return case(*((instant < edges[i + 1], i) for i in range(len(edges) - 1)), else_=None)


def booked_by_day(session: Session, *, agent_id: int | None, edges: Sequence[datetime]) -> dict[int, Booked]:
    """Charters booked on each day (edges: the UTC starts of consecutive local days, then the end of the
    last), not cancelled, by day index: only days with bookings appear."""
    if len(edges) < 2:
        return {}
    # Grouped in an outer query: PostgreSQL would not match the CASE of the SELECT with that of the GROUP
    # BY, their bound edges being separate parameters.
    rows = (select(_day_of(Charter.booked_at, edges).label("day"), Charter.quoted_price,
                   _profit().label("profit"))
            .where(*_of_agent(agent_id), Charter.booked_at >= edges[0], Charter.booked_at < edges[-1],
                   Charter.status != "cancelled")
            .subquery())
    stmt = (select(rows.c.day, func.count(), func.coalesce(func.sum(rows.c.quoted_price), 0),
                   func.coalesce(func.sum(rows.c.profit), 0))
            .group_by(rows.c.day))
    return {index: Booked(count=count, revenue=_money(revenue), profit=_money(profit))
            for index, count, revenue, profit in session.execute(stmt) if index is not None}


def quotes_created(session: Session, *, agent_id: int | None, since: datetime, until: datetime) -> int:
    """New quotes opened in the period: a revision is not a new quote, and a quote later revised still
    counts once (by its first revision)."""
    stmt = select(func.count()).select_from(Charter).where(
        *_of_agent(agent_id, current=False), Charter.parent_quote_id.is_(None), Charter.created_at >= since,
        Charter.created_at < until)
    return session.scalar(stmt) or 0


def non_card_money_due(session: Session, *, agent_id: int | None, today: date) -> Decimal:
    """What is still owed (quoted price less the payments applied, never below zero) on booked or confirmed
    charters that have not left yet (trip date today or later) whose client does not pay by card: no Stripe
    customer and auto-pay off."""
    pays_by_card = or_(and_(_clients.c.stripe_customer_id.is_not(None), _clients.c.stripe_customer_id != ""),
                       _clients.c.auto_pay_enabled.is_(True))
    paid = (select(func.coalesce(func.sum(_applications.c.amount_applied), 0))
            .join(_payments, _payments.c.id == _applications.c.payment_id)
            .where(_applications.c.charter_id == Charter.id, _payments.c.status == "succeeded")
            .correlate(Charter).scalar_subquery())
    owed = func.coalesce(Charter.quoted_price, 0) - paid
    stmt = (select(func.coalesce(func.sum(case((owed > 0, owed), else_=0)), 0))
            .select_from(Charter).join(_clients, _clients.c.id == Charter.client_id)
            .where(*_of_agent(agent_id), Charter.status.in_(DUE_STATUSES), Charter.trip_date >= today,
                   ~pays_by_card))
    return _money(session.scalar(stmt))


def upcoming_departures(session: Session, *, agent_id: int | None, first_day: date, last_day: date,
                        limit: int = 500) -> list[Departure]:
    """Booked, confirmed or running charters leaving from first_day to last_day, soonest first, with their
    client's name (one query)."""
    stmt = (select(Charter.id, Charter.client_id, _clients.c.name, Charter.trip_date, Charter.pickup_time,
                   Charter.passenger_count, Charter.status, Charter.quoted_price,
                   Charter.assigned_sales_agent_id)
            .join(_clients, _clients.c.id == Charter.client_id)
            .where(*_of_agent(agent_id), Charter.status.in_(DEPARTING_STATUSES),
                   Charter.trip_date >= first_day, Charter.trip_date <= last_day)
            .order_by(Charter.trip_date, Charter.pickup_time.is_(None), Charter.pickup_time, Charter.id)
            .limit(limit))
    return [Departure(charter_id=row[0], client_id=row[1], client_name=row[2], trip_date=row[3],
                      pickup_time=row[4], passenger_count=row[5], status=row[6],
                      quoted_price=to_money(row[7]) if row[7] is not None else None,
                      assigned_sales_agent_id=row[8])
            for row in session.execute(stmt)]
