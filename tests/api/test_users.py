"""Users: admins create, list, change and deactivate them; other roles only what they are granted."""

import pytest
from sqlalchemy import func, select

from coachway.auth.models import User
from tests.factories import PASSWORD, login, make_user, user_headers

NON_ADMIN_STAFF = ["manager", "sales_agent", "sales_support", "dispatcher", "accounting"]


def new_user(**kw) -> dict:
    n = kw.pop("n", 1)
    return {"email": f"new{n}@example.com", "full_name": f"New Person {n}", "password": "a-long-passphrase",
            "role": "sales_agent", **kw}


def count_users(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(User))


def test_admin_creates_a_user_who_can_sign_in(client):
    admin = user_headers(client, "admin")
    r = client.post("/api/v1/users", json=new_user(email="Agent.Smith@Example.com", phone="+1 555 0100"),
                    headers=admin)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["email"] == "agent.smith@example.com" and body["role"] == "sales_agent"
    assert body["is_active"] is True and body["mfa_enabled"] is False
    assert "password" not in body and "password_hash" not in body
    signed_in = client.post("/api/v1/auth/login",
                            json={"email": "agent.smith@example.com", "password": "a-long-passphrase"})
    assert signed_in.status_code == 200


def test_admin_creates_a_client_user_linked_to_a_client(client):
    admin = user_headers(client, "admin")
    client_id = client.post("/api/v1/clients", json={"name": "Acme Tours"}, headers=admin).json()["id"]
    r = client.post("/api/v1/users", json=new_user(role="client", client_id=client_id), headers=admin)
    assert r.status_code == 201 and r.json()["client_id"] == client_id


def test_list_filters_by_text_role_and_activity_with_total(client):
    admin = user_headers(client, "admin", full_name="Ada Admin")
    make_user(role="dispatcher", full_name="Dora Dispatch", email="dora@example.com")
    make_user(role="dispatcher", full_name="Dan Dispatch")
    quiet = make_user(role="sales_agent", full_name="Sam Sales")
    client.patch(f"/api/v1/users/{quiet.id}", json={"is_active": False}, headers=admin)

    every = client.get("/api/v1/users", headers=admin).json()
    assert every["total"] == 4 and [u["full_name"] for u in every["items"]][0] == "Ada Admin"
    by_text = client.get("/api/v1/users", params={"q": "DORA"}, headers=admin).json()
    assert [u["email"] for u in by_text["items"]] == ["dora@example.com"]
    by_role = client.get("/api/v1/users", params={"role": "dispatcher"}, headers=admin).json()
    assert by_role["total"] == 2 and {u["role"] for u in by_role["items"]} == {"dispatcher"}
    inactive = client.get("/api/v1/users", params={"is_active": "false"}, headers=admin).json()
    assert [u["full_name"] for u in inactive["items"]] == ["Sam Sales"]


def test_list_pages_keep_the_total(client):
    admin = user_headers(client, "admin")
    for _ in range(4):
        make_user(role="driver")
    page = client.get("/api/v1/users", params={"limit": 2, "offset": 2}, headers=admin).json()
    assert page["total"] == 5 and len(page["items"]) == 2
    assert page["limit"] == 2 and page["offset"] == 2


def test_text_search_treats_percent_and_underscore_literally(client):
    admin = user_headers(client, "admin")
    make_user(full_name="Plain Name")
    r = client.get("/api/v1/users", params={"q": "%"}, headers=admin).json()
    assert r["total"] == 0
    r = client.get("/api/v1/users", params={"q": "_"}, headers=admin).json()
    assert r["total"] == 0


def test_admin_changes_name_phone_and_role(client):
    admin = user_headers(client, "admin")
    user = make_user(role="sales_agent")
    r = client.patch(f"/api/v1/users/{user.id}", headers=admin,
                     json={"full_name": " Renamed ", "phone": "(404) 555-0134", "role": "manager"})
    assert r.status_code == 200
    assert (r.json()["full_name"], r.json()["phone"], r.json()["role"]) == ("Renamed", "(404) 555-0134",
                                                                            "manager")
    me = client.get("/api/v1/auth/me", headers=login(client, user.email)).json()
    assert "users:read" in me["permissions"]


