"""Route planning: leg miles and minutes, stop times, deadhead legs, totals and stops without coordinates.

The test stops lie on one meridian, so a leg's great-circle miles are exactly 69.0934 per degree of latitude.
"""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from coachway.charters.routing import Leg, Point, leg_miles, plan_route
from coachway.config import get_settings

LON = -84.0
START = datetime(2026, 6, 1, 8, 0)
SPEEDS = {"road_factor": 1.2, "city_speed_mph": 30, "highway_speed_mph": 55, "city_leg_max_miles": 25}
HUB = Point(33.0, LON, label="Atlanta garage")


def stop(lat, dwell=0, label=""):
    return Point(lat, LON, dwell, label)


def five_stops():
    return [stop(33.1, 15, "A"), stop(33.3, 30, "B"), stop(33.6, 45, "C"), stop(34.0, 20, "D"),
            stop(34.5, 10, "E")]


def at(hour, minute):
    return datetime(2026, 6, 1, hour, minute)


# ---------------------------------------------------------------- one leg

def test_leg_miles_are_great_circle_times_the_road_factor_to_a_tenth():
    atlanta, nashville = Point(33.749, -84.388), Point(36.1627, -86.7816)
    assert leg_miles(atlanta, nashville, 1.2) == Decimal("257.9")  # 214.89 crow miles
    assert leg_miles(atlanta, nashville, 1.0) == Decimal("214.9")


def test_a_long_leg_runs_at_highway_speed():
    plan = plan_route([Point(33.749, -84.388), Point(36.1627, -86.7816)], start=START, **SPEEDS)
    assert plan.legs == [Leg(0, 1, Decimal("257.9"), 281, False, START, START + timedelta(minutes=281))]


def test_a_short_leg_runs_at_city_speed():
    plan = plan_route([stop(33.0), stop(33.1)], start=START, **SPEEDS)
    assert (plan.legs[0].miles, plan.legs[0].minutes) == (Decimal("8.3"), 17)  # 8.3 mi at 30 mph


def test_a_leg_exactly_at_the_city_limit_is_still_city_speed():
    at_limit = plan_route([stop(33.0), stop(33.1)], start=START, **{**SPEEDS, "city_leg_max_miles": 8.3})
    over_limit = plan_route([stop(33.0), stop(33.1)], start=START, **{**SPEEDS, "city_leg_max_miles": 8.2})
    assert at_limit.legs[0].minutes == 17 and over_limit.legs[0].minutes == 9


# ---------------------------------------------------------------- a five-stop route from the hub

def test_five_stop_route_has_deadhead_legs_from_and_back_to_the_hub():
    plan = plan_route(five_stops(), start=START, hub=HUB, **SPEEDS)
    assert [(leg.from_index, leg.to_index, leg.miles, leg.minutes, leg.deadhead) for leg in plan.legs] == [
        (None, 0, Decimal("8.3"), 17, True),
        (0, 1, Decimal("16.6"), 33, False),
        (1, 2, Decimal("24.9"), 50, False),
        (2, 3, Decimal("33.2"), 36, False),
        (3, 4, Decimal("41.5"), 45, False),
        (4, None, Decimal("124.4"), 136, True),
    ]


def test_five_stop_route_stop_times_follow_legs_and_dwell():
    plan = plan_route(five_stops(), start=START, hub=HUB, **SPEEDS)
    assert plan.stop_times == [
        (at(7, 45), at(8, 0)),    # arrives its 15 minutes of loading before the start
        (at(8, 33), at(9, 3)),
        (at(9, 53), at(10, 38)),
        (at(11, 14), at(11, 34)),
        (at(12, 19), at(12, 29)),
    ]
    assert (plan.garage_departure, plan.garage_return) == (at(7, 28), at(14, 45))


def test_five_stop_route_totals_add_up_garage_to_garage():
    plan = plan_route(five_stops(), start=START, hub=HUB, **SPEEDS)
    assert (plan.live_miles, plan.deadhead_miles, plan.total_miles) == (
        Decimal("116.2"), Decimal("132.7"), Decimal("248.9"))
    assert (plan.driving_minutes, plan.total_minutes) == (317, 437)
    assert plan.garage_return - plan.garage_departure == timedelta(minutes=plan.total_minutes)
    assert (plan.driving_hours, plan.total_hours) == (Decimal("5.3"), Decimal("7.3"))
    assert plan.complete and plan.unknown_legs == []


def test_each_leg_departs_when_the_coach_leaves_and_arrives_when_the_next_stop_is_reached():
    plan = plan_route(five_stops(), start=START, hub=HUB, **SPEEDS)
    for leg in plan.legs:
        departs = plan.garage_departure if leg.from_index is None else plan.stop_times[leg.from_index][1]
        arrives = plan.garage_return if leg.to_index is None else plan.stop_times[leg.to_index][0]
        assert (leg.departure, leg.arrival) == (departs, arrives)


