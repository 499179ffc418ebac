"""Hubs, vehicle types, vehicles and drivers: the rules the API and pages share."""

import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import Select, false, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from coachway.auth import service as auth_service
from coachway.core import audit, clock
from coachway.core.errors import Conflict, Invalid, NotFound
from coachway.core.pagination import paginate
from coachway.core.permissions import Actor, require
from coachway.fleet.models import VEHICLE_STATUSES, Hub, Vehicle, VehicleType
from coachway.fleet.schemas import VehicleCreate

# Outside companies and their people: the fleet is none of their business.
OUTSIDE_ROLES = {"client", "vendor"}
HUB_FIELDS = {"code", "name", "address", "city", "state", "postal_code", "latitude", "longitude", "timezone",
              "is_active"}
TYPE_FIELDS = {"code", "name", "capacity", "luggage_capacity", "default_hourly_rate", "description",
               "sort_order", "is_active"}
VEHICLE_FIELDS = {"unit_number", "hub_id", "vehicle_type_id", "status", "make", "model", "year", "vin",
                  "license_plate", "notes"}
# A CDL expiring within this many days is flagged on the drivers list.
CDL_WARNING_DAYS = 30
NOT_NULL = {"code", "name", "timezone", "is_active", "capacity", "sort_order", "unit_number", "hub_id",
            "vehicle_type_id", "status"}


# ---------------------------------------------------------------- who sees what

def readable(actor: Actor, model: type[Hub] | type[VehicleType] | type[Vehicle]) -> Select:
    """Hubs, vehicle types or vehicles the actor may see: the whole fleet for company people, none outside."""
    stmt = select(model)
    return stmt.where(false()) if actor.role in OUTSIDE_ROLES else stmt


def _find(session: Session, actor: Actor, model, object_id: int, what: str):
    row = session.scalar(readable(actor, model).where(model.id == object_id))
    if row is None:
        raise NotFound(f"No {what} {object_id}.")
    return row


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _checked(fields: dict[str, Any], allowed: set[str]) -> dict[str, Any]:
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    for key in NOT_NULL & set(fields):
        if fields[key] is None:
            raise Invalid.field(key, f"{key} cannot be empty.")
    for key, value in fields.items():
        if isinstance(value, str):
            fields[key] = value.strip()
    return fields


def _changed(old: dict[str, Any], new: dict[str, Any]) -> bool:
    return any(old.get(k) != new.get(k) for k in new if k != "updated_at")


def _taken(field: str, message: str) -> Conflict:
    """A duplicate, reported on the field that holds it (forms show it there)."""
    return Conflict(message, errors=[{"field": field, "message": message}])


def _flush_unique(session: Session, message: str) -> None:
    try:
        session.flush()
    except IntegrityError as exc:
        # Two requests raced past the duplicate check; the unique index decided.
        raise Conflict(message) from exc


def _apply_update(session: Session, actor: Actor, row, changes: dict[str, Any], *, entity_type: str,
                  conflict: str) -> None:
    old = audit.snapshot(row)
    for key, value in changes.items():
        setattr(row, key, value)
    _flush_unique(session, conflict)
    new = audit.snapshot(row)
    if _changed(old, new):
        audit.record(session, actor, entity_type=entity_type, entity_id=row.id, action="update", old=old,
                     new=new)


# ---------------------------------------------------------------- hubs

@lru_cache(maxsize=1)
def _known_timezones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def _check_timezone(name: str) -> None:
    if name not in _known_timezones():
        raise Invalid.field("timezone", f"{name!r} is not an IANA time zone (for example America/Chicago).")


def _hub_code_taken(session: Session, code: str, except_id: int | None = None) -> bool:
    stmt = select(Hub.id).where(Hub.code == code)
    if except_id is not None:
        stmt = stmt.where(Hub.id != except_id)
    return session.scalar(stmt) is not None


def list_hubs(session: Session, actor: Actor, *, is_active: bool | None = None) -> list[Hub]:
    """Hubs by code."""
    require(actor, "fleet:read")
    stmt = readable(actor, Hub).order_by(Hub.code)
    if is_active is not None:
        stmt = stmt.where(Hub.is_active.is_(is_active))
    return list(session.scalars(stmt))


def get_hub(session: Session, actor: Actor, hub_id: int) -> Hub:
    """One hub."""
    require(actor, "fleet:read")
    return _find(session, actor, Hub, hub_id, "hub")


