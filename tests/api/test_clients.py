"""Clients: opening, reading, searching, changing and deactivating accounts."""

from tests.factories import make_user, user_headers
from tests.factories_domain import audit_rows, make_client

ACME = {"name": "Acme Manufacturing", "client_type": "corporate", "email": "Events@Acme.example",
        "phone": "(404) 555-0134", "billing_address_line1": "100 Peachtree St NW", "billing_city": "Atlanta",
        "billing_state": "GA", "billing_postal_code": "30303", "notes": "Pays by PO",
        "contacts": [{"name": "Jordan Lee", "title": "Office Manager", "email": "Jordan@Acme.example"},
                     {"name": "Casey Park", "phone": "404-555-0199"}]}


def test_create_client_returns_it_with_lowercased_email_and_a_primary_contact(client):
    admin = user_headers(client, "sales_agent")
    r = client.post("/api/v1/clients", json=ACME, headers=admin)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["email"] == "events@acme.example"
    assert body["billing_city"] == "Atlanta" and body["billing_country"] == "US"
    assert body["is_active"] is True and body["email_notifications_enabled"] is True
    assert body["sms_notifications_enabled"] is False
    assert [(c["name"], c["is_primary"]) for c in body["contacts"]] == [("Jordan Lee", True),
                                                                       ("Casey Park", False)]
    assert body["contacts"][0]["email"] == "jordan@acme.example"


def test_created_client_can_be_read_back(client):
    headers = user_headers(client, "sales_agent")
    created = client.post("/api/v1/clients", json=ACME, headers=headers).json()
    r = client.get(f"/api/v1/clients/{created['id']}", headers=headers)
    assert r.status_code == 200
    assert r.json() == created


def test_a_person_can_be_a_client_without_email(client):
    headers = user_headers(client, "sales_agent")
    r = client.post("/api/v1/clients", json={"name": "Pat Rivera"}, headers=headers)
    assert r.status_code == 201
    assert r.json()["client_type"] == "individual" and r.json()["email"] is None


def test_two_clients_without_email_are_allowed(client):
    headers = user_headers(client, "sales_agent")
    for name in ("Pat Rivera", "Lee Chen"):
        assert client.post("/api/v1/clients", json={"name": name}, headers=headers).status_code == 201


def test_list_is_paginated_by_name_with_total(client):
    for name in ("Delta Club", "Alpha Club", "Charlie Club", "Bravo Club"):
        make_client(name=name)
    headers = user_headers(client, "sales_agent")
    r = client.get("/api/v1/clients", params={"limit": 2, "offset": 1}, headers=headers)
    assert r.status_code == 200
    body = r.json()
    assert body["total"] == 4 and body["limit"] == 2 and body["offset"] == 1
    assert [c["name"] for c in body["items"]] == ["Bravo Club", "Charlie Club"]


def test_search_by_name_ignores_case(client):
    make_client(name="Peachtree Rotary Club")
    make_client(name="Marietta Youth Soccer")
    headers = user_headers(client, "sales_agent")
    r = client.get("/api/v1/clients", params={"q": "ROTARY"}, headers=headers)
    assert [c["name"] for c in r.json()["items"]] == ["Peachtree Rotary Club"]


def test_search_by_email(client):
    make_client(name="Rotary", email="trips@rotary.example")
    make_client(name="Soccer", email="coach@soccer.example")
    headers = user_headers(client, "sales_agent")
    r = client.get("/api/v1/clients", params={"q": "coach@soc"}, headers=headers)
    assert [c["name"] for c in r.json()["items"]] == ["Soccer"]


def test_search_by_phone_ignores_punctuation(client):
    make_client(name="Rotary", phone="(404) 555-0134")
    make_client(name="Soccer", phone="615.555.0188")
    headers = user_headers(client, "sales_agent")
    for q in ("4045550134", "404-555-0134", "555 0134", "(404) 555"):
        r = client.get("/api/v1/clients", params={"q": q}, headers=headers)
        assert [c["name"] for c in r.json()["items"]] == ["Rotary"], q


def test_search_finds_a_client_by_its_contact(client):
    make_client(name="First Baptist Church", contacts=[{"name": "Ruth Okafor", "phone": "770-555-0101"}])
    make_client(name="Other Church")
    headers = user_headers(client, "sales_agent")
    for q in ("okafor", "7705550101"):
        r = client.get("/api/v1/clients", params={"q": q}, headers=headers)
        assert [c["name"] for c in r.json()["items"]] == ["First Baptist Church"], q


def test_search_treats_percent_and_underscore_literally(client):
    make_client(name="100% Fun Tours")
    make_client(name="Plain Tours")
    headers = user_headers(client, "sales_agent")
    assert [c["name"] for c in client.get("/api/v1/clients", params={"q": "%"},
                                          headers=headers).json()["items"]] == ["100% Fun Tours"]
    assert client.get("/api/v1/clients", params={"q": "_"}, headers=headers).json()["total"] == 0


