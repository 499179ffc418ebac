"""DOT hours-of-service check for a planned trip (FMCSA passenger carriers, 49 CFR 395.5).

Pure: the rules come in as rows of the `dot_regulations` table (seeded from `SEED_REGULATIONS`, editable
by admins), the trip as duty days built from a route plan. The check answers which rules one driver
would break, whether a second driver would make the trip legal, whether an overnight rest is needed
instead, and why, in sentences an agent can read to a client.

How a second driver is counted: two drivers share the wheel, so each drives half of a day's driving
(and half of its miles, and alternate on a long tour for the cumulative limits). A relief driver riding
along is on duty the whole time (49 CFR 395.2), so a second driver never shortens the on-duty window;
only an overnight rest does. A rule can be fixed by a second driver only if its `requires_second_driver`
flag says so.
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from coachway.charters.routing import Leg, RoutePlan
from coachway.config import get_settings

REGULATION_TYPES = ("driving_hours", "on_duty_hours", "cumulative_hours", "rest_period", "distance")
THRESHOLD_UNITS = ("hours", "miles")
DEFAULT_REST_HOURS = Decimal(8)
HUNDREDTH = Decimal("0.01")
CITATION = re.compile(r"49 CFR \d+\.\d+(?:\([a-z0-9]+\))*")
PERIOD = re.compile(r"(\d+)[\s-]+(?:consecutive\s+)?days?\b", re.IGNORECASE)

SEED_REGULATIONS: list[dict] = [
    {
        "regulation_name": "10-hour driving limit",
        "regulation_type": "driving_hours",
        "threshold_value": Decimal("10.00"),
        "threshold_unit": "hours",
        "requires_second_driver": True,
        "description": "A driver of a passenger-carrying vehicle may drive at most 10 hours after 8 "
                       "consecutive hours off duty (49 CFR 395.5(a)(1)). Two drivers sharing the wheel each "
                       "count only their own driving.",
        "is_active": True,
    },
    {
        "regulation_name": "15-hour on-duty limit",
        "regulation_type": "on_duty_hours",
        "threshold_value": Decimal("15.00"),
        "threshold_unit": "hours",
        "requires_second_driver": False,
        "description": "A driver may not drive after having been on duty 15 hours following 8 consecutive "
                       "hours off duty (49 CFR 395.5(a)(2)). On-duty time includes the pre-trip inspection, "
                       "waiting with the coach and riding along as the relief driver, so a second driver "
                       "does not extend it; an overnight rest does.",
        "is_active": True,
    },
    {
        "regulation_name": "60-hour / 7-day limit",
        "regulation_type": "cumulative_hours",
        "threshold_value": Decimal("60.00"),
        "threshold_unit": "hours",
        "requires_second_driver": True,
        "description": "A driver may not drive after having been on duty 60 hours in any 7 consecutive days, "
                       "for a carrier that does not operate vehicles every day of the week "
                       "(49 CFR 395.5(b)(1)).",
        "is_active": True,
    },
    {
        "regulation_name": "70-hour / 8-day limit",
        "regulation_type": "cumulative_hours",
        "threshold_value": Decimal("70.00"),
        "threshold_unit": "hours",
        "requires_second_driver": True,
        "description": "A driver may not drive after having been on duty 70 hours in any 8 consecutive days, "
                       "for a carrier that operates vehicles every day of the week (49 CFR 395.5(b)(2)). "
                       "Activate it, and deactivate the 60-hour rule, if the company runs every day.",
        "is_active": False,
    },
    {
        "regulation_name": "8-hour off-duty rest",
        "regulation_type": "rest_period",
        "threshold_value": Decimal("8.00"),
        "threshold_unit": "hours",
        "requires_second_driver": False,
        "description": "A driver needs at least 8 consecutive hours off duty before the 10-hour driving and "
                       "15-hour on-duty limits start over (49 CFR 395.5(a)).",
        "is_active": True,
    },
]


@dataclass
class Rule:
    """One row of `dot_regulations`."""

    regulation_name: str
    regulation_type: str
    threshold_value: Decimal
    threshold_unit: str = "hours"
    requires_second_driver: bool = False
    description: str = ""
    is_active: bool = True
    id: int | None = None

    @property
    def citation(self) -> str:
        """The CFR section the description cites, else the rule's name."""
        found = CITATION.search(self.description or "")
        return found.group(0) if found else self.regulation_name

    @property
    def period_days(self) -> int:
        """For a cumulative rule, the number of consecutive days it counts (read from its name; else 7)."""
        found = PERIOD.search(f"{self.regulation_name} {self.description or ''}")
        return int(found.group(1)) if found else 7


