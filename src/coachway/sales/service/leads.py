"""Leads: entering one (it is routed at once), finding, changing and moving it through the pipeline, its
timeline and follow-ups, and emailing it."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session

from coachway.auth import service as auth_service
from coachway.config import get_settings
from coachway.core import audit, clock
from coachway.core.errors import Conflict, Invalid, NotFound
from coachway.core.pagination import paginate
from coachway.core.permissions import SYSTEM, Actor, require
from coachway.fleet import service as fleet_service
from coachway.notifications import service as notifications_service
from coachway.sales.models import (
    ACTIVITY_TYPES,
    CONTACT_ACTIVITY_TYPES,
    LEAD_SOURCES,
    LEAD_STATUSES,
    OPEN_LEAD_STATUSES,
    Lead,
    LeadActivity,
)
from coachway.sales.service import scoring
from coachway.sales.service._common import (
    add_activity,
    day_bounds,
    find,
    readable,
    record_change,
    today,
    trip_words,
    zone,
)
from coachway.sales.service.assignment import assign_leads, assign_new_lead

# Which status may follow which by hand. "converted" comes only from converting the lead to a quote.
TRANSITIONS: dict[str, frozenset[str]] = {
    "new": frozenset({"contacted", "qualified", "quoted", "lost"}),
    "contacted": frozenset({"qualified", "quoted", "lost"}),
    "qualified": frozenset({"contacted", "quoted", "lost"}),
    "quoted": frozenset({"qualified", "lost"}),
    "lost": frozenset({"new", "contacted", "qualified"}),
    "converted": frozenset(),
}
STATUS_WORDS = {
    "new": "New",
    "contacted": "Contacted",
    "qualified": "Qualified",
    "quoted": "Quoted",
    "converted": "Converted",
    "lost": "Lost",
}
SOURCE_WORDS = {
    "online": "Online",
    "phone": "Phone",
    "email": "Email",
    "referral": "Referral",
    "walk_in": "Walk-in",
}
LEAD_FIELDS = {
    "source",
    "first_name",
    "last_name",
    "email",
    "phone",
    "company",
    "trip_date",
    "origin",
    "destination",
    "passenger_count",
    "vehicle_type",
    "trip_type",
    "hub_id",
    "estimated_value",
    "notes",
    "next_follow_up",
}
SORTS = {
    "newest": (Lead.created_at.desc(), Lead.id.desc()),
    "oldest": (Lead.created_at.asc(), Lead.id.asc()),
    "score": (Lead.lead_score.desc(), Lead.created_at.desc(), Lead.id.desc()),
    "follow_up": (Lead.next_follow_up.is_(None), Lead.next_follow_up.asc(), Lead.id.asc()),
    "trip_date": (Lead.trip_date.is_(None), Lead.trip_date.asc(), Lead.id.asc()),
}
RECENT_DAYS = 30
PIPELINE_CARDS = 100


@dataclass(frozen=True)
class Stage:
    """One pipeline column: its leads (highest score first, at most PIPELINE_CARDS), how many there are
    in all, and their estimated value."""

    status: str
    label: str
    count: int
    estimated_value: Decimal
    leads: list[Lead]


# ---------------------------------------------------------------- checks


def _check_fields(session: Session, fields: dict[str, Any]) -> None:
    if "source" in fields and fields["source"] not in LEAD_SOURCES:
        raise Invalid.field("source", f"Choose one of: {', '.join(LEAD_SOURCES)}.")
    for name in ("first_name", "last_name", "email"):
        if name in fields and not (fields[name] or "").strip():
            raise Invalid.field(name, "This is required.")
    hub_id = fields.get("hub_id")
    if hub_id is not None:
        try:
            hub = fleet_service.get_hub(session, SYSTEM, hub_id)
        except NotFound:
            raise Invalid.field("hub_id", f"There is no hub {hub_id}.") from None
        if not hub.is_active:
            raise Invalid.field("hub_id", f"Hub {hub.code} is closed.")
    trip_date = fields.get("trip_date")
    if trip_date is not None and trip_date < today():
        raise Invalid.field("trip_date", "The trip date has passed.")
    follow_up = fields.get("next_follow_up")
    if follow_up is not None and follow_up < clock.now() - timedelta(minutes=5):
        raise Invalid.field("next_follow_up", "Choose a follow-up time from now on.")
    value = fields.get("estimated_value")
    if value is not None and Decimal(str(value)) < 0:
        raise Invalid.field("estimated_value", "The estimated value cannot be negative.")


def _normal(fields: dict[str, Any]) -> dict[str, Any]:
    out = dict(fields)
    if out.get("email"):
        out["email"] = out["email"].strip().lower()
    for key in ("phone", "company", "origin", "destination", "vehicle_type", "notes"):
        if key in out and isinstance(out[key], str):
            out[key] = out[key].strip() or None
    return out


# ---------------------------------------------------------------- creating


def create_lead(
    session: Session,
    actor: Actor,
    *,
    source: str,
    first_name: str,
    last_name: str,
    email: str,
    assigned_to: int | None = None,
    **fields,
) -> Lead:
    """Enter a lead and route it at once (existing client's agent, else round robin; a manager may name
    the agent instead). The new lead's timeline starts with its creation and assignment."""
    require(actor, "leads:create")
    unknown = set(fields) - LEAD_FIELDS
    if unknown:
        raise TypeError(f"unknown lead fields: {sorted(unknown)}")
    fields = _normal(
        {
            "source": source,
            "first_name": first_name.strip(),
            "last_name": last_name.strip(),
            "email": email,
            **fields,
        }
    )
    _check_fields(session, fields)
    if assigned_to is not None:
        require(actor, "leads:assign")
    now = clock.now()
    lead = Lead(
        **fields,
        status="new",
        lead_score=0,
        contact_count=0,
        created_by=actor.user_id,
        created_at=now,
        updated_at=now,
    )
    session.add(lead)
    session.flush()
    where = f" from {SOURCE_WORDS[lead.source].lower()}"
    add_activity(
        session,
        actor,
        lead,
        "created",
        f"Lead entered{where}" + (f" by {actor.name}." if actor.user_id else "."),
    )
    if assigned_to is not None:
        assign_leads(session, actor, [lead.id], assigned_to=assigned_to)
    else:
        assign_new_lead(session, actor, lead)
    scoring.rescore(session, [lead])
    session.flush()
    audit.record(
        session, actor, entity_type="lead", entity_id=lead.id, action="create", new=audit.snapshot(lead)
    )
    return lead


