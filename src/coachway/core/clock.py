"""The one source of "now": aware UTC, replaceable in tests."""

from collections.abc import Callable
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from coachway.config import get_settings

_now: Callable[[], datetime] = lambda: datetime.now(UTC)  # noqa: E731


def now() -> datetime:
    """The current time, timezone-aware UTC."""
    return _now()


def company_today() -> date:
    """Today's date where the company is (settings.company_timezone): the day of due dates and reports."""
    return now().astimezone(ZoneInfo(get_settings().company_timezone)).date()


def set_clock(fn: Callable[[], datetime] | None) -> None:
    """Replace the clock (tests fix "today"); None restores the real one."""
    global _now
    _now = fn or (lambda: datetime.now(UTC))
