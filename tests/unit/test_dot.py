"""DOT hours of service (49 CFR 395.5): seeded rules, duty days from a route plan, the check's verdicts."""

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest

from coachway.charters.dot import (
    REGULATION_TYPES,
    SEED_REGULATIONS,
    THRESHOLD_UNITS,
    DutyDay,
    Rule,
    check,
    duty_days_for,
    rules_from_rows,
)
from coachway.charters.routing import Point, plan_route
from coachway.config import get_settings

SPEEDS = {"road_factor": 1.2, "city_speed_mph": 30, "highway_speed_mph": 55, "city_leg_max_miles": 25}


def seeded() -> list[Rule]:
    return rules_from_rows(SEED_REGULATIONS)


def rule_named(rules: list[Rule], name: str) -> Rule:
    return next(r for r in rules if r.regulation_name == name)


def with_changed(name: str, **changes) -> list[Rule]:
    """The seeded rules with one of them edited, as an admin would."""
    return [replace(r, **changes) if r.regulation_name == name else r for r in seeded()]


def day(driving_hours, on_duty_hours=None, **kwargs) -> DutyDay:
    driving = round(Decimal(str(driving_hours)) * 60)
    on_duty = driving + 45 if on_duty_hours is None else round(Decimal(str(on_duty_hours)) * 60)
    return DutyDay(driving, on_duty, **kwargs)


# ---------------------------------------------------------------- seeded rules

def test_seed_rows_have_the_dot_regulations_columns_and_known_types():
    columns = {"regulation_name", "regulation_type", "threshold_value", "threshold_unit",
               "requires_second_driver", "description", "is_active"}
    assert all(set(row) == columns for row in SEED_REGULATIONS)
    assert all(row["regulation_type"] in REGULATION_TYPES for row in SEED_REGULATIONS)
    assert all(row["threshold_unit"] in THRESHOLD_UNITS for row in SEED_REGULATIONS)
    assert all("49 CFR 395.5" in row["description"] for row in SEED_REGULATIONS)


def test_seed_rules_are_the_passenger_carrier_hours_of_service():
    limits = {(r.regulation_type, r.threshold_value, r.is_active) for r in seeded()}
    assert limits == {
        ("driving_hours", Decimal("10"), True),
        ("on_duty_hours", Decimal("15"), True),
        ("cumulative_hours", Decimal("60"), True),
        ("cumulative_hours", Decimal("70"), False),  # for carriers running every day: an admin switches
        ("rest_period", Decimal("8"), True),
    }


def test_cumulative_rules_know_their_period_in_days():
    rules = seeded()
    assert rule_named(rules, "60-hour / 7-day limit").period_days == 7
    assert rule_named(rules, "70-hour / 8-day limit").period_days == 8


def test_rules_are_read_from_orm_like_rows():
    row = SimpleNamespace(id=4, regulation_name="Company 600-mile policy", regulation_type="distance",
                          threshold_value=600, threshold_unit="miles", requires_second_driver=True,
                          description=None, is_active=True)
    [rule] = rules_from_rows([row])
    assert rule == Rule("Company 600-mile policy", "distance", Decimal("600"), "miles", True, "", True, 4)
    assert rule.citation == "Company 600-mile policy"


# ---------------------------------------------------------------- the 10-hour driving limit

def test_twelve_hours_of_driving_needs_a_second_driver_and_names_the_rule():
    result = check([day(12)], seeded())
    assert not result.compliant and result.requires_second_driver and not result.requires_overnight_rest
    [violation] = result.violations
    assert (violation.regulation_name, violation.limit, violation.actual, violation.unit) == (
        "10-hour driving limit", Decimal("10.00"), Decimal("12.00"), "hours")
    assert violation.message == (
        "This trip needs about 12.0 hours of driving in one day. One driver may drive at most 10 hours after "
        "8 hours off duty (49 CFR 395.5(a)(1)), so it needs a second driver or an overnight rest.")
    assert result.explanation.startswith("One driver cannot legally run this trip as planned; it needs a "
                                         "second driver. This trip needs about 12.0 hours")


def test_exactly_ten_hours_of_driving_is_legal():
    result = check([day(10)], seeded())
    assert result.compliant and not result.requires_second_driver and result.violations == []
    assert result.explanation == ("One driver can run this trip within the federal hours-of-service limits: "
                                  "about 10.0 hours of driving and 10.8 hours on duty in one day.")


def test_ten_point_one_hours_of_driving_is_over():
    [violation] = check([day("10.1")], seeded()).violations
    assert violation.actual == Decimal("10.10") and "about 10.1 hours of driving" in violation.message


def test_a_minute_over_shows_enough_digits_to_be_over():
    [violation] = check([DutyDay(601, 650)], seeded()).violations
    assert "about 10.02 hours of driving" in violation.message


