"""Who works a lead: the client's own agent, the next agent of the round robin, or a manager's choice; and
the round-robin queue itself.

Every automatic assignment first locks the whole queue (`SELECT ... FOR UPDATE`, rows in id order so two
transactions never lock them crosswise). Assignments therefore happen one after another, each seeing the
last one's result: no turn is taken twice and no cap is overshot, however many leads arrive at once.
Daily caps count the leads assigned to the agent since midnight where the lead's hub is (the company's
timezone when the lead names no hub), straight from the leads table under that same lock.
"""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from coachway.auth import service as auth_service
from coachway.clients import service as clients_service
from coachway.config import get_settings
from coachway.core import audit, clock
from coachway.core.errors import Invalid
from coachway.core.permissions import SYSTEM, Actor, require
from coachway.fleet import service as fleet_service
from coachway.notifications import service as notifications_service
from coachway.sales.models import Lead, LeadAssignmentQueue
from coachway.sales.service._common import (
    add_activity,
    day_bounds,
    find,
    record_change,
    today,
    trip_words,
    zone,
)

# Who may take leads (be in the queue or be assigned one by hand).
LEAD_TAKER_ROLES = ("sales_agent", "sales_support", "manager")
MAX_QUEUE = 200
METHOD_WORDS = {"round_robin": "round robin", "existing_client": "existing client", "manual": "by hand"}


@dataclass(frozen=True)
class QueueEntry:
    """One queue row as shown: the agent, their place and cap, and today's count."""

    id: int
    user_id: int
    full_name: str
    email: str
    user_active: bool
    position: int
    is_active: bool
    max_daily_leads: int | None
    leads_assigned_today: int
    last_assigned_at: datetime | None
    at_cap: bool
    next_up: bool


def _lead_zone(session: Session, lead: Lead):
    if lead.hub_id is not None:
        return zone(fleet_service.get_hub(session, SYSTEM, lead.hub_id).timezone)
    return zone()


def _counts_on(session: Session, user_ids: list[int], day: date, tz) -> dict[int, int]:
    """Leads assigned to each of these users during the local day."""
    if not user_ids:
        return {}
    start, end = day_bounds(day, tz)
    rows = session.execute(
        select(Lead.assigned_to, func.count())
        .where(Lead.assigned_to.in_(user_ids), Lead.assigned_at >= start, Lead.assigned_at < end)
        .group_by(Lead.assigned_to)
    )
    return {key: value for key, value in rows}


def _lock_queue(session: Session) -> list[LeadAssignmentQueue]:
    return list(
        session.scalars(select(LeadAssignmentQueue).order_by(LeadAssignmentQueue.id).with_for_update())
    )


def _next_in_turn(rows: list[LeadAssignmentQueue], eligible: set[int]) -> LeadAssignmentQueue | None:
    """The eligible row after the one that took the last round-robin lead, in position order (wrapping)."""
    ordered = sorted((r for r in rows if r.id in eligible), key=lambda r: (r.position, r.id))
    if not ordered:
        return None
    turned = [r for r in rows if r.last_assigned_at is not None]
    if not turned:
        return ordered[0]
    last = max(turned, key=lambda r: (r.last_assigned_at, r.id))
    after = [r for r in ordered if (r.position, r.id) > (last.position, last.id)]
    return after[0] if after else ordered[0]


def _eligible(session: Session, rows: list[LeadAssignmentQueue], day: date, tz) -> set[int]:
    users = auth_service.users_by_ids(session, [r.user_id for r in rows])
    counts = _counts_on(session, [r.user_id for r in rows], day, tz)
    result = set()
    for row in rows:
        user = users.get(row.user_id)
        if not row.is_active or user is None or not user.is_active or user.role not in LEAD_TAKER_ROLES:
            continue
        if row.max_daily_leads is not None and counts.get(row.user_id, 0) >= row.max_daily_leads:
            continue
        result.add(row.id)
    return result


