"""Series dates from RFC 5545 rules (python-dateutil), with the spec's examples and the RFC's corner cases."""

from datetime import date, timedelta

import pytest

from coachway.charters.recurrence import RecurrenceError, describe, normalise, occurrences

MONDAY = date(2026, 2, 2)


def test_sixty_weekdays_from_a_monday():
    dates = occurrences("FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR;COUNT=60", start=MONDAY)
    assert len(dates) == 60
    assert all(d.weekday() < 5 for d in dates)
    assert dates[0] == MONDAY and dates[4] == date(2026, 2, 6) and dates[5] == date(2026, 2, 9)
    # 12 full weeks: the 60th is the Friday of the 12th week
    assert dates[-1] == MONDAY + timedelta(weeks=11, days=4)
    assert len(set(dates)) == 60 and dates == sorted(dates)


def test_spec_examples():
    assert occurrences("FREQ=DAILY;COUNT=20", start=MONDAY) == [MONDAY + timedelta(days=i) for i in range(20)]
    mwf = occurrences("FREQ=WEEKLY;BYDAY=MO,WE,FR;COUNT=12", start=MONDAY)
    assert len(mwf) == 12 and {d.weekday() for d in mwf} == {0, 2, 4}
    # The recurring request's example: from Sunday 1 Feb to 1 May, 60 weekdays; the series starts Monday.
    shuttle = occurrences("FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR;COUNT=60", start=date(2026, 2, 1),
                          end=date(2026, 5, 1))
    assert shuttle[0] == MONDAY and len(shuttle) == 60 and shuttle[-1] <= date(2026, 5, 1)


def test_until_is_inclusive_in_date_and_utc_forms():
    assert occurrences("FREQ=WEEKLY;UNTIL=20260223", start=MONDAY)[-1] == date(2026, 2, 23)
    assert occurrences("FREQ=WEEKLY;UNTIL=20260223T235959Z", start=MONDAY)[-1] == date(2026, 2, 23)
    assert len(occurrences("FREQ=WEEKLY;UNTIL=20260223", start=MONDAY)) == 4


def test_interval_and_end_date_and_exclusions():
    every_other = occurrences("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;COUNT=3", start=MONDAY)
    assert every_other == [date(2026, 2, 3), date(2026, 2, 17), date(2026, 3, 3)]
    bounded = occurrences("FREQ=DAILY", start=MONDAY, end=date(2026, 2, 6))
    assert bounded == [MONDAY + timedelta(days=i) for i in range(5)]
    skipped = occurrences("FREQ=DAILY;COUNT=5", start=MONDAY, exclude=[date(2026, 2, 3)])
    assert date(2026, 2, 3) not in skipped and len(skipped) == 4  # RFC: EXDATE removes, COUNT is not refilled


def test_monthly_by_set_position():
    # the last Friday of each month, three times
    assert occurrences("FREQ=MONTHLY;BYDAY=FR;BYSETPOS=-1;COUNT=3", start=MONDAY) == [
        date(2026, 2, 27), date(2026, 3, 27), date(2026, 4, 24)]


def test_prefix_and_case_are_accepted():
    assert normalise("rrule:freq=weekly;byday=mo;count=2") == "FREQ=WEEKLY;BYDAY=MO;COUNT=2"


@pytest.mark.parametrize("rule, words", [
    ("", "empty"),
    ("COUNT=5", "FREQ"),
    ("FREQ=HOURLY;COUNT=5", "daily, weekly"),
    ("FREQ=DAILY;COUNT=5;UNTIL=20260301", "not both"),
    ("FREQ=DAILY;COUNT=0", "COUNT"),
    ("FREQ=DAILY;COUNT=abc", "COUNT"),
    ("FREQ=DAILY;BYDAY=XX;COUNT=3", "RRULE"),
    ("FREQ=DAILY;COUNT=3;COUNT=4", "twice"),
    ("FREQ=DAILY;;BOGUS", "NAME=VALUE"),
    ("FREQ=DAILY;DTSTART=20260101;COUNT=2", "start_date"),
    ("FREQ=DAILY;BYHOUR=9;COUNT=2", "BYHOUR"),
    ("FREQ=DAILY", "never ends"),
    ("FREQ=DAILY;COUNT=1001", "more than 1000"),
    ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30;COUNT=2", "no dates"),
    ("FREQ=DAILY;" + "X" * 600, "longer"),
])
def test_bad_rules_say_why(rule, words):
    with pytest.raises(RecurrenceError) as exc:
        occurrences(rule, start=MONDAY)
    assert words in str(exc.value)


def test_end_before_start_is_refused():
    with pytest.raises(RecurrenceError, match="before the start"):
        occurrences("FREQ=DAILY;COUNT=2", start=MONDAY, end=MONDAY - timedelta(days=1))


def test_a_thousand_instances_are_allowed():
    assert len(occurrences("FREQ=DAILY;COUNT=1000", start=MONDAY)) == 1000


def test_describe():
    assert describe(occurrences("FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR;COUNT=60", start=MONDAY)) == (
        "60 dates, Mon 2 Feb 2026 to Fri 24 Apr 2026")