def test_more_driving_than_two_drivers_may_share_needs_an_overnight_rest():
    result = check([day(21, 22)], seeded())
    assert (result.requires_second_driver, result.requires_overnight_rest) == (False, True)
    driving = rule_named(seeded(), "10-hour driving limit")
    message = next(v.message for v in result.violations if v.regulation_name == driving.regulation_name)
    assert message.endswith("so even two drivers sharing the wheel would each drive about 10.5 hours; "
                            "it needs an overnight rest.")


# ---------------------------------------------------------------- the 15-hour on-duty limit

def test_more_than_fifteen_hours_on_duty_needs_an_overnight_rest_not_a_second_driver():
    result = check([day(9, 16)], seeded())
    assert not result.compliant and not result.requires_second_driver and result.requires_overnight_rest
    [violation] = result.violations
    assert violation.regulation_name == "15-hour on-duty limit" and violation.actual == Decimal("16.00")
    assert violation.message == (
        "This trip keeps the driver on duty for about 16.0 hours in one day, counting pre-trip and post-trip "
        "time and waiting at stops. No one may drive after 15 hours on duty following 8 hours off duty "
        "(49 CFR 395.5(a)(2)); a second driver riding along is on duty too, so it needs an overnight rest.")


def test_when_two_drivers_still_exceed_the_on_duty_window_only_an_overnight_rest_is_asked_for():
    result = check([day(12, 16)], seeded())
    names = [v.regulation_name for v in result.violations]
    assert names == ["10-hour driving limit", "15-hour on-duty limit"]
    assert (result.requires_second_driver, result.requires_overnight_rest) == (False, True)
    assert "it needs an overnight rest." in result.explanation.split(". ")[0] + "."


# ---------------------------------------------------------------- rules are data

def test_raising_the_driving_threshold_makes_a_longer_day_legal():
    assert not check([day("10.5")], seeded()).compliant
    assert check([day("10.5")], with_changed("10-hour driving limit", threshold_value=Decimal(11))).compliant


def test_lowering_the_driving_threshold_flags_a_shorter_day():
    result = check([day(9)], with_changed("10-hour driving limit", threshold_value=Decimal(8)))
    assert result.requires_second_driver and result.violations[0].limit == Decimal(8)
    assert "may drive at most 8 hours" in result.violations[0].message


def test_an_inactive_rule_is_ignored():
    result = check([day(12)], with_changed("10-hour driving limit", is_active=False))
    assert result.compliant and result.violations == []


def test_a_driving_rule_not_fixed_by_a_second_driver_asks_for_an_overnight_rest():
    result = check([day(12)], with_changed("10-hour driving limit", requires_second_driver=False))
    assert (result.requires_second_driver, result.requires_overnight_rest) == (False, True)
    assert result.violations[0].message.endswith("so it needs an overnight rest.")


def test_no_active_rules_means_nothing_to_break():
    assert check([day(20, 22)], []).compliant


def test_a_company_distance_policy_can_require_a_second_driver():
    policy = Rule("Second driver over 600 miles a day", "distance", Decimal(600), "miles", True,
                  "Company policy for driver fatigue.")
    result = check([day(9, miles=Decimal("640.5"))], [*seeded(), policy])
    assert result.requires_second_driver and result.violations[0].unit == "miles"
    assert result.violations[0].message.startswith("This trip covers about 640.5 miles in one day.")


# ---------------------------------------------------------------- cumulative limits and rest between days

def week(hours_per_day, days=7):
    return [day(8, hours_per_day, day=date(2026, 6, d)) for d in range(1, days + 1)]


def test_sixty_hours_on_duty_in_seven_days_is_the_limit():
    assert check(week(Decimal("60") / 7), seeded()).compliant
    result = check(week(9), seeded())
    [violation] = result.violations
    assert violation.regulation_name == "60-hour / 7-day limit" and violation.actual == Decimal("63.00")
    assert violation.day is None and result.requires_second_driver
    assert "on duty about 63.0 hours within 7 days" in violation.message


def test_the_seventy_hour_rule_for_carriers_running_every_day_replaces_the_sixty():
    rules = [replace(r, is_active=r.regulation_type != "cumulative_hours" or r.threshold_value == 70)
             for r in seeded()]
    assert check(week(9), rules).compliant
    assert not check(week(9, days=8), rules).compliant  # 72 hours in 8 days


def test_hours_already_worked_this_week_count_toward_the_cumulative_limit():
    assert check([day(8, 10)], seeded(), prior_on_duty_hours_7_days=Decimal(50)).compliant
    result = check([day(8, 10)], seeded(), prior_on_duty_hours_7_days=Decimal(55))
    assert result.violations[0].actual == Decimal("65.00")
    assert "counting 55 hours already worked" in result.violations[0].message


def test_days_outside_the_window_do_not_count():
    spread = [day(8, 12, day=date(2026, 6, d)) for d in (1, 3, 5, 7, 9, 11)]  # 72 h over 11 days
    assert check(spread, seeded()).compliant