def _give(
    session: Session,
    actor: Actor,
    lead: Lead,
    user_id: int,
    method: str,
    *,
    rows: list[LeadAssignmentQueue],
    day: date,
    tz,
    note: str | None = None,
) -> None:
    now = clock.now()
    lead.assigned_to, lead.assigned_at, lead.assignment_method = user_id, now, method
    for row in rows:
        if row.user_id == user_id:
            with session.no_autoflush:  # counted before this lead's new agent reaches the database
                count = _counts_on(session, [user_id], day, tz).get(user_id, 0)
            row.leads_assigned_today, row.leads_assigned_on = count + 1, day
            if method == "round_robin":
                row.last_assigned_at = now
    agent = auth_service.users_by_ids(session, [user_id]).get(user_id)
    name = agent.full_name or agent.email if agent else f"user {user_id}"
    add_activity(
        session,
        actor,
        lead,
        "lead_assigned",
        f"Assigned to {name} ({METHOD_WORDS[method]})" + (f": {note}" if note else "."),
    )
    if agent is not None and agent.id != actor.user_id:
        _tell_agent(session, actor, lead, agent, method)


def _tell_agent(session: Session, actor: Actor, lead: Lead, agent, method: str) -> None:
    """Email the agent their new lead (unless an admin turned the lead_assigned template off)."""
    if not notifications_service.is_enabled(session, "lead_assigned"):
        return
    base = get_settings().base_url.rstrip("/")
    estimate = f"{lead.estimated_value:,.2f}" if lead.estimated_value is not None else None
    notifications_service.send(
        session,
        actor,
        template_key="lead_assigned",
        user_id=agent.id,
        lead_id=lead.id,
        context={
            "agent_name": agent.full_name or agent.email,
            "how": METHOD_WORDS[method],
            "lead_name": f"{lead.first_name} {lead.last_name}",
            "company": lead.company,
            "email": lead.email,
            "phone": lead.phone,
            "trip": trip_words(lead),
            "estimate": estimate,
            "lead_url": f"{base}/admin/leads/{lead.id}",
        },
    )


def assign_new_lead(session: Session, actor: Actor, lead: Lead) -> None:
    """Route a new lead: to its client's agent when its email or phone is a client's (existing_client),
    else to the next agent of the round robin who is active and under today's cap (round_robin); with
    nobody to take it, it waits unassigned for a manager."""
    rows = _lock_queue(session)
    tz = _lead_zone(session, lead)
    day = today(tz)
    client = clients_service.match_client(session, email=lead.email, phone=lead.phone)
    if client is not None:
        lead.client_id = client.id
        agent_id = client.assigned_sales_agent_id
        agent = auth_service.users_by_ids(session, [agent_id]).get(agent_id) if agent_id else None
        if agent is not None and agent.is_active and agent.role in LEAD_TAKER_ROLES:
            _give(
                session,
                actor,
                lead,
                agent.id,
                "existing_client",
                rows=rows,
                day=day,
                tz=tz,
                note=f"client {client.name}",
            )
            return
    chosen = _next_in_turn(rows, _eligible(session, rows, day, tz))
    if chosen is not None:
        _give(session, actor, lead, chosen.user_id, "round_robin", rows=rows, day=day, tz=tz)


def _check_taker(session: Session, user_id: int, field: str) -> None:
    user = auth_service.users_by_ids(session, [user_id]).get(user_id)
    if user is None or not user.is_active or user.role not in LEAD_TAKER_ROLES:
        raise Invalid.field(field, f"User {user_id} is not an active sales agent, sales support or manager.")


def assign_leads(
    session: Session, actor: Actor, lead_ids: list[int], *, assigned_to: int, note: str | None = None
) -> list[Lead]:
    """A manager hands leads to someone by hand (manual); converted and lost leads keep their agent."""
    require(actor, "leads:assign")
    if len(set(lead_ids)) != len(lead_ids):
        raise Invalid.field("lead_ids", "A lead is listed twice.")
    _check_taker(session, assigned_to, "assigned_to")
    leads = [find(session, actor, lead_id, lock=True) for lead_id in sorted(lead_ids)]
    for lead in leads:
        if lead.status in ("converted", "lost"):
            raise Invalid.field("lead_ids", f"Lead {lead.id} is {lead.status}; reopen it before reassigning.")
    if all(lead.assigned_to == assigned_to for lead in leads):
        raise Invalid.field(
            "assigned_to",
            "Already assigned to them." if len(leads) == 1 else "These leads are already assigned to them.",
        )
    rows = _lock_queue(session)
    for lead in leads:
        if lead.assigned_to == assigned_to:
            continue
        old = audit.snapshot(lead)
        tz = _lead_zone(session, lead)
        _give(session, actor, lead, assigned_to, "manual", rows=rows, day=today(tz), tz=tz, note=note)
        session.flush()
        record_change(session, actor, lead, old, action="assign")
    return leads


