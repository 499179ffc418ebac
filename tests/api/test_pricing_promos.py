"""Promo codes over HTTP: creating, changing and deactivating them, and checking one for a trip."""

from datetime import UTC, date, datetime

import pytest

from coachway.core import clock
from coachway.core.db import transaction
from coachway.core.permissions import SYSTEM
from coachway.pricing import service
from tests.factories import login, make_user, user_headers
from tests.factories_domain import audit_rows, make_charter, make_client, make_vehicle_type
from tests.factories_pricing import make_promo

SPRING = {"code": "spring10", "discount_type": "percentage", "discount_value": "10",
          "valid_from": "2026-03-01", "valid_until": "2026-05-31", "max_uses": 100}


@pytest.fixture(autouse=True)
def fixed_today():
    clock.set_clock(lambda: datetime(2026, 3, 2, 15, 0, tzinfo=UTC))


@pytest.fixture
def manager(client):
    return user_headers(client, "manager")


def _fields(r) -> set[str]:
    return {e["field"] for e in r.json().get("errors", [])}


def _codes(client, headers, **params) -> list[str]:
    r = client.get("/api/v1/promo-codes", params=params, headers=headers)
    assert r.status_code == 200, r.text
    return [p["code"] for p in r.json()["items"]]


def _redeem(promo, times: int) -> None:
    for _ in range(times):
        charter = make_charter()
        with transaction() as session:
            service.redeem_promo(session, SYSTEM, promo.id, charter_id=charter.id, client_id=None,
                                 discount_amount=None)


# ---------------------------------------------------------------- managing codes

def test_a_manager_adds_a_code_stored_in_capitals(client, manager):
    r = client.post("/api/v1/promo-codes", json=SPRING, headers=manager)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["code"] == "SPRING10" and body["discount_value"] == "10.00" and body["uses_count"] == 0
    assert body["is_active"] is True and body["valid_until"] == "2026-05-31"


def test_a_code_with_restrictions_keeps_them(client, manager):
    make_vehicle_type(code="motorcoach")
    r = client.post("/api/v1/promo-codes", json={**SPRING, "min_purchase_amount": "500",
                                                 "applicable_vehicle_types": ["MotorCoach"],
                                                 "applicable_trip_types": ["round_trip", "round_trip"]},
                    headers=manager)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["applicable_vehicle_types"] == ["motorcoach"]
    assert body["applicable_trip_types"] == ["round_trip"]
    assert body["min_purchase_amount"] == "500.00"


def test_codes_are_listed_active_first_and_searched(client, manager):
    make_promo(code="ALPHA", description="Church groups")
    make_promo(code="BRAVO")
    old = make_promo(code="AARDVARK")
    client.delete(f"/api/v1/promo-codes/{old.id}", headers=manager)
    assert _codes(client, manager) == ["ALPHA", "BRAVO", "AARDVARK"]
    assert _codes(client, manager, q="church") == ["ALPHA"]
    assert _codes(client, manager, is_active="false") == ["AARDVARK"]


def test_a_code_is_changed_and_audited(client):
    admin = user_headers(client, "admin")
    promo = make_promo(code="FALL5", discount_value="5")
    r = client.put(f"/api/v1/promo-codes/{promo.id}", json={"discount_value": "7.5", "max_uses": 20},
                   headers=admin)
    assert r.status_code == 200 and r.json()["discount_value"] == "7.50" and r.json()["max_uses"] == 20
    rows = audit_rows(client, admin, entity_type="promo_code", entity_id=str(promo.id))
    assert rows[0]["new_values"] == {"discount_value": "7.50", "max_uses": 20}


def test_delete_deactivates_and_keeps_the_code(client, manager):
    promo = make_promo(code="GONE")
    assert client.delete(f"/api/v1/promo-codes/{promo.id}", headers=manager).status_code == 204
    r = client.get(f"/api/v1/promo-codes/{promo.id}", headers=manager)
    assert r.status_code == 200 and r.json()["is_active"] is False