def rules_from_rows(rows: list[Any]) -> list[Rule]:
    """Rules from `dot_regulations` rows (mappings or ORM objects with those columns)."""
    def value(row: Any, name: str, default: Any = None) -> Any:
        return row.get(name, default) if isinstance(row, dict) else getattr(row, name, default)

    return [
        Rule(
            regulation_name=value(row, "regulation_name"),
            regulation_type=value(row, "regulation_type"),
            threshold_value=Decimal(str(value(row, "threshold_value"))),
            threshold_unit=value(row, "threshold_unit") or "hours",
            requires_second_driver=bool(value(row, "requires_second_driver", False)),
            description=value(row, "description") or "",
            is_active=value(row, "is_active", True) is not False,
            id=value(row, "id"),
        )
        for row in rows
    ]


@dataclass
class DutyDay:
    """One duty period of the trip: minutes driving, minutes on duty (driving included), miles."""

    driving_minutes: int
    on_duty_minutes: int
    miles: Decimal = Decimal(0)
    day: date | None = None
    start: datetime | None = None
    end: datetime | None = None


@dataclass
class Violation:
    """A rule one driver would break on this trip, in words for the client."""

    regulation_name: str
    limit: Decimal
    actual: Decimal
    unit: str
    message: str
    day: int | None = None
    second_driver_fixes: bool = False


@dataclass
class DotResult:
    """The answer for a trip: legal for one driver, or what it needs and why."""

    compliant: bool
    requires_second_driver: bool
    requires_overnight_rest: bool
    violations: list[Violation] = field(default_factory=list)
    explanation: str = ""


# ------------------------------------------------------------------------------------------ duty days

def duty_days_for(plan: RoutePlan, *, trip_days: int = 1, pre_trip_minutes: int | None = None,
                  post_trip_minutes: int | None = None) -> list[DutyDay]:
    """The driver's duty days for a planned route (pre/post-trip minutes default to the settings).

    A one-day trip is one duty period: its driving, all time at stops and the pre- and post-trip minutes.
    For a longer trip the legs are grouped by the calendar date on which they depart; each group is a
    duty day of its driving plus the time at the stops between its legs, and the stop where one day's
    last leg ends and the next day's first leg starts is the overnight rest (not on duty).
    """
    settings = get_settings()
    pre = settings.pre_trip_minutes if pre_trip_minutes is None else pre_trip_minutes
    post = settings.post_trip_minutes if post_trip_minutes is None else post_trip_minutes
    if not plan.stop_times:
        return []
    if trip_days <= 1 or not plan.legs:
        return [_single_day(plan, pre, post)]
    groups = _legs_by_date(plan.legs)
    return [_day_of(plan, legs, pre, post, first=i == 0, last=i == len(groups) - 1)
            for i, legs in enumerate(groups)]


def _single_day(plan: RoutePlan, pre: int, post: int) -> DutyDay:
    start = plan.garage_departure - timedelta(minutes=pre) if plan.garage_departure else None
    end = plan.garage_return + timedelta(minutes=post) if plan.garage_return else None
    return DutyDay(plan.driving_minutes, plan.total_minutes + pre + post, plan.total_miles,
                   start.date() if start else None, start, end)


def _legs_by_date(legs: list[Leg]) -> list[list[Leg]]:
    """Consecutive legs departing on the same date; a leg with no known time stays with the one before."""
    groups: list[list[Leg]] = []
    current: date | None = None
    for leg in legs:
        when = leg.departure.date() if leg.departure else current
        if not groups or (when is not None and when != current):
            groups.append([])
        groups[-1].append(leg)
        current = when
    return groups


def _day_of(plan: RoutePlan, legs: list[Leg], pre: int, post: int, *, first: bool, last: bool) -> DutyDay:
    dwell = plan.dwell_minutes
    between = sum(dwell[a.to_index] for a, b in zip(legs, legs[1:], strict=False)
                  if a.to_index is not None and a.to_index == b.from_index)
    # Without a hub the first stop's loading and the last stop's unloading happen outside any leg.
    leading = dwell[0] if first and not plan.has_hub and legs[0].from_index == 0 else 0
    trailing = dwell[-1] if last and not plan.has_hub and legs[-1].to_index == len(dwell) - 1 else 0
    driving = sum(leg.minutes for leg in legs)
    start = legs[0].departure - timedelta(minutes=leading + pre) if legs[0].departure else None
    end = legs[-1].arrival + timedelta(minutes=trailing + post) if legs[-1].arrival else None
    miles = sum((leg.miles for leg in legs), Decimal("0.0"))
    return DutyDay(driving, driving + between + leading + trailing + pre + post, miles,
                   start.date() if start else None, start, end)


