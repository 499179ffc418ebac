"""A charter's itinerary: ordered stops (sequence 1..n, no gaps), geocoding them, and the route they make.

Every change re-plans the route (leg miles and minutes, estimated arrival and departure per stop, totals
garage to garage) and re-runs the DOT hours check, so the charter's totals, requires_second_driver and
dot_result always describe its current itinerary.
"""

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from coachway.charters.models import STOP_TYPES, Charter, ItineraryStop
from coachway.charters.routing import Point, RoutePlan, plan_route
from coachway.charters.service import compliance
from coachway.charters.service._common import (
    find,
    find_for_change,
    hub_of,
    record_update,
    route_start,
    trip_days,
)
from coachway.charters.service.quoting import reprice_if_priced
from coachway.core import audit
from coachway.core.errors import Invalid, NotFound
from coachway.core.permissions import Actor, require
from coachway.integrations import geocoding

MAX_STOPS = 50
STOP_FIELDS = {"stop_type", "location_name", "address", "latitude", "longitude", "dwell_minutes",
               "scheduled_time", "actual_arrival", "actual_departure", "notes"}
NOT_NULL = {"stop_type", "dwell_minutes"}
MAX_DWELL = 10_080
# A new stop waits at sequence 0 (never a real position) until the stops are renumbered around it.
PARKED = 0


# ---------------------------------------------------------------- reading

def stops_of(session: Session, charter_id: int) -> list[ItineraryStop]:
    """A charter's stops in order (no permission check: for code that already found the charter)."""
    return list(session.scalars(select(ItineraryStop).where(ItineraryStop.charter_id == charter_id)
                                .order_by(ItineraryStop.sequence)))


def list_stops(session: Session, actor: Actor, charter_id: int) -> list[ItineraryStop]:
    """The itinerary of a charter the actor may see, in order."""
    require(actor, "charters:read")
    return stops_of(session, find(session, actor, charter_id).id)


def _stop_of(session: Session, charter: Charter, stop_id: int) -> ItineraryStop:
    stop = session.scalar(select(ItineraryStop).where(ItineraryStop.id == stop_id,
                                                      ItineraryStop.charter_id == charter.id))
    if stop is None:
        raise NotFound(f"Charter {charter.id} has no stop {stop_id}.")
    return stop


# ---------------------------------------------------------------- checks

def _query(stop: ItineraryStop) -> str | None:
    """What to ask the geocoder for this stop: its address, else its place name."""
    return (stop.address or stop.location_name or "").strip() or None


def _check_stop(stop: ItineraryStop) -> None:
    if stop.stop_type not in STOP_TYPES:
        raise Invalid.field("stop_type", f"Choose one of: {', '.join(STOP_TYPES)}.")
    if (stop.latitude is None) != (stop.longitude is None):
        field = "longitude" if stop.longitude is None else "latitude"
        raise Invalid.field(field, "Give both latitude and longitude, or neither.")
    if stop.latitude is not None and not (-90 <= stop.latitude <= 90 and -180 <= stop.longitude <= 180):
        raise Invalid.field("latitude", "Coordinates are out of range.")
    if stop.latitude is None and _query(stop) is None:
        raise Invalid.field("address", "Give the stop an address, a place name or coordinates.")
    if not 0 <= (stop.dwell_minutes or 0) <= MAX_DWELL:
        raise Invalid.field("dwell_minutes", f"Time at a stop is 0 to {MAX_DWELL} minutes.")


def _clean(fields: dict[str, Any]) -> dict[str, Any]:
    for key in ("location_name", "address", "notes"):
        if isinstance(fields.get(key), str):
            fields[key] = fields[key].strip() or None
    for key in ("latitude", "longitude"):
        if fields.get(key) is not None:
            try:
                fields[key] = geocoding.coordinate(fields[key])
            except (InvalidOperation, ValueError):
                raise Invalid.field(key, f"{key} must be a number.") from None
    return fields


