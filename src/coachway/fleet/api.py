"""Hubs, vehicle types, vehicles and drivers over HTTP (/api/v1)."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from coachway.core.deps import CurrentActor, PageDep, SessionDep
from coachway.core.fields import MAX_ID
from coachway.core.pagination import Page
from coachway.fleet import service
from coachway.fleet.schemas import (
    DriverRead,
    DriverUpdate,
    HubCreate,
    HubRead,
    HubUpdate,
    VehicleCreate,
    VehicleRead,
    VehicleStatus,
    VehicleTypeCreate,
    VehicleTypeRead,
    VehicleTypeUpdate,
    VehicleUpdate,
)

router = APIRouter(prefix="/api/v1")
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
RefFilter = Annotated[int | None, Query(ge=1, le=MAX_ID)]


# ---------------------------------------------------------------- hubs

@router.get("/hubs", response_model=list[HubRead], tags=["fleet"])
def list_hubs(actor: CurrentActor, session: SessionDep, is_active: bool | None = None):
    """Hubs by code."""
    return service.list_hubs(session, actor, is_active=is_active)


@router.post("/hubs", response_model=HubRead, status_code=201, tags=["fleet"])
def create_hub(body: HubCreate, actor: CurrentActor, session: SessionDep):
    """Open a hub."""
    return service.create_hub(session, actor, **body.model_dump())


@router.get("/hubs/{hub_id}", response_model=HubRead, tags=["fleet"])
def get_hub(hub_id: Id, actor: CurrentActor, session: SessionDep):
    """One hub."""
    return service.get_hub(session, actor, hub_id)


@router.patch("/hubs/{hub_id}", response_model=HubRead, tags=["fleet"])
def update_hub(hub_id: Id, body: HubUpdate, actor: CurrentActor, session: SessionDep):
    """Change a hub; only the fields sent change."""
    return service.update_hub(session, actor, hub_id, **body.model_dump(exclude_unset=True))


@router.delete("/hubs/{hub_id}", status_code=204, tags=["fleet"])
def deactivate_hub(hub_id: Id, actor: CurrentActor, session: SessionDep):
    """Close a hub (nothing is deleted)."""
    service.deactivate_hub(session, actor, hub_id)
    return Response(status_code=204)


# ---------------------------------------------------------------- vehicle types

@router.get("/vehicle-types", response_model=list[VehicleTypeRead], tags=["fleet"])
def list_vehicle_types(actor: CurrentActor, session: SessionDep, is_active: bool | None = None):
    """Vehicle types, smallest first."""
    return service.list_vehicle_types(session, actor, is_active=is_active)


@router.post("/vehicle-types", response_model=VehicleTypeRead, status_code=201, tags=["fleet"])
def create_vehicle_type(body: VehicleTypeCreate, actor: CurrentActor, session: SessionDep):
    """Add a vehicle type."""
    return service.create_vehicle_type(session, actor, **body.model_dump())


@router.get("/vehicle-types/{type_id}", response_model=VehicleTypeRead, tags=["fleet"])
def get_vehicle_type(type_id: Id, actor: CurrentActor, session: SessionDep):
    """One vehicle type."""
    return service.get_vehicle_type(session, actor, type_id)


@router.patch("/vehicle-types/{type_id}", response_model=VehicleTypeRead, tags=["fleet"])
def update_vehicle_type(type_id: Id, body: VehicleTypeUpdate, actor: CurrentActor, session: SessionDep):
    """Change a vehicle type."""
    return service.update_vehicle_type(session, actor, type_id, **body.model_dump(exclude_unset=True))


@router.delete("/vehicle-types/{type_id}", status_code=204, tags=["fleet"])
def retire_vehicle_type(type_id: Id, actor: CurrentActor, session: SessionDep):
    """Stop offering a vehicle type (nothing is deleted)."""
    service.retire_vehicle_type(session, actor, type_id)
    return Response(status_code=204)


# ---------------------------------------------------------------- vehicles

@router.get("/vehicles", response_model=Page[VehicleRead], tags=["fleet"])
def list_vehicles(actor: CurrentActor, session: SessionDep, page: PageDep,
                  q: Annotated[str | None, Query(max_length=100)] = None, hub_id: RefFilter = None,
                  vehicle_type_id: RefFilter = None, status: VehicleStatus | None = None):
    """Vehicles, searched by unit number, make, model, plate or VIN and filtered."""
    items, total = service.list_vehicles(session, actor, q=q, hub_id=hub_id, vehicle_type_id=vehicle_type_id,
                                         status=status, limit=page.limit, offset=page.offset)
    return Page(items=[VehicleRead.model_validate(v) for v in items], total=total, limit=page.limit,
                offset=page.offset)


@router.post("/vehicles", response_model=VehicleRead, status_code=201, tags=["fleet"])
def create_vehicle(body: VehicleCreate, actor: CurrentActor, session: SessionDep):
    """Add a vehicle to the fleet."""
    return service.create_vehicle(session, actor, **body.model_dump())


@router.get("/vehicles/{vehicle_id}", response_model=VehicleRead, tags=["fleet"])
def get_vehicle(vehicle_id: Id, actor: CurrentActor, session: SessionDep):
    """One vehicle."""
    return service.get_vehicle(session, actor, vehicle_id)


@router.patch("/vehicles/{vehicle_id}", response_model=VehicleRead, tags=["fleet"])
def update_vehicle(vehicle_id: Id, body: VehicleUpdate, actor: CurrentActor, session: SessionDep):
    """Change a vehicle; only the fields sent change."""
    return service.update_vehicle(session, actor, vehicle_id, **body.model_dump(exclude_unset=True))


@router.delete("/vehicles/{vehicle_id}", status_code=204, tags=["fleet"])
def retire_vehicle(vehicle_id: Id, actor: CurrentActor, session: SessionDep):
    """Retire a vehicle (status retired; nothing is deleted)."""
    service.retire_vehicle(session, actor, vehicle_id)
    return Response(status_code=204)


# ---------------------------------------------------------------- drivers

@router.get("/drivers", response_model=Page[DriverRead], tags=["drivers"])
def list_drivers(actor: CurrentActor, session: SessionDep, page: PageDep,
                 q: Annotated[str | None, Query(max_length=100)] = None, hub_id: RefFilter = None,
                 cdl_expiring_within_days: Annotated[int | None, Query(ge=0, le=3650)] = None,
                 is_active: bool | None = None):
    """Drivers, filtered by hub and by CDLs expiring within N days (expired ones included)."""
    items, total = service.list_drivers(session, actor, q=q, hub_id=hub_id,
                                        cdl_expiring_within_days=cdl_expiring_within_days,
                                        is_active=is_active, limit=page.limit, offset=page.offset)
    return Page(items=[DriverRead.model_validate(d) for d in items], total=total, limit=page.limit,
                offset=page.offset)


@router.get("/drivers/{user_id}", response_model=DriverRead, tags=["drivers"])
def get_driver(user_id: Id, actor: CurrentActor, session: SessionDep):
    """One driver."""
    return service.get_driver(session, actor, user_id)


@router.patch("/drivers/{user_id}", response_model=DriverRead, tags=["drivers"])
def update_driver(user_id: Id, body: DriverUpdate, actor: CurrentActor, session: SessionDep):
    """Set a driver's CDL number and expiry, home hub or phone."""
    return service.update_driver(session, actor, user_id, **body.model_dump(exclude_unset=True))
