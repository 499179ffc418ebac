"""Vehicle types: sedan to motorcoach, with their seats."""

import pytest

from tests.factories import user_headers
from tests.factories_domain import audit_rows, make_vehicle_type

COACH = {"code": "motorcoach", "name": "Motorcoach", "capacity": 56, "sort_order": 60}


@pytest.fixture
def dispatcher(client):
    return user_headers(client, "dispatcher")


def _fields(r) -> set[str]:
    return {e["field"] for e in r.json().get("errors", [])}


def test_create_vehicle_type(client, dispatcher):
    r = client.post("/api/v1/vehicle-types", json=COACH, headers=dispatcher)
    assert r.status_code == 201
    assert r.json()["capacity"] == 56 and r.json()["is_active"] is True


def test_types_are_listed_in_sort_order(client, dispatcher):
    make_vehicle_type(code="motorcoach", capacity=56, sort_order=60)
    make_vehicle_type(code="sedan", capacity=3, sort_order=10)
    make_vehicle_type(code="sprinter", capacity=14, sort_order=30)
    r = client.get("/api/v1/vehicle-types", headers=dispatcher)
    assert [t["code"] for t in r.json()] == ["sedan", "sprinter", "motorcoach"]


def test_type_can_be_changed_and_retired(client, dispatcher):
    vtype = make_vehicle_type(capacity=55)
    r = client.patch(f"/api/v1/vehicle-types/{vtype.id}", json={"capacity": 56}, headers=dispatcher)
    assert r.status_code == 200 and r.json()["capacity"] == 56
    assert client.delete(f"/api/v1/vehicle-types/{vtype.id}", headers=dispatcher).status_code == 204
    assert client.get(f"/api/v1/vehicle-types/{vtype.id}", headers=dispatcher).json()["is_active"] is False


def test_type_changes_are_audited(client):
    admin = user_headers(client, "admin")
    created = client.post("/api/v1/vehicle-types", json=COACH, headers=admin).json()
    client.patch(f"/api/v1/vehicle-types/{created['id']}", json={"capacity": 55}, headers=admin)
    rows = audit_rows(client, admin, entity_type="vehicle_type")
    assert [r["action"] for r in rows] == ["update", "create"]
    assert rows[0]["new_values"] == {"capacity": 55}


def test_capacity_zero_is_422(client, dispatcher):
    r = client.post("/api/v1/vehicle-types", json={**COACH, "capacity": 0}, headers=dispatcher)
    assert r.status_code == 422 and _fields(r) == {"capacity"}


def test_capacity_over_100_is_422(client, dispatcher):
    r = client.post("/api/v1/vehicle-types", json={**COACH, "capacity": 101}, headers=dispatcher)
    assert r.status_code == 422 and _fields(r) == {"capacity"}


def test_capacity_of_wrong_type_is_422(client, dispatcher):
    r = client.post("/api/v1/vehicle-types", json={**COACH, "capacity": "lots"}, headers=dispatcher)
    assert r.status_code == 422 and _fields(r) == {"capacity"}


def test_code_with_spaces_is_422(client, dispatcher):
    r = client.post("/api/v1/vehicle-types", json={**COACH, "code": "motor coach"}, headers=dispatcher)
    assert r.status_code == 422 and _fields(r) == {"code"}


def test_missing_capacity_is_422(client, dispatcher):
    r = client.post("/api/v1/vehicle-types", json={"code": "van", "name": "Van"}, headers=dispatcher)
    assert r.status_code == 422 and _fields(r) == {"capacity"}


def test_duplicate_code_is_409_and_adds_nothing(client, dispatcher):
    make_vehicle_type(code="motorcoach")
    r = client.post("/api/v1/vehicle-types", json={**COACH, "code": "MotorCoach"}, headers=dispatcher)
    assert r.status_code == 409
    assert len(client.get("/api/v1/vehicle-types", headers=dispatcher).json()) == 1


def test_null_capacity_on_patch_is_422(client, dispatcher):
    vtype = make_vehicle_type()
    r = client.patch(f"/api/v1/vehicle-types/{vtype.id}", json={"capacity": None}, headers=dispatcher)
    assert r.status_code == 422 and _fields(r) == {"capacity"}


def test_unknown_type_is_404(client, dispatcher):
    assert client.get("/api/v1/vehicle-types/99999", headers=dispatcher).status_code == 404


def test_accounting_cannot_create_types(client):
    r = client.post("/api/v1/vehicle-types", json=COACH, headers=user_headers(client, "accounting"))
    assert r.status_code == 403
