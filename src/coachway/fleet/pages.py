"""Fleet pages: vehicles, hubs, vehicle types and drivers as tabs of /admin/fleet, with their forms.

Every rule lives in fleet/service.py; these handlers parse the form, call the service and pick a page.
"""

from typing import Annotated, Any, get_args

from fastapi import APIRouter, Path, Query, Request
from sqlalchemy.orm import Session

from coachway.core.deps import undo_refused
from coachway.core.errors import Conflict, DomainError, Invalid
from coachway.core.fields import MAX_ID
from coachway.core.permissions import Actor, require
from coachway.fleet import service
from coachway.fleet.schemas import (
    DriverUpdate,
    HubCreate,
    VehicleCreate,
    VehicleStatus,
    VehicleTypeCreate,
)
from coachway.web import nav
from coachway.web.deps import FormDep, PageActor, PageSession
from coachway.web.forms import FormErrors, validate, values
from coachway.web.templating import is_htmx, pager, redirect, render

router = APIRouter(include_in_schema=False)
nav.register("Fleet", "/admin/fleet", permission="fleet:read", order=20,
             description="Vehicles, hubs, vehicle types and drivers.")

PAGE_SIZE = 25
FLEET = "/admin/fleet"
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
Filter = Annotated[str, Query(max_length=20)]
# (key, label, address, permission to see the tab)
TABS = [("vehicles", "Vehicles", FLEET, "fleet:read"), ("hubs", "Hubs", f"{FLEET}/hubs", "fleet:read"),
        ("types", "Vehicle types", f"{FLEET}/vehicle-types", "fleet:read"),
        ("drivers", "Drivers", f"{FLEET}/drivers", "drivers:read")]
STATUSES = get_args(VehicleStatus)
STATUS_LABELS = {s: s.replace("_", " ").capitalize() for s in STATUSES}
# Badge colour of each vehicle status (classes of the shared stylesheet).
STATUS_KINDS = {"active": "active", "maintenance": "pending", "out_of_service": "failed",
                "retired": "inactive"}
US_TIMEZONES = ("America/New_York", "America/Chicago", "America/Denver", "America/Phoenix",
                "America/Los_Angeles", "America/Anchorage", "Pacific/Honolulu", "America/Toronto",
                "America/Vancouver")
HUB_FIELDS = ("code", "name", "address", "city", "state", "postal_code", "timezone", "latitude", "longitude")
TYPE_FIELDS = ("code", "name", "capacity", "luggage_capacity", "default_hourly_rate", "description",
               "sort_order")
VEHICLE_FIELDS = ("unit_number", "vehicle_type_id", "hub_id", "status", "make", "model", "year", "vin",
                  "license_plate", "notes")
DRIVER_FIELDS = ("cdl_number", "cdl_expiry", "hub_id", "phone")


# How the error summary names fields whose form label is not their name.
LABELS = {"hub_id": "Hub", "vehicle_type_id": "Vehicle type", "vin": "VIN", "postal_code": "ZIP code",
          "address": "Street address", "timezone": "Time zone", "capacity": "Seats",
          "luggage_capacity": "Luggage (bags)", "default_hourly_rate": "Hourly rate",
          "sort_order": "Order in lists", "cdl_number": "CDL number", "cdl_expiry": "CDL expiry",
          "is_active": "Open / offered"}


def _errors(exc: DomainError) -> FormErrors:
    return FormErrors.of(exc, LABELS)


def _tabs(actor: Actor) -> list[tuple[str, str, str]]:
    return [(key, label, href) for key, label, href, permission in TABS if actor.can(permission)]


def _page(request: Request, actor: Actor, template: str, context: dict[str, Any], *, tab: str,
          status_code: int = 200, block: str | None = None):
    return render(request, template, {"tabs": _tabs(actor), "tab": tab, "status_labels": STATUS_LABELS,
                                      "status_kinds": STATUS_KINDS, **context},
                  status_code=status_code, block=block)


