"""The pricing policy and the rate matrix over HTTP: reading, changing, refusing bad input and roles."""

import pytest

from tests.factories import login, make_user, user_headers
from tests.factories_domain import audit_rows, make_client, make_hub, make_vehicle_type
from tests.factories_pricing import make_rate, priced_setup

RATE = {"hourly_rate": "150.00", "per_mile_rate": "5.25", "minimum_hours": "4"}


@pytest.fixture
def manager(client):
    return user_headers(client, "manager")


def _fields(r) -> set[str]:
    return {e["field"] for e in r.json().get("errors", [])}


def _config(client, headers) -> dict:
    r = client.get("/api/v1/pricing-config", headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


# ---------------------------------------------------------------- the policy

def test_the_policy_starts_with_the_defaults_and_the_deposit(client, manager):
    config = _config(client, manager)
    assert config["price_rule"] == "greater_of" and config["deadhead_policy"] == "beyond_free_miles"
    assert config["deadhead_free_miles"] == "50.00" and config["quote_valid_days"] == 14
    assert config["deposit_percentage"] == "25.00" and config["rates"] == []


def test_the_policy_changes_only_the_fields_sent_and_is_audited(client):
    admin = user_headers(client, "admin")
    r = client.put("/api/v1/pricing-config", json={"fuel_surcharge_pct": "3.5", "deposit_percentage": "30",
                                                   "quote_terms": "Deposit books the trip."}, headers=admin)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["fuel_surcharge_pct"] == "3.50" and body["deposit_percentage"] == "30.00"
    assert body["price_rule"] == "greater_of" and body["quote_terms"] == "Deposit books the trip."
    policy = audit_rows(client, admin, entity_type="pricing_config")
    assert policy[0]["new_values"]["fuel_surcharge_pct"] == "3.50"
    deposit = audit_rows(client, admin, entity_type="payment_configuration")
    assert deposit[0]["old_values"]["deposit_percentage"] == "25.00"
    assert deposit[0]["new_values"]["deposit_percentage"] == "30.00"


@pytest.mark.parametrize(("field", "value"), [
    ("price_rule", "cheapest"), ("deadhead_policy", "some"), ("fuel_surcharge_pct", "100.01"),
    ("default_gratuity_pct", "-1"), ("deposit_percentage", "101"), ("quote_valid_days", 0),
    ("quote_valid_days", 366), ("deadhead_free_miles", "-1"), ("quote_valid_days", "two weeks"),
    ("quote_terms", "x" * 10_001)])
def test_a_bad_policy_value_is_422_and_changes_nothing(client, manager, field, value):
    r = client.put("/api/v1/pricing-config", json={field: value}, headers=manager)
    assert r.status_code == 422 and _fields(r) == {field}
    assert _config(client, manager)["quote_valid_days"] == 14


def test_a_null_required_policy_field_is_422(client, manager):
    r = client.put("/api/v1/pricing-config", json={"price_rule": None}, headers=manager)
    assert r.status_code == 422 and _fields(r) == {"price_rule"}


def test_an_unknown_policy_field_is_422(client, manager):
    r = client.put("/api/v1/pricing-config", json={"margin_target": "30"}, headers=manager)
    assert r.status_code == 422 and _fields(r) == {"margin_target"}


def test_a_malformed_body_is_422(client, manager):
    r = client.put("/api/v1/pricing-config", content=b"{not json", headers={**manager,
                                                                         "Content-Type": "application/json"})
    assert r.status_code == 422


def test_a_sales_agent_reads_the_policy_but_may_not_change_it(client):
    agent = user_headers(client, "sales_agent")
    assert client.get("/api/v1/pricing-config", headers=agent).status_code == 200
    r = client.put("/api/v1/pricing-config", json={"quote_valid_days": 30}, headers=agent)
    assert r.status_code == 403
    assert _config(client, agent)["quote_valid_days"] == 14


@pytest.mark.parametrize("role", ["client", "dispatcher", "vendor", "driver"])
def test_roles_without_pricing_read_cannot_see_the_rate_matrix(client, role):
    extra = {"client_id": make_client().id} if role == "client" else {}
    headers = login(client, make_user(role=role, **extra).email)
    assert client.get("/api/v1/pricing-config", headers=headers).status_code == 403
    assert client.get("/api/v1/pricing-config/rates", headers=headers).status_code == 403


def test_without_signing_in_it_is_401(client):
    assert client.get("/api/v1/pricing-config").status_code == 401


# ---------------------------------------------------------------- the rate matrix

def test_upsert_adds_a_company_default_then_changes_the_same_row(client, manager):
    vtype = make_vehicle_type()
    r = client.put("/api/v1/pricing-config/rates", json={"vehicle_type_id": vtype.id, **RATE},
                   headers=manager)
    assert r.status_code == 200, r.text
    first = r.json()
    assert first["hub_id"] is None and first["hourly_rate"] == "150.00" and first["minimum_hours"] == "4.00"
    r = client.put("/api/v1/pricing-config/rates", json={"vehicle_type_id": vtype.id, "hourly_rate": "160"},
                   headers=manager)
    assert r.json()["id"] == first["id"] and r.json()["hourly_rate"] == "160.00"
    assert r.json()["per_mile_rate"] == "5.25"
    assert len(client.get("/api/v1/pricing-config/rates", headers=manager).json()) == 1


def test_a_hub_rate_is_its_own_row_and_listed_after_the_defaults(client, manager):
    hub, vtype = priced_setup()
    r = client.put("/api/v1/pricing-config/rates",
                   json={"hub_id": hub.id, "vehicle_type_id": vtype.id, **RATE}, headers=manager)
    assert r.status_code == 200
    rates = client.get("/api/v1/pricing-config/rates", headers=manager).json()
    assert [rate["hub_id"] for rate in rates] == [None, hub.id]
    only = client.get(f"/api/v1/pricing-config/rates?hub_id={hub.id}", headers=manager).json()
    assert [rate["hourly_rate"] for rate in only] == ["150.00"]


def test_the_matrix_shows_which_cells_fall_back(client, manager):
    hub, coach = priced_setup()
    mini = make_vehicle_type(name="Minibus", capacity=28, default_hourly_rate="120")
    trolley = make_vehicle_type(name="Trolley", capacity=30)
    rows = client.get("/api/v1/pricing-config/rate-matrix", headers=manager).json()
    assert [row["hub_code"] for row in rows] == [None, hub.code]
    cells = {c["vehicle_type_id"]: c for c in rows[1]["cells"]}
    assert cells[coach.id]["source"] == "company_default"
    assert cells[mini.id]["source"] == "fleet_default" and cells[mini.id]["effective_hourly_rate"] == "120.00"
    assert cells[trolley.id]["source"] == "none" and cells[trolley.id]["rate"] is None


def test_rate_changes_are_audited(client):
    admin = user_headers(client, "admin")
    vtype = make_vehicle_type()
    rate = client.put("/api/v1/pricing-config/rates", json={"vehicle_type_id": vtype.id, **RATE},
                      headers=admin).json()
    client.put(f"/api/v1/pricing-config/rates/{rate['id']}", json={"per_mile_rate": "6"}, headers=admin)
    client.delete(f"/api/v1/pricing-config/rates/{rate['id']}", headers=admin)
    rows = audit_rows(client, admin, entity_type="pricing_rate")
    assert [r["action"] for r in rows] == ["delete", "update", "create"]
    assert rows[1]["new_values"] == {"per_mile_rate": "6.00"}


def test_deleting_a_rate_removes_it(client, manager):
    hub, vtype = priced_setup()
    rate = make_rate(hub_id=hub.id, vehicle_type_id=vtype.id)
    assert client.delete(f"/api/v1/pricing-config/rates/{rate.id}", headers=manager).status_code == 204
    assert client.get(f"/api/v1/pricing-config/rates/{rate.id}", headers=manager).status_code == 404
    assert client.delete(f"/api/v1/pricing-config/rates/{rate.id}", headers=manager).status_code == 404


@pytest.mark.parametrize(("field", "value"), [
    ("hourly_rate", "-1"), ("hourly_rate", "100000"), ("per_mile_rate", "abc"), ("minimum_hours", "24.5"),
    ("minimum_hours", "-1"), ("deadhead_per_mile", "1e9"), ("vendor_hourly_cost", "12.345"),
    ("daily_rate", True)])
def test_a_bad_rate_amount_is_422_and_adds_nothing(client, manager, field, value):
    vtype = make_vehicle_type()
    r = client.put("/api/v1/pricing-config/rates", json={"vehicle_type_id": vtype.id, **RATE, field: value},
                   headers=manager)
    assert r.status_code == 422 and _fields(r) == {field}
    assert client.get("/api/v1/pricing-config/rates", headers=manager).json() == []


def test_a_new_rate_needs_its_hourly_and_per_mile_rates(client, manager):
    vtype = make_vehicle_type()
    r = client.put("/api/v1/pricing-config/rates", json={"vehicle_type_id": vtype.id, "minimum_hours": "5"},
                   headers=manager)
    assert r.status_code == 422 and _fields(r) == {"hourly_rate", "per_mile_rate"}


def test_a_rate_for_an_unknown_hub_or_vehicle_type_is_422(client, manager):
    vtype = make_vehicle_type()
    r = client.put("/api/v1/pricing-config/rates", json={"hub_id": 999, "vehicle_type_id": vtype.id, **RATE},
                   headers=manager)
    assert r.status_code == 422 and _fields(r) == {"hub_id"}
    r = client.put("/api/v1/pricing-config/rates", json={"vehicle_type_id": 999, **RATE}, headers=manager)
    assert r.status_code == 422 and _fields(r) == {"vehicle_type_id"}


def test_a_rate_with_an_id_out_of_range_is_422(client, manager):
    r = client.put("/api/v1/pricing-config/rates", json={"vehicle_type_id": 2**31, **RATE}, headers=manager)
    assert r.status_code == 422 and _fields(r) == {"vehicle_type_id"}
    assert client.get("/api/v1/pricing-config/rates/0", headers=manager).status_code == 422


def test_a_sales_agent_may_not_change_rates(client):
    agent = user_headers(client, "sales_agent")
    hub, vtype = priced_setup(hourly_rate="100.00")
    r = client.put("/api/v1/pricing-config/rates", json={"vehicle_type_id": vtype.id, "hourly_rate": "1"},
                   headers=agent)
    assert r.status_code == 403
    assert client.get("/api/v1/pricing-config/rates", headers=agent).json()[0]["hourly_rate"] == "100.00"


def test_vendor_costs_are_hidden_without_read_internal(client):
    admin = user_headers(client, "admin")
    client.post("/api/v1/roles", json={"name": "rate_viewer", "description": "Reads rates",
                                       "permissions": ["pricing:read"]}, headers=admin)
    viewer = login(client, make_user(role="rate_viewer").email)
    hub, vtype = priced_setup(vendor_hourly_cost="80.00")
    rate = client.get("/api/v1/pricing-config/rates", headers=viewer).json()[0]
    assert "vendor_hourly_cost" not in rate and "vendor_per_mile_cost" not in rate
    assert "vendor_hourly_cost" not in client.get("/api/v1/pricing-config", headers=viewer).json()["rates"][0]
    agent = user_headers(client, "sales_agent")
    rate = client.get("/api/v1/pricing-config/rates", headers=agent).json()[0]
    assert rate["vendor_hourly_cost"] == "80.00"


def test_a_closed_hub_can_still_be_given_a_rate(client, manager):
    hub = make_hub()
    vtype = make_vehicle_type()
    admin = user_headers(client, "admin")
    client.delete(f"/api/v1/hubs/{hub.id}", headers=admin)
    r = client.put("/api/v1/pricing-config/rates",
                   json={"hub_id": hub.id, "vehicle_type_id": vtype.id, **RATE}, headers=manager)
    assert r.status_code == 200
