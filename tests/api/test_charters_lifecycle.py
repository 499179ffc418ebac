"""Charter workflow over HTTP: legal steps move and are audited; illegal ones are 409 and change nothing."""

import pytest

from tests.factories import user_headers
from tests.factories_domain import audit_rows, make_charter

PATH = ["book", "confirm", "start", "complete"]
REACHED = {"quote": [], "booked": ["book"], "confirmed": ["book", "confirm"],
           "in_progress": ["book", "confirm", "start"], "completed": PATH,
           "cancelled": ["cancel"]}
LEGAL = {("quote", "book"), ("booked", "confirm"), ("confirmed", "start"), ("in_progress", "complete"),
         ("quote", "cancel"), ("booked", "cancel"), ("confirmed", "cancel")}
CANCEL = {"cancellation_reason": "Client chose another date"}


@pytest.fixture
def manager(client):
    return user_headers(client, "manager")


def step(client, headers, charter_id: int, action: str):
    body = CANCEL if action == "cancel" else None
    return client.post(f"/api/v1/charters/{charter_id}/{action}", json=body, headers=headers)


def charter_in(client, headers, status: str) -> int:
    charter = make_charter()
    for action in REACHED[status]:
        assert step(client, headers, charter.id, action).status_code == 200
    return charter.id


def test_the_whole_path_from_quote_to_completed_stamps_each_step(client, manager):
    charter = make_charter()
    statuses = ["booked", "confirmed", "in_progress", "completed"]
    stamps = ["booked_at", "confirmed_at", "started_at", "completed_at"]
    for action, status, stamp in zip(PATH, statuses, stamps, strict=True):
        r = step(client, manager, charter.id, action)
        assert r.status_code == 200, r.text
        assert r.json()["status"] == status and r.json()[stamp] is not None
    assert r.json()["allowed_actions"] == []


def test_every_step_is_in_the_audit_log_with_old_and_new_status(client, manager):
    charter = make_charter()
    for action in PATH:
        step(client, manager, charter.id, action)
    rows = audit_rows(client, user_headers(client, "admin"), entity_type="charter", entity_id=str(charter.id))
    steps = [(r["action"], r["old_values"]["status"], r["new_values"]["status"])
             for r in reversed(rows) if r["action"] != "create"]
    assert steps == [("book", "quote", "booked"), ("confirm", "booked", "confirmed"),
                     ("start", "confirmed", "in_progress"), ("complete", "in_progress", "completed")]


ILLEGAL = [(status, action) for status in REACHED for action in [*PATH, "cancel"]
           if (status, action) not in LEGAL]


@pytest.mark.parametrize(("status", "action"), ILLEGAL)
def test_illegal_steps_are_409_and_change_nothing(client, manager, status, action):
    charter_id = charter_in(client, manager, status)
    before = client.get(f"/api/v1/charters/{charter_id}", headers=manager).json()
    audited = len(audit_rows(client, user_headers(client, "admin"), entity_type="charter",
                             entity_id=str(charter_id)))
    r = step(client, manager, charter_id, action)
    assert r.status_code == 409
    assert r.headers["content-type"].startswith("application/problem+json")
    assert client.get(f"/api/v1/charters/{charter_id}", headers=manager).json() == before
    assert len(audit_rows(client, user_headers(client, "admin"), entity_type="charter",
                          entity_id=str(charter_id))) == audited


def test_a_trip_under_way_cannot_be_cancelled(client, manager):
    charter_id = charter_in(client, manager, "in_progress")
    r = step(client, manager, charter_id, "cancel")
    assert r.status_code == 409 and "trip in progress cannot be cancelled" in r.json()["detail"]


def test_cancel_records_reason_fee_who_and_when(client, manager):
    charter_id = charter_in(client, manager, "booked")
    me = client.get("/api/v1/auth/me", headers=manager).json()["id"]
    r = client.post(f"/api/v1/charters/{charter_id}/cancel",
                    json={"cancellation_reason": "  Weather  ", "cancellation_fee": "250.5"}, headers=manager)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "cancelled" and body["cancellation_reason"] == "Weather"
    assert body["cancellation_fee"] == "250.50" and body["cancellation_fee_paid"] is False
    assert body["cancelled_by"] == me and body["cancellation_date"] is not None
    [row] = [r for r in audit_rows(client, user_headers(client, "admin"), entity_type="charter",
                                   entity_id=str(charter_id)) if r["action"] == "cancel"]
    assert row["old_values"]["status"] == "booked" and row["new_values"]["cancellation_reason"] == "Weather"


def test_cancel_without_a_fee_leaves_it_empty(client, manager):
    charter_id = charter_in(client, manager, "quote")
    body = client.post(f"/api/v1/charters/{charter_id}/cancel", json=CANCEL, headers=manager).json()
    assert body["status"] == "cancelled" and body["cancellation_fee"] is None


@pytest.mark.parametrize("body", [{}, {"cancellation_reason": "   "}, {"cancellation_reason": None},
                                  {"cancellation_reason": "x" * 2001}])
def test_cancel_without_a_reason_is_422(client, manager, body):
    charter_id = charter_in(client, manager, "quote")
    r = client.post(f"/api/v1/charters/{charter_id}/cancel", json=body, headers=manager)
    assert r.status_code == 422 and {e["field"] for e in r.json()["errors"]} == {"cancellation_reason"}
    assert client.get(f"/api/v1/charters/{charter_id}", headers=manager).json()["status"] == "quote"


@pytest.mark.parametrize("fee", ["-1", "abc", "1e30", "10.001", 10**13])
def test_cancel_with_a_bad_fee_is_422(client, manager, fee):
    charter_id = charter_in(client, manager, "quote")
    r = client.post(f"/api/v1/charters/{charter_id}/cancel",
                    json={**CANCEL, "cancellation_fee": fee}, headers=manager)
    assert r.status_code == 422 and {e["field"] for e in r.json()["errors"]} == {"cancellation_fee"}


@pytest.mark.parametrize("status", ["completed", "cancelled"])
def test_final_charters_refuse_trip_changes(client, manager, status):
    charter_id = charter_in(client, manager, status)
    r = client.put(f"/api/v1/charters/{charter_id}", json={"passenger_count": 12}, headers=manager)
    assert r.status_code == 409
    r = client.post(f"/api/v1/charters/{charter_id}/stops", json={"address": "Macon, GA"}, headers=manager)
    assert r.status_code == 409
    assert client.get(f"/api/v1/charters/{charter_id}", headers=manager).json()["passenger_count"] == 40


def test_dispatcher_runs_the_trip_but_may_not_cancel(client, manager):
    charter_id = charter_in(client, manager, "confirmed")
    dispatcher = user_headers(client, "dispatcher")
    assert step(client, dispatcher, charter_id, "start").status_code == 200
    other = charter_in(client, manager, "booked")
    r = step(client, dispatcher, other, "cancel")
    assert r.status_code == 403
    assert client.get(f"/api/v1/charters/{other}", headers=manager).json()["status"] == "booked"


def test_accounting_cannot_book(client):
    charter = make_charter()
    assert step(client, user_headers(client, "accounting"), charter.id, "book").status_code == 403


def test_transition_of_an_unknown_charter_is_404(client, manager):
    assert step(client, manager, 999_999, "book").status_code == 404


def test_transitions_need_sign_in(client):
    charter = make_charter()
    assert client.post(f"/api/v1/charters/{charter.id}/book").status_code == 401
