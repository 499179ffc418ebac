"""Listing, reading, creating and changing charters (the trip details; status and agent have their own)."""

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from coachway.charters.models import TRIP_TYPES, Charter
from coachway.charters.service import itinerary
from coachway.charters.service import vehicles as charter_vehicles
from coachway.charters.service._common import (
    check_client,
    check_sales_agent,
    client_ids_named,
    find,
    find_for_change,
    hub_of,
    local_start,
    readable,
    record_update,
    sees_all,
    snapshot,
)
from coachway.charters.service.quoting import reprice_if_priced
from coachway.core import audit, clock
from coachway.core.errors import Forbidden, Invalid
from coachway.core.pagination import paginate
from coachway.core.permissions import Actor, require

TRIP_FIELDS = {"client_id", "hub_id", "trip_type", "passenger_count", "luggage_pieces", "trip_date",
               "pickup_time", "start_datetime", "end_datetime", "notes", "internal_notes", "event_type"}
NOT_NULL_FIELDS = {"client_id", "hub_id", "trip_type", "passenger_count", "luggage_pieces"}
TIME_FIELDS = {"trip_date", "pickup_time", "start_datetime", "end_datetime"}
# Changing these moves the route (its start, its garage) or the days the DOT check spreads it over.
ROUTE_FIELDS = {"hub_id", "trip_date", "pickup_time", "start_datetime", "end_datetime"}
MAX_TRIP_DAYS = 31
MAX_PASSENGERS = 1000
MAX_EVENT_TYPE = 50


# ---------------------------------------------------------------- reading

def list_charters(session: Session, actor: Actor, *, status: str | None = None, date_from: date | None = None,
                  date_to: date | None = None, agent_id: int | None = None, client_id: int | None = None,
                  hub_id: int | None = None, trip_type: str | None = None, q: str | None = None,
                  include_superseded: bool = False, limit: int = 50,
                  offset: int = 0) -> tuple[list[Charter], int]:
    """The charters the actor may see, latest trip first, filtered; q searches the client's name.

    Quotes replaced by a newer revision are left out unless include_superseded.
    """
    require(actor, "charters:read")
    stmt = readable(actor).order_by(Charter.trip_date.desc(), Charter.id.desc())
    if not include_superseded:
        stmt = stmt.where(Charter.superseded_by_id.is_(None))
    if status:
        stmt = stmt.where(Charter.status == status)
    if date_from is not None:
        stmt = stmt.where(Charter.trip_date >= date_from)
    if date_to is not None:
        stmt = stmt.where(Charter.trip_date <= date_to)
    if agent_id is not None:
        stmt = stmt.where(Charter.assigned_sales_agent_id == agent_id)
    if client_id is not None:
        stmt = stmt.where(Charter.client_id == client_id)
    if hub_id is not None:
        stmt = stmt.where(Charter.hub_id == hub_id)
    if trip_type:
        stmt = stmt.where(Charter.trip_type == trip_type)
    if q and q.strip():
        stmt = stmt.where(Charter.client_id.in_(client_ids_named(q)))
    return paginate(session, stmt, limit=limit, offset=offset)


def list_my_quotes(session: Session, actor: Actor, *, days: int | None = None, limit: int = 50,
                   offset: int = 0) -> tuple[list[Charter], int]:
    """The open quotes assigned to the actor, soonest trip first; days keeps those of the next days days."""
    require(actor, "charters:read")
    stmt = (readable(actor).where(Charter.assigned_sales_agent_id == actor.user_id, Charter.status == "quote",
                                  Charter.superseded_by_id.is_(None))
            .order_by(Charter.trip_date, Charter.id))
    if days is not None:
        today = clock.now().date()
        stmt = stmt.where(Charter.trip_date >= today, Charter.trip_date <= today + timedelta(days=days))
    return paginate(session, stmt, limit=limit, offset=offset)


def get_charter(session: Session, actor: Actor, charter_id: int) -> Charter:
    """One charter the actor may see."""
    require(actor, "charters:read")
    return find(session, actor, charter_id)


# ---------------------------------------------------------------- checks