def _int_or_none(text: str) -> int | None:
    """A filter's id, or None when blank or not an id (a stale link just shows everything)."""
    text = text.strip()
    return int(text) if text.isdigit() and 0 < int(text) <= MAX_ID else None


def _shown(data: dict[str, Any]) -> dict[str, Any]:
    return {k: ("" if v is None else v) for k, v in data.items()}


def _all_fields(body, names: tuple[str, ...]) -> dict[str, Any]:
    """Every field of an edit form, blanks as None: the form replaces what it shows.

    Edit forms are checked with the Create schema (blanks left out), so a required field left blank is
    "required" and an optional one is cleared.
    """
    dumped = body.model_dump()
    return {name: dumped.get(name) for name in names}


# ---------------------------------------------------------------- vehicles

def _hub_options(hubs, current: int | None = None, *, closed: bool = False) -> list[tuple[int, str]]:
    """Hubs to choose from: the open ones (closed ones too for filters), and the one already chosen."""
    return [(h.id, f"{h.code} – {h.name}" + ("" if h.is_active else " (closed)")) for h in hubs
            if h.is_active or closed or h.id == current]


def _type_options(types, current: int | None = None) -> list[tuple[int, str]]:
    return [(t.id, f"{t.name} ({t.capacity} seats)" + ("" if t.is_active else " (retired)")) for t in types
            if t.is_active or t.id == current]


@router.get(FLEET)
def vehicles_list(request: Request, actor: PageActor, session: PageSession,
                  q: Annotated[str, Query(max_length=100)] = "", hub_id: Filter = "",
                  vehicle_type_id: Filter = "", status: Filter = "",
                  offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0):
    """Vehicles, searchable by unit number, make, model, plate or VIN and filterable by hub, type, status."""
    chosen = {"hub_id": _int_or_none(hub_id), "vehicle_type_id": _int_or_none(vehicle_type_id),
              "status": status if status in STATUSES else None}
    vehicles, total = service.list_vehicles(session, actor, q=q.strip() or None, limit=PAGE_SIZE,
                                            offset=offset, **chosen)
    hubs = service.list_hubs(session, actor)
    types = service.list_vehicle_types(session, actor)
    context = {"title": "Fleet", "vehicles": vehicles, "q": q, "chosen": chosen,
               "hubs": {h.id: h for h in hubs}, "types": {t.id: t for t in types},
               "hub_options": _hub_options(hubs, closed=True),
               "type_options": [(t.id, t.name) for t in types],
               "status_options": list(STATUS_LABELS.items()),
               "filtered": bool(q.strip() or any(chosen.values())),
               "can_manage": actor.can("fleet:manage"),
               "pager": pager(request, total=total, limit=PAGE_SIZE, offset=offset)}
    if is_htmx(request, "vehicle-results"):
        return _page(request, actor, "fleet/vehicles.html", context, tab="vehicles", block="results")
    return _page(request, actor, "fleet/vehicles.html", context, tab="vehicles")


def _vehicle_form(request: Request, session: Session, actor: Actor, *, vehicle=None, data: dict | None = None,
                  errors: FormErrors | None = None, status_code: int = 200):
    data = data or {}
    hubs = service.list_hubs(session, actor)
    types = service.list_vehicle_types(session, actor)
    hub_now = vehicle.hub_id if vehicle else None
    type_now = vehicle.vehicle_type_id if vehicle else None
    return _page(request, actor, "fleet/vehicle_form.html",
                 {"title": f"Change vehicle {vehicle.unit_number}" if vehicle else "New vehicle",
                  "vehicle": vehicle, "values": _shown(data), "form_errors": errors,
                  "hub_options": _hub_options(hubs, hub_now), "type_options": _type_options(types, type_now),
                  "status_options": list(STATUS_LABELS.items()),
                  "action": f"{FLEET}/vehicles/{vehicle.id}/edit" if vehicle else f"{FLEET}/vehicles"},
                 tab="vehicles", status_code=status_code)


@router.get(FLEET + "/vehicles/new")
def vehicle_new(request: Request, actor: PageActor, session: PageSession):
    """The form for a new vehicle."""
    require(actor, "fleet:manage")
    return _vehicle_form(request, session, actor, data={"status": "active"})