def _renumber(session: Session, ordered: list[ItineraryStop]) -> None:
    """Give the stops sequences 1..n in this order.

    (charter_id, sequence) is unique and checked row by row, so the stops first step aside to negative
    sequences, then take their places: no two rows ever hold the same number, on SQLite or PostgreSQL.
    """
    if all(stop.sequence == i for i, stop in enumerate(ordered, start=1)):
        return
    for i, stop in enumerate(ordered, start=1):
        stop.sequence = -i
    session.flush()
    for i, stop in enumerate(ordered, start=1):
        stop.sequence = i
    session.flush()


# ---------------------------------------------------------------- changing stops

def insert_stop(session: Session, actor: Actor, charter: Charter, *, position: int | None = None,
                stop_type: str = "stop", location_name: str | None = None, address: str | None = None,
                latitude: Decimal | None = None, longitude: Decimal | None = None, dwell_minutes: int = 0,
                scheduled_time: datetime | None = None, notes: str | None = None) -> ItineraryStop:
    """Put a stop into a charter already found for change, at position (default: last); no re-plan."""
    stops = stops_of(session, charter.id)
    if len(stops) >= MAX_STOPS:
        raise Invalid.field("stops", f"An itinerary has at most {MAX_STOPS} stops.")
    position = len(stops) + 1 if position is None else position
    if not 1 <= position <= len(stops) + 1:
        raise Invalid.field("position", f"Choose a position from 1 to {len(stops) + 1}.")
    fields = _clean({"location_name": location_name, "address": address, "notes": notes, "latitude": latitude,
                     "longitude": longitude})
    stop = ItineraryStop(charter_id=charter.id, sequence=PARKED, stop_type=stop_type,
                         dwell_minutes=dwell_minutes, scheduled_time=scheduled_time,
                         geocode_status="manual" if fields["latitude"] is not None else "pending", **fields)
    _check_stop(stop)
    session.add(stop)
    session.flush()
    _renumber(session, stops[:position - 1] + [stop] + stops[position - 1:])
    audit.record(session, actor, entity_type="itinerary_stop", entity_id=stop.id, action="create",
                 new=audit.snapshot(stop))
    return stop


def add_stop(session: Session, actor: Actor, charter_id: int, *, geocode: bool = False,
             **fields) -> ItineraryStop:
    """Add a stop to a charter's itinerary (at position, shifting the later ones; default at the end).

    geocode=True looks its address up at once (otherwise POST geocode-stops does it for all).
    """
    charter = find_for_change(session, actor, charter_id)
    stop = insert_stop(session, actor, charter, **fields)
    if geocode and stop.latitude is None:
        _geocode_stop(session, actor, stop, geocoding.geocoder())
    replan(session, charter)
    reprice_if_priced(session, actor, charter)
    return stop


def update_stop(session: Session, actor: Actor, charter_id: int, stop_id: int, *, geocode: bool = False,
                **changes) -> ItineraryStop:
    """Change a stop; only the given fields change. A new address without coordinates drops the old ones."""
    charter = find_for_change(session, actor, charter_id)
    stop = _stop_of(session, charter, stop_id)
    unknown = set(changes) - STOP_FIELDS
    if unknown:
        raise TypeError(f"unknown stop fields: {sorted(unknown)}")
    for key in NOT_NULL & set(changes):
        if changes[key] is None:
            raise Invalid.field(key, f"{key} cannot be empty.")
    changes = _clean(changes)
    old = audit.snapshot(stop)
    query_before = _query(stop)
    for key, value in changes.items():
        setattr(stop, key, value)
    if "latitude" in changes or "longitude" in changes:
        stop.geocode_status = "manual" if stop.latitude is not None else "pending"
        stop.geocoded_address, stop.geocode_error = None, None
    elif _query(stop) != query_before and stop.latitude is not None:
        # The coordinates belonged to the old address.
        stop.latitude = stop.longitude = stop.geocoded_address = stop.geocode_error = None
        stop.geocode_status = "pending"
    _check_stop(stop)
    if geocode and stop.latitude is None:
        _geocode_stop(session, actor, stop, geocoding.geocoder(), audited=False)
    session.flush()
    record_update(session, actor, "itinerary_stop", stop, old)
    replan(session, charter)
    reprice_if_priced(session, actor, charter)
    return stop


