"""Route planning for an itinerary: leg miles and minutes, times at each stop, garage-to-garage totals.

Pure arithmetic, no database and no network. Road miles are great-circle miles times a road factor,
rounded to a tenth of a mile; a leg's minutes come from one average speed chosen by its length (city
speed up to `city_leg_max_miles`, highway speed beyond). With a hub, the coach drives empty (deadhead)
from the hub to the first stop and from the last stop back to the hub. The first stop's departure is the
trip's start time: the coach arrives there its dwell time earlier to load. Each later stop is reached
the previous departure plus the leg's minutes after, and left its dwell time later.

A stop without coordinates makes the legs that touch it unknown: they are listed in `unknown_legs`, the
plan is not `complete`, totals cover the known legs only, and the times of every stop after the first
unknown leg are unknown (None).
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from coachway.config import get_settings
from coachway.integrations.geocoding import great_circle_miles

TENTH = Decimal("0.1")


@dataclass
class Point:
    """A place on the route (a stop or the hub): coordinates if known and minutes spent there."""

    latitude: float | None
    longitude: float | None
    dwell_minutes: int = 0
    label: str = ""

    @property
    def located(self) -> bool:
        """True when both coordinates are known."""
        return self.latitude is not None and self.longitude is not None


@dataclass(frozen=True)
class Leg:
    """One drive between two places; an index of None is the hub."""

    from_index: int | None
    to_index: int | None
    miles: Decimal
    minutes: int
    deadhead: bool
    departure: datetime | None = None
    arrival: datetime | None = None


@dataclass
class RoutePlan:
    """Everything known about driving an itinerary, garage to garage."""

    legs: list[Leg]
    stop_times: list[tuple[datetime | None, datetime | None]]
    live_miles: Decimal
    deadhead_miles: Decimal
    total_miles: Decimal
    driving_minutes: int
    total_minutes: int
    garage_departure: datetime | None
    garage_return: datetime | None
    complete: bool
    unknown_legs: list[tuple[int | None, int | None]] = field(default_factory=list)
    dwell_minutes: list[int] = field(default_factory=list)
    has_hub: bool = False

    @property
    def driving_hours(self) -> Decimal:
        """Driving time in hours, to a tenth."""
        return _hours(self.driving_minutes)

    @property
    def total_hours(self) -> Decimal:
        """Garage-to-garage time in hours (driving and time at stops), to a tenth."""
        return _hours(self.total_minutes)


@dataclass(frozen=True)
class _Speeds:
    road_factor: float
    city_mph: Decimal
    highway_mph: Decimal
    city_max_miles: Decimal


def _hours(minutes: int) -> Decimal:
    return (Decimal(minutes) / 60).quantize(TENTH, rounding=ROUND_HALF_UP)


def _speeds(road_factor, city_speed_mph, highway_speed_mph, city_leg_max_miles) -> _Speeds:
    settings = get_settings()
    speeds = _Speeds(
        road_factor=float(settings.road_factor if road_factor is None else road_factor),
        city_mph=Decimal(str(settings.city_speed_mph if city_speed_mph is None else city_speed_mph)),
        highway_mph=Decimal(str(settings.highway_speed_mph if highway_speed_mph is None
                                else highway_speed_mph)),
        city_max_miles=Decimal(str(settings.city_leg_max_miles if city_leg_max_miles is None
                                   else city_leg_max_miles)),
    )
    if speeds.road_factor <= 0 or speeds.city_mph <= 0 or speeds.highway_mph <= 0:
        raise ValueError("road factor and speeds must be positive")
    return speeds


def leg_miles(a: Point, b: Point, road_factor: float) -> Decimal:
    """Estimated road miles between two located points: great-circle miles times the road factor."""
    crow = great_circle_miles(a.latitude, a.longitude, b.latitude, b.longitude)
    return Decimal(str(crow * road_factor)).quantize(TENTH, rounding=ROUND_HALF_UP)


def _leg_minutes(miles: Decimal, speeds: _Speeds) -> int:
    """Minutes to drive a leg at the average speed of its band (city or highway), rounded."""
    mph = speeds.city_mph if miles <= speeds.city_max_miles else speeds.highway_mph
    return int((miles * 60 / mph).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _pairs(count: int, with_hub: bool) -> list[tuple[int | None, int | None]]:
    pairs: list[tuple[int | None, int | None]] = [(i, i + 1) for i in range(count - 1)]
    if with_hub and count:
        pairs = [(None, 0), *pairs, (count - 1, None)]
    return pairs


def _measure(stops: list[Point], hub: Point | None, speeds: _Speeds) -> dict:
    """(from, to) -> (miles, minutes) for every leg whose two ends are located; others are absent."""
    known = {}
    for a, b in _pairs(len(stops), hub is not None):
        start = hub if a is None else stops[a]
        end = hub if b is None else stops[b]
        if start.located and end.located:
            miles = leg_miles(start, end, speeds.road_factor)
            known[(a, b)] = (miles, _leg_minutes(miles, speeds))
    return known


def _stop_times(stops: list[Point], start: datetime, known: dict, dwell: list[int]) -> list:
    times: list[tuple[datetime | None, datetime | None]] = []
    departure: datetime | None = None
    for i in range(len(stops)):
        if i == 0:
            arrival: datetime | None = start - timedelta(minutes=dwell[0])
        elif departure is not None and (i - 1, i) in known:
            arrival = departure + timedelta(minutes=known[(i - 1, i)][1])
        else:
            arrival = None
        departure = None if arrival is None else arrival + timedelta(minutes=dwell[i])
        times.append((arrival, departure))
    return times


def plan_route(stops: list[Point], *, start: datetime, hub: Point | None = None, road_factor=None,
               city_speed_mph=None, highway_speed_mph=None, city_leg_max_miles=None) -> RoutePlan:
    """Plan the itinerary: legs, times at each stop and totals (None parameters come from the settings)."""
    speeds = _speeds(road_factor, city_speed_mph, highway_speed_mph, city_leg_max_miles)
    dwell = [max(0, int(stop.dwell_minutes or 0)) for stop in stops]
    known = _measure(stops, hub, speeds)
    times = _stop_times(stops, start, known, dwell)
    garage_departure, garage_return = _garage_times(stops, hub, known, times)

    legs, unknown = [], []
    for a, b in _pairs(len(stops), hub is not None):
        if (a, b) not in known:
            unknown.append((a, b))
            continue
        miles, minutes = known[(a, b)]
        departure = garage_departure if a is None else times[a][1]
        arrival = None if departure is None else departure + timedelta(minutes=minutes)
        legs.append(Leg(a, b, miles, minutes, a is None or b is None, departure, arrival))

    live = sum((leg.miles for leg in legs if not leg.deadhead), Decimal("0.0"))
    deadhead = sum((leg.miles for leg in legs if leg.deadhead), Decimal("0.0"))
    driving = sum(leg.minutes for leg in legs)
    return RoutePlan(
        legs=legs, stop_times=times, live_miles=live, deadhead_miles=deadhead, total_miles=live + deadhead,
        driving_minutes=driving, total_minutes=driving + sum(dwell), garage_departure=garage_departure,
        garage_return=garage_return, complete=not unknown, unknown_legs=unknown, dwell_minutes=dwell,
        has_hub=hub is not None,
    )


def _garage_times(stops: list[Point], hub: Point | None, known: dict, times: list):
    """When the coach leaves the hub and gets back (the first arrival and last departure without a hub)."""
    if not stops:
        return None, None
    first_arrival, last_departure = times[0][0], times[-1][1]
    if hub is None:
        return first_arrival, last_departure
    out = known.get((None, 0))
    back = known.get((len(stops) - 1, None))
    leave = first_arrival - timedelta(minutes=out[1]) if out else None
    arrive = last_departure + timedelta(minutes=back[1]) if back and last_departure else None
    return leave, arrive
