"""A quote's price: the amenities on it, its promo code, and calculating the price with the pricing engine.

The price is saved with its breakdown and every input the engine used (rates, amenities, modifiers, promo,
policy), so an issued quote reads the same when rates change later, until it is calculated again. Only an
open quote (status quote, not replaced by a revision) is priced: a booking's price is fixed.

Changes to a priced quote's itinerary, vehicles or trip details recalculate it when they touch what it is
priced on (reprice_if_priced), so the saved price always describes the quote as it stands; a new note or
stop instruction leaves the issued price, and the rates it used, alone.
"""

from dataclasses import replace
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from coachway.charters.models import Charter, CharterVehicle
from coachway.charters.service._common import (
    check_editable,
    find,
    find_for_change,
    hub_of,
    route_start,
    trip_days,
)
from coachway.core import audit, clock
from coachway.core.errors import Conflict, Invalid, NotFound
from coachway.core.money import to_money
from coachway.core.permissions import SYSTEM, Actor, require
from coachway.pricing import engine
from coachway.pricing import service as pricing_service
from coachway.pricing.models import Amenity, CharterAmenity, PromoCode

MAX_AMENITY_QUANTITY = 100
NOT_ROUTED = "itinerary not routed yet"
NO_VEHICLES = "Add at least one vehicle before pricing the quote."
# The charter columns a calculation writes (the audit log keeps their old and new values).
PRICE_FIELDS = ("quoted_price", "deposit_amount", "balance_amount", "estimated_vendor_cost", "priced_at",
                "promo_code_id")
# Lines the promo discount is taken from: the trip price after modifiers (fuel and gratuity come after it).
PRE_PROMO_KINDS = {"vehicle", "deadhead", "second_driver", "overnight", "amenity", "modifier"}
HOURS = Decimal("0.01")
TENTH = Decimal("0.1")


# ---------------------------------------------------------------- who may see what

def sees_internal(actor: Actor) -> bool:
    """True when the actor may read vendor cost, margin and the pricing inputs (never a client)."""
    return actor.role != "client" and ("*" in actor.permissions or actor.can("charters:read_internal"))


def client_quote(quote: dict[str, Any] | None) -> dict[str, Any] | None:
    """A saved quote as a client may see it: its lines and totals, without vendor cost and margin."""
    if quote is None:
        return None
    return {k: v for k, v in quote.items() if k not in ("estimated_vendor_cost", "margin")}


def saved_quote(actor: Actor, charter: Charter) -> dict[str, Any] | None:
    """The quote saved with the charter's price, as the actor may see it (None when not priced)."""
    quote = (charter.price_breakdown or {}).get("quote")
    return quote if sees_internal(actor) else client_quote(quote)


# ---------------------------------------------------------------- checks

def check_priceable(charter: Charter) -> None:
    """Conflict unless the charter is an open quote: a booking's price is fixed, history never changes."""
    check_editable(charter)
    if charter.status != "quote":
        raise Conflict(f"Charter {charter.id} is {charter.status}: its price is fixed; changes go through a "
                       "change case.",
                       errors=[{"field": "status", "message": f"The charter is {charter.status}."}])


def _check_quantity(quantity: Any) -> None:
    if isinstance(quantity, bool) or not isinstance(quantity, int) \
            or not 1 <= quantity <= MAX_AMENITY_QUANTITY:
        raise Invalid.field("quantity", f"Quantity is 1 to {MAX_AMENITY_QUANTITY}.")


def _amenity(session: Session, amenity_id: int) -> Amenity:
    try:
        return pricing_service.get_amenity(session, SYSTEM, amenity_id)
    except NotFound:
        raise Invalid.field("amenity_id", f"There is no amenity {amenity_id}.") from None


# ---------------------------------------------------------------- a charter's amenities

def _amenity_rows(session: Session, charter_id: int) -> list[tuple[CharterAmenity, Amenity]]:
    rows = session.execute(select(CharterAmenity, Amenity)
                           .join(Amenity, Amenity.id == CharterAmenity.amenity_id)
                           .where(CharterAmenity.charter_id == charter_id)
                           .order_by(Amenity.display_order, Amenity.name, CharterAmenity.id))
    return [(row, amenity) for row, amenity in rows]


