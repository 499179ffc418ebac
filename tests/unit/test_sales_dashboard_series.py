"""Pure pieces of the sales dashboard: which days a month report covers, where local days start in UTC,
percentages, and the geometry of the pipeline bars and the day columns."""

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from coachway.core.errors import Invalid
from coachway.sales import dashboard_pages as pages
from coachway.sales.service import dashboard

NEW_YORK = ZoneInfo("America/New_York")


def test_current_month_runs_from_the_first_to_today():
    days = dashboard.month_days(date(2025, 6, 9), date(2025, 6, 15))
    assert days[0] == date(2025, 6, 1) and days[-1] == date(2025, 6, 15) and len(days) == 15


def test_past_month_runs_to_its_last_day():
    assert len(dashboard.month_days(date(2024, 2, 1), date(2025, 6, 15))) == 29
    assert dashboard.month_days(date(2025, 5, 1), date(2025, 6, 1))[-1] == date(2025, 5, 31)


def test_first_of_the_month_covers_one_day():
    assert dashboard.month_days(date(2025, 6, 1), date(2025, 6, 1)) == [date(2025, 6, 1)]


def test_day_edges_follow_daylight_saving_time():
    days = [date(2025, 3, 8), date(2025, 3, 9)]  # clocks go forward in New York on 9 March
    edges = dashboard.day_edges(days, NEW_YORK)
    assert edges == [datetime(2025, 3, 8, 5, tzinfo=UTC), datetime(2025, 3, 9, 5, tzinfo=UTC),
                     datetime(2025, 3, 10, 4, tzinfo=UTC)]
    assert dashboard.day_edges([], NEW_YORK) == []


def test_percent_rounds_half_up_to_one_decimal_and_is_none_without_a_whole():
    assert dashboard.percent(1, 3) == Decimal("33.3")
    assert dashboard.percent(Decimal("500.00"), Decimal("1200.00")) == Decimal("41.7")
    assert dashboard.percent(1, 8) == Decimal("12.5")
    assert dashboard.percent(5, 0) is None


def test_pipeline_bars_are_scaled_to_the_biggest_stage_in_pipeline_order():
    bars = pages.pipeline_bars({"new": 8, "contacted": 2, "qualified": 0, "quoted": 4, "converted": 1,
                                "lost": 0})
    assert [b.status for b in bars] == ["new", "contacted", "qualified", "quoted", "converted", "lost"]
    assert [b.percent for b in bars] == [100.0, 25.0, 0.0, 50.0, 12.5, 0.0]
    assert all(b.percent == 0 for b in pages.pipeline_bars(dict.fromkeys(pages.STATUS_WORDS, 0)))


def _day(n: int, revenue: str, bookings: int = 1, leads: int = 0) -> dict:
    return {"date": date(2025, 6, n), "booked_revenue": Decimal(revenue), "bookings": bookings,
            "leads_received": leads, "leads_converted": 0, "profit": Decimal(0)}


def test_day_columns_scale_to_the_best_day_and_keep_a_sliver_for_empty_days():
    chart = pages.day_columns([_day(1, "500.00"), _day(2, "0.00", bookings=0, leads=2), _day(3, "2000.00")])
    first, empty, best = chart["columns"]
    assert chart["width"] == 3 * pages.COLUMN_STEP and chart["top_label"] == "$2k"
    assert best.height == 100 and best.y == 0 and first.height == 25
    assert empty.empty and empty.height == 1 and "0 bookings, $0.00; 2 leads received" in empty.title
    assert first.title == "Jun 1: 1 booking, $500.00; 0 leads received"
    assert first.x < empty.x < best.x


def test_day_columns_of_an_empty_month_draw_slivers_only():
    chart = pages.day_columns([_day(1, "0", bookings=0)])
    assert chart["columns"][0].height == 1 and chart["top_label"] == "$0"


@pytest.mark.parametrize(("amount", "text"), [("950", "$950"), ("12500", "$12.5k"), ("1200000", "$1.2M"),
                                              ("3000000", "$3M")])
def test_short_money_for_chart_scales(amount, text):
    assert pages.short_money(Decimal(amount)) == text


def test_money_is_written_with_cents_and_thousands():
    assert pages.money(Decimal("1234.5")) == "$1,234.50" and pages.money(None) == "—"
    assert pages.money(Decimal("-12")) == "-$12.00"


def test_page_month_accepts_a_month_or_a_day():
    assert pages._month("2025-05") == date(2025, 5, 1)
    assert pages._month("2025-05-17") == date(2025, 5, 1)
    assert pages._month("") is None


@pytest.mark.parametrize("text", ["garbage", "2025-13", "2025-02-30"])
def test_page_month_that_is_not_a_month_is_refused(text):
    with pytest.raises(Invalid):
        pages._month(text)


@pytest.mark.parametrize("text", ["0", "abc", "-3", "99999999999"])
def test_page_agent_that_is_not_an_id_is_refused(text):
    with pytest.raises(Invalid):
        pages._agent(text)
