"""Charters: who sees and changes which charter, which fields, and who may hand a quote to another agent."""

import pytest

from tests.factories import login, make_user, user_headers
from tests.factories_domain import audit_rows, client_user_headers, make_charter, make_client, make_hub

INTERNAL = {"internal_notes", "quote_secure_token", "dot_result", "assigned_by", "created_by", "cancelled_by"}


def reassign(client, charter_id: int, agent_id: int, headers: dict):
    return client.put(f"/api/v1/charters/{charter_id}/assign-agent", json={"sales_agent_id": agent_id},
                      headers=headers)


@pytest.fixture
def agents(client):
    """Two sales agents, each with one quote: (user, headers, charter) twice."""
    out = []
    for name in ("Ann", "Ben"):
        user = make_user(role="sales_agent", full_name=f"{name} Agent")
        out.append((user, login(client, user.email), make_charter(assigned_sales_agent_id=user.id)))
    return out


# ---------------------------------------------------------------- two agents

def test_each_agent_lists_only_its_own_quotes(client, agents):
    (ann, ann_h, ann_q), (_, ben_h, ben_q) = agents
    assert [c["id"] for c in client.get("/api/v1/charters", headers=ann_h).json()["items"]] == [ann_q.id]
    assert [c["id"] for c in client.get("/api/v1/charters", headers=ben_h).json()["items"]] == [ben_q.id]
    assert client.get("/api/v1/charters", params={"agent_id": ann.id}, headers=ben_h).json()["total"] == 0


def test_an_agent_gets_404_for_everything_on_another_agents_quote(client, agents):
    (_, ann_h, _), (_, _, ben_q) = agents
    base = f"/api/v1/charters/{ben_q.id}"
    for method, path, body in [
        ("get", base, None), ("put", base, {"passenger_count": 2}), ("post", f"{base}/book", None),
        ("post", f"{base}/cancel", {"cancellation_reason": "mine now"}),
        ("get", f"{base}/stops", None), ("post", f"{base}/stops", {"address": "Macon, GA"}),
        ("put", f"{base}/reorder-stops", {"stop_ids": []}), ("post", f"{base}/geocode-stops", None),
        ("get", f"{base}/route", None), ("get", f"{base}/vehicles", None),
        ("get", f"{base}/vehicle-recommendations", None),
    ]:
        r = client.request(method, path, json=body, headers=ann_h)
        assert r.status_code == 404, (method, path, r.status_code)
    r = client.post("/api/v1/check-dot-compliance", json={"charter_id": ben_q.id}, headers=ann_h)
    assert r.status_code == 404


def test_an_agent_cannot_take_another_agents_quote(client, agents):
    (ann, ann_h, _), (ben, _, ben_q) = agents
    r = reassign(client, ben_q.id, ann.id, ann_h)
    assert r.status_code == 404
    manager = user_headers(client, "manager")
    body = client.get(f"/api/v1/charters/{ben_q.id}", headers=manager).json()
    assert body["assigned_sales_agent_id"] == ben.id


def test_an_agent_hands_its_own_quote_over_and_then_no_longer_sees_it(client, agents):
    (ann, ann_h, ann_q), (ben, ben_h, _) = agents
    r = reassign(client, ann_q.id, ben.id, ann_h)
    assert r.status_code == 200, r.text
    assert r.json()["assigned_sales_agent_id"] == ben.id and r.json()["sales_agent_name"] == "Ben Agent"
    assert client.get(f"/api/v1/charters/{ann_q.id}", headers=ann_h).status_code == 404
    assert client.get(f"/api/v1/charters/{ann_q.id}", headers=ben_h).status_code == 200
    [row] = [r for r in audit_rows(client, user_headers(client, "admin"), entity_type="charter",
                                   entity_id=str(ann_q.id)) if r["action"] == "assign_agent"]
    assert row["old_values"]["assigned_sales_agent_id"] == ann.id
    assert row["new_values"]["assigned_sales_agent_id"] == ben.id and row["actor_id"] == ann.id


