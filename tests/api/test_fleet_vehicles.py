"""Vehicles: the fleet, unit by unit, at its hubs."""

import pytest

from tests.factories import user_headers
from tests.factories_domain import audit_rows, make_hub, make_vehicle, make_vehicle_type


@pytest.fixture
def dispatcher(client):
    return user_headers(client, "dispatcher")


@pytest.fixture
def base():
    """A hub and a vehicle type to put vehicles on."""
    return {"hub_id": make_hub(code="ATL").id, "vehicle_type_id": make_vehicle_type(code="motorcoach").id}


def _fields(r) -> set[str]:
    return {e["field"] for e in r.json().get("errors", [])}


def _count(client, headers) -> int:
    return client.get("/api/v1/vehicles", headers=headers).json()["total"]


def test_create_vehicle(client, dispatcher, base):
    body = {**base, "unit_number": "atl-101", "make": "MCI", "model": "J4500", "year": 2019,
            "vin": "2m93jmpa6kw012345"}
    r = client.post("/api/v1/vehicles", json=body, headers=dispatcher)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["unit_number"] == "ATL-101" and body["vin"] == "2M93JMPA6KW012345"
    assert body["status"] == "active" and body["hub_id"] == base["hub_id"]


def test_vehicles_are_filtered_by_hub_type_status_and_text(client, dispatcher):
    atl, bna = make_hub(code="ATL").id, make_hub(code="BNA").id
    coach, van = make_vehicle_type(code="coach").id, make_vehicle_type(code="van", capacity=14).id
    make_vehicle(unit_number="ATL-101", hub_id=atl, vehicle_type_id=coach, make="MCI")
    make_vehicle(unit_number="ATL-201", hub_id=atl, vehicle_type_id=van, make="Mercedes-Benz",
                 status="maintenance")
    make_vehicle(unit_number="BNA-101", hub_id=bna, vehicle_type_id=coach, make="Prevost")

    def units(**params):
        r = client.get("/api/v1/vehicles", params=params, headers=dispatcher)
        assert r.status_code == 200, r.text
        return [v["unit_number"] for v in r.json()["items"]]

    assert units() == ["ATL-101", "ATL-201", "BNA-101"]
    assert units(hub_id=atl) == ["ATL-101", "ATL-201"]
    assert units(vehicle_type_id=coach) == ["ATL-101", "BNA-101"]
    assert units(status="maintenance") == ["ATL-201"]
    assert units(q="prevost") == ["BNA-101"]
    assert units(q="atl-1") == ["ATL-101"]


def test_vehicle_list_is_paginated(client, dispatcher, base):
    for n in range(5):
        make_vehicle(unit_number=f"ATL-10{n}", **base)
    body = client.get("/api/v1/vehicles", params={"limit": 2, "offset": 2}, headers=dispatcher).json()
    assert body["total"] == 5 and [v["unit_number"] for v in body["items"]] == ["ATL-102", "ATL-103"]


def test_vehicle_goes_to_maintenance_and_it_is_audited(client, base):
    admin = user_headers(client, "admin")
    vehicle = make_vehicle(unit_number="ATL-101", **base)
    r = client.patch(f"/api/v1/vehicles/{vehicle.id}", json={"status": "maintenance"}, headers=admin)
    assert r.status_code == 200 and r.json()["status"] == "maintenance"
    rows = audit_rows(client, admin, entity_type="vehicle", entity_id=str(vehicle.id))
    assert [r["action"] for r in rows] == ["update", "create"]
    assert rows[0]["old_values"] == {"status": "active"}
    assert rows[0]["new_values"] == {"status": "maintenance"}


def test_vehicle_moves_to_another_hub(client, dispatcher, base):
    vehicle = make_vehicle(**base)
    bna = make_hub(code="BNA").id
    r = client.patch(f"/api/v1/vehicles/{vehicle.id}", json={"hub_id": bna}, headers=dispatcher)
    assert r.status_code == 200 and r.json()["hub_id"] == bna


def test_delete_retires_the_vehicle_and_keeps_it(client, dispatcher, base):
    vehicle = make_vehicle(**base)
    assert client.delete(f"/api/v1/vehicles/{vehicle.id}", headers=dispatcher).status_code == 204
    assert client.get(f"/api/v1/vehicles/{vehicle.id}", headers=dispatcher).json()["status"] == "retired"


def test_unknown_hub_is_422_naming_hub_id_and_adds_nothing(client, dispatcher, base):
    body = {**base, "hub_id": 99999, "unit_number": "X1"}
    r = client.post("/api/v1/vehicles", json=body, headers=dispatcher)
    assert r.status_code == 422 and _fields(r) == {"hub_id"}
    assert _count(client, dispatcher) == 0


def test_unknown_vehicle_type_is_422_naming_vehicle_type_id(client, dispatcher, base):
    r = client.post("/api/v1/vehicles", json={**base, "vehicle_type_id": 99999, "unit_number": "X1"},
                    headers=dispatcher)
    assert r.status_code == 422 and _fields(r) == {"vehicle_type_id"}


