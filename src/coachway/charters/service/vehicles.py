"""The vehicles a charter needs (types and quantities), and recommending a mix for a group."""

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from coachway.charters.models import Charter, CharterVehicle
from coachway.charters.recommend import VehicleOption, recommend
from coachway.charters.service._common import find, find_for_change, record_update
from coachway.charters.service.quoting import reprice_if_priced
from coachway.core import audit
from coachway.core.errors import Invalid, NotFound
from coachway.core.permissions import SYSTEM, Actor, require
from coachway.fleet import service as fleet_service

LINE_FIELDS = {"vehicle_type_id", "quantity", "vehicle_id", "notes"}
MAX_LINES = 20
MAX_QUANTITY = 100
DEFAULT_HOURS = Decimal(4)
MAX_HOURS = Decimal(720)
# Vehicles in these states cannot be promised to a trip.
UNAVAILABLE_VEHICLES = {"retired", "out_of_service"}
# How many vehicles a recommended mix may use: at least this many, and a couple more than the largest
# type needs for the group, but never more than the cap (the search grows quickly past it).
MIN_VEHICLES_CONSIDERED = 6
MAX_VEHICLES_CONSIDERED = 25


# ---------------------------------------------------------------- reading

def lines_of(session: Session, charter_id: int) -> list[CharterVehicle]:
    """A charter's vehicle lines (no permission check: for code that already found the charter)."""
    return list(session.scalars(select(CharterVehicle).where(CharterVehicle.charter_id == charter_id)
                                .order_by(CharterVehicle.id)))


def list_charter_vehicles(session: Session, actor: Actor, charter_id: int) -> list[CharterVehicle]:
    """The vehicle lines of a charter the actor may see."""
    require(actor, "charters:read")
    return lines_of(session, find(session, actor, charter_id).id)


def describe_vehicles(session: Session, lines: Sequence[CharterVehicle]) -> list[dict[str, Any]]:
    """Vehicle lines with their type's code, name and capacity (one query for all)."""
    types = {t.id: t for t in fleet_service.list_vehicle_types(session, SYSTEM)} if lines else {}
    out = []
    for line in lines:
        vtype = types.get(line.vehicle_type_id)
        out.append({"id": line.id, "charter_id": line.charter_id, "vehicle_type_id": line.vehicle_type_id,
                    "quantity": line.quantity, "vehicle_id": line.vehicle_id, "notes": line.notes,
                    "vehicle_type_code": vtype.code if vtype else None,
                    "vehicle_type_name": vtype.name if vtype else None,
                    "capacity": vtype.capacity if vtype else None})
    return out


# ---------------------------------------------------------------- checks

def _check_type(session: Session, type_id: int) -> None:
    try:
        vtype = fleet_service.get_vehicle_type(session, SYSTEM, type_id)
    except NotFound:
        raise Invalid.field("vehicle_type_id", f"There is no vehicle type {type_id}.") from None
    if not vtype.is_active:
        raise Invalid.field("vehicle_type_id", f"Vehicle type {vtype.code} is retired.")


def _check_vehicle(session: Session, vehicle_id: int, type_id: int, quantity: int) -> None:
    try:
        vehicle = fleet_service.get_vehicle(session, SYSTEM, vehicle_id)
    except NotFound:
        raise Invalid.field("vehicle_id", f"There is no vehicle {vehicle_id}.") from None
    if vehicle.vehicle_type_id != type_id:
        raise Invalid.field("vehicle_id", f"Vehicle {vehicle.unit_number} is not of this vehicle type.")
    if vehicle.status in UNAVAILABLE_VEHICLES:
        raise Invalid.field("vehicle_id", f"Vehicle {vehicle.unit_number} is {vehicle.status}.")
    if quantity != 1:
        raise Invalid.field("quantity", "A line naming one vehicle has quantity 1.")


def _check_quantity(quantity: Any) -> None:
    if quantity is None or not 1 <= quantity <= MAX_QUANTITY:
        raise Invalid.field("quantity", f"Quantity is 1 to {MAX_QUANTITY}.")


def recount(session: Session, charter: Charter) -> None:
    """Keep charters.vehicle_count equal to the sum of the charter's vehicle quantities."""
    session.flush()
    charter.vehicle_count = session.scalar(select(func.coalesce(func.sum(CharterVehicle.quantity), 0))
                                           .where(CharterVehicle.charter_id == charter.id)) or 0
    session.flush()


