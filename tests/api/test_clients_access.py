"""Clients: who may see and change which account, and which fields."""

from tests.factories import make_user, user_headers
from tests.factories_domain import client_user_headers, make_client

INTERNAL = {"notes", "stripe_customer_id", "assigned_sales_agent_id"}


def test_signed_out_request_is_401(client):
    assert client.get("/api/v1/clients").status_code == 401


def test_client_user_lists_only_its_own_account(client):
    mine = make_client(name="Mine")
    make_client(name="Theirs")
    headers = client_user_headers(client, mine.id)
    body = client.get("/api/v1/clients", headers=headers).json()
    assert body["total"] == 1 and [c["name"] for c in body["items"]] == ["Mine"]


def test_client_user_reading_another_client_gets_404(client):
    mine = make_client(name="Mine")
    theirs = make_client(name="Theirs")
    headers = client_user_headers(client, mine.id)
    assert client.get(f"/api/v1/clients/{theirs.id}", headers=headers).status_code == 404
    assert client.get(f"/api/v1/clients/{theirs.id}/contacts", headers=headers).status_code == 404


def test_client_user_cannot_search_its_way_to_other_clients(client):
    mine = make_client(name="Mine")
    make_client(name="Theirs", email="theirs@example.com")
    headers = client_user_headers(client, mine.id)
    assert client.get("/api/v1/clients", params={"q": "theirs"}, headers=headers).json()["total"] == 0


def test_client_user_does_not_see_internal_fields(client):
    agent = make_user(role="sales_agent")
    mine = make_client(name="Mine", notes="Slow payer", assigned_sales_agent_id=agent.id)
    headers = client_user_headers(client, mine.id)
    one = client.get(f"/api/v1/clients/{mine.id}", headers=headers).json()
    listed = client.get("/api/v1/clients", headers=headers).json()["items"][0]
    assert not INTERNAL & set(one) and not INTERNAL & set(listed)
    assert one["name"] == "Mine"


def test_dispatcher_reads_clients_without_internal_fields(client):
    acme = make_client(notes="Slow payer")
    headers = user_headers(client, "dispatcher")
    body = client.get(f"/api/v1/clients/{acme.id}", headers=headers).json()
    assert not INTERNAL & set(body)


def test_sales_agent_sees_internal_fields(client):
    acme = make_client(notes="Slow payer")
    body = client.get(f"/api/v1/clients/{acme.id}", headers=user_headers(client, "sales_agent")).json()
    assert body["notes"] == "Slow payer" and "stripe_customer_id" in body


def test_dispatcher_cannot_filter_by_the_hidden_sales_agent(client):
    headers = user_headers(client, "dispatcher")
    r = client.get("/api/v1/clients", params={"assigned_sales_agent_id": 1}, headers=headers)
    assert r.status_code == 403


def test_vendor_listing_clients_is_403(client):
    make_client()
    assert client.get("/api/v1/clients", headers=user_headers(client, "vendor")).status_code == 403


def test_driver_reading_a_client_is_403(client):
    acme = make_client()
    assert client.get(f"/api/v1/clients/{acme.id}", headers=user_headers(client, "driver")).status_code == 403


def test_client_user_cannot_change_even_its_own_account(client):
    mine = make_client(name="Mine")
    headers = client_user_headers(client, mine.id)
    r = client.patch(f"/api/v1/clients/{mine.id}", json={"sms_notifications_enabled": True}, headers=headers)
    assert r.status_code == 403


def test_client_user_cannot_create_clients(client):
    mine = make_client()
    r = client.post("/api/v1/clients", json={"name": "New"}, headers=client_user_headers(client, mine.id))
    assert r.status_code == 403


def test_dispatcher_creating_a_client_is_403_and_adds_nothing(client):
    r = client.post("/api/v1/clients", json={"name": "Acme"}, headers=user_headers(client, "dispatcher"))
    assert r.status_code == 403
    assert client.get("/api/v1/clients", headers=user_headers(client, "admin")).json()["total"] == 0


def test_sales_agent_cannot_deactivate_a_client(client):
    acme = make_client()
    headers = user_headers(client, "sales_agent")
    assert client.delete(f"/api/v1/clients/{acme.id}", headers=headers).status_code == 403
    assert client.get(f"/api/v1/clients/{acme.id}", headers=headers).json()["is_active"] is True


def test_sales_agent_cannot_deactivate_through_patch(client):
    acme = make_client()
    headers = user_headers(client, "sales_agent")
    r = client.patch(f"/api/v1/clients/{acme.id}", json={"is_active": False}, headers=headers)
    assert r.status_code == 403


def test_role_without_internal_access_cannot_write_internal_notes(client):
    admin = user_headers(client, "admin")
    role = {"name": "intake", "permissions": ["clients:read", "clients:create"]}
    r = client.post("/api/v1/roles", json=role, headers=admin)
    assert r.status_code == 201, r.text
    intake = user_headers(client, "intake")
    r = client.post("/api/v1/clients", json={"name": "Acme", "notes": "vip"}, headers=intake)
    assert r.status_code == 403
    created = client.post("/api/v1/clients", json={"name": "Acme"}, headers=intake)
    assert created.status_code == 201 and "notes" not in created.json()
