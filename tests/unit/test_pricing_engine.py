"""The quote calculation: worked examples of every rule, and properties over generated trips (hypothesis)."""

import json
from datetime import date, timedelta
from decimal import Decimal as D

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coachway.pricing import engine as e

COACH = e.Rate(
    1,
    "MC56",
    "56-seat coach",
    hourly_rate=D("150"),
    minimum_hours=D("5"),
    per_mile_rate=D("4.25"),
    daily_rate=D("1400"),
    deadhead_per_mile=D("3"),
    second_driver_hourly=D("40"),
    driver_hotel_per_night=D("150"),
    driver_meals_per_night=D("60"),
    vendor_hourly_cost=D("110"),
    vendor_per_mile_cost=D("3"),
)
MINI = e.Rate(
    2, "MINI28", "28-seat minibus", hourly_rate=D("110"), minimum_hours=D("4"), per_mile_rate=D("3.10")
)
SATURDAY = date(2026, 12, 5)
MONDAY = date(2026, 12, 7)


def trip(**kw) -> e.Trip:
    base = dict(
        trip_date=MONDAY,
        trip_type="round_trip",
        passengers=40,
        hours=D("6"),
        miles=D("100"),
        vehicles=(e.VehicleLine(COACH),),
    )
    return e.Trip(**(base | kw))


def amounts(quote: e.Quote, kind: str) -> list[D]:
    return [line.amount for line in quote.lines if line.kind == kind]


# ---------------------------------------------------------------- the base price rule


def test_greater_of_time_and_mileage():
    by_time = e.calculate(trip(hours=D("6"), miles=D("100")), e.Policy())  # 900 vs 425
    assert amounts(by_time, "vehicle") == [D("900.00")]
    assert "time" in by_time.lines[0].detail
    by_miles = e.calculate(trip(hours=D("6"), miles=D("400")), e.Policy())  # 900 vs 1700
    assert amounts(by_miles, "vehicle") == [D("1700.00")]
    assert by_miles.lines[0].detail.startswith("mileage")


def test_price_rule_is_configurable():
    t = trip(hours=D("6"), miles=D("400"))
    assert amounts(e.calculate(t, e.Policy(price_rule="time_only")), "vehicle") == [D("900.00")]
    assert amounts(e.calculate(t, e.Policy(price_rule="mileage_only")), "vehicle") == [D("1700.00")]


def test_minimum_hours_apply():
    quote = e.calculate(trip(hours=D("2"), miles=D("10")), e.Policy())
    assert amounts(quote, "vehicle") == [D("750.00")]  # 5 h minimum x $150
    assert "(minimum)" in quote.lines[0].detail


def test_multi_day_uses_daily_rate_and_overnight_allowance():
    quote = e.calculate(trip(days=3, hours=D("20"), miles=D("500")), e.Policy())
    assert amounts(quote, "vehicle") == [D("4200.00")]  # 3 days x 1400 > 500 x 4.25
    assert amounts(quote, "overnight") == [D("420.00")]  # 2 nights x 1 driver x (150 + 60)


def test_second_driver_costs_hours_and_doubles_overnight():
    quote = e.calculate(trip(days=2, hours=D("12"), miles=D("300"), requires_second_driver=True), e.Policy())
    assert amounts(quote, "second_driver") == [D("480.00")]  # 12 h x $40
    assert amounts(quote, "overnight") == [D("420.00")]  # 1 night x 2 drivers x 210


def test_quantity_multiplies_each_vehicle_line():
    quote = e.calculate(trip(vehicles=(e.VehicleLine(COACH, 2), e.VehicleLine(MINI, 1))), e.Policy())
    assert amounts(quote, "vehicle") == [D("1800.00"), D("660.00")]
    assert quote.lines[0].label == "2 x 56-seat coach"


# ---------------------------------------------------------------- deadhead


