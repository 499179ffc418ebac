"""Hubs: the garages coaches leave from, each with its time zone."""

import pytest

from tests.factories import user_headers
from tests.factories_domain import audit_rows, make_hub

ATL = {"code": "atl", "name": "Atlanta", "address": "1600 Aviation Blvd", "city": "Atlanta", "state": "GA",
       "postal_code": "30354", "latitude": "33.6407282", "longitude": "-84.4277001",
       "timezone": "America/New_York"}


@pytest.fixture
def dispatcher(client):
    return user_headers(client, "dispatcher")


def _fields(r) -> set[str]:
    return {e["field"] for e in r.json().get("errors", [])}


def test_create_hub_uppercases_its_code_and_keeps_exact_coordinates(client, dispatcher):
    r = client.post("/api/v1/hubs", json=ATL, headers=dispatcher)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["code"] == "ATL" and body["timezone"] == "America/New_York" and body["is_active"] is True
    assert body["latitude"] == "33.6407282" and body["longitude"] == "-84.4277001"


def test_hubs_are_listed_by_code_for_anyone_with_fleet_read(client):
    make_hub(code="BNA")
    make_hub(code="ATL")
    r = client.get("/api/v1/hubs", headers=user_headers(client, "sales_agent"))
    assert [h["code"] for h in r.json()] == ["ATL", "BNA"]


def test_hub_can_be_read_and_changed(client, dispatcher):
    hub = make_hub(code="BNA", timezone="America/New_York")
    r = client.patch(f"/api/v1/hubs/{hub.id}", json={"timezone": "America/Chicago", "city": "Nashville"},
                     headers=dispatcher)
    assert r.status_code == 200
    got = client.get(f"/api/v1/hubs/{hub.id}", headers=dispatcher).json()
    assert got["timezone"] == "America/Chicago" and got["city"] == "Nashville"


def test_delete_closes_the_hub_and_keeps_it(client, dispatcher):
    hub = make_hub()
    assert client.delete(f"/api/v1/hubs/{hub.id}", headers=dispatcher).status_code == 204
    assert client.get(f"/api/v1/hubs/{hub.id}", headers=dispatcher).json()["is_active"] is False
    active = client.get("/api/v1/hubs", params={"is_active": True}, headers=dispatcher).json()
    assert active == []


def test_hub_changes_are_audited(client):
    admin = user_headers(client, "admin")
    hub = client.post("/api/v1/hubs", json=ATL, headers=admin).json()
    client.patch(f"/api/v1/hubs/{hub['id']}", json={"name": "Atlanta Airport"}, headers=admin)
    rows = audit_rows(client, admin, entity_type="hub", entity_id=str(hub["id"]))
    assert [r["action"] for r in rows] == ["update", "create"]
    assert rows[0]["old_values"] == {"name": "Atlanta"}
    assert rows[0]["new_values"] == {"name": "Atlanta Airport"}


def test_unknown_timezone_is_422_and_adds_nothing(client, dispatcher):
    r = client.post("/api/v1/hubs", json={**ATL, "timezone": "Mars/Olympus_Mons"}, headers=dispatcher)
    assert r.status_code == 422 and _fields(r) == {"timezone"}
    assert client.get("/api/v1/hubs", headers=dispatcher).json() == []


def test_timezone_path_trick_is_422(client, dispatcher):
    r = client.post("/api/v1/hubs", json={**ATL, "timezone": "../../etc/passwd"}, headers=dispatcher)
    assert r.status_code == 422 and _fields(r) == {"timezone"}


def test_unknown_timezone_on_patch_is_422_and_changes_nothing(client, dispatcher):
    hub = make_hub(timezone="America/Chicago")
    r = client.patch(f"/api/v1/hubs/{hub.id}", json={"timezone": "Central Time"}, headers=dispatcher)
    assert r.status_code == 422
    assert client.get(f"/api/v1/hubs/{hub.id}", headers=dispatcher).json()["timezone"] == "America/Chicago"


def test_duplicate_code_is_409_whatever_its_case(client, dispatcher):
    make_hub(code="ATL")
    r = client.post("/api/v1/hubs", json={**ATL, "code": "atl"}, headers=dispatcher)
    assert r.status_code == 409
    assert len(client.get("/api/v1/hubs", headers=dispatcher).json()) == 1


def test_renaming_a_code_to_an_existing_one_is_409(client, dispatcher):
    make_hub(code="ATL")
    bna = make_hub(code="BNA")
    r = client.patch(f"/api/v1/hubs/{bna.id}", json={"code": "ATL"}, headers=dispatcher)
    assert r.status_code == 409


def test_latitude_out_of_range_is_422(client, dispatcher):
    r = client.post("/api/v1/hubs", json={**ATL, "latitude": "91"}, headers=dispatcher)
    assert r.status_code == 422 and _fields(r) == {"latitude"}


def test_longitude_with_too_many_decimals_is_422(client, dispatcher):
    r = client.post("/api/v1/hubs", json={**ATL, "longitude": "-84.427700123"}, headers=dispatcher)
    assert r.status_code == 422 and _fields(r) == {"longitude"}


def test_latitude_of_wrong_type_is_422(client, dispatcher):
    r = client.post("/api/v1/hubs", json={**ATL, "latitude": "north"}, headers=dispatcher)
    assert r.status_code == 422 and _fields(r) == {"latitude"}


def test_too_long_code_is_422(client, dispatcher):
    r = client.post("/api/v1/hubs", json={**ATL, "code": "ATLANTAHUB1"}, headers=dispatcher)
    assert r.status_code == 422 and _fields(r) == {"code"}


def test_missing_name_is_422(client, dispatcher):
    body = {k: v for k, v in ATL.items() if k != "name"}
    r = client.post("/api/v1/hubs", json=body, headers=dispatcher)
    assert r.status_code == 422 and _fields(r) == {"name"}


def test_malformed_json_is_422(client, dispatcher):
    r = client.post("/api/v1/hubs", content=b"{code: ATL}", headers={**dispatcher,
                                                                     "content-type": "application/json"})
    assert r.status_code == 422


def test_unknown_hub_is_404(client, dispatcher):
    assert client.get("/api/v1/hubs/99999", headers=dispatcher).status_code == 404
    assert client.patch("/api/v1/hubs/99999", json={"name": "X"}, headers=dispatcher).status_code == 404


def test_sales_agent_may_read_but_not_create_hubs(client):
    headers = user_headers(client, "sales_agent")
    assert client.post("/api/v1/hubs", json=ATL, headers=headers).status_code == 403


def test_driver_creating_a_hub_is_403(client):
    assert client.post("/api/v1/hubs", json=ATL, headers=user_headers(client, "driver")).status_code == 403


def test_vendor_listing_hubs_is_403(client):
    assert client.get("/api/v1/hubs", headers=user_headers(client, "vendor")).status_code == 403


def test_hub_address_with_a_nul_character_is_rejected(client):
    from tests.factories import user_headers

    headers = user_headers(client, "dispatcher")
    r = client.post("/api/v1/hubs", json={"code": "ATL", "name": "Atlanta", "address": "1 Main\x00 St",
                                          "timezone": "America/New_York"}, headers=headers)
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == ["address"]