@router.post(FLEET + "/vehicles")
def vehicle_create(request: Request, actor: PageActor, session: PageSession, form: FormDep):
    """Add a vehicle from the form."""
    data = values(form, *VEHICLE_FIELDS)
    try:
        vehicle = service.create_vehicle(session, actor, **validate(VehicleCreate, data).model_dump())
    except (Invalid, Conflict) as exc:
        undo_refused(session, exc)
        return _vehicle_form(request, session, actor, data=data, errors=_errors(exc),
                             status_code=exc.status)
    return redirect(request, FLEET, flash=f"Vehicle {vehicle.unit_number} is added to the fleet.")


@router.get(FLEET + "/vehicles/{vehicle_id}/edit")
def vehicle_edit(request: Request, vehicle_id: Id, actor: PageActor, session: PageSession):
    """The form to change a vehicle (move it, send it to maintenance, retire it)."""
    vehicle = service.get_vehicle(session, actor, vehicle_id)
    require(actor, "fleet:manage")
    return _vehicle_form(request, session, actor, vehicle=vehicle,
                         data={name: getattr(vehicle, name) for name in VEHICLE_FIELDS})


@router.post(FLEET + "/vehicles/{vehicle_id}/edit")
def vehicle_update(request: Request, vehicle_id: Id, actor: PageActor, session: PageSession, form: FormDep):
    """Save a vehicle."""
    data = values(form, *VEHICLE_FIELDS)
    try:
        body = validate(VehicleCreate, data)
        vehicle = service.update_vehicle(session, actor, vehicle_id, **_all_fields(body, VEHICLE_FIELDS))
    except (Invalid, Conflict) as exc:
        undo_refused(session, exc)
        return _vehicle_form(request, session, actor, vehicle=service.get_vehicle(session, actor, vehicle_id),
                             data=data, errors=_errors(exc), status_code=exc.status)
    return redirect(request, FLEET, flash=f"Saved vehicle {vehicle.unit_number}.")


# ---------------------------------------------------------------- hubs

@router.get(FLEET + "/hubs")
def hubs_list(request: Request, actor: PageActor, session: PageSession):
    """Hubs (garages) with their time zones, open and closed."""
    hubs = service.list_hubs(session, actor)
    return _page(request, actor, "fleet/hubs.html",
                 {"title": "Hubs", "hubs": hubs, "can_manage": actor.can("fleet:manage")}, tab="hubs")


def _hub_form(request: Request, actor: Actor, *, hub=None, data: dict | None = None,
              errors: FormErrors | None = None, status_code: int = 200):
    return _page(request, actor, "fleet/hub_form.html",
                 {"title": f"Change hub {hub.code}" if hub else "New hub", "hub": hub,
                  "values": _shown(data or {}), "form_errors": errors, "timezones": US_TIMEZONES,
                  "action": f"{FLEET}/hubs/{hub.id}/edit" if hub else f"{FLEET}/hubs"},
                 tab="hubs", status_code=status_code)


@router.get(FLEET + "/hubs/new")
def hub_new(request: Request, actor: PageActor):
    """The form for a new hub."""
    require(actor, "fleet:manage")
    return _hub_form(request, actor, data={"timezone": "America/New_York"})


@router.post(FLEET + "/hubs")
def hub_create(request: Request, actor: PageActor, session: PageSession, form: FormDep):
    """Open a hub from the form."""
    data = values(form, *HUB_FIELDS)
    try:
        hub = service.create_hub(session, actor, **validate(HubCreate, data).model_dump())
    except (Invalid, Conflict) as exc:
        undo_refused(session, exc)
        return _hub_form(request, actor, data=data, errors=_errors(exc), status_code=exc.status)
    return redirect(request, f"{FLEET}/hubs", flash=f"Hub {hub.code} ({hub.name}) is open.")


