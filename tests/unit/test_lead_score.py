"""The hot-lead score rule, part by part, on its boundaries."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from coachway.sales.service.scoring import HOT_THRESHOLD, score

NOW = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)
TODAY = date(2026, 12, 7)


def s(**kw):
    base = {"now": NOW, "today": TODAY, "last_activity": NOW, "estimated_value": None, "trip_date": None}
    return score(**{**base, **kw})


@pytest.mark.parametrize(("idle_days", "points"), [(0, 25), (15, 13), (29, 1), (30, 0), (400, 0)])
def test_recency_falls_to_zero_at_thirty_days(idle_days, points):
    assert s(last_activity=NOW - timedelta(days=idle_days)).recency == points


@pytest.mark.parametrize(
    ("value", "points"), [(None, 0), ("0", 0), ("2000", 5), ("10000", 25), ("250000", 25)]
)
def test_value_in_proportion_to_ten_thousand(value, points):
    assert s(estimated_value=None if value is None else Decimal(value)).value == points


@pytest.mark.parametrize(
    ("days_out", "points"), [(-1, 0), (0, 25), (14, 25), (15, 25), (67, 13), (119, 0), (120, 0), (None, 0)]
)
def test_trip_date_proximity(days_out, points):
    trip = None if days_out is None else TODAY + timedelta(days=days_out)
    assert s(trip_date=trip).trip_date == points


@pytest.mark.parametrize(
    ("opened", "clicked", "talks", "points"),
    [(0, 0, 0, 0), (1, 0, 0, 5), (1, 1, 0, 13), (0, 0, 2, 12), (3, 3, 3, 25)],
)
def test_engagement_is_capped(opened, clicked, talks, points):
    assert s(opened=opened, clicked=clicked, conversations=talks).engagement == points


def test_total_is_the_sum_and_a_fresh_valuable_near_trip_is_hot():
    got = s(estimated_value=Decimal("8000"), trip_date=TODAY + timedelta(days=10))
    assert got.total == got.recency + got.value + got.trip_date + got.engagement == 70
    assert got.total >= HOT_THRESHOLD
    assert s().total < HOT_THRESHOLD
