"""Pricing a trip: gathering the inputs (rates, amenities, modifiers, promo code, policy) and calculating.

build_inputs + price are what other domains call (charters prices a saved charter with them);
calculate_quote is the ad-hoc calculator behind POST /api/v1/calculate-quote.
"""

from dataclasses import dataclass, replace
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from coachway.core import clock
from coachway.core.errors import Invalid
from coachway.core.permissions import Actor, require
from coachway.integrations import geocoding
from coachway.pricing import engine
from coachway.pricing.models import Amenity
from coachway.pricing.schemas import QuoteRequest
from coachway.pricing.service._common import hub_of, sees_internal
from coachway.pricing.service.config import pricing_policy
from coachway.pricing.service.modifiers import active_modifiers
from coachway.pricing.service.promos import check_promo
from coachway.pricing.service.rates import resolve_rate

# A quote without a pickup time is priced as if the trip started at this local time.
DEFAULT_PICKUP = time(8, 0)
MAX_DAYS = 60
HUNDREDTH = Decimal("0.01")
TENTH = Decimal("0.1")


@dataclass(frozen=True)
class PricingInputs:
    """Everything a price is calculated from; promo_problem says why the promo code given is not applied."""

    trip: engine.Trip
    policy: engine.Policy
    modifiers: tuple[engine.Modifier, ...]
    promo: engine.Promo | None = None
    promo_problem: str | None = None
    notes: tuple[str, ...] = ()


def _amenity_lines(session: Session, amenities: list[tuple[int, int]]) -> tuple[engine.AmenityLine, ...]:
    ids = [amenity_id for amenity_id, _ in amenities]
    rows = {a.id: a for a in session.scalars(select(Amenity).where(Amenity.id.in_(ids)))} if ids else {}
    lines = []
    for amenity_id, quantity in amenities:
        row = rows.get(amenity_id)
        if row is None:
            raise Invalid.field("amenities", f"There is no amenity {amenity_id}.")
        if not row.is_active:
            raise Invalid.field("amenities", f"{row.name} is no longer offered.")
        lines.append(engine.AmenityLine(amenity_id=row.id, name=row.name, pricing_type=row.pricing_type,
                                        base_price=row.base_price, quantity=quantity))
    return tuple(lines)


def build_inputs(session: Session, *, hub_id: int, trip_date: date, trip_type: str, passengers: int,
                 hours: Decimal, miles: Decimal, days: int = 1, deadhead_miles: Decimal = Decimal(0),
                 requires_second_driver: bool = False, event_type: str | None = None,
                 lead_time_hours: Decimal | None = None, vehicles: list[tuple[int, int]],
                 amenities: list[tuple[int, int]] = (), promo_code: str | None = None) -> PricingInputs:
    """Gather what pricing a trip needs: each vehicle type's rate at the hub, the amenities (Invalid on
    "amenities" when unknown or no longer offered), the active modifiers, the policy and the promo code.

    vehicles and amenities are (id, quantity) pairs. A promo code that cannot be used does not fail: it is
    left out and promo_problem says why. No permission check: the caller decides who may price.
    """
    hub = hub_of(session, hub_id)
    notes: list[str] = []
    lines = []
    for i, (type_id, quantity) in enumerate(vehicles):
        rate = resolve_rate(session, hub.id, type_id, notes=notes, field=f"vehicles.{i}.vehicle_type_id")
        lines.append(engine.VehicleLine(rate=rate, quantity=quantity))
    trip = engine.Trip(
        trip_date=trip_date, trip_type=trip_type, passengers=passengers, hours=Decimal(hours),
        miles=Decimal(miles), vehicles=tuple(lines), days=days, deadhead_miles=Decimal(deadhead_miles),
        requires_second_driver=requires_second_driver, hub_code=hub.code,
        event_type=event_type.strip().lower() if event_type and event_type.strip() else None,
        lead_time_hours=Decimal(lead_time_hours) if lead_time_hours is not None else None,
        amenities=_amenity_lines(session, list(amenities)))
    promo, problem = None, None
    if promo_code and promo_code.strip():
        found = check_promo(session, promo_code, on=trip_date, trip_type=trip_type,
                            vehicle_type_codes=[line.rate.vehicle_type_code for line in lines])
        promo, problem = (found.promo, None) if found.valid else (None, found.reason)
    return PricingInputs(trip=trip, policy=pricing_policy(session), modifiers=active_modifiers(session),
                         promo=promo, promo_problem=problem, notes=tuple(notes))


def price(inputs: PricingInputs) -> engine.Quote:
    """The quote for the inputs; the reason a promo code was refused and the notes come along."""
    quote = engine.calculate(inputs.trip, inputs.policy, inputs.modifiers, inputs.promo)
    return replace(quote, promo_problem=inputs.promo_problem or quote.promo_problem,
                   notes=(*inputs.notes, *quote.notes))


# ---------------------------------------------------------------- the ad-hoc calculator