@router.get(FLEET + "/hubs/{hub_id}/edit")
def hub_edit(request: Request, hub_id: Id, actor: PageActor, session: PageSession):
    """The form to change a hub, or close it."""
    hub = service.get_hub(session, actor, hub_id)
    require(actor, "fleet:manage")
    data = {name: getattr(hub, name) for name in HUB_FIELDS}
    return _hub_form(request, actor, hub=hub, data={**data, "is_active": hub.is_active})


@router.post(FLEET + "/hubs/{hub_id}/edit")
def hub_update(request: Request, hub_id: Id, actor: PageActor, session: PageSession, form: FormDep):
    """Save a hub."""
    data: dict[str, Any] = values(form, *HUB_FIELDS)
    is_active = form.get("is_active") == "on"
    try:
        body = validate(HubCreate, data)
        hub = service.update_hub(session, actor, hub_id, **_all_fields(body, HUB_FIELDS), is_active=is_active)
    except (Invalid, Conflict) as exc:
        undo_refused(session, exc)
        return _hub_form(request, actor, hub=service.get_hub(session, actor, hub_id),
                         data={**data, "is_active": is_active}, errors=_errors(exc),
                         status_code=exc.status)
    return redirect(request, f"{FLEET}/hubs", flash=f"Saved hub {hub.code}.")


# ---------------------------------------------------------------- vehicle types

@router.get(FLEET + "/vehicle-types")
def types_list(request: Request, actor: PageActor, session: PageSession):
    """Vehicle types with their seats, smallest first."""
    types = service.list_vehicle_types(session, actor)
    return _page(request, actor, "fleet/types.html",
                 {"title": "Vehicle types", "types": types, "can_manage": actor.can("fleet:manage")},
                 tab="types")


def _type_form(request: Request, actor: Actor, *, vtype=None, data: dict | None = None,
               errors: FormErrors | None = None, status_code: int = 200):
    return _page(request, actor, "fleet/type_form.html",
                 {"title": f"Change vehicle type {vtype.name}" if vtype else "New vehicle type",
                  "vtype": vtype, "values": _shown(data or {}), "form_errors": errors,
                  "action": f"{FLEET}/vehicle-types/{vtype.id}/edit" if vtype else f"{FLEET}/vehicle-types"},
                 tab="types", status_code=status_code)


@router.get(FLEET + "/vehicle-types/new")
def type_new(request: Request, actor: PageActor):
    """The form for a new vehicle type."""
    require(actor, "fleet:manage")
    return _type_form(request, actor, data={"sort_order": 0})


@router.post(FLEET + "/vehicle-types")
def type_create(request: Request, actor: PageActor, session: PageSession, form: FormDep):
    """Add a vehicle type from the form."""
    data = values(form, *TYPE_FIELDS)
    try:
        vtype = service.create_vehicle_type(session, actor, **validate(VehicleTypeCreate, data).model_dump())
    except (Invalid, Conflict) as exc:
        undo_refused(session, exc)
        return _type_form(request, actor, data=data, errors=_errors(exc), status_code=exc.status)
    return redirect(request, f"{FLEET}/vehicle-types",
                    flash=f"Vehicle type {vtype.name} ({vtype.capacity} seats) is added.")


@router.get(FLEET + "/vehicle-types/{type_id}/edit")
def type_edit(request: Request, type_id: Id, actor: PageActor, session: PageSession):
    """The form to change a vehicle type, or retire it."""
    vtype = service.get_vehicle_type(session, actor, type_id)
    require(actor, "fleet:manage")
    data = {name: getattr(vtype, name) for name in TYPE_FIELDS}
    return _type_form(request, actor, vtype=vtype, data={**data, "is_active": vtype.is_active})


@router.post(FLEET + "/vehicle-types/{type_id}/edit")
def type_update(request: Request, type_id: Id, actor: PageActor, session: PageSession, form: FormDep):
    """Save a vehicle type."""
    data: dict[str, Any] = values(form, *TYPE_FIELDS)
    is_active = form.get("is_active") == "on"
    try:
        body = validate(VehicleTypeCreate, data)
        vtype = service.update_vehicle_type(session, actor, type_id, **_all_fields(body, TYPE_FIELDS),
                                            is_active=is_active)
    except (Invalid, Conflict) as exc:
        undo_refused(session, exc)
        return _type_form(request, actor, vtype=service.get_vehicle_type(session, actor, type_id),
                          data={**data, "is_active": is_active}, errors=_errors(exc),
                          status_code=exc.status)
    return redirect(request, f"{FLEET}/vehicle-types", flash=f"Saved vehicle type {vtype.name}.")


