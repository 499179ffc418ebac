"""Request and response models of the pricing policy, rate matrix, amenities, promo codes, modifiers and
quotes."""

from datetime import date, datetime, time
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from coachway.charters.models import TRIP_TYPES
from coachway.core.fields import Line, RefId, Text
from coachway.core.money import to_money
from coachway.pricing.models import (
    AMENITY_CATEGORIES,
    AMENITY_PRICING_TYPES,
    DEADHEAD_POLICIES,
    DISCOUNT_TYPES,
    MODIFIER_TYPES,
    PRICE_RULES,
)

FIRST_YEAR, LAST_YEAR = 2000, 2100
MAX_RATE = Decimal("99999.99")  # rates are under $100,000

PriceRule = Literal[PRICE_RULES]
DeadheadPolicy = Literal[DEADHEAD_POLICIES]
AmenityCategory = Literal[AMENITY_CATEGORIES]
AmenityPricingType = Literal[AMENITY_PRICING_TYPES]
DiscountType = Literal[DISCOUNT_TYPES]
ModifierType = Literal[MODIFIER_TYPES]
TripType = Literal[TRIP_TYPES]
# A day of the week in any case ("Saturday"); the service checks it is one of engine.WEEKDAYS.
Weekday = Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True, min_length=1, max_length=10)]


def _amount(low: str | int, high: str | int, *, gt: bool = False):
    """A dollar amount between low and high, rounded half-up to cents."""
    bound = {"gt": Decimal(low)} if gt else {"ge": Decimal(low)}
    return Annotated[Decimal, Field(le=Decimal(high), max_digits=12, decimal_places=2, **bound),
                     AfterValidator(to_money)]


Rate = _amount(0, MAX_RATE)
Percent = Annotated[Decimal, Field(ge=0, le=100, max_digits=5, decimal_places=2)]
Hours = Annotated[Decimal, Field(ge=0, le=24, max_digits=6, decimal_places=2)]
Miles = Annotated[Decimal, Field(ge=0, le=100_000, max_digits=9, decimal_places=2)]
SaneDate = Annotated[date, Field(ge=date(FIRST_YEAR, 1, 1), le=date(LAST_YEAR, 12, 31))]
PromoCodeText = Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True, min_length=3,
                                                 max_length=50, pattern=r"^[A-Za-z0-9_-]{3,50}$")]
TypeCode = Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True, min_length=1,
                                            max_length=30)]
HubCode = Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True, min_length=1, max_length=10)]
EventType = Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True, min_length=1,
                                             max_length=50, pattern=r"^[^\x00-\x1f\x7f]*$")]


# ---------------------------------------------------------------- policy and rate matrix

class RateFields(BaseModel):
    """The amounts of one rate matrix cell (all optional: an update changes only what is sent)."""

    model_config = ConfigDict(extra="forbid")

    hourly_rate: Rate | None = None
    minimum_hours: Hours | None = None
    per_mile_rate: Rate | None = None
    daily_rate: Rate | None = None
    deadhead_per_mile: Rate | None = None
    second_driver_hourly: Rate | None = None
    driver_hotel_per_night: Rate | None = None
    driver_meals_per_night: Rate | None = None
    vendor_hourly_cost: Rate | None = None
    vendor_per_mile_cost: Rate | None = None
    is_active: bool | None = None


class RateUpdate(RateFields):
    """Change a rate; only the fields sent change (daily_rate null clears it)."""


class RateUpsert(RateFields):
    """Set the rate of a vehicle type at a hub (hub_id null: the company default), adding it if missing."""

    hub_id: RefId | None = None
    vehicle_type_id: RefId


class RateRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    hub_id: int | None
    vehicle_type_id: int
    hourly_rate: Decimal
    minimum_hours: Decimal
    per_mile_rate: Decimal
    daily_rate: Decimal | None
    deadhead_per_mile: Decimal
    second_driver_hourly: Decimal
    driver_hotel_per_night: Decimal
    driver_meals_per_night: Decimal
    # Left out for readers without pricing:read_internal.
    vendor_hourly_cost: Decimal | None = None
    vendor_per_mile_cost: Decimal | None = None
    is_active: bool
    updated_at: datetime


class MatrixCellRead(BaseModel):
    vehicle_type_id: int
    vehicle_type_code: str
    source: Literal["hub", "company_default", "fleet_default", "none"]
    rate: RateRead | None = None
    effective_hourly_rate: Decimal | None = None