# ---------------------------------------------------------------- reading


def _filtered(
    actor: Actor,
    *,
    status: str | None = None,
    statuses: tuple[str, ...] | None = None,
    assigned_to: int | None = None,
    unassigned: bool = False,
    source: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    recent: bool = False,
    q: str | None = None,
    hot: bool = False,
    follow_up: str | None = None,
) -> Select:
    stmt = readable(actor)
    if status is not None:
        if status not in LEAD_STATUSES and status != "open":
            raise Invalid.field("status", f"Choose one of: open, {', '.join(LEAD_STATUSES)}.")
        stmt = stmt.where(Lead.status.in_(OPEN_LEAD_STATUSES) if status == "open" else Lead.status == status)
    if statuses is not None:
        stmt = stmt.where(Lead.status.in_(statuses))
    if assigned_to is not None:
        stmt = stmt.where(Lead.assigned_to == assigned_to)
    if unassigned:
        stmt = stmt.where(Lead.assigned_to.is_(None))
    if source is not None:
        if source not in LEAD_SOURCES:
            raise Invalid.field("source", f"Choose one of: {', '.join(LEAD_SOURCES)}.")
        stmt = stmt.where(Lead.source == source)
    if date_from is not None and date_to is not None and date_to < date_from:
        raise Invalid.field("date_to", "The end date is before the start date.")
    if date_from is not None:
        stmt = stmt.where(Lead.created_at >= day_bounds(date_from)[0])
    if date_to is not None:
        stmt = stmt.where(Lead.created_at < day_bounds(date_to)[1])
    if recent:
        stmt = stmt.where(Lead.created_at >= day_bounds(today() - timedelta(days=RECENT_DAYS - 1))[0])
    if q:
        like = "%" + q.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        name = func.lower(Lead.first_name + " " + Lead.last_name)
        stmt = stmt.where(
            or_(
                name.like(like, escape="\\"),
                func.lower(Lead.email).like(like, escape="\\"),
                func.lower(Lead.company).like(like, escape="\\"),
                Lead.phone.like(like, escape="\\"),
            )
        )
    if hot:
        stmt = stmt.where(Lead.status.in_(OPEN_LEAD_STATUSES), Lead.lead_score >= scoring.HOT_THRESHOLD)
    if follow_up is not None:
        start, end = day_bounds(today())
        base = and_(Lead.status.in_(OPEN_LEAD_STATUSES), Lead.next_follow_up.is_not(None))
        if follow_up == "today":
            stmt = stmt.where(base, Lead.next_follow_up >= start, Lead.next_follow_up < end)
        elif follow_up == "overdue":
            stmt = stmt.where(base, Lead.next_follow_up < start)
        elif follow_up == "due":
            stmt = stmt.where(base, Lead.next_follow_up < end)
        else:
            raise Invalid.field("follow_up", "Choose one of: today, overdue, due.")
    return stmt


