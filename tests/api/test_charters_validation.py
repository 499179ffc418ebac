"""Charters: every kind of bad input is refused with a 422 naming the field, and changes nothing."""

from datetime import time

import pytest

from tests.factories import user_headers
from tests.factories_domain import make_charter, make_client, make_hub


@pytest.fixture
def agent(client):
    return user_headers(client, "sales_agent")


@pytest.fixture
def body():
    return {"client_id": make_client().id, "hub_id": make_hub().id, "passenger_count": 40,
            "trip_date": "2030-05-01"}


def _fields(r) -> set[str]:
    return {e["field"] for e in r.json().get("errors", [])}


def _count(client) -> int:
    return client.get("/api/v1/charters", headers=user_headers(client, "manager")).json()["total"]


def _refused(client, agent, body, field):
    r = client.post("/api/v1/charters", json=body, headers=agent)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert _fields(r) == {field}
    assert _count(client) == 0


def test_malformed_json_is_422(client, agent):
    headers = {**agent, "content-type": "application/json"}
    r = client.post("/api/v1/charters", content=b'{"client_id": 1,', headers=headers)
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize("field", ["client_id", "hub_id", "passenger_count"])
def test_missing_required_field_is_422_naming_it(client, agent, body, field):
    body.pop(field)
    _refused(client, agent, body, field)


def test_missing_both_trip_date_and_start_is_422_on_trip_date(client, agent, body):
    body.pop("trip_date")
    _refused(client, agent, body, "trip_date")


def test_unknown_client_is_422_naming_client_id(client, agent, body):
    _refused(client, agent, {**body, "client_id": 999_999}, "client_id")


def test_unknown_hub_is_422_naming_hub_id(client, agent, body):
    _refused(client, agent, {**body, "hub_id": 999_999}, "hub_id")


def test_deactivated_client_is_422(client, agent, body):
    client.delete(f"/api/v1/clients/{body['client_id']}", headers=user_headers(client, "manager"))
    _refused(client, agent, body, "client_id")


def test_closed_hub_is_422(client, agent, body):
    client.delete(f"/api/v1/hubs/{body['hub_id']}", headers=user_headers(client, "manager"))
    _refused(client, agent, body, "hub_id")


@pytest.mark.parametrize("count", [0, -5, 1001, 10**12])
def test_passenger_count_outside_1_to_1000_is_422(client, agent, body, count):
    _refused(client, agent, {**body, "passenger_count": count}, "passenger_count")


@pytest.mark.parametrize("value", ["forty", 40.5, None, [40]])
def test_passenger_count_of_wrong_type_is_422(client, agent, body, value):
    _refused(client, agent, {**body, "passenger_count": value}, "passenger_count")


@pytest.mark.parametrize("value", ["first class", "", 3])
def test_unknown_trip_type_is_422(client, agent, body, value):
    _refused(client, agent, {**body, "trip_type": value}, "trip_type")


@pytest.mark.parametrize("value", ["2030-02-30", "tomorrow", "1999-12-31", "2101-01-01", "99999-01-01"])
def test_bad_trip_date_is_422(client, agent, body, value):
    _refused(client, agent, {**body, "trip_date": value}, "trip_date")


def test_naive_start_datetime_is_422(client, agent, body):
    _refused(client, agent, {**body, "start_datetime": "2030-05-01T08:00:00"}, "start_datetime")


def test_start_datetime_in_year_9999_is_422(client, agent, body):
    _refused(client, agent, {**body, "start_datetime": "9999-12-31T23:00:00-12:00"}, "start_datetime")


def test_start_datetime_on_another_day_than_trip_date_is_422(client, agent, body):
    _refused(client, agent, {**body, "start_datetime": "2030-05-03T14:00:00Z"}, "trip_date")


def test_pickup_time_with_an_offset_is_422(client, agent, body):
    _refused(client, agent, {**body, "pickup_time": "08:00:00+02:00"}, "pickup_time")


def test_end_before_start_is_422(client, agent, body):
    _refused(client, agent, {**body, "pickup_time": "08:00", "end_datetime": "2030-05-01T10:00:00Z"},
             "end_datetime")


def test_end_on_an_earlier_day_is_422(client, agent, body):
    _refused(client, agent, {**body, "end_datetime": "2030-04-29T10:00:00Z"}, "end_datetime")


