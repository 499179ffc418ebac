"""Payments over HTTP: recording, applying one payment to several charters, the breakdown, unapplying,
refunds and voids as new records, date adjustment, idempotency keys, plans and refusals."""

from datetime import timedelta
from decimal import Decimal

import pytest

from coachway.core import clock
from tests.factories import user_headers
from tests.factories_domain import client_user_headers, make_client
from tests.factories_payments import booked_charter, check_body, client_with_charters, record


@pytest.fixture
def acct(client):
    return user_headers(client, "accounting")


def _balance(client, headers, charter_id):
    return Decimal(
        client.get(f"/api/v1/charters/{charter_id}/payment-plan", headers=headers).json()["balance"]
    )


def test_booking_makes_the_standard_plan(client, acct):
    charter = booked_charter(price="1000.00", trip_in_days=60)
    plan = client.get(f"/api/v1/charters/{charter.id}/payment-plan", headers=acct).json()
    today = clock.now().date()
    assert Decimal(plan["deposit_amount"]) == Decimal("250.00")  # 25 % by default
    assert Decimal(plan["balance_amount"]) == Decimal("750.00")
    assert plan["deposit_due_date"] == str(charter.trip_date - timedelta(days=30))
    assert plan["balance_due_date"] == str(charter.trip_date - timedelta(days=2))
    assert [i["label"] for i in plan["installments"]] == ["Deposit", "Balance"]
    assert Decimal(plan["balance"]) == Decimal("1000.00") and not plan["deposit_paid"]
    near = booked_charter(price="99.99", trip_in_days=5)
    plan = client.get(f"/api/v1/charters/{near.id}/payment-plan", headers=acct).json()
    assert plan["deposit_due_date"] == str(max(today, near.trip_date - timedelta(days=30)))
    assert Decimal(plan["deposit_amount"]) + Decimal(plan["balance_amount"]) == Decimal("99.99")


def test_apply_one_payment_to_three_charters_and_view_the_breakdown(client, acct):
    owner, charters = client_with_charters(3)
    resp = client.post("/api/v1/payments", json=check_body(owner.id, "4000.00"), headers=acct)
    assert resp.status_code == 201, resp.text
    payment = resp.json()
    assert payment["unapplied_amount"] == "4000.00" and payment["check_number"] == "10452"
    body = {
        "applications": [
            {"charter_id": charters[0].id, "amount": "1000.00"},
            {"charter_id": charters[1].id, "amount": "1500.00"},
            {"charter_id": charters[2].id, "amount": "1000.00"},
        ]
    }
    resp = client.post(f"/api/v1/payments/{payment['id']}/apply-multiple", json=body, headers=acct)
    assert resp.status_code == 201, resp.text
    breakdown = resp.json()
    assert [Decimal(a["amount_applied"]) for a in breakdown["applications"]] == [
        Decimal("1000.00"),
        Decimal("1500.00"),
        Decimal("1000.00"),
    ]
    assert [Decimal(a["charter_balance"]) for a in breakdown["applications"]] == [
        Decimal("0.00"),
        Decimal("0.00"),
        Decimal("1500.00"),
    ]
    assert breakdown["applied_amount"] == "3500.00" and breakdown["unapplied_amount"] == "500.00"
    assert client.get(f"/api/v1/payments/{payment['id']}/applications", headers=acct).json() == breakdown
    got = client.get(f"/api/v1/payments/{payment['id']}", headers=acct).json()
    assert got["applied_to_multiple_charters"] is True
    plan = client.get(f"/api/v1/charters/{charters[0].id}/payment-plan", headers=acct).json()
    assert plan["deposit_paid"] and plan["balance_paid"]
    plan = client.get(f"/api/v1/charters/{charters[2].id}/payment-plan", headers=acct).json()
    assert plan["deposit_paid"] and not plan["balance_paid"]