def _amenity_view(row: CharterAmenity, amenity: Amenity) -> dict[str, Any]:
    return {"amenity_id": row.amenity_id, "name": amenity.name, "category": amenity.category,
            "pricing_type": amenity.pricing_type, "quantity": row.quantity,
            "price_per_unit": row.price_per_unit, "total_price": row.total_price}


def amenities_of(session: Session, charter_id: int) -> list[dict[str, Any]]:
    """A charter's amenities with their names and last calculated prices (no permission check)."""
    return [_amenity_view(row, amenity) for row, amenity in _amenity_rows(session, charter_id)]


def list_charter_amenities(session: Session, actor: Actor, charter_id: int) -> list[dict[str, Any]]:
    """The amenities on a charter the actor may see, with quantity and price as last calculated."""
    require(actor, "charters:read")
    return amenities_of(session, find(session, actor, charter_id).id)


def add_charter_amenity(session: Session, actor: Actor, charter_id: int, amenity_id: int,
                        quantity: int = 1) -> dict[str, Any]:
    """Put an amenity on a quote (one already there takes the new quantity), then price the quote again."""
    charter = find_for_change(session, actor, charter_id)
    check_priceable(charter)
    _check_quantity(quantity)
    amenity = _amenity(session, amenity_id)
    row = session.scalar(select(CharterAmenity).where(CharterAmenity.charter_id == charter.id,
                                                      CharterAmenity.amenity_id == amenity.id))
    if row is None:
        if not amenity.is_active:
            raise Invalid.field("amenity_id", f"{amenity.name} is no longer offered.")
        row = CharterAmenity(charter_id=charter.id, amenity_id=amenity.id, quantity=quantity,
                             added_at=clock.now())
        session.add(row)
        session.flush()
        audit.record(session, actor, entity_type="charter_amenity", entity_id=row.id, action="create",
                     new=audit.snapshot(row))
    elif row.quantity != quantity:
        old = audit.snapshot(row)
        row.quantity = quantity
        session.flush()
        audit.record(session, actor, entity_type="charter_amenity", entity_id=row.id, action="update",
                     old=old, new=audit.snapshot(row))
    reprice(session, actor, charter)
    return _amenity_view(row, amenity)


def remove_charter_amenity(session: Session, actor: Actor, charter_id: int, amenity_id: int) -> None:
    """Take an amenity off a quote (the audit log keeps it), then price the quote again."""
    charter = find_for_change(session, actor, charter_id)
    check_priceable(charter)
    row = session.scalar(select(CharterAmenity).where(CharterAmenity.charter_id == charter.id,
                                                      CharterAmenity.amenity_id == amenity_id))
    if row is None:
        raise NotFound(f"Charter {charter.id} has no amenity {amenity_id}.")
    old = audit.snapshot(row)
    session.delete(row)
    session.flush()
    audit.record(session, actor, entity_type="charter_amenity", entity_id=old["id"], action="delete", old=old)
    reprice(session, actor, charter)


# ---------------------------------------------------------------- calculating

def _vehicle_lines(session: Session, charter_id: int) -> list[tuple[int, int]]:
    rows = session.execute(select(CharterVehicle.vehicle_type_id, CharterVehicle.quantity)
                           .where(CharterVehicle.charter_id == charter_id).order_by(CharterVehicle.id))
    return [(type_id, quantity) for type_id, quantity in rows]


def _redeemed_promo(session: Session, charter: Charter) -> engine.Promo | None:
    """The promo code the charter redeemed, as the engine takes it.

    Its use is already counted, so a code used up (by this very charter, among others) or past its dates
    since keeps applying; the engine still checks its trip, vehicle and minimum-amount conditions.
    """
    if charter.promo_code_id is None:
        return None
    row = session.get(PromoCode, charter.promo_code_id)
    return pricing_service.engine_promo(row) if row is not None else None


