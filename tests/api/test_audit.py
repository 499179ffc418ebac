"""The audit log: who changed users and roles, when, from what to what; never a secret."""

import json

import pyotp
from sqlalchemy import select

from coachway.auth.models import User
from coachway.core import clock
from coachway.core.models import AuditLog
from tests.factories import PASSWORD, login, make_user, user_headers


def entries(client, headers, **params) -> list[dict]:
    r = client.get("/api/v1/audit-log", params=params, headers=headers)
    assert r.status_code == 200, r.text
    return r.json()["items"]


def me_id(client, headers) -> int:
    return client.get("/api/v1/auth/me", headers=headers).json()["id"]


def test_user_create_is_audited_with_new_values_and_actor(client):
    admin = user_headers(client, "admin")
    uid = client.post("/api/v1/users", json={"email": "new@example.com", "full_name": "New", "role": "driver",
                                             "password": "a-long-passphrase"}, headers=admin).json()["id"]
    [row] = entries(client, admin, entity_type="user", entity_id=str(uid))
    assert row["action"] == "create" and row["actor_id"] == me_id(client, admin)
    assert row["old_values"] is None
    assert row["new_values"]["email"] == "new@example.com" and row["new_values"]["role"] == "driver"
    assert row["ip_address"] == "testclient"


def test_user_update_keeps_only_the_changed_fields(client):
    admin = user_headers(client, "admin")
    user = make_user(role="sales_agent", full_name="Old Name")
    client.patch(f"/api/v1/users/{user.id}", json={"full_name": "New Name", "role": "sales_support",
                                                   "phone": None}, headers=admin)
    [row] = entries(client, admin, entity_type="user", entity_id=str(user.id), actor_id=me_id(client, admin))
    assert row["action"] == "update"
    assert row["old_values"] == {"full_name": "Old Name", "role": "sales_agent"}
    assert row["new_values"] == {"full_name": "New Name", "role": "sales_support"}


def test_an_update_that_changes_nothing_writes_no_entry(client):
    admin = user_headers(client, "admin")
    user = make_user(role="sales_agent", full_name="Same")
    client.patch(f"/api/v1/users/{user.id}", json={"full_name": "Same"}, headers=admin)
    rows = entries(client, admin, entity_type="user", entity_id=str(user.id))
    assert [r["action"] for r in rows] == ["create"]


def test_role_change_is_audited_with_old_and_new_permissions(client):
    admin = user_headers(client, "admin")
    client.put("/api/v1/roles/dispatcher/permissions", json={"permissions": ["fleet:read"]}, headers=admin)
    [row] = entries(client, admin, entity_type="role", entity_id="dispatcher")
    assert row["action"] == "update" and row["actor_id"] == me_id(client, admin)
    assert "users:read" in row["old_values"]["permissions"]
    assert row["new_values"]["permissions"] == ["fleet:read"]


def test_role_create_is_audited(client):
    admin = user_headers(client, "admin")
    client.post("/api/v1/roles", json={"name": "auditor", "permissions": ["audit:read"]}, headers=admin)
    [row] = entries(client, admin, entity_type="role", entity_id="auditor")
    assert row["action"] == "create" and row["new_values"]["permissions"] == ["audit:read"]


def test_rejected_change_writes_no_entry(client, session):
    admin = user_headers(client, "admin")
    before = len(session.scalars(select(AuditLog.id)).all())
    client.put("/api/v1/roles/dispatcher/permissions", json={"permissions": ["moon:land"]}, headers=admin)
    client.post("/api/v1/users", json={"email": "x@example.com", "full_name": "X", "role": "pilot",
                                       "password": "a-long-passphrase"}, headers=admin)
    session.expire_all()
    assert len(session.scalars(select(AuditLog.id)).all()) == before


def test_no_secret_ever_reaches_the_audit_log(client, session):
    """Create, change, reset a password and turn MFA on: no hash, secret or token is in any entry."""
    admin = user_headers(client, "admin")
    uid = client.post("/api/v1/users", json={"email": "s@example.com", "full_name": "S", "role": "dispatcher",
                                             "password": "first-passphrase-1"}, headers=admin).json()["id"]
    client.patch(f"/api/v1/users/{uid}", json={"role": "manager"}, headers=admin)
    headers = login(client, "s@example.com", "first-passphrase-1")
    client.post("/api/v1/auth/password", json={"current_password": "first-passphrase-1",
                                               "new_password": "second-passphrase-2"}, headers=headers)
    client.post("/api/v1/auth/password-reset/request", json={"email": "s@example.com"})
    secret = client.post("/api/v1/auth/mfa/setup", headers=headers).json()["secret"]
    code = pyotp.TOTP(secret).at(clock.now().timestamp())
    enabled = client.post("/api/v1/auth/mfa/enable", json={"code": code}, headers=headers)
    codes = enabled.json()["recovery_codes"]
    user = session.scalar(select(User).where(User.id == uid))
    dump = json.dumps([[r.old_values, r.new_values] for r in session.scalars(select(AuditLog))])
    for secret_value in ["first-passphrase-1", "second-passphrase-2", user.password_hash, secret,
                         user.password_reset_token, *codes, "$argon2"]:
        assert secret_value not in dump
    actions = {r["action"] for r in entries(client, admin, entity_type="user", entity_id=str(uid))}
    assert {"create", "update", "password_changed", "password_reset_requested", "mfa_enabled"} <= actions


def test_password_reset_request_is_audited_without_an_actor(client):
    user = make_user(role="driver")
    client.post("/api/v1/auth/password-reset/request", json={"email": user.email})
    admin = user_headers(client, "admin")
    rows = entries(client, admin, entity_type="user", entity_id=str(user.id))
    [row] = [r for r in rows if r["action"] == "password_reset_requested"]
    assert row["actor_id"] is None and row["ip_address"] == "testclient"


def test_role_without_audit_read_gets_403(client):
    for role in ("sales_agent", "dispatcher", "driver"):
        r = client.get("/api/v1/audit-log", headers=user_headers(client, role))
        assert r.status_code == 403, role


def test_accounting_may_read_the_audit_log(client):
    assert client.get("/api/v1/audit-log", headers=user_headers(client, "accounting")).status_code == 200


def test_audit_log_is_newest_first(client):
    admin = user_headers(client, "admin")
    first = make_user(role="driver")
    second = make_user(role="driver")
    ids = [r["entity_id"] for r in entries(client, admin, entity_type="user")]
    assert ids.index(str(second.id)) < ids.index(str(first.id))


def test_audit_log_filter_with_bad_actor_id_is_422(client):
    admin = user_headers(client, "admin")
    assert client.get("/api/v1/audit-log", params={"actor_id": 0}, headers=admin).status_code == 422
    assert client.get("/api/v1/audit-log", params={"actor_id": "me"}, headers=admin).status_code == 422


def test_sign_in_itself_writes_no_audit_entry(client):
    user = make_user(role="admin")
    headers = login(client, user.email, PASSWORD)
    assert [r["action"] for r in entries(client, headers, entity_id=str(user.id))] == ["create"]
