"""DOT hours of service: the rules in dot_regulations, and checking a charter or an ad-hoc trip by them."""

from collections.abc import Sequence
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from coachway.charters import dot
from coachway.charters.models import DotRegulation
from coachway.charters.routing import Point, RoutePlan, plan_route
from coachway.core import audit
from coachway.core.errors import Invalid, NotFound
from coachway.core.permissions import Actor, require
from coachway.integrations import geocoding

REGULATION_FIELDS = {"regulation_name", "threshold_value", "requires_second_driver", "description",
                     "is_active"}
MAX_TRIP_DAYS = 30
HUNDREDTH = Decimal("0.01")


# ---------------------------------------------------------------- the rules

def seed_dot_regulations(session: Session) -> int:
    """Put the FMCSA passenger-carrier rules into an empty dot_regulations table; how many were added."""
    if session.scalar(select(func.count()).select_from(DotRegulation)):
        return 0
    session.add_all(DotRegulation(**row) for row in dot.SEED_REGULATIONS)
    session.flush()
    return len(dot.SEED_REGULATIONS)


def active_rules(session: Session) -> list[dot.Rule]:
    """The rules the DOT check applies now (active rows only)."""
    rows = session.scalars(select(DotRegulation).where(DotRegulation.is_active.is_(True))
                           .order_by(DotRegulation.id))
    return dot.rules_from_rows(list(rows))


def list_dot_regulations(session: Session, actor: Actor) -> list[DotRegulation]:
    """Every DOT rule, active or not, in the order they were added."""
    require(actor, "charters:read")
    if not actor.is_staff:
        require(actor, "dot_regulations:manage")
    return list(session.scalars(select(DotRegulation).order_by(DotRegulation.id)))


def update_dot_regulation(session: Session, actor: Actor, regulation_id: int, **changes) -> DotRegulation:
    """Tune a DOT rule (limit, whether a second driver fixes it, wording, on or off); audited."""
    require(actor, "dot_regulations:manage")
    rule = session.get(DotRegulation, regulation_id)
    if rule is None:
        raise NotFound(f"No DOT regulation {regulation_id}.")
    unknown = set(changes) - REGULATION_FIELDS
    if unknown:
        raise TypeError(f"unknown regulation fields: {sorted(unknown)}")
    for key in ("regulation_name", "threshold_value", "requires_second_driver", "is_active"):
        if key in changes and changes[key] is None:
            raise Invalid.field(key, f"{key} cannot be empty.")
    if "threshold_value" in changes:
        limit = Decimal(str(changes["threshold_value"]))
        changes["threshold_value"] = limit.quantize(HUNDREDTH, ROUND_HALF_UP)
        if changes["threshold_value"] <= 0:
            raise Invalid.field("threshold_value", "The limit must be more than 0.")
    if isinstance(changes.get("regulation_name"), str):
        changes["regulation_name"] = changes["regulation_name"].strip()
        taken = session.scalar(select(DotRegulation.id).where(
            DotRegulation.regulation_name == changes["regulation_name"], DotRegulation.id != rule.id))
        if taken is not None:
            raise Invalid.field("regulation_name", "Another rule has this name.")
    old = audit.snapshot(rule)
    for key, value in changes.items():
        setattr(rule, key, value)
    session.flush()
    new = audit.snapshot(rule)
    if any(old[k] != new[k] for k in new if k != "updated_at"):
        audit.record(session, actor, entity_type="dot_regulation", entity_id=rule.id, action="update",
                     old=old, new=new)
    return rule


# ---------------------------------------------------------------- checking

def evaluate(session: Session, plan: RoutePlan, *, trip_days: int = 1) -> dot.DotResult:
    """The DOT check of a planned route over trip_days calendar days, with the active rules."""
    days = dot.duty_days_for(plan, trip_days=max(1, min(trip_days, MAX_TRIP_DAYS)))
    return dot.check(days, active_rules(session))


def result_data(result: dot.DotResult, *, complete: bool = True) -> dict[str, Any]:
    """A DOT result as JSON-safe data (stored in charters.dot_result and returned by the API)."""
    return {
        "compliant": result.compliant,
        "requires_second_driver": result.requires_second_driver,
        "requires_overnight_rest": result.requires_overnight_rest,
        "violations": [{"regulation_name": v.regulation_name, "limit": str(v.limit), "actual": str(v.actual),
                        "unit": v.unit, "message": v.message, "day": v.day,
                        "second_driver_fixes": v.second_driver_fixes} for v in result.violations],
        "explanation": result.explanation if complete else (
            result.explanation + " Some stops have no coordinates yet, so the route is incomplete and the "
            "real trip may be longer."),
        "route_complete": complete,
    }