def create_hub(session: Session, actor: Actor, **fields) -> Hub:
    """Open a hub (a garage coaches leave from); its timezone sets local trip times."""
    require(actor, "fleet:manage")
    fields = _checked(fields, HUB_FIELDS - {"is_active"})
    fields["code"] = fields["code"].upper()
    _check_timezone(fields.get("timezone", "America/New_York"))
    if _hub_code_taken(session, fields["code"]):
        raise _taken("code", f"A hub with code {fields['code']} already exists.")
    hub = Hub(**fields, is_active=True)
    session.add(hub)
    _flush_unique(session, f"A hub with code {fields['code']} already exists.")
    audit.record(session, actor, entity_type="hub", entity_id=hub.id, action="create",
                 new=audit.snapshot(hub))
    return hub


def update_hub(session: Session, actor: Actor, hub_id: int, **changes) -> Hub:
    """Change a hub; only the given fields change."""
    require(actor, "fleet:manage")
    hub = _find(session, actor, Hub, hub_id, "hub")
    changes = _checked(changes, HUB_FIELDS)
    if "code" in changes:
        changes["code"] = changes["code"].upper()
        if _hub_code_taken(session, changes["code"], hub.id):
            raise _taken("code", f"A hub with code {changes['code']} already exists.")
    if "timezone" in changes:
        _check_timezone(changes["timezone"])
    _apply_update(session, actor, hub, changes, entity_type="hub",
                  conflict=f"A hub with code {changes.get('code')} already exists.")
    return hub


def deactivate_hub(session: Session, actor: Actor, hub_id: int) -> Hub:
    """Close a hub: kept with its history; no new vehicles or drivers can be based there."""
    return update_hub(session, actor, hub_id, is_active=False)


def _check_hub(session: Session, hub_id: int) -> None:
    hub = session.get(Hub, hub_id)
    if hub is None:
        raise Invalid.field("hub_id", f"There is no hub {hub_id}.")
    if not hub.is_active:
        raise Invalid.field("hub_id", f"Hub {hub.code} is closed.")


# ---------------------------------------------------------------- vehicle types

def _type_code_taken(session: Session, code: str, except_id: int | None = None) -> bool:
    stmt = select(VehicleType.id).where(VehicleType.code == code)
    if except_id is not None:
        stmt = stmt.where(VehicleType.id != except_id)
    return session.scalar(stmt) is not None


def list_vehicle_types(session: Session, actor: Actor, *, is_active: bool | None = None) -> list[VehicleType]:
    """Vehicle types, smallest first."""
    require(actor, "fleet:read")
    stmt = readable(actor, VehicleType).order_by(VehicleType.sort_order, VehicleType.capacity, VehicleType.id)
    if is_active is not None:
        stmt = stmt.where(VehicleType.is_active.is_(is_active))
    return list(session.scalars(stmt))


def get_vehicle_type(session: Session, actor: Actor, type_id: int) -> VehicleType:
    """One vehicle type."""
    require(actor, "fleet:read")
    return _find(session, actor, VehicleType, type_id, "vehicle type")


def create_vehicle_type(session: Session, actor: Actor, **fields) -> VehicleType:
    """Add a kind of vehicle with its seating capacity."""
    require(actor, "fleet:manage")
    fields = _checked(fields, TYPE_FIELDS - {"is_active"})
    fields["code"] = fields["code"].lower()
    if _type_code_taken(session, fields["code"]):
        raise _taken("code", f"A vehicle type with code {fields['code']} already exists.")
    vtype = VehicleType(**fields, is_active=True)
    session.add(vtype)
    _flush_unique(session, f"A vehicle type with code {fields['code']} already exists.")
    audit.record(session, actor, entity_type="vehicle_type", entity_id=vtype.id, action="create",
                 new=audit.snapshot(vtype))
    return vtype


def update_vehicle_type(session: Session, actor: Actor, type_id: int, **changes) -> VehicleType:
    """Change a vehicle type; only the given fields change."""
    require(actor, "fleet:manage")
    vtype = _find(session, actor, VehicleType, type_id, "vehicle type")
    changes = _checked(changes, TYPE_FIELDS)
    if "code" in changes:
        changes["code"] = changes["code"].lower()
        if _type_code_taken(session, changes["code"], vtype.id):
            raise _taken("code", f"A vehicle type with code {changes['code']} already exists.")
    if "capacity" in changes and not 1 <= changes["capacity"] <= 100:
        raise Invalid.field("capacity", "Capacity is 1 to 100 seats.")
    _apply_update(session, actor, vtype, changes, entity_type="vehicle_type",
                  conflict=f"A vehicle type with code {changes.get('code')} already exists.")
    return vtype


