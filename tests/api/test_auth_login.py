"""Sign-in, tokens, refresh and logout."""

from datetime import timedelta

from sqlalchemy import select

from coachway.auth.models import UserSession
from coachway.core import clock
from tests.factories import PASSWORD, login, make_user


def test_login_returns_bearer_tokens(client):
    user = make_user(role="sales_agent")
    r = client.post("/api/v1/auth/login", json={"email": user.email, "password": PASSWORD})
    assert r.status_code == 200
    body = r.json()
    assert body["token_type"] == "bearer" and body["expires_in"] > 0
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200
    assert me.json()["email"] == user.email
    assert "clients:read" in me.json()["permissions"]


def test_login_email_is_case_insensitive(client):
    user = make_user(role="dispatcher")
    r = client.post("/api/v1/auth/login", json={"email": user.email.upper(), "password": PASSWORD})
    assert r.status_code == 200


def test_wrong_password_is_401_problem(client):
    user = make_user()
    r = client.post("/api/v1/auth/login", json={"email": user.email, "password": "nope-nope-nope"})
    assert r.status_code == 401
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["detail"] == "Wrong email or password."


def test_unknown_email_answers_like_wrong_password(client):
    r = client.post("/api/v1/auth/login", json={"email": "ghost@example.com", "password": "whatever12"})
    assert r.status_code == 401
    assert r.json()["detail"] == "Wrong email or password."


def test_login_malformed_body_lists_fields(client):
    r = client.post("/api/v1/auth/login", json={"email": "not-an-email"})
    assert r.status_code == 422
    fields = {e["field"] for e in r.json()["errors"]}
    assert fields == {"email", "password"}


def test_login_body_not_json_is_422(client):
    r = client.post("/api/v1/auth/login", content=b"\xff\xfe", headers={"content-type": "application/json"})
    assert r.status_code == 422


def test_me_without_token_is_401(client):
    r = client.get("/api/v1/auth/me")
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == "Bearer"


def test_me_with_garbage_token_is_401(client):
    r = client.get("/api/v1/auth/me", headers={"Authorization": "Bearer garbage"})
    assert r.status_code == 401


def test_refresh_rotates_tokens_and_old_refresh_dies(client):
    user = make_user()
    tokens = client.post("/api/v1/auth/login", json={"email": user.email, "password": PASSWORD}).json()
    r = client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert r.status_code == 200
    new = r.json()
    assert new["access_token"] != tokens["access_token"]
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {new['access_token']}"})
    assert me.status_code == 200
    again = client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert again.status_code == 401


def test_logout_revokes_the_session(client):
    user = make_user()
    headers = login(client, user.email)
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 401


def test_inactive_user_cannot_sign_in(client):
    admin = login(client, make_user(role="admin").email)
    user = make_user(role="sales_agent")
    r = client.patch(f"/api/v1/users/{user.id}", json={"is_active": False}, headers=admin)
    assert r.status_code == 200
    r = client.post("/api/v1/auth/login", json={"email": user.email, "password": PASSWORD})
    assert r.status_code == 401


def test_last_login_is_recorded(client):
    user = make_user()
    headers = login(client, user.email)
    me = client.get("/api/v1/auth/me", headers=headers).json()
    assert me["last_login_at"] is not None


def _frozen_at(start):
    clock.set_clock(lambda: start)


def test_expired_access_token_is_401_and_refresh_still_works(client):
    start = clock.now()
    _frozen_at(start)
    user = make_user()
    tokens = client.post("/api/v1/auth/login", json={"email": user.email, "password": PASSWORD}).json()
    assert tokens["expires_in"] == 30 * 60
    _frozen_at(start + timedelta(minutes=30, seconds=1))
    old = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert client.get("/api/v1/auth/me", headers=old).status_code == 401
    r = client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert r.status_code == 200
    new = {"Authorization": f"Bearer {r.json()['access_token']}"}
    assert client.get("/api/v1/auth/me", headers=new).status_code == 200


def test_refresh_token_dies_at_the_end_of_its_lifetime(client):
    start = clock.now()
    _frozen_at(start)
    user = make_user()
    tokens = client.post("/api/v1/auth/login", json={"email": user.email, "password": PASSWORD}).json()
    _frozen_at(start + timedelta(days=14, seconds=1))
    r = client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert r.status_code == 401


def test_refreshed_access_token_does_not_outlive_the_session(client):
    start = clock.now()
    _frozen_at(start)
    user = make_user()
    tokens = client.post("/api/v1/auth/login", json={"email": user.email, "password": PASSWORD}).json()
    _frozen_at(start + timedelta(days=14, minutes=-10))
    r = client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert r.status_code == 200 and r.json()["expires_in"] == 10 * 60


def test_refresh_kills_the_previous_access_token(client):
    user = make_user()
    tokens = client.post("/api/v1/auth/login", json={"email": user.email, "password": PASSWORD}).json()
    client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    r = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert r.status_code == 401


def test_refresh_after_logout_is_401(client):
    user = make_user()
    tokens = client.post("/api/v1/auth/login", json={"email": user.email, "password": PASSWORD}).json()
    client.post("/api/v1/auth/logout", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    r = client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert r.status_code == 401


def test_access_token_is_not_accepted_as_refresh_token(client):
    user = make_user()
    tokens = client.post("/api/v1/auth/login", json={"email": user.email, "password": PASSWORD}).json()
    r = client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["access_token"]})
    assert r.status_code == 401


def test_logout_leaves_other_sessions_signed_in(client):
    user = make_user()
    first = login(client, user.email)
    second = login(client, user.email)
    client.post("/api/v1/auth/logout", headers=first)
    assert client.get("/api/v1/auth/me", headers=second).status_code == 200


def test_sessions_are_stored_hashed(client, session):
    user = make_user()
    tokens = client.post("/api/v1/auth/login", json={"email": user.email, "password": PASSWORD}).json()
    row = session.scalar(select(UserSession).where(UserSession.user_id == user.id))
    assert tokens["access_token"] not in (row.session_token, row.refresh_token_hash)
    assert tokens["refresh_token"] not in (row.session_token, row.refresh_token_hash)
    assert row.impersonated_by is None and row.revoked_at is None


def test_deactivated_user_is_signed_out_at_once(client):
    admin = login(client, make_user(role="admin").email)
    user = make_user(role="sales_agent")
    headers = login(client, user.email)
    client.patch(f"/api/v1/users/{user.id}", json={"is_active": False}, headers=admin)
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 401
