"""The rate matrix: what each vehicle type costs at each hub (hub rows over the company default), and
finding the rate a trip is priced with."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import or_, select, text
from sqlalchemy.orm import Session

from coachway.core import audit
from coachway.core.errors import Invalid, NotFound
from coachway.core.permissions import SYSTEM, Actor, hide_fields, require
from coachway.fleet import service as fleet_service
from coachway.pricing import engine
from coachway.pricing.models import PricingRate
from coachway.pricing.service._common import checked, flush_unique, hub_of, record_change, vehicle_type_of

AMOUNT_FIELDS = ("hourly_rate", "per_mile_rate", "daily_rate", "deadhead_per_mile", "second_driver_hourly",
                 "driver_hotel_per_night", "driver_meals_per_night", "vendor_hourly_cost",
                 "vendor_per_mile_cost")
RATE_FIELDS = {*AMOUNT_FIELDS, "minimum_hours", "is_active"}
NOT_NULL = RATE_FIELDS - {"daily_rate"}
DECIMAL_FIELDS = {*AMOUNT_FIELDS, "minimum_hours"}
REQUIRED_NEW = ("hourly_rate", "per_mile_rate")
MAX_AMOUNT = Decimal(100_000)  # every rate is under this
MAX_MINIMUM_HOURS = Decimal(24)
# A vehicle type priced from the fleet's hourly rate alone (no rate matrix cell) bills at least this long.
FALLBACK_MINIMUM_HOURS = Decimal(5)
INTERNAL_FIELDS = {"vendor_hourly_cost": "pricing:read_internal",
                   "vendor_per_mile_cost": "pricing:read_internal"}
# PostgreSQL advisory lock space for adding a rate: NULL hub_ids escape the unique constraint.
_RATE_LOCK = 58_008


# ---------------------------------------------------------------- reading

def rate_data(actor: Actor, rate: PricingRate) -> dict[str, Any]:
    """A rate as plain data, without the vendor costs the actor may not read."""
    data = {col: getattr(rate, col) for col in ("id", "hub_id", "vehicle_type_id", *AMOUNT_FIELDS,
                                                "minimum_hours", "is_active", "updated_at")}
    return hide_fields(actor, data, INTERNAL_FIELDS)


def list_rates(session: Session, actor: Actor, *, hub_id: int | None = None) -> list[PricingRate]:
    """Rates of the matrix, company defaults first; hub_id keeps one hub's own rates."""
    require(actor, "pricing:read")
    stmt = select(PricingRate).order_by(PricingRate.hub_id.is_not(None), PricingRate.hub_id,
                                        PricingRate.vehicle_type_id)
    if hub_id is not None:
        stmt = stmt.where(PricingRate.hub_id == hub_id)
    return list(session.scalars(stmt))


def get_rate(session: Session, actor: Actor, rate_id: int) -> PricingRate:
    """One rate of the matrix."""
    require(actor, "pricing:read")
    rate = session.get(PricingRate, rate_id)
    if rate is None:
        raise NotFound(f"No rate {rate_id}.")
    return rate


@dataclass(frozen=True)
class MatrixCell:
    """One vehicle type at one hub (hub None: the company default row) and where its price comes from.

    source: "hub" (its own rate), "company_default", "fleet_default" (the vehicle type's hourly rate with a
    5-hour minimum) or "none" (it cannot be priced).
    """

    vehicle_type: Any
    rate: PricingRate | None
    effective: PricingRate | None
    source: str

    @property
    def fallback_hourly(self) -> Decimal | None:
        """The fleet's hourly rate of the vehicle type, used when no rate applies."""
        return self.vehicle_type.default_hourly_rate


@dataclass(frozen=True)
class MatrixRow:
    """A hub (None: the company default) and one cell per vehicle type."""

    hub: Any
    cells: list[MatrixCell]


@dataclass(frozen=True)
class RateMatrix:
    """Hubs x vehicle types; the first row is the company default."""

    vehicle_types: list[Any]
    rows: list[MatrixRow]


