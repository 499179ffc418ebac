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

from dataclasses import dataclass, field, fields, is_dataclass
from datetime import date
from decimal import Decimal
from typing import Any, get_type_hints

from coachway.core.money import to_money

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


# ---------------------------------------------------------------- helpers

def _cents(value: Decimal) -> Decimal:
    return to_money(value)


def _pct(amount: Decimal, pct: Decimal) -> Decimal:
    return _cents(amount * pct / HUNDRED)


def _money_text(value: Decimal) -> str:
    sign = "-" if value < 0 else ""
    return f"{sign}${abs(value):,.2f}"


def _num(value: Decimal) -> str:
    """2.50 -> 2.5, 3.00 -> 3 (for details read by people)."""
    text = f"{value.normalize():f}"
    return text


def _plural(count: int | Decimal, word: str) -> str:
    return f"{_num(Decimal(count))} {word}{'' if count == 1 else 's'}"


def _fleet(v: VehicleLine) -> str:
    return f" x {v.quantity} vehicles" if v.quantity != 1 else ""


def _vehicle_base(rate: Rate, trip: Trip, rule: str, *, vendor: bool = False) -> tuple[Decimal, str]:
    """The price (or, vendor=True, the estimated operator cost) of one vehicle and how it was found."""
    hourly = rate.vendor_hourly_cost if vendor else rate.hourly_rate
    per_mile = rate.vendor_per_mile_cost if vendor else rate.per_mile_rate
    billed_hours = max(trip.hours, rate.minimum_hours)
    if trip.days > 1 and rate.daily_rate is not None and not vendor:
        time_price = rate.daily_rate * trip.days
        time_text = f"{_plural(trip.days, 'day')} x {_money_text(rate.daily_rate)}"
    elif trip.days > 1 and rate.daily_rate is not None:
        # The operator's cost of a multi-day trip: its hourly cost over a working day per day at least.
        time_price = hourly * max(billed_hours, rate.minimum_hours * trip.days)
        time_text = ""
    else:
        time_price = hourly * billed_hours
        minimum = " (minimum)" if trip.hours < rate.minimum_hours else ""
        time_text = f"{_plural(billed_hours, 'hour')}{minimum} x {_money_text(hourly)}"
    mileage_price = per_mile * trip.miles
    mileage_text = f"{_plural(trip.miles, 'mile')} x {_money_text(per_mile)}"
    if rule == "time_only":
        return time_price, f"time: {time_text}"
    if rule == "mileage_only":
        return mileage_price, f"mileage: {mileage_text}"
    if mileage_price > time_price:
        return mileage_price, f"mileage: {mileage_text} (more than time: {time_text})"
    return time_price, f"time: {time_text} (not less than mileage: {mileage_text})"


def _billable_deadhead(trip: Trip, policy: Policy) -> Decimal:
    if policy.deadhead_policy == "none":
        return ZERO
    if policy.deadhead_policy == "all":
        return trip.deadhead_miles
    return max(ZERO, trip.deadhead_miles - policy.deadhead_free_miles)


def _amenity_amount(line: AmenityLine, trip: Trip) -> tuple[Decimal, str]:
    price, qty = line.base_price, line.quantity
    each = f" x {qty}" if qty != 1 else ""
    if line.pricing_type == "per_passenger":
        riders = _plural(trip.passengers, 'passenger')
        return price * trip.passengers * qty, f"{_money_text(price)} x {riders}{each}"
    if line.pricing_type == "per_hour":
        return price * trip.hours * qty, f"{_money_text(price)} x {_plural(trip.hours, 'hour')}{each}"
    if line.pricing_type == "per_day":
        return price * trip.days * qty, f"{_money_text(price)} x {_plural(trip.days, 'day')}{each}"
    return price * qty, f"{_money_text(price)}{each}"


def modifier_applies(modifier: Modifier, trip: Trip) -> bool:
    """True when every condition the modifier sets holds for the trip (ASAP needs a known lead time)."""
    if modifier.applicable_days and WEEKDAYS[trip.trip_date.weekday()] not in modifier.applicable_days:
        return False
    if modifier.applicable_hubs and trip.hub_code not in modifier.applicable_hubs:
        return False
    if modifier.event_types and trip.event_type not in modifier.event_types:
        return False
    ranges = modifier.date_ranges
    if ranges and not any(start <= trip.trip_date <= end for start, end in ranges):
        return False
    if modifier.lead_time_hours is not None and (
            trip.lead_time_hours is None or trip.lead_time_hours > modifier.lead_time_hours):
        return False
    return True


