"""Response models of the sales dashboard and its reports (money as decimal strings, like every amount
of the API)."""

import datetime as dt
from datetime import date, datetime, time
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel

from coachway.charters.schemas import CharterStatus

Scope = Literal["agent", "all"]


class Scoped(BaseModel):
    """Whose figures these are: one agent's (agent_id), or everyone's (scope "all", agent_id null)."""

    agent_id: int | None
    scope: Scope


class MetricsRead(BaseModel):
    open_quotes: int
    leads_received_today: int
    leads_received_this_month: int
    follow_ups_due_today: int
    follow_ups_overdue: int
    upcoming_departures_7days: int
    non_cc_money_due: Decimal
    mtd_booked_revenue: Decimal
    mtd_profit: Decimal
    hot_leads_count: int


class PipelineCounts(BaseModel):
    new: int
    contacted: int
    qualified: int
    quoted: int
    converted: int
    lost: int


class RecentActivity(BaseModel):
    type: str
    lead_id: int
    timestamp: datetime
    description: str | None
    lead_name: str


class MetricsOnlyRead(Scoped):
    metrics: MetricsRead


class DashboardRead(Scoped):
    metrics: MetricsRead
    pipeline: PipelineCounts
    recent_activities: list[RecentActivity]


class PipelineStage(BaseModel):
    status: str
    label: str
    count: int
    estimated_value: Decimal


class AgentPipeline(BaseModel):
    """One agent's leads by stage (agent_id null: leads nobody has yet)."""

    agent_id: int | None
    agent_name: str
    counts: PipelineCounts
    total: int


class PipelineReportRead(Scoped):
    stages: list[PipelineStage]
    total_count: int
    total_estimated_value: Decimal
    open_count: int
    open_estimated_value: Decimal
    by_agent: list[AgentPipeline] | None


class MtdDay(BaseModel):
    date: dt.date
    leads_received: int
    leads_converted: int
    bookings: int
    booked_revenue: Decimal
    profit: Decimal


class MtdReportRead(Scoped):
    month: date
    first_day: date
    last_day: date
    leads_received: int
    leads_converted: int
    conversion_rate: Decimal | None
    quotes_created: int
    bookings: int
    booked_revenue: Decimal
    profit: Decimal
    margin_pct: Decimal | None
    days: list[MtdDay]


class DepartureRead(BaseModel):
    charter_id: int
    client_id: int
    client_name: str
    trip_date: date
    pickup_time: time | None
    passenger_count: int
    status: CharterStatus
    quoted_price: Decimal | None
    assigned_sales_agent_id: int | None


class UpcomingReportRead(Scoped):
    days: int
    first_day: date
    last_day: date
    departures: list[DepartureRead]