def test_a_quote_an_agent_creates_is_its_own(client, agents):
    (ann, ann_h, _), _ = agents
    body = {"client_id": make_client().id, "hub_id": make_hub().id, "passenger_count": 20,
            "trip_date": "2030-01-10"}
    r = client.post("/api/v1/charters", json=body, headers=ann_h)
    assert r.status_code == 201 and r.json()["assigned_sales_agent_id"] == ann.id
    assert r.json()["assigned_at"] is not None


def test_an_agent_cannot_create_a_quote_for_another_agent(client, agents):
    (_, ann_h, _), (ben, _, _) = agents
    body = {"client_id": make_client().id, "hub_id": make_hub().id, "passenger_count": 20,
            "trip_date": "2030-01-10", "assigned_sales_agent_id": ben.id}
    assert client.post("/api/v1/charters", json=body, headers=ann_h).status_code == 403


# ---------------------------------------------------------------- managers and other staff

def test_manager_reassigns_any_quote(client, agents):
    (ann, _, _), (_, _, ben_q) = agents
    manager = user_headers(client, "manager")
    r = reassign(client, ben_q.id, ann.id, manager)
    assert r.status_code == 200 and r.json()["assigned_sales_agent_id"] == ann.id


@pytest.mark.parametrize("role", ["manager", "dispatcher", "accounting", "sales_support"])
def test_staff_with_read_all_see_every_charter(client, agents, role):
    assert client.get("/api/v1/charters", headers=user_headers(client, role)).json()["total"] == 2


@pytest.mark.parametrize("target_role", ["manager", "dispatcher", "client"])
def test_assigning_to_someone_who_is_not_a_sales_agent_is_422(client, agents, target_role):
    _, (_, _, ben_q) = agents
    extra = {"client_id": make_client().id} if target_role == "client" else {}
    target = make_user(role=target_role, **extra)
    r = client.put(f"/api/v1/charters/{ben_q.id}/assign-agent", json={"sales_agent_id": target.id},
                   headers=user_headers(client, "manager"))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "sales_agent_id"


def test_assigning_to_an_inactive_or_unknown_agent_is_422(client, agents):
    _, (_, _, ben_q) = agents
    manager = user_headers(client, "manager")
    gone = make_user(role="sales_agent")
    admin = user_headers(client, "admin")
    client.patch(f"/api/v1/users/{gone.id}", json={"is_active": False}, headers=admin)
    for agent_id in (gone.id, 999_999):
        r = client.put(f"/api/v1/charters/{ben_q.id}/assign-agent", json={"sales_agent_id": agent_id},
                       headers=manager)
        assert r.status_code == 422


def test_dispatcher_cannot_reassign(client, agents):
    (ann, _, _), (_, _, ben_q) = agents
    r = client.put(f"/api/v1/charters/{ben_q.id}/assign-agent", json={"sales_agent_id": ann.id},
                   headers=user_headers(client, "dispatcher"))
    assert r.status_code == 403


def test_dispatcher_cannot_create_quotes(client):
    body = {"client_id": make_client().id, "hub_id": make_hub().id, "passenger_count": 20,
            "trip_date": "2030-01-10"}
    r = client.post("/api/v1/charters", json=body, headers=user_headers(client, "dispatcher"))
    assert r.status_code == 403


def test_accounting_cannot_change_trip_details(client):
    charter = make_charter()
    r = client.put(f"/api/v1/charters/{charter.id}", json={"passenger_count": 3},
                   headers=user_headers(client, "accounting"))
    assert r.status_code == 403


# ---------------------------------------------------------------- client portal and outsiders