def promo_problem(promo: Promo, trip: Trip, amount: Decimal) -> str | None:
    """Why the promo cannot apply to this trip and amount, or None."""
    if promo.applicable_trip_types and trip.trip_type not in promo.applicable_trip_types:
        return f"Code {promo.code} is not valid for this trip type."
    if promo.applicable_vehicle_types and not any(
            v.rate.vehicle_type_code in promo.applicable_vehicle_types for v in trip.vehicles):
        return f"Code {promo.code} is not valid for these vehicles."
    if promo.min_purchase_amount is not None and amount < promo.min_purchase_amount:
        return f"Code {promo.code} needs a trip of at least {_money_text(promo.min_purchase_amount)}."
    return None


def promo_discount(promo: Promo, amount: Decimal) -> Decimal:
    """The discount (positive) a promo gives on amount: a percentage of it, or the fixed sum, never more
    than the amount itself."""
    if amount <= 0:
        return ZERO
    if promo.discount_type == "percentage":
        return min(amount, _pct(amount, promo.discount_value))
    return min(amount, _cents(promo.discount_value))


# ---------------------------------------------------------------- the calculation

def calculate(trip: Trip, policy: Policy, modifiers: tuple[Modifier, ...] | list[Modifier] = (),
              promo: Promo | None = None) -> Quote:
    """Price a trip. Pure: the same inputs always give the same quote."""
    lines: list[Line] = []
    vendor_cost = ZERO
    drivers_per_vehicle = 2 if trip.requires_second_driver else 1

    # 1. vehicles
    driving = ZERO  # vehicle and deadhead lines: what the fuel surcharge applies to
    for v in trip.vehicles:
        each, how = _vehicle_base(v.rate, trip, policy.price_rule)
        amount = _cents(each * v.quantity)
        qty = f"{v.quantity} x " if v.quantity != 1 else ""
        lines.append(Line("vehicle", f"{qty}{v.rate.vehicle_type_name}", amount, how, v.rate.vehicle_type_id))
        driving += amount
        cost_each, _ = _vehicle_base(v.rate, trip, policy.price_rule, vendor=True)
        vendor_cost += cost_each * v.quantity

    # 2. deadhead
    billable = _billable_deadhead(trip, policy)
    if billable > 0:
        for v in trip.vehicles:
            if v.rate.deadhead_per_mile <= 0:
                continue
            amount = _cents(billable * v.rate.deadhead_per_mile * v.quantity)
            free = (f" beyond {_num(policy.deadhead_free_miles)} free"
                    if policy.deadhead_policy == "beyond_free_miles" and policy.deadhead_free_miles else "")
            lines.append(Line("deadhead", f"Deadhead, {v.rate.vehicle_type_name}", amount,
                              f"{_plural(billable, 'empty mile')}{free} x "
                              f"{_money_text(v.rate.deadhead_per_mile)}{_fleet(v)}", v.rate.vehicle_type_id))
            driving += amount
            vendor_cost += billable * v.rate.vendor_per_mile_cost * v.quantity

    # 3. second driver
    if trip.requires_second_driver:
        for v in trip.vehicles:
            if v.rate.second_driver_hourly <= 0:
                continue
            hours = max(trip.hours, v.rate.minimum_hours)
            amount = _cents(v.rate.second_driver_hourly * hours * v.quantity)
            lines.append(Line("second_driver", f"Second driver, {v.rate.vehicle_type_name}", amount,
                              f"{_plural(hours, 'hour')} x {_money_text(v.rate.second_driver_hourly)}"
                              f"{_fleet(v)}", v.rate.vehicle_type_id))
            vendor_cost += amount

    # 4. driver overnight
    nights = max(0, trip.days - 1)
    if nights:
        for v in trip.vehicles:
            per_night = v.rate.driver_hotel_per_night + v.rate.driver_meals_per_night
            if per_night <= 0:
                continue
            drivers = v.quantity * drivers_per_vehicle
            amount = _cents(per_night * nights * drivers)
            lines.append(Line("overnight", f"Driver hotel and meals, {v.rate.vehicle_type_name}", amount,
                              f"{_plural(nights, 'night')} x {_plural(drivers, 'driver')} x "
                              f"{_money_text(per_night)}", v.rate.vehicle_type_id))
            vendor_cost += amount

    # 5. amenities
    for a in trip.amenities:
        raw, how = _amenity_amount(a, trip)
        lines.append(Line("amenity", a.name, _cents(raw), how, a.amenity_id))

    subtotal = sum((line.amount for line in lines), ZERO)

    # 6. modifiers, highest priority first, each on the running amount
    running = subtotal
    for m in sorted(modifiers, key=lambda m: (-m.priority, m.id)):
        if not modifier_applies(m, trip):
            continue
        if m.adjustment_type == "percentage":
            amount = _pct(running, m.adjustment_value)
            how = f"{_num(m.adjustment_value)}% of {_money_text(running)}"
        else:
            amount = _cents(m.adjustment_value)
            how = "fixed amount"
        amount = max(amount, -running)  # a discount never takes the price below zero
        lines.append(Line("modifier", m.name, amount, how, m.id))
        running += amount

    # 7. promo
    applied, problem = None, None
    if promo is not None:
        problem = promo_problem(promo, trip, running)
        if problem is None:
            discount = promo_discount(promo, running)
            if promo.discount_type == "percentage":
                how = f"{_num(promo.discount_value)}% of {_money_text(running)}"
            else:
                how = f"{_money_text(promo.discount_value)} off"
            lines.append(Line("promo", f"Promo code {promo.code}", -discount, how, promo.id))
            running -= discount
            applied = promo.code

    # 8. fuel surcharge, 9. gratuity
    if policy.fuel_surcharge_pct and driving > 0:
        lines.append(Line("fuel", "Fuel surcharge", _pct(driving, policy.fuel_surcharge_pct),
                          f"{_num(policy.fuel_surcharge_pct)}% of {_money_text(driving)} "
                          "(vehicles and deadhead)"))
    gratuity = ZERO
    if policy.gratuity_pct and running > 0:
        gratuity = _pct(running, policy.gratuity_pct)
        lines.append(Line("gratuity", "Driver gratuity", gratuity,
                          f"{_num(policy.gratuity_pct)}% of {_money_text(running)}"))
        vendor_cost += gratuity

    total = sum((line.amount for line in lines), ZERO)
    deposit = min(total, _pct(total, policy.deposit_pct)) if total > 0 else ZERO
    vendor_cost = _cents(vendor_cost)
    return Quote(lines=tuple(lines), subtotal=subtotal, total=total, deposit=deposit, balance=total - deposit,
                 estimated_vendor_cost=vendor_cost, margin=total - vendor_cost, promo_code=applied,
                 promo_problem=problem)


