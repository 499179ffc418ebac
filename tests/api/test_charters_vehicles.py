"""Charter vehicles: lines of vehicle types and quantities, vehicle_count kept in step, recommendations."""

import pytest

from tests.factories import user_headers
from tests.factories_domain import audit_rows, make_charter, make_hub, make_vehicle, make_vehicle_type


@pytest.fixture
def manager(client):
    return user_headers(client, "manager")


@pytest.fixture
def fleet():
    """A motorcoach (56 seats) and a minibus (28 seats) with luggage space and hourly rates."""
    return {"coach": make_vehicle_type(code="motorcoach", name="Motorcoach", capacity=56, luggage_capacity=56,
                                       default_hourly_rate="150.00"),
            "minibus": make_vehicle_type(code="minibus", name="Minibus", capacity=28, luggage_capacity=20,
                                         default_hourly_rate="95.00")}


def count(client, headers, charter_id: int) -> int:
    return client.get(f"/api/v1/charters/{charter_id}", headers=headers).json()["vehicle_count"]


def test_adding_lines_keeps_vehicle_count_the_sum_of_quantities(client, manager, fleet):
    charter = make_charter(passenger_count=80)
    url = f"/api/v1/charters/{charter.id}/vehicles"
    r = client.post(url, json={"vehicle_type_id": fleet["coach"].id}, headers=manager)
    assert r.status_code == 201, r.text
    assert r.json()["quantity"] == 1 and r.json()["vehicle_type_code"] == "motorcoach"
    assert r.json()["capacity"] == 56
    client.post(url, json={"vehicle_type_id": fleet["minibus"].id, "quantity": 2, "notes": "Overflow"},
                headers=manager)
    assert count(client, manager, charter.id) == 3
    listed = client.get(url, headers=manager).json()
    assert [(v["vehicle_type_code"], v["quantity"]) for v in listed] == [("motorcoach", 1), ("minibus", 2)]


def test_changing_and_removing_a_line_recounts(client, manager, fleet):
    charter = make_charter()
    url = f"/api/v1/charters/{charter.id}/vehicles"
    body = {"vehicle_type_id": fleet["coach"].id, "quantity": 2}
    line = client.post(url, json=body, headers=manager).json()
    r = client.put(f"{url}/{line['id']}", json={"quantity": 4, "vehicle_type_id": fleet["minibus"].id},
                   headers=manager)
    assert r.status_code == 200 and r.json()["quantity"] == 4 and r.json()["vehicle_type_code"] == "minibus"
    assert count(client, manager, charter.id) == 4
    assert client.delete(f"{url}/{line['id']}", headers=manager).status_code == 204
    assert count(client, manager, charter.id) == 0 and client.get(url, headers=manager).json() == []


def test_vehicle_changes_are_audited(client, manager, fleet):
    charter = make_charter()
    url = f"/api/v1/charters/{charter.id}/vehicles"
    line = client.post(url, json={"vehicle_type_id": fleet["coach"].id}, headers=manager).json()
    client.put(f"{url}/{line['id']}", json={"quantity": 3}, headers=manager)
    client.delete(f"{url}/{line['id']}", headers=manager)
    rows = audit_rows(client, user_headers(client, "admin"), entity_type="charter_vehicle",
                      entity_id=str(line["id"]))
    assert [r["action"] for r in reversed(rows)] == ["create", "update", "delete"]
    assert rows[1]["old_values"] == {"quantity": 1} and rows[1]["new_values"] == {"quantity": 3}


def test_replacing_the_mix_sets_exactly_the_given_lines(client, manager, fleet):
    charter = make_charter()
    url = f"/api/v1/charters/{charter.id}/vehicles"
    client.post(url, json={"vehicle_type_id": fleet["minibus"].id, "quantity": 5}, headers=manager)
    mix = {"vehicles": [{"vehicle_type_id": fleet["coach"].id}, {"vehicle_type_id": fleet["minibus"].id}]}
    r = client.put(url, json=mix, headers=manager)
    assert r.status_code == 200, r.text
    assert [(v["vehicle_type_code"], v["quantity"]) for v in r.json()] == [("motorcoach", 1), ("minibus", 1)]
    assert count(client, manager, charter.id) == 2


def test_a_specific_vehicle_can_be_named_on_a_line_of_its_type(client, manager, fleet):
    charter = make_charter()
    bus = make_vehicle(hub_id=make_hub().id, vehicle_type_id=fleet["coach"].id)
    r = client.post(f"/api/v1/charters/{charter.id}/vehicles",
                    json={"vehicle_type_id": fleet["coach"].id, "vehicle_id": bus.id}, headers=manager)
    assert r.status_code == 201 and r.json()["vehicle_id"] == bus.id


