"""Payments pages over HTTP: the list, recording a payment with applications, a payment's breakdown and its
actions (apply the rest, refund, void, correct the date), the applications list and the payment terms; who may
see what, and forms that fail without changing anything."""

from datetime import timedelta
from decimal import Decimal

import pytest

from coachway.core import clock
from coachway.core.db import transaction
from coachway.payments.models import Payment
from coachway.web.testing import form_post, sign_in
from tests.factories import PASSWORD, make_user, user_headers
from tests.factories_domain import make_client
from tests.factories_payments import client_with_charters, record


def _as(client, role: str = "accounting"):
    user = make_user(role=role)
    sign_in(client, user.email, PASSWORD)
    return user


def _payments() -> int:
    with transaction() as session:
        return session.query(Payment).count()


def test_record_a_payment_applied_to_three_charters(client):
    _as(client)
    owner, charters = client_with_charters(3)
    page = client.get(f"/admin/payments/new?client_id={owner.id}")
    assert page.status_code == 200
    for c in charters:
        assert f'name="apply_{c.id}"' in page.text
    resp = form_post(
        client,
        "/admin/payments",
        {
            "client_id": owner.id,
            "amount": "4,000.00",
            "payment_method": "check",
            "check_number": "1201",
            "bank_name": "First Bank",
            "payment_date": str(clock.now().date()),
            f"apply_{charters[0].id}": "1000",
            f"apply_{charters[1].id}": "1500.00",
            f"apply_{charters[2].id}": "$1,000",
        },
        page=f"/admin/payments/new?client_id={owner.id}",
    )
    assert resp.status_code == 422  # "4,000.00" is not an amount the form accepts
    assert _payments() == 0
    resp = form_post(
        client,
        "/admin/payments",
        {
            "client_id": owner.id,
            "amount": "4000.00",
            "payment_method": "check",
            "check_number": "1201",
            "bank_name": "First Bank",
            "payment_date": str(clock.now().date()),
            f"apply_{charters[0].id}": "1000",
            f"apply_{charters[1].id}": "1500.00",
            f"apply_{charters[2].id}": "$1,000",
        },
        page=f"/admin/payments/new?client_id={owner.id}",
    )
    assert resp.status_code == 303, resp.text
    detail = client.get(resp.headers["location"])
    assert "Applied to charters" in detail.text and "$3,500.00" in detail.text and "$500.00" in detail.text
    assert detail.text.count('data-charter-balance="') == 3
    assert client.get("/admin/payments").status_code == 200
    apps = client.get("/admin/payments/applications")
    assert apps.status_code == 200 and apps.text.count("Charter ") >= 3


def test_over_applying_is_refused_and_records_nothing(client):
    _as(client)
    owner, charters = client_with_charters(1)
    resp = form_post(
        client,
        "/admin/payments",
        {
            "client_id": owner.id,
            "amount": "500.00",
            "payment_method": "cash",
            "payment_date": str(clock.now().date()),
            f"apply_{charters[0].id}": "600.00",
        },
        page=f"/admin/payments/new?client_id={owner.id}",
    )
    assert resp.status_code == 409 and "left to apply" in resp.text
    assert 'value="600.00"' in resp.text  # what was typed stays
    assert _payments() == 0
    resp = form_post(
        client,
        "/admin/payments",
        {
            "client_id": owner.id,
            "amount": "500.00",
            "payment_method": "check",
            "payment_date": str(clock.now().date()),
            f"apply_{charters[0].id}": "abc",
        },
        page=f"/admin/payments/new?client_id={owner.id}",
    )
    assert resp.status_code == 422 and _payments() == 0
    resp = form_post(
        client, "/admin/payments", {"amount": "5", "payment_method": "cash"}, page="/admin/payments/new"
    )
    assert resp.status_code == 422 and "Choose the client" in resp.text


def test_client_search(client):
    _as(client)
    make_client(name="Harbor Tours")
    page = client.get("/admin/payments/new?q=harbor")
    assert "Harbor Tours" in page.text
    assert "No active client matches" in client.get("/admin/payments/new?q=zzzz").text


