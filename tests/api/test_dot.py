"""DOT hours of service: checking trips and charters against dot_regulations, and tuning the rules."""

import pytest

from tests.factories import user_headers
from tests.factories_domain import (
    audit_rows,
    client_user_headers,
    make_charter,
    make_client,
    make_hub,
    make_stop,
)
from tests.factories_domain import seed_dot_regulations as seed

# Eight degrees of latitude due north: about 553 great-circle miles, 663 road miles, 12 hours of driving.
SOUTH = {"latitude": "30.0", "longitude": "-84.0"}
NORTH = {"latitude": "38.0", "longitude": "-84.0"}
START = "2030-05-01T12:00:00Z"


@pytest.fixture(autouse=True)
def rules():
    seed()


@pytest.fixture
def agent(client):
    return user_headers(client, "sales_agent")


def check(client, headers, body):
    return client.post("/api/v1/check-dot-compliance", json=body, headers=headers)


def rule_ids(client, headers) -> dict[str, int]:
    rules = client.get("/api/v1/dot-regulations", headers=headers).json()
    return {r["regulation_name"]: r["id"] for r in rules}


# ---------------------------------------------------------------- the check

def test_twelve_hours_of_driving_needs_a_second_driver_and_names_the_rule(client, agent):
    r = check(client, agent, {"stops": [SOUTH, NORTH], "start": START})
    assert r.status_code == 200, r.text
    body = r.json()
    assert 715 <= body["route"]["driving_minutes"] <= 730
    assert body["compliant"] is False and body["requires_second_driver"] is True
    assert body["requires_overnight_rest"] is False
    [violation] = body["violations"]
    assert violation["regulation_name"] == "10-hour driving limit" and violation["unit"] == "hours"
    assert violation["limit"] == "10.00" and 11.9 < float(violation["actual"]) < 12.2
    assert "49 CFR 395.5(a)(1)" in violation["message"] and "second driver" in violation["message"]
    assert "second driver" in body["explanation"]


def test_a_saved_charter_of_twelve_driving_hours_is_flagged_for_a_second_driver(client, agent):
    manager = user_headers(client, "manager")
    charter = make_charter(hub_id=make_hub().id)
    make_stop(charter.id, address="South", **SOUTH)
    make_stop(charter.id, address="North", **NORTH)
    body = client.get(f"/api/v1/charters/{charter.id}", headers=manager).json()
    assert body["requires_second_driver"] is True
    assert body["dot_result"]["violations"][0]["regulation_name"] == "10-hour driving limit"
    r = check(client, manager, {"charter_id": charter.id})
    assert r.status_code == 200 and r.json()["charter_id"] == charter.id
    assert r.json()["requires_second_driver"] is True
    route = client.get(f"/api/v1/charters/{charter.id}/route", headers=manager).json()
    assert route["requires_second_driver"] is True and route["dot"]["compliant"] is False


def test_shortening_the_itinerary_clears_the_second_driver_flag(client):
    manager = user_headers(client, "manager")
    charter = make_charter(hub_id=make_hub().id)
    make_stop(charter.id, address="South", **SOUTH)
    north = make_stop(charter.id, address="North", **NORTH)
    client.delete(f"/api/v1/charters/{charter.id}/stops/{north.id}", headers=manager)
    body = client.get(f"/api/v1/charters/{charter.id}", headers=manager).json()
    assert body["requires_second_driver"] is False and body["dot_result"]["compliant"] is True


def test_a_short_trip_is_legal_for_one_driver_and_says_so(client, agent):
    body = check(client, agent, {"stops": [{"address": "Atlanta, GA"}, {"address": "Macon, GA",
                                                                        "dwell_minutes": 60}],
                                 "start": START}).json()
    assert body["compliant"] is True and body["violations"] == []
    assert body["requires_second_driver"] is False and "One driver can run this trip" in body["explanation"]


def test_a_trip_too_long_even_for_two_drivers_needs_an_overnight_rest(client, agent):
    far = {"latitude": "47.0", "longitude": "-84.0"}
    body = check(client, agent, {"stops": [SOUTH, far], "start": START}).json()
    assert body["requires_overnight_rest"] is True
    assert "15-hour on-duty limit" in [v["regulation_name"] for v in body["violations"]]