# ------------------------------------------------------------------------------------------ the check

@dataclass
class _Breach:
    rule: Rule
    actual: Decimal
    team: Decimal
    day: int | None

    @property
    def fixed_by_second_driver(self) -> bool:
        return self.rule.requires_second_driver and self.team <= self.rule.threshold_value


def check(days: list[DutyDay], rules: list[Rule], *,
          prior_on_duty_hours_7_days: Decimal = Decimal(0)) -> DotResult:
    """Which active rules one driver would break on these duty days, and what would make the trip legal."""
    active = [rule for rule in rules if rule.is_active]
    rest = next((r.threshold_value for r in active if r.regulation_type == "rest_period"), DEFAULT_REST_HOURS)
    prior = Decimal(str(prior_on_duty_hours_7_days or 0))
    breaches: list[_Breach] = []
    for rule in active:
        breaches.extend(_breaches(rule, days, prior))
    breaches.sort(key=lambda b: (b.day or 0, active.index(b.rule)))
    context = _Context(days=len(days), rest=rest, prior=prior)
    violations = [_violation(b, context) for b in breaches]
    # A day that must be split by an overnight rest needs no second driver for its other breaches.
    split_days = {b.day for b in breaches if not b.fixed_by_second_driver and b.rule.regulation_type
                  in ("driving_hours", "on_duty_hours", "distance")}
    short_rest = any(b.rule.regulation_type == "rest_period" for b in breaches)
    second = any(b.fixed_by_second_driver and (b.day is None or b.day not in split_days) for b in breaches)
    result = DotResult(compliant=not breaches, requires_second_driver=second,
                       requires_overnight_rest=bool(split_days) or short_rest, violations=violations)
    result.explanation = _explain(result, days)
    return result


def _hours(minutes: int) -> Decimal:
    return Decimal(minutes) / 60


def _breaches(rule: Rule, days: list[DutyDay], prior: Decimal) -> list[_Breach]:
    limit, kind = rule.threshold_value, rule.regulation_type
    found = []
    if kind in ("driving_hours", "on_duty_hours", "distance"):
        for number, day in enumerate(days, start=1):
            if kind == "driving_hours":
                actual = _hours(day.driving_minutes)
                team = actual / 2
            elif kind == "on_duty_hours":
                actual = team = _hours(day.on_duty_minutes)
            else:
                actual = Decimal(day.miles)
                team = actual / 2
            if actual > limit:
                found.append(_Breach(rule, actual, team, number))
    elif kind == "cumulative_hours":
        total = prior + _busiest_window(days, rule.period_days)
        if total > limit:
            found.append(_Breach(rule, total, prior + (total - prior) / 2, None))
    elif kind == "rest_period":
        for number, (before, after) in enumerate(zip(days, days[1:], strict=False), start=2):
            if before.end and after.start:
                off = Decimal((after.start - before.end).total_seconds()) / 3600
                if off < limit:
                    found.append(_Breach(rule, off, off, number))
    return found


def _busiest_window(days: list[DutyDay], period: int) -> Decimal:
    """The most on-duty hours in any `period` consecutive days of the trip (by date when days have dates)."""
    best = Decimal(0)
    for i, first in enumerate(days):
        if all(d.day for d in days):
            window = [d for d in days if 0 <= (d.day - first.day).days < period]
        else:
            window = days[i:i + period]
        best = max(best, sum((_hours(d.on_duty_minutes) for d in window), Decimal(0)))
    return best


# ------------------------------------------------------------------------------------------ words

@dataclass(frozen=True)
class _Context:
    days: int
    rest: Decimal
    prior: Decimal


def _number(value: Decimal) -> str:
    """A limit as people write it: 10, 10.5."""
    return format(value.normalize(), "f")


def _amount(actual: Decimal, limit: Decimal) -> str:
    """An actual amount to a tenth, or to a hundredth when a tenth would hide that it is over the limit."""
    tenth = actual.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    if tenth <= limit < actual:
        return str(actual.quantize(HUNDREDTH, rounding=ROUND_HALF_UP))
    return str(tenth)


def _when(day: int | None, context: _Context) -> str:
    return "in one day" if context.days <= 1 else f"on day {day}"