def _check_fields(session: Session, actor: Actor, fields: dict[str, Any]) -> None:
    for key in NOT_NULL_FIELDS & set(fields):
        if fields[key] is None:
            raise Invalid.field(key, f"{key} cannot be empty.")
    if "trip_type" in fields and fields["trip_type"] not in TRIP_TYPES:
        raise Invalid.field("trip_type", f"Choose one of: {', '.join(TRIP_TYPES)}.")
    if "passenger_count" in fields and not 1 <= fields["passenger_count"] <= MAX_PASSENGERS:
        raise Invalid.field("passenger_count", f"Passengers are 1 to {MAX_PASSENGERS}.")
    if "luggage_pieces" in fields and fields["luggage_pieces"] < 0:
        raise Invalid.field("luggage_pieces", "Luggage cannot be negative.")
    if fields.get("internal_notes") is not None:
        require(actor, "charters:read_internal")
    for key in ("notes", "internal_notes", "event_type"):
        if isinstance(fields.get(key), str):
            fields[key] = fields[key].strip() or None
    if fields.get("event_type") is not None and len(fields["event_type"]) > MAX_EVENT_TYPE:
        raise Invalid.field("event_type", f"The event type is at most {MAX_EVENT_TYPE} characters.")
    if fields.get("client_id") is not None:
        check_client(session, fields["client_id"])


def _resolve_times(*, trip_date: date | None, pickup_time: time | None, start_datetime: datetime | None,
                   end_datetime: datetime | None, given: set[str], timezone: str) -> dict[str, Any]:
    """The trip's date, local pickup time, start and end, kept consistent.

    start_datetime is always the local pickup time on the trip date at the hub: given, it sets the date and
    pickup time; otherwise it follows them (and moves with the hub's timezone).
    """
    zone = ZoneInfo(timezone)
    if "start_datetime" in given and start_datetime is not None:
        local = start_datetime.astimezone(zone)
        if "trip_date" in given and trip_date is not None and trip_date != local.date():
            raise Invalid.field("trip_date",
                                f"The trip starts on {local.date()} at the hub, not on {trip_date}.")
        if "pickup_time" in given and pickup_time is not None and pickup_time != local.time():
            raise Invalid.field("pickup_time", f"The trip starts at {local.time()} at the hub.")
        trip_date, pickup_time = local.date(), local.time()
    else:
        if "start_datetime" in given and "pickup_time" not in given:
            pickup_time = None
        if trip_date is None:
            raise Invalid.field("trip_date", "Give the trip date (or start_datetime).")
        start_datetime = local_start(trip_date, pickup_time, timezone) if pickup_time is not None else None
    if end_datetime is not None:
        end_date = end_datetime.astimezone(zone).date()
        if (start_datetime is not None and end_datetime < start_datetime) or end_date < trip_date:
            raise Invalid.field("end_datetime", "The trip cannot end before it starts.")
        if (end_date - trip_date).days >= MAX_TRIP_DAYS:
            raise Invalid.field("end_datetime", f"A charter spans at most {MAX_TRIP_DAYS} days.")
    return {"trip_date": trip_date, "pickup_time": pickup_time, "start_datetime": start_datetime,
            "end_datetime": end_datetime}


def _agent_for_new_quote(session: Session, actor: Actor, agent_id: int | None) -> int | None:
    """Who a new quote is assigned to: an agent creating it keeps it; others may name an agent."""
    if agent_id is None:
        # Without read_all its creator would not see it again, so it stays theirs.
        return actor.user_id if actor.role == "sales_agent" or not sees_all(actor) else None
    if agent_id != actor.user_id and not ("*" in actor.permissions or actor.can("charters:assign")):
        raise Forbidden("You can create quotes only for yourself.",
                        errors=[{"field": "assigned_sales_agent_id", "message": "Leave it empty."}])
    check_sales_agent(session, agent_id, "assigned_sales_agent_id")
    return agent_id


# ---------------------------------------------------------------- creating and changing

