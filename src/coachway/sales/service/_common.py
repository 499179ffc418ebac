"""What every part of the sales service shares: who sees which lead, finding one, the company's day, and
writing a timeline entry."""

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, false, select
from sqlalchemy.orm import Session

from coachway.config import get_settings
from coachway.core import audit, clock
from coachway.core.errors import NotFound
from coachway.core.permissions import Actor, require
from coachway.sales.models import Lead, LeadActivity


def sees_all(actor: Actor) -> bool:
    """True when the actor sees every lead, not only the ones assigned to them."""
    return "*" in actor.permissions or actor.can("leads:read_all")


def readable(actor: Actor) -> Select[tuple[Lead]]:
    """The leads an actor may see: everyone's for read_all staff, otherwise those assigned to them."""
    stmt = select(Lead)
    if sees_all(actor):
        return stmt
    if actor.user_id is None or not actor.is_staff:
        return stmt.where(false())
    return stmt.where(Lead.assigned_to == actor.user_id)


def find(session: Session, actor: Actor, lead_id: int, *, lock: bool = False) -> Lead:
    """The lead, if the actor may read leads and see this one; NotFound otherwise (never "forbidden", so
    that ids of other agents' leads are not confirmed)."""
    require(actor, "leads:read")
    stmt = readable(actor).where(Lead.id == lead_id)
    if lock:
        stmt = stmt.with_for_update()
    lead = session.scalars(stmt).first()
    if lead is None:
        raise NotFound(f"There is no lead {lead_id}.")
    return lead


@lru_cache(maxsize=64)
def zone(name: str | None = None) -> ZoneInfo:
    """The timezone of this name, or the company's."""
    return ZoneInfo(name or get_settings().company_timezone)


def today(tz: ZoneInfo | None = None) -> date:
    """Today's date where tz (by default the company) is."""
    return clock.now().astimezone(tz or zone()).date()


def day_bounds(day: date, tz: ZoneInfo | None = None) -> tuple[datetime, datetime]:
    """The UTC instants at which a local day starts and the next one starts."""
    tz = tz or zone()
    start = datetime.combine(day, time(0), tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
    return start, end


def month_start(day: date) -> date:
    """The first of day's month."""
    return day.replace(day=1)


def add_activity(
    session: Session, actor: Actor, lead: Lead, activity_type: str, description: str | None = None
) -> LeadActivity:
    """Append an entry to the lead's timeline (in the caller's transaction)."""
    row = LeadActivity(
        lead_id=lead.id,
        activity_type=activity_type,
        description=description,
        created_by=actor.user_id,
        created_at=clock.now(),
    )
    session.add(row)
    return row


def record_change(
    session: Session, actor: Actor, lead: Lead, old: dict[str, Any], action: str = "update"
) -> None:
    """Write the audit row of a change to a lead (only the fields that changed are kept)."""
    new = audit.snapshot(lead)
    if any(old.get(k) != new.get(k) for k in new if k != "updated_at"):
        audit.record(session, actor, entity_type="lead", entity_id=lead.id, action=action, old=old, new=new)


def trip_words(lead: Lead) -> str | None:
    """The trip in a line for people: where, when, how many (None when the lead says nothing of it)."""
    parts = []
    if lead.origin and lead.destination:
        parts.append(f"{lead.origin} to {lead.destination}")
    elif lead.origin or lead.destination:
        parts.append(lead.origin or lead.destination)
    if lead.trip_date:
        parts.append(f"on {lead.trip_date.strftime('%A, %B')} {lead.trip_date.day}, {lead.trip_date.year}")
    if lead.passenger_count:
        parts.append(f"{lead.passenger_count} passengers")
    return ", ".join(parts) or None