def retire_vehicle_type(session: Session, actor: Actor, type_id: int) -> VehicleType:
    """Stop offering a vehicle type; vehicles of it stay."""
    return update_vehicle_type(session, actor, type_id, is_active=False)


def _check_vehicle_type(session: Session, type_id: int) -> None:
    vtype = session.get(VehicleType, type_id)
    if vtype is None:
        raise Invalid.field("vehicle_type_id", f"There is no vehicle type {type_id}.")
    if not vtype.is_active:
        raise Invalid.field("vehicle_type_id", f"Vehicle type {vtype.code} is retired.")


# ---------------------------------------------------------------- vehicles

def _vehicle_taken(session: Session, fields: dict[str, Any], except_id: int | None = None) -> Conflict | None:
    for key, label in (("unit_number", "unit number"), ("vin", "VIN")):
        value = fields.get(key)
        if value:
            stmt = select(Vehicle.id).where(getattr(Vehicle, key) == value)
            if except_id is not None:
                stmt = stmt.where(Vehicle.id != except_id)
            if session.scalar(stmt) is not None:
                return _taken(key, f"A vehicle with {label} {value} already exists.")
    return None


def _check_vehicle_fields(session: Session, fields: dict[str, Any], *,
                          checked: set[tuple[str, int]] | None = None) -> None:
    """Normalise and check a vehicle's fields; checked remembers hubs and types already found good."""
    checked = set() if checked is None else checked
    if "status" in fields and fields["status"] not in VEHICLE_STATUSES:
        raise Invalid.field("status", f"Choose one of: {', '.join(VEHICLE_STATUSES)}.")
    for key in ("unit_number", "vin"):
        if fields.get(key):
            fields[key] = fields[key].upper()
    for key, check in (("hub_id", _check_hub), ("vehicle_type_id", _check_vehicle_type)):
        if key in fields and (key, fields[key]) not in checked:
            check(session, fields[key])
            checked.add((key, fields[key]))


def list_vehicles(session: Session, actor: Actor, *, q: str | None = None, hub_id: int | None = None,
                  vehicle_type_id: int | None = None, status: str | None = None, limit: int = 50,
                  offset: int = 0) -> tuple[list[Vehicle], int]:
    """Vehicles by unit number, searched by unit number, make, model, plate or VIN and filtered."""
    require(actor, "fleet:read")
    stmt = readable(actor, Vehicle).order_by(Vehicle.unit_number)
    if q and q.strip():
        like = f"%{_escape_like(q.strip().lower())}%"
        stmt = stmt.where(or_(*(func.lower(col).like(like, escape="\\") for col in (
            Vehicle.unit_number, Vehicle.make, Vehicle.model, Vehicle.license_plate, Vehicle.vin))))
    if hub_id is not None:
        stmt = stmt.where(Vehicle.hub_id == hub_id)
    if vehicle_type_id is not None:
        stmt = stmt.where(Vehicle.vehicle_type_id == vehicle_type_id)
    if status:
        stmt = stmt.where(Vehicle.status == status)
    return paginate(session, stmt, limit=limit, offset=offset)


def get_vehicle(session: Session, actor: Actor, vehicle_id: int) -> Vehicle:
    """One vehicle."""
    require(actor, "fleet:read")
    return _find(session, actor, Vehicle, vehicle_id, "vehicle")


def create_vehicle(session: Session, actor: Actor, **fields) -> Vehicle:
    """Add a vehicle to the fleet at a hub."""
    require(actor, "fleet:manage")
    fields = _checked(fields, VEHICLE_FIELDS)
    _check_vehicle_fields(session, fields)
    taken = _vehicle_taken(session, fields)
    if taken:
        raise taken
    vehicle = Vehicle(**fields)
    session.add(vehicle)
    _flush_unique(session, "A vehicle with this unit number or VIN already exists.")
    audit.record(session, actor, entity_type="vehicle", entity_id=vehicle.id, action="create",
                 new=audit.snapshot(vehicle))
    return vehicle