def test_trip_longer_than_a_month_is_422(client, agent, body):
    _refused(client, agent, {**body, "end_datetime": "2030-07-01T10:00:00Z"}, "end_datetime")


def test_too_long_notes_is_422(client, agent, body):
    _refused(client, agent, {**body, "notes": "x" * 5001}, "notes")


def test_notes_with_a_nul_character_is_422(client, agent, body):
    _refused(client, agent, {**body, "notes": "before\x00after"}, "notes")


def test_unknown_field_is_422(client, agent, body):
    _refused(client, agent, {**body, "status": "completed"}, "status")


def test_huge_client_id_is_422(client, agent, body):
    _refused(client, agent, {**body, "client_id": 2**40}, "client_id")


def test_too_many_stops_is_422(client, agent, body):
    _refused(client, agent, {**body, "stops": [{"address": "Macon, GA"}] * 51}, "stops")


def test_a_bad_stop_in_a_new_quote_adds_nothing(client, agent, body):
    _refused(client, agent, {**body, "stops": [{"address": "Macon, GA"}, {"latitude": "33.7"}]}, "longitude")


def test_a_retired_vehicle_type_in_a_new_quote_adds_nothing(client, agent, body):
    from tests.factories_domain import make_vehicle_type

    retired = make_vehicle_type()
    client.delete(f"/api/v1/vehicle-types/{retired.id}", headers=user_headers(client, "manager"))
    _refused(client, agent, {**body, "vehicles": [{"vehicle_type_id": retired.id}]}, "vehicle_type_id")


# ---------------------------------------------------------------- update

@pytest.mark.parametrize("field", ["client_id", "hub_id", "passenger_count", "trip_type", "trip_date",
                                   "luggage_pieces"])
def test_emptying_a_required_field_is_422(client, field):
    charter = make_charter()
    manager = user_headers(client, "manager")
    r = client.put(f"/api/v1/charters/{charter.id}", json={field: None}, headers=manager)
    assert r.status_code == 422 and _fields(r) == {field}


def test_update_to_an_unknown_client_is_422(client):
    charter = make_charter()
    r = client.put(f"/api/v1/charters/{charter.id}", json={"client_id": 999_999},
                   headers=user_headers(client, "manager"))
    assert r.status_code == 422 and _fields(r) == {"client_id"}


def test_update_ending_before_the_start_is_422_and_changes_nothing(client):
    manager = user_headers(client, "manager")
    charter = make_charter(pickup_time=time(9, 0))
    before = client.get(f"/api/v1/charters/{charter.id}", headers=manager).json()
    r = client.put(f"/api/v1/charters/{charter.id}", json={"end_datetime": "2000-01-01T00:00:00Z"},
                   headers=manager)
    assert r.status_code == 422 and _fields(r) == {"end_datetime"}
    assert client.get(f"/api/v1/charters/{charter.id}", headers=manager).json() == before


def test_update_of_an_unknown_charter_is_404(client):
    r = client.put("/api/v1/charters/999999", json={"notes": "x"}, headers=user_headers(client, "manager"))
    assert r.status_code == 404


def test_malformed_update_body_is_422(client):
    charter = make_charter()
    r = client.put(f"/api/v1/charters/{charter.id}", content=b"[1, 2",
                   headers={**user_headers(client, "manager"), "content-type": "application/json"})
    assert r.status_code == 422


@pytest.mark.parametrize("params", [{"status": "lost"}, {"date_from": "someday"}, {"agent_id": 0},
                                    {"limit": 0}, {"limit": 10_000}, {"q": "x" * 101}, {"trip_type": "x"}])
def test_bad_list_filters_are_422(client, params):
    r = client.get("/api/v1/charters", params=params, headers=user_headers(client, "manager"))
    assert r.status_code == 422


@pytest.mark.parametrize("charter_id", ["abc", "0", "-1", str(2**40)])
def test_bad_charter_ids_in_the_path_are_422(client, charter_id):
    r = client.get(f"/api/v1/charters/{charter_id}", headers=user_headers(client, "manager"))
    assert r.status_code == 422


def test_bad_my_quotes_days_is_422(client):
    headers = user_headers(client, "sales_agent")
    r = client.get("/api/v1/charters/my-quotes", params={"days": -1}, headers=headers)
    assert r.status_code == 422
