"""Small keyword-argument helpers that build test data through the services."""

import itertools
from datetime import timedelta

import pyotp

from coachway.core import clock
from coachway.core.db import transaction
from coachway.core.permissions import SYSTEM

PASSWORD = "s3cure-test-pass"
_seq = itertools.count(1)


def make_user(*, role: str = "admin", email: str | None = None, password: str = PASSWORD,
              full_name: str | None = None, **kw):
    """A user of the role, committed; returns the user row (detached)."""
    from coachway.auth.service import create_user

    n = next(_seq)
    email = email or f"{role}{n}@example.com"
    with transaction() as session:
        user = create_user(session, SYSTEM, email=email, full_name=full_name or f"{role.title()} {n}",
                           password=password, role=role, **kw)
    return user


def login(client, email: str, password: str = PASSWORD) -> dict:
    """Bearer headers for a signed-in user."""
    r = client.post("/api/v1/auth/login", json={"email": email, "password": password})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def user_headers(client, role: str = "admin", **kw) -> dict:
    """Create a user of the role and sign them in."""
    user = make_user(role=role, **kw)
    return login(client, user.email)


def next_totp(secret: str, *, steps: int = 1) -> str:
    """The code an authenticator app shows `steps` time steps (30 s each) later: moves the clock on.

    A TOTP code is accepted once, so each use in a test needs the code of a newer time step.
    """
    later = clock.now() + timedelta(seconds=30 * steps)
    clock.set_clock(lambda: later)
    return pyotp.TOTP(secret).at(later.timestamp())