def trip_days(trip_date: date, end_date: date | None) -> int:
    """Calendar days from trip_date to end_date, both counted (1 without an end date)."""
    return 1 if end_date is None else (end_date - trip_date).days + 1


def lead_time(trip_date: date, pickup_time: time | None, timezone: str) -> Decimal:
    """Hours from now to the pickup (local to the hub; 08:00 without a time), to the hundredth; 0 if past."""
    start = datetime.combine(trip_date, pickup_time or DEFAULT_PICKUP, tzinfo=ZoneInfo(timezone))
    seconds = Decimal(str((start - clock.now()).total_seconds()))
    return max(Decimal(0), (seconds / 3600).quantize(HUNDREDTH, ROUND_HALF_UP))


def _route(session: Session, request: QuoteRequest, hub) -> dict[str, Any]:
    """Live miles and hours and deadhead miles of the request's stops, looked up and routed from the hub."""
    from coachway.charters.routing import Point, plan_route

    geocoder = geocoding.geocoder()
    points = []
    for i, stop in enumerate(request.stops or ()):
        try:
            place = geocoder.geocode(stop.address)
        except geocoding.GeocodingUnavailable as exc:
            raise Invalid.field(f"stops.{i}.address", f"Addresses cannot be looked up now ({exc}); give "
                                "miles and hours instead.") from None
        if place is None:
            raise Invalid.field(f"stops.{i}.address", f"No place found for {stop.address!r}.")
        points.append(Point(float(place.latitude), float(place.longitude), stop.dwell_minutes, stop.address))
    garage = (Point(float(hub.latitude), float(hub.longitude), 0, hub.code)
              if hub.latitude is not None and hub.longitude is not None else None)
    start = datetime.combine(request.trip_date, request.pickup_time or DEFAULT_PICKUP,
                             tzinfo=ZoneInfo(hub.timezone))
    plan = plan_route(points, start=start, hub=garage)
    # Billed hours are the passengers' time: the live legs and the time at the stops, not the empty legs.
    live_minutes = sum(leg.minutes for leg in plan.legs if not leg.deadhead) + sum(plan.dwell_minutes)
    return {"miles": plan.live_miles, "deadhead_miles": plan.deadhead_miles,
            "hours": (Decimal(live_minutes) / 60).quantize(TENTH, ROUND_HALF_UP)}


def _check_request(request: QuoteRequest, hub) -> None:
    given = request.miles is not None or request.hours is not None
    if request.stops is not None and given:
        raise Invalid.field("stops", "Give either miles and hours, or stops, not both.")
    if request.stops is None:
        for key in ("miles", "hours"):
            if getattr(request, key) is None:
                raise Invalid.field(key, f"Give the trip's {key} (or its stops instead).")
    if request.end_date is not None and request.end_date < request.trip_date:
        raise Invalid.field("end_date", "The trip cannot end before it starts.")
    if trip_days(request.trip_date, request.end_date) > MAX_DAYS:
        raise Invalid.field("end_date", f"A trip is at most {MAX_DAYS} days.")
    today = clock.now().astimezone(ZoneInfo(hub.timezone)).date()
    if request.trip_date < today:
        raise Invalid.field("trip_date", f"The trip date has passed (it is {today.isoformat()} at the hub).")


def calculate_quote(session: Session, actor: Actor, request: QuoteRequest) -> dict[str, Any]:
    """Price a trip that is not saved: the breakdown, total, deposit and balance (and for staff who may see
    them, the estimated vendor cost and margin), with the miles, hours and days it was priced on."""
    require(actor, "pricing:quote")
    hub = hub_of(session, request.hub_id)
    _check_request(request, hub)
    if request.stops is not None:
        route = _route(session, request, hub)
    else:
        route = {"miles": request.miles, "hours": request.hours, "deadhead_miles": Decimal(0)}
    days = trip_days(request.trip_date, request.end_date)
    lead = lead_time(request.trip_date, request.pickup_time, hub.timezone)
    inputs = build_inputs(
        session, hub_id=hub.id, trip_date=request.trip_date, trip_type=request.trip_type,
        passengers=request.passenger_count, hours=route["hours"], miles=route["miles"], days=days,
        deadhead_miles=route["deadhead_miles"], requires_second_driver=request.requires_second_driver,
        event_type=request.event_type, lead_time_hours=lead,
        vehicles=[(v.vehicle_type_id, v.quantity) for v in request.vehicles],
        amenities=[(a.amenity_id, a.quantity) for a in request.amenities], promo_code=request.promo_code)
    quote = price(inputs)
    return quote.as_dict(internal=sees_internal(actor)) | {"inputs": {
        "miles": str(route["miles"]), "hours": str(route["hours"]), "days": days,
        "deadhead_miles": str(route["deadhead_miles"]), "lead_time_hours": str(lead),
        "requires_second_driver": request.requires_second_driver}}
