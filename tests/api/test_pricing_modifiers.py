"""Pricing modifiers over HTTP: each type with its condition, their order, bad input and roles."""

import pytest

from tests.factories import user_headers
from tests.factories_domain import audit_rows, make_hub
from tests.factories_pricing import make_modifier

WEEKEND = {"name": "Weekend", "modifier_type": "day_of_week", "adjustment_type": "percentage",
           "adjustment_value": "10", "applicable_days": ["saturday", "sunday"], "priority": 10}
URL = "/api/v1/pricing-modifiers"


@pytest.fixture
def manager(client):
    return user_headers(client, "manager")


def _fields(r) -> set[str]:
    return {e["field"] for e in r.json().get("errors", [])}


def _names(client, headers) -> list[str]:
    r = client.get(URL, headers=headers)
    assert r.status_code == 200, r.text
    return [m["name"] for m in r.json()]


@pytest.mark.parametrize("body", [
    WEEKEND,
    {"name": "Holidays", "modifier_type": "holiday", "adjustment_type": "percentage",
     "adjustment_value": "20", "date_ranges": [{"start": "2026-12-23", "end": "2026-12-31"}]},
    {"name": "Short notice", "modifier_type": "asap", "adjustment_type": "percentage",
     "adjustment_value": "15", "lead_time_hours": 72},
    {"name": "Peak", "modifier_type": "peak_season", "adjustment_type": "percentage",
     "adjustment_value": "12", "date_ranges": [{"start": "2026-04-15", "end": "2026-06-15"},
                                               {"start": "2026-09-15", "end": "2026-11-15"}]},
    {"name": "Weddings", "modifier_type": "event_based", "adjustment_type": "fixed_amount",
     "adjustment_value": "150", "event_types": ["Wedding", " wedding ", "Prom"]},
    {"name": "Loyal client discount", "modifier_type": "day_of_week", "adjustment_type": "fixed_amount",
     "adjustment_value": "-50", "applicable_days": ["monday"]},
])
def test_a_manager_adds_each_kind_of_modifier(client, manager, body):
    r = client.post(URL, json=body, headers=manager)
    assert r.status_code == 201, r.text
    assert r.json()["name"] == body["name"] and r.json()["is_active"] is True


def test_event_types_are_stored_once_in_lower_case(client, manager):
    body = {"name": "Weddings", "modifier_type": "event_based", "adjustment_type": "percentage",
            "adjustment_value": "5", "event_types": ["Wedding", " wedding ", "Prom"]}
    r = client.post(URL, json=body, headers=manager)
    assert r.json()["event_types"] == ["wedding", "prom"]


def test_a_hub_modifier_names_known_hubs(client, manager):
    make_hub(code="BNA")
    body = {"name": "Nashville", "modifier_type": "hub_based", "adjustment_type": "percentage",
            "adjustment_value": "5", "applicable_hubs": ["bna"]}
    r = client.post(URL, json=body, headers=manager)
    assert r.status_code == 201 and r.json()["applicable_hubs"] == ["BNA"]
    r = client.post(URL, json={**body, "applicable_hubs": ["ZZZ"]}, headers=manager)
    assert r.status_code == 422 and _fields(r) == {"applicable_hubs"}


def test_modifiers_are_listed_highest_priority_first(client, manager):
    make_modifier(name="Low", priority=1)
    make_modifier(name="High", priority=50)
    make_modifier(name="Also low", priority=1)
    assert _names(client, manager) == ["High", "Low", "Also low"]


def test_a_modifier_is_changed_deleted_and_audited(client):
    admin = user_headers(client, "admin")
    rule = make_modifier(name="Weekend")
    r = client.put(f"{URL}/{rule.id}", json={"adjustment_value": "12.5", "applicable_days": ["Saturday"]},
                   headers=admin)
    assert r.status_code == 200 and r.json()["adjustment_value"] == "12.50"
    assert r.json()["applicable_days"] == ["saturday"]
    assert client.delete(f"{URL}/{rule.id}", headers=admin).status_code == 204
    assert client.get(f"{URL}/{rule.id}", headers=admin).status_code == 404
    rows = audit_rows(client, admin, entity_type="pricing_modifier", entity_id=str(rule.id))
    assert [r["action"] for r in rows] == ["delete", "update", "create"]
    assert rows[0]["old_values"]["name"] == "Weekend"


