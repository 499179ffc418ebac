"""Clients: every kind of bad input is refused clearly and changes nothing."""

import pytest

from tests.factories import make_user, user_headers
from tests.factories_domain import audit_rows, make_client


@pytest.fixture
def agent(client):
    return user_headers(client, "sales_agent")


def _fields(r) -> set[str]:
    return {e["field"] for e in r.json().get("errors", [])}


def _count(client, headers) -> int:
    return client.get("/api/v1/clients", headers=headers).json()["total"]


def test_malformed_json_is_422(client, agent):
    headers = {**agent, "content-type": "application/json"}
    r = client.post("/api/v1/clients", content=b'{"name": "Acme",', headers=headers)
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")


def test_missing_name_is_422_naming_the_field(client, agent):
    r = client.post("/api/v1/clients", json={"client_type": "corporate"}, headers=agent)
    assert r.status_code == 422 and _fields(r) == {"name"}


def test_blank_name_is_422(client, agent):
    r = client.post("/api/v1/clients", json={"name": "   "}, headers=agent)
    assert r.status_code == 422 and _fields(r) == {"name"}


def test_too_long_name_is_422(client, agent):
    r = client.post("/api/v1/clients", json={"name": "x" * 201}, headers=agent)
    assert r.status_code == 422 and _fields(r) == {"name"}


def test_too_long_notes_is_422(client, agent):
    r = client.post("/api/v1/clients", json={"name": "Acme", "notes": "x" * 5001}, headers=agent)
    assert r.status_code == 422 and _fields(r) == {"notes"}


def test_name_of_wrong_type_is_422(client, agent):
    r = client.post("/api/v1/clients", json={"name": 42}, headers=agent)
    assert r.status_code == 422 and _fields(r) == {"name"}


def test_notification_flag_of_wrong_type_is_422(client, agent):
    r = client.post("/api/v1/clients", json={"name": "Acme", "sms_notifications_enabled": "sometimes"},
                    headers=agent)
    assert r.status_code == 422 and _fields(r) == {"sms_notifications_enabled"}


def test_unknown_client_type_is_422(client, agent):
    r = client.post("/api/v1/clients", json={"name": "Acme", "client_type": "alien"}, headers=agent)
    assert r.status_code == 422 and _fields(r) == {"client_type"}


def test_unknown_field_is_422(client, agent):
    r = client.post("/api/v1/clients", json={"name": "Acme", "stripe_customer_id": "cus_123"}, headers=agent)
    assert r.status_code == 422 and _fields(r) == {"stripe_customer_id"}


def test_invalid_email_is_422(client, agent):
    r = client.post("/api/v1/clients", json={"name": "Acme", "email": "not-an-email"}, headers=agent)
    assert r.status_code == 422 and _fields(r) == {"email"}


def test_invalid_phone_is_422(client, agent):
    r = client.post("/api/v1/clients", json={"name": "Acme", "phone": "call me maybe"}, headers=agent)
    assert r.status_code == 422 and _fields(r) == {"phone"}


def test_too_short_phone_is_422(client, agent):
    r = client.post("/api/v1/clients", json={"name": "Acme", "phone": "555-01"}, headers=agent)
    assert r.status_code == 422 and _fields(r) == {"phone"}


def test_lowercase_country_code_is_422(client, agent):
    r = client.post("/api/v1/clients", json={"name": "Acme", "billing_country": "usa"}, headers=agent)
    assert r.status_code == 422 and _fields(r) == {"billing_country"}


def test_duplicate_email_is_409_whatever_its_case_and_adds_nothing(client, agent):
    make_client(name="Acme", email="events@acme.example")
    r = client.post("/api/v1/clients", json={"name": "Acme Again", "email": "EVENTS@Acme.example"},
                    headers=agent)
    assert r.status_code == 409
    assert "events@acme.example" in r.json()["detail"]
    assert _count(client, agent) == 1


def test_changing_email_to_another_clients_is_409_and_changes_nothing(client, agent):
    make_client(name="Acme", email="events@acme.example")
    other = make_client(name="Other", email="hello@other.example")
    r = client.patch(f"/api/v1/clients/{other.id}", json={"email": "Events@acme.example", "name": "Renamed"},
                     headers=agent)
    assert r.status_code == 409
    again = client.get(f"/api/v1/clients/{other.id}", headers=agent).json()
    assert again["email"] == "hello@other.example" and again["name"] == "Other"


