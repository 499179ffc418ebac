"""The sales dashboard and its reports: a sales agent's figures (or the whole team's, for a manager).

Whose figures: a sales agent (sales_dashboard:read) always sees their own; asking for another agent's
is refused (403). A manager (sales_dashboard:read_all) names an agent with agent_id, or sees everyone's
with none ("scope": "all": every lead, assigned or not, and every charter).

"Today" and "this month" are the company's (settings.company_timezone); trip dates are local dates.

- **open_quotes**: current charters in status quote (not a revision replaced by a newer one) whose trip
  date is from today to 120 days from today, both included.
- **leads_received_today / _this_month**: leads assigned to the agent that were created since local
  midnight / since the first of the month.
- **follow_ups_due_today**: open leads (new, contacted, qualified, quoted) whose next follow-up falls
  within today; **follow_ups_overdue**: open leads whose next follow-up was before today.
- **upcoming_departures_7days**: booked, confirmed or running charters with a trip date from today to
  7 days from today, both included.
- **non_cc_money_due**: the quoted prices of booked and confirmed charters that have not left yet (trip
  date today or later) whose client does not pay by card (no Stripe customer and auto-pay off). Nothing
  has been paid yet as far as this figure knows: once payments are recorded (a later issue) what was paid
  is subtracted.
- **mtd_booked_revenue**: the quoted prices of charters booked (booked_at) since the first of the month
  and not cancelled since; **mtd_profit**: of the same charters, quoted price less the estimated vendor
  cost (none counts as 0).
- **hot_leads_count**: open leads scoring at least scoring.HOT_THRESHOLD.
- **pipeline**: the agent's leads by status; **recent_activities**: the latest 20 entries of the
  timelines of those leads (type is the activity type: lead_assigned, status_change, call ...).

Money is Decimal to the cent. Every figure is counted or summed in SQL: the dashboard costs the same
handful of queries however many leads and charters there are.
"""

from calendar import monthrange
from collections.abc import Sequence
from dataclasses import asdict
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.orm import Session

from coachway.auth import service as auth_service
from coachway.charters.service import stats as charter_stats
from coachway.core.errors import Forbidden, Invalid, NotFound
from coachway.core.money import to_money
from coachway.core.permissions import Actor, require
from coachway.sales.models import LEAD_STATUSES, OPEN_LEAD_STATUSES, Lead, LeadActivity
from coachway.sales.service import scoring
from coachway.sales.service._common import day_bounds, month_start, today
from coachway.sales.service.assignment import LEAD_TAKER_ROLES
from coachway.sales.service.leads import STATUS_WORDS

QUOTE_HORIZON_DAYS = 120
DEPARTURE_DAYS = 7
MAX_UPCOMING_DAYS = 90
RECENT_ACTIVITIES = 20
WORKLIST_SIZE = 10
UNASSIGNED = "Unassigned"
FIRST_YEAR = 2000  # no charter is older; also keeps month bounds far from datetime's limits


# ---------------------------------------------------------------- whose figures


def sees_team(actor: Actor) -> bool:
    """True when the actor may see any agent's dashboard and the whole team's."""
    return "*" in actor.permissions or actor.can("sales_dashboard:read_all")


def _scope(session: Session, actor: Actor, agent_id: int | None) -> int | None:
    """The agent whose figures the actor gets (None: everyone's), or Forbidden / NotFound."""
    require(actor, "sales_dashboard:read")
    if sees_team(actor):
        if agent_id is not None and agent_id not in auth_service.users_by_ids(session, [agent_id]):
            raise NotFound(f"There is no user {agent_id}.")
        return agent_id
    if actor.user_id is None:
        raise Forbidden("Only a signed-in person has a sales dashboard.")
    if agent_id is not None and agent_id != actor.user_id:
        raise Forbidden("You may see only your own sales figures.")
    return actor.user_id


def _head(agent_id: int | None) -> dict[str, Any]:
    return {"agent_id": agent_id, "scope": "all" if agent_id is None else "agent"}


def _leads_of(agent_id: int | None) -> list[ColumnElement[bool]]:
    return [] if agent_id is None else [Lead.assigned_to == agent_id]


