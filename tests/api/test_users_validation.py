"""Bad input to the users API is refused with a clear 4xx and changes nothing."""

import pytest
from sqlalchemy import select

from coachway.auth.models import User
from coachway.core.models import AuditLog
from tests.factories import login, make_user, user_headers


def new_user(**kw) -> dict:
    return {"email": "new@example.com", "full_name": "New Person", "password": "a-long-passphrase",
            "role": "sales_agent", **kw}


@pytest.fixture
def admin(client):
    return user_headers(client, "admin")


def emails(session) -> list[str]:
    session.expire_all()
    return sorted(session.scalars(select(User.email)))


def audit_rows(session) -> int:
    session.expire_all()
    return len(session.scalars(select(AuditLog.id)).all())


def assert_problem(r, status: int, field: str | None = None) -> None:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    if field:
        assert field in {e["field"] for e in r.json()["errors"]}


def test_duplicate_email_is_409(client, session, admin):
    client.post("/api/v1/users", json=new_user(), headers=admin)
    before = emails(session)
    r = client.post("/api/v1/users", json=new_user(email="NEW@example.com", full_name="Twin"), headers=admin)
    assert_problem(r, 409)
    assert emails(session) == before


def test_unknown_role_is_422(client, session, admin):
    before = emails(session)
    assert_problem(client.post("/api/v1/users", json=new_user(role="pilot"), headers=admin), 422, "role")
    assert emails(session) == before


def test_client_role_without_client_id_is_422(client, session, admin):
    before = emails(session)
    r = client.post("/api/v1/users", json=new_user(role="client"), headers=admin)
    assert_problem(r, 422, "client_id")
    assert emails(session) == before


def test_unknown_client_id_is_422(client, session, admin):
    r = client.post("/api/v1/users", json=new_user(role="client", client_id=4242), headers=admin)
    assert_problem(r, 422, "client_id")


def test_unknown_hub_id_is_422(client, session, admin):
    assert_problem(client.post("/api/v1/users", json=new_user(hub_id=4242), headers=admin), 422, "hub_id")


def test_client_id_beyond_integer_range_is_422(client, admin):
    r = client.post("/api/v1/users", json=new_user(role="client", client_id=2**63), headers=admin)
    assert_problem(r, 422, "client_id")


def test_weak_password_on_create_is_422(client, session, admin):
    before = emails(session)
    assert_problem(client.post("/api/v1/users", json=new_user(password="1234567890"), headers=admin), 422,
                   "password")
    assert emails(session) == before


def test_short_password_on_create_is_422(client, admin):
    r = client.post("/api/v1/users", json=new_user(password="short"), headers=admin)
    assert_problem(r, 422, "password")


def test_blank_full_name_is_422(client, admin):
    r = client.post("/api/v1/users", json=new_user(full_name="   "), headers=admin)
    assert_problem(r, 422, "full_name")


def test_malformed_email_is_422(client, admin):
    assert_problem(client.post("/api/v1/users", json=new_user(email="nope"), headers=admin), 422, "email")


def test_unexpected_field_on_create_is_422(client, admin):
    r = client.post("/api/v1/users", json=new_user(password_hash="x", is_active=False), headers=admin)
    assert_problem(r, 422)


def test_self_deactivation_is_409_and_the_admin_stays_active(client, session):
    me = make_user(role="admin")
    headers = login(client, me.email)
    before = audit_rows(session)
    r = client.patch(f"/api/v1/users/{me.id}", json={"is_active": False}, headers=headers)
    assert_problem(r, 409)
    assert client.get("/api/v1/auth/me", headers=headers).json()["is_active"] is True
    assert audit_rows(session) == before


def test_changing_own_role_is_409(client):
    me = make_user(role="admin")
    headers = login(client, me.email)
    assert_problem(client.patch(f"/api/v1/users/{me.id}", json={"role": "driver"}, headers=headers), 409)
    assert client.get("/api/v1/auth/me", headers=headers).json()["role"] == "admin"


def test_patch_to_unknown_role_is_422_and_role_stays(client, admin):
    user = make_user(role="dispatcher")
    r = client.patch(f"/api/v1/users/{user.id}", json={"role": "pilot"}, headers=admin)
    assert_problem(r, 422, "role")
    assert client.get(f"/api/v1/users/{user.id}", headers=admin).json()["role"] == "dispatcher"


def test_patch_to_client_role_without_client_id_is_422_and_role_stays(client, admin):
    user = make_user(role="dispatcher")
    r = client.patch(f"/api/v1/users/{user.id}", json={"role": "client"}, headers=admin)
    assert_problem(r, 422, "client_id")
    assert client.get(f"/api/v1/users/{user.id}", headers=admin).json()["role"] == "dispatcher"


def test_patch_with_unexpected_field_is_422(client, admin):
    user = make_user()
    r = client.patch(f"/api/v1/users/{user.id}", json={"email": "x@example.com"}, headers=admin)
    assert_problem(r, 422)


def test_patch_with_wrong_type_is_422(client, admin):
    user = make_user()
    r = client.patch(f"/api/v1/users/{user.id}", json={"is_active": "perhaps"}, headers=admin)
    assert_problem(r, 422, "is_active")


def test_limit_over_200_is_422(client, admin):
    assert_problem(client.get("/api/v1/users", params={"limit": 201}, headers=admin), 422, "limit")


def test_limit_zero_is_422(client, admin):
    assert_problem(client.get("/api/v1/users", params={"limit": 0}, headers=admin), 422, "limit")


def test_negative_offset_is_422(client, admin):
    assert_problem(client.get("/api/v1/users", params={"offset": -1}, headers=admin), 422, "offset")


def test_non_numeric_user_id_is_422(client, admin):
    assert_problem(client.get("/api/v1/users/abc", headers=admin), 422, "user_id")


def test_zero_user_id_is_422(client, admin):
    assert_problem(client.get("/api/v1/users/0", headers=admin), 422, "user_id")


def test_user_id_beyond_integer_range_is_422(client, admin):
    assert_problem(client.get(f"/api/v1/users/{2**63}", headers=admin), 422, "user_id")


def test_search_text_over_100_characters_is_422(client, admin):
    assert_problem(client.get("/api/v1/users", params={"q": "x" * 101}, headers=admin), 422, "q")


def test_nul_character_in_full_name_is_422(client, session, admin):
    before = emails(session)
    r = client.post("/api/v1/users", json=new_user(full_name="Ann\x00Lee"), headers=admin)
    assert_problem(r, 422, "full_name")
    assert emails(session) == before


def test_control_character_in_phone_is_422(client, admin):
    user = make_user()
    assert_problem(client.patch(f"/api/v1/users/{user.id}", json={"phone": "555\n0100"}, headers=admin), 422,
                   "phone")


def test_nul_character_in_search_is_422(client, admin):
    assert_problem(client.get("/api/v1/users", params={"q": "a\x00"}, headers=admin), 422, "q")


def test_phone_that_is_not_a_phone_number_is_422(client, admin):
    assert_problem(client.post("/api/v1/users", json=new_user(phone="call me"), headers=admin), 422, "phone")