def _trip_figures(session: Session, charter: Charter) -> tuple[Decimal, Decimal, Decimal, list[str]]:
    """(hours, live miles, deadhead miles, notes) of the charter's route.

    As the pricing calculator does, the hours billed are the passengers' time (live legs and time at the
    stops) and the empty miles to and from the garage are deadhead. A quote whose route is not planned yet
    (stops without coordinates, or none) is priced on its time alone, and says so.
    """
    # Imported here: the itinerary and vehicle changes call back into this module to re-price.
    from coachway.charters.service.itinerary import plan_for
    from coachway.charters.service.vehicles import charter_hours

    plan, _, stops = plan_for(session, charter)
    if not stops or not plan.complete or plan.live_miles <= 0:
        return charter_hours(charter), Decimal(0), Decimal(0), [NOT_ROUTED]
    live_minutes = sum(leg.minutes for leg in plan.legs if not leg.deadhead) + sum(plan.dwell_minutes)
    hours = (Decimal(live_minutes) / 60).quantize(TENTH, ROUND_HALF_UP)
    return max(hours, TENTH), Decimal(plan.live_miles), Decimal(plan.deadhead_miles), []


def _lead_time_hours(charter: Charter, timezone: str) -> Decimal:
    """Hours from now to the first pickup (0 once it has passed), as the calculator counts them."""
    seconds = (route_start(charter, timezone) - clock.now()).total_seconds()
    return max(Decimal(0), (Decimal(int(seconds)) / 3600).quantize(HOURS, ROUND_HALF_UP))


def _inputs(session: Session, charter: Charter, *, with_promo: bool = True):
    """The pricing inputs of a charter as it stands (with its redeemed promo code unless with_promo=False)."""
    vehicles = _vehicle_lines(session, charter.id)
    if not vehicles:
        raise Invalid.field("vehicles", NO_VEHICLES)
    hub = hub_of(session, charter.hub_id)
    hours, miles, deadhead, notes = _trip_figures(session, charter)
    amenities = [(row.amenity_id, row.quantity) for row, _ in _amenity_rows(session, charter.id)]
    inputs = pricing_service.build_inputs(
        session, hub_id=charter.hub_id, trip_date=charter.trip_date, trip_type=charter.trip_type,
        passengers=charter.passenger_count, hours=hours, miles=miles, days=trip_days(charter, hub.timezone),
        deadhead_miles=deadhead, requires_second_driver=bool(charter.requires_second_driver),
        event_type=charter.event_type, lead_time_hours=_lead_time_hours(charter, hub.timezone),
        vehicles=vehicles, amenities=amenities, promo_code=None)
    promo = _redeemed_promo(session, charter) if with_promo else None
    return (replace(inputs, promo=promo) if promo is not None else inputs), notes


def _notes(*groups) -> list[str]:
    out: list[str] = []
    for group in groups:
        for note in group or ():
            if note and note not in out:
                out.append(note)
    return out


def _price(session: Session, charter: Charter) -> tuple[engine.Quote, dict[str, Any], dict[str, Any]]:
    """(quote, its data, its inputs' data) of the charter as it stands."""
    inputs, notes = _inputs(session, charter)
    quote = pricing_service.price(inputs)
    data = quote.as_dict(internal=True)
    data["notes"] = _notes(notes, getattr(inputs, "notes", ()), data["notes"])
    return quote, data, engine.inputs_to_dict(inputs.trip, inputs.policy, inputs.modifiers, inputs.promo)


def _price_state(charter: Charter) -> dict[str, Any]:
    snap = audit.snapshot(charter)
    return {key: snap[key] for key in PRICE_FIELDS}