def test_a_vehicle_of_another_type_is_422(client, manager, fleet):
    charter = make_charter()
    bus = make_vehicle(hub_id=make_hub().id, vehicle_type_id=fleet["minibus"].id)
    r = client.post(f"/api/v1/charters/{charter.id}/vehicles",
                    json={"vehicle_type_id": fleet["coach"].id, "vehicle_id": bus.id}, headers=manager)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "vehicle_id"


def test_naming_one_vehicle_for_several_is_422(client, manager, fleet):
    charter = make_charter()
    bus = make_vehicle(hub_id=make_hub().id, vehicle_type_id=fleet["coach"].id)
    r = client.post(f"/api/v1/charters/{charter.id}/vehicles",
                    json={"vehicle_type_id": fleet["coach"].id, "vehicle_id": bus.id, "quantity": 2},
                    headers=manager)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "quantity"


@pytest.mark.parametrize(("body", "field"), [
    ({}, "vehicle_type_id"), ({"vehicle_type_id": 999_999}, "vehicle_type_id"),
    ({"vehicle_type_id": "coach"}, "vehicle_type_id"), ({"vehicle_type_id": 1, "quantity": 0}, "quantity"),
    ({"vehicle_type_id": 1, "quantity": 101}, "quantity"), ({"vehicle_type_id": 1, "vehicle_id": 999_999},
                                                            "vehicle_id"),
    ({"vehicle_type_id": 1, "seats": 3}, "seats"),
])
def test_bad_vehicle_lines_are_422_and_add_nothing(client, manager, fleet, body, field):
    charter = make_charter()
    body = {**body, "vehicle_type_id": fleet["coach"].id} if body.get("vehicle_type_id") == 1 else body
    r = client.post(f"/api/v1/charters/{charter.id}/vehicles", json=body, headers=manager)
    assert r.status_code == 422 and {e["field"] for e in r.json()["errors"]} == {field}
    assert count(client, manager, charter.id) == 0


def test_emptying_quantity_on_update_is_422(client, manager, fleet):
    charter = make_charter()
    url = f"/api/v1/charters/{charter.id}/vehicles"
    line = client.post(url, json={"vehicle_type_id": fleet["coach"].id}, headers=manager).json()
    r = client.put(f"{url}/{line['id']}", json={"quantity": None}, headers=manager)
    assert r.status_code == 422


def test_a_line_of_another_charter_is_404(client, manager, fleet):
    mine, other = make_charter(), make_charter()
    line = client.post(f"/api/v1/charters/{other.id}/vehicles", json={"vehicle_type_id": fleet["coach"].id},
                       headers=manager).json()
    assert client.put(f"/api/v1/charters/{mine.id}/vehicles/{line['id']}", json={"quantity": 2},
                      headers=manager).status_code == 404
    r = client.delete(f"/api/v1/charters/{mine.id}/vehicles/{line['id']}", headers=manager)
    assert r.status_code == 404


def test_dispatcher_may_change_vehicles_but_accounting_may_not(client, fleet):
    charter = make_charter()
    url = f"/api/v1/charters/{charter.id}/vehicles"
    body = {"vehicle_type_id": fleet["coach"].id}
    assert client.post(url, json=body, headers=user_headers(client, "dispatcher")).status_code == 201
    assert client.post(url, json=body, headers=user_headers(client, "accounting")).status_code == 403


# ---------------------------------------------------------------- recommendations

def test_eighty_passengers_get_a_coach_plus_a_minibus_cheapest_first(client, manager, fleet):
    charter = make_charter(passenger_count=80)
    r = client.get(f"/api/v1/charters/{charter.id}/vehicle-recommendations", headers=manager)
    assert r.status_code == 200, r.text
    mixes = r.json()
    best = {v["code"]: v["quantity"] for v in mixes[0]["vehicles"]}
    assert best == {"motorcoach": 1, "minibus": 1}
    assert mixes[0]["seats"] == 84 and mixes[0]["spare_seats"] == 4
    costs = [float(m["estimated_cost"]) for m in mixes]
    assert costs == sorted(costs)
    assert {"motorcoach": 2} in [{v["code"]: v["quantity"] for v in m["vehicles"]} for m in mixes]
    assert mixes[0]["reason"]


def test_agent_overrides_the_recommendation_by_choosing_vehicles(client, manager, fleet):
    charter = make_charter(passenger_count=80)
    mixes = client.get(f"/api/v1/charters/{charter.id}/vehicle-recommendations", headers=manager).json()
    two_coaches = next(m for m in mixes if [v["code"] for v in m["vehicles"]] == ["motorcoach"])
    lines = [{"vehicle_type_id": v["vehicle_type_id"], "quantity": v["quantity"]}
             for v in two_coaches["vehicles"]]
    client.put(f"/api/v1/charters/{charter.id}/vehicles", json={"vehicles": lines}, headers=manager)
    assert count(client, manager, charter.id) == 2