def test_closed_hub_takes_no_new_vehicles(client, dispatcher, base):
    client.delete(f"/api/v1/hubs/{base['hub_id']}", headers=dispatcher)
    r = client.post("/api/v1/vehicles", json={**base, "unit_number": "X1"}, headers=dispatcher)
    assert r.status_code == 422 and _fields(r) == {"hub_id"}


def test_moving_to_an_unknown_hub_is_422_and_changes_nothing(client, dispatcher, base):
    vehicle = make_vehicle(**base)
    r = client.patch(f"/api/v1/vehicles/{vehicle.id}", json={"hub_id": 99999}, headers=dispatcher)
    assert r.status_code == 422 and _fields(r) == {"hub_id"}
    assert client.get(f"/api/v1/vehicles/{vehicle.id}", headers=dispatcher).json()["hub_id"] == base["hub_id"]


def test_duplicate_unit_number_is_409_whatever_its_case(client, dispatcher, base):
    make_vehicle(unit_number="ATL-101", **base)
    r = client.post("/api/v1/vehicles", json={**base, "unit_number": "atl-101"}, headers=dispatcher)
    assert r.status_code == 409 and "ATL-101" in r.json()["detail"]
    assert _count(client, dispatcher) == 1


def test_duplicate_vin_is_409(client, dispatcher, base):
    make_vehicle(unit_number="ATL-101", vin="2M93JMPA6KW012345", **base)
    r = client.post("/api/v1/vehicles", json={**base, "unit_number": "ATL-102", "vin": "2M93JMPA6KW012345"},
                    headers=dispatcher)
    assert r.status_code == 409 and "VIN" in r.json()["detail"]


def test_renumbering_onto_an_existing_unit_is_409(client, dispatcher, base):
    make_vehicle(unit_number="ATL-101", **base)
    other = make_vehicle(unit_number="ATL-102", **base)
    r = client.patch(f"/api/v1/vehicles/{other.id}", json={"unit_number": "ATL-101"}, headers=dispatcher)
    assert r.status_code == 409


def test_unknown_status_is_422(client, dispatcher, base):
    r = client.post("/api/v1/vehicles", json={**base, "unit_number": "X1", "status": "flying"},
                    headers=dispatcher)
    assert r.status_code == 422 and _fields(r) == {"status"}


def test_year_of_wrong_type_is_422(client, dispatcher, base):
    r = client.post("/api/v1/vehicles", json={**base, "unit_number": "X1", "year": "new"}, headers=dispatcher)
    assert r.status_code == 422 and _fields(r) == {"year"}


def test_vin_of_wrong_length_is_422(client, dispatcher, base):
    body = {**base, "unit_number": "X1", "vin": "SHORT"}
    r = client.post("/api/v1/vehicles", json=body, headers=dispatcher)
    assert r.status_code == 422 and _fields(r) == {"vin"}


def test_too_long_unit_number_is_422(client, dispatcher, base):
    r = client.post("/api/v1/vehicles", json={**base, "unit_number": "U" * 31}, headers=dispatcher)
    assert r.status_code == 422 and _fields(r) == {"unit_number"}


def test_missing_hub_is_422(client, dispatcher, base):
    body = {"vehicle_type_id": base["vehicle_type_id"], "unit_number": "X1"}
    r = client.post("/api/v1/vehicles", json=body, headers=dispatcher)
    assert r.status_code == 422 and _fields(r) == {"hub_id"}


def test_malformed_json_is_422(client, dispatcher):
    r = client.post("/api/v1/vehicles", content=b"[1, 2", headers={**dispatcher,
                                                                   "content-type": "application/json"})
    assert r.status_code == 422


def test_unknown_status_filter_is_422(client, dispatcher):
    assert client.get("/api/v1/vehicles", params={"status": "flying"}, headers=dispatcher).status_code == 422


def test_unknown_vehicle_is_404(client, dispatcher):
    assert client.get("/api/v1/vehicles/99999", headers=dispatcher).status_code == 404
    assert client.delete("/api/v1/vehicles/99999", headers=dispatcher).status_code == 404


def test_driver_creating_a_vehicle_is_403_and_adds_nothing(client, base):
    driver = user_headers(client, "driver")
    r = client.post("/api/v1/vehicles", json={**base, "unit_number": "X1"}, headers=driver)
    assert r.status_code == 403
    assert _count(client, user_headers(client, "dispatcher")) == 0


def test_sales_agent_reads_but_cannot_change_vehicles(client, base):
    vehicle = make_vehicle(**base)
    headers = user_headers(client, "sales_agent")
    assert client.get(f"/api/v1/vehicles/{vehicle.id}", headers=headers).status_code == 200
    r = client.patch(f"/api/v1/vehicles/{vehicle.id}", json={"status": "retired"}, headers=headers)
    assert r.status_code == 403


def test_client_user_listing_vehicles_is_403(client):
    from tests.factories_domain import client_user_headers, make_client

    headers = client_user_headers(client, make_client().id)
    assert client.get("/api/v1/vehicles", headers=headers).status_code == 403
