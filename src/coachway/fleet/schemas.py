"""Request and response models of hubs, vehicle types, vehicles and drivers."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from coachway.core.fields import Line, Phone, RefId, Text
from coachway.core.money import to_money
from coachway.fleet.models import VEHICLE_STATUSES

Latitude = Annotated[Decimal, Field(ge=-90, le=90, max_digits=10, decimal_places=7)]
Longitude = Annotated[Decimal, Field(ge=-180, le=180, max_digits=10, decimal_places=7)]
# Patterns are checked before upper/lower casing, so they accept both cases.
HubCode = Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True,
                                           pattern=r"^[A-Za-z0-9]{2,10}$")]
TypeCode = Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True,
                                            pattern=r"^[A-Za-z][A-Za-z0-9_]{1,29}$")]
UnitNumber = Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True,
                                              pattern=r"^[A-Za-z0-9][A-Za-z0-9 \-]{0,29}$")]
Vin = Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True,
                                       pattern=r"^[A-HJ-NPR-Za-hj-npr-z0-9]{17}$")]
VehicleStatus = Literal[VEHICLE_STATUSES]
Year = Annotated[int, Field(ge=1950, le=2100)]
LuggageCapacity = Annotated[int, Field(ge=0, le=1000)]
HourlyRate = Annotated[Decimal, Field(ge=0, le=Decimal("99999.99"), max_digits=7, decimal_places=2),
                      AfterValidator(to_money)]
CdlNumber = Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True,
                                             pattern=r"^[A-Za-z0-9\-]{4,50}$")]


# ---------------------------------------------------------------- hubs

class HubCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: HubCode
    name: Line(100, 1)
    address: Line(255) | None = None
    city: Line(100) | None = None
    state: Line(50) | None = None
    postal_code: Line(20) | None = None
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    timezone: Line(64, 1) = "America/New_York"


class HubUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: HubCode | None = None
    name: Line(100, 1) | None = None
    address: Line(255) | None = None
    city: Line(100) | None = None
    state: Line(50) | None = None
    postal_code: Line(20) | None = None
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    timezone: Line(64, 1) | None = None
    is_active: bool | None = None


class HubRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    name: str
    address: str | None
    city: str | None
    state: str | None
    postal_code: str | None
    latitude: Decimal | None
    longitude: Decimal | None
    timezone: str
    is_active: bool
    created_at: datetime
    updated_at: datetime


# ---------------------------------------------------------------- vehicle types

class VehicleTypeCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: TypeCode
    name: Line(100, 1)
    capacity: int = Field(ge=1, le=100)
    luggage_capacity: LuggageCapacity | None = None
    default_hourly_rate: HourlyRate | None = None
    description: Text(2000) | None = None
    sort_order: int = Field(default=0, ge=0, le=10_000)


class VehicleTypeUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: TypeCode | None = None
    name: Line(100, 1) | None = None
    capacity: int | None = Field(default=None, ge=1, le=100)
    luggage_capacity: LuggageCapacity | None = None
    default_hourly_rate: HourlyRate | None = None
    description: Text(2000) | None = None
    sort_order: int | None = Field(default=None, ge=0, le=10_000)
    is_active: bool | None = None


class VehicleTypeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    name: str
    capacity: int
    luggage_capacity: int | None = None
    default_hourly_rate: Decimal | None = None
    description: str | None
    sort_order: int
    is_active: bool


# ---------------------------------------------------------------- vehicles

class VehicleCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    unit_number: UnitNumber
    hub_id: RefId
    vehicle_type_id: RefId
    status: VehicleStatus = "active"
    make: Line(50) | None = None
    model: Line(50) | None = None
    year: Year | None = None
    vin: Vin | None = None
    license_plate: Line(20) | None = None
    notes: Text(2000) | None = None


class VehicleUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    unit_number: UnitNumber | None = None
    hub_id: RefId | None = None
    vehicle_type_id: RefId | None = None
    status: VehicleStatus | None = None
    make: Line(50) | None = None
    model: Line(50) | None = None
    year: Year | None = None
    vin: Vin | None = None
    license_plate: Line(20) | None = None
    notes: Text(2000) | None = None


class VehicleRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    unit_number: str
    hub_id: int
    vehicle_type_id: int
    status: str
    make: str | None
    model: str | None
    year: int | None
    vin: str | None
    license_plate: str | None
    notes: str | None
    created_at: datetime
    updated_at: datetime


# ---------------------------------------------------------------- drivers

class DriverUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    cdl_number: CdlNumber | None = None
    cdl_expiry: date | None = None
    hub_id: RefId | None = None
    phone: Phone | None = None


class DriverRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    full_name: str
    phone: str | None
    is_active: bool
    hub_id: int | None
    cdl_number: str | None
    cdl_expiry: date | None