def test_applying_more_than_the_payment_or_a_balance_is_refused_and_changes_nothing(client, acct):
    owner, charters = client_with_charters(2)
    pid = record(owner.id, "1200.00")
    too_much = {
        "applications": [
            {"charter_id": charters[0].id, "amount": "1000.00"},
            {"charter_id": charters[1].id, "amount": "300.00"},
        ]
    }
    resp = client.post(f"/api/v1/payments/{pid}/apply-multiple", json=too_much, headers=acct)
    assert resp.status_code == 409 and "1,200.00" in resp.json()["detail"]
    over_balance = {"applications": [{"charter_id": charters[0].id, "amount": "1000.01"}]}
    resp = client.post(f"/api/v1/payments/{pid}/apply-multiple", json=over_balance, headers=acct)
    assert resp.status_code == 409
    assert resp.json()["errors"][0]["field"] == "applications.0.amount"
    assert client.get(f"/api/v1/payments/{pid}/applications", headers=acct).json()["applications"] == []
    assert _balance(client, acct, charters[0].id) == Decimal("1000.00")


@pytest.mark.parametrize(
    "body, status",
    [
        ({"applications": []}, 422),
        ({"applications": [{"charter_id": 1, "amount": "0"}]}, 422),
        ({"applications": [{"charter_id": 1, "amount": "-5"}]}, 422),
        ({"applications": [{"charter_id": 1, "amount": "1.001"}]}, 422),
        ({"applications": [{"charter_id": "x", "amount": "1"}]}, 422),
        ({"applications": [{"charter_id": 1}]}, 422),
        ({"applications": [{"charter_id": 1, "amount": "1"}] * 51}, 422),
        ({"applications": "all"}, 422),
        ({}, 422),
        ({"applications": [{"charter_id": 1, "amount": "1", "extra": 1}]}, 422),
    ],
)
def test_malformed_applications_are_422(client, acct, body, status):
    owner = make_client()
    pid = record(owner.id, "100.00")
    assert (
        client.post(f"/api/v1/payments/{pid}/apply-multiple", json=body, headers=acct).status_code == status
    )


def test_refusals_name_the_charter(client, acct):
    owner, charters = client_with_charters(1)
    other = booked_charter()
    pid = record(owner.id, "500.00")
    resp = client.post(
        f"/api/v1/payments/{pid}/apply-multiple",
        headers=acct,
        json={"applications": [{"charter_id": other.id, "amount": "10.00"}]},
    )
    assert resp.status_code == 409 and "another client" in resp.text
    resp = client.post(
        f"/api/v1/payments/{pid}/apply-multiple",
        headers=acct,
        json={"applications": [{"charter_id": 2_000_000, "amount": "10.00"}]},
    )
    assert resp.status_code == 422 and "No charter" in resp.text
    twice = {"applications": [{"charter_id": charters[0].id, "amount": "1"}] * 2}
    assert client.post(f"/api/v1/payments/{pid}/apply-multiple", json=twice, headers=acct).status_code == 422
    assert (
        client.post(
            "/api/v1/payments/2000000/apply-multiple",
            headers=acct,
            json={"applications": [{"charter_id": charters[0].id, "amount": "1"}]},
        ).status_code
        == 404
    )


def test_a_quote_takes_no_payment(client, acct):
    from tests.factories_domain import make_charter

    owner = make_client()
    quote = make_charter(client_id=owner.id)
    pid = record(owner.id, "100.00")
    resp = client.post(
        f"/api/v1/payments/{pid}/apply-multiple",
        headers=acct,
        json={"applications": [{"charter_id": quote.id, "amount": "10.00"}]},
    )
    assert resp.status_code == 409 and "book it first" in resp.text


@pytest.mark.parametrize(
    "body, field",
    [
        ({"payment_method": "check", "check_number": None}, "check_number"),
        ({"payment_method": "po"}, "po_number"),
        ({"payment_method": "card"}, "payment_method"),
        ({"amount": "0"}, "amount"),
        ({"amount": "-1"}, "amount"),
        ({"amount": "10000000.01"}, "amount"),
        ({"amount": "12.345"}, "amount"),
        ({"amount": "lots"}, "amount"),
        ({"payment_method": "bitcoin"}, "payment_method"),
        ({"client_id": 2_000_000}, "client_id"),
        ({"client_id": "me"}, "client_id"),
        ({"check_number": "x" * 51}, "check_number"),
    ],
)
def test_bad_payments_are_422_and_create_nothing(client, acct, body, field):
    owner = make_client()
    resp = client.post("/api/v1/payments", json={**check_body(owner.id), **body}, headers=acct)
    assert resp.status_code == 422, resp.text
    assert field in resp.text
    assert client.get("/api/v1/payments", headers=acct).json()["total"] == 0