def list_leads(
    session: Session, actor: Actor, *, sort: str = "newest", limit: int = 50, offset: int = 0, **filters
) -> tuple[list[Lead], int]:
    """A page of the leads the actor may see, filtered and sorted (newest, oldest, score, follow_up,
    trip_date)."""
    require(actor, "leads:read")
    if sort not in SORTS:
        raise Invalid.field("sort", f"Choose one of: {', '.join(SORTS)}.")
    return paginate(session, _filtered(actor, **filters).order_by(*SORTS[sort]), limit=limit, offset=offset)


def my_leads(
    session: Session,
    actor: Actor,
    *,
    status: str | None = "open",
    sort: str = "follow_up",
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Lead], int]:
    """The signed-in person's own leads (open ones by default), next follow-up first."""
    require(actor, "leads:read")
    if actor.user_id is None:
        return [], 0
    return list_leads(
        session, actor, assigned_to=actor.user_id, status=status, sort=sort, limit=limit, offset=offset
    )


def get_lead(session: Session, actor: Actor, lead_id: int) -> Lead:
    """One lead the actor may see (404 otherwise)."""
    return find(session, actor, lead_id)


def pipeline(session: Session, actor: Actor, *, assigned_to: int | None = None) -> list[Stage]:
    """The leads by status, for the kanban board: counts and values in SQL, then each column's cards."""
    require(actor, "leads:read")
    base = _filtered(actor, assigned_to=assigned_to).subquery()
    totals = {
        status: (count, value)
        for status, count, value in session.execute(
            select(base.c.status, func.count(), func.coalesce(func.sum(base.c.estimated_value), 0)).group_by(
                base.c.status
            )
        )
    }
    stages = []
    for status in LEAD_STATUSES:
        count, value = totals.get(status, (0, 0))
        cards = (
            list(
                session.scalars(
                    _filtered(actor, assigned_to=assigned_to, status=status)
                    .order_by(*SORTS["score"])
                    .limit(PIPELINE_CARDS)
                )
            )
            if count
            else []
        )
        stages.append(
            Stage(
                status=status,
                label=STATUS_WORDS[status],
                count=count,
                estimated_value=Decimal(value).quantize(Decimal("0.01")),
                leads=cards,
            )
        )
    return stages


def follow_ups(session: Session, actor: Actor, *, assigned_to: int | None = None) -> dict[str, list[Lead]]:
    """Open leads whose follow-up is due today, and those overdue (before today), earliest first."""
    require(actor, "leads:read")
    out = {}
    for key in ("overdue", "today"):
        stmt = _filtered(actor, assigned_to=assigned_to, follow_up=key).order_by(*SORTS["follow_up"])
        out[key] = list(session.scalars(stmt.limit(200)))
    return out


def names_of(session: Session, leads: list[Lead]) -> dict[int, str]:
    """The display names of the agents these leads are assigned to (one query)."""
    users = auth_service.users_by_ids(session, [lead.assigned_to for lead in leads if lead.assigned_to])
    return {uid: u.full_name or u.email for uid, u in users.items()}


