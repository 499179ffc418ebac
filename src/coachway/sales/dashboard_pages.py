"""Sales dashboard pages: /admin/dashboard/sales (figures, charts and what to work next), and the pipeline
and month-to-date reports under /admin/reports/sales/.

The figures come from sales.service.dashboard, the same functions as the API's. Charts are inline SVG
drawn here from those figures (no script): bars and columns are shapes only, every number they show is
also written as text beside them or in a table, and each shape carries a <title> for screen readers and
hover.
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from coachway.core.errors import Invalid
from coachway.core.fields import MAX_ID
from coachway.core.permissions import Actor
from coachway.sales.service import STATUS_WORDS, zone
from coachway.sales.service import dashboard as service
from coachway.web import nav
from coachway.web.deps import PageActor, PageSession
from coachway.web.templating import render

router = APIRouter(include_in_schema=False)
nav.register("Sales dashboard", "/admin/dashboard/sales", permission="sales_dashboard:read", order=14,
             description="Your open quotes, new leads, follow-ups, departures and this month's bookings.")

AgentText = Annotated[str, Query(max_length=12)]
MonthText = Annotated[str, Query(max_length=12)]
# Chart geometry, in SVG user units (the SVG stretches to the width it is given).
COLUMN_STEP, COLUMN_WIDTH, CHART_HEIGHT = 10, 7, 100
STATUS_CLASSES = {status: f"stage-{status}" for status in STATUS_WORDS}


# ---------------------------------------------------------------- formatting and charts (pure)


def money(value: Any) -> str:
    """1234.5 -> "$1,234.50" (negative as -$12.00); None -> "—"."""
    if value is None or value == "":
        return "—"
    amount = Decimal(str(value))
    return f"{'-' if amount < 0 else ''}${abs(amount):,.2f}"


def short_money(value: Any) -> str:
    """An amount for a chart's scale: $950, $12.5k, $1.2M."""
    amount = Decimal(str(value or 0))
    if abs(amount) >= 1_000_000:
        return f"${amount / 1_000_000:.1f}M".replace(".0M", "M")
    if abs(amount) >= 1_000:
        return f"${amount / 1_000:.1f}k".replace(".0k", "k")
    return f"${amount:,.0f}"


def day_label(day: date) -> str:
    """2025-06-03 -> "Jun 3"."""
    return f"{day.strftime('%b')} {day.day}"


def local_time(value: datetime | None) -> str:
    """An aware instant as the company's local date and time: "Jun 3, 14:05"."""
    if value is None:
        return ""
    local = value.astimezone(zone())
    return f"{day_label(local.date())}, {local:%H:%M}"


@dataclass(frozen=True)
class Bar:
    """One pipeline stage drawn as a bar: its share of the longest bar (0-100) and what it says."""

    status: str
    label: str
    count: int
    value: Decimal | None
    percent: float
    css: str


def pipeline_bars(counts: dict[str, int], values: dict[str, Decimal] | None = None) -> list[Bar]:
    """One bar per stage, in pipeline order, as long as its count relative to the biggest stage."""
    top = max(counts.values(), default=0)
    return [Bar(status=s, label=STATUS_WORDS[s], count=counts.get(s, 0),
                value=(values or {}).get(s), percent=round(100 * counts.get(s, 0) / top, 1) if top else 0.0,
                css=STATUS_CLASSES[s])
            for s in STATUS_WORDS]


@dataclass(frozen=True)
class Column:
    """One day of the month chart: where its column stands and what its <title> says."""

    day: date
    x: float
    y: float
    width: float
    height: float
    title: str
    empty: bool


def day_columns(days: list[dict[str, Any]]) -> dict[str, Any]:
    """Columns of booked revenue per day, scaled to the best day (an empty day keeps a sliver, so every
    day can be pointed at), with the chart's width and top of scale."""
    top = max((Decimal(str(d["booked_revenue"])) for d in days), default=Decimal(0))
    columns = []
    for index, d in enumerate(days):
        revenue = Decimal(str(d["booked_revenue"]))
        height = float(CHART_HEIGHT * revenue / top) if top > 0 else 0.0
        height = max(height, 1.0)
        bookings = d["bookings"]
        title = (f"{day_label(d['date'])}: {bookings} booking{'' if bookings == 1 else 's'}, {money(revenue)}"
                 f"; {d['leads_received']} lead{'' if d['leads_received'] == 1 else 's'} received")
        columns.append(Column(day=d["date"], x=index * COLUMN_STEP + (COLUMN_STEP - COLUMN_WIDTH) / 2,
                              y=CHART_HEIGHT - height, width=COLUMN_WIDTH, height=height, title=title,
                              empty=revenue <= 0))
    return {"columns": columns, "width": max(len(days), 1) * COLUMN_STEP, "height": CHART_HEIGHT,
            "top": top, "top_label": short_money(top)}


# ---------------------------------------------------------------- parameters


def _agent(text: str) -> int | None:
    text = (text or "").strip()
    if not text:
        return None
    if text.isdigit() and 1 <= int(text) <= MAX_ID:
        return int(text)
    raise Invalid.field("agent_id", "Choose someone from the list.")


def _month(text: str) -> date | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text if len(text) > 7 else f"{text}-01").replace(day=1)
    except ValueError:
        raise Invalid.field("month", "Give a month like 2025-06.") from None