# ---------------------------------------------------------------- drivers

@router.get(FLEET + "/drivers")
def drivers_list(request: Request, actor: PageActor, session: PageSession,
                 q: Annotated[str, Query(max_length=100)] = "", hub_id: Filter = "", cdl: Filter = "",
                 offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0):
    """Drivers with their CDL (flagged when expired or expiring soon) and home hub."""
    chosen_hub = _int_or_none(hub_id)
    expiring = cdl == "expiring"
    drivers, total = service.list_drivers(
        session, actor, q=q.strip() or None, hub_id=chosen_hub,
        cdl_expiring_within_days=service.CDL_WARNING_DAYS if expiring else None, limit=PAGE_SIZE,
        offset=offset)
    # Hub names need fleet:read, which a driver looking at itself does not have.
    hubs = service.list_hubs(session, actor) if actor.can("fleet:read") else []
    context = {"title": "Drivers", "drivers": drivers, "q": q, "hub_id": chosen_hub,
               "cdl": "expiring" if expiring else "", "hubs": {h.id: h for h in hubs},
               "hub_options": _hub_options(hubs, closed=True),
               "standing": {d.id: service.cdl_standing(d.cdl_expiry) for d in drivers},
               "warning_days": service.CDL_WARNING_DAYS,
               "filtered": bool(q.strip() or chosen_hub or expiring),
               "can_manage": actor.can("drivers:manage"),
               "pager": pager(request, total=total, limit=PAGE_SIZE, offset=offset)}
    if is_htmx(request, "driver-results"):
        return _page(request, actor, "fleet/drivers.html", context, tab="drivers", block="results")
    return _page(request, actor, "fleet/drivers.html", context, tab="drivers")


def _driver_form(request: Request, session: Session, actor: Actor, driver, *, data: dict | None = None,
                 errors: FormErrors | None = None, status_code: int = 200):
    hubs = service.list_hubs(session, actor) if actor.can("fleet:read") else []
    return _page(request, actor, "fleet/driver_form.html",
                 {"title": f"Driver {driver.full_name}", "driver": driver, "values": _shown(data or {}),
                  "hub_options": _hub_options(hubs, driver.hub_id), "form_errors": errors,
                  "standing": service.cdl_standing(driver.cdl_expiry),
                  "warning_days": service.CDL_WARNING_DAYS},
                 tab="drivers", status_code=status_code)


@router.get(FLEET + "/drivers/{user_id}/edit")
def driver_edit(request: Request, user_id: Id, actor: PageActor, session: PageSession):
    """The form to set a driver's CDL, home hub and phone."""
    driver = service.get_driver(session, actor, user_id)
    require(actor, "drivers:manage")
    return _driver_form(request, session, actor, driver,
                        data={name: getattr(driver, name) for name in DRIVER_FIELDS})


@router.post(FLEET + "/drivers/{user_id}/edit")
def driver_update(request: Request, user_id: Id, actor: PageActor, session: PageSession, form: FormDep):
    """Save a driver's CDL, home hub and phone."""
    data: dict[str, Any] = {name: str(form.get(name) or "").strip() or None for name in DRIVER_FIELDS}
    try:
        changes = validate(DriverUpdate, data).model_dump()
        driver = service.update_driver(session, actor, user_id, **changes)
    except (Invalid, Conflict) as exc:
        undo_refused(session, exc)
        return _driver_form(request, session, actor, service.get_driver(session, actor, user_id), data=data,
                            errors=_errors(exc), status_code=exc.status)
    return redirect(request, f"{FLEET}/drivers", flash=f"Saved driver {driver.full_name}.")