def _violation(breach: _Breach, context: _Context) -> Violation:
    rule = breach.rule
    return Violation(
        regulation_name=rule.regulation_name,
        limit=rule.threshold_value,
        actual=breach.actual.quantize(HUNDREDTH, rounding=ROUND_HALF_UP),
        unit=rule.threshold_unit,
        message=MESSAGES[rule.regulation_type](breach, context),
        day=breach.day,
        second_driver_fixes=breach.fixed_by_second_driver,
    )


def _driving_message(b: _Breach, c: _Context) -> str:
    limit = b.rule.threshold_value
    text = (f"This trip needs about {_amount(b.actual, limit)} hours of driving {_when(b.day, c)}. "
            f"One driver may drive at most {_number(limit)} hours after {_number(c.rest)} hours off duty "
            f"({b.rule.citation}), so ")
    if b.fixed_by_second_driver:
        return text + "it needs a second driver or an overnight rest."
    if b.rule.requires_second_driver:
        return text + (f"even two drivers sharing the wheel would each drive about "
                       f"{_amount(b.team, limit)} hours; it needs an overnight rest.")
    return text + "it needs an overnight rest."


def _on_duty_message(b: _Breach, c: _Context) -> str:
    limit = b.rule.threshold_value
    text = (f"This trip keeps the driver on duty for about {_amount(b.actual, limit)} hours "
            f"{_when(b.day, c)}, counting pre-trip and post-trip time and waiting at stops. No one may drive "
            f"after {_number(limit)} hours on duty following {_number(c.rest)} hours off duty "
            f"({b.rule.citation}); ")
    if b.fixed_by_second_driver:
        return text + "it needs a second driver or an overnight rest."
    return text + "a second driver riding along is on duty too, so it needs an overnight rest."


def _cumulative_message(b: _Breach, c: _Context) -> str:
    limit, period = b.rule.threshold_value, b.rule.period_days
    earlier = f", counting {_number(c.prior)} hours already worked" if c.prior else ""
    text = (f"With this trip a driver would be on duty about {_amount(b.actual, limit)} hours within "
            f"{period} days{earlier}. No one may drive after {_number(limit)} hours on duty in {period} "
            f"consecutive days ({b.rule.citation}), so ")
    if b.fixed_by_second_driver:
        return text + "a second driver must share the trip."
    return text + "the trip needs more than one driver taking turns, or days off for the driver first."


def _rest_message(b: _Breach, c: _Context) -> str:
    limit = b.rule.threshold_value
    return (f"Before day {b.day} the driver gets only about {_amount(b.actual, limit)} hours off duty. "
            f"A driver needs at least {_number(limit)} consecutive hours off duty ({b.rule.citation}), "
            f"so the overnight rest must be longer.")


def _distance_message(b: _Breach, c: _Context) -> str:
    limit = b.rule.threshold_value
    text = (f"This trip covers about {_amount(b.actual, limit)} miles {_when(b.day, c)}. "
            f"{b.rule.regulation_name}: at most {_number(limit)} miles for one driver "
            f"({b.rule.citation}), so ")
    if b.fixed_by_second_driver:
        return text + "it needs a second driver or an overnight rest."
    return text + "it needs an overnight rest."


MESSAGES = {
    "driving_hours": _driving_message,
    "on_duty_hours": _on_duty_message,
    "cumulative_hours": _cumulative_message,
    "rest_period": _rest_message,
    "distance": _distance_message,
}


def _explain(result: DotResult, days: list[DutyDay]) -> str:
    """One paragraph: the verdict first, then each reason."""
    if result.compliant:
        if not days:
            return "There is no driving to check."
        driving = max(_hours(d.driving_minutes) for d in days).quantize(Decimal("0.1"), ROUND_HALF_UP)
        on_duty = max(_hours(d.on_duty_minutes) for d in days).quantize(Decimal("0.1"), ROUND_HALF_UP)
        longest = "in one day" if len(days) == 1 else "on its longest day"
        return (f"One driver can run this trip within the federal hours-of-service limits: about {driving} "
                f"hours of driving and {on_duty} hours on duty {longest}.")
    needs = []
    if result.requires_second_driver:
        needs.append("a second driver")
    if result.requires_overnight_rest:
        needs.append("an overnight rest")
    verdict = ("One driver cannot legally run this trip as planned"
               + (f"; it needs {' and '.join(needs)}." if needs else "."))
    return " ".join([verdict, *(v.message for v in result.violations)])
