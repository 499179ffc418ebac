"""Who sees which charter, finding one for reading or changing, and the lookups other domains answer."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, column, false, func, select, table
from sqlalchemy.orm import Session, object_session

from coachway.auth import service as auth_service
from coachway.charters.lifecycle import FINAL_STATUSES
from coachway.charters.models import Charter
from coachway.clients import service as clients_service
from coachway.core import audit
from coachway.core.errors import Conflict, Invalid, NotFound
from coachway.core.permissions import SYSTEM, Actor, hide_fields, require
from coachway.fleet import service as fleet_service

# Fields only readers with charters:read_internal see (a client user never does).
INTERNAL_FIELDS = {name: "charters:read_internal" for name in (
    "internal_notes", "quote_secure_token", "dot_result", "assigned_by", "created_by", "cancelled_by",
    "estimated_cost", "cost_note", "estimated_vendor_cost", "price_breakdown")}
# A route needs a start time; a quote with a date but no pickup time is planned from this local time.
DEFAULT_PICKUP = time(8, 0)
OUTSIDE_ROLES = {"vendor", "driver"}
# Clients belong to the clients domain: only their names are read here, for lists (one query a page).
_clients = table("clients", column("id"), column("name"))


# ---------------------------------------------------------------- who sees what

def sees_all(actor: Actor) -> bool:
    """True when the actor sees every charter, not only its own."""
    return "*" in actor.permissions or actor.can("charters:read_all")


def readable(actor: Actor) -> Select[tuple[Charter]]:
    """The charters an actor may see: managers and other read_all staff every one, anyone else on staff
    the ones assigned to them, a client user its client's, vendors and drivers none (until dispatch)."""
    stmt = select(Charter)
    if actor.role == "client":
        return stmt.where(Charter.client_id == actor.client_id) if actor.client_id else stmt.where(false())
    if actor.role in OUTSIDE_ROLES:
        return stmt.where(false())
    if sees_all(actor):
        return stmt
    if actor.user_id is None:
        return stmt.where(false())
    return stmt.where(Charter.assigned_sales_agent_id == actor.user_id)