def test_changing_the_type_needs_the_new_types_condition(client, manager):
    rule = make_modifier()
    r = client.put(f"{URL}/{rule.id}", json={"modifier_type": "asap"}, headers=manager)
    assert r.status_code == 422 and _fields(r) == {"lead_time_hours"}
    r = client.put(f"{URL}/{rule.id}", json={"modifier_type": "asap", "lead_time_hours": 48}, headers=manager)
    assert r.status_code == 200 and r.json()["modifier_type"] == "asap"


def test_clearing_the_condition_a_type_needs_is_422(client, manager):
    rule = make_modifier()
    r = client.put(f"{URL}/{rule.id}", json={"applicable_days": None}, headers=manager)
    assert r.status_code == 422 and _fields(r) == {"applicable_days"}
    assert client.get(f"{URL}/{rule.id}", headers=manager).json()["applicable_days"] == ["saturday", "sunday"]


@pytest.mark.parametrize(("changes", "field"), [
    ({"modifier_type": "day_of_week", "applicable_days": None}, "applicable_days"),
    ({"modifier_type": "holiday", "applicable_days": None}, "date_ranges"),
    ({"modifier_type": "asap", "applicable_days": None}, "lead_time_hours"),
    ({"modifier_type": "event_based", "applicable_days": None}, "event_types"),
    ({"modifier_type": "surge"}, "modifier_type"),
    ({"applicable_days": ["funday"]}, "applicable_days"),
    ({"adjustment_type": "multiply"}, "adjustment_type"),
    ({"adjustment_value": "1000.01"}, "adjustment_value"),
    ({"adjustment_value": "-100.01"}, "adjustment_value"),
    ({"adjustment_type": "fixed_amount", "adjustment_value": "100000.01"}, "adjustment_value"),
    ({"adjustment_value": "lots"}, "adjustment_value"),
    ({"lead_time_hours": 0}, "lead_time_hours"),
    ({"lead_time_hours": 721}, "lead_time_hours"),
    ({"priority": 1001}, "priority"),
    ({"name": ""}, "name"),
    ({"date_ranges": [{"start": "2026-07-05", "end": "2026-07-03"}]}, "date_ranges"),
    ({"date_ranges": [{"start": "2026-07-05"}]}, "date_ranges"),
    ({"date_ranges": [{"start": "2026-07-05", "end": "2026-07-06", "note": "x"}]}, "date_ranges"),
    ({"date_ranges": "2026-07-04"}, "date_ranges"),
    ({"colour": "red"}, "colour"),
])
def test_a_bad_modifier_is_422_and_adds_nothing(client, manager, changes, field):
    r = client.post(URL, json={**WEEKEND, **changes}, headers=manager)
    assert r.status_code == 422 and field in {f.split(".")[0] for f in _fields(r)}, r.text
    assert _names(client, manager) == []


def test_an_unknown_modifier_is_404(client, manager):
    assert client.get(f"{URL}/999", headers=manager).status_code == 404
    assert client.put(f"{URL}/999", json={"priority": 1}, headers=manager).status_code == 404
    assert client.delete(f"{URL}/999", headers=manager).status_code == 404


def test_a_sales_agent_reads_modifiers_but_may_not_change_them(client):
    agent = user_headers(client, "sales_agent")
    rule = make_modifier(name="Weekend")
    assert _names(client, agent) == ["Weekend"]
    assert client.post(URL, json=WEEKEND, headers=agent).status_code == 403
    assert client.put(f"{URL}/{rule.id}", json={"priority": 99}, headers=agent).status_code == 403
    assert client.delete(f"{URL}/{rule.id}", headers=agent).status_code == 403
    assert _names(client, agent) == ["Weekend"]


def test_a_dispatcher_cannot_see_modifiers(client):
    make_modifier()
    dispatcher = user_headers(client, "dispatcher")
    assert client.get(URL, headers=dispatcher).status_code == 403
