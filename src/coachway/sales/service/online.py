"""Online enquiries from the public calculator: pricing a prospect's trip as the pricing service does, and
turning the request into an `online` lead with what was estimated.

The estimate is the pricing service's own calculation (calculate_quote, as the system) of the trip from the
pickup and destination addresses, looked up and routed from the chosen hub. Only what a client may see is
kept (never the vendor cost or margin); a route that cannot be mapped is no dead end: the request still
becomes a lead, which then carries no estimate.
"""

import math
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from coachway.core import clock
from coachway.core.errors import Invalid
from coachway.core.permissions import SYSTEM
from coachway.fleet import service as fleet_service
from coachway.pricing import service as pricing_service
from coachway.pricing.schemas import QuoteRequest
from coachway.sales.models import Lead
from coachway.sales.schemas_public import TRIP_TYPES, PublicContact, PublicTrip
from coachway.sales.service.leads import create_lead

MAX_YEARS_AHEAD = 3
# How the price's other lines are named for a prospect (modifier and promo names are internal words).
CHARGE_WORDS = {"deadhead": "Travel to and from our garage", "second_driver": "Second driver",
                "overnight": "Driver hotel and meals", "amenity": "Extras",
                "modifier": "Date and demand adjustment", "promo": "Discount", "fuel": "Fuel surcharge",
                "gratuity": "Driver gratuity"}


@dataclass(frozen=True)
class Estimate:
    """What the prospect is shown: the price and its vehicles, or (valid False) why there is none."""

    valid: bool
    message: str
    total: Decimal | None = None
    deposit: Decimal | None = None
    vehicles: tuple[dict[str, Any], ...] = ()
    charges: tuple[dict[str, Any], ...] = ()
    miles: Decimal | None = None
    hours: Decimal | None = None
    hub_name: str = ""


def money(value: Decimal | None) -> str:
    """$1,234.50."""
    return "" if value is None else f"${value:,.2f}"


def choices(session: Session) -> tuple[dict[int, Any], dict[int, Any]]:
    """The active hubs and vehicle types by id."""
    hubs = {h.id: h for h in fleet_service.list_hubs(session, SYSTEM, is_active=True)}
    types = {t.id: t for t in fleet_service.list_vehicle_types(session, SYSTEM, is_active=True)}
    return hubs, types


def date_problem(hub, day: date) -> str | None:
    """Why the trip cannot be on day at the hub (passed, or too far ahead), or None."""
    today = clock.now().astimezone(ZoneInfo(hub.timezone)).date()
    if day < today:
        return "Choose a date from today on."
    if day > today + timedelta(days=365 * MAX_YEARS_AHEAD):
        return f"We quote trips up to {MAX_YEARS_AHEAD} years ahead."
    return None


def _unpriceable(reason: str) -> Estimate:
    return Estimate(valid=False, message=reason)


def estimate_trip(session: Session, trip: PublicTrip) -> Estimate:
    """Price the trip as the pricing service does; Invalid naming the field when the trip itself is wrong
    (closed hub, past date, too many vehicles), an Estimate with valid False when it cannot be priced online
    (an address that is not found, no rate)."""
    hubs, types = choices(session)
    hub, vtype = hubs.get(trip.hub_id), types.get(trip.vehicle_type_id)
    errors = []
    if hub is None:
        errors.append({"field": "hub_id", "message": "Choose one of our locations."})
    if vtype is None:
        errors.append({"field": "vehicle_type_id", "message": "Choose one of our vehicles."})
    problem = date_problem(hub, trip.trip_date) if hub is not None else None
    if problem:
        errors.append({"field": "trip_date", "message": problem})
    quantity = 1
    if vtype is not None:
        quantity = max(1, math.ceil(trip.passenger_count / vtype.capacity)) if vtype.capacity else 1
        if quantity > 100:
            errors.append({"field": "passenger_count",
                           "message": f"That needs over 100 {vtype.name} vehicles: choose a larger vehicle."})
    if errors:
        raise Invalid("Please check the trip details.", errors=errors)
    stops = [trip.origin, trip.destination] + ([trip.origin] if trip.trip_type == "round_trip" else [])
    request = QuoteRequest(hub_id=hub.id, trip_date=trip.trip_date, trip_type=trip.trip_type,
                           passenger_count=trip.passenger_count,
                           vehicles=[{"vehicle_type_id": vtype.id, "quantity": quantity}],
                           stops=[{"address": address} for address in stops])
    try:
        quote = pricing_service.calculate_quote(session, SYSTEM, request)
    except Invalid as exc:
        fields = [str(e.get("field") or "") for e in exc.errors]
        if "trip_date" in fields:
            raise Invalid.field("trip_date", "Choose a date from today on.") from None
        stop = next((f for f in fields if f.startswith("stops.")), None)
        if stop is not None:
            index = int(stop.split(".")[1]) if stop.split(".")[1].isdigit() else 0
            address = stops[index] if index < len(stops) else trip.origin
            return _unpriceable(f"We couldn't find “{address}” on our map, so we can't work out the route "
                                "automatically.")
        return _unpriceable("We can't price this trip online.")
    return _shown(quote, vtype, quantity, hub)