# ---------------------------------------------------------------- changing


def _check_transition(lead: Lead, new: str, lost_reason: str | None) -> None:
    if new not in LEAD_STATUSES:
        raise Invalid.field("status", f"Choose one of: {', '.join(LEAD_STATUSES)}.")
    if new == lead.status:
        return
    if new == "converted":
        raise Conflict(
            "A lead becomes converted when it is converted to a quote: use Convert to quote.",
            errors=[{"field": "status", "message": "Use Convert to quote."}],
        )
    if new not in TRANSITIONS[lead.status]:
        allowed = ", ".join(sorted(TRANSITIONS[lead.status])) or "none (it is final)"
        raise Conflict(
            f"A {lead.status} lead cannot become {new}. Allowed: {allowed}.",
            errors=[{"field": "status", "message": f"Cannot go from {lead.status} to {new}."}],
        )
    if new == "lost" and not (lost_reason or lead.lost_reason or "").strip():
        raise Invalid.field("lost_reason", "Say why the lead was lost.")


def update_lead(
    session: Session,
    actor: Actor,
    lead_id: int,
    *,
    status: str | None = None,
    lost_reason: str | None = None,
    **changes,
) -> Lead:
    """Change a lead's details and, within TRANSITIONS, its status (lost needs a reason; reopening clears
    it). A converted lead keeps everything but its notes and follow-up."""
    require(actor, "leads:update")
    unknown = set(changes) - LEAD_FIELDS
    if unknown:
        raise TypeError(f"unknown lead fields: {sorted(unknown)}")
    lead = find(session, actor, lead_id, lock=True)
    changes = _normal(changes)
    changes = {k: v for k, v in changes.items() if getattr(lead, k) != v}
    if lead.status == "converted" and (
        set(changes) - {"notes", "next_follow_up"} or (status is not None and status != "converted")
    ):
        raise Conflict(
            f"Lead {lead.id} was converted to charter {lead.converted_to_charter_id}; "
            "change the charter instead."
        )
    _check_fields(session, changes)
    old = audit.snapshot(lead)
    for key, value in changes.items():
        setattr(lead, key, value)
    if status is not None:
        _check_transition(lead, status, lost_reason)
        if status != lead.status:
            before = lead.status
            lead.status = status
            reason = (lost_reason or "").strip() or lead.lost_reason
            if status == "lost":
                lead.lost_reason = reason
                lead.next_follow_up = None
            elif before == "lost":
                lead.lost_reason = None
            add_activity(
                session,
                actor,
                lead,
                "status_change",
                f"{STATUS_WORDS[before]} → {STATUS_WORDS[status]}"
                + (f": {lead.lost_reason}" if status == "lost" else "."),
            )
    elif lost_reason is not None and lead.status == "lost" and lost_reason.strip():
        lead.lost_reason = lost_reason.strip()
    lead.updated_at = clock.now()
    session.flush()
    scoring.rescore(session, [lead])
    session.flush()
    record_change(session, actor, lead, old)
    return lead


def move_lead(
    session: Session, actor: Actor, lead_id: int, status: str, *, lost_reason: str | None = None
) -> Lead:
    """Move a lead to another pipeline stage (the kanban drag)."""
    return update_lead(session, actor, lead_id, status=status, lost_reason=lost_reason)


# ---------------------------------------------------------------- timeline and follow-ups


def list_activities(session: Session, actor: Actor, lead_id: int, *, limit: int = 200) -> list[LeadActivity]:
    """The lead's timeline, newest first."""
    find(session, actor, lead_id)
    return list(
        session.scalars(
            select(LeadActivity)
            .where(LeadActivity.lead_id == lead_id)
            .order_by(LeadActivity.created_at.desc(), LeadActivity.id.desc())
            .limit(limit)
        )
    )