def test_deadhead_policies():
    t = trip(deadhead_miles=D("80"))
    assert amounts(e.calculate(t, e.Policy(deadhead_policy="none")), "deadhead") == []
    assert amounts(e.calculate(t, e.Policy(deadhead_policy="all")), "deadhead") == [D("240.00")]
    beyond = e.Policy(deadhead_policy="beyond_free_miles", deadhead_free_miles=D("50"))
    assert amounts(e.calculate(t, beyond), "deadhead") == [D("90.00")]
    assert amounts(e.calculate(trip(deadhead_miles=D("40")), beyond), "deadhead") == []


# ---------------------------------------------------------------- amenities


def test_amenity_pricing_types():
    t = trip(
        passengers=30,
        hours=D("7.5"),
        days=2,
        amenities=(
            e.AmenityLine(1, "Wi-Fi", "flat_fee", D("75")),
            e.AmenityLine(2, "Snacks", "per_passenger", D("4.50")),
            e.AmenityLine(3, "Water", "per_hour", D("6")),
            e.AmenityLine(4, "Host", "per_day", D("200"), quantity=2),
        ),
    )
    assert amounts(e.calculate(t, e.Policy()), "amenity") == [
        D("75.00"),
        D("135.00"),
        D("45.00"),
        D("800.00"),
    ]


# ---------------------------------------------------------------- modifiers


def test_modifiers_apply_in_priority_order_to_the_running_amount():
    mods = (
        e.Modifier(1, "Weekend", "day_of_week", "percentage", D("10"), applicable_days=("saturday",)),
        e.Modifier(
            2, "Event fee", "event_based", "fixed_amount", D("100"), event_types=("concert",), priority=5
        ),
    )
    quote = e.calculate(trip(trip_date=SATURDAY, event_type="concert"), e.Policy(), mods)
    assert [(line.label, line.amount) for line in quote.lines if line.kind == "modifier"] == [
        ("Event fee", D("100.00")),
        ("Weekend", D("100.00")),
    ]  # 10% of 900 + 100


def test_modifier_conditions():
    weekend = e.Modifier(1, "Weekend", "day_of_week", "percentage", D("10"), applicable_days=("saturday",))
    hub = e.Modifier(2, "NYC", "hub_based", "percentage", D("5"), applicable_hubs=("NYC",))
    holiday = e.Modifier(
        3,
        "Holidays",
        "holiday",
        "percentage",
        D("20"),
        date_ranges=((date(2026, 12, 23), date(2026, 12, 25)),),
    )
    asap = e.Modifier(4, "Short notice", "asap", "percentage", D("15"), lead_time_hours=72)
    mods = (weekend, hub, holiday, asap)

    def applied(**kw):
        return {
            line.label for line in e.calculate(trip(**kw), e.Policy(), mods).lines if line.kind == "modifier"
        }

    assert applied() == set()
    assert applied(trip_date=SATURDAY) == {"Weekend"}
    assert applied(hub_code="NYC") == {"NYC"}
    assert applied(trip_date=date(2026, 12, 25)) == {"Holidays"}  # the end of a range is inside it
    assert applied(trip_date=date(2026, 12, 22)) == set()
    assert applied(lead_time_hours=D("72")) == {"Short notice"}
    assert applied(lead_time_hours=D("72.5")) == set()
    assert applied(lead_time_hours=None) == set()  # unknown lead time: never ASAP


def test_a_discount_modifier_never_takes_the_price_below_zero():
    mods = (e.Modifier(1, "Goodwill", "hub_based", "fixed_amount", D("-5000"), applicable_hubs=("ATL",)),)
    quote = e.calculate(trip(hub_code="ATL"), e.Policy(gratuity_pct=D("10")), mods)
    assert quote.total == D("0.00") and quote.deposit == D("0.00")


# ---------------------------------------------------------------- promo codes


def test_promo_percentage_and_fixed():
    pct = e.calculate(trip(), e.Policy(), promo=e.Promo(1, "TEN", "percentage", D("10")))
    assert amounts(pct, "promo") == [D("-90.00")] and pct.promo_code == "TEN" and pct.total == D("810.00")
    fixed = e.calculate(trip(), e.Policy(), promo=e.Promo(2, "BIG", "fixed_amount", D("5000")))
    assert amounts(fixed, "promo") == [D("-900.00")] and fixed.total == D("0.00")  # never more than the price