class MatrixRowRead(BaseModel):
    hub_id: int | None
    hub_code: str | None
    cells: list[MatrixCellRead]


class PricingConfigUpdate(BaseModel):
    """Change the pricing policy; only the fields sent change."""

    model_config = ConfigDict(extra="forbid")

    price_rule: PriceRule | None = None
    deadhead_policy: DeadheadPolicy | None = None
    deadhead_free_miles: Miles | None = None
    fuel_surcharge_pct: Percent | None = None
    default_gratuity_pct: Percent | None = None
    quote_valid_days: int | None = Field(default=None, ge=1, le=365)
    quote_terms: Text(10_000) | None = None
    deposit_percentage: Percent | None = None


class PricingConfigRead(BaseModel):
    price_rule: str
    deadhead_policy: str
    deadhead_free_miles: Decimal
    fuel_surcharge_pct: Decimal
    default_gratuity_pct: Decimal
    quote_valid_days: int
    quote_terms: str | None
    deposit_percentage: Decimal
    updated_at: datetime
    rates: list[RateRead] = []


# ---------------------------------------------------------------- amenities

class AmenityCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Line(100, 1)
    description: Text(2000) | None = None
    category: AmenityCategory
    base_price: _amount(0, 100_000)
    pricing_type: AmenityPricingType = "flat_fee"


class AmenityUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Line(100, 1) | None = None
    description: Text(2000) | None = None
    category: AmenityCategory | None = None
    base_price: _amount(0, 100_000) | None = None
    pricing_type: AmenityPricingType | None = None
    is_active: bool | None = None


class AmenityOrder(BaseModel):
    """Every amenity's id, in the order they are to be shown."""

    model_config = ConfigDict(extra="forbid")

    amenity_ids: list[RefId] = Field(min_length=1, max_length=1000)


class AmenityRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    description: str | None
    category: str | None
    base_price: Decimal
    pricing_type: str
    is_active: bool
    display_order: int


# ---------------------------------------------------------------- promo codes

class PromoCodeCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: PromoCodeText
    description: Text(2000) | None = None
    discount_type: DiscountType
    discount_value: _amount(0, 1_000_000, gt=True)
    valid_from: SaneDate | None = None
    valid_until: SaneDate | None = None
    max_uses: int | None = Field(default=None, ge=1, le=10_000_000)
    min_purchase_amount: _amount(0, 10_000_000) | None = None
    applicable_vehicle_types: list[TypeCode] | None = Field(default=None, max_length=50)
    applicable_trip_types: list[TripType] | None = Field(default=None, max_length=len(TRIP_TYPES))


class PromoCodeUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: PromoCodeText | None = None
    description: Text(2000) | None = None
    discount_type: DiscountType | None = None
    discount_value: _amount(0, 1_000_000, gt=True) | None = None
    valid_from: SaneDate | None = None
    valid_until: SaneDate | None = None
    max_uses: int | None = Field(default=None, ge=1, le=10_000_000)
    min_purchase_amount: _amount(0, 10_000_000) | None = None
    applicable_vehicle_types: list[TypeCode] | None = Field(default=None, max_length=50)
    applicable_trip_types: list[TripType] | None = Field(default=None, max_length=len(TRIP_TYPES))
    is_active: bool | None = None


class PromoCodeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    description: str | None
    discount_type: str
    discount_value: Decimal
    valid_from: date | None
    valid_until: date | None
    max_uses: int | None
    uses_count: int
    is_active: bool
    min_purchase_amount: Decimal | None
    applicable_vehicle_types: list[str] | None
    applicable_trip_types: list[str] | None
    created_by: int | None
    created_at: datetime


class PromoCheckRequest(BaseModel):
    """A promo code to check, optionally against a trip (type, vehicles, date) and an amount."""

    model_config = ConfigDict(extra="forbid")

    code: Line(100, 1)
    trip_type: TripType | None = None
    vehicle_type_ids: list[RefId] | None = Field(default=None, max_length=20)
    amount: _amount(0, 100_000_000) | None = None
    trip_date: SaneDate | None = None


class PromoCheckRead(BaseModel):
    valid: bool
    reason: str | None
    code: str
    discount_type: str | None = None
    discount_value: Decimal | None = None
    discount_amount: Decimal | None = None


