"""Request and response models of the public quote calculator (/quote and its JSON twin)."""

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from coachway.core.fields import Email, Line, Phone, RefId, Text

# Trip types a prospect can price from two addresses (longer trips need an agent).
TRIP_TYPES = {"round_trip": "Round trip (same day)", "one_way": "One way"}


class PublicTrip(BaseModel):
    """The trip a prospect prices: where from and to, when, how many people and in what vehicle."""

    model_config = ConfigDict(extra="forbid")

    hub_id: RefId
    trip_date: date
    trip_type: Literal[tuple(TRIP_TYPES)]
    origin: Line(200, 2)
    destination: Line(200, 2)
    passenger_count: int = Field(ge=1, le=1000)
    vehicle_type_id: RefId


class PublicContact(BaseModel):
    """Who to call back about the trip."""

    model_config = ConfigDict(extra="forbid")

    first_name: Line(100, 1)
    last_name: Line(100, 1)
    email: Email
    phone: Phone | None = None
    company: Line(200) | None = None
    notes: Text(2000) | None = None


class EstimateVehicleRead(BaseModel):
    name: str
    capacity: int
    quantity: int
    amount: Decimal


class EstimateChargeRead(BaseModel):
    label: str
    amount: Decimal


class PublicEstimateRead(BaseModel):
    """An estimate for a prospect; valid false (the reason in message) when it cannot be priced online."""

    valid: bool
    message: str
    total: Decimal | None = None
    deposit: Decimal | None = None
    vehicles: list[EstimateVehicleRead] = []
    charges: list[EstimateChargeRead] = []