def test_ad_hoc_recommendation_for_passengers_and_luggage(client, manager, fleet):
    r = client.post("/api/v1/vehicle-recommendations",
                    json={"passenger_count": 20, "luggage_pieces": 40, "trip_type": "overnight",
                          "hours": "10"},
                    headers=manager)
    assert r.status_code == 200, r.text
    assert all(m["luggage"] >= 40 for m in r.json())
    assert r.json()[0]["estimated_cost"] == "1500.00"  # one coach: the minibus holds only 20 bags


def test_retired_vehicle_types_are_never_recommended(client, manager, fleet):
    client.delete(f"/api/v1/vehicle-types/{fleet['minibus'].id}", headers=manager)
    r = client.post("/api/v1/vehicle-recommendations", json={"passenger_count": 20}, headers=manager)
    mixes = r.json()
    assert {v["code"] for m in mixes for v in m["vehicles"]} == {"motorcoach"}


@pytest.mark.parametrize(("body", "field"), [
    ({}, "passenger_count"), ({"passenger_count": 0}, "passenger_count"),
    ({"passenger_count": 1001}, "passenger_count"), ({"passenger_count": 10, "hours": "0"}, "hours"),
    ({"passenger_count": 10, "hours": "1e9"}, "hours"), ({"passenger_count": 10, "luggage_pieces": -1},
                                                        "luggage_pieces"),
    ({"passenger_count": 10, "trip_type": "rocket"}, "trip_type"),
])
def test_bad_ad_hoc_recommendation_requests_are_422(client, manager, body, field):
    r = client.post("/api/v1/vehicle-recommendations", json=body, headers=manager)
    assert r.status_code == 422 and {e["field"] for e in r.json()["errors"]} == {field}


def test_ad_hoc_recommendations_need_charters_create(client):
    r = client.post("/api/v1/vehicle-recommendations", json={"passenger_count": 10},
                    headers=user_headers(client, "accounting"))
    assert r.status_code == 403


def test_a_thousand_passengers_get_a_fleet_of_coaches(client, manager, fleet):
    r = client.post("/api/v1/vehicle-recommendations", json={"passenger_count": 1000}, headers=manager)
    assert r.status_code == 200
    assert r.json()[0]["vehicles"][0]["code"] == "motorcoach" and r.json()[0]["seats"] >= 1000


# ---------------------------------------------------------------- vehicle types carry luggage and rates

def test_vehicle_types_take_luggage_capacity_and_an_hourly_rate(client, manager):
    r = client.post("/api/v1/vehicle-types", json={"code": "coach", "name": "Coach", "capacity": 56,
                                                   "luggage_capacity": 60, "default_hourly_rate": "149.5"},
                    headers=manager)
    assert r.status_code == 201, r.text
    assert r.json()["luggage_capacity"] == 60 and r.json()["default_hourly_rate"] == "149.50"
    r = client.patch(f"/api/v1/vehicle-types/{r.json()['id']}", json={"default_hourly_rate": None},
                     headers=manager)
    assert r.status_code == 200 and r.json()["default_hourly_rate"] is None


@pytest.mark.parametrize(("field", "value"), [("luggage_capacity", -1), ("luggage_capacity", 10**6),
                                              ("default_hourly_rate", "-5"), ("default_hourly_rate", "1e9"),
                                              ("default_hourly_rate", "1.005")])
def test_bad_luggage_capacity_or_rate_is_422(client, manager, field, value):
    r = client.post("/api/v1/vehicle-types", json={"code": "coach", "name": "Coach", "capacity": 56,
                                                   field: value}, headers=manager)
    assert r.status_code == 422 and {e["field"] for e in r.json()["errors"]} == {field}


def test_a_client_sees_its_charters_recommendations_without_any_money(client, manager, fleet):
    from tests.factories_domain import client_user_headers

    charter = make_charter(passenger_count=80)
    staff = client.get(f"/api/v1/charters/{charter.id}/vehicle-recommendations", headers=manager).json()
    assert staff[0]["estimated_cost"] and staff[0]["cost_note"].startswith("about $")
    r = client.get(f"/api/v1/charters/{charter.id}/vehicle-recommendations",
                   headers=client_user_headers(client, charter.client_id))
    assert r.status_code == 200 and len(r.json()) == len(staff)
    assert "$" not in r.text and "estimated_cost" not in r.text and "cost_note" not in r.text
