"""Sign-in under parallel requests on PostgreSQL: row and advisory locks keep the counts exact."""

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pyotp
import pytest
from sqlalchemy import func, select

from coachway.auth.models import LoginAttempt
from coachway.core import clock
from tests.factories import PASSWORD, login, make_user

pytestmark = pytest.mark.postgres

PARALLEL = 10


@pytest.fixture(autouse=True)
def postgres_only(is_postgres):
    if not is_postgres:
        pytest.skip("needs PostgreSQL row and advisory locks; set COACHWAY_TEST_DATABASE_URL")


def in_parallel(fn, n: int = PARALLEL) -> Counter:
    """Run fn n times at once (released together) and count the status codes."""
    barrier = threading.Barrier(n)

    def run(_):
        barrier.wait()
        return fn().status_code

    with ThreadPoolExecutor(max_workers=n) as pool:
        return Counter(pool.map(run, range(n)))


def test_parallel_refreshes_with_one_token_let_exactly_one_through(client):
    user = make_user()
    tokens = client.post("/api/v1/auth/login", json={"email": user.email, "password": PASSWORD}).json()
    statuses = in_parallel(lambda: client.post("/api/v1/auth/refresh",
                                               json={"refresh_token": tokens["refresh_token"]}))
    assert statuses == Counter({200: 1, 401: PARALLEL - 1})


def test_parallel_wrong_passwords_never_get_past_the_lock(client, session):
    user = make_user()
    statuses = in_parallel(lambda: client.post("/api/v1/auth/login",
                                               json={"email": user.email, "password": "wrong-password-1"}))
    assert statuses == Counter({401: 5, 429: PARALLEL - 5})
    failures = session.scalar(select(func.count()).select_from(LoginAttempt).where(
        LoginAttempt.email == user.email, LoginAttempt.succeeded.is_(False)))
    assert failures == 5
    r = client.post("/api/v1/auth/login", json={"email": user.email, "password": PASSWORD})
    assert r.status_code == 429


def test_one_recovery_code_used_in_parallel_signs_in_once(client):
    user = make_user()
    headers = login(client, user.email)
    secret = client.post("/api/v1/auth/mfa/setup", headers=headers).json()["secret"]
    code = pyotp.TOTP(secret).at(clock.now().timestamp())
    recovery = client.post("/api/v1/auth/mfa/enable", json={"code": code}, headers=headers).json()
    challenges = iter([client.post("/api/v1/auth/login", json={"email": user.email, "password": PASSWORD})
                       .json()["mfa_token"] for _ in range(4)])
    lock = threading.Lock()

    def verify():
        with lock:
            token = next(challenges)
        return client.post("/api/v1/auth/mfa/verify",
                           json={"mfa_token": token, "code": recovery["recovery_codes"][0]})

    assert in_parallel(verify, 4) == Counter({200: 1, 401: 3})


def test_parallel_creates_of_one_email_make_one_user_and_409s(client):
    admin = login(client, make_user(role="admin").email)
    body = {"email": "twin@example.com", "full_name": "Twin", "role": "driver",
            "password": "a-long-passphrase"}
    statuses = in_parallel(lambda: client.post("/api/v1/users", json=body, headers=admin), 5)
    assert statuses == Counter({201: 1, 409: 4})
