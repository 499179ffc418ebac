"""Trip times: the local pickup time at the hub and the UTC start always agree, across zones and DST."""

from datetime import UTC, date, datetime, time

import pytest

from coachway.charters.service.charters import _resolve_times
from coachway.core.errors import Invalid

ALL = {"trip_date", "pickup_time", "start_datetime", "end_datetime"}


def resolve(timezone="America/New_York", given=ALL, **kw):
    fields = {"trip_date": None, "pickup_time": None, "start_datetime": None, "end_datetime": None, **kw}
    return _resolve_times(**fields, given=set(given), timezone=timezone)


@pytest.mark.parametrize(("day", "expected"), [(date(2030, 1, 15), datetime(2030, 1, 15, 13, 0, tzinfo=UTC)),
                                               (date(2030, 7, 15), datetime(2030, 7, 15, 12, 0, tzinfo=UTC))])
def test_local_eight_am_in_atlanta_is_utc_minus_five_in_winter_and_four_in_summer(day, expected):
    assert resolve(trip_date=day, pickup_time=time(8, 0))["start_datetime"] == expected


def test_the_same_local_time_in_nashville_is_an_hour_later_in_utc():
    out = resolve("America/Chicago", trip_date=date(2030, 7, 15), pickup_time=time(8, 0))
    assert out["start_datetime"] == datetime(2030, 7, 15, 13, 0, tzinfo=UTC)


def test_a_utc_start_late_in_the_evening_falls_on_the_previous_local_day():
    out = resolve(start_datetime=datetime(2030, 3, 1, 3, 30, tzinfo=UTC))
    assert out["trip_date"] == date(2030, 2, 28) and out["pickup_time"] == time(22, 30)


def test_without_a_pickup_time_there_is_no_start():
    assert resolve(trip_date=date(2030, 3, 1))["start_datetime"] is None


def test_without_a_date_or_start_trip_date_is_required():
    with pytest.raises(Invalid) as refused:
        resolve()
    assert refused.value.errors[0]["field"] == "trip_date"


def test_an_end_before_the_start_is_refused():
    with pytest.raises(Invalid) as refused:
        resolve(trip_date=date(2030, 3, 1), pickup_time=time(9, 0),
                end_datetime=datetime(2030, 3, 1, 13, 0, tzinfo=UTC))
    assert refused.value.errors[0]["field"] == "end_datetime"


def test_clearing_the_start_clears_the_pickup_time():
    out = resolve(given={"start_datetime"}, trip_date=date(2030, 3, 1), pickup_time=time(9, 0))
    assert out["pickup_time"] is None and out["start_datetime"] is None