def _shown(quote: dict[str, Any], vtype, quantity: int, hub) -> Estimate:
    """The client-facing part of a calculated quote: total, deposit, vehicles, other charges by kind."""
    vehicles, charges = [], {}
    for line in quote["lines"]:
        amount = Decimal(line["amount"])
        if line["kind"] == "vehicle":
            vehicles.append({"name": vtype.name, "capacity": vtype.capacity, "quantity": quantity,
                             "amount": amount})
        else:
            label = CHARGE_WORDS.get(line["kind"], "Other charges")
            charges[label] = charges.get(label, Decimal(0)) + amount
    inputs = quote.get("inputs") or {}
    return Estimate(valid=True, message="Estimated from our current rates.", total=Decimal(quote["total"]),
                    deposit=Decimal(quote["deposit"]), vehicles=tuple(vehicles),
                    charges=tuple({"label": k, "amount": v} for k, v in charges.items() if v),
                    miles=Decimal(inputs["miles"]) if "miles" in inputs else None,
                    hours=Decimal(inputs["hours"]) if "hours" in inputs else None, hub_name=hub.name)


def _lead_notes(trip: PublicTrip, estimate: Estimate, said: str | None) -> str:
    """The lead's notes: what was estimated online (or why nothing was), then the prospect's own words."""
    route = f"{trip.origin} → {trip.destination}" + (" and back" if trip.trip_type == "round_trip" else "")
    if estimate.valid:
        fleet = ", ".join(f"{v['quantity']} × {v['name']}" for v in estimate.vehicles)
        head = (f"Online estimate {money(estimate.total)} (deposit {money(estimate.deposit)}) for {fleet}, "
                f"{TRIP_TYPES[trip.trip_type].lower()}: {route}, about {estimate.miles} miles and "
                f"{estimate.hours} hours.")
    else:
        head = f"No online estimate ({estimate.message}) Route: {route}."
    return head + (f"\n\nFrom the prospect:\n{said}" if said else "")


def request_quote(session: Session, trip: PublicTrip, contact: PublicContact) -> tuple[Lead, Estimate]:
    """A prospect's request: the trip priced again here (never trusted from the browser), then an `online`
    lead routed like any other, carrying the estimate as its value and in its notes."""
    estimate = estimate_trip(session, trip)
    vehicle_type = choices(session)[1][trip.vehicle_type_id]
    lead = create_lead(
        session, SYSTEM, source="online", first_name=contact.first_name, last_name=contact.last_name,
        email=contact.email, phone=contact.phone, company=contact.company, trip_date=trip.trip_date,
        origin=trip.origin, destination=trip.destination, passenger_count=trip.passenger_count,
        vehicle_type=vehicle_type.name[:50], trip_type=trip.trip_type, hub_id=trip.hub_id,
        estimated_value=estimate.total if estimate.valid else None,
        notes=_lead_notes(trip, estimate, contact.notes))
    return lead, estimate