def test_without_a_hub_there_is_no_deadhead_and_the_trip_spans_first_arrival_to_last_departure():
    plan = plan_route(five_stops(), start=START, **SPEEDS)
    assert [leg.deadhead for leg in plan.legs] == [False] * 4
    assert plan.deadhead_miles == Decimal("0.0") and plan.total_miles == Decimal("116.2")
    assert (plan.garage_departure, plan.garage_return) == (at(7, 45), at(12, 29))
    assert plan.total_minutes == 164 + 120


def test_a_timezone_aware_start_keeps_its_timezone():
    start = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
    plan = plan_route(five_stops(), start=start, hub=HUB, **SPEEDS)
    assert plan.garage_return == datetime(2026, 6, 1, 18, 45, tzinfo=UTC)


# ---------------------------------------------------------------- stops without coordinates

def test_a_stop_without_coordinates_makes_its_legs_unknown_and_the_plan_incomplete():
    stops = five_stops()
    stops[2] = Point(None, None, 45, "C, not geocoded")
    plan = plan_route(stops, start=START, hub=HUB, **SPEEDS)
    assert not plan.complete and plan.unknown_legs == [(1, 2), (2, 3)]
    assert [(leg.from_index, leg.to_index) for leg in plan.legs] == [(None, 0), (0, 1), (3, 4), (4, None)]
    assert plan.total_miles == Decimal("8.3") + Decimal("16.6") + Decimal("41.5") + Decimal("124.4")
    assert plan.driving_minutes == 17 + 33 + 45 + 136


def test_stop_times_after_an_unknown_leg_are_unknown():
    stops = five_stops()
    stops[2] = Point(None, None, 45)
    plan = plan_route(stops, start=START, hub=HUB, **SPEEDS)
    assert plan.stop_times[:2] == [(at(7, 45), at(8, 0)), (at(8, 33), at(9, 3))]
    assert plan.stop_times[2:] == [(None, None)] * 3
    assert plan.garage_departure == at(7, 28) and plan.garage_return is None
    assert plan.legs[2].departure is None


def test_a_first_stop_without_coordinates_still_has_the_start_time():
    stops = five_stops()
    stops[0] = Point(None, 12.0, 15)
    plan = plan_route(stops, start=START, hub=HUB, **SPEEDS)
    assert plan.stop_times[0] == (at(7, 45), at(8, 0)) and plan.stop_times[1] == (None, None)
    assert plan.unknown_legs == [(None, 0), (0, 1)] and plan.garage_departure is None


def test_a_hub_without_coordinates_leaves_only_the_deadhead_unknown():
    plan = plan_route(five_stops(), start=START, hub=Point(None, None), **SPEEDS)
    assert plan.unknown_legs == [(None, 0), (4, None)]
    assert plan.deadhead_miles == Decimal("0.0") and plan.live_miles == Decimal("116.2")
    assert plan.stop_times[-1] == (at(12, 19), at(12, 29))
    assert plan.garage_departure is None and plan.garage_return is None


# ---------------------------------------------------------------- edges and settings

def test_no_stops_is_an_empty_plan():
    plan = plan_route([], start=START, hub=HUB)
    assert plan.legs == [] and plan.stop_times == [] and plan.total_miles == 0 and plan.complete
    assert plan.garage_departure is None


def test_a_single_stop_with_a_hub_is_out_and_back():
    plan = plan_route([stop(33.1, 30)], start=START, hub=HUB, **SPEEDS)
    assert [(leg.from_index, leg.to_index) for leg in plan.legs] == [(None, 0), (0, None)]
    assert plan.total_miles == Decimal("16.6") and plan.total_minutes == 17 + 30 + 17


def test_missing_or_negative_dwell_counts_as_none():
    plan = plan_route([Point(33.0, LON, None), Point(33.1, LON, -5)], start=START, **SPEEDS)
    assert plan.stop_times == [(START, START), (at(8, 17), at(8, 17))]


def test_speeds_must_be_positive():
    with pytest.raises(ValueError, match="positive"):
        plan_route(five_stops(), start=START, **{**SPEEDS, "highway_speed_mph": 0})


@pytest.fixture
def fresh_settings(monkeypatch):
    yield monkeypatch
    get_settings.cache_clear()


def test_unset_parameters_come_from_the_settings(fresh_settings):
    fresh_settings.setenv("COACHWAY_ROAD_FACTOR", "1.0")
    fresh_settings.setenv("COACHWAY_CITY_SPEED_MPH", "20")
    fresh_settings.setenv("COACHWAY_CITY_LEG_MAX_MILES", "10")
    get_settings.cache_clear()
    plan = plan_route([stop(33.0), stop(33.1)], start=START)
    assert (plan.legs[0].miles, plan.legs[0].minutes) == (Decimal("6.9"), 21)  # 6.9 mi at 20 mph


def test_default_settings_are_a_1_2_road_factor_and_30_55_mph():
    plan = plan_route([stop(33.0), stop(33.1), stop(34.1)], start=START)
    assert [(leg.miles, leg.minutes) for leg in plan.legs] == [(Decimal("8.3"), 17), (Decimal("82.9"), 90)]
