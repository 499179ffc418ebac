"""Amenities over HTTP: what is offered, in which order, at what price; bad input and roles."""

import pytest

from tests.factories import login, make_user, user_headers
from tests.factories_domain import audit_rows, make_client
from tests.factories_pricing import make_amenity

WIFI = {"name": "Wi-Fi", "category": "entertainment", "base_price": "25.00", "pricing_type": "per_day"}


@pytest.fixture
def manager(client):
    return user_headers(client, "manager")


def _fields(r) -> set[str]:
    return {e["field"] for e in r.json().get("errors", [])}


def _names(client, headers) -> list[str]:
    r = client.get("/api/v1/amenities", headers=headers)
    assert r.status_code == 200, r.text
    return [a["name"] for a in r.json()]


def test_a_manager_adds_an_amenity_at_the_end_of_the_list(client, manager):
    make_amenity(name="Bottled water")
    r = client.post("/api/v1/amenities", json=WIFI, headers=manager)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["base_price"] == "25.00" and body["is_active"] is True and body["pricing_type"] == "per_day"
    assert _names(client, manager) == ["Bottled water", "Wi-Fi"]


def test_the_pricing_type_defaults_to_a_flat_fee(client, manager):
    r = client.post("/api/v1/amenities", json={k: v for k, v in WIFI.items() if k != "pricing_type"},
                    headers=manager)
    assert r.json()["pricing_type"] == "flat_fee"


def test_an_amenity_is_changed_and_audited(client):
    admin = user_headers(client, "admin")
    amenity = make_amenity(name="Cooler", base_price="20")
    r = client.put(f"/api/v1/amenities/{amenity.id}", json={"base_price": "22.5"}, headers=admin)
    assert r.status_code == 200 and r.json()["base_price"] == "22.50" and r.json()["name"] == "Cooler"
    rows = audit_rows(client, admin, entity_type="amenity", entity_id=str(amenity.id))
    assert rows[0]["action"] == "update" and rows[0]["new_values"] == {"base_price": "22.50"}


def test_delete_stops_offering_it_without_deleting(client, manager):
    amenity = make_amenity(name="Karaoke")
    assert client.delete(f"/api/v1/amenities/{amenity.id}", headers=manager).status_code == 204
    r = client.get(f"/api/v1/amenities/{amenity.id}", headers=manager)
    assert r.status_code == 200 and r.json()["is_active"] is False
    assert client.get("/api/v1/amenities?active_only=true", headers=manager).json() == []


def test_others_see_only_the_amenities_on_offer(client):
    make_amenity(name="Wi-Fi")
    gone = make_amenity(name="Karaoke", is_active=False)
    agent = user_headers(client, "sales_agent")
    assert _names(client, agent) == ["Wi-Fi"]
    assert client.get(f"/api/v1/amenities/{gone.id}", headers=agent).status_code == 404


def test_a_client_user_sees_the_amenities_on_offer(client):
    make_amenity(name="Wi-Fi")
    portal = login(client, make_user(role="client", client_id=make_client().id).email)
    assert _names(client, portal) == ["Wi-Fi"]


def test_a_vendor_sees_no_amenities(client):
    make_amenity()
    vendor = user_headers(client, "vendor")
    assert client.get("/api/v1/amenities", headers=vendor).status_code == 403


def test_a_sales_agent_may_not_add_or_change_amenities(client):
    agent = user_headers(client, "sales_agent")
    amenity = make_amenity(name="Cooler", base_price="20")
    assert client.post("/api/v1/amenities", json=WIFI, headers=agent).status_code == 403
    r = client.put(f"/api/v1/amenities/{amenity.id}", json={"base_price": "1"}, headers=agent)
    assert r.status_code == 403
    assert client.delete(f"/api/v1/amenities/{amenity.id}", headers=agent).status_code == 403
    assert client.get(f"/api/v1/amenities/{amenity.id}", headers=agent).json()["base_price"] == "20.00"


def test_a_duplicate_name_is_409_whatever_its_case(client, manager):
    make_amenity(name="Wi-Fi")
    r = client.post("/api/v1/amenities", json={**WIFI, "name": "wi-fi"}, headers=manager)
    assert r.status_code == 409 and _fields(r) == {"name"}
    assert _names(client, manager) == ["Wi-Fi"]


def test_renaming_onto_another_amenity_is_409(client, manager):
    make_amenity(name="Wi-Fi")
    other = make_amenity(name="Cooler")
    r = client.put(f"/api/v1/amenities/{other.id}", json={"name": "WI-FI"}, headers=manager)
    assert r.status_code == 409


@pytest.mark.parametrize(("field", "value"), [
    ("category", "luxury"), ("pricing_type", "per_mile"), ("base_price", "-0.01"),
    ("base_price", "100000.01"), ("base_price", "free"), ("name", ""), ("name", "x" * 101),
    ("name", "tab\there"), ("base_price", None)])
def test_a_bad_amenity_is_422_and_adds_nothing(client, manager, field, value):
    r = client.post("/api/v1/amenities", json={**WIFI, field: value}, headers=manager)
    assert r.status_code == 422 and _fields(r) == {field}
    assert _names(client, manager) == []


def test_a_missing_category_is_422(client, manager):
    r = client.post("/api/v1/amenities", json={"name": "Wi-Fi", "base_price": "5"}, headers=manager)
    assert r.status_code == 422 and _fields(r) == {"category"}


def test_an_unknown_field_is_422(client, manager):
    r = client.post("/api/v1/amenities", json={**WIFI, "display_order": 1}, headers=manager)
    assert r.status_code == 422 and _fields(r) == {"display_order"}


def test_an_unknown_amenity_is_404(client, manager):
    assert client.get("/api/v1/amenities/999", headers=manager).status_code == 404
    assert client.put("/api/v1/amenities/999", json={"base_price": "1"}, headers=manager).status_code == 404
    assert client.delete("/api/v1/amenities/999", headers=manager).status_code == 404


def test_amenities_are_put_in_a_new_order(client, manager):
    a, b, c = (make_amenity(name=n) for n in ("A", "B", "C"))
    r = client.put("/api/v1/amenities/order", json={"amenity_ids": [c.id, a.id, b.id]}, headers=manager)
    assert r.status_code == 200 and [x["name"] for x in r.json()] == ["C", "A", "B"]
    assert _names(client, manager) == ["C", "A", "B"]


@pytest.mark.parametrize("ids", [[1, 2], [1, 2, 3, 3], [1, 2, 3, 99], []])
def test_an_order_that_is_not_every_amenity_once_is_422(client, manager, ids):
    for name in ("A", "B", "C"):
        make_amenity(name=name)
    r = client.put("/api/v1/amenities/order", json={"amenity_ids": ids}, headers=manager)
    assert r.status_code == 422 and _fields(r) == {"amenity_ids"}
    assert _names(client, manager) == ["A", "B", "C"]


def test_a_sales_agent_may_not_reorder(client):
    a, b = make_amenity(name="A"), make_amenity(name="B")
    agent = user_headers(client, "sales_agent")
    r = client.put("/api/v1/amenities/order", json={"amenity_ids": [b.id, a.id]}, headers=agent)
    assert r.status_code == 403 and _names(client, agent) == ["A", "B"]