def test_future_dates_and_missing_fields(client, acct):
    owner = make_client()
    tomorrow = str(clock.now().date() + timedelta(days=2))
    assert (
        client.post(
            "/api/v1/payments", json=check_body(owner.id, payment_date=tomorrow), headers=acct
        ).status_code
        == 422
    )
    assert client.post("/api/v1/payments", json={"client_id": owner.id}, headers=acct).status_code == 422
    assert (
        client.post(
            "/api/v1/payments", content=b"{not json", headers={**acct, "Content-Type": "application/json"}
        ).status_code
        == 422
    )


def test_card_without_stripe_keys_is_unavailable_with_a_clear_message(client, acct):
    owner = make_client()
    resp = client.post(
        "/api/v1/payments",
        headers=acct,
        json={
            "client_id": owner.id,
            "amount": "10.00",
            "payment_method": "card",
            "payment_method_id": "pm_card_visa",
        },
    )
    assert resp.status_code == 422
    assert "Stripe is not configured" in resp.json()["detail"]
    assert client.post("/api/v1/payments", json=check_body(owner.id), headers=acct).status_code == 201


def test_po_payments_follow_the_client_types(client, acct):
    admin = user_headers(client, "admin")
    person = make_client(client_type="individual")
    firm = make_client(client_type="corporate")
    assert (
        client.put(
            "/api/v1/payment-config",
            json={"po_allowed_client_types": ["corporate", "government"]},
            headers=admin,
        ).status_code
        == 200
    )
    body = {"amount": "100.00", "payment_method": "po", "po_number": "PO-77"}
    resp = client.post("/api/v1/payments", json={"client_id": person.id, **body}, headers=acct)
    assert resp.status_code == 422 and "corporate, government" in resp.text
    resp = client.post("/api/v1/payments", json={"client_id": firm.id, **body}, headers=acct)
    assert resp.status_code == 201 and resp.json()["po_number"] == "PO-77"


@pytest.mark.parametrize(
    "role, status",
    [("sales_agent", 403), ("dispatcher", 403), ("client", 403), ("manager", 403), ("sales_support", 201)],
)
def test_who_may_record_payments(client, role, status):
    owner = make_client()
    headers = client_user_headers(client, owner.id) if role == "client" else user_headers(client, role)
    assert client.post("/api/v1/payments", json=check_body(owner.id), headers=headers).status_code == status


def test_reading_needs_the_permission_and_sign_in(client):
    owner = make_client()
    pid = record(owner.id, "10.00")
    assert client.get(f"/api/v1/payments/{pid}").status_code == 401
    assert (
        client.get(f"/api/v1/payments/{pid}", headers=user_headers(client, "sales_agent")).status_code == 403
    )
    assert client.get(f"/api/v1/payments/{pid}", headers=user_headers(client, "manager")).status_code == 200
    assert client.get("/api/v1/payments/2000000", headers=user_headers(client, "manager")).status_code == 404