def test_filter_by_client_type(client):
    make_client(name="Georgia Tech", client_type="university")
    make_client(name="Acme", client_type="corporate")
    headers = user_headers(client, "sales_agent")
    r = client.get("/api/v1/clients", params={"client_type": "university"}, headers=headers)
    assert [c["name"] for c in r.json()["items"]] == ["Georgia Tech"]


def test_filter_by_activity(client):
    make_client(name="Still Here")
    gone = make_client(name="Gone Away")
    manager = user_headers(client, "manager")
    assert client.delete(f"/api/v1/clients/{gone.id}", headers=manager).status_code == 204
    active = client.get("/api/v1/clients", params={"is_active": True}, headers=manager).json()
    inactive = client.get("/api/v1/clients", params={"is_active": False}, headers=manager).json()
    assert [c["name"] for c in active["items"]] == ["Still Here"]
    assert [c["name"] for c in inactive["items"]] == ["Gone Away"]


def test_filter_by_assigned_sales_agent(client):
    agent = make_user(role="sales_agent")
    make_client(name="Mine", assigned_sales_agent_id=agent.id)
    make_client(name="Not Mine")
    headers = user_headers(client, "manager")
    r = client.get("/api/v1/clients", params={"assigned_sales_agent_id": agent.id}, headers=headers)
    assert [c["name"] for c in r.json()["items"]] == ["Mine"]
    assert r.json()["items"][0]["assigned_sales_agent_id"] == agent.id


def test_patch_changes_only_the_fields_sent(client):
    acme = make_client(name="Acme", phone="404-555-0134", billing_city="Atlanta")
    headers = user_headers(client, "sales_agent")
    r = client.patch(f"/api/v1/clients/{acme.id}", json={"billing_city": "Decatur"}, headers=headers)
    assert r.status_code == 200
    assert r.json()["billing_city"] == "Decatur" and r.json()["phone"] == "404-555-0134"
    assert r.json()["name"] == "Acme"


def test_notification_preferences_can_be_switched(client):
    acme = make_client()
    headers = user_headers(client, "sales_support")
    prefs = {"sms_notifications_enabled": True, "email_notifications_enabled": False}
    r = client.patch(f"/api/v1/clients/{acme.id}", json=prefs, headers=headers)
    assert r.status_code == 200
    assert r.json()["sms_notifications_enabled"] is True
    assert r.json()["email_notifications_enabled"] is False


def test_optional_field_can_be_cleared_with_null(client):
    acme = make_client(phone="404-555-0134")
    headers = user_headers(client, "sales_agent")
    r = client.patch(f"/api/v1/clients/{acme.id}", json={"phone": None}, headers=headers)
    assert r.status_code == 200 and r.json()["phone"] is None


def test_keeping_the_same_email_is_not_a_duplicate(client):
    acme = make_client(email="trips@acme.example")
    headers = user_headers(client, "sales_agent")
    r = client.patch(f"/api/v1/clients/{acme.id}", json={"email": "TRIPS@acme.example"}, headers=headers)
    assert r.status_code == 200


def test_delete_deactivates_and_the_client_stays_readable(client):
    acme = make_client()
    manager = user_headers(client, "manager")
    assert client.delete(f"/api/v1/clients/{acme.id}", headers=manager).status_code == 204
    r = client.get(f"/api/v1/clients/{acme.id}", headers=manager)
    assert r.status_code == 200 and r.json()["is_active"] is False


def test_manager_can_reactivate_a_client(client):
    acme = make_client()
    manager = user_headers(client, "manager")
    client.delete(f"/api/v1/clients/{acme.id}", headers=manager)
    r = client.patch(f"/api/v1/clients/{acme.id}", json={"is_active": True}, headers=manager)
    assert r.status_code == 200 and r.json()["is_active"] is True


def test_create_update_and_deactivate_are_audited_with_old_and_new_values(client):
    admin = user_headers(client, "admin")
    created = client.post("/api/v1/clients", json=ACME, headers=admin).json()
    client.patch(f"/api/v1/clients/{created['id']}", json={"billing_city": "Decatur"}, headers=admin)
    client.delete(f"/api/v1/clients/{created['id']}", headers=admin)
    rows = audit_rows(client, admin, entity_type="client", entity_id=str(created["id"]))
    assert [r["action"] for r in rows] == ["deactivate", "update", "create"]
    deactivate, update, create = rows
    assert create["new_values"]["email"] == "events@acme.example" and create["actor_id"] is not None
    assert update["old_values"] == {"billing_city": "Atlanta"}
    assert update["new_values"] == {"billing_city": "Decatur"}
    assert deactivate["old_values"] == {"is_active": True}
    assert deactivate["new_values"] == {"is_active": False}
    contacts = audit_rows(client, admin, entity_type="client_contact")
    assert len(contacts) == 2 and {r["action"] for r in contacts} == {"create"}


def test_a_patch_that_changes_nothing_writes_no_audit_row(client):
    acme = make_client(billing_city="Atlanta")
    admin = user_headers(client, "admin")
    client.patch(f"/api/v1/clients/{acme.id}", json={"billing_city": "Atlanta"}, headers=admin)
    rows = audit_rows(client, admin, entity_type="client", entity_id=str(acme.id))
    assert [r["action"] for r in rows] == ["create"]
