"""Request and response models of charters, their vehicles, itinerary, route and DOT checks."""

from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

from coachway.charters.models import CHARTER_STATUSES, STOP_TYPES, TRIP_TYPES
from coachway.core.fields import Line, RefId, Text

MAX_STOPS = 50
MAX_VEHICLE_LINES = 20
FIRST_YEAR, LAST_YEAR = 2000, 2100

TripType = Literal[TRIP_TYPES]
CharterStatus = Literal[CHARTER_STATUSES]
StopType = Literal[STOP_TYPES]
Passengers = Annotated[int, Field(ge=1, le=1000)]
Luggage = Annotated[int, Field(ge=0, le=2000)]
Quantity = Annotated[int, Field(ge=1, le=100)]
DwellMinutes = Annotated[int, Field(ge=0, le=10_080)]
TripDays = Annotated[int, Field(ge=1, le=30)]
TripDate = Annotated[date, Field(ge=date(FIRST_YEAR, 1, 1), le=date(LAST_YEAR, 12, 31))]
Latitude = Annotated[Decimal, Field(ge=-90, le=90, max_digits=10, decimal_places=7)]
Longitude = Annotated[Decimal, Field(ge=-180, le=180, max_digits=10, decimal_places=7)]
Fee = Annotated[Decimal, Field(ge=0, le=Decimal("9999999999.99"), max_digits=12, decimal_places=2)]
Hours = Annotated[Decimal, Field(gt=0, le=720, max_digits=6, decimal_places=2)]
# The event a trip is for (concert, wedding ...), as event-based pricing modifiers name it.
EventType = Line(50)
Threshold = Annotated[Decimal, Field(gt=0, le=Decimal("99999999.99"), max_digits=10, decimal_places=2)]


def _in_range_utc(value: datetime) -> datetime:
    # Checked before converting: a year-9999 time with a negative offset would overflow on the way to UTC.
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(f"Give a time between {FIRST_YEAR} and {LAST_YEAR}.")
    return value.astimezone(UTC)


def _local_time(value: time) -> time:
    if value.tzinfo is not None:
        raise ValueError("Give the local time at the hub without a UTC offset, like 08:30.")
    return value


# An instant with its UTC offset (naive times are refused: which zone would they be in?).
When = Annotated[AwareDatetime, AfterValidator(_in_range_utc)]
LocalTime = Annotated[time, AfterValidator(_local_time)]


# ---------------------------------------------------------------- itinerary stops

class StopCreate(BaseModel):
    """A stop to add; position puts it there (1 = first) and shifts the rest, default is the end."""

    model_config = ConfigDict(extra="forbid")

    stop_type: StopType = "stop"
    location_name: Line(200) | None = None
    address: Line(500) | None = None
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    dwell_minutes: DwellMinutes = 0
    scheduled_time: When | None = None
    notes: Text(2000) | None = None
    position: int | None = Field(default=None, ge=1, le=MAX_STOPS)


class StopUpdate(BaseModel):
    """Only the fields sent change; a new address without coordinates is looked up again later."""

    model_config = ConfigDict(extra="forbid")

    stop_type: StopType | None = None
    location_name: Line(200) | None = None
    address: Line(500) | None = None
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    dwell_minutes: DwellMinutes | None = None
    scheduled_time: When | None = None
    actual_arrival: When | None = None
    actual_departure: When | None = None
    notes: Text(2000) | None = None


class StopRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    charter_id: int
    sequence: int
    stop_type: str
    location_name: str | None
    address: str | None
    latitude: Decimal | None
    longitude: Decimal | None
    geocoded_address: str | None
    geocode_status: str
    geocode_error: str | None
    dwell_minutes: int
    scheduled_time: datetime | None
    estimated_arrival: datetime | None
    estimated_departure: datetime | None
    actual_arrival: datetime | None
    actual_departure: datetime | None
    notes: str | None


class ReorderStops(BaseModel):
    """Every stop id of the charter, in the new order."""

    model_config = ConfigDict(extra="forbid")

    stop_ids: list[RefId] = Field(max_length=MAX_STOPS)


class GeocodeResult(BaseModel):
    stop_id: int
    status: Literal["ok", "not_found", "unavailable"]
    geocoded_address: str | None = None
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    message: str | None = None


# ---------------------------------------------------------------- vehicles

class CharterVehicleCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    vehicle_type_id: RefId
    quantity: Quantity = 1
    vehicle_id: RefId | None = None
    notes: Text(2000) | None = None


class CharterVehicleUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    vehicle_type_id: RefId | None = None
    quantity: Quantity | None = None
    vehicle_id: RefId | None = None
    notes: Text(2000) | None = None


class CharterVehiclesReplace(BaseModel):
    """The whole vehicle mix of a charter (a chosen recommendation, or a manual override)."""

    model_config = ConfigDict(extra="forbid")

    vehicles: list[CharterVehicleCreate] = Field(max_length=MAX_VEHICLE_LINES)


class CharterVehicleRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    charter_id: int
    vehicle_type_id: int
    quantity: int
    vehicle_id: int | None
    notes: str | None
    vehicle_type_code: str | None = None
    vehicle_type_name: str | None = None
    capacity: int | None = None


class RecommendationRequest(BaseModel):
    """An ad-hoc group: how many people, bags, what kind of trip and how many hours."""

    model_config = ConfigDict(extra="forbid")

    passenger_count: Passengers
    luggage_pieces: Luggage = 0
    trip_type: TripType = "one_way"
    hours: Hours = Decimal(4)


class MixVehicle(BaseModel):
    vehicle_type_id: int
    code: str
    name: str
    capacity: int
    luggage_capacity: int | None
    quantity: int


class MixRead(BaseModel):
    """One way to carry the group, cheapest first; estimated_cost and cost_note need charters:read_internal
    (the reason never names money)."""

    vehicles: list[MixVehicle]
    seats: int
    luggage: int | None = None
    spare_seats: int
    reason: str
    estimated_cost: Decimal | None = None
    cost_note: str | None = None


# ---------------------------------------------------------------- route and DOT

class LegRead(BaseModel):
    from_stop_id: int | None
    to_stop_id: int | None
    miles: Decimal
    minutes: int
    deadhead: bool


class StopTimeRead(BaseModel):
    stop_id: int
    sequence: int
    estimated_arrival: datetime | None
    estimated_departure: datetime | None
    late: bool = False


class RouteTotals(BaseModel):
    live_miles: Decimal
    deadhead_miles: Decimal
    total_miles: Decimal
    driving_minutes: int
    total_minutes: int
    total_hours: Decimal


class ViolationRead(BaseModel):
    """A rule one driver would break; day is the trip day (None for a rule over several days)."""

    regulation_name: str
    limit: Decimal
    actual: Decimal
    unit: str
    message: str
    day: int | None = None
    second_driver_fixes: bool = False


class DotResultRead(BaseModel):
    """The DOT answer; route_complete is false when some stops had no coordinates (the trip may be longer)."""

    compliant: bool
    requires_second_driver: bool
    requires_overnight_rest: bool
    violations: list[ViolationRead]
    explanation: str
    route_complete: bool = True


class RouteRead(BaseModel):
    """The planned route of a charter, garage to garage (legs from or to the hub have no stop id)."""

    charter_id: int
    complete: bool
    timezone: str
    missing_coordinates: list[int]
    garage_departure: datetime | None
    garage_return: datetime | None
    totals: RouteTotals | None
    legs: list[LegRead]
    stops: list[StopTimeRead]
    requires_second_driver: bool
    dot: DotResultRead | None = None


class GeocodeResponse(BaseModel):
    results: list[GeocodeResult]
    route: RouteRead


class TripStop(BaseModel):
    """A stop of an ad-hoc trip: an address to look up, or coordinates."""

    model_config = ConfigDict(extra="forbid")

    address: Line(500) | None = None
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    dwell_minutes: DwellMinutes = 0


class DotCheckRequest(BaseModel):
    """Either a saved charter (charter_id) or an ad-hoc trip (stops, start, trip_days, hub_id)."""

    model_config = ConfigDict(extra="forbid")

    charter_id: RefId | None = None
    stops: list[TripStop] | None = Field(default=None, max_length=MAX_STOPS)
    start: When | None = None
    trip_days: TripDays = 1
    hub_id: RefId | None = None


class DotCheckResponse(DotResultRead):
    charter_id: int | None = None
    route: RouteTotals


class DotRegulationUpdate(BaseModel):
    """What admins may tune; a rule's type and unit say how the check reads it, so they stay."""

    model_config = ConfigDict(extra="forbid")

    regulation_name: Line(100, 1) | None = None
    threshold_value: Threshold | None = None
    requires_second_driver: bool | None = None
    description: Text(2000) | None = None
    is_active: bool | None = None


class DotRegulationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    regulation_name: str
    regulation_type: str | None
    threshold_value: Decimal
    threshold_unit: str | None
    requires_second_driver: bool
    description: str | None
    is_active: bool