# ---------------------------------------------------------------- modifiers

class DateRange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    start: SaneDate
    end: SaneDate

    @model_validator(mode="after")
    def _in_order(self) -> "DateRange":
        if self.start > self.end:
            raise ValueError("A date range starts on or before its end.")
        return self


class ModifierFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    applicable_days: list[Weekday] | None = Field(default=None, max_length=7)
    applicable_hubs: list[HubCode] | None = Field(default=None, max_length=100)
    event_types: list[EventType] | None = Field(default=None, max_length=50)
    date_ranges: list[DateRange] | None = Field(default=None, max_length=100)
    lead_time_hours: int | None = Field(default=None, ge=1, le=720)
    priority: int | None = Field(default=None, ge=-1000, le=1000)


class ModifierCreate(ModifierFields):
    name: Line(100, 1)
    modifier_type: ModifierType
    adjustment_type: DiscountType
    adjustment_value: _amount(-100_000, 100_000)
    priority: int = Field(default=0, ge=-1000, le=1000)
    is_active: bool = True


class ModifierUpdate(ModifierFields):
    name: Line(100, 1) | None = None
    modifier_type: ModifierType | None = None
    adjustment_type: DiscountType | None = None
    adjustment_value: _amount(-100_000, 100_000) | None = None
    is_active: bool | None = None


class ModifierRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    modifier_type: str
    adjustment_type: str
    adjustment_value: Decimal
    applicable_days: list[str] | None
    applicable_hubs: list[str] | None
    event_types: list[str] | None
    date_ranges: list[dict[str, Any]] | None
    lead_time_hours: int | None
    priority: int
    is_active: bool
    created_at: datetime


# ---------------------------------------------------------------- quotes

class QuoteVehicle(BaseModel):
    model_config = ConfigDict(extra="forbid")

    vehicle_type_id: RefId
    quantity: int = Field(default=1, ge=1, le=100)


class QuoteAmenity(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amenity_id: RefId
    quantity: int = Field(default=1, ge=1, le=100)


class QuoteStop(BaseModel):
    model_config = ConfigDict(extra="forbid")

    address: Line(500, 1)
    dwell_minutes: int = Field(default=0, ge=0, le=10_080)


def _local_time(value: time) -> time:
    if value.tzinfo is not None:
        raise ValueError("Give the local time at the hub without a UTC offset, like 08:30.")
    return value


class QuoteRequest(BaseModel):
    """A trip to price: its hub, dates, vehicles and extras, and either its live miles and hours or its stops
    (which are looked up and routed from the hub)."""

    model_config = ConfigDict(extra="forbid")

    hub_id: RefId
    trip_date: SaneDate
    end_date: SaneDate | None = None
    pickup_time: Annotated[time, AfterValidator(_local_time)] | None = None
    trip_type: TripType
    passenger_count: int = Field(ge=1, le=1000)
    vehicles: list[QuoteVehicle] = Field(min_length=1, max_length=20)
    amenities: list[QuoteAmenity] = Field(default_factory=list, max_length=50)
    promo_code: Line(100) | None = None
    event_type: EventType | None = None
    requires_second_driver: bool = False
    miles: Annotated[Decimal, Field(ge=0, le=10_000, max_digits=7, decimal_places=2)] | None = None
    hours: Annotated[Decimal, Field(ge=0, le=720, max_digits=5, decimal_places=2)] | None = None
    stops: list[QuoteStop] | None = Field(default=None, min_length=2, max_length=25)

    # Which of miles + hours or stops is given, and end_date after trip_date, are the service's checks
    # (calculate_quote), so that the error names the field.


class QuoteLineRead(BaseModel):
    kind: str
    label: str
    detail: str
    amount: Decimal
    ref_id: int | None


class QuoteInputsRead(BaseModel):
    miles: Decimal
    hours: Decimal
    days: int
    deadhead_miles: Decimal
    lead_time_hours: Decimal | None
    requires_second_driver: bool


class QuoteRead(BaseModel):
    lines: list[QuoteLineRead]
    subtotal: Decimal
    total: Decimal
    deposit: Decimal
    balance: Decimal
    promo_code: str | None
    promo_problem: str | None
    notes: list[str]
    estimated_vendor_cost: Decimal | None = None
    margin: Decimal | None = None
    inputs: QuoteInputsRead
