"""Itinerary: stops in a dense order 1..n, inserting, deleting, reordering, geocoding offline, the route."""

from datetime import time

import pytest

from tests.factories import user_headers
from tests.factories_domain import audit_rows, make_charter, make_hub, make_stop, seed_dot_regulations

FIVE = [("pickup", "Atlanta, GA", 15), ("stop", "Macon, GA", 30), ("waypoint", "Savannah, GA", 0),
        ("stop", "Augusta, GA", 45), ("dropoff", "Athens, GA", 10)]


@pytest.fixture
def manager(client):
    return user_headers(client, "manager")


@pytest.fixture
def charter():
    """A quote at an Atlanta hub with coordinates, picking up at 07:00 local."""
    hub = make_hub(code="ATL", latitude="33.6601", longitude="-84.4102")
    return make_charter(hub_id=hub.id, pickup_time=time(7, 0))


def stops_url(charter_id: int) -> str:
    return f"/api/v1/charters/{charter_id}/stops"


def order(client, headers, charter_id: int) -> list[tuple[int, str]]:
    stops = client.get(stops_url(charter_id), headers=headers).json()
    return [(s["sequence"], s["address"]) for s in stops]


def test_five_stop_itinerary_is_built_geocoded_offline_reordered_and_totalled(client, manager, charter):
    seed_dot_regulations()
    ids = []
    for stop_type, address, dwell in FIVE:
        r = client.post(stops_url(charter.id), json={"stop_type": stop_type, "address": address,
                                                     "dwell_minutes": dwell}, headers=manager)
        assert r.status_code == 201, r.text
        ids.append(r.json()["id"])
    assert order(client, manager, charter.id) == [(i, a) for i, (_, a, _) in enumerate(FIVE, start=1)]

    r = client.post(f"/api/v1/charters/{charter.id}/geocode-stops", headers=manager)
    assert r.status_code == 200, r.text
    assert [x["status"] for x in r.json()["results"]] == ["ok"] * 5
    assert r.json()["results"][1]["geocoded_address"] == "Macon, GA"
    route = r.json()["route"]
    assert route["complete"] is True and route["missing_coordinates"] == []

    new_order = [ids[0], ids[4], ids[3], ids[2], ids[1]]
    r = client.put(f"/api/v1/charters/{charter.id}/reorder-stops", json={"stop_ids": new_order},
                   headers=manager)
    assert r.status_code == 200, r.text
    assert [(s["id"], s["sequence"]) for s in r.json()] == [(sid, i) for i, sid in enumerate(new_order, 1)]

    route = client.get(f"/api/v1/charters/{charter.id}/route", headers=manager).json()
    totals = route["totals"]
    assert float(totals["live_miles"]) > 300 and float(totals["deadhead_miles"]) > 0
    live, deadhead = float(totals["live_miles"]), float(totals["deadhead_miles"])
    assert float(totals["total_miles"]) == pytest.approx(live + deadhead)
    assert [leg["deadhead"] for leg in route["legs"]] == [True, False, False, False, False, True]
    assert route["legs"][1]["from_stop_id"] == ids[0] and route["legs"][1]["to_stop_id"] == ids[4]
    body = client.get(f"/api/v1/charters/{charter.id}", headers=manager).json()
    assert route["stops"][0]["estimated_departure"] == body["start_datetime"]
    assert body["total_miles"] == f"{float(totals['total_miles']):.2f}"
    assert body["deadhead_miles"] is not None and float(body["total_hours"]) > 5
    assert all(s["estimated_arrival"] and s["estimated_departure"] for s in body["stops"])
    assert body["dot_result"]["route_complete"] is True


def test_first_stop_departs_at_the_pickup_time_and_arrives_its_dwell_earlier(client, manager, charter):
    make_stop(charter.id, address="Atlanta, GA", dwell_minutes=15, latitude="33.749", longitude="-84.388")
    make_stop(charter.id, address="Macon, GA", latitude="32.8407", longitude="-83.6324")
    [first, second] = client.get(stops_url(charter.id), headers=manager).json()
    start = client.get(f"/api/v1/charters/{charter.id}", headers=manager).json()["start_datetime"]
    assert first["estimated_departure"] == start
    assert first["estimated_arrival"] < first["estimated_departure"] < second["estimated_arrival"]


def test_inserting_at_a_position_shifts_the_later_stops(client, manager, charter):
    for address in ("Atlanta, GA", "Macon, GA", "Savannah, GA"):
        make_stop(charter.id, address=address)
    r = client.post(stops_url(charter.id), json={"address": "Dublin, GA", "position": 2}, headers=manager)
    assert r.status_code == 201 and r.json()["sequence"] == 2
    assert order(client, manager, charter.id) == [(1, "Atlanta, GA"), (2, "Dublin, GA"), (3, "Macon, GA"),
                                                  (4, "Savannah, GA")]
    client.post(stops_url(charter.id), json={"address": "Marietta, GA", "position": 1}, headers=manager)
    assert [a for _, a in order(client, manager, charter.id)][:2] == ["Marietta, GA", "Atlanta, GA"]