def _counted(condition: ColumnElement[bool]):
    return func.count(case((condition, 1)))


# ---------------------------------------------------------------- days and months (pure)


def month_days(month: date, day: date) -> list[date]:
    """The days a month-to-date report covers: the first of month's month to day when day is in that
    month, else the whole month."""
    first = month.replace(day=1)
    last = first.replace(day=monthrange(first.year, first.month)[1])
    if first <= day <= last:
        last = day
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def day_edges(days: Sequence[date], tz=None) -> list[datetime]:
    """The UTC instants each of these consecutive local days starts at, then the end of the last."""
    if not days:
        return []
    return [day_bounds(d, tz)[0] for d in days] + [day_bounds(days[-1], tz)[1]]


def percent(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    """part as a percentage of whole, to one decimal (None when whole is 0)."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _day_of(instant, edges: Sequence[datetime]):
    """SQL: the index of the local day an instant falls in (see day_edges)."""
    return case(*((instant < edges[i + 1], i) for i in range(len(edges) - 1)), else_=None)


# ---------------------------------------------------------------- the dashboard


def _lead_figures(session: Session, agent_id: int | None, day: date) -> dict[str, int]:
    start, end = day_bounds(day)
    month_begins = day_bounds(month_start(day))[0]
    is_open = Lead.status.in_(OPEN_LEAD_STATUSES)
    row = session.execute(
        select(
            _counted(and_(Lead.created_at >= start, Lead.created_at < end)),
            _counted(and_(Lead.created_at >= month_begins, Lead.created_at < end)),
            _counted(and_(is_open, Lead.next_follow_up >= start, Lead.next_follow_up < end)),
            _counted(and_(is_open, Lead.next_follow_up < start)),
            _counted(and_(is_open, Lead.lead_score >= scoring.HOT_THRESHOLD)),
        ).where(*_leads_of(agent_id))
    ).one()
    keys = ("leads_received_today", "leads_received_this_month", "follow_ups_due_today",
            "follow_ups_overdue", "hot_leads_count")
    return dict(zip(keys, (n or 0 for n in row), strict=True))


def _metrics(session: Session, agent_id: int | None) -> dict[str, Any]:
    day = today()
    leads = _lead_figures(session, agent_id, day)
    month_begins, day_ends = day_bounds(month_start(day))[0], day_bounds(day)[1]
    booked = charter_stats.booked(session, agent_id=agent_id, since=month_begins, until=day_ends)
    return {
        "open_quotes": charter_stats.open_quotes(
            session, agent_id=agent_id, first_day=day, last_day=day + timedelta(days=QUOTE_HORIZON_DAYS)),
        "leads_received_today": leads["leads_received_today"],
        "leads_received_this_month": leads["leads_received_this_month"],
        "follow_ups_due_today": leads["follow_ups_due_today"],
        "follow_ups_overdue": leads["follow_ups_overdue"],
        "upcoming_departures_7days": charter_stats.departures_count(
            session, agent_id=agent_id, first_day=day, last_day=day + timedelta(days=DEPARTURE_DAYS)),
        "non_cc_money_due": charter_stats.non_card_money_due(session, agent_id=agent_id, today=day),
        "mtd_booked_revenue": booked.revenue,
        "mtd_profit": booked.profit,
        "hot_leads_count": leads["hot_leads_count"],
    }


def _pipeline_totals(session: Session, agent_id: int | None) -> dict[str, tuple[int, Decimal]]:
    rows = session.execute(
        select(Lead.status, func.count(), func.coalesce(func.sum(Lead.estimated_value), 0))
        .where(*_leads_of(agent_id)).group_by(Lead.status))
    found = {status: (count, to_money(Decimal(str(value)))) for status, count, value in rows}
    return {status: found.get(status, (0, to_money(0))) for status in LEAD_STATUSES}


def _recent_activities(session: Session, agent_id: int | None) -> list[dict[str, Any]]:
    rows = session.execute(
        select(LeadActivity.activity_type, LeadActivity.lead_id, LeadActivity.created_at,
               LeadActivity.description, Lead.first_name, Lead.last_name)
        .join(Lead, Lead.id == LeadActivity.lead_id)
        .where(*_leads_of(agent_id))
        .order_by(LeadActivity.created_at.desc(), LeadActivity.id.desc())
        .limit(RECENT_ACTIVITIES))
    return [{"type": kind, "lead_id": lead_id, "timestamp": at, "description": description,
             "lead_name": f"{first} {last}".strip()}
            for kind, lead_id, at, description, first, last in rows]


def metrics(session: Session, actor: Actor, *, agent_id: int | None = None) -> dict[str, Any]:
    """The ten headline figures of the dashboard (see the module's docstring for each)."""
    agent_id = _scope(session, actor, agent_id)
    return {**_head(agent_id), "metrics": _metrics(session, agent_id)}


def dashboard(session: Session, actor: Actor, *, agent_id: int | None = None) -> dict[str, Any]:
    """The whole sales dashboard: headline figures, leads by pipeline stage and the latest activities."""
    agent_id = _scope(session, actor, agent_id)
    totals = _pipeline_totals(session, agent_id)
    return {
        **_head(agent_id),
        "metrics": _metrics(session, agent_id),
        "pipeline": {status: count for status, (count, _value) in totals.items()},
        "recent_activities": _recent_activities(session, agent_id),
    }


def worklist(session: Session, actor: Actor, *, agent_id: int | None = None,
             limit: int = WORKLIST_SIZE) -> dict[str, list[Lead]]:
    """What to work next: overdue follow-ups and today's (earliest first), and the hottest open leads."""
    agent_id = _scope(session, actor, agent_id)
    start, end = day_bounds(today())
    is_open = Lead.status.in_(OPEN_LEAD_STATUSES)
    base = select(Lead).where(*_leads_of(agent_id), is_open)
    by_time = (Lead.next_follow_up.asc(), Lead.id.asc())
    return {
        "overdue": list(session.scalars(base.where(Lead.next_follow_up < start).order_by(*by_time)
                                        .limit(limit))),
        "today": list(session.scalars(base.where(Lead.next_follow_up >= start, Lead.next_follow_up < end)
                                      .order_by(*by_time).limit(limit))),
        "hot": list(session.scalars(base.where(Lead.lead_score >= scoring.HOT_THRESHOLD)
                                    .order_by(Lead.lead_score.desc(), Lead.id.desc()).limit(limit))),
    }


def team(session: Session, actor: Actor) -> list[tuple[int, str]]:
    """The people a manager may pick on the dashboard (those who take leads), by name; [] for others."""
    require(actor, "sales_dashboard:read")
    if not sees_team(actor):
        return []
    people = [u for role in LEAD_TAKER_ROLES for u in auth_service.users_by_role(session, role)]
    return sorted(((u.id, u.full_name or u.email) for u in people), key=lambda p: (p[1].lower(), p[0]))


# ---------------------------------------------------------------- reports


def report_pipeline(session: Session, actor: Actor, *, agent_id: int | None = None) -> dict[str, Any]:
    """Leads by pipeline stage with their estimated value; for the whole team also one row per agent."""
    agent_id = _scope(session, actor, agent_id)
    totals = _pipeline_totals(session, agent_id)
    stages = [{"status": s, "label": STATUS_WORDS[s], "count": count, "estimated_value": value}
              for s, (count, value) in totals.items()]
    by_agent = None
    if agent_id is None:
        grid: dict[int | None, dict[str, int]] = {}
        for who, status, count in session.execute(
                select(Lead.assigned_to, Lead.status, func.count()).group_by(Lead.assigned_to, Lead.status)):
            grid.setdefault(who, dict.fromkeys(LEAD_STATUSES, 0))[status] = count
        users = auth_service.users_by_ids(session, [who for who in grid if who is not None])
        names = {uid: u.full_name or u.email for uid, u in users.items()}
        by_agent = sorted(
            ({"agent_id": who, "agent_name": names.get(who, f"User {who}") if who else UNASSIGNED,
              "counts": counts, "total": sum(counts.values())} for who, counts in grid.items()),
            key=lambda row: (row["agent_id"] is None, row["agent_name"].lower()))
    return {
        **_head(agent_id),
        "stages": stages,
        "total_count": sum(s["count"] for s in stages),
        "total_estimated_value": to_money(sum((s["estimated_value"] for s in stages), Decimal(0))),
        "open_count": sum(s["count"] for s in stages if s["status"] in OPEN_LEAD_STATUSES),
        "open_estimated_value": to_money(sum((s["estimated_value"] for s in stages
                                              if s["status"] in OPEN_LEAD_STATUSES), Decimal(0))),
        "by_agent": by_agent,
    }


def _leads_by_day(session: Session, agent_id: int | None, edges: Sequence[datetime]) -> dict[int, tuple]:
    # Grouped outside: PostgreSQL would not see the CASE of the SELECT and of the GROUP BY as the same.
    rows = (select(_day_of(Lead.created_at, edges).label("day"), Lead.status)
            .where(*_leads_of(agent_id), Lead.created_at >= edges[0], Lead.created_at < edges[-1])
            .subquery())
    stmt = (select(rows.c.day, func.count(), func.count(case((rows.c.status == "converted", 1))))
            .group_by(rows.c.day))
    return {day: (received, converted) for day, received, converted in session.execute(stmt)
            if day is not None}


def report_mtd(session: Session, actor: Actor, *, agent_id: int | None = None,
               month: date | None = None) -> dict[str, Any]:
    """A month's performance to date (this month by default): leads received and how many of them were
    converted, quotes opened, bookings, booked revenue, profit and margin, and the same day by day.

    Leads count in the month they were received; leads_converted is how many of those are converted by
    now (so the conversion rate is the share of the month's leads won). Bookings count on the day they
    were booked, unless cancelled since.
    """
    agent_id = _scope(session, actor, agent_id)
    day = today()
    first = (month or day).replace(day=1)
    if first > month_start(day):
        raise Invalid.field("month", "Choose this month or an earlier one.")
    if first.year < FIRST_YEAR:
        raise Invalid.field("month", f"Choose a month from {FIRST_YEAR} on.")
    days = month_days(first, day)
    edges = day_edges(days)
    leads = _leads_by_day(session, agent_id, edges)
    booked = charter_stats.booked_by_day(session, agent_id=agent_id, edges=edges)
    nothing = charter_stats.Booked(count=0, revenue=to_money(0), profit=to_money(0))
    series = []
    for index, d in enumerate(days):
        received, converted = leads.get(index, (0, 0))
        b = booked.get(index, nothing)
        series.append({"date": d, "leads_received": received, "leads_converted": converted,
                       "bookings": b.count, "booked_revenue": b.revenue, "profit": b.profit})
    received = sum(s["leads_received"] for s in series)
    converted = sum(s["leads_converted"] for s in series)
    revenue = to_money(sum((s["booked_revenue"] for s in series), Decimal(0)))
    profit = to_money(sum((s["profit"] for s in series), Decimal(0)))
    return {
        **_head(agent_id),
        "month": first,
        "first_day": days[0],
        "last_day": days[-1],
        "leads_received": received,
        "leads_converted": converted,
        "conversion_rate": percent(converted, received),
        "quotes_created": charter_stats.quotes_created(session, agent_id=agent_id, since=edges[0],
                                                       until=edges[-1]),
        "bookings": sum(s["bookings"] for s in series),
        "booked_revenue": revenue,
        "profit": profit,
        "margin_pct": percent(profit, revenue),
        "days": series,
    }


def report_upcoming(session: Session, actor: Actor, *, agent_id: int | None = None,
                    days: int = DEPARTURE_DAYS) -> dict[str, Any]:
    """Booked, confirmed or running charters leaving from today to `days` days from today, soonest first."""
    if not 1 <= days <= MAX_UPCOMING_DAYS:
        raise Invalid.field("days", f"Choose from 1 to {MAX_UPCOMING_DAYS} days.")
    agent_id = _scope(session, actor, agent_id)
    first = today()
    last = first + timedelta(days=days)
    rows = charter_stats.upcoming_departures(session, agent_id=agent_id, first_day=first, last_day=last)
    return {**_head(agent_id), "days": days, "first_day": first, "last_day": last,
            "departures": [asdict(row) for row in rows]}