# ---------------------------------------------------------------- the queue


def get_queue(session: Session, actor: Actor) -> list[QueueEntry]:
    """The round robin in order, with each agent's count for today (company time) and who is next."""
    require(actor, "leads:read")
    rows = list(
        session.scalars(
            select(LeadAssignmentQueue).order_by(LeadAssignmentQueue.position, LeadAssignmentQueue.id)
        )
    )
    tz = zone()
    day = today(tz)
    users = auth_service.users_by_ids(session, [r.user_id for r in rows])
    counts = _counts_on(session, [r.user_id for r in rows], day, tz)
    eligible = _eligible(session, rows, day, tz)
    nxt = _next_in_turn(rows, eligible)
    entries = []
    for row in rows:
        user = users.get(row.user_id)
        count = counts.get(row.user_id, 0)
        entries.append(
            QueueEntry(
                id=row.id,
                user_id=row.user_id,
                full_name=user.full_name if user else "",
                email=user.email if user else "",
                user_active=bool(user and user.is_active),
                position=row.position,
                is_active=row.is_active,
                max_daily_leads=row.max_daily_leads,
                leads_assigned_today=count,
                last_assigned_at=row.last_assigned_at,
                at_cap=row.max_daily_leads is not None and count >= row.max_daily_leads,
                next_up=nxt is not None and nxt.id == row.id,
            )
        )
    return entries


def queue_candidates(session: Session, actor: Actor) -> list:
    """Active people who may take leads but are not in the queue yet."""
    require(actor, "leads:manage_queue")
    present = set(session.scalars(select(LeadAssignmentQueue.user_id)))
    people = [u for role in LEAD_TAKER_ROLES for u in auth_service.users_by_role(session, role)]
    return sorted((u for u in people if u.id not in present), key=lambda u: (u.full_name, u.id))


def update_queue(session: Session, actor: Actor, entries: list[dict[str, Any]]) -> list[QueueEntry]:
    """Replace the queue: entries in turn order, each {user_id, is_active, max_daily_leads}. People left out
    leave the queue; each one kept keeps its turn history, so reordering does not hand anyone a double
    turn."""
    require(actor, "leads:manage_queue")
    if len(entries) > MAX_QUEUE:
        raise Invalid.field("entries", f"The queue holds at most {MAX_QUEUE} people.")
    seen: set[int] = set()
    for index, entry in enumerate(entries):
        user_id = entry["user_id"]
        if user_id in seen:
            raise Invalid.field(f"entries.{index}.user_id", f"User {user_id} is listed twice.")
        seen.add(user_id)
        _check_taker(session, user_id, f"entries.{index}.user_id")
    rows = {r.user_id: r for r in _lock_queue(session)}
    before = {
        uid: {"position": r.position, "is_active": r.is_active, "max_daily_leads": r.max_daily_leads}
        for uid, r in rows.items()
    }
    for user_id, row in rows.items():
        if user_id not in seen:
            session.delete(row)
    for position, entry in enumerate(entries, start=1):
        row = rows.get(entry["user_id"])
        if row is None:
            row = LeadAssignmentQueue(
                user_id=entry["user_id"], leads_assigned_today=0, created_at=clock.now()
            )
            session.add(row)
        row.position = position
        row.is_active = bool(entry.get("is_active", True))
        row.max_daily_leads = entry.get("max_daily_leads")
    session.flush()
    after = {
        e["user_id"]: {
            "position": i,
            "is_active": bool(e.get("is_active", True)),
            "max_daily_leads": e.get("max_daily_leads"),
        }
        for i, e in enumerate(entries, start=1)
    }
    if before != after:
        audit.record(
            session,
            actor,
            entity_type="lead_assignment_queue",
            entity_id="queue",
            action="update",
            old={"queue": {str(k): v for k, v in before.items()}},
            new={"queue": {str(k): v for k, v in after.items()}},
        )
    return get_queue(session, actor)
