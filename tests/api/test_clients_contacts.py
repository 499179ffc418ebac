"""Clients' contacts: one primary, nested under the client, audited."""

import pytest

from tests.factories import user_headers
from tests.factories_domain import audit_rows, client_user_headers, make_client


@pytest.fixture
def agent(client):
    return user_headers(client, "sales_agent")


def _url(client_id, contact_id=None):
    base = f"/api/v1/clients/{client_id}/contacts"
    return base if contact_id is None else f"{base}/{contact_id}"


def _primary(client, headers, client_id) -> list[str]:
    return [c["name"] for c in client.get(_url(client_id), headers=headers).json() if c["is_primary"]]


def test_first_contact_added_becomes_primary(client, agent):
    acme = make_client()
    r = client.post(_url(acme.id), json={"name": "Jordan Lee", "email": "Jordan@Acme.example"}, headers=agent)
    assert r.status_code == 201
    assert r.json()["is_primary"] is True and r.json()["email"] == "jordan@acme.example"


def test_contacts_are_listed_primary_first(client, agent):
    acme = make_client(contacts=[{"name": "Ann"}, {"name": "Bob", "is_primary": True}])
    r = client.get(_url(acme.id), headers=agent)
    assert [c["name"] for c in r.json()] == ["Bob", "Ann"]


def test_adding_a_primary_contact_takes_over_from_the_old_one(client, agent):
    acme = make_client(contacts=[{"name": "Ann"}])
    client.post(_url(acme.id), json={"name": "Bob", "is_primary": True}, headers=agent)
    assert _primary(client, agent, acme.id) == ["Bob"]


def test_marking_a_contact_primary_moves_the_flag(client, agent):
    acme = make_client(contacts=[{"name": "Ann"}, {"name": "Bob"}])
    bob = next(c for c in acme.contacts if c.name == "Bob")
    r = client.patch(_url(acme.id, bob.id), json={"is_primary": True}, headers=agent)
    assert r.status_code == 200
    assert _primary(client, agent, acme.id) == ["Bob"]


def test_unmarking_the_primary_contact_is_422(client, agent):
    acme = make_client(contacts=[{"name": "Ann"}, {"name": "Bob"}])
    ann = acme.contacts[0]
    r = client.patch(_url(acme.id, ann.id), json={"is_primary": False}, headers=agent)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "is_primary"
    assert _primary(client, agent, acme.id) == ["Ann"]


def test_contact_details_can_be_changed(client, agent):
    acme = make_client(contacts=[{"name": "Ann"}])
    r = client.patch(_url(acme.id, acme.contacts[0].id), json={"title": "Trip Lead", "phone": "770-555-0110"},
                     headers=agent)
    assert r.status_code == 200
    assert r.json()["title"] == "Trip Lead" and r.json()["phone"] == "770-555-0110"


def test_removing_the_primary_contact_promotes_the_next(client, agent):
    acme = make_client(contacts=[{"name": "Ann"}, {"name": "Bob"}])
    assert client.delete(_url(acme.id, acme.contacts[0].id), headers=agent).status_code == 204
    contacts = client.get(_url(acme.id), headers=agent).json()
    assert [(c["name"], c["is_primary"]) for c in contacts] == [("Bob", True)]


def test_contact_of_another_client_is_404(client, agent):
    acme = make_client(contacts=[{"name": "Ann"}])
    other = make_client()
    ann = acme.contacts[0].id
    assert client.patch(_url(other.id, ann), json={"title": "X"}, headers=agent).status_code == 404
    assert client.delete(_url(other.id, ann), headers=agent).status_code == 404
    assert len(client.get(_url(acme.id), headers=agent).json()) == 1


def test_unknown_contact_is_404(client, agent):
    acme = make_client()
    assert client.patch(_url(acme.id, 999999), json={"title": "X"}, headers=agent).status_code == 404


def test_contacts_of_unknown_client_is_404(client, agent):
    assert client.get(_url(999999), headers=agent).status_code == 404
    assert client.post(_url(999999), json={"name": "Ann"}, headers=agent).status_code == 404


def test_contact_without_name_is_422(client, agent):
    acme = make_client()
    r = client.post(_url(acme.id), json={"email": "ann@example.com"}, headers=agent)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "name"


def test_contact_with_too_long_title_is_422(client, agent):
    acme = make_client()
    r = client.post(_url(acme.id), json={"name": "Ann", "title": "x" * 101}, headers=agent)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "title"


def test_contact_with_bad_email_is_422_and_adds_nothing(client, agent):
    acme = make_client()
    r = client.post(_url(acme.id), json={"name": "Ann", "email": "ann-at-example"}, headers=agent)
    assert r.status_code == 422
    assert client.get(_url(acme.id), headers=agent).json() == []


def test_contact_with_unknown_field_is_422(client, agent):
    acme = make_client()
    r = client.post(_url(acme.id), json={"name": "Ann", "client_id": 7}, headers=agent)
    assert r.status_code == 422


def test_client_user_sees_its_contacts_but_cannot_add_one(client):
    mine = make_client(contacts=[{"name": "Ann"}])
    headers = client_user_headers(client, mine.id)
    assert [c["name"] for c in client.get(_url(mine.id), headers=headers).json()] == ["Ann"]
    assert client.post(_url(mine.id), json={"name": "Bob"}, headers=headers).status_code == 403


def test_contact_changes_are_audited(client):
    acme = make_client()
    admin = user_headers(client, "admin")
    contact = client.post(_url(acme.id), json={"name": "Ann"}, headers=admin).json()
    client.patch(_url(acme.id, contact["id"]), json={"title": "Organiser"}, headers=admin)
    client.delete(_url(acme.id, contact["id"]), headers=admin)
    rows = audit_rows(client, admin, entity_type="client_contact", entity_id=str(contact["id"]))
    assert [r["action"] for r in rows] == ["delete", "update", "create"]
    assert rows[1]["old_values"] == {"title": None} and rows[1]["new_values"] == {"title": "Organiser"}
    assert rows[0]["old_values"]["name"] == "Ann"
