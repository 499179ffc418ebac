"""Micro-benchmarks of the charter engines (pure functions, no database): `python -m bench.engines`.

Times the offline geocoder (index build once, then lookups of ZIP codes, cities and street addresses),
route planning for a five-stop itinerary from a hub, the duty-day split and DOT check, the vehicle mix
recommendation for the demo fleet, and the quote calculation (a 5-stop, 2-vehicle, 3-amenity, 2-modifier
quote with a promo code, alone and with its route planned). Prints operations per second; nothing here is
asserted.
"""

import argparse
import time
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

from coachway.charters import dot
from coachway.charters.recommend import VehicleOption, recommend
from coachway.charters.routing import Point, plan_route
from coachway.integrations.geocoding import OfflineGazetteer
from coachway.pricing import engine as pricing

QUERIES = [
    "30303",
    "37203-1234",
    "Atlanta, GA",
    "Nashville, TN",
    "springfield",
    "Springfield, IL",
    "St. Louis, MO",
    "Ft. Worth, TX",
    "123 Main St, Birmingham, AL 35203",
    "225 Baker St NW, Atlanta, GA",
    "Chattanooga Tennessee",
    "Salt Lake City UT",
    "Blue Ridge, GA",
    "not a place at all",
]
HUB = Point(33.749, -84.388, label="Atlanta hub")
STOPS = [
    Point(33.7525, -84.3888, 15),
    Point(34.0, -84.5, 30),
    Point(36.16589, -86.78444, 60),
    Point(35.0456, -85.3097, 20),
    Point(33.95, -84.1, 10),
]
FLEET = [
    VehicleOption(1, "sedan", "Executive Sedan", 3, 3, Decimal("65")),
    VehicleOption(2, "suv", "SUV", 6, 6, Decimal("85")),
    VehicleOption(3, "sprinter", "Sprinter Van", 14, 12, Decimal("110")),
    VehicleOption(4, "minibus", "Minibus", 28, 20, Decimal("135")),
    VehicleOption(5, "school_bus", "School Bus", 44, 10, Decimal("120")),
    VehicleOption(6, "motorcoach", "Motorcoach", 56, 60, Decimal("165")),
]

D = Decimal
COACH = pricing.Rate(
    1,
    "MC56",
    "56-seat coach",
    D("150"),
    D("5"),
    D("4.25"),
    D("1400"),
    D("3"),
    D("40"),
    D("150"),
    D("60"),
    D("110"),
    D("3"),
)
MINI = pricing.Rate(
    2,
    "MINI28",
    "28-seat minibus",
    D("110"),
    D("4"),
    D("3.10"),
    None,
    D("2.5"),
    D("35"),
    D("140"),
    D("55"),
    D("80"),
    D("2.2"),
)
AMENITIES = (
    pricing.AmenityLine(1, "Wi-Fi", "flat_fee", D("75")),
    pricing.AmenityLine(2, "Snack boxes", "per_passenger", D("4.50")),
    pricing.AmenityLine(3, "Bottled water", "per_hour", D("6")),
)
MODIFIERS = (
    pricing.Modifier(
        1, "Weekend", "day_of_week", "percentage", D("10"), applicable_days=("saturday", "sunday")
    ),
    pricing.Modifier(2, "Short notice", "asap", "percentage", D("15"), lead_time_hours=72, priority=5),
)
PROMO = pricing.Promo(9, "SPRING10", "percentage", D("10"))
POLICY = pricing.Policy(fuel_surcharge_pct=D("3"), gratuity_pct=D("15"))


def quote_for(plan) -> pricing.Quote:
    """Price the planned 5-stop trip for a 56-seat coach and a minibus."""
    trip = pricing.Trip(
        trip_date=plan.garage_departure.date() if plan.garage_departure else datetime.now().date(),
        trip_type="round_trip",
        passengers=70,
        hours=plan.total_hours,
        miles=plan.live_miles,
        vehicles=(pricing.VehicleLine(COACH), pricing.VehicleLine(MINI)),
        deadhead_miles=plan.deadhead_miles,
        hub_code="ATL",
        lead_time_hours=D(48),
        amenities=AMENITIES,
    )
    return pricing.calculate(trip, POLICY, MODIFIERS, PROMO)


def rate(label: str, fn: Callable[[int], object], n: int) -> None:
    """Run fn n times and print how many runs a second that is."""
    started = time.perf_counter()
    for i in range(n):
        fn(i)
    elapsed = time.perf_counter() - started
    print(f"{label:<48} {n:>7} runs  {n / elapsed:>12,.0f} ops/s  {elapsed / n * 1e6:>9.1f} µs/op")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000, help="runs of each scenario (default 1000)")
    args = parser.parse_args()
    n = args.runs

    gazetteer = OfflineGazetteer()
    started = time.perf_counter()
    gazetteer.warm()
    print(f"{'geocoding: build the offline indexes (once)':<48} {time.perf_counter() - started:>7.2f} s")
    rate(f"geocoding: {n} lookups (mixed queries)", lambda i: gazetteer.geocode(QUERIES[i % len(QUERIES)]), n)

    start = datetime(2026, 6, 1, 8, 0)
    rate("plan_route: 5 stops + hub", lambda i: plan_route(STOPS, start=start, hub=HUB), n)
    plan = plan_route(STOPS, start=start, hub=HUB)
    rules = dot.rules_from_rows(dot.SEED_REGULATIONS)
    rate("dot: duty_days_for + check", lambda i: dot.check(dot.duty_days_for(plan), rules), n)
    days = dot.duty_days_for(plan)
    rate("dot: check only", lambda i: dot.check(days, rules), n)
    rate("recommend: 80 passengers, 6 vehicle types", lambda i: recommend(80, FLEET), n)
    rate(
        "recommend: 250 passengers overnight, 6 types",
        lambda i: recommend(250, FLEET, trip_type="overnight"),
        n,
    )
    rate("quote: 2 vehicles, 3 amenities, 2 modifiers, promo", lambda i: quote_for(plan), n)
    rate(
        "quote: plan the 5-stop route, then price it",
        lambda i: quote_for(plan_route(STOPS, start=start, hub=HUB)),
        n,
    )


if __name__ == "__main__":
    main()