def test_unknown_sales_agent_is_422_naming_the_field(client, agent):
    body = {"name": "Acme", "assigned_sales_agent_id": 999999}
    r = client.post("/api/v1/clients", json=body, headers=agent)
    assert r.status_code == 422 and _fields(r) == {"assigned_sales_agent_id"}
    assert _count(client, agent) == 0


def test_a_driver_cannot_be_the_assigned_sales_agent(client, agent):
    driver = make_user(role="driver")
    body = {"name": "Acme", "assigned_sales_agent_id": driver.id}
    r = client.post("/api/v1/clients", json=body, headers=agent)
    assert r.status_code == 422 and _fields(r) == {"assigned_sales_agent_id"}


def test_null_name_on_patch_is_422(client, agent):
    acme = make_client(name="Acme")
    r = client.patch(f"/api/v1/clients/{acme.id}", json={"name": None}, headers=agent)
    assert r.status_code == 422 and _fields(r) == {"name"}


def test_null_notification_flag_on_patch_is_422(client, agent):
    acme = make_client()
    r = client.patch(f"/api/v1/clients/{acme.id}", json={"sms_notifications_enabled": None}, headers=agent)
    assert r.status_code == 422 and _fields(r) == {"sms_notifications_enabled"}


def test_two_primary_contacts_on_create_is_422(client, agent):
    r = client.post("/api/v1/clients", json={"name": "Acme", "contacts": [
        {"name": "A", "is_primary": True}, {"name": "B", "is_primary": True}]}, headers=agent)
    assert r.status_code == 422 and _fields(r) == {"contacts"}
    assert _count(client, agent) == 0


def test_contact_without_name_on_create_is_422(client, agent):
    r = client.post("/api/v1/clients", json={"name": "Acme", "contacts": [{"title": "Boss"}]}, headers=agent)
    assert r.status_code == 422 and _fields(r) == {"contacts.0.name"}


def test_unknown_client_is_404_on_get_patch_and_delete(client):
    manager = user_headers(client, "manager")
    assert client.get("/api/v1/clients/424242", headers=manager).status_code == 404
    assert client.patch("/api/v1/clients/424242", json={"name": "X"}, headers=manager).status_code == 404
    assert client.delete("/api/v1/clients/424242", headers=manager).status_code == 404


def test_id_out_of_range_is_422_not_a_server_error(client, agent):
    r = client.get(f"/api/v1/clients/{2**40}", headers=agent)
    assert r.status_code == 422


def test_page_size_over_the_limit_is_422(client, agent):
    r = client.get("/api/v1/clients", params={"limit": 10_000}, headers=agent)
    assert r.status_code == 422 and _fields(r) == {"limit"}


def test_unknown_client_type_filter_is_422(client, agent):
    r = client.get("/api/v1/clients", params={"client_type": "alien"}, headers=agent)
    assert r.status_code == 422


def test_a_rejected_update_writes_no_audit_row(client):
    acme = make_client(name="Acme")
    admin = user_headers(client, "admin")
    r = client.patch(f"/api/v1/clients/{acme.id}", json={"assigned_sales_agent_id": 999999}, headers=admin)
    assert r.status_code == 422
    assert [a["action"] for a in audit_rows(client, admin, entity_type="client")] == ["create"]


def test_client_name_with_a_control_character_is_rejected(client):
    from tests.factories import user_headers

    headers = user_headers(client, "sales_agent")
    r = client.post("/api/v1/clients", json={"name": "Acme\x00Tours", "client_type": "corporate"},
                    headers=headers)
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == ["name"]
    assert client.get("/api/v1/clients", headers=headers).json()["total"] == 0


def test_client_notes_may_span_lines(client):
    from tests.factories import user_headers

    headers = user_headers(client, "sales_agent")
    notes = "Pays by PO.\r\nPrefers 56-seat coaches."
    body = {"name": "Acme Tours", "client_type": "corporate", "notes": notes}
    r = client.post("/api/v1/clients", json=body, headers=headers)
    assert r.status_code == 201, r.text
    assert r.json()["notes"] == "Pays by PO.\r\nPrefers 56-seat coaches."