# ---------------------------------------------------------------- changing

def add_line(session: Session, actor: Actor, charter: Charter, *, vehicle_type_id: int, quantity: int = 1,
             vehicle_id: int | None = None, notes: str | None = None) -> CharterVehicle:
    """Add a vehicle line to a charter already found for change (the caller recounts)."""
    _check_quantity(quantity)
    _check_type(session, vehicle_type_id)
    if vehicle_id is not None:
        _check_vehicle(session, vehicle_id, vehicle_type_id, quantity)
    count = session.scalar(select(func.count()).where(CharterVehicle.charter_id == charter.id)) or 0
    if count >= MAX_LINES:
        raise Invalid.field("vehicles", f"A charter has at most {MAX_LINES} vehicle lines.")
    line = CharterVehicle(charter_id=charter.id, vehicle_type_id=vehicle_type_id, quantity=quantity,
                          vehicle_id=vehicle_id, notes=(notes or "").strip() or None)
    session.add(line)
    session.flush()
    audit.record(session, actor, entity_type="charter_vehicle", entity_id=line.id, action="create",
                 new=audit.snapshot(line))
    return line


def add_charter_vehicle(session: Session, actor: Actor, charter_id: int, *, vehicle_type_id: int,
                        quantity: int = 1, vehicle_id: int | None = None,
                        notes: str | None = None) -> CharterVehicle:
    """Add vehicles of one type to a charter (an agent's manual choice or part of a recommendation)."""
    charter = find_for_change(session, actor, charter_id)
    line = add_line(session, actor, charter, vehicle_type_id=vehicle_type_id, quantity=quantity,
                    vehicle_id=vehicle_id, notes=notes)
    recount(session, charter)
    reprice_if_priced(session, actor, charter)
    return line


def _line_of(session: Session, charter: Charter, line_id: int) -> CharterVehicle:
    line = session.scalar(select(CharterVehicle).where(CharterVehicle.id == line_id,
                                                       CharterVehicle.charter_id == charter.id))
    if line is None:
        raise NotFound(f"Charter {charter.id} has no vehicle line {line_id}.")
    return line


def update_charter_vehicle(session: Session, actor: Actor, charter_id: int, line_id: int,
                           **changes) -> CharterVehicle:
    """Change a vehicle line (type, quantity, the unit chosen, notes); only the given fields change."""
    charter = find_for_change(session, actor, charter_id)
    line = _line_of(session, charter, line_id)
    unknown = set(changes) - LINE_FIELDS
    if unknown:
        raise TypeError(f"unknown vehicle line fields: {sorted(unknown)}")
    if "vehicle_type_id" in changes:
        if changes["vehicle_type_id"] is None:
            raise Invalid.field("vehicle_type_id", "vehicle_type_id cannot be empty.")
        if changes["vehicle_type_id"] != line.vehicle_type_id:
            _check_type(session, changes["vehicle_type_id"])
    if "quantity" in changes:
        _check_quantity(changes["quantity"])
    type_id = changes.get("vehicle_type_id", line.vehicle_type_id)
    quantity = changes.get("quantity", line.quantity)
    vehicle_id = changes.get("vehicle_id", line.vehicle_id)
    if vehicle_id is not None and (changes.keys() & {"vehicle_id", "vehicle_type_id", "quantity"}):
        _check_vehicle(session, vehicle_id, type_id, quantity)
    if isinstance(changes.get("notes"), str):
        changes["notes"] = changes["notes"].strip() or None
    old = audit.snapshot(line)
    for key, value in changes.items():
        setattr(line, key, value)
    session.flush()
    record_update(session, actor, "charter_vehicle", line, old)
    recount(session, charter)
    reprice_if_priced(session, actor, charter)
    return line


def remove_charter_vehicle(session: Session, actor: Actor, charter_id: int, line_id: int) -> None:
    """Take a vehicle line off a charter (the audit log keeps it)."""
    charter = find_for_change(session, actor, charter_id)
    line = _line_of(session, charter, line_id)
    old = audit.snapshot(line)
    session.delete(line)
    session.flush()
    audit.record(session, actor, entity_type="charter_vehicle", entity_id=line_id, action="delete", old=old)
    recount(session, charter)
    reprice_if_priced(session, actor, charter)


