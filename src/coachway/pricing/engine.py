"""The quote calculation: pure, no database, Decimal to the cent.

The service loads rates, amenities, modifiers, the promo code and the policy into these frozen values and
calls `calculate`; the result is a list of lines whose amounts (each already rounded to the cent) add up to
the total exactly, plus the deposit and balance, and the estimated vendor cost and margin for staff.

How a price is built, in order (each step is one or more lines, `kind` in brackets):

1. Vehicles [vehicle], per line of the trip's vehicles, times its quantity:
   - one-day trip: time price = hourly_rate x max(hours, minimum_hours); mileage price = per_mile_rate x
     miles; the policy's price_rule picks the greater of the two (greater_of), or one alone;
   - trip over several calendar days with a daily_rate: time price = daily_rate x days instead.
2. Deadhead [deadhead]: the empty miles to the first pickup and back to the garage, at deadhead_per_mile,
   per vehicle: none, all of them, or only those beyond deadhead_free_miles (deadhead_policy).
3. Second driver [second_driver]: when the trip needs one, second_driver_hourly x max(hours, minimum_hours)
   per vehicle (per day's worth of hours on multi-day trips: the hours given are the trip's total).
4. Driver overnight [overnight]: nights = days - 1; (hotel + meals) x nights x drivers (vehicles, doubled
   with a second driver).
5. Amenities [amenity]: flat_fee = price x quantity; per_passenger = price x passengers x quantity;
   per_hour = price x hours x quantity; per_day = price x days x quantity.
6. Modifiers [modifier], every matching active one, highest priority first (ties by id): a percentage
   applies to the running amount (subtotal of 1-5 plus earlier modifiers), a fixed amount adds itself.
   A modifier matches when every condition it sets holds (days, hubs, event types, date ranges, lead time).
7. Promo [promo]: on the amount after modifiers; percentage of it, or the fixed amount (never more than
   the amount); refused (with a reason, no line) below min_purchase_amount or outside its vehicle or trip
   types.
8. Fuel surcharge [fuel]: fuel_surcharge_pct of the vehicle and deadhead lines.
9. Gratuity [gratuity]: gratuity_pct of the charter price after modifiers and promo (before fuel).

total = sum of the lines; deposit = deposit_pct of the total (rounded), balance = total - deposit.
Estimated vendor cost = the vehicles at vendor rates (same rule) + deadhead miles at vendor per-mile cost
+ second driver + overnight + gratuity (passed through to the operator's drivers); margin = total - cost.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

ZERO = Decimal(0)
HUNDRED = Decimal(100)
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True)
class Policy:
    """The company-wide pricing policy (pricing_config) and the deposit percentage (payment_configuration)."""

    price_rule: str = "greater_of"  # greater_of | time_only | mileage_only
    deadhead_policy: str = "beyond_free_miles"  # none | all | beyond_free_miles
    deadhead_free_miles: Decimal = Decimal(50)
    fuel_surcharge_pct: Decimal = ZERO
    gratuity_pct: Decimal = ZERO
    deposit_pct: Decimal = Decimal(25)


@dataclass(frozen=True)
class Rate:
    """The rate matrix cell for one vehicle type at the trip's hub (hub row, else the company default)."""

    vehicle_type_id: int
    vehicle_type_code: str
    vehicle_type_name: str
    hourly_rate: Decimal
    minimum_hours: Decimal
    per_mile_rate: Decimal
    daily_rate: Decimal | None = None
    deadhead_per_mile: Decimal = ZERO
    second_driver_hourly: Decimal = ZERO
    driver_hotel_per_night: Decimal = ZERO
    driver_meals_per_night: Decimal = ZERO
    vendor_hourly_cost: Decimal = ZERO
    vendor_per_mile_cost: Decimal = ZERO


@dataclass(frozen=True)
class VehicleLine:
    """quantity vehicles of one type."""

    rate: Rate
    quantity: int = 1


@dataclass(frozen=True)
class AmenityLine:
    """An amenity chosen for the trip."""

    amenity_id: int
    name: str
    pricing_type: str  # flat_fee | per_passenger | per_hour | per_day
    base_price: Decimal
    quantity: int = 1


@dataclass(frozen=True)
class Modifier:
    """An active pricing modifier; empty conditions are not checked."""

    id: int
    name: str
    modifier_type: str
    adjustment_type: str  # percentage | fixed_amount
    adjustment_value: Decimal
    applicable_days: tuple[str, ...] = ()
    applicable_hubs: tuple[str, ...] = ()
    event_types: tuple[str, ...] = ()
    date_ranges: tuple[tuple[date, date], ...] = ()  # inclusive (start, end)
    lead_time_hours: int | None = None
    priority: int = 0


@dataclass(frozen=True)
class Promo:
    """A promo code the service found active, inside its validity window and with uses left."""

    id: int
    code: str
    discount_type: str  # percentage | fixed_amount
    discount_value: Decimal
    min_purchase_amount: Decimal | None = None
    applicable_vehicle_types: tuple[str, ...] = ()  # vehicle type codes; empty = any
    applicable_trip_types: tuple[str, ...] = ()


@dataclass(frozen=True)
class Trip:
    """What is being priced. hours and miles are the live (passenger) totals; days are calendar days."""

    trip_date: date
    trip_type: str
    passengers: int
    hours: Decimal
    miles: Decimal
    vehicles: tuple[VehicleLine, ...]
    days: int = 1
    deadhead_miles: Decimal = ZERO
    requires_second_driver: bool = False
    hub_code: str | None = None
    event_type: str | None = None
    # Hours from the calculation to the first pickup (None: unknown, so ASAP modifiers do not apply).
    lead_time_hours: Decimal | None = None
    amenities: tuple[AmenityLine, ...] = ()


@dataclass(frozen=True)
class Line:
    """One line of the breakdown. amount is in dollars, rounded to the cent; discounts are negative."""

    kind: str  # vehicle | deadhead | second_driver | overnight | amenity | modifier | promo | fuel | gratuity
    label: str
    amount: Decimal
    detail: str = ""
    ref_id: int | None = None  # vehicle_type_id, amenity_id, modifier id or promo id

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "label": self.label, "detail": self.detail, "amount": str(self.amount),
                "ref_id": self.ref_id}


@dataclass(frozen=True)
class Quote:
    """The result of `calculate`."""

    lines: tuple[Line, ...]
    subtotal: Decimal  # lines 1-5 (before modifiers, promo, fuel and gratuity)
    total: Decimal
    deposit: Decimal
    balance: Decimal
    estimated_vendor_cost: Decimal
    margin: Decimal
    promo_code: str | None = None  # the code applied, when it was
    promo_problem: str | None = None  # why the promo given was not applied
    notes: tuple[str, ...] = field(default=())

    def as_dict(self, *, internal: bool = True) -> dict[str, Any]:
        """JSON-ready; internal=False leaves out the vendor cost and margin (clients never see them)."""
        data = {"lines": [line.as_dict() for line in self.lines], "subtotal": str(self.subtotal),
                "total": str(self.total), "deposit": str(self.deposit), "balance": str(self.balance),
                "promo_code": self.promo_code, "promo_problem": self.promo_problem, "notes": list(self.notes)}
        if internal:
            data |= {"estimated_vendor_cost": str(self.estimated_vendor_cost), "margin": str(self.margin)}
        return data


def calculate(trip: Trip, policy: Policy, modifiers: tuple[Modifier, ...] = (), promo: Promo | None = None
              ) -> Quote:
    """Price a trip. Pure: the same inputs always give the same quote."""
    raise NotImplementedError