def _save(session: Session, actor: Actor, charter: Charter, quote: engine.Quote, data: dict[str, Any],
          inputs: dict[str, Any], now: datetime) -> None:
    old = _price_state(charter)
    charter.quoted_price, charter.deposit_amount = quote.total, quote.deposit
    charter.balance_amount, charter.estimated_vendor_cost = quote.balance, quote.estimated_vendor_cost
    charter.price_breakdown = {"quote": data, "inputs": inputs}
    charter.priced_at = now
    amounts = {line.ref_id: line.amount for line in quote.lines if line.kind == "amenity"}
    rates = {a["amenity_id"]: a["base_price"] for a in inputs["trip"].get("amenities", ())}
    for row, _ in _amenity_rows(session, charter.id):
        row.total_price = amounts.get(row.amenity_id)
        rate = rates.get(row.amenity_id)
        row.price_per_unit = to_money(Decimal(rate)) if rate is not None else None
    session.flush()
    audit.record(session, actor, entity_type="charter", entity_id=charter.id, action="price", old=old,
                 new=_price_state(charter))


def _clear_price(session: Session, actor: Actor, charter: Charter) -> None:
    """Forget a price that no longer describes the quote (its last vehicle was taken off)."""
    if charter.priced_at is None:
        return
    old = _price_state(charter)
    charter.quoted_price = charter.deposit_amount = charter.balance_amount = None
    charter.estimated_vendor_cost = charter.price_breakdown = charter.priced_at = None
    for row, _ in _amenity_rows(session, charter.id):
        row.price_per_unit = row.total_price = None
    session.flush()
    audit.record(session, actor, entity_type="charter", entity_id=charter.id, action="price", old=old,
                 new=_price_state(charter))


def _calculation(actor: Actor, data: dict[str, Any], inputs: dict[str, Any],
                 priced_at: datetime | None) -> dict[str, Any]:
    internal = sees_internal(actor)
    return {"quote": data if internal else client_quote(data), "inputs": inputs if internal else None,
            "priced_at": priced_at}


def price_charter(session: Session, actor: Actor, charter: Charter) -> dict[str, Any]:
    """Calculate and save the price of a quote already found for change (the caller checked it may be)."""
    quote, data, inputs = _price(session, charter)
    now = clock.now()
    _save(session, actor, charter, quote, data, inputs, now)
    return _calculation(actor, data, inputs, now)


def reprice(session: Session, actor: Actor, charter: Charter) -> dict[str, Any] | None:
    """Price a quote after a change of what it is priced on; without vehicles it has no price (cleared)."""
    if not _vehicle_lines(session, charter.id):
        _clear_price(session, actor, charter)
        return None
    return price_charter(session, actor, charter)


def _event(value: str | None) -> str | None:
    return value.strip().lower() if value and value.strip() else None


def _saved_basis(inputs: dict[str, Any]) -> tuple:
    """What the charter contributed to a saved price (not the rates, policy or lead time)."""
    trip = inputs["trip"]
    return (trip["trip_date"], trip["trip_type"], trip["passengers"], Decimal(trip["hours"]),
            Decimal(trip["miles"]), trip["days"], Decimal(trip["deadhead_miles"]),
            bool(trip["requires_second_driver"]), trip["hub_code"], _event(trip["event_type"]),
            tuple((v["rate"]["vehicle_type_id"], v["quantity"]) for v in trip["vehicles"]),
            tuple((a["amenity_id"], a["quantity"]) for a in trip.get("amenities") or ()),
            (inputs.get("promo") or {}).get("id"))


def _current_basis(session: Session, charter: Charter) -> tuple:
    """The same as _saved_basis, of the charter as it stands now."""
    hub = hub_of(session, charter.hub_id)
    hours, miles, deadhead, _ = _trip_figures(session, charter)
    amenities = tuple((row.amenity_id, row.quantity) for row, _ in _amenity_rows(session, charter.id))
    return (charter.trip_date.isoformat(), charter.trip_type, charter.passenger_count, hours, miles,
            trip_days(charter, hub.timezone), deadhead, bool(charter.requires_second_driver), hub.code,
            _event(charter.event_type), tuple(_vehicle_lines(session, charter.id)), amenities,
            charter.promo_code_id)


