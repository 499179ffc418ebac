"""How failed sign-ins turn into a lock: limit within the window locks for the lockout."""

from datetime import UTC, datetime, timedelta

from coachway.auth.service import _lock_end

T = datetime(2030, 1, 1, 8, 0, tzinfo=UTC)


def at(*minutes: float) -> list[datetime]:
    return [T + timedelta(minutes=m) for m in minutes]


def test_no_failures_no_lock():
    assert _lock_end([], limit=5) is None


def test_fewer_failures_than_the_limit_do_not_lock():
    assert _lock_end(at(0, 1, 2, 3), limit=5) is None


def test_the_limit_within_the_window_locks_from_the_last_failure():
    assert _lock_end(at(0, 1, 2, 3, 4), limit=5) == T + timedelta(minutes=4 + 15)


def test_failures_further_apart_than_the_window_do_not_add_up():
    assert _lock_end(at(0, 4, 8, 12, 16), limit=5) is None


def test_counting_starts_again_after_a_lock():
    failures = at(0, 0, 0, 0, 0) + at(20, 21)
    assert _lock_end(failures, limit=5) == T + timedelta(minutes=15)


def test_a_second_round_of_failures_locks_again():
    assert _lock_end(at(0, 0, 0) + at(20, 20, 20), limit=3) == T + timedelta(minutes=35)