def test_client_user_reads_its_own_charters_without_internal_fields(client):
    mine = make_client(name="Mine")
    own = make_charter(client_id=mine.id, internal_notes="Haggles", notes="Gate 3")
    other = make_charter()
    headers = client_user_headers(client, mine.id)
    listed = client.get("/api/v1/charters", headers=headers).json()
    assert [c["id"] for c in listed["items"]] == [own.id]
    one = client.get(f"/api/v1/charters/{own.id}", headers=headers).json()
    assert one["notes"] == "Gate 3" and not INTERNAL & set(one) and not INTERNAL & set(listed["items"][0])
    assert client.get(f"/api/v1/charters/{other.id}", headers=headers).status_code == 404


def test_client_user_sees_recommendations_without_costs(client):
    mine = make_client()
    from tests.factories_domain import make_vehicle_type

    make_vehicle_type(capacity=56, default_hourly_rate="150.00")
    own = make_charter(client_id=mine.id)
    headers = client_user_headers(client, mine.id)
    r = client.get(f"/api/v1/charters/{own.id}/vehicle-recommendations", headers=headers)
    assert r.status_code == 200 and r.json() and "estimated_cost" not in r.json()[0]


def test_client_user_cannot_change_cancel_or_create(client):
    mine = make_client()
    own = make_charter(client_id=mine.id)
    headers = client_user_headers(client, mine.id)
    assert client.put(f"/api/v1/charters/{own.id}", json={"notes": "x"}, headers=headers).status_code == 403
    assert client.post(f"/api/v1/charters/{own.id}/cancel", json={"cancellation_reason": "no"},
                       headers=headers).status_code == 403
    body = {"client_id": mine.id, "hub_id": make_hub().id, "passenger_count": 2, "trip_date": "2030-01-01"}
    assert client.post("/api/v1/charters", json=body, headers=headers).status_code == 403


def test_sales_agent_sees_internal_notes_of_its_quote(client, agents):
    (ann, ann_h, _), _ = agents
    charter = make_charter(assigned_sales_agent_id=ann.id, internal_notes="Budget is tight")
    body = client.get(f"/api/v1/charters/{charter.id}", headers=ann_h).json()
    assert body["internal_notes"] == "Budget is tight"


@pytest.mark.parametrize("role", ["vendor", "driver"])
def test_vendors_and_drivers_are_refused(client, role):
    charter = make_charter()
    headers = user_headers(client, role)
    assert client.get("/api/v1/charters", headers=headers).status_code == 403
    assert client.get(f"/api/v1/charters/{charter.id}", headers=headers).status_code == 403


@pytest.mark.parametrize(("method", "path"), [
    ("get", "/api/v1/charters"), ("get", "/api/v1/charters/my-quotes"), ("post", "/api/v1/charters"),
    ("get", "/api/v1/charters/1"), ("put", "/api/v1/charters/1"), ("post", "/api/v1/charters/1/confirm"),
    ("put", "/api/v1/charters/1/assign-agent"), ("get", "/api/v1/charters/1/route"),
    ("get", "/api/v1/charters/1/stops"), ("post", "/api/v1/charters/1/stops"),
    ("put", "/api/v1/charters/1/stops/1"), ("delete", "/api/v1/charters/1/stops/1"),
    ("put", "/api/v1/charters/1/reorder-stops"), ("post", "/api/v1/charters/1/geocode-stops"),
    ("get", "/api/v1/charters/1/vehicles"), ("post", "/api/v1/charters/1/vehicles"),
    ("put", "/api/v1/charters/1/vehicles"), ("put", "/api/v1/charters/1/vehicles/1"),
    ("delete", "/api/v1/charters/1/vehicles/1"), ("get", "/api/v1/charters/1/vehicle-recommendations"),
    ("post", "/api/v1/vehicle-recommendations"), ("post", "/api/v1/check-dot-compliance"),
    ("get", "/api/v1/dot-regulations"), ("put", "/api/v1/dot-regulations/1"),
])
def test_signed_out_request_is_401(client, method, path):
    assert client.request(method, path).status_code == 401