def test_too_short_a_rest_between_duty_days_is_flagged():
    days = [day(8, 10, start=datetime(2026, 6, 1, 7), end=datetime(2026, 6, 1, 17)),
            day(8, 10, start=datetime(2026, 6, 2, 0, 30), end=datetime(2026, 6, 2, 10, 30))]
    result = check(days, seeded())
    [violation] = result.violations
    assert violation.regulation_name == "8-hour off-duty rest" and violation.actual == Decimal("7.50")
    assert violation.message.startswith("Before day 2 the driver gets only about 7.5 hours off duty.")
    assert result.requires_overnight_rest and not result.requires_second_driver


# ---------------------------------------------------------------- duty days from a route plan

@pytest.fixture
def fresh_settings(monkeypatch):
    yield monkeypatch
    get_settings.cache_clear()


def test_a_one_day_trip_is_driving_plus_time_at_stops_plus_pre_and_post_trip():
    hub = Point(33.0, -84.0)
    stops = [Point(33.1, -84.0, 15), Point(33.3, -84.0, 30), Point(33.6, -84.0, 45), Point(34.0, -84.0, 20),
             Point(34.5, -84.0, 10)]
    plan = plan_route(stops, start=datetime(2026, 6, 1, 8), hub=hub, **SPEEDS)
    [only] = duty_days_for(plan)
    assert (only.driving_minutes, only.on_duty_minutes, only.miles) == (317, 437 + 30 + 15, Decimal("248.9"))
    assert (only.start, only.end) == (datetime(2026, 6, 1, 6, 58), datetime(2026, 6, 1, 15, 0))


def test_pre_and_post_trip_minutes_come_from_the_settings_unless_given(fresh_settings):
    plan = plan_route([Point(33.0, -84.0), Point(34.0, -84.0)], start=datetime(2026, 6, 1, 8), **SPEEDS)
    assert duty_days_for(plan, pre_trip_minutes=0, post_trip_minutes=0)[0].on_duty_minutes == 90
    fresh_settings.setenv("COACHWAY_PRE_TRIP_MINUTES", "20")
    fresh_settings.setenv("COACHWAY_POST_TRIP_MINUTES", "10")
    get_settings.cache_clear()
    assert duty_days_for(plan)[0].on_duty_minutes == 120


def test_a_twelve_hour_drive_planned_from_stops_is_flagged_for_a_second_driver():
    plan = plan_route([Point(30.0, -84.0), Point(37.96, -84.0)], start=datetime(2026, 6, 1, 6), **SPEEDS)
    assert (plan.total_miles, plan.driving_minutes) == (Decimal("660.0"), 720)
    result = check(duty_days_for(plan), seeded())
    assert result.requires_second_driver and result.violations[0].regulation_name == "10-hour driving limit"


def overnight_trip(hotel_dwell_minutes):
    stops = [Point(30.1, -84.0, 15), Point(36.0, -84.0, hotel_dwell_minutes), Point(36.5, -84.0, 60)]
    return plan_route(stops, start=datetime(2026, 6, 5, 8), hub=Point(30.0, -84.0), **SPEEDS)


def test_a_multi_day_trip_groups_legs_by_the_date_they_depart():
    days = duty_days_for(overnight_trip(840), trip_days=2)
    assert [(d.day, d.driving_minutes, d.on_duty_minutes, d.miles) for d in days] == [
        (date(2026, 6, 5), 17 + 534, 17 + 15 + 534 + 45, Decimal("497.5")),
        (date(2026, 6, 6), 45 + 588, 45 + 60 + 588 + 45, Decimal("580.4")),
    ]
    assert (days[0].end, days[1].start) == (datetime(2026, 6, 5, 17, 9), datetime(2026, 6, 6, 6, 24))


def test_a_multi_day_trip_names_the_day_that_needs_a_second_driver():
    result = check(duty_days_for(overnight_trip(840), trip_days=2), seeded())
    [violation] = result.violations
    assert violation.day == 2 and "10.6 hours of driving on day 2" in violation.message
    assert result.requires_second_driver and not result.requires_overnight_rest


def test_a_short_night_between_days_asks_for_a_longer_rest_as_well():
    result = check(duty_days_for(overnight_trip(480), trip_days=2), seeded())
    assert [v.regulation_name for v in result.violations] == ["10-hour driving limit", "8-hour off-duty rest"]
    assert result.violations[1].actual == Decimal("7.25")
    assert result.requires_second_driver and result.requires_overnight_rest


def test_a_multi_day_trip_on_one_date_is_one_duty_day():
    plan = plan_route([Point(33.0, -84.0), Point(34.0, -84.0)], start=datetime(2026, 6, 1, 8), **SPEEDS)
    assert len(duty_days_for(plan, trip_days=3)) == 1


def test_an_empty_plan_has_no_duty_days_and_nothing_to_check():
    days = duty_days_for(plan_route([], start=datetime(2026, 6, 1, 8)))
    assert days == [] and check(days, seeded()).explanation == "There is no driving to check."
