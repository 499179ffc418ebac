"""Charters: opening quotes, reading them back, listing with filters, and changing trip details."""

from datetime import date, timedelta

import pytest

from coachway.core import clock
from tests.factories import make_user, user_headers
from tests.factories_domain import audit_rows, make_charter, make_client, make_hub


@pytest.fixture
def manager(client):
    return user_headers(client, "manager")


@pytest.fixture
def setup():
    """A client and an Atlanta hub."""
    return {"client": make_client(name="Peachtree Rotary Club"),
            "hub": make_hub(code="ATL", latitude="33.6601", longitude="-84.4102")}


def charter_audit(client, charter_id: int) -> list[dict]:
    return audit_rows(client, user_headers(client, "admin"), entity_type="charter", entity_id=str(charter_id))


def quote(setup, **kw) -> dict:
    return {"client_id": setup["client"].id, "hub_id": setup["hub"].id, "passenger_count": 40,
            "trip_date": "2030-05-01", **kw}


def test_create_quote_returns_it_with_labels_and_status_quote(client, manager, setup):
    r = client.post("/api/v1/charters", json=quote(setup, trip_type="round_trip", luggage_pieces=10,
                                                   notes="Bring the banner"), headers=manager)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["status"] == "quote" and body["trip_type"] == "round_trip"
    assert body["client_name"] == "Peachtree Rotary Club" and body["hub_code"] == "ATL"
    assert body["timezone"] == "America/New_York"
    assert body["passenger_count"] == 40 and body["luggage_pieces"] == 10
    assert body["notes"] == "Bring the banner"
    assert body["revision_number"] == 1 and body["vehicle_count"] == 0
    assert body["requires_second_driver"] is False and body["allowed_actions"] == ["book", "cancel"]
    assert body["stops"] == [] and body["vehicles"] == []


def test_created_quote_reads_back_the_same(client, manager, setup):
    created = client.post("/api/v1/charters", json=quote(setup), headers=manager).json()
    assert client.get(f"/api/v1/charters/{created['id']}", headers=manager).json() == created


def test_local_pickup_time_sets_the_utc_start_at_the_hub(client, manager, setup):
    r = client.post("/api/v1/charters", json=quote(setup, pickup_time="07:30"), headers=manager)
    body = r.json()
    assert body["start_datetime"] == "2030-05-01T11:30:00Z"  # EDT is UTC-4
    assert body["start_local"] == "2030-05-01T07:30:00-04:00" and body["pickup_time"] == "07:30:00"


def test_start_datetime_sets_the_trip_date_and_pickup_time_in_the_hubs_zone(client, manager, setup):
    body = client.post("/api/v1/charters", json=quote(setup, trip_date=None,
                                                      start_datetime="2030-05-02T02:00:00Z"),
                       headers=manager).json()
    assert body["trip_date"] == "2030-05-01" and body["pickup_time"] == "22:00:00"


def test_nashville_hub_shows_central_time(client, manager, setup):
    bna = make_hub(code="BNA", timezone="America/Chicago")
    body = client.post("/api/v1/charters", json=quote(setup, hub_id=bna.id, pickup_time="07:30"),
                       headers=manager).json()
    assert body["start_datetime"] == "2030-05-01T12:30:00Z" and body["timezone"] == "America/Chicago"


def test_creation_is_audited(client, manager, setup):
    cid = client.post("/api/v1/charters", json=quote(setup), headers=manager).json()["id"]
    [row] = audit_rows(client, user_headers(client, "admin"), entity_type="charter", entity_id=str(cid))
    assert row["action"] == "create" and row["new_values"]["status"] == "quote"


def test_quote_with_stops_and_vehicles_in_one_request(client, manager, setup):
    from tests.factories_domain import make_vehicle_type

    coach = make_vehicle_type(code="motorcoach", capacity=56)
    body = quote(setup, stops=[{"address": "Atlanta, GA", "stop_type": "pickup"},
                               {"address": "Savannah, GA", "stop_type": "dropoff"}],
                 vehicles=[{"vehicle_type_id": coach.id, "quantity": 2}])
    created = client.post("/api/v1/charters", json=body, headers=manager).json()
    stops = [(s["sequence"], s["address"]) for s in created["stops"]]
    assert stops == [(1, "Atlanta, GA"), (2, "Savannah, GA")]
    assert created["vehicle_count"] == 2 and created["vehicles"][0]["vehicle_type_code"] == "motorcoach"


