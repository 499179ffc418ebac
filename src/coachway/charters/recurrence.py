"""Recurring trips: the dates an RFC 5545 recurrence rule gives, evaluated with python-dateutil.

`occurrences("FREQ=WEEKLY;BYDAY=MO,WE,FR;COUNT=12", start=date(2026, 2, 2))` lists the trip dates of a
series. The rule is the RRULE value (an "RRULE:" prefix is accepted); COUNT, UNTIL (inclusive, a date or a
UTC time), INTERVAL, BYDAY, BYMONTHDAY, BYMONTH, BYSETPOS and WKST work as the RFC says. The series starts
on `start` (the rule must not carry its own DTSTART), ends at `end` (inclusive) when given, and skips the
`exclude` dates (EXDATE). Unlike the RFC, a start date the rule does not match (a Sunday for a weekday
rule) is not itself an occurrence: a shuttle series "every weekday from 1 February" starts on the first
weekday. A rule without COUNT, UNTIL or an end date is refused: a series must end.
"""

from collections.abc import Iterable
from datetime import date, datetime, time

from dateutil.rrule import rrule, rruleset, rrulestr

MAX_INSTANCES = 1000
MAX_RULE_LENGTH = 500
_FORBIDDEN_PARTS = {"DTSTART": "Give the first date as start_date, not as DTSTART in the rule.",
                    "BYHOUR": "A series repeats by day: leave out BYHOUR.",
                    "BYMINUTE": "A series repeats by day: leave out BYMINUTE.",
                    "BYSECOND": "A series repeats by day: leave out BYSECOND."}
_DAY_FREQS = {"YEARLY", "MONTHLY", "WEEKLY", "DAILY"}


class RecurrenceError(ValueError):
    """The rule cannot be used; the message says why, in words for the person who typed it."""


def _parts(rule: str) -> dict[str, str]:
    text = rule.strip()
    if text.upper().startswith("RRULE:"):
        text = text[6:]
    if not text:
        raise RecurrenceError("The rule is empty; for example FREQ=WEEKLY;BYDAY=MO,WE,FR;COUNT=12.")
    parts: dict[str, str] = {}
    for piece in text.split(";"):
        if not piece:
            continue
        name, sep, value = piece.partition("=")
        name = name.strip().upper()
        if not sep or not name or not value.strip():
            raise RecurrenceError(f"'{piece}' is not NAME=VALUE.")
        if name in parts:
            raise RecurrenceError(f"{name} appears twice.")
        parts[name] = value.strip().upper()
    return parts


def normalise(rule: str) -> str:
    """The rule in canonical form (upper case, no "RRULE:" prefix), after checking it; RecurrenceError
    otherwise."""
    if len(rule) > MAX_RULE_LENGTH:
        raise RecurrenceError(f"The rule is longer than {MAX_RULE_LENGTH} characters.")
    parts = _parts(rule)
    for name, message in _FORBIDDEN_PARTS.items():
        if name in parts:
            raise RecurrenceError(message)
    freq = parts.get("FREQ")
    if freq is None:
        raise RecurrenceError("The rule needs FREQ (DAILY, WEEKLY, MONTHLY or YEARLY).")
    if freq not in _DAY_FREQS:
        raise RecurrenceError(f"FREQ={freq} is not a daily, weekly, monthly or yearly repeat.")
    if "COUNT" in parts and "UNTIL" in parts:
        raise RecurrenceError("Use COUNT or UNTIL, not both (RFC 5545).")
    if "COUNT" in parts and (not parts["COUNT"].isdigit() or int(parts["COUNT"]) < 1):
        raise RecurrenceError("COUNT must be a whole number of 1 or more.")
    if "UNTIL" in parts and parts["UNTIL"].endswith("Z"):
        parts["UNTIL"] = parts["UNTIL"][:-1]  # a UTC end; the series runs by local dates
    text = ";".join(f"{k}={v}" for k, v in parts.items())
    try:
        rrulestr(text, dtstart=datetime(2000, 1, 1))
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        raise RecurrenceError(f"The rule is not a valid RFC 5545 RRULE: {exc}.") from None
    return text


def occurrences(rule: str, *, start: date, end: date | None = None, exclude: Iterable[date] = (),
                limit: int = MAX_INSTANCES) -> list[date]:
    """The dates of the series, in order; RecurrenceError when the rule is bad, never ends, gives no date
    or gives more than limit."""
    text = normalise(rule)
    if end is not None and end < start:
        raise RecurrenceError("The end date is before the start date.")
    bounded = "COUNT=" in text or "UNTIL=" in text or end is not None
    if not bounded:
        raise RecurrenceError("The series never ends: add COUNT or UNTIL to the rule, or an end date.")
    dtstart = datetime.combine(start, time(0))
    parsed: rrule = rrulestr(text, dtstart=dtstart)
    series = rruleset()
    series.rrule(parsed)
    for day in exclude:
        series.exdate(datetime.combine(day, time(0)))
    until = datetime.combine(end, time(0)) if end is not None else None
    dates: list[date] = []
    for when in series:
        if until is not None and when > until:
            break
        dates.append(when.date())
        if len(dates) > limit:
            raise RecurrenceError(f"The rule gives more than {limit} dates; shorten it or split the series.")
    if not dates:
        raise RecurrenceError("The rule gives no dates between the start and the end.")
    return dates


def describe(dates: list[date]) -> str:
    """'60 dates, Mon 2 Feb 2026 to Fri 24 Apr 2026' for previews."""
    if not dates:
        return "no dates"
    first, last = dates[0], dates[-1]
    word = "date" if len(dates) == 1 else "dates"
    if first == last:
        return f"1 date, {first:%a} {first.day} {first:%b %Y}"
    return f"{len(dates)} {word}, {first:%a} {first.day} {first:%b %Y} to {last:%a} {last.day} {last:%b %Y}"