def test_max_uses_below_the_uses_so_far_is_409_and_changes_nothing(client, manager):
    promo = make_promo(max_uses=10)
    _redeem(promo, 3)
    r = client.put(f"/api/v1/promo-codes/{promo.id}", json={"max_uses": 2}, headers=manager)
    assert r.status_code == 409 and _fields(r) == {"max_uses"}
    assert client.get(f"/api/v1/promo-codes/{promo.id}", headers=manager).json()["max_uses"] == 10


def test_a_duplicate_code_is_409(client, manager):
    make_promo(code="SPRING10")
    r = client.post("/api/v1/promo-codes", json=SPRING, headers=manager)
    assert r.status_code == 409 and _fields(r) == {"code"}
    assert _codes(client, manager) == ["SPRING10"]


@pytest.mark.parametrize(("field", "value"), [
    ("code", "ab"), ("code", "has space"), ("code", "x" * 51), ("code", "50%OFF"), ("discount_type", "bogo"),
    ("discount_value", "0"), ("discount_value", "-10"), ("discount_value", "ten"), ("max_uses", 0),
    ("max_uses", 1.5), ("valid_from", "tomorrow"), ("valid_until", "2026-02-30"),
    ("min_purchase_amount", "-1"),
    ("applicable_trip_types", ["cruise"]), ("applicable_trip_types", "round_trip")])
def test_a_bad_code_is_422_and_adds_nothing(client, manager, field, value):
    r = client.post("/api/v1/promo-codes", json={**SPRING, field: value}, headers=manager)
    assert r.status_code == 422 and field in {f.split(".")[0] for f in _fields(r)}
    assert _codes(client, manager) == []


def test_a_percentage_over_100_is_422(client, manager):
    r = client.post("/api/v1/promo-codes", json={**SPRING, "discount_value": "100.01"}, headers=manager)
    assert r.status_code == 422 and _fields(r) == {"discount_value"}


def test_a_last_day_before_the_first_is_422(client, manager):
    r = client.post("/api/v1/promo-codes", json={**SPRING, "valid_until": "2026-02-01"}, headers=manager)
    assert r.status_code == 422 and _fields(r) == {"valid_until"}


def test_an_unknown_vehicle_type_is_422(client, manager):
    r = client.post("/api/v1/promo-codes", json={**SPRING, "applicable_vehicle_types": ["hovercraft"]},
                    headers=manager)
    assert r.status_code == 422 and _fields(r) == {"applicable_vehicle_types"}


def test_missing_fields_are_422(client, manager):
    r = client.post("/api/v1/promo-codes", json={"code": "X10"}, headers=manager)
    assert r.status_code == 422 and _fields(r) == {"discount_type", "discount_value"}


def test_an_unknown_code_id_is_404(client, manager):
    assert client.get("/api/v1/promo-codes/999", headers=manager).status_code == 404
    assert client.put("/api/v1/promo-codes/999", json={"max_uses": 5}, headers=manager).status_code == 404
    assert client.delete("/api/v1/promo-codes/999", headers=manager).status_code == 404


def test_a_sales_agent_reads_codes_but_may_not_change_them(client):
    agent = user_headers(client, "sales_agent")
    promo = make_promo(code="READ1")
    assert _codes(client, agent) == ["READ1"]
    assert client.post("/api/v1/promo-codes", json=SPRING, headers=agent).status_code == 403
    assert client.delete(f"/api/v1/promo-codes/{promo.id}", headers=agent).status_code == 403
    assert client.get(f"/api/v1/promo-codes/{promo.id}", headers=agent).json()["is_active"] is True


def test_a_client_user_cannot_list_codes(client):
    make_promo()
    portal = login(client, make_user(role="client", client_id=make_client().id).email)
    assert client.get("/api/v1/promo-codes", headers=portal).status_code == 403


# ---------------------------------------------------------------- checking a code