# ---------------------------------------------------------------- list

def test_list_is_latest_trip_first_and_paginated(client, manager, setup):
    for day in (1, 3, 2):
        make_charter(client_id=setup["client"].id, hub_id=setup["hub"].id, trip_date=date(2030, 5, day))
    body = client.get("/api/v1/charters", params={"limit": 2}, headers=manager).json()
    assert body["total"] == 3 and [c["trip_date"] for c in body["items"]] == ["2030-05-03", "2030-05-02"]


def test_list_filters_by_status_dates_agent_client_hub_and_trip_type(client, manager, setup):
    agent = make_user(role="sales_agent")
    other_hub = make_hub()
    other_client = make_client(name="Grace Fellowship Church")
    a = make_charter(client_id=setup["client"].id, hub_id=setup["hub"].id, trip_date=date(2030, 5, 1),
                     assigned_sales_agent_id=agent.id, trip_type="event")
    b = make_charter(client_id=other_client.id, hub_id=other_hub.id, trip_date=date(2030, 6, 1))

    def ids(**params):
        r = client.get("/api/v1/charters", params=params, headers=manager)
        assert r.status_code == 200, r.text
        return [c["id"] for c in r.json()["items"]]

    assert ids(agent_id=agent.id) == [a.id]
    assert ids(client_id=other_client.id) == [b.id]
    assert ids(hub_id=other_hub.id) == [b.id]
    assert ids(trip_type="event") == [a.id]
    assert ids(date_from="2030-05-15") == [b.id]
    assert ids(date_to="2030-05-15") == [a.id]
    assert ids(status="quote") == [b.id, a.id] and ids(status="booked") == []
    assert ids(q="grace") == [b.id]
    assert ids(q="100%") == []


def test_my_quotes_lists_only_my_open_quotes_soonest_first(client):
    me = make_user(role="sales_agent")
    from tests.factories import login

    headers = login(client, me.email)
    today = clock.now().date()
    soon = make_charter(assigned_sales_agent_id=me.id, trip_date=today + timedelta(days=5))
    later = make_charter(assigned_sales_agent_id=me.id, trip_date=today + timedelta(days=200))
    booked = make_charter(assigned_sales_agent_id=me.id, trip_date=today + timedelta(days=6))
    client.post(f"/api/v1/charters/{booked.id}/book", headers=headers)
    make_charter(assigned_sales_agent_id=make_user(role="sales_agent").id)
    body = client.get("/api/v1/charters/my-quotes", headers=headers).json()
    assert [c["id"] for c in body["items"]] == [soon.id, later.id]
    within = client.get("/api/v1/charters/my-quotes", params={"days": 120}, headers=headers).json()
    assert [c["id"] for c in within["items"]] == [soon.id]


# ---------------------------------------------------------------- update

def test_update_changes_only_the_fields_sent_and_is_audited(client, manager, setup):
    created = client.post("/api/v1/charters", json=quote(setup, notes="Old"), headers=manager).json()
    r = client.put(f"/api/v1/charters/{created['id']}", json={"passenger_count": 55, "trip_type": "event"},
                   headers=manager)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["passenger_count"] == 55 and body["trip_type"] == "event" and body["notes"] == "Old"
    rows = charter_audit(client, created["id"])
    update = next(row for row in rows if row["action"] == "update")
    assert update["old_values"] == {"passenger_count": 40, "trip_type": "one_way"}


def test_moving_the_trip_date_keeps_the_local_pickup_time(client, manager, setup):
    created = client.post("/api/v1/charters", json=quote(setup, pickup_time="09:00"), headers=manager).json()
    body = client.put(f"/api/v1/charters/{created['id']}", json={"trip_date": "2030-12-01"},
                      headers=manager).json()
    assert body["start_datetime"] == "2030-12-01T14:00:00Z"  # EST is UTC-5 in December


def test_update_that_changes_nothing_writes_no_audit_row(client, manager, setup):
    created = client.post("/api/v1/charters", json=quote(setup), headers=manager).json()
    client.put(f"/api/v1/charters/{created['id']}", json={"passenger_count": 40}, headers=manager)
    rows = charter_audit(client, created["id"])
    assert [row["action"] for row in rows] == ["create"]


def test_there_is_no_hard_delete(client, manager, setup):
    charter = make_charter()
    assert client.delete(f"/api/v1/charters/{charter.id}", headers=manager).status_code == 405