# ---------------------------------------------------------------- inputs as JSON (saved with each quote)

def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if is_dataclass(value):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    return value


def inputs_to_dict(trip: Trip, policy: Policy, modifiers: tuple[Modifier, ...] | list[Modifier] = (),
                   promo: Promo | None = None) -> dict[str, Any]:
    """Everything a quote was calculated from, JSON-ready; inputs_from_dict gives it back exactly."""
    return {"trip": _plain(trip), "policy": _plain(policy), "modifiers": [_plain(m) for m in modifiers],
            "promo": _plain(promo) if promo is not None else None}


def _build(cls, data: dict[str, Any], **nested):
    hints = get_type_hints(cls)
    out = {}
    for f in fields(cls):
        if f.name not in data:
            continue
        value = data[f.name]
        if f.name in nested:
            out[f.name] = nested[f.name](value)
            continue
        hint = str(hints[f.name])
        if value is None:
            out[f.name] = None
        elif "Decimal" in hint:
            out[f.name] = Decimal(value)
        elif "date" in hint and "tuple" not in hint:
            out[f.name] = date.fromisoformat(value)
        elif "tuple" in hint:
            out[f.name] = tuple(value)
        else:
            out[f.name] = value
    return cls(**out)


def _modifier(data: dict[str, Any]) -> Modifier:
    ranges = tuple((date.fromisoformat(a), date.fromisoformat(b)) for a, b in data.get("date_ranges") or ())
    return _build(Modifier, data, date_ranges=lambda _: ranges)


def inputs_from_dict(data: dict[str, Any]) -> tuple[Trip, Policy, tuple[Modifier, ...], Promo | None]:
    """The inverse of inputs_to_dict."""
    def vehicles(items):
        return tuple(VehicleLine(rate=_build(Rate, v["rate"]), quantity=v["quantity"]) for v in items)

    def amenities(items):
        return tuple(_build(AmenityLine, a) for a in items)

    trip = _build(Trip, data["trip"], vehicles=vehicles, amenities=amenities)
    policy = _build(Policy, data["policy"])
    modifiers = tuple(_modifier(m) for m in data.get("modifiers") or ())
    promo = _build(Promo, data["promo"]) if data.get("promo") else None
    return trip, policy, modifiers, promo