def test_the_same_trip_over_two_days_with_a_night_off_is_legal(client, agent):
    middle = {**{"latitude": "34.0", "longitude": "-84.0"}, "dwell_minutes": 720}
    body = check(client, agent, {"stops": [SOUTH, middle, NORTH], "start": START, "trip_days": 2}).json()
    assert body["compliant"] is True, body["explanation"]


def test_a_hub_adds_deadhead_to_the_checked_route(client, agent):
    hub = make_hub(latitude="30.0", longitude="-85.0")
    without = check(client, agent, {"stops": [SOUTH, NORTH], "start": START}).json()["route"]
    body = {"stops": [SOUTH, NORTH], "start": START, "hub_id": hub.id}
    with_hub = check(client, agent, body).json()["route"]
    assert without["deadhead_miles"] == "0.0" and float(with_hub["deadhead_miles"]) > 0


def test_only_active_rules_apply(client, agent):
    manager = user_headers(client, "manager")
    ten_hour = rule_ids(client, manager)["10-hour driving limit"]
    client.put(f"/api/v1/dot-regulations/{ten_hour}", json={"is_active": False}, headers=manager)
    body = check(client, agent, {"stops": [SOUTH, NORTH], "start": START}).json()
    assert body["compliant"] is True


def test_a_raised_limit_is_used_by_the_next_check(client, agent):
    manager = user_headers(client, "manager")
    ten_hour = rule_ids(client, manager)["10-hour driving limit"]
    client.put(f"/api/v1/dot-regulations/{ten_hour}", json={"threshold_value": "13"}, headers=manager)
    assert check(client, agent, {"stops": [SOUTH, NORTH], "start": START}).json()["compliant"] is True


@pytest.mark.parametrize(("body", "field"), [
    ({}, "charter_id"),
    ({"stops": [SOUTH]}, "start"),
    ({"charter_id": 1, "stops": [SOUTH], "start": START}, "stops"),
    ({"stops": [], "start": START}, "stops"),
    ({"stops": [{"latitude": "30.0"}], "start": START}, "stops.0.latitude"),
    ({"stops": [SOUTH, {"dwell_minutes": 5}], "start": START}, "stops.1.address"),
    ({"stops": [SOUTH, {"address": "Nowhere Special, ZZ"}], "start": START}, "stops.1.address"),
    ({"stops": [SOUTH], "start": "2030-05-01T12:00:00"}, "start"),
    ({"stops": [SOUTH], "start": START, "trip_days": 0}, "trip_days"),
    ({"stops": [SOUTH], "start": START, "trip_days": 31}, "trip_days"),
    ({"stops": [SOUTH], "start": START, "hub_id": 999_999}, "hub_id"),
    ({"stops": [{**SOUTH, "latitude": "91"}], "start": START}, "stops.0.latitude"),
    ({"stops": [SOUTH] * 51, "start": START}, "stops"),
    ({"stops": [SOUTH], "start": START, "driver": "me"}, "driver"),
])
def test_bad_check_requests_are_422_naming_the_field(client, agent, body, field):
    r = check(client, agent, body)
    assert r.status_code == 422, r.text
    assert field in {e["field"] for e in r.json()["errors"]}


def test_checking_a_charter_without_stops_is_422(client, agent):
    charter = make_charter()
    r = check(client, user_headers(client, "manager"), {"charter_id": charter.id})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "charter_id"


def test_checking_an_unknown_charter_is_404(client):
    assert check(client, user_headers(client, "manager"), {"charter_id": 999_999}).status_code == 404


def test_ad_hoc_checks_need_charters_create(client):
    r = check(client, user_headers(client, "accounting"), {"stops": [SOUTH], "start": START})
    assert r.status_code == 403


def test_a_client_may_check_its_own_charter(client):
    mine = make_client()
    charter = make_charter(client_id=mine.id)
    make_stop(charter.id, address="South", **SOUTH)
    r = check(client, client_user_headers(client, mine.id), {"charter_id": charter.id})
    assert r.status_code == 200 and r.json()["compliant"] is True


# ---------------------------------------------------------------- the rules

