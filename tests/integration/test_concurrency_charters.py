"""Charters under parallel requests on PostgreSQL: the charter row lock keeps stops dense and agents whole."""

import itertools
from collections import Counter

import pytest

from tests.factories import login, make_user, user_headers
from tests.factories_domain import audit_rows, make_charter, make_stop
from tests.integration.parallel import in_parallel

pytestmark = pytest.mark.postgres

PARALLEL = 8


@pytest.fixture(autouse=True)
def postgres_only(is_postgres):
    if not is_postgres:
        pytest.skip("needs PostgreSQL row locks; set COACHWAY_TEST_DATABASE_URL")


def test_stops_added_at_once_all_land_with_dense_sequences(client):
    manager = user_headers(client, "manager")
    charter = make_charter()
    url = f"/api/v1/charters/{charter.id}/stops"
    calls = [lambda i=i: client.post(url, json={"address": f"Stop {i}", "latitude": "33.7",
                                                "longitude": "-84.3"}, headers=manager)
             for i in range(PARALLEL)]
    assert Counter(r.status_code for r in in_parallel(calls)) == Counter({201: PARALLEL})
    stops = client.get(url, headers=manager).json()
    assert [s["sequence"] for s in stops] == list(range(1, PARALLEL + 1))
    assert sorted(s["address"] for s in stops) == sorted(f"Stop {i}" for i in range(PARALLEL))


def test_reorders_at_once_leave_one_of_them_with_dense_sequences(client):
    manager = user_headers(client, "manager")
    charter = make_charter()
    ids = [make_stop(charter.id, address=f"Stop {i}", latitude="33.7", longitude="-84.3").id
           for i in range(5)]
    orders = [list(p) for p in itertools.islice(itertools.permutations(ids), 1, PARALLEL + 1)]
    url = f"/api/v1/charters/{charter.id}/reorder-stops"
    calls = [lambda order=order: client.put(url, json={"stop_ids": order}, headers=manager)
             for order in orders]
    assert Counter(r.status_code for r in in_parallel(calls)) == Counter({200: PARALLEL})
    stops = client.get(f"/api/v1/charters/{charter.id}/stops", headers=manager).json()
    assert [s["sequence"] for s in stops] == [1, 2, 3, 4, 5]
    assert [s["id"] for s in stops] in orders


def test_two_managers_reassigning_at_once_leave_one_agent_and_two_audit_rows(client):
    first, second = make_user(role="sales_agent"), make_user(role="sales_agent")
    charter = make_charter(assigned_sales_agent_id=make_user(role="sales_agent").id)
    managers = [login(client, make_user(role="manager").email) for _ in range(2)]
    url = f"/api/v1/charters/{charter.id}/assign-agent"
    calls = [lambda h=h, a=a: client.put(url, json={"sales_agent_id": a.id}, headers=h)
             for h, a in zip(managers, (first, second), strict=True)]
    assert [r.status_code for r in in_parallel(calls)] == [200, 200]
    admin = user_headers(client, "admin")
    final = client.get(f"/api/v1/charters/{charter.id}", headers=admin).json()["assigned_sales_agent_id"]
    rows = [r for r in audit_rows(client, admin, entity_type="charter", entity_id=str(charter.id))
            if r["action"] == "assign_agent"]
    assert len(rows) == 2
    newest, older = rows
    # The later change saw the earlier one: the history is a chain ending at the agent now assigned.
    assert newest["old_values"]["assigned_sales_agent_id"] == older["new_values"]["assigned_sales_agent_id"]
    assert newest["new_values"]["assigned_sales_agent_id"] == final and final in (first.id, second.id)
