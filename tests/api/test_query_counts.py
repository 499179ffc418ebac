"""Lists cost a fixed number of queries however long they are (no N+1)."""

from contextlib import contextmanager

from sqlalchemy import event

from coachway.core import db
from tests.factories import make_user, user_headers
from tests.factories_domain import make_client, make_hub, make_vehicle, make_vehicle_type


@contextmanager
def counted():
    """Count the SQL statements sent while the block runs."""
    seen = []

    def count(conn, cursor, statement, *args):
        seen.append(statement)

    engine = db.get_engine()
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _queries(client, url: str, headers: dict) -> int:
    with counted() as seen:
        r = client.get(url, headers=headers)
    assert r.status_code == 200, r.text
    return len(seen)


def test_client_list_queries_do_not_grow_with_the_page(client):
    headers = user_headers(client, "manager")
    for i in range(2):
        make_client(contacts=[{"name": f"Contact {i}"}])
    few = _queries(client, "/api/v1/clients", headers)
    for i in range(12):
        make_client(contacts=[{"name": f"Person {i}"}, {"name": f"Other {i}"}])
    assert _queries(client, "/api/v1/clients", headers) == few


def test_vehicle_list_queries_do_not_grow_with_the_page(client):
    headers = user_headers(client, "dispatcher")
    hub, vtype = make_hub(), make_vehicle_type()
    for _ in range(2):
        make_vehicle(hub_id=hub.id, vehicle_type_id=vtype.id)
    few = _queries(client, "/api/v1/vehicles", headers)
    for _ in range(12):
        make_vehicle(hub_id=make_hub().id, vehicle_type_id=make_vehicle_type().id)
    assert _queries(client, "/api/v1/vehicles", headers) == few


def test_user_and_audit_lists_do_not_grow_with_the_page(client):
    headers = user_headers(client, "admin")
    users_few = _queries(client, "/api/v1/users", headers)
    audit_few = _queries(client, "/api/v1/audit-log", headers)
    for _ in range(10):
        make_user(role="sales_agent")
    assert _queries(client, "/api/v1/users", headers) == users_few
    assert _queries(client, "/api/v1/audit-log", headers) == audit_few


def test_driver_list_queries_do_not_grow_with_the_page(client):
    headers = user_headers(client, "dispatcher")
    make_user(role="driver", cdl_number="GA1000")
    few = _queries(client, "/api/v1/drivers", headers)
    for i in range(10):
        make_user(role="driver", cdl_number=f"GA2{i:03}")
    assert _queries(client, "/api/v1/drivers", headers) == few


def _page_queries(client, url: str) -> int:
    with counted() as seen:
        r = client.get(url)
    assert r.status_code == 200, r.text
    return len(seen)


def test_list_pages_do_not_grow_with_the_page(client):
    from coachway.web.testing import sign_in
    from tests.factories import PASSWORD

    admin = make_user(role="admin")
    sign_in(client, admin.email, PASSWORD)
    hub, vtype = make_hub(), make_vehicle_type()
    make_vehicle(hub_id=hub.id, vehicle_type_id=vtype.id)
    make_client()
    pages = ["/admin/clients", "/admin/fleet", "/admin/fleet/drivers", "/admin/users", "/admin/audit",
             "/admin/outbox"]
    few = {url: _page_queries(client, url) for url in pages}
    for i in range(10):
        make_vehicle(hub_id=make_hub().id, vehicle_type_id=make_vehicle_type().id)
        make_client(contacts=[{"name": f"Person {i}"}])
        make_user(role="driver", cdl_number=f"GA3{i:03}")
    assert {url: _page_queries(client, url) for url in pages} == few


def test_charter_list_queries_do_not_grow_with_the_page(client):
    from tests.factories_domain import make_charter

    headers = user_headers(client, "manager")
    agent = make_user(role="sales_agent")
    for _ in range(2):
        make_charter(assigned_sales_agent_id=agent.id)
    few = _queries(client, "/api/v1/charters", headers)
    for _ in range(12):
        make_charter(assigned_sales_agent_id=make_user(role="sales_agent").id)
    assert _queries(client, "/api/v1/charters", headers) == few
    assert _queries(client, "/api/v1/charters/my-quotes", headers) <= few


def test_charter_list_page_does_not_grow_with_the_page(client):
    from coachway.web.testing import sign_in
    from tests.factories import PASSWORD
    from tests.factories_domain import make_charter

    manager = make_user(role="manager")
    sign_in(client, manager.email, PASSWORD)
    for _ in range(2):
        make_charter(assigned_sales_agent_id=make_user(role="sales_agent").id)
    pages = ["/admin/charters", "/admin/charters?status=quote", "/admin/charters?mine=1"]
    few = {url: _page_queries(client, url) for url in pages}
    for _ in range(12):
        make_charter(assigned_sales_agent_id=make_user(role="sales_agent").id)
    assert {url: _page_queries(client, url) for url in pages} == few


def test_lead_lists_pipeline_and_pages_do_not_grow_with_the_leads(client):
    from tests.factories_sales import make_agent, make_lead

    headers = user_headers(client, "manager")
    for _ in range(3):
        make_agent()
    for _ in range(2):
        make_lead()
    urls = ["/api/v1/leads", "/api/v1/leads/pipeline", "/api/v1/leads/follow-ups", "/api/v1/leads/my-leads"]
    few = {url: _queries(client, url, headers) for url in urls}
    for _ in range(12):
        make_lead()
    assert {url: _queries(client, url, headers) for url in urls} == few
