"""Failed sign-ins are throttled per account and per address, then locked for a while."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from coachway.auth.models import LoginAttempt, User
from coachway.config import get_settings
from coachway.core import clock
from tests.factories import PASSWORD, login, make_user

WRONG = "wrong-password-123"


def attempt(client, email: str, password: str = WRONG):
    return client.post("/api/v1/auth/login", json={"email": email, "password": password})


def fail(client, email: str, times: int) -> None:
    for _ in range(times):
        assert attempt(client, email).status_code == 401


def freeze_clock():
    now = clock.now()
    clock.set_clock(lambda: now)
    return now


@pytest.fixture
def low_ip_limit(monkeypatch):
    """Three failures from one address are enough to lock it (keeps the test short)."""
    monkeypatch.setenv("COACHWAY_LOGIN_MAX_FAILURES_PER_IP", "3")
    get_settings.cache_clear()


def test_sixth_attempt_after_five_failures_is_429_even_with_the_right_password(client):
    user = make_user()
    fail(client, user.email, 5)
    r = attempt(client, user.email, PASSWORD)
    assert r.status_code == 429
    assert r.headers["content-type"].startswith("application/problem+json")
    assert 0 < int(r.headers["retry-after"]) <= 15 * 60 + 1


def test_four_failures_do_not_lock(client):
    user = make_user()
    fail(client, user.email, 4)
    assert attempt(client, user.email, PASSWORD).status_code == 200


def test_failed_attempts_are_kept_although_the_request_failed(client, session):
    user = make_user()
    fail(client, user.email, 2)
    count = session.scalar(select(func.count()).select_from(LoginAttempt)
                           .where(LoginAttempt.email == user.email, LoginAttempt.succeeded.is_(False)))
    assert count == 2


def test_locked_attempts_are_not_counted_again(client, session):
    user = make_user()
    fail(client, user.email, 5)
    for _ in range(3):
        assert attempt(client, user.email).status_code == 429
    count = session.scalar(select(func.count()).select_from(LoginAttempt)
                           .where(LoginAttempt.email == user.email))
    assert count == 5


def test_lock_expires_after_the_lockout(client):
    start = freeze_clock()
    user = make_user()
    fail(client, user.email, 5)
    clock.set_clock(lambda: start + timedelta(minutes=14, seconds=59))
    assert attempt(client, user.email, PASSWORD).status_code == 429
    clock.set_clock(lambda: start + timedelta(minutes=15, seconds=1))
    assert attempt(client, user.email, PASSWORD).status_code == 200


def test_retry_after_counts_down_to_the_end_of_the_lock(client):
    start = freeze_clock()
    user = make_user()
    fail(client, user.email, 5)
    clock.set_clock(lambda: start + timedelta(minutes=10))
    r = attempt(client, user.email, PASSWORD)
    assert r.status_code == 429 and 299 <= int(r.headers["retry-after"]) <= 301


def test_failures_spread_wider_than_the_window_do_not_lock(client):
    start = freeze_clock()
    user = make_user()
    for i in range(5):
        clock.set_clock(lambda i=i: start + timedelta(minutes=4 * i))  # 0, 4, 8, 12, 16 minutes
        assert attempt(client, user.email).status_code == 401
    assert attempt(client, user.email, PASSWORD).status_code == 200


def test_successful_sign_in_resets_the_count(client):
    user = make_user()
    fail(client, user.email, 4)
    assert attempt(client, user.email, PASSWORD).status_code == 200
    fail(client, user.email, 4)
    assert attempt(client, user.email, PASSWORD).status_code == 200


def test_lock_is_recorded_on_the_account(client, session):
    user = make_user()
    fail(client, user.email, 5)
    locked_until = session.scalar(select(User.locked_until).where(User.id == user.id))
    assert locked_until is not None and locked_until > clock.now()


def test_unknown_email_is_locked_like_a_real_one(client):
    fail(client, "ghost@example.com", 5)
    r = attempt(client, "ghost@example.com")
    assert r.status_code == 429
    assert r.json()["detail"] == "Too many failed sign-ins for this account. Try again later."


def test_inactive_account_with_right_password_counts_as_failure(client):
    admin = login(client, make_user().email)
    user = make_user(role="sales_agent")
    client.patch(f"/api/v1/users/{user.id}", json={"is_active": False}, headers=admin)
    for _ in range(5):
        r = attempt(client, user.email, PASSWORD)
        assert r.status_code == 401 and r.json()["detail"] == "Wrong email or password."
    assert attempt(client, user.email, PASSWORD).status_code == 429


def test_lock_of_one_account_leaves_others_alone(client):
    victim, other = make_user(), make_user()
    fail(client, victim.email, 5)
    assert attempt(client, other.email, PASSWORD).status_code == 200


def test_email_case_does_not_dodge_the_lock(client):
    user = make_user()
    for i in range(5):
        email = user.email.upper() if i % 2 else user.email
        assert attempt(client, email).status_code == 401
    assert attempt(client, user.email.upper(), PASSWORD).status_code == 429


def test_many_failures_from_one_address_across_emails_lock_the_address(client, low_ip_limit):
    user = make_user()
    for n in range(3):
        assert attempt(client, f"nobody{n}@example.com").status_code == 401
    r = attempt(client, user.email, PASSWORD)
    assert r.status_code == 429
    assert r.json()["detail"] == "Too many failed sign-ins from your address. Try again later."
    assert int(r.headers["retry-after"]) > 0


def test_address_lock_is_not_lifted_by_a_successful_sign_in(client, low_ip_limit):
    user = make_user()
    fail(client, "nobody1@example.com", 2)
    assert attempt(client, user.email, PASSWORD).status_code == 200
    fail(client, "nobody2@example.com", 1)
    assert attempt(client, user.email, PASSWORD).status_code == 429


def test_address_lock_expires_after_the_lockout(client, low_ip_limit):
    start = freeze_clock()
    user = make_user()
    fail(client, "nobody@example.com", 3)
    clock.set_clock(lambda: start + timedelta(minutes=15, seconds=1))
    assert attempt(client, user.email, PASSWORD).status_code == 200


def test_sign_in_records_last_login_time_and_address(client, session):
    now = freeze_clock()
    user = make_user()
    login(client, user.email)
    row = session.scalar(select(User).where(User.id == user.id))
    assert row.last_login_at == now
    assert row.last_login_ip == "testclient"