def test_the_seeded_rules_are_the_fmcsa_passenger_carrier_limits(client, agent):
    rules = {r["regulation_name"]: r for r in client.get("/api/v1/dot-regulations", headers=agent).json()}
    assert rules["10-hour driving limit"]["threshold_value"] == "10.00"
    assert rules["15-hour on-duty limit"]["threshold_value"] == "15.00"
    assert rules["60-hour / 7-day limit"]["is_active"] is True
    assert rules["70-hour / 8-day limit"]["is_active"] is False
    assert rules["8-hour off-duty rest"]["regulation_type"] == "rest_period"


def test_manager_tunes_a_rule_and_it_is_audited(client):
    manager = user_headers(client, "manager")
    rule = rule_ids(client, manager)["15-hour on-duty limit"]
    r = client.put(f"/api/v1/dot-regulations/{rule}", json={"threshold_value": "14.5",
                                                             "description": "Stricter"}, headers=manager)
    assert r.status_code == 200, r.text
    assert r.json()["threshold_value"] == "14.50" and r.json()["description"] == "Stricter"
    [row] = audit_rows(client, user_headers(client, "admin"), entity_type="dot_regulation",
                       entity_id=str(rule))
    assert row["action"] == "update" and row["old_values"]["threshold_value"] == "15.00"


@pytest.mark.parametrize(("body", "field"), [
    ({"threshold_value": "0"}, "threshold_value"), ({"threshold_value": "-3"}, "threshold_value"),
    ({"threshold_value": "1e12"}, "threshold_value"), ({"threshold_value": None}, "threshold_value"),
    ({"regulation_name": ""}, "regulation_name"),
    ({"regulation_name": "15-hour on-duty limit"}, "regulation_name"),
    ({"regulation_type": "distance"}, "regulation_type"), ({"is_active": "maybe"}, "is_active"),
])
def test_bad_rule_changes_are_422(client, body, field):
    manager = user_headers(client, "manager")
    rule = rule_ids(client, manager)["10-hour driving limit"]
    r = client.put(f"/api/v1/dot-regulations/{rule}", json=body, headers=manager)
    assert r.status_code == 422 and {e["field"] for e in r.json()["errors"]} == {field}


def test_sales_agent_may_read_but_not_change_the_rules(client, agent):
    rule = rule_ids(client, agent)["10-hour driving limit"]
    r = client.put(f"/api/v1/dot-regulations/{rule}", json={"threshold_value": "11"}, headers=agent)
    assert r.status_code == 403


def test_a_client_cannot_read_the_rules(client):
    assert client.get("/api/v1/dot-regulations", headers=client_user_headers(client, make_client().id)) \
        .status_code == 403


def test_changing_an_unknown_rule_is_404(client):
    r = client.put("/api/v1/dot-regulations/999999", json={"threshold_value": "11"},
                   headers=user_headers(client, "manager"))
    assert r.status_code == 404


def test_a_loosened_rule_reaches_saved_charters_when_the_nightly_recheck_runs(client):
    from coachway.charters.jobs import recheck_dot

    manager = user_headers(client, "manager")
    charter = make_charter(hub_id=make_hub().id)
    make_stop(charter.id, address="South", **SOUTH)
    make_stop(charter.id, address="North", **NORTH)
    done = make_charter(hub_id=make_hub().id)
    make_stop(done.id, address="South", **SOUTH)
    make_stop(done.id, address="North", **NORTH)
    assert client.post(f"/api/v1/charters/{done.id}/cancel", json={"cancellation_reason": "Rain"},
                       headers=manager).status_code == 200
    ten_hours = rule_ids(client, manager)["10-hour driving limit"]
    r = client.put(f"/api/v1/dot-regulations/{ten_hours}", json={"threshold_value": "13"}, headers=manager)
    assert r.status_code == 200, r.text
    assert client.get(f"/api/v1/charters/{charter.id}", headers=manager).json()["requires_second_driver"]

    assert recheck_dot() == 1
    body = client.get(f"/api/v1/charters/{charter.id}", headers=manager).json()
    assert body["requires_second_driver"] is False and body["dot_result"]["compliant"] is True
    # A cancelled charter keeps the check it had.
    assert client.get(f"/api/v1/charters/{done.id}", headers=manager).json()["requires_second_driver"]
    assert recheck_dot() == 0
