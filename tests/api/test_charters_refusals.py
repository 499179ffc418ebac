"""Charters: the remaining refusals, endpoint by endpoint: malformed bodies, wrong types, forbidden roles."""

import pytest

from tests.factories import user_headers
from tests.factories_domain import make_charter, make_stop
from tests.factories_domain import seed_dot_regulations as seed

JSON = {"content-type": "application/json"}


@pytest.fixture
def manager(client):
    return user_headers(client, "manager")


@pytest.fixture
def charter():
    return make_charter()


@pytest.mark.parametrize(("method", "suffix"), [
    ("post", "/cancel"), ("put", "/assign-agent"), ("post", "/vehicles"), ("put", "/vehicles"),
    ("post", "/stops"), ("put", "/reorder-stops"),
])
def test_malformed_json_is_422_problem(client, manager, charter, method, suffix):
    r = client.request(method, f"/api/v1/charters/{charter.id}{suffix}", content=b'{"x": [',
                       headers={**manager, **JSON})
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize("path", ["/api/v1/check-dot-compliance", "/api/v1/vehicle-recommendations"])
def test_malformed_json_to_the_tools_is_422(client, manager, path):
    assert client.post(path, content=b"{,}", headers={**manager, **JSON}).status_code == 422


def test_malformed_json_to_a_rule_change_is_422(client, manager):
    seed()
    r = client.put("/api/v1/dot-regulations/1", content=b"nope", headers={**manager, **JSON})
    assert r.status_code == 422


@pytest.mark.parametrize("body", [{}, {"sales_agent_id": "ann"}, {"sales_agent_id": 0},
                                  {"sales_agent_id": 2**40}, {"sales_agent_id": None}])
def test_bad_assign_agent_bodies_are_422(client, manager, charter, body):
    r = client.put(f"/api/v1/charters/{charter.id}/assign-agent", json=body, headers=manager)
    assert r.status_code == 422 and {e["field"] for e in r.json()["errors"]} == {"sales_agent_id"}


@pytest.mark.parametrize("body", [{}, {"vehicles": "two coaches"}, {"vehicles": [{"quantity": 2}]},
                                  {"vehicles": [{"vehicle_type_id": 1}] * 21}])
def test_bad_vehicle_mixes_are_422(client, manager, charter, body):
    r = client.put(f"/api/v1/charters/{charter.id}/vehicles", json=body, headers=manager)
    assert r.status_code == 422


@pytest.mark.parametrize(("method", "suffix", "body"), [
    ("post", "/stops", {"address": "Macon, GA"}),
    ("put", "/reorder-stops", {"stop_ids": []}),
    ("post", "/geocode-stops", None),
    ("put", "/vehicles", {"vehicles": []}),
])
def test_accounting_may_not_change_the_itinerary_or_vehicles(client, charter, method, suffix, body):
    r = client.request(method, f"/api/v1/charters/{charter.id}{suffix}", json=body,
                       headers=user_headers(client, "accounting"))
    assert r.status_code == 403


def test_accounting_may_not_delete_a_stop(client, charter):
    stop = make_stop(charter.id)
    headers = user_headers(client, "accounting")
    r = client.delete(f"/api/v1/charters/{charter.id}/stops/{stop.id}", headers=headers)
    assert r.status_code == 403


@pytest.mark.parametrize("suffix", ["", "/stops", "/route", "/vehicles", "/vehicle-recommendations"])
def test_vendors_may_read_nothing_of_a_charter(client, charter, suffix):
    assert client.get(f"/api/v1/charters/{charter.id}{suffix}", headers=user_headers(client, "vendor")) \
        .status_code == 403


def test_a_driver_has_no_quotes(client):
    assert client.get("/api/v1/charters/my-quotes", headers=user_headers(client, "driver")).status_code == 403


@pytest.mark.parametrize("suffix", ["/stops", "/route", "/vehicles", "/vehicle-recommendations"])
def test_an_unknown_charters_parts_are_404(client, manager, suffix):
    assert client.get(f"/api/v1/charters/999999{suffix}", headers=manager).status_code == 404