def test_promo_restrictions_give_a_reason_and_no_line():
    cases = [
        e.Promo(1, "MIN", "percentage", D("10"), min_purchase_amount=D("1000")),
        e.Promo(2, "VAN", "percentage", D("10"), applicable_vehicle_types=("VAN15",)),
        e.Promo(3, "ONEWAY", "percentage", D("10"), applicable_trip_types=("one_way",)),
    ]
    for promo in cases:
        quote = e.calculate(trip(), e.Policy(), promo=promo)
        assert amounts(quote, "promo") == [] and quote.promo_code is None
        assert promo.code in quote.promo_problem
    assert "$1,000.00" in e.calculate(trip(), e.Policy(), promo=cases[0]).promo_problem


# ---------------------------------------------------------------- fuel, gratuity, deposit, cost


def test_fuel_on_driving_gratuity_on_discounted_price_and_deposit():
    policy = e.Policy(
        fuel_surcharge_pct=D("3"), gratuity_pct=D("15"), deposit_pct=D("25"), deadhead_policy="all"
    )
    t = trip(deadhead_miles=D("10"), amenities=(e.AmenityLine(1, "Wi-Fi", "flat_fee", D("100")),))
    quote = e.calculate(t, policy, promo=e.Promo(1, "TEN", "percentage", D("10")))
    # vehicle 900 + deadhead 30 + wifi 100 = 1030; promo -103; fuel 3% of 930; gratuity 15% of 927
    assert amounts(quote, "fuel") == [D("27.90")]
    assert amounts(quote, "gratuity") == [D("139.05")]
    assert quote.total == D("1093.95")
    assert quote.deposit == D("273.49") and quote.balance == D("820.46")


def test_vendor_cost_and_margin():
    quote = e.calculate(trip(hours=D("6"), miles=D("100")), e.Policy())
    assert quote.estimated_vendor_cost == D("660.00")  # 6 h x vendor $110 (greater than 100 mi x $3)
    assert quote.margin == D("240.00")
    assert "estimated_vendor_cost" not in quote.as_dict(internal=False)
    assert "margin" not in quote.as_dict(internal=False)


# ---------------------------------------------------------------- properties

money = st.decimals(min_value=D("0"), max_value=D("2000"), places=2, allow_nan=False, allow_infinity=False)
pct = st.decimals(min_value=D("0"), max_value=D("40"), places=2, allow_nan=False, allow_infinity=False)
hours = st.decimals(min_value=D("0"), max_value=D("60"), places=2, allow_nan=False, allow_infinity=False)