def remove_stop(session: Session, actor: Actor, charter_id: int, stop_id: int) -> None:
    """Take a stop off the itinerary; the later stops move up so the sequence stays 1..n."""
    charter = find_for_change(session, actor, charter_id)
    stop = _stop_of(session, charter, stop_id)
    old = audit.snapshot(stop)
    session.delete(stop)
    session.flush()
    _renumber(session, stops_of(session, charter.id))
    audit.record(session, actor, entity_type="itinerary_stop", entity_id=stop_id, action="delete", old=old)
    replan(session, charter)
    reprice_if_priced(session, actor, charter)


def reorder_stops(session: Session, actor: Actor, charter_id: int,
                  stop_ids: list[int]) -> list[ItineraryStop]:
    """Put the stops in the given order; stop_ids must be exactly the charter's stop ids, each once."""
    charter = find_for_change(session, actor, charter_id)
    stops = stops_of(session, charter.id)
    by_id = {stop.id: stop for stop in stops}
    if len(stop_ids) != len(set(stop_ids)) or set(stop_ids) != set(by_id):
        missing = sorted(set(by_id) - set(stop_ids))
        extra = sorted(set(stop_ids) - set(by_id))
        detail = "; ".join(part for part in (f"missing {missing}" if missing else "",
                                             f"not stops of this charter {extra}" if extra else "",
                                             "an id is repeated" if len(stop_ids) != len(set(stop_ids))
                                             else "") if part)
        raise Invalid.field("stop_ids", f"List every stop of charter {charter.id} exactly once ({detail}).")
    before = [stop.id for stop in stops]
    ordered = [by_id[stop_id] for stop_id in stop_ids]
    _renumber(session, ordered)
    if before != stop_ids:
        audit.record(session, actor, entity_type="charter", entity_id=charter.id, action="reorder_stops",
                     old={"stop_ids": before}, new={"stop_ids": list(stop_ids)})
    replan(session, charter)
    reprice_if_priced(session, actor, charter)
    return ordered


# ---------------------------------------------------------------- geocoding

def _geocode_stop(session: Session, actor: Actor, stop: ItineraryStop, geocoder, *,
                  audited: bool = True) -> dict[str, Any]:
    """Look one stop up; a failure is reported (and kept on a stop without coordinates), never raised."""
    query = _query(stop)
    old = audit.snapshot(stop)
    result: dict[str, Any] = {"stop_id": stop.id}
    try:
        place = geocoder.geocode(query) if query else None
    except geocoding.GeocodingUnavailable as exc:
        result |= {"status": "unavailable", "message": str(exc)}
        if stop.latitude is None:
            stop.geocode_status, stop.geocode_error = "unavailable", str(exc)[:1000]
    else:
        if place is None:
            message = f"No place found for {query!r}." if query else "The stop has no address to look up."
            result |= {"status": "not_found", "message": message}
            if stop.latitude is None:
                stop.geocode_status, stop.geocode_error = "not_found", message
        else:
            stop.latitude, stop.longitude = place.latitude, place.longitude
            stop.geocoded_address, stop.geocode_status, stop.geocode_error = place.label, "ok", None
            result |= {"status": "ok", "geocoded_address": place.label, "latitude": place.latitude,
                       "longitude": place.longitude}
    session.flush()
    if audited:
        record_update(session, actor, "itinerary_stop", stop, old, action="geocode")
    return result


def geocode_stops(session: Session, actor: Actor, charter_id: int, *, force: bool = False) -> list[dict]:
    """Find coordinates for the stops lacking them (every stop with an address when force), then re-plan.

    Returns one result per stop looked up: status ok, not_found or unavailable, with what was found.
    """
    charter = find_for_change(session, actor, charter_id)
    geocoder = geocoding.geocoder()
    results = []
    for stop in stops_of(session, charter.id):
        if stop.latitude is not None and not (force and _query(stop)):
            continue
        results.append(_geocode_stop(session, actor, stop, geocoder))
    replan(session, charter)
    reprice_if_priced(session, actor, charter)
    return results


# ---------------------------------------------------------------- route

def _point(stop: ItineraryStop) -> Point:
    located = stop.latitude is not None and stop.longitude is not None
    return Point(float(stop.latitude) if located else None, float(stop.longitude) if located else None,
                 dwell_minutes=stop.dwell_minutes or 0, label=stop.location_name or stop.address or "")


