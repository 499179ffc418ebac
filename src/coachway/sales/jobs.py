"""Jobs of the sales domain: the morning follow-up reminder to each agent, and the nightly re-score."""

from collections import defaultdict

from sqlalchemy import select

from coachway.auth import service as auth_service
from coachway.config import get_settings
from coachway.core.db import transaction
from coachway.core.jobs import job
from coachway.core.permissions import SYSTEM
from coachway.notifications import service as notifications_service
from coachway.sales.models import OPEN_LEAD_STATUSES, Lead
from coachway.sales.service import scoring
from coachway.sales.service._common import day_bounds, today, zone

BATCH = 500
REMINDER = "follow_up_reminder"


def _when(lead: Lead, start) -> str:
    local = lead.next_follow_up.astimezone(zone())
    return local.strftime("%H:%M") if lead.next_follow_up >= start else f"{local:%b} {local.day}"


@job("sales.remind_follow_ups", cron="0 12 * * *")  # 7 a.m. in New York (cron runs in UTC)
def remind_follow_ups() -> int:
    """Email each agent the open leads whose follow-up is due today or overdue (one email per agent per
    day, however often the job runs); returns how many agents were reminded."""
    start, end = day_bounds(today())
    base = get_settings().base_url.rstrip("/")
    sent = 0
    with transaction() as session:
        due = session.scalars(
            select(Lead)
            .where(
                Lead.status.in_(OPEN_LEAD_STATUSES),
                Lead.assigned_to.is_not(None),
                Lead.next_follow_up.is_not(None),
                Lead.next_follow_up < end,
            )
            .order_by(Lead.next_follow_up, Lead.id)
        ).all()
        by_agent: dict[int, list[Lead]] = defaultdict(list)
        for lead in due:
            by_agent[lead.assigned_to].append(lead)
        agents = auth_service.users_by_ids(session, list(by_agent))
        already = notifications_service.users_sent_since(session, template_key=REMINDER, since=start)
        for agent_id, leads in by_agent.items():
            agent = agents.get(agent_id)
            if agent is None or not agent.is_active or agent_id in already:
                continue

            def item(lead: Lead) -> dict:
                return {
                    "name": f"{lead.first_name} {lead.last_name}",
                    "when": _when(lead, start),
                    "url": f"{base}/admin/leads/{lead.id}",
                }

            overdue = [item(lead) for lead in leads if lead.next_follow_up < start]
            todays = [item(lead) for lead in leads if lead.next_follow_up >= start]
            notifications_service.send(
                session,
                SYSTEM,
                template_key=REMINDER,
                user_id=agent_id,
                context={
                    "agent_name": agent.full_name or agent.email,
                    "due_count": len(leads),
                    "overdue": overdue,
                    "today": todays,
                    "list_url": f"{base}/admin/leads?follow_up=due&sort=follow_up",
                },
            )
            sent += 1
    return sent


@job("sales.rescore_leads", cron="15 3 * * *")
def rescore_leads() -> int:
    """Recompute the hot-lead score of every open lead (recency and trip date move with time); returns how
    many scores changed."""
    changed, last_id = 0, 0
    while True:
        with transaction() as session:
            batch = list(
                session.scalars(
                    select(Lead)
                    .where(Lead.status.in_(OPEN_LEAD_STATUSES), Lead.id > last_id)
                    .order_by(Lead.id)
                    .limit(BATCH)
                    .with_for_update(skip_locked=True)
                )
            )
            if not batch:
                return changed
            changed += scoring.rescore(session, batch)
            last_id = batch[-1].id