rates = st.builds(
    e.Rate,
    vehicle_type_id=st.integers(1, 5),
    vehicle_type_code=st.sampled_from(["MC56", "MINI28"]),
    vehicle_type_name=st.just("Coach"),
    hourly_rate=money,
    minimum_hours=st.sampled_from([D(0), D(4), D(5)]),
    per_mile_rate=money,
    daily_rate=st.none() | money,
    deadhead_per_mile=money,
    second_driver_hourly=money,
    driver_hotel_per_night=money,
    driver_meals_per_night=money,
    vendor_hourly_cost=money,
    vendor_per_mile_cost=money,
)
amenity_lines = st.builds(
    e.AmenityLine,
    amenity_id=st.integers(1, 50),
    name=st.just("Extra"),
    pricing_type=st.sampled_from(["flat_fee", "per_passenger", "per_hour", "per_day"]),
    base_price=money,
    quantity=st.integers(1, 5),
)
modifier_values = st.builds(
    e.Modifier,
    id=st.integers(1, 1000),
    name=st.just("Mod"),
    modifier_type=st.just("day_of_week"),
    adjustment_type=st.sampled_from(["percentage", "fixed_amount"]),
    adjustment_value=st.decimals(
        min_value=D("-100"), max_value=D("100"), places=2, allow_nan=False, allow_infinity=False
    ),
    applicable_days=st.sampled_from([(), ("saturday", "sunday"), ("monday",)]),
    priority=st.integers(0, 5),
)
promos = st.none() | st.builds(
    e.Promo,
    id=st.integers(1, 9),
    code=st.just("CODE"),
    discount_type=st.sampled_from(["percentage", "fixed_amount"]),
    discount_value=st.decimals(
        min_value=D("0.01"), max_value=D("100"), places=2, allow_nan=False, allow_infinity=False
    ),
    min_purchase_amount=st.none() | money,
)
trips = st.builds(
    e.Trip,
    trip_date=st.dates(date(2026, 1, 1), date(2028, 12, 31)),
    trip_type=st.sampled_from(["one_way", "event"]),
    passengers=st.integers(1, 300),
    hours=hours,
    miles=st.decimals(min_value=D("0"), max_value=D("3000"), places=1, allow_nan=False, allow_infinity=False),
    vehicles=st.lists(
        st.builds(e.VehicleLine, rate=rates, quantity=st.integers(1, 4)), min_size=1, max_size=3
    ).map(tuple),
    days=st.integers(1, 6),
    deadhead_miles=st.decimals(
        min_value=D("0"), max_value=D("200"), places=1, allow_nan=False, allow_infinity=False
    ),
    requires_second_driver=st.booleans(),
    lead_time_hours=st.none() | hours,
    amenities=st.lists(amenity_lines, max_size=4).map(tuple),
)
policies = st.builds(
    e.Policy,
    price_rule=st.sampled_from(["greater_of", "time_only", "mileage_only"]),
    deadhead_policy=st.sampled_from(["none", "all", "beyond_free_miles"]),
    deadhead_free_miles=st.sampled_from([D(0), D(50)]),
    fuel_surcharge_pct=pct,
    gratuity_pct=pct,
    deposit_pct=st.decimals(
        min_value=D("0"), max_value=D("100"), places=2, allow_nan=False, allow_infinity=False
    ),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(trips, policies, st.lists(modifier_values, max_size=3).map(tuple), promos)
def test_total_is_the_sum_of_the_lines_to_the_cent(t, policy, mods, promo):
    quote = e.calculate(t, policy, mods, promo)
    assert quote.total == sum((line.amount for line in quote.lines), D(0))
    for line in quote.lines:
        assert line.amount == line.amount.quantize(D("0.01"))
    assert quote.total >= 0
    assert quote.deposit + quote.balance == quote.total
    assert 0 <= quote.deposit <= quote.total
    assert quote.margin == quote.total - quote.estimated_vendor_cost
    assert all(line.amount <= 0 for line in quote.lines if line.kind == "promo")
    # the data shown to a client adds up the same way
    shown = quote.as_dict(internal=False)
    assert sum(D(line["amount"]) for line in shown["lines"]) == D(shown["total"])


@settings(max_examples=150, deadline=None)
@given(trips, policies, st.lists(modifier_values, max_size=3).map(tuple), promos)
def test_saved_inputs_reproduce_the_quote(t, policy, mods, promo):
    saved = json.loads(json.dumps(e.inputs_to_dict(t, policy, mods, promo)))
    again = e.calculate(*e.inputs_from_dict(saved))
    assert again == e.calculate(t, policy, mods, promo)


@settings(max_examples=150, deadline=None)
@given(trips, policies)
def test_more_miles_never_lower_the_price(t, policy):
    longer = e.Trip(**{**t.__dict__, "miles": t.miles + 100})
    assert e.calculate(longer, policy).total >= e.calculate(t, policy).total


def test_holiday_range_boundaries_property():
    mod = e.Modifier(
        1, "Holiday", "holiday", "percentage", D("20"), date_ranges=((date(2026, 7, 1), date(2026, 7, 4)),)
    )
    for offset in range(-2, 7):
        day = date(2026, 7, 1) + timedelta(days=offset)
        assert e.modifier_applies(mod, trip(trip_date=day)) == (0 <= offset <= 3)