def test_apply_refund_void_and_date_from_the_payment_page(client):
    _as(client)
    owner, charters = client_with_charters(2)
    pid = record(owner.id, "3000.00")
    page = f"/admin/payments/{pid}"
    resp = form_post(client, f"{page}/apply", {f"apply_{charters[0].id}": "1000.00"}, page=page)
    assert resp.status_code == 303
    resp = form_post(client, f"{page}/apply", {f"apply_{charters[1].id}": "1600.00"}, page=page)
    assert resp.status_code == 409 and "left to pay" in resp.text
    resp = form_post(client, f"{page}/apply", {}, page=page)
    assert resp.status_code == 422
    resp = form_post(client, f"{page}/refund", {"amount": "100.00", "reason": "Overpaid"}, page=page)
    assert resp.status_code == 303
    resp = form_post(client, f"{page}/refund", {"amount": "100.00"}, page=page)
    assert resp.status_code == 422 and "Reason" in resp.text
    day = str(clock.now().date() - timedelta(days=2))
    assert (
        form_post(client, f"{page}/date", {"payment_date": day, "reason": "typo"}, page=page).status_code
        == 303
    )
    future = str(clock.now().date() + timedelta(days=5))
    assert (
        form_post(client, f"{page}/date", {"payment_date": future, "reason": "x"}, page=page).status_code
        == 422
    )
    assert form_post(client, f"{page}/void", {"reason": "Bounced"}, page=page).status_code == 303
    text = client.get(page).text
    assert "Void" in text and "Refund" in text
    with transaction() as session:
        assert session.get(Payment, pid).amount == Decimal("3000.00")  # never edited


@pytest.mark.parametrize(
    "role, path, status",
    [
        ("sales_agent", "/admin/payments", 403),
        ("dispatcher", "/admin/payments/applications", 403),
        ("manager", "/admin/payments", 200),
        ("manager", "/admin/payments/new", 403),
        ("sales_support", "/admin/settings/payment-config", 403),
        ("manager", "/admin/settings/payment-config", 200),
    ],
)
def test_who_sees_which_page(client, role, path, status):
    _as(client, role)
    assert client.get(path).status_code == status


def test_unknown_payment_is_404(client):
    _as(client)
    assert client.get("/admin/payments/2000000").status_code == 404
    assert client.get("/admin/payments/0").status_code in (400, 404, 422)


def test_payment_terms_page(client):
    _as(client, "admin")
    page = client.get("/admin/settings/payment-config")
    assert page.status_code == 200 and 'name="tier_days"' in page.text
    data = {
        "deposit_percentage": "30",
        "deposit_days_before": "30",
        "balance_due_days_before": "3",
        "allow_autopay": "on",
        "po_allowed_client_types": ["corporate", "government"],
        "tier_days": ["45", "10", "0", "", ""],
        "tier_pct": ["0", "50", "100", "", ""],
    }
    resp = form_post(client, "/admin/settings/payment-config", data)
    assert resp.status_code == 303, resp.text
    got = client.get("/api/v1/payment-config", headers=user_headers(client, "admin")).json()
    assert got["deposit_percentage"] == "30.00" and got["po_allowed_client_types"] == [
        "corporate",
        "government",
    ]
    assert [t["days_before"] for t in got["cancellation_policy"]] == [45, 10, 0]
    bad = {**data, "tier_days": ["45", "10", "", "", ""], "tier_pct": ["0", "50", "", "", ""]}
    resp = form_post(client, "/admin/settings/payment-config", bad)
    assert resp.status_code == 422 and "0 days" in resp.text
    resp = form_post(client, "/admin/settings/payment-config", {**data, "deposit_percentage": "150"})
    assert resp.status_code == 422
    assert (
        client.get("/api/v1/payment-config", headers=user_headers(client, "admin")).json()[
            "deposit_percentage"
        ]
        == "30.00"
    )


def test_the_charter_page_shows_its_plan_and_payments(client):
    _as(client)
    owner, charters = client_with_charters(1, prices=("1000.00",))
    pid = record(owner.id, "400.00", applications=[{"charter_id": charters[0].id, "amount": Decimal("400")}])
    page = client.get(f"/admin/charters/{charters[0].id}").text
    assert 'id="h-payments"' in page and f"/admin/payments/{pid}" in page
    assert "$600.00" in page  # the balance
    assert "Deposit" in page and "Paid</span>" in page and "$150.00 paid" in page  # 250 + 150 of 750
    _as(client, "dispatcher")
    assert 'id="h-payments"' not in client.get(f"/admin/charters/{charters[0].id}").text


def test_the_spec_apply_page_leads_to_recording(client):
    _as(client)
    resp = client.get("/admin/payments/apply", follow_redirects=False)
    assert resp.status_code == 307 and resp.headers["location"] == "/admin/payments/new"


def test_the_cancel_form_names_the_policy_fee(client):
    _as(client, "admin")
    owner, charters = client_with_charters(1, prices=("1000.00",))  # 30 days out: the 30-day tier, no fee
    page = client.get(f"/admin/charters/{charters[0].id}").text
    assert "fee: $0.00 (0 % at this notice)" in page