def test_deleting_a_stop_closes_the_gap(client, manager, charter):
    stops = [make_stop(charter.id, address=a) for a in ("Atlanta, GA", "Macon, GA", "Savannah, GA")]
    assert client.delete(f"{stops_url(charter.id)}/{stops[1].id}", headers=manager).status_code == 204
    assert order(client, manager, charter.id) == [(1, "Atlanta, GA"), (2, "Savannah, GA")]
    rows = audit_rows(client, user_headers(client, "admin"), entity_type="itinerary_stop",
                      entity_id=str(stops[1].id))
    assert rows[0]["action"] == "delete" and rows[0]["old_values"]["address"] == "Macon, GA"


def test_stop_changes_and_reorders_are_audited(client, manager, charter):
    a = make_stop(charter.id, address="Atlanta, GA")
    b = make_stop(charter.id, address="Macon, GA")
    client.put(f"{stops_url(charter.id)}/{a.id}", json={"dwell_minutes": 20}, headers=manager)
    client.put(f"/api/v1/charters/{charter.id}/reorder-stops", json={"stop_ids": [b.id, a.id]},
               headers=manager)
    admin = user_headers(client, "admin")
    stop_rows = audit_rows(client, admin, entity_type="itinerary_stop", entity_id=str(a.id))
    assert [r["action"] for r in reversed(stop_rows)] == ["create", "update"]
    assert stop_rows[0]["new_values"] == {"dwell_minutes": 20}
    [reorder] = [r for r in audit_rows(client, admin, entity_type="charter", entity_id=str(charter.id))
                 if r["action"] == "reorder_stops"]
    assert reorder["old_values"] == {"stop_ids": [a.id, b.id]}
    assert reorder["new_values"] == {"stop_ids": [b.id, a.id]}


def test_reorder_must_name_exactly_the_charters_stops(client, manager, charter):
    a, b, c = (make_stop(charter.id, address=x) for x in ("Atlanta, GA", "Macon, GA", "Savannah, GA"))
    other = make_stop(make_charter().id)
    url = f"/api/v1/charters/{charter.id}/reorder-stops"
    for stop_ids in ([a.id, b.id], [a.id, b.id, c.id, other.id], [a.id, a.id, b.id], [c.id, b.id, other.id],
                     []):
        r = client.put(url, json={"stop_ids": stop_ids}, headers=manager)
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "stop_ids", stop_ids
    assert [a for _, a in order(client, manager, charter.id)] == ["Atlanta, GA", "Macon, GA", "Savannah, GA"]


def test_reorder_to_the_same_order_changes_and_audits_nothing(client, manager, charter):
    a, b = make_stop(charter.id, address="Atlanta, GA"), make_stop(charter.id, address="Macon, GA")
    r = client.put(f"/api/v1/charters/{charter.id}/reorder-stops", json={"stop_ids": [a.id, b.id]},
                   headers=manager)
    assert r.status_code == 200
    rows = audit_rows(client, user_headers(client, "admin"), entity_type="charter", entity_id=str(charter.id))
    assert "reorder_stops" not in [r["action"] for r in rows]


def test_geocoding_reports_unresolvable_stops_without_failing(client, manager, charter):
    good = make_stop(charter.id, address="30309")
    bad = make_stop(charter.id, address="Nowhere Special, ZZ")
    r = client.post(f"/api/v1/charters/{charter.id}/geocode-stops", headers=manager)
    assert r.status_code == 200
    results = {x["stop_id"]: x for x in r.json()["results"]}
    assert results[good.id]["status"] == "ok" and results[good.id]["geocoded_address"].endswith("30309")
    assert results[bad.id]["status"] == "not_found" and results[bad.id]["latitude"] is None
    assert r.json()["route"]["complete"] is False and r.json()["route"]["missing_coordinates"] == [bad.id]
    stops = {s["id"]: s for s in client.get(stops_url(charter.id), headers=manager).json()}
    assert stops[bad.id]["geocode_status"] == "not_found" and stops[bad.id]["geocode_error"]
    assert client.get(f"/api/v1/charters/{charter.id}", headers=manager).json()["total_miles"] is None


def test_geocoding_skips_located_stops_unless_forced(client, manager, charter):
    typed = make_stop(charter.id, address="Macon, GA", latitude="32.0", longitude="-83.0")
    r = client.post(f"/api/v1/charters/{charter.id}/geocode-stops", headers=manager)
    assert r.json()["results"] == []
    r = client.post(f"/api/v1/charters/{charter.id}/geocode-stops", params={"force": True}, headers=manager)
    assert [x["stop_id"] for x in r.json()["results"]] == [typed.id]
    assert r.json()["results"][0]["latitude"] != "32.0000000"


