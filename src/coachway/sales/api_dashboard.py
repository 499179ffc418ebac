"""The sales dashboard and its reports over HTTP: /api/v1/dashboard/sales-agent... and
/api/v1/reports/sales-agent/... (included by sales/api.py, under its /api/v1 prefix).

agent_id picks whose figures: a sales agent may leave it out or give their own id; a manager may give any
agent's, or leave it out for the whole team's.
"""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from coachway.core.deps import CurrentActor, SessionDep
from coachway.core.fields import MAX_ID
from coachway.sales.schemas_dashboard import (
    DashboardRead,
    MetricsOnlyRead,
    MtdReportRead,
    PipelineReportRead,
    UpcomingReportRead,
)
from coachway.sales.service import dashboard as service

router = APIRouter(tags=["sales"])
AgentFilter = Annotated[int | None, Query(ge=1, le=MAX_ID, description="Whose figures (managers: any agent; "
                                                                       "left out: your own, or the team's)")]
Days = Annotated[int, Query(ge=1, le=service.MAX_UPCOMING_DAYS)]
Month = Annotated[date | None, Query(description="A day of the month (YYYY-MM-DD); its first is used")]


@router.get("/dashboard/sales-agent", response_model=DashboardRead)
def sales_dashboard(actor: CurrentActor, session: SessionDep, agent_id: AgentFilter = None):
    """The sales dashboard: headline figures, leads by pipeline stage and the latest 20 lead activities."""
    return service.dashboard(session, actor, agent_id=agent_id)


@router.get("/dashboard/sales-agent/metrics", response_model=MetricsOnlyRead)
def sales_metrics(actor: CurrentActor, session: SessionDep, agent_id: AgentFilter = None):
    """The dashboard's headline figures alone."""
    return service.metrics(session, actor, agent_id=agent_id)


@router.get("/reports/sales-agent/pipeline", response_model=PipelineReportRead)
def pipeline_report(actor: CurrentActor, session: SessionDep, agent_id: AgentFilter = None):
    """Leads by stage with their estimated value; for the whole team also one row per agent."""
    return service.report_pipeline(session, actor, agent_id=agent_id)


@router.get("/reports/sales-agent/mtd", response_model=MtdReportRead)
def mtd_report(actor: CurrentActor, session: SessionDep, agent_id: AgentFilter = None, month: Month = None):
    """A month to date (this one by default): leads, conversion, quotes, bookings, revenue, profit and
    margin, in total and day by day."""
    return service.report_mtd(session, actor, agent_id=agent_id, month=month)


@router.get("/reports/sales-agent/upcoming", response_model=UpcomingReportRead)
def upcoming_report(actor: CurrentActor, session: SessionDep, agent_id: AgentFilter = None, days: Days = 7):
    """Booked, confirmed and running charters leaving from today to `days` (1 to 90) days from today."""
    return service.report_upcoming(session, actor, agent_id=agent_id, days=days)