def import_vehicles(session: Session, actor: Actor, rows: Sequence[VehicleCreate]) -> list[Vehicle]:
    """Add many vehicles at once (one flush for all), with the same checks as one at a time."""
    require(actor, "fleet:manage")
    checked: set[tuple[str, int]] = set()
    all_fields = []
    for row in rows:
        fields = _checked(row.model_dump(), VEHICLE_FIELDS)
        _check_vehicle_fields(session, fields, checked=checked)
        all_fields.append(fields)
    units = [f["unit_number"] for f in all_fields]
    vins = [f["vin"] for f in all_fields if f["vin"]]
    if len(set(units)) != len(units) or len(set(vins)) != len(vins):
        raise Conflict("The same unit number or VIN appears twice in the import.")
    clash = Vehicle.unit_number.in_(units)
    if vins:
        clash = clash | Vehicle.vin.in_(vins)
    existing = session.scalar(select(Vehicle.unit_number).where(clash).limit(1))
    if existing:
        raise Conflict(f"Vehicle {existing} (or its VIN) already exists.")
    vehicles = [Vehicle(**fields) for fields in all_fields]
    session.add_all(vehicles)
    _flush_unique(session, "A vehicle with one of these unit numbers or VINs already exists.")
    for vehicle in vehicles:
        audit.record(session, actor, entity_type="vehicle", entity_id=vehicle.id, action="create",
                     new=audit.snapshot(vehicle))
    return vehicles


def update_vehicle(session: Session, actor: Actor, vehicle_id: int, **changes) -> Vehicle:
    """Change a vehicle (move it to another hub, send it to maintenance...)."""
    require(actor, "fleet:manage")
    vehicle = _find(session, actor, Vehicle, vehicle_id, "vehicle")
    changes = _checked(changes, VEHICLE_FIELDS)
    if changes.get("hub_id") == vehicle.hub_id:
        changes.pop("hub_id")  # staying at a hub that has since closed is fine
    if changes.get("vehicle_type_id") == vehicle.vehicle_type_id:
        changes.pop("vehicle_type_id")
    _check_vehicle_fields(session, changes)
    taken = _vehicle_taken(session, changes, vehicle.id)
    if taken:
        raise taken
    _apply_update(session, actor, vehicle, changes, entity_type="vehicle",
                  conflict="A vehicle with this unit number or VIN already exists.")
    return vehicle


def retire_vehicle(session: Session, actor: Actor, vehicle_id: int) -> Vehicle:
    """Take a vehicle out of the fleet for good (status retired; its history stays)."""
    return update_vehicle(session, actor, vehicle_id, status="retired")


# ---------------------------------------------------------------- drivers

@dataclass(frozen=True)
class CdlStanding:
    """Whether a driver's CDL is good to drive on: "missing", "expired", "expiring" (soon) or "valid"."""

    state: str
    days_left: int | None = None


def cdl_standing(expiry: date | None) -> CdlStanding:
    """How a CDL expiry date stands today; "expiring" within CDL_WARNING_DAYS (expiry day included)."""
    if expiry is None:
        return CdlStanding("missing")
    days_left = (expiry - clock.now().date()).days
    if days_left < 0:
        return CdlStanding("expired", days_left)
    return CdlStanding("expiring" if days_left <= CDL_WARNING_DAYS else "valid", days_left)


def readable_driver_ids(actor: Actor) -> list[int] | None:
    """Which drivers the actor may see: a driver only itself, outside roles none, company staff all (None)."""
    if actor.role == "driver":
        return [actor.user_id] if actor.user_id is not None else []
    if actor.role in OUTSIDE_ROLES:
        return []
    return None


def list_drivers(session: Session, actor: Actor, *, q: str | None = None, hub_id: int | None = None,
                 cdl_expiring_within_days: int | None = None, is_active: bool | None = None,
                 limit: int = 50, offset: int = 0):
    """Drivers by name; cdl_expiring_within_days also lists CDLs already expired."""
    require(actor, "drivers:read")
    expiring_by = None
    if cdl_expiring_within_days is not None:
        expiring_by = clock.now().date() + timedelta(days=cdl_expiring_within_days)
    return auth_service.list_drivers(session, user_ids=readable_driver_ids(actor), q=q, hub_id=hub_id,
                                     cdl_expiring_by=expiring_by, is_active=is_active, limit=limit,
                                     offset=offset)


def _find_driver(session: Session, actor: Actor, user_id: int):
    driver = auth_service.find_driver(session, user_id, user_ids=readable_driver_ids(actor))
    if driver is None:
        raise NotFound(f"No driver {user_id}.")
    return driver


def get_driver(session: Session, actor: Actor, user_id: int):
    """One driver the actor may see."""
    require(actor, "drivers:read")
    return _find_driver(session, actor, user_id)


def update_driver(session: Session, actor: Actor, user_id: int, **changes):
    """Set a driver's CDL number and expiry, home hub or phone."""
    require(actor, "drivers:manage")
    driver = _find_driver(session, actor, user_id)
    if changes.get("hub_id") is not None and changes["hub_id"] != driver.hub_id:
        _check_hub(session, changes["hub_id"])
    return auth_service.update_driver_profile(session, actor, driver, **changes)