def rate_matrix(session: Session, actor: Actor) -> RateMatrix:
    """The whole matrix: open hubs (and closed ones with rates) x offered vehicle types (and priced ones)."""
    rates = list_rates(session, actor)
    by_cell = {(r.hub_id, r.vehicle_type_id): r for r in rates}
    priced_types = {r.vehicle_type_id for r in rates}
    priced_hubs = {r.hub_id for r in rates}
    types = [t for t in fleet_service.list_vehicle_types(session, SYSTEM)
             if t.is_active or t.id in priced_types]
    hubs = [h for h in fleet_service.list_hubs(session, SYSTEM) if h.is_active or h.id in priced_hubs]
    rows = []
    for hub in [None, *hubs]:
        hub_id = hub.id if hub is not None else None
        cells = []
        for vtype in types:
            own = by_cell.get((hub_id, vtype.id))
            default = by_cell.get((None, vtype.id))
            if own is not None and own.is_active:
                effective, source = own, "hub" if hub is not None else "company_default"
            elif hub is not None and default is not None and default.is_active:
                effective, source = default, "company_default"
            else:
                effective, source = None, "fleet_default" if vtype.default_hourly_rate is not None else "none"
            cells.append(MatrixCell(vtype, own, effective, source))
        rows.append(MatrixRow(hub, cells))
    return RateMatrix(types, rows)


# ---------------------------------------------------------------- changing

def _check_amounts(fields: dict[str, Any]) -> None:
    for key in AMOUNT_FIELDS:
        value = fields.get(key)
        if value is not None and not Decimal(0) <= Decimal(value) < MAX_AMOUNT:
            raise Invalid.field(key, "Give an amount from 0 to 99,999.99.")
    minimum = fields.get("minimum_hours")
    if minimum is not None and not 0 <= Decimal(minimum) <= MAX_MINIMUM_HOURS:
        raise Invalid.field("minimum_hours", "The minimum is 0 to 24 hours.")


