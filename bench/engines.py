"""Micro-benchmarks of the charter engines (pure functions, no database): `python -m bench.engines`.

Times the offline geocoder (index build once, then lookups of ZIP codes, cities and street addresses),
route planning for a five-stop itinerary from a hub, the duty-day split and DOT check, and the vehicle mix
recommendation for the demo fleet. Prints operations per second; nothing here is asserted.
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

QUERIES = [
    "30303", "37203-1234", "Atlanta, GA", "Nashville, TN", "springfield", "Springfield, IL",
    "St. Louis, MO", "Ft. Worth, TX", "123 Main St, Birmingham, AL 35203", "225 Baker St NW, Atlanta, GA",
    "Chattanooga Tennessee", "Salt Lake City UT", "Blue Ridge, GA", "not a place at all",
]
HUB = Point(33.749, -84.388, label="Atlanta hub")
STOPS = [Point(33.7525, -84.3888, 15), Point(34.0, -84.5, 30), Point(36.16589, -86.78444, 60),
         Point(35.0456, -85.3097, 20), Point(33.95, -84.1, 10)]
FLEET = [
    VehicleOption(1, "sedan", "Executive Sedan", 3, 3, Decimal("65")),
    VehicleOption(2, "suv", "SUV", 6, 6, Decimal("85")),
    VehicleOption(3, "sprinter", "Sprinter Van", 14, 12, Decimal("110")),
    VehicleOption(4, "minibus", "Minibus", 28, 20, Decimal("135")),
    VehicleOption(5, "school_bus", "School Bus", 44, 10, Decimal("120")),
    VehicleOption(6, "motorcoach", "Motorcoach", 56, 60, Decimal("165")),
]


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
    rate("recommend: 250 passengers overnight, 6 types",
         lambda i: recommend(250, FLEET, trip_type="overnight"), n)


if __name__ == "__main__":
    main()