def _totals(plan: RoutePlan) -> dict[str, Any]:
    return {"live_miles": plan.live_miles, "deadhead_miles": plan.deadhead_miles,
            "total_miles": plan.total_miles, "driving_minutes": plan.driving_minutes,
            "total_minutes": plan.total_minutes, "total_hours": plan.total_hours}


def check_charter_compliance(session: Session, actor: Actor, charter_id: int) -> dict[str, Any]:
    """The DOT check of a saved charter's itinerary as it stands, with its route totals."""
    from coachway.charters.service import _common, itinerary

    require(actor, "charters:read")
    charter = _common.find(session, actor, charter_id)
    stops = itinerary.stops_of(session, charter.id)
    if not stops:
        raise Invalid.field("charter_id", f"Charter {charter.id} has no itinerary to check yet.")
    plan, hub, _ = itinerary.plan_for(session, charter, stops)
    result = evaluate(session, plan, trip_days=_common.trip_days(charter, hub.timezone))
    return {**result_data(result, complete=plan.complete), "charter_id": charter.id, "route": _totals(plan)}


def _trip_point(index: int, stop: dict[str, Any], geocoder) -> Point:
    lat, lon = stop.get("latitude"), stop.get("longitude")
    field = f"stops.{index}"
    if (lat is None) != (lon is None):
        raise Invalid.field(f"{field}.latitude", "Give both latitude and longitude, or neither.")
    if lat is None:
        address = (stop.get("address") or "").strip()
        if not address:
            raise Invalid.field(f"{field}.address", "Give an address or coordinates.")
        try:
            place = geocoder.geocode(address)
        except geocoding.GeocodingUnavailable as exc:
            raise Invalid.field(f"{field}.address", f"Geocoding is unavailable ({exc}); give coordinates.") \
                from None
        if place is None:
            raise Invalid.field(f"{field}.address", f"No place found for {address!r}.")
        lat, lon = place.latitude, place.longitude
    return Point(float(lat), float(lon), dwell_minutes=int(stop.get("dwell_minutes") or 0),
                 label=stop.get("address") or "")


def check_trip_compliance(session: Session, actor: Actor, *, stops: Sequence[dict[str, Any]], start: datetime,
                          trip_days: int = 1, hub_id: int | None = None) -> dict[str, Any]:
    """The DOT check of an ad-hoc trip (addresses are looked up; hub_id adds the deadhead legs)."""
    from coachway.charters.service import _common, itinerary

    require(actor, "charters:create")
    if not stops:
        raise Invalid.field("stops", "Give at least one stop.")
    if not 1 <= trip_days <= MAX_TRIP_DAYS:
        raise Invalid.field("trip_days", f"A trip is 1 to {MAX_TRIP_DAYS} days.")
    hub = _common.hub_of(session, hub_id) if hub_id is not None else None
    geocoder = geocoding.geocoder()
    points = [_trip_point(i, stop, geocoder) for i, stop in enumerate(stops)]
    plan = plan_route(points, start=start, hub=itinerary.hub_point(hub))
    result = evaluate(session, plan, trip_days=trip_days)
    return {**result_data(result), "charter_id": None, "route": _totals(plan)}


def check_dot_compliance(session: Session, actor: Actor, *, charter_id: int | None = None,
                         stops: Sequence[dict[str, Any]] | None = None, start: datetime | None = None,
                         trip_days: int = 1, hub_id: int | None = None) -> dict[str, Any]:
    """Check a saved charter (charter_id) or an ad-hoc trip (stops and start) against the DOT rules."""
    if charter_id is not None:
        if stops is not None:
            raise Invalid.field("stops", "Give either charter_id or stops, not both.")
        return check_charter_compliance(session, actor, charter_id)
    if stops is None:
        raise Invalid.field("charter_id", "Give a charter_id, or the stops and start of a trip.")
    if start is None:
        raise Invalid.field("start", "Give the time the trip starts.")
    return check_trip_compliance(session, actor, stops=stops, start=start, trip_days=trip_days, hub_id=hub_id)


def describe_violations(result: dict[str, Any]) -> list[str]:
    """The messages of a stored DOT result, for pages and notes."""
    return [v["message"] for v in (result or {}).get("violations", [])]