def _lock_cell(session: Session, vehicle_type_id: int) -> None:
    """Serialise adding rates of one vehicle type on PostgreSQL (two company defaults must never appear)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:space, :key)"),
                        {"space": _RATE_LOCK, "key": vehicle_type_id})


def _cell(session: Session, hub_id: int | None, vehicle_type_id: int) -> PricingRate | None:
    hub_match = PricingRate.hub_id.is_(None) if hub_id is None else PricingRate.hub_id == hub_id
    return session.scalar(select(PricingRate).where(hub_match,
                                                    PricingRate.vehicle_type_id == vehicle_type_id))


def upsert_rate(session: Session, actor: Actor, *, hub_id: int | None, vehicle_type_id: int,
                **fields) -> PricingRate:
    """Set the rate of a vehicle type at a hub (hub_id None: the company default); only the given fields
    change, and a new rate needs at least its hourly and per-mile rates; audited."""
    require(actor, "pricing:manage")
    fields = checked(fields, RATE_FIELDS, NOT_NULL, DECIMAL_FIELDS)
    if hub_id is not None:
        hub_of(session, hub_id)
    vehicle_type_of(session, vehicle_type_id)
    _check_amounts(fields)
    _lock_cell(session, vehicle_type_id)
    rate = _cell(session, hub_id, vehicle_type_id)
    if rate is not None:
        return _apply(session, actor, rate, fields)
    missing = [key for key in REQUIRED_NEW if fields.get(key) is None]
    if missing:
        raise Invalid("A new rate needs its hourly and per-mile rates.",
                      errors=[{"field": key, "message": "This field is required."} for key in missing])
    rate = PricingRate(hub_id=hub_id, vehicle_type_id=vehicle_type_id, updated_by=actor.user_id, **fields)
    session.add(rate)
    flush_unique(session, "vehicle_type_id", "This hub already has a rate for this vehicle type.")
    audit.record(session, actor, entity_type="pricing_rate", entity_id=rate.id, action="create",
                 new=audit.snapshot(rate))
    return rate


def _apply(session: Session, actor: Actor, rate: PricingRate, changes: dict[str, Any]) -> PricingRate:
    old = audit.snapshot(rate)
    dirty = {key: value for key, value in changes.items() if getattr(rate, key) != value}
    for key, value in dirty.items():
        setattr(rate, key, value)
    if dirty:
        rate.updated_by = actor.user_id
    session.flush()
    record_change(session, actor, rate, old, entity_type="pricing_rate")
    return rate


def update_rate(session: Session, actor: Actor, rate_id: int, **changes) -> PricingRate:
    """Change one rate of the matrix; only the given fields change; audited."""
    require(actor, "pricing:manage")
    rate = get_rate(session, actor, rate_id)
    changes = checked(changes, RATE_FIELDS, NOT_NULL, DECIMAL_FIELDS)
    _check_amounts(changes)
    return _apply(session, actor, rate, changes)


def delete_rate(session: Session, actor: Actor, rate_id: int) -> None:
    """Remove a rate: a hub's vehicle type falls back to the company default (saved quotes keep their
    inputs); audited with what it was."""
    require(actor, "pricing:manage")
    rate = get_rate(session, actor, rate_id)
    audit.record(session, actor, entity_type="pricing_rate", entity_id=rate.id, action="delete",
                 old=audit.snapshot(rate))
    session.delete(rate)
    session.flush()


# ---------------------------------------------------------------- the rate a trip is priced with

def _engine_rate(vtype, row: PricingRate) -> engine.Rate:
    return engine.Rate(
        vehicle_type_id=vtype.id, vehicle_type_code=vtype.code, vehicle_type_name=vtype.name,
        hourly_rate=row.hourly_rate, minimum_hours=row.minimum_hours, per_mile_rate=row.per_mile_rate,
        daily_rate=row.daily_rate, deadhead_per_mile=row.deadhead_per_mile,
        second_driver_hourly=row.second_driver_hourly, driver_hotel_per_night=row.driver_hotel_per_night,
        driver_meals_per_night=row.driver_meals_per_night, vendor_hourly_cost=row.vendor_hourly_cost,
        vendor_per_mile_cost=row.vendor_per_mile_cost)


def resolve_rate(session: Session, hub_id: int | None, vehicle_type_id: int, *,
                 notes: list[str] | None = None, field: str = "vehicle_type_id") -> engine.Rate:
    """The rate of a vehicle type at a hub: the hub's own, else the company default, else the fleet's hourly
    rate for the type with a 5-hour minimum and no mileage (a note saying so is added to notes).

    Invalid on field when none of those gives a price. No permission check: for code pricing a trip.
    """
    vtype = vehicle_type_of(session, vehicle_type_id, field)
    hub_match = PricingRate.hub_id.is_(None) if hub_id is None else or_(PricingRate.hub_id == hub_id,
                                                                         PricingRate.hub_id.is_(None))
    rows = list(session.scalars(select(PricingRate).where(
        PricingRate.vehicle_type_id == vehicle_type_id, PricingRate.is_active.is_(True), hub_match)))
    own = next((r for r in rows if hub_id is not None and r.hub_id == hub_id), None)
    default = next((r for r in rows if r.hub_id is None), None)
    if own or default:
        return _engine_rate(vtype, own or default)
    if vtype.default_hourly_rate is None:
        raise Invalid.field(field, f"{vtype.name} has no rate: set one in the rate matrix (Pricing).")
    if notes is not None:
        notes.append(f"{vtype.name} has no rate in the rate matrix: priced at the fleet's hourly rate of "
                     f"${vtype.default_hourly_rate:,.2f} with a {FALLBACK_MINIMUM_HOURS}-hour minimum and no "
                     "mileage charge.")
    return engine.Rate(vehicle_type_id=vtype.id, vehicle_type_code=vtype.code, vehicle_type_name=vtype.name,
                       hourly_rate=vtype.default_hourly_rate, minimum_hours=FALLBACK_MINIMUM_HOURS,
                       per_mile_rate=Decimal(0))