def visible_fields(actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
    """Charter (or recommendation) data without the internal fields the actor may not read."""
    if actor.role == "client":
        return {k: v for k, v in data.items() if k not in INTERNAL_FIELDS}
    return hide_fields(actor, data, INTERNAL_FIELDS)


def find(session: Session, actor: Actor, charter_id: int, *, lock: bool = False) -> Charter:
    """A charter the actor may see (404 otherwise); lock holds its row until the transaction ends."""
    stmt = readable(actor).where(Charter.id == charter_id)
    if lock:
        # Every change to a charter, its itinerary or vehicles takes this lock first, so concurrent changes
        # (two reorders, two reassignments) wait for each other instead of colliding.
        stmt = stmt.with_for_update()
    charter = session.scalar(stmt)
    if charter is None:
        raise NotFound(f"No charter {charter_id}.")
    return charter


def find_for_change(session: Session, actor: Actor, charter_id: int,
                    permission: str = "charters:update") -> Charter:
    """A charter the actor may change, locked; completed and cancelled charters are refused (409)."""
    require(actor, permission)
    charter = find(session, actor, charter_id, lock=True)
    check_editable(charter)
    return charter


def check_editable(charter: Charter) -> None:
    """Conflict when the charter is completed, cancelled or replaced by a revision: its record is final."""
    if charter.status in FINAL_STATUSES:
        raise Conflict(f"Charter {charter.id} is {charter.status}; its trip details can no longer change.",
                       errors=[{"field": "status", "message": f"The charter is {charter.status}."}])
    check_current(charter)


def check_current(charter: Charter) -> None:
    """Conflict when a newer revision replaced this quote (the old one stays as history, unchanged)."""
    if charter.superseded_by_id is None:
        return
    session = object_session(charter)
    newer = session.get(Charter, charter.superseded_by_id) if session is not None else None
    which = (f"revision {newer.revision_number} (charter {newer.id})" if newer is not None
             else f"charter {charter.superseded_by_id}")
    raise Conflict(f"Quote {charter.id} (revision {charter.revision_number}) was replaced by {which}; "
                   "change that one instead.",
                   errors=[{"field": "superseded_by_id", "message": f"Replaced by {which}."}])


def snapshot(row) -> dict[str, Any]:
    """audit.snapshot of a row, with times of day (pickup_time) as text so the audit log can store them."""
    return {key: value.isoformat() if isinstance(value, time) else value
            for key, value in audit.snapshot(row).items()}


def changed(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """True when a snapshot differs from the other (updated_at aside)."""
    return any(old.get(k) != new.get(k) for k in new if k != "updated_at")


def record_update(session: Session, actor: Actor, entity_type: str, row, old: dict[str, Any],
                  action: str = "update") -> None:
    """Audit a change of row since the snapshot old, if anything changed."""
    new = snapshot(row)
    if changed(old, new):
        audit.record(session, actor, entity_type=entity_type, entity_id=row.id, action=action, old=old,
                     new=new)


# ---------------------------------------------------------------- other domains' rows

def check_client(session: Session, client_id: int) -> None:
    """Invalid (on client_id) unless the client exists and is active."""
    try:
        client = clients_service.get_client(session, SYSTEM, client_id)
    except NotFound:
        raise Invalid.field("client_id", f"There is no client {client_id}.") from None
    if not client.is_active:
        raise Invalid.field("client_id", f"Client {client.name} is deactivated.")


def hub_of(session: Session, hub_id: int, *, must_be_open: bool = False):
    """The hub (Invalid on hub_id when it does not exist, or is closed and must_be_open)."""
    try:
        hub = fleet_service.get_hub(session, SYSTEM, hub_id)
    except NotFound:
        raise Invalid.field("hub_id", f"There is no hub {hub_id}.") from None
    if must_be_open and not hub.is_active:
        raise Invalid.field("hub_id", f"Hub {hub.code} is closed.")
    return hub


def check_sales_agent(session: Session, user_id: int, field: str = "sales_agent_id") -> None:
    """Invalid (on field) unless the user is an active sales agent."""
    try:
        user = auth_service.get_user(session, SYSTEM, user_id)
    except NotFound:
        user = None
    if user is None or not user.is_active or user.role != "sales_agent":
        raise Invalid.field(field, f"User {user_id} is not an active sales agent.")


# ---------------------------------------------------------------- times

def local_start(trip_date: date, pickup_time: time, timezone: str) -> datetime:
    """The UTC instant of a local pickup time on a trip date at a hub."""
    return datetime.combine(trip_date, pickup_time, tzinfo=ZoneInfo(timezone)).astimezone(UTC)


def route_start(charter: Charter, timezone: str) -> datetime:
    """When the first pickup is: start_datetime, else the trip date at DEFAULT_PICKUP local time."""
    if charter.start_datetime is not None:
        return charter.start_datetime
    return local_start(charter.trip_date, DEFAULT_PICKUP, timezone)


def trip_days(charter: Charter, timezone: str) -> int:
    """Calendar days the trip spans at the hub (1 unless end_datetime falls on a later day)."""
    if charter.end_datetime is None:
        return 1
    end_date = charter.end_datetime.astimezone(ZoneInfo(timezone)).date()
    return max(1, (end_date - charter.trip_date).days + 1)


# ---------------------------------------------------------------- labels for lists and pages

@dataclass(frozen=True)
class CharterLabels:
    """What a charter's ids stand for: client name, hub code and timezone, sales agent name."""

    client_name: str | None
    hub_code: str | None
    timezone: str
    sales_agent_name: str | None


def labels(session: Session, charters: Iterable[Charter]) -> dict[int, CharterLabels]:
    """Labels of many charters by id in a fixed number of queries (no N+1)."""
    charters = list(charters)
    if not charters:
        return {}
    client_ids = {c.client_id for c in charters}
    clients = dict(session.execute(select(_clients.c.id, _clients.c.name)
                                   .where(_clients.c.id.in_(client_ids))).all())
    hubs = {hub.id: hub for hub in fleet_service.list_hubs(session, SYSTEM)}
    agents = auth_service.user_names(session, {c.assigned_sales_agent_id for c in charters
                                               if c.assigned_sales_agent_id is not None})
    out = {}
    for c in charters:
        hub = hubs.get(c.hub_id)
        out[c.id] = CharterLabels(client_name=clients.get(c.client_id), hub_code=hub.code if hub else None,
                                  timezone=hub.timezone if hub else "UTC",
                                  sales_agent_name=agents.get(c.assigned_sales_agent_id))
    return out


def client_ids_named(q: str) -> Select:
    """Ids of clients whose name contains q (case-insensitive)."""
    text = q.strip().lower()
    return select(_clients.c.id).where(func.lower(_clients.c.name).contains(text, autoescape=True))