def log_activity(
    session: Session,
    actor: Actor,
    lead_id: int,
    *,
    activity_type: str,
    description: str | None = None,
    next_follow_up: datetime | None = None,
) -> LeadActivity:
    """Log a call, email, meeting or note. A call, email or meeting counts as a contact: it stamps
    last_contact_date, adds to contact_count, moves a new lead to contacted and closes a follow-up that
    was due. next_follow_up schedules the next one."""
    require(actor, "leads:update")
    if activity_type not in ACTIVITY_TYPES:
        raise Invalid.field("activity_type", f"Choose one of: {', '.join(ACTIVITY_TYPES)}.")
    if activity_type == "note" and not (description or "").strip():
        raise Invalid.field("description", "Write the note.")
    if next_follow_up is not None and next_follow_up < clock.now() - timedelta(minutes=5):
        raise Invalid.field("next_follow_up", "Choose a follow-up time from now on.")
    lead = find(session, actor, lead_id, lock=True)
    if lead.status == "converted" and activity_type != "note":
        raise Conflict(
            f"Lead {lead.id} was converted to charter {lead.converted_to_charter_id}; "
            "log further contact on the charter."
        )
    old = audit.snapshot(lead)
    now = clock.now()
    row = add_activity(session, actor, lead, activity_type, (description or "").strip() or None)
    if activity_type in CONTACT_ACTIVITY_TYPES:
        lead.last_contact_date = now
        lead.contact_count += 1
        if lead.next_follow_up is not None and lead.next_follow_up <= day_bounds(today())[1]:
            lead.next_follow_up = None  # the follow-up that was due is done
        if lead.status == "new":
            lead.status = "contacted"
            add_activity(session, actor, lead, "status_change", "New → Contacted.")
    if next_follow_up is not None:
        lead.next_follow_up = next_follow_up
    lead.updated_at = now
    session.flush()
    scoring.rescore(session, [lead])
    session.flush()
    record_change(session, actor, lead, old)
    return row


def send_follow_up(
    session: Session,
    actor: Actor,
    lead_id: int,
    *,
    subject: str,
    message: str,
    next_follow_up: datetime | None = None,
) -> dict[str, Any]:
    """Email the lead from the lead_follow_up template. It is tracked (email_tracking, with lead_id) and
    obeys the matched client's email preferences: a client who turned off follow-ups is not emailed, and
    the answer says why. A sent email is logged on the timeline as a contact."""
    require(actor, "leads:update")
    lead = find(session, actor, lead_id)
    if lead.status in ("converted", "lost"):
        raise Conflict(f"Lead {lead.id} is {lead.status}; follow-up emails are for open leads.")
    if not subject.strip() or not message.strip():
        raise Invalid.field("message" if subject.strip() else "subject", "This is required.")
    agent = auth_service.users_by_ids(session, [actor.user_id]).get(actor.user_id) if actor.user_id else None
    context = {
        "first_name": lead.first_name,
        "subject": subject.strip(),
        "message": message.strip(),
        "trip": trip_words(lead),
        "agent_name": actor.name or (agent.full_name if agent else ""),
        "agent_email": actor.email,
        "company_name": get_settings().company_name,
    }
    note = notifications_service.send(
        session,
        actor,
        template_key="lead_follow_up",
        to=lead.email,
        client_id=lead.client_id,
        lead_id=lead.id,
        context=context,
    )
    if note.status == "suppressed":
        add_activity(session, actor, lead, "note", f"Follow-up email not sent: {note.suppressed_reason}")
        session.flush()
        return {"sent": False, "reason": note.suppressed_reason, "notification_id": note.id}
    log_activity(
        session,
        actor,
        lead.id,
        activity_type="email",
        description=f"Emailed: {subject.strip()}",
        next_follow_up=next_follow_up,
    )
    return {"sent": True, "reason": None, "notification_id": note.id}


def lead_score(session: Session, actor: Actor, lead_id: int) -> dict[str, int]:
    """How the lead's score is made up right now."""
    lead = find(session, actor, lead_id)
    return scoring.scores_of(session, [lead])[lead.id].as_dict()


def hub_zone(session: Session, lead: Lead):
    """The timezone the lead's times read in (its hub's, else the company's)."""
    if lead.hub_id is None:
        return zone()
    return zone(fleet_service.get_hub(session, SYSTEM, lead.hub_id).timezone)