def test_idempotency_key_replays_the_first_answer(client, acct):
    owner = make_client()
    headers = {**acct, "Idempotency-Key": "pay-123"}
    first = client.post("/api/v1/payments", json=check_body(owner.id, "250.00"), headers=headers)
    again = client.post("/api/v1/payments", json=check_body(owner.id, "250.00"), headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again.headers.get("Idempotent-Replayed") == "true"
    assert client.get("/api/v1/payments", headers=acct).json()["total"] == 1
    other = client.post("/api/v1/payments", json=check_body(owner.id, "251.00"), headers=headers)
    assert other.status_code == 409 and "different request" in other.json()["detail"]
    assert client.get("/api/v1/payments", headers=acct).json()["total"] == 1
    fresh = client.post(
        "/api/v1/payments",
        json=check_body(owner.id, "250.00"),
        headers={**acct, "Idempotency-Key": "pay-124"},
    )
    assert fresh.status_code == 201 and fresh.json()["id"] != first.json()["id"]


def test_a_refused_request_does_not_use_up_its_key(client, acct):
    owner = make_client()
    headers = {**acct, "Idempotency-Key": "k-1"}
    bad = check_body(owner.id, "250.00", payment_date=str(clock.now().date() + timedelta(days=3)))
    assert client.post("/api/v1/payments", json=bad, headers=headers).status_code == 422
    good = check_body(owner.id, "250.00")
    assert client.post("/api/v1/payments", json=good, headers=headers).status_code == 201


def test_refund_is_a_new_record_off_the_unapplied_part_first(client, acct):
    owner, charters = client_with_charters(1)
    pid = record(
        owner.id, "1500.00", applications=[{"charter_id": charters[0].id, "amount": Decimal("1000")}]
    )
    resp = client.post(
        f"/api/v1/payments/{pid}/refund", json={"amount": "400.00", "reason": "overpaid"}, headers=acct
    )
    assert resp.status_code == 201, resp.text
    refund = resp.json()
    assert refund["payment_type"] == "refund" and refund["original_payment_id"] == pid
    assert _balance(client, acct, charters[0].id) == Decimal("0.00")  # came off the unapplied 500
    original = client.get(f"/api/v1/payments/{pid}", headers=acct).json()
    assert original["amount"] == "1500.00" and original["refunded_amount"] == "400.00"
    assert original["unapplied_amount"] == "100.00"
    resp = client.post(
        f"/api/v1/payments/{pid}/refund", json={"amount": "300.00", "reason": "trip shortened"}, headers=acct
    )
    assert resp.status_code == 201
    assert _balance(client, acct, charters[0].id) == Decimal("200.00")
    resp = client.post(
        f"/api/v1/payments/{pid}/refund", json={"amount": "800.01", "reason": "x"}, headers=acct
    )
    assert resp.status_code == 409
    assert (
        client.post(
            f"/api/v1/payments/{pid}/refund", json={"amount": "1", "reason": ""}, headers=acct
        ).status_code
        == 422
    )
    assert (
        client.post(
            f"/api/v1/payments/{pid}/refund",
            json={"amount": "1", "reason": "x"},
            headers=user_headers(client, "sales_support"),
        ).status_code
        == 403
    )


def test_void_takes_a_bounced_check_off_every_charter(client, acct):
    owner, charters = client_with_charters(2)
    pid = record(
        owner.id,
        "2000.00",
        applications=[
            {"charter_id": charters[0].id, "amount": Decimal("1000")},
            {"charter_id": charters[1].id, "amount": Decimal("1000")},
        ],
    )
    resp = client.post(f"/api/v1/payments/{pid}/void", json={"reason": "check bounced"}, headers=acct)
    assert resp.status_code == 201 and resp.json()["payment_type"] == "void"
    assert resp.json()["amount"] == "2000.00"
    assert _balance(client, acct, charters[0].id) == Decimal("1000.00")
    assert _balance(client, acct, charters[1].id) == Decimal("1500.00")
    assert (
        client.post(f"/api/v1/payments/{pid}/void", json={"reason": "again"}, headers=acct).status_code == 409
    )
    assert (
        client.post(
            f"/api/v1/payments/{resp.json()['id']}/void", json={"reason": "x"}, headers=acct
        ).status_code
        == 409
    )
    breakdown = client.get(f"/api/v1/payments/{pid}/applications", headers=acct).json()
    assert breakdown["applied_amount"] == "0.00" and breakdown["unapplied_amount"] == "0.00"
    assert len(breakdown["applications"]) == 4  # two on, two off: history kept


def test_unapply_frees_money_to_apply_elsewhere(client, acct):
    owner, charters = client_with_charters(2)
    pid = record(
        owner.id, "1000.00", applications=[{"charter_id": charters[0].id, "amount": Decimal("1000")}]
    )
    resp = client.post(
        f"/api/v1/payments/{pid}/unapply", json={"charter_id": charters[0].id, "amount": "400"}, headers=acct
    )
    assert resp.status_code == 200 and resp.json()["unapplied_amount"] == "400.00"
    resp = client.post(
        f"/api/v1/payments/{pid}/apply-multiple",
        headers=acct,
        json={"applications": [{"charter_id": charters[1].id, "amount": "400.00"}]},
    )
    assert resp.status_code == 201
    assert (
        client.post(
            f"/api/v1/payments/{pid}/unapply",
            json={"charter_id": charters[0].id, "amount": "600.01"},
            headers=acct,
        ).status_code
        == 422
    )


def test_adjusting_the_date_is_audited(client, acct):
    owner = make_client()
    pid = record(owner.id, "10.00")
    day = str(clock.now().date() - timedelta(days=3))
    resp = client.put(
        f"/api/v1/payments/{pid}/payment-date", json={"payment_date": day, "reason": "typo"}, headers=acct
    )
    assert resp.status_code == 200 and resp.json()["payment_date"] == day
    admin = user_headers(client, "admin")
    rows = client.get(
        "/api/v1/audit-log", params={"entity_type": "payment", "entity_id": pid}, headers=admin
    ).json()["items"]
    assert any(r["action"] == "adjust_date" and r["new_values"]["reason"] == "typo" for r in rows)
    assert (
        client.put(
            f"/api/v1/payments/{pid}/payment-date",
            json={"payment_date": day, "reason": "x"},
            headers=user_headers(client, "sales_support"),
        ).status_code
        == 403
    )


def test_list_filters(client, acct):
    owner, charters = client_with_charters(1)
    record(owner.id, "10.00", applications=[{"charter_id": charters[0].id, "amount": Decimal("10")}])
    record(owner.id, "20.00", method="wire", reference_number="W-9")
    record(make_client().id, "30.00", method="cash")
    assert client.get("/api/v1/payments", params={"client_id": owner.id}, headers=acct).json()["total"] == 2
    assert (
        client.get("/api/v1/payments", params={"charter_id": charters[0].id}, headers=acct).json()["total"]
        == 1
    )
    assert (
        client.get("/api/v1/payments", params={"payment_method": "wire"}, headers=acct).json()["total"] == 1
    )
    assert client.get("/api/v1/payments", params={"q": "w-9"}, headers=acct).json()["total"] == 1
    assert client.get("/api/v1/payments", params={"payment_method": "gold"}, headers=acct).status_code == 422
    today = str(clock.now().date())
    assert (
        client.get(
            "/api/v1/payments", params={"date_from": today, "date_to": "2000-01-01"}, headers=acct
        ).status_code
        == 422
    )


def test_custom_plan_must_add_up(client, acct):
    charter = booked_charter(price="1000.00", trip_in_days=90)
    day = clock.now().date()
    body = {
        "installments": [
            {"due_date": str(day + timedelta(days=10)), "amount": "300.00"},
            {"due_date": str(day + timedelta(days=40)), "amount": "300.00"},
            {"label": "Final", "due_date": str(day + timedelta(days=80)), "amount": "400.00"},
        ]
    }
    resp = client.put(f"/api/v1/charters/{charter.id}/payment-plan", json=body, headers=acct)
    assert resp.status_code == 200, resp.text
    plan = resp.json()
    assert [i["label"] for i in plan["installments"]] == ["Installment 1", "Installment 2", "Final"]
    assert plan["balance_amount"] == "400.00" and len(plan["custom_installments"]) == 3
    body["installments"][2]["amount"] = "399.99"
    resp = client.put(f"/api/v1/charters/{charter.id}/payment-plan", json=body, headers=acct)
    assert resp.status_code == 422 and "999.99" in resp.text
    body["installments"][2]["amount"] = "400.00"
    body["installments"][0]["due_date"] = str(day + timedelta(days=50))
    assert (
        client.put(f"/api/v1/charters/{charter.id}/payment-plan", json=body, headers=acct).status_code == 422
    )
    assert (
        client.put(
            f"/api/v1/charters/{charter.id}/payment-plan", json=body, headers=user_headers(client, "manager")
        ).status_code
        == 403
    )


def test_payment_config_get_put(client):
    admin = user_headers(client, "admin")
    got = client.get("/api/v1/payment-config", headers=admin).json()
    assert got["deposit_percentage"] == "25.00" and got["cancellation_policy"][0]["days_before"] == 30
    resp = client.put(
        "/api/v1/payment-config", json={"deposit_percentage": "30", "deposit_days_before": 45}, headers=admin
    )
    assert resp.status_code == 200 and resp.json()["deposit_percentage"] == "30.00"
    charter = booked_charter(price="1000.00", trip_in_days=90)
    plan = client.get(f"/api/v1/charters/{charter.id}/payment-plan", headers=admin).json()
    assert plan["deposit_amount"] == "300.00"
    for bad in (
        {"deposit_percentage": "101"},
        {"balance_due_days_before": 60},
        {"cancellation_policy": [{"days_before": 10, "fee_percentage": "50"}]},
        {"po_allowed_client_types": ["pirates"]},
        {"deposit_days_before": -1},
        {"nope": 1},
        {"allow_autopay": None},
        {"deposit_percentage": None},
    ):
        assert client.put("/api/v1/payment-config", json=bad, headers=admin).status_code == 422, bad
    assert client.get("/api/v1/payment-config", headers=admin).json()["deposit_percentage"] == "30.00"
    assert (
        client.put(
            "/api/v1/payment-config",
            json={"deposit_percentage": "10"},
            headers=user_headers(client, "sales_support"),
        ).status_code
        == 403
    )


def test_cancelling_keeps_the_policy_fee_and_refunds_the_rest(client, acct):
    admin = user_headers(client, "admin")
    owner, charters = client_with_charters(1, prices=("2000.00",))
    charter = charters[0]  # trip in 30 days: the 30-day tier, no fee
    client.put(
        "/api/v1/payment-config",
        headers=admin,
        json={
            "cancellation_policy": [
                {"days_before": 60, "fee_percentage": "0"},
                {"days_before": 14, "fee_percentage": "10"},
                {"days_before": 0, "fee_percentage": "100"},
            ]
        },
    )
    pid = record(owner.id, "1000.00", applications=[{"charter_id": charter.id, "amount": Decimal("1000")}])
    resp = client.post(
        f"/api/v1/charters/{charter.id}/cancel", json={"cancellation_reason": "Event moved"}, headers=admin
    )
    assert resp.status_code == 200, resp.text
    data = resp.json()
    assert data["status"] == "cancelled" and data["cancellation_fee"] == "200.00"
    assert data["cancellation_fee_paid"] is True and data["cancelled_by"] is not None
    refunds = client.get("/api/v1/payments", params={"payment_type": "refund"}, headers=acct).json()["items"]
    assert [(r["amount"], r["original_payment_id"]) for r in refunds] == [("800.00", pid)]
    assert _balance(client, acct, charter.id) == Decimal("0.00")


def test_cancellation_fee_becomes_receivable(client, acct):
    admin = user_headers(client, "admin")
    charter = booked_charter(price="1000.00", trip_in_days=40)
    resp = client.post(
        f"/api/v1/charters/{charter.id}/cancel",
        headers=admin,
        json={"cancellation_reason": "Client", "cancellation_fee": "150.00"},
    )
    assert resp.status_code == 200 and resp.json()["cancellation_fee_paid"] is False
    assert _balance(client, acct, charter.id) == Decimal("150.00")
    pid = record(charter.client_id, "150.00")
    resp = client.post(
        f"/api/v1/payments/{pid}/apply-multiple",
        headers=acct,
        json={"applications": [{"charter_id": charter.id, "amount": "150.00"}]},
    )
    assert resp.status_code == 201
    got = client.get(f"/api/v1/charters/{charter.id}", headers=admin).json()
    assert got["cancellation_fee_paid"] is True