def _picker(session, actor: Actor, agent_id: int | None) -> dict[str, Any]:
    """The agent <select> of a manager (empty for an agent) and whose figures the page shows."""
    people = service.team(session, actor)
    names = dict(people)
    if not people:
        who = "Your figures"
    elif agent_id is None:
        who = "Everyone"
    else:
        who = names.get(agent_id, f"User {agent_id}")
    return {"people": people, "agent_id": agent_id, "who": who}


def _shared(request: Request, actor: Actor, context: dict[str, Any], template: str):
    base = {"money": money, "day_label": day_label, "local_time": local_time, "status_words": STATUS_WORDS}
    return render(request, template, {**base, **context})


# ---------------------------------------------------------------- pages


def _tiles(m: dict[str, Any], chosen: int | None) -> list[dict[str, str]]:
    query = f"?agent_id={chosen}" if chosen else ""
    quotes = "/admin/charters?status=quote" + (f"&agent_id={chosen}" if chosen else "")
    return [
        {"key": "open_quotes", "label": "Open quotes", "value": str(m["open_quotes"]),
         "hint": "Trips in the next 120 days", "href": quotes},
        {"key": "leads_today", "label": "Leads today", "value": str(m["leads_received_today"]),
         "hint": "Received since midnight", "href": "#recent"},
        {"key": "leads_month", "label": "Leads this month", "value": str(m["leads_received_this_month"]),
         "hint": "Received since the 1st", "href": f"/admin/reports/sales/mtd{query}"},
        {"key": "follow_ups_today", "label": "Follow-ups due today", "value": str(m["follow_ups_due_today"]),
         "hint": "Open leads", "href": "#follow-ups"},
        {"key": "follow_ups_overdue", "label": "Follow-ups overdue", "value": str(m["follow_ups_overdue"]),
         "hint": "Before today", "href": "#follow-ups",
         "kind": "alert" if m["follow_ups_overdue"] else ""},
        {"key": "departures", "label": "Departures in 7 days", "value": str(m["upcoming_departures_7days"]),
         "hint": "Booked, confirmed, on the road", "href": "#departures"},
        {"key": "hot_leads", "label": "Hot leads", "value": str(m["hot_leads_count"]),
         "hint": "Open, scoring 60 or more", "href": "#hot"},
        {"key": "non_cc", "label": "Non-card money due", "value": money(m["non_cc_money_due"]),
         "hint": "Booked trips of clients not paying by card", "href": ""},
        {"key": "mtd_revenue", "label": "Booked this month", "value": money(m["mtd_booked_revenue"]),
         "hint": "Quoted prices, not cancelled", "href": f"/admin/reports/sales/mtd{query}"},
        {"key": "mtd_profit", "label": "Profit this month", "value": money(m["mtd_profit"]),
         "hint": "Less estimated vendor cost", "href": f"/admin/reports/sales/mtd{query}"},
    ]


@router.get("/admin/dashboard/sales")
def sales_dashboard_page(request: Request, actor: PageActor, session: PageSession, agent_id: AgentText = ""):
    """A sales agent's dashboard (a manager picks an agent, or sees everyone's)."""
    chosen = _agent(agent_id)
    data = service.dashboard(session, actor, agent_id=chosen)
    scope_id = data["agent_id"]
    picker = _picker(session, actor, chosen)
    query = f"?agent_id={chosen}" if chosen else ""
    mtd = service.report_mtd(session, actor, agent_id=chosen)
    context = {
        "title": "Sales dashboard",
        **picker,
        "scope": data["scope"],
        "scope_id": scope_id,
        "query": query,
        "tiles": _tiles(data["metrics"], chosen),
        "bars": pipeline_bars(data["pipeline"]),
        "pipeline_total": sum(data["pipeline"].values()),
        "mtd": mtd,
        "chart": day_columns(mtd["days"]),
        "work": service.worklist(session, actor, agent_id=chosen),
        "upcoming": service.report_upcoming(session, actor, agent_id=chosen, days=service.DEPARTURE_DAYS),
        "activities": data["recent_activities"],
    }
    return _shared(request, actor, context, "sales/dashboard.html")


@router.get("/admin/reports/sales/pipeline")
def sales_pipeline_report_page(request: Request, actor: PageActor, session: PageSession,
                               agent_id: AgentText = ""):
    """Leads by pipeline stage with their estimated value (and per agent, for the whole team)."""
    chosen = _agent(agent_id)
    report = service.report_pipeline(session, actor, agent_id=chosen)
    counts = {s["status"]: s["count"] for s in report["stages"]}
    values = {s["status"]: s["estimated_value"] for s in report["stages"]}
    context = {"title": "Pipeline report", **_picker(session, actor, chosen), "report": report,
               "bars": pipeline_bars(counts, values), "query": f"?agent_id={chosen}" if chosen else ""}
    return _shared(request, actor, context, "sales/report_pipeline.html")


@router.get("/admin/reports/sales/mtd")
def sales_mtd_report_page(request: Request, actor: PageActor, session: PageSession, agent_id: AgentText = "",
                          month: MonthText = ""):
    """A month's performance to date: totals, a chart of each day's bookings and the days in a table."""
    chosen = _agent(agent_id)
    report = service.report_mtd(session, actor, agent_id=chosen, month=_month(month))
    context = {"title": "Month-to-date report", **_picker(session, actor, chosen), "report": report,
               "chart": day_columns(report["days"]), "month_value": report["month"].strftime("%Y-%m"),
               "max_month": service.today().strftime("%Y-%m"),
               "query": f"?agent_id={chosen}" if chosen else ""}
    return _shared(request, actor, context, "sales/report_mtd.html")
