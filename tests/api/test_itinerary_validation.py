"""Itinerary: bad stops and bad reorders are refused with a 422 naming the field, and change nothing."""

import pytest

from tests.factories import user_headers
from tests.factories_domain import make_charter, make_stop


@pytest.fixture
def manager(client):
    return user_headers(client, "manager")


@pytest.fixture
def charter():
    return make_charter()


def _fields(r) -> set[str]:
    return {e["field"] for e in r.json().get("errors", [])}


def _stops(client, headers, charter_id) -> list[dict]:
    return client.get(f"/api/v1/charters/{charter_id}/stops", headers=headers).json()


@pytest.mark.parametrize(("body", "field"), [
    ({}, "address"),
    ({"address": "   "}, "address"),
    ({"address": "x" * 501}, "address"),
    ({"location_name": "x" * 201}, "location_name"),
    ({"latitude": "33.7"}, "longitude"),
    ({"longitude": "-84.3"}, "latitude"),
    ({"latitude": "91", "longitude": "0"}, "latitude"),
    ({"latitude": "0", "longitude": "181"}, "longitude"),
    ({"latitude": "33.12345678", "longitude": "0"}, "latitude"),
    ({"latitude": "north", "longitude": "0"}, "latitude"),
    ({"address": "Macon, GA", "stop_type": "lunch"}, "stop_type"),
    ({"address": "Macon, GA", "dwell_minutes": -1}, "dwell_minutes"),
    ({"address": "Macon, GA", "dwell_minutes": 10_081}, "dwell_minutes"),
    ({"address": "Macon, GA", "dwell_minutes": "long"}, "dwell_minutes"),
    ({"address": "Macon, GA", "position": 0}, "position"),
    ({"address": "Macon, GA", "position": 2}, "position"),
    ({"address": "Macon, GA", "scheduled_time": "2030-05-01T08:00:00"}, "scheduled_time"),
    ({"address": "Macon, GA", "notes": "a\x00b"}, "notes"),
    ({"address": "Macon, GA", "sequence": 1}, "sequence"),
    ({"address": 42}, "address"),
])
def test_bad_stops_are_422_naming_the_field_and_add_nothing(client, manager, charter, body, field):
    r = client.post(f"/api/v1/charters/{charter.id}/stops", json=body, headers=manager)
    assert r.status_code == 422, r.text
    assert _fields(r) == {field}
    assert _stops(client, manager, charter.id) == []


def test_malformed_stop_json_is_422(client, manager, charter):
    r = client.post(f"/api/v1/charters/{charter.id}/stops", content=b'{"address": ',
                    headers={**manager, "content-type": "application/json"})
    assert r.status_code == 422


def test_the_fifty_first_stop_is_422(client, manager, charter):
    for _ in range(50):
        make_stop(charter.id, latitude="33.7", longitude="-84.3", address=None)
    r = client.post(f"/api/v1/charters/{charter.id}/stops", json={"address": "Macon, GA"}, headers=manager)
    assert r.status_code == 422 and _fields(r) == {"stops"}
    assert len(_stops(client, manager, charter.id)) == 50


@pytest.mark.parametrize(("body", "field"), [
    ({"stop_type": None}, "stop_type"), ({"dwell_minutes": None}, "dwell_minutes"),
    ({"address": None}, "address"), ({"latitude": "33.0"}, "longitude"),
    ({"actual_arrival": "yesterday"}, "actual_arrival"), ({"position": 1}, "position"),
])
def test_bad_stop_changes_are_422_and_change_nothing(client, manager, charter, body, field):
    stop = make_stop(charter.id, address="Macon, GA")
    before = _stops(client, manager, charter.id)
    r = client.put(f"/api/v1/charters/{charter.id}/stops/{stop.id}", json=body, headers=manager)
    assert r.status_code == 422 and _fields(r) == {field}
    assert _stops(client, manager, charter.id) == before


@pytest.mark.parametrize("body", [{}, {"stop_ids": "1,2"}, {"stop_ids": [0]}, {"stop_ids": [2**40]},
                                  {"stop_ids": [1] * 51}, {"stop_ids": [1], "extra": True}])
def test_bad_reorder_bodies_are_422(client, manager, charter, body):
    make_stop(charter.id)
    r = client.put(f"/api/v1/charters/{charter.id}/reorder-stops", json=body, headers=manager)
    assert r.status_code == 422


def test_unknown_stop_is_404(client, manager, charter):
    r = client.put(f"/api/v1/charters/{charter.id}/stops/999999", json={"dwell_minutes": 5}, headers=manager)
    assert r.status_code == 404


def test_geocode_force_of_wrong_type_is_422(client, manager, charter):
    r = client.post(f"/api/v1/charters/{charter.id}/geocode-stops", params={"force": "sometimes"},
                    headers=manager)
    assert r.status_code == 422