# ---------------------------------------------------------------- charters

class CharterCreate(BaseModel):
    """A new quote. Give trip_date (and optionally the local pickup_time) or start_datetime; a quote may come
    with its itinerary and vehicles at once."""

    model_config = ConfigDict(extra="forbid")

    client_id: RefId
    hub_id: RefId
    trip_type: TripType = "one_way"
    passenger_count: Passengers
    luggage_pieces: Luggage = 0
    trip_date: TripDate | None = None
    pickup_time: LocalTime | None = None
    start_datetime: When | None = None
    end_datetime: When | None = None
    notes: Text(5000) | None = None
    internal_notes: Text(5000) | None = None
    event_type: EventType | None = None
    assigned_sales_agent_id: RefId | None = None
    stops: list[StopCreate] = Field(default_factory=list, max_length=MAX_STOPS)
    vehicles: list[CharterVehicleCreate] = Field(default_factory=list, max_length=MAX_VEHICLE_LINES)


class CharterUpdate(BaseModel):
    """Only the fields sent change (the agent changes through assign-agent, the status through actions)."""

    model_config = ConfigDict(extra="forbid")

    client_id: RefId | None = None
    hub_id: RefId | None = None
    trip_type: TripType | None = None
    passenger_count: Passengers | None = None
    luggage_pieces: Luggage | None = None
    trip_date: TripDate | None = None
    pickup_time: LocalTime | None = None
    start_datetime: When | None = None
    end_datetime: When | None = None
    notes: Text(5000) | None = None
    internal_notes: Text(5000) | None = None
    event_type: EventType | None = None


class CancelCharter(BaseModel):
    model_config = ConfigDict(extra="forbid")

    cancellation_reason: Text(2000, 1)
    cancellation_fee: Fee | None = None  # None: the cancellation policy's fee
    refund_overpayment: bool = True  # give back what was paid beyond the fee (needs payments:refund)


class AssignAgent(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sales_agent_id: RefId


class CharterRead(BaseModel):
    """A charter as the reader may see it: internal fields are absent without charters:read_internal."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    client_id: int
    client_name: str | None = None
    hub_id: int
    hub_code: str | None = None
    timezone: str | None = None
    assigned_sales_agent_id: int | None
    sales_agent_name: str | None = None
    assigned_at: datetime | None
    status: str
    allowed_actions: list[str] = []
    trip_type: str
    passenger_count: int
    luggage_pieces: int
    trip_date: date
    pickup_time: time | None
    start_datetime: datetime | None
    end_datetime: datetime | None
    start_local: datetime | None = None
    end_local: datetime | None = None
    notes: str | None
    requires_second_driver: bool
    vehicle_count: int
    revision_number: int
    parent_quote_id: int | None
    cancellation_date: datetime | None
    cancellation_reason: str | None
    cancellation_fee: Decimal | None
    cancellation_fee_paid: bool
    total_miles: Decimal | None
    deadhead_miles: Decimal | None
    total_hours: Decimal | None
    booked_at: datetime | None
    confirmed_at: datetime | None
    started_at: datetime | None
    completed_at: datetime | None
    created_at: datetime
    updated_at: datetime
    internal_notes: str | None = None
    quote_secure_token: str | None = None
    dot_result: dict[str, Any] | None = None
    assigned_by: int | None = None
    created_by: int | None = None
    cancelled_by: int | None = None
    event_type: str | None = None
    quoted_price: Decimal | None = None
    deposit_amount: Decimal | None = None
    balance_amount: Decimal | None = None
    priced_at: datetime | None = None
    promo_code_id: int | None = None
    quote_sent_at: datetime | None = None
    quote_accepted_at: datetime | None = None
    superseded_by_id: int | None = None
    superseded_at: datetime | None = None
    estimated_vendor_cost: Decimal | None = None
    cloned_from_charter_id: int | None = None
    series_id: int | None = None
    parent_charter_id: int | None = None
    recurrence_rule: str | None = None
    instance_number: int | None = None
    series_total: int | None = None
    is_series_master: bool = False
    removed_from_series_at: datetime | None = None
    day_label: str | None = None  # "Day X of Y" for a running instance of a series


class CharterDetail(CharterRead):
    """One charter with its vehicles and itinerary (and, for staff, its saved price breakdown)."""

    vehicles: list[CharterVehicleRead] = []
    stops: list[StopRead] = []
    price_breakdown: dict[str, Any] | None = None