def hub_point(hub) -> Point | None:
    """The hub as a route point, when its coordinates are known (else no deadhead is counted)."""
    if hub is None or hub.latitude is None or hub.longitude is None:
        return None
    return Point(float(hub.latitude), float(hub.longitude), 0, hub.code)


def plan_for(session: Session, charter: Charter, stops: list[ItineraryStop] | None = None):
    """(plan, hub, stops) of a charter's itinerary as it stands."""
    stops = stops_of(session, charter.id) if stops is None else stops
    hub = hub_of(session, charter.hub_id)
    plan = plan_route([_point(stop) for stop in stops], start=route_start(charter, hub.timezone),
                      hub=hub_point(hub))
    return plan, hub, stops


def replan(session: Session, charter: Charter) -> RoutePlan | None:
    """Re-plan the route and the DOT check after an itinerary change and store what they found.

    Totals are stored only for a complete route (every stop located); the DOT result of a partial route is
    still stored, since what the known legs already break stays broken.
    """
    stops = stops_of(session, charter.id)
    if not stops:
        charter.total_miles = charter.deadhead_miles = charter.total_hours = None
        charter.dot_result = None
        charter.requires_second_driver = False
        session.flush()
        return None
    plan, hub, stops = plan_for(session, charter, stops)
    for stop, (arrival, departure) in zip(stops, plan.stop_times, strict=True):
        stop.estimated_arrival, stop.estimated_departure = arrival, departure
    if plan.complete:
        charter.total_miles, charter.deadhead_miles = plan.total_miles, plan.deadhead_miles
        charter.total_hours = plan.total_hours
    else:
        charter.total_miles = charter.deadhead_miles = charter.total_hours = None
    result = compliance.evaluate(session, plan, trip_days=trip_days(charter, hub.timezone))
    charter.dot_result = compliance.result_data(result, complete=plan.complete)
    charter.requires_second_driver = bool(result.requires_second_driver)
    session.flush()
    return plan


def route_totals(plan: RoutePlan) -> dict[str, Any]:
    """A plan's totals as plain data."""
    return {"live_miles": plan.live_miles, "deadhead_miles": plan.deadhead_miles,
            "total_miles": plan.total_miles, "driving_minutes": plan.driving_minutes,
            "total_minutes": plan.total_minutes, "total_hours": plan.total_hours}


def route_view(session: Session, charter: Charter, *, with_dot: bool = True) -> dict[str, Any]:
    """The planned route of a charter found by the caller: legs, times per stop, totals and DOT result."""
    stops = stops_of(session, charter.id)
    plan, hub, stops = plan_for(session, charter, stops)
    ids = [stop.id for stop in stops]
    legs = [{"from_stop_id": None if leg.from_index is None else ids[leg.from_index],
             "to_stop_id": None if leg.to_index is None else ids[leg.to_index],
             "miles": leg.miles, "minutes": leg.minutes, "deadhead": leg.deadhead} for leg in plan.legs]
    times = []
    for stop, (arrival, departure) in zip(stops, plan.stop_times, strict=True):
        late = bool(stop.scheduled_time and arrival and arrival > stop.scheduled_time)
        times.append({"stop_id": stop.id, "sequence": stop.sequence, "estimated_arrival": arrival,
                      "estimated_departure": departure, "late": late})
    dot = None
    if with_dot and stops:
        result = compliance.evaluate(session, plan, trip_days=trip_days(charter, hub.timezone))
        dot = compliance.result_data(result, complete=plan.complete)
    return {"charter_id": charter.id, "complete": plan.complete, "timezone": hub.timezone,
            "missing_coordinates": [stop.id for stop in stops if stop.latitude is None],
            "garage_departure": plan.garage_departure, "garage_return": plan.garage_return,
            "totals": route_totals(plan) if stops else None, "legs": legs, "stops": times,
            "requires_second_driver": bool(dot and dot["requires_second_driver"]), "dot": dot}


def get_route(session: Session, actor: Actor, charter_id: int) -> dict[str, Any]:
    """The route of a charter the actor may see (see route_view)."""
    require(actor, "charters:read")
    return route_view(session, find(session, actor, charter_id))