def _check(client, headers, **body):
    r = client.post("/api/v1/validate-promo-code", json=body, headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


def test_a_client_user_checks_a_code_and_sees_the_discount(client):
    make_promo(code="SPRING10", discount_value="10")
    portal = login(client, make_user(role="client", client_id=make_client().id).email)
    result = _check(client, portal, code="spring10", amount="1234.55", trip_type="round_trip")
    assert result == {"valid": True, "reason": None, "code": "SPRING10", "discount_type": "percentage",
                      "discount_value": "10.00", "discount_amount": "123.46"}


def test_an_unknown_code_is_not_valid_with_a_reason(client):
    agent = user_headers(client, "sales_agent")
    result = _check(client, agent, code="NOPE")
    assert result["valid"] is False and result["reason"] == "There is no promo code NOPE."


def test_a_code_is_checked_against_the_trip_date(client):
    make_promo(code="MAYONLY", valid_from=date(2026, 5, 1), valid_until=date(2026, 5, 31))
    agent = user_headers(client, "sales_agent")
    not_yet = _check(client, agent, code="MAYONLY")
    assert not_yet["reason"] == "Promo code MAYONLY is not valid until 2026-05-01."
    assert _check(client, agent, code="MAYONLY", trip_date="2026-05-10")["valid"] is True
    assert _check(client, agent, code="MAYONLY", trip_date="2026-06-01")["reason"] == (
        "Promo code MAYONLY expired on 2026-05-31.")


def test_a_code_for_other_vehicles_is_not_valid(client):
    sedan = make_vehicle_type(code="sedan", capacity=3)
    make_vehicle_type(code="motorcoach")
    make_promo(code="COACH", applicable_vehicle_types=["motorcoach"])
    agent = user_headers(client, "sales_agent")
    result = _check(client, agent, code="COACH", vehicle_type_ids=[sedan.id])
    assert result["valid"] is False and result["reason"] == "Promo code COACH is not for these vehicles."


def test_a_code_below_its_minimum_is_not_valid(client):
    make_promo(code="BIG50", discount_type="fixed_amount", discount_value="50", min_purchase_amount="500")
    agent = user_headers(client, "sales_agent")
    result = _check(client, agent, code="BIG50", amount="499")
    assert result["valid"] is False
    assert result["reason"] == "Promo code BIG50 needs a trip of at least $500.00."
    assert result["discount_amount"] is None


def test_a_used_up_code_is_not_valid(client):
    promo = make_promo(code="ONCE", max_uses=1)
    _redeem(promo, 1)
    agent = user_headers(client, "sales_agent")
    assert _check(client, agent, code="ONCE")["reason"] == "Promo code ONCE has been used up."


@pytest.mark.parametrize(("body", "field"), [
    ({"code": ""}, "code"), ({}, "code"), ({"code": "X" * 101}, "code"),
    ({"code": "A", "amount": "-1"}, "amount"), ({"code": "A", "trip_type": "cruise"}, "trip_type"),
    ({"code": "A", "vehicle_type_ids": [0]}, "vehicle_type_ids"),
    ({"code": "A", "trip_date": "soon"}, "trip_date"),
    ({"code": "A", "extra": 1}, "extra")])
def test_a_bad_check_request_is_422(client, body, field):
    agent = user_headers(client, "sales_agent")
    r = client.post("/api/v1/validate-promo-code", json=body, headers=agent)
    assert r.status_code == 422 and field in {f.split(".")[0] for f in _fields(r)}


def test_checking_with_an_unknown_vehicle_type_is_422(client):
    make_promo(code="A100")
    agent = user_headers(client, "sales_agent")
    r = client.post("/api/v1/validate-promo-code", json={"code": "A100", "vehicle_type_ids": [999]},
                    headers=agent)
    assert r.status_code == 422 and _fields(r) == {"vehicle_type_ids.0"}


def test_a_vendor_cannot_check_codes(client):
    make_promo(code="A100")
    vendor = user_headers(client, "vendor")
    r = client.post("/api/v1/validate-promo-code", json={"code": "A100"}, headers=vendor)
    assert r.status_code == 403
