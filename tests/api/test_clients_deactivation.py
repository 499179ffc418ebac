"""Deactivating a client signs out and switches off its portal users."""

from tests.factories import PASSWORD, login, make_user, user_headers
from tests.factories_domain import make_client


def _sign_in(client, email):
    return client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})


def test_deactivating_a_client_turns_off_its_portal_users(client):
    acme, other = make_client(name="Acme"), make_client(name="Other")
    portal = make_user(role="client", client_id=acme.id)
    bystander = make_user(role="client", client_id=other.id)
    portal_headers = login(client, portal.email)
    manager = user_headers(client, "manager")

    assert client.delete(f"/api/v1/clients/{acme.id}", headers=manager).status_code == 204

    assert client.get("/api/v1/auth/me", headers=portal_headers).status_code == 401
    assert _sign_in(client, portal.email).status_code == 401
    assert _sign_in(client, bystander.email).status_code == 200
    admin = user_headers(client, "admin")
    rows = client.get("/api/v1/audit-log", params={"entity_type": "user", "entity_id": str(portal.id)},
                      headers=admin).json()["items"]
    assert rows[0]["action"] == "update" and rows[0]["new_values"] == {"is_active": False}


def test_deactivating_through_an_update_does_the_same(client):
    acme = make_client(name="Acme")
    portal = make_user(role="client", client_id=acme.id)
    manager = user_headers(client, "manager")
    r = client.patch(f"/api/v1/clients/{acme.id}", json={"is_active": False}, headers=manager)
    assert r.status_code == 200, r.text
    assert _sign_in(client, portal.email).status_code == 401


def test_reactivating_a_client_leaves_its_portal_users_off(client):
    acme = make_client(name="Acme")
    portal = make_user(role="client", client_id=acme.id)
    manager = user_headers(client, "manager")
    client.delete(f"/api/v1/clients/{acme.id}", headers=manager)
    r = client.patch(f"/api/v1/clients/{acme.id}", json={"is_active": True}, headers=manager)
    assert r.status_code == 200 and r.json()["is_active"] is True
    assert _sign_in(client, portal.email).status_code == 401


def test_a_refused_deactivation_leaves_portal_users_signed_in(client):
    acme = make_client(name="Acme")
    portal = make_user(role="client", client_id=acme.id)
    headers = login(client, portal.email)
    agent = user_headers(client, "sales_agent")  # may update clients, not deactivate them
    assert client.delete(f"/api/v1/clients/{acme.id}", headers=agent).status_code == 403
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 200