def create_charter(session: Session, actor: Actor, *, client_id: int, hub_id: int, passenger_count: int,
                   trip_type: str = "one_way", luggage_pieces: int = 0, trip_date: date | None = None,
                   pickup_time: time | None = None, start_datetime: datetime | None = None,
                   end_datetime: datetime | None = None, notes: str | None = None,
                   internal_notes: str | None = None, assigned_sales_agent_id: int | None = None,
                   event_type: str | None = None, stops: Sequence[dict[str, Any]] = (),
                   vehicles: Sequence[dict[str, Any]] = ()) -> Charter:
    """Open a quote for a client, optionally with its itinerary and vehicles (route and DOT check follow)."""
    require(actor, "charters:create")
    fields: dict[str, Any] = {"client_id": client_id, "hub_id": hub_id, "trip_type": trip_type,
                              "passenger_count": passenger_count, "luggage_pieces": luggage_pieces,
                              "notes": notes, "internal_notes": internal_notes, "event_type": event_type}
    _check_fields(session, actor, fields)
    hub = hub_of(session, hub_id, must_be_open=True)
    fields |= _resolve_times(trip_date=trip_date, pickup_time=pickup_time, start_datetime=start_datetime,
                             end_datetime=end_datetime, given=TIME_FIELDS, timezone=hub.timezone)
    agent_id = _agent_for_new_quote(session, actor, assigned_sales_agent_id)
    now = clock.now()
    charter = Charter(**fields, status="quote", assigned_sales_agent_id=agent_id,
                      assigned_at=now if agent_id else None, assigned_by=actor.user_id if agent_id else None,
                      created_by=actor.user_id, vehicle_count=0, revision_number=1,
                      requires_second_driver=False, cancellation_fee_paid=False)
    session.add(charter)
    session.flush()
    audit.record(session, actor, entity_type="charter", entity_id=charter.id, action="create",
                 new=snapshot(charter))
    _add_parts(session, actor, charter, stops, vehicles)
    return charter


def _add_parts(session: Session, actor: Actor, charter: Charter, stops: Sequence[dict[str, Any]],
               lines: Sequence[dict[str, Any]]) -> None:
    for line in lines:
        charter_vehicles.add_line(session, actor, charter, **line)
    if lines:
        charter_vehicles.recount(session, charter)
    for stop in stops:
        # Listed in order: each goes to the end, whatever position it names.
        itinerary.insert_stop(session, actor, charter, **{**stop, "position": None})
    itinerary.replan(session, charter)


def update_charter(session: Session, actor: Actor, charter_id: int, **changes) -> Charter:
    """Change a charter's trip details; only the given fields change. Final charters refuse (409)."""
    charter = find_for_change(session, actor, charter_id)
    unknown = set(changes) - TRIP_FIELDS
    if unknown:
        raise TypeError(f"unknown charter fields: {sorted(unknown)}")
    if "trip_date" in changes and changes["trip_date"] is None:
        raise Invalid.field("trip_date", "trip_date cannot be empty.")
    if changes.get("client_id") == charter.client_id:
        changes.pop("client_id")  # staying with a client since deactivated is fine
    _check_fields(session, actor, changes)
    hub_id = changes.get("hub_id", charter.hub_id)
    hub = hub_of(session, hub_id, must_be_open=hub_id != charter.hub_id)
    current = {key: getattr(charter, key) for key in TIME_FIELDS}
    times = _resolve_times(**{**current, **{k: v for k, v in changes.items() if k in TIME_FIELDS}},
                           given=set(changes) & TIME_FIELDS, timezone=hub.timezone)
    changes = {**changes, **times}
    old = snapshot(charter)
    moved = any(getattr(charter, key) != changes[key] for key in ROUTE_FIELDS if key in changes)
    for key, value in changes.items():
        setattr(charter, key, value)
    session.flush()
    record_update(session, actor, "charter", charter, old)
    if moved:
        itinerary.replan(session, charter)
    reprice_if_priced(session, actor, charter)
    return charter


def charters_by_ids(session: Session, actor: Actor, charter_ids: Sequence[int]) -> list[Charter]:
    """The charters among charter_ids that the actor may see (for other domains' lists)."""
    require(actor, "charters:read")
    if not charter_ids:
        return []
    return list(session.scalars(readable(actor).where(Charter.id.in_(list(charter_ids)))))


def client_of(session: Session, charter_id: int) -> int | None:
    """The client a charter belongs to (for other domains), or None when there is no such charter."""
    return session.scalar(select(Charter.client_id).where(Charter.id == charter_id))


def get_charter_parts(session: Session, actor: Actor, charter_id: int):
    """One charter the actor may see with its vehicle lines (described) and its stops, in order."""
    charter = get_charter(session, actor, charter_id)
    lines = charter_vehicles.describe_vehicles(session, charter_vehicles.lines_of(session, charter.id))
    return charter, lines, itinerary.stops_of(session, charter.id)