def reprice_if_priced(session: Session, actor: Actor, charter: Charter) -> dict[str, Any] | None:
    """After a change to a quote's trip, itinerary or vehicles: recalculate its price if it has one and the
    change touched what it is priced on (a new note leaves an issued price, and the rates it used, alone)."""
    if charter.priced_at is None or charter.status != "quote" or charter.superseded_by_id is not None:
        return None
    if not _vehicle_lines(session, charter.id):
        _clear_price(session, actor, charter)
        return None
    inputs = (charter.price_breakdown or {}).get("inputs")
    try:
        unchanged = inputs is not None and _saved_basis(inputs) == _current_basis(session, charter)
    except (KeyError, TypeError, ArithmeticError):
        unchanged = False  # a breakdown saved in an older shape: price again
    return None if unchanged else price_charter(session, actor, charter)


def calculate_charter(session: Session, actor: Actor, charter_id: int, *,
                      save: bool = True) -> dict[str, Any]:
    """Price a quote from its trip, route, vehicles, amenities and promo code.

    save=True stores the price, deposit, balance, vendor cost and the breakdown with its inputs (only an
    open quote is priced; 409 otherwise); save=False only shows what the price would be now.
    Returns {"quote": the breakdown, "inputs": what it used (staff only), "priced_at"}.
    """
    if save:
        charter = find_for_change(session, actor, charter_id)
        check_priceable(charter)
        return price_charter(session, actor, charter)
    require(actor, "charters:read")
    charter = find(session, actor, charter_id)
    _, data, inputs = _price(session, charter)
    return _calculation(actor, data, inputs, None)


# ---------------------------------------------------------------- promo code

def _pre_promo_amount(quote: engine.Quote) -> Decimal:
    return sum((line.amount for line in quote.lines if line.kind in PRE_PROMO_KINDS), Decimal(0))


def _used_up(session: Session, code: str) -> bool:
    """True when the code exists but has no uses left (a race lost to other bookings: 409, not 422)."""
    row = session.scalar(select(PromoCode).where(PromoCode.code == pricing_service.normalise_code(code)))
    return row is not None and row.max_uses is not None and row.uses_count >= row.max_uses


def _release(session: Session, actor: Actor, charter: Charter) -> None:
    if charter.promo_code_id is not None:
        pricing_service.release_promo(session, actor, charter.promo_code_id, charter.id)


def set_charter_promo(session: Session, actor: Actor, charter_id: int, code: str | None) -> dict[str, Any]:
    """Apply a promo code to a quote (replacing any other), or remove it with None; the quote is priced again.

    The code is checked for this trip (its date, type, vehicles and price before the discount) and redeemed
    at once: a code with no uses left is a 409, an invalid one a 422 with the reason; nothing changes then.
    """
    charter = find_for_change(session, actor, charter_id)
    check_priceable(charter)
    code = (code or "").strip() or None
    old = _price_state(charter)
    discount = None
    if code is None:
        _release(session, actor, charter)
        charter.promo_code_id = None
    else:
        inputs, _ = _inputs(session, charter, with_promo=False)
        amount = _pre_promo_amount(pricing_service.price(inputs))
        codes = sorted({line.rate.vehicle_type_code for line in inputs.trip.vehicles})
        result = pricing_service.check_promo(session, code, on=charter.trip_date, trip_type=charter.trip_type,
                                             vehicle_type_codes=codes, amount=amount)
        if not result.valid:
            if _used_up(session, code):
                raise Conflict(result.reason, errors=[{"field": "promo_code", "message": result.reason}])
            raise Invalid.field("promo_code", result.reason)
        discount = result.discount_amount
        if charter.promo_code_id != result.promo.id:
            _release(session, actor, charter)
            pricing_service.redeem_promo(session, actor, result.promo.id, charter_id=charter.id,
                                         client_id=charter.client_id, discount_amount=discount)
            charter.promo_code_id = result.promo.id
    session.flush()
    if old["promo_code_id"] != charter.promo_code_id:
        audit.record(session, actor, entity_type="charter", entity_id=charter.id, action="promo_code",
                     old={"promo_code_id": old["promo_code_id"]},
                     new={"promo_code_id": charter.promo_code_id})
    calculation = reprice(session, actor, charter) or _calculation(actor, None, None, None)
    return {**calculation, "promo_code": code, "discount_amount": discount}