def test_geocoding_service_down_is_reported_per_stop(client, manager, charter, monkeypatch):
    from coachway.integrations import geocoding

    class Down:
        def geocode(self, query):
            raise geocoding.GeocodingUnavailable("nominatim timed out")

    monkeypatch.setattr(geocoding, "geocoder", lambda: Down())
    stop = make_stop(charter.id, address="Macon, GA")
    r = client.post(f"/api/v1/charters/{charter.id}/geocode-stops", headers=manager)
    assert r.status_code == 200
    assert r.json()["results"] == [{"stop_id": stop.id, "status": "unavailable", "geocoded_address": None,
                                    "latitude": None, "longitude": None, "message": "nominatim timed out"}]


def test_adding_with_geocode_true_looks_the_stop_up_at_once(client, manager, charter):
    r = client.post(stops_url(charter.id), params={"geocode": True}, json={"address": "Chattanooga, TN"},
                    headers=manager)
    assert r.status_code == 201 and r.json()["geocode_status"] == "ok" and r.json()["latitude"] is not None


def test_new_address_drops_the_old_coordinates_and_typed_ones_are_manual(client, manager, charter):
    stop = make_stop(charter.id, address="Macon, GA", geocode=True)
    url = f"{stops_url(charter.id)}/{stop.id}"
    body = client.put(url, json={"address": "Savannah, GA"}, headers=manager).json()
    assert body["latitude"] is None and body["geocode_status"] == "pending"
    body = client.put(url, json={"latitude": "32.08", "longitude": "-81.09"}, headers=manager).json()
    assert body["geocode_status"] == "manual" and body["latitude"] == "32.0800000"


def test_changing_the_hub_or_pickup_time_moves_the_estimates(client, manager, charter):
    make_stop(charter.id, address="Macon, GA", geocode=True)
    before = client.get(stops_url(charter.id), headers=manager).json()[0]["estimated_departure"]
    client.put(f"/api/v1/charters/{charter.id}", json={"pickup_time": "09:00"}, headers=manager)
    after = client.get(stops_url(charter.id), headers=manager).json()[0]["estimated_departure"]
    assert before.endswith("12:00:00Z") and after.endswith("14:00:00Z")


def test_without_hub_coordinates_there_is_no_deadhead(client, manager):
    charter = make_charter(hub_id=make_hub().id)
    make_stop(charter.id, address="Atlanta, GA", geocode=True)
    make_stop(charter.id, address="Macon, GA", geocode=True)
    route = client.get(f"/api/v1/charters/{charter.id}/route", headers=manager).json()
    assert route["totals"]["deadhead_miles"] == "0.0"
    assert [leg["deadhead"] for leg in route["legs"]] == [False]


def test_empty_itinerary_has_an_empty_route(client, manager, charter):
    route = client.get(f"/api/v1/charters/{charter.id}/route", headers=manager).json()
    assert route["legs"] == [] and route["stops"] == [] and route["totals"] is None and route["dot"] is None


def test_late_arrival_against_a_scheduled_time_is_flagged(client, manager, charter):
    make_stop(charter.id, address="Atlanta, GA", geocode=True)
    make_stop(charter.id, address="Savannah, GA", geocode=True, scheduled_time=None)
    stop = client.get(stops_url(charter.id), headers=manager).json()[1]
    client.put(f"{stops_url(charter.id)}/{stop['id']}", json={"scheduled_time": "2000-01-01T00:00:00Z"},
               headers=manager)
    route = client.get(f"/api/v1/charters/{charter.id}/route", headers=manager).json()
    assert [s["late"] for s in route["stops"]] == [False, True]


def test_a_client_reads_its_itinerary_and_route_but_cannot_change_it(client):
    from tests.factories_domain import client_user_headers, make_client

    mine = make_client()
    charter = make_charter(client_id=mine.id)
    stop = make_stop(charter.id)
    headers = client_user_headers(client, mine.id)
    assert client.get(stops_url(charter.id), headers=headers).status_code == 200
    assert client.get(f"/api/v1/charters/{charter.id}/route", headers=headers).status_code == 200
    assert client.put(f"{stops_url(charter.id)}/{stop.id}", json={"dwell_minutes": 5},
                      headers=headers).status_code == 403
    assert client.post(f"/api/v1/charters/{charter.id}/geocode-stops", headers=headers).status_code == 403


def test_a_stop_of_another_charter_is_404(client, manager, charter):
    other = make_stop(make_charter().id)
    assert client.put(f"{stops_url(charter.id)}/{other.id}", json={"dwell_minutes": 5},
                      headers=manager).status_code == 404
    assert client.delete(f"{stops_url(charter.id)}/{other.id}", headers=manager).status_code == 404