def test_deactivated_user_cannot_sign_in_and_reactivated_can(client):
    admin = user_headers(client, "admin")
    user = make_user(role="dispatcher")
    credentials = {"email": user.email, "password": PASSWORD}
    client.patch(f"/api/v1/users/{user.id}", json={"is_active": False}, headers=admin)
    assert client.post("/api/v1/auth/login", json=credentials).status_code == 401
    client.patch(f"/api/v1/users/{user.id}", json={"is_active": True}, headers=admin)
    assert client.post("/api/v1/auth/login", json=credentials).status_code == 200


@pytest.mark.parametrize("role", NON_ADMIN_STAFF + ["vendor", "driver"])
def test_non_admin_roles_may_not_create_users(client, session, role):
    headers = user_headers(client, role)
    before = count_users(session)
    r = client.post("/api/v1/users", json=new_user(), headers=headers)
    assert r.status_code == 403
    assert count_users(session) == before


def test_client_user_may_not_create_users(client, session):
    admin = user_headers(client, "admin")
    client_id = client.post("/api/v1/clients", json={"name": "Acme Tours"}, headers=admin).json()["id"]
    headers = user_headers(client, "client", client_id=client_id)
    r = client.post("/api/v1/users", json=new_user(), headers=headers)
    assert r.status_code == 403


def test_sales_agent_reads_own_user_but_not_others(client):
    agent = make_user(role="sales_agent")
    other = make_user(role="sales_agent")
    headers = login(client, agent.email)
    assert client.get(f"/api/v1/users/{agent.id}", headers=headers).status_code == 200
    assert client.get(f"/api/v1/users/{other.id}", headers=headers).status_code == 403
    assert client.get("/api/v1/users", headers=headers).status_code == 403


def test_dispatcher_reads_users_but_may_not_change_them(client):
    headers = user_headers(client, "dispatcher")
    user = make_user(role="driver")
    assert client.get(f"/api/v1/users/{user.id}", headers=headers).status_code == 200
    r = client.patch(f"/api/v1/users/{user.id}", json={"full_name": "Changed"}, headers=headers)
    assert r.status_code == 403


def test_unknown_user_is_404(client):
    admin = user_headers(client, "admin")
    assert client.get("/api/v1/users/999999", headers=admin).status_code == 404
    assert client.patch("/api/v1/users/999999", json={"full_name": "X"}, headers=admin).status_code == 404


def test_users_api_needs_a_token(client):
    assert client.get("/api/v1/users").status_code == 401


def test_user_with_users_create_may_not_create_an_admin(client, session):
    admin = user_headers(client, "admin")
    grants = client.get("/api/v1/roles/manager", headers=admin).json()["permissions"]
    client.put("/api/v1/roles/manager/permissions", json={"permissions": grants + ["users:create"]},
               headers=admin)
    manager = user_headers(client, "manager")
    before = count_users(session)
    r = client.post("/api/v1/users", json=new_user(role="admin"), headers=manager)
    assert r.status_code == 403
    assert count_users(session) == before
    assert client.post("/api/v1/users", json=new_user(role="driver"), headers=manager).status_code == 201


def test_user_with_users_update_may_not_promote_to_admin_or_touch_an_admin(client):
    admin = user_headers(client, "admin")
    grants = client.get("/api/v1/roles/manager", headers=admin).json()["permissions"]
    client.put("/api/v1/roles/manager/permissions", json={"permissions": grants + ["users:update"]},
               headers=admin)
    manager = user_headers(client, "manager")
    agent = make_user(role="sales_agent")
    other_admin = make_user(role="admin")
    promote = client.patch(f"/api/v1/users/{agent.id}", json={"role": "admin"}, headers=manager)
    assert promote.status_code == 403
    r = client.patch(f"/api/v1/users/{other_admin.id}", json={"is_active": False}, headers=manager)
    assert r.status_code == 403
    rename = client.patch(f"/api/v1/users/{agent.id}", json={"full_name": "Ok"}, headers=manager)
    assert rename.status_code == 200