def replace_charter_vehicles(session: Session, actor: Actor, charter_id: int,
                             lines: Sequence[dict[str, Any]]) -> list[CharterVehicle]:
    """Set a charter's whole vehicle mix at once (a chosen recommendation, or a manual override)."""
    charter = find_for_change(session, actor, charter_id)
    if len(lines) > MAX_LINES:
        raise Invalid.field("vehicles", f"A charter has at most {MAX_LINES} vehicle lines.")
    for line in lines_of(session, charter.id):
        old = audit.snapshot(line)
        session.delete(line)
        session.flush()
        audit.record(session, actor, entity_type="charter_vehicle", entity_id=old["id"], action="delete",
                     old=old)
    added = [add_line(session, actor, charter, **line) for line in lines]
    recount(session, charter)
    reprice_if_priced(session, actor, charter)
    return added


# ---------------------------------------------------------------- recommendations

def vehicle_options(session: Session) -> list[VehicleOption]:
    """The active vehicle types as recommendation options (cost: the type's default hourly rate)."""
    return [VehicleOption(vehicle_type_id=t.id, code=t.code, name=t.name, capacity=t.capacity,
                          luggage_capacity=t.luggage_capacity, hourly_cost=t.default_hourly_rate)
            for t in fleet_service.list_vehicle_types(session, SYSTEM, is_active=True)]


def _recommend(passengers: int, options: list[VehicleOption], **kw) -> list:
    """recommend() allowing enough vehicles for a large group: a few more than the biggest type needs."""
    largest = max((o.capacity for o in options), default=0)
    needed = -(-passengers // largest) if largest else 0
    most = min(max(MIN_VEHICLES_CONSIDERED, needed + 2), MAX_VEHICLES_CONSIDERED)
    return recommend(passengers, options, max_vehicles=most, **kw)


def mix_view(mix) -> dict[str, Any]:
    """One recommended mix as plain data (estimated_cost and cost_note are internal: hide them from clients;
    the reason never names money)."""
    return {
        "vehicles": [{"vehicle_type_id": option.vehicle_type_id, "code": option.code, "name": option.name,
                      "capacity": option.capacity, "luggage_capacity": option.luggage_capacity,
                      "quantity": quantity} for option, quantity in mix.vehicles],
        "seats": mix.seats, "luggage": mix.luggage, "spare_seats": mix.spare_seats, "reason": mix.reason,
        "estimated_cost": mix.estimated_cost, "cost_note": mix.cost_note,
    }


def recommend_vehicles(session: Session, actor: Actor, *, passenger_count: int, luggage_pieces: int = 0,
                       trip_type: str = "one_way", hours: Decimal = DEFAULT_HOURS) -> list[dict[str, Any]]:
    """Vehicle mixes that carry a group, cheapest first (an ad-hoc question while quoting)."""
    require(actor, "charters:create")
    if not 1 <= passenger_count <= 1000:
        raise Invalid.field("passenger_count", "Passengers are 1 to 1000.")
    if not Decimal(0) < Decimal(hours) <= MAX_HOURS:
        raise Invalid.field("hours", f"Hours are more than 0 and at most {MAX_HOURS}.")
    mixes = _recommend(passenger_count, vehicle_options(session), luggage_pieces=luggage_pieces,
                      trip_type=trip_type, hours=Decimal(hours))
    return [mix_view(mix) for mix in mixes]


def charter_hours(charter: Charter) -> Decimal:
    """How many hours a charter keeps its vehicles: the planned route, else start to end, else 4."""
    if charter.total_hours:
        hours = Decimal(charter.total_hours)
    elif charter.start_datetime and charter.end_datetime and charter.end_datetime > charter.start_datetime:
        hours = Decimal((charter.end_datetime - charter.start_datetime).total_seconds()) / 3600
    else:
        hours = DEFAULT_HOURS
    return min(max(hours.quantize(Decimal("0.01")), Decimal("0.5")), MAX_HOURS)


def recommend_for_charter(session: Session, actor: Actor, charter_id: int) -> list[dict[str, Any]]:
    """Vehicle mixes for a charter's passengers, luggage, trip type and hours, cheapest first."""
    require(actor, "charters:read")
    charter = find(session, actor, charter_id)
    mixes = _recommend(charter.passenger_count, vehicle_options(session),
                      luggage_pieces=charter.luggage_pieces, trip_type=charter.trip_type,
                      hours=charter_hours(charter))
    return [mix_view(mix) for mix in mixes]
