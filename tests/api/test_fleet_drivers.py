"""Drivers: users of role driver with a CDL and a home hub."""

from datetime import UTC, date, datetime

import pytest

from coachway.core import clock
from tests.factories import login, make_user, user_headers
from tests.factories_domain import audit_rows, make_driver, make_hub


@pytest.fixture
def dispatcher(client):
    return user_headers(client, "dispatcher")


def _names(r) -> list[str]:
    assert r.status_code == 200, r.text
    return [d["full_name"] for d in r.json()["items"]]


def test_dispatcher_lists_drivers_only(client, dispatcher):
    make_driver(full_name="Dee Driver", cdl_number="GA1234567")
    make_user(role="sales_agent", full_name="Sam Sales")
    r = client.get("/api/v1/drivers", headers=dispatcher)
    assert _names(r) == ["Dee Driver"]
    assert r.json()["items"][0]["cdl_number"] == "GA1234567"


def test_driver_sees_only_itself(client):
    me = make_driver(full_name="Me Driver")
    other = make_driver(full_name="Other Driver")
    headers = login(client, me.email)
    assert _names(client.get("/api/v1/drivers", headers=headers)) == ["Me Driver"]
    assert client.get(f"/api/v1/drivers/{me.id}", headers=headers).status_code == 200
    assert client.get(f"/api/v1/drivers/{other.id}", headers=headers).status_code == 404


def test_filter_by_hub(client, dispatcher):
    atl, bna = make_hub(code="ATL").id, make_hub(code="BNA").id
    make_driver(full_name="Atlanta Driver", hub_id=atl)
    make_driver(full_name="Nashville Driver", hub_id=bna)
    r = client.get("/api/v1/drivers", params={"hub_id": bna}, headers=dispatcher)
    assert _names(r) == ["Nashville Driver"]


def test_cdl_expiring_within_days_includes_lapsed_ones(client, dispatcher):
    clock.set_clock(lambda: datetime(2026, 3, 1, 12, tzinfo=UTC))
    make_driver(full_name="A Lapsed", cdl_expiry=date(2026, 2, 1))
    make_driver(full_name="B Soon", cdl_expiry=date(2026, 3, 20))
    make_driver(full_name="C Later", cdl_expiry=date(2026, 9, 1))
    make_driver(full_name="D Unknown")
    r = client.get("/api/v1/drivers", params={"cdl_expiring_within_days": 30}, headers=dispatcher)
    assert _names(r) == ["A Lapsed", "B Soon"]


def test_dispatcher_sets_cdl_and_hub_and_it_is_audited(client):
    admin = user_headers(client, "admin")
    driver = make_driver()
    hub = make_hub(code="BNA")
    body = {"cdl_number": "tn-0012345", "cdl_expiry": "2027-05-31", "hub_id": hub.id, "phone": "615-555-0142"}
    r = client.patch(f"/api/v1/drivers/{driver.id}", json=body, headers=admin)
    assert r.status_code == 200, r.text
    assert r.json()["cdl_number"] == "TN-0012345" and r.json()["cdl_expiry"] == "2027-05-31"
    assert r.json()["hub_id"] == hub.id
    rows = audit_rows(client, admin, entity_type="user", entity_id=str(driver.id))
    assert rows[0]["action"] == "update"
    assert rows[0]["new_values"] == {"cdl_number": "TN-0012345", "cdl_expiry": "2027-05-31", "hub_id": hub.id,
                                     "phone": "615-555-0142"}


def test_driver_cannot_change_its_own_cdl(client):
    me = make_driver()
    headers = login(client, me.email)
    r = client.patch(f"/api/v1/drivers/{me.id}", json={"cdl_number": "GA0000000"}, headers=headers)
    assert r.status_code == 403


def test_sales_agent_listing_drivers_is_403(client):
    assert client.get("/api/v1/drivers", headers=user_headers(client, "sales_agent")).status_code == 403


def test_vendor_listing_drivers_is_403(client):
    assert client.get("/api/v1/drivers", headers=user_headers(client, "vendor")).status_code == 403


def test_a_user_who_is_not_a_driver_is_404(client, dispatcher):
    agent = make_user(role="sales_agent")
    assert client.get(f"/api/v1/drivers/{agent.id}", headers=dispatcher).status_code == 404
    assert client.patch(f"/api/v1/drivers/{agent.id}", json={"cdl_number": "GA1234567"},
                        headers=dispatcher).status_code == 404


def test_unknown_hub_is_422_and_changes_nothing(client, dispatcher):
    driver = make_driver(cdl_number="GA1234567")
    r = client.patch(f"/api/v1/drivers/{driver.id}", json={"hub_id": 99999, "cdl_number": "GA7654321"},
                     headers=dispatcher)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "hub_id"
    assert client.get(f"/api/v1/drivers/{driver.id}", headers=dispatcher).json()["cdl_number"] == "GA1234567"


def test_cdl_expiry_that_is_not_a_date_is_422(client, dispatcher):
    driver = make_driver()
    r = client.patch(f"/api/v1/drivers/{driver.id}", json={"cdl_expiry": "next spring"}, headers=dispatcher)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "cdl_expiry"


def test_cdl_number_with_odd_characters_is_422(client, dispatcher):
    driver = make_driver()
    r = client.patch(f"/api/v1/drivers/{driver.id}", json={"cdl_number": "GA 123; DROP"}, headers=dispatcher)
    assert r.status_code == 422


def test_unknown_field_on_driver_is_422(client, dispatcher):
    driver = make_driver()
    r = client.patch(f"/api/v1/drivers/{driver.id}", json={"role": "admin"}, headers=dispatcher)
    assert r.status_code == 422
    assert client.get(f"/api/v1/drivers/{driver.id}", headers=dispatcher).status_code == 200


def test_negative_expiry_window_is_422(client, dispatcher):
    r = client.get("/api/v1/drivers", params={"cdl_expiring_within_days": -1}, headers=dispatcher)
    assert r.status_code == 422
