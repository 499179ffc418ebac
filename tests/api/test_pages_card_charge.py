"""Charging a client's saved card by hand from the payment page, with Stripe answered by a fake HTTP client:
the saved cards listed, a charge recorded as succeeded, a decline recorded as failed with Stripe's reason,
and nothing offered without Stripe keys or without the permission."""

from decimal import Decimal

from coachway.core.db import transaction
from coachway.payments.models import Payment
from coachway.web.testing import form_post, sign_in
from tests.factories import PASSWORD, make_user
from tests.factories_domain import make_client
from tests.factories_stripe import card_error_json, intent_json, stripe_answering

CARD = {"id": "pm_visa", "object": "payment_method", "type": "card",
        "card": {"brand": "visa", "last4": "4242", "exp_month": 12, "exp_year": 2030}}


def _stripe(decline: bool = False):
    def answer(method, path, params):
        if method == "GET" and path == "/v1/customers/cus_1/payment_methods":
            return 200, {"object": "list", "data": [CARD], "has_more": False, "url": path}
        if method == "POST" and path == "/v1/payment_intents":
            if decline:
                return 402, card_error_json("Your card has insufficient funds.")
            return 200, intent_json(intent_id="pi_page", amount=int(params["amount"]))
        return 404, {"error": {"type": "invalid_request_error", "message": f"no {method} {path}"}}
    return answer


def _client_with_card():
    client = make_client(name="Lakeside Academy")
    with transaction() as session:
        from coachway.clients.models import Client

        session.get(Client, client.id).stripe_customer_id = "cus_1"
    return client


def _as(client, role="accounting"):
    user = make_user(role=role)
    sign_in(client, user.email, PASSWORD)


def _payments() -> list[Payment]:
    with transaction() as session:
        rows = session.query(Payment).order_by(Payment.id).all()
        session.expunge_all()
    return rows


def test_charge_a_saved_card(client):
    _as(client)
    owner = _client_with_card()
    page = f"/admin/payments/new?client_id={owner.id}"
    with stripe_answering(_stripe()) as http:
        text = client.get(page).text
        assert "Visa ending 4242, expires 12/2030" in text
        resp = form_post(client, "/admin/payments/charge", {"client_id": owner.id, "card_amount": "125.50",
                                                            "payment_method_id": "pm_visa"}, page=page)
    assert resp.status_code == 303
    [payment] = _payments()
    assert (payment.status, payment.amount) == ("succeeded", Decimal("125.50"))
    assert payment.payment_method == "card"
    assert payment.stripe_payment_intent_id == "pi_page"
    charge = [r for r in http.requests if r["path"] == "/v1/payment_intents"][-1]
    assert charge["params"]["amount"] == "12550" and charge["params"]["payment_method"] == "pm_visa"
    assert "Card charged" in client.get(resp.headers["location"]).text


def test_a_declined_card_is_recorded_as_failed_with_the_reason(client):
    _as(client)
    owner = _client_with_card()
    page = f"/admin/payments/new?client_id={owner.id}"
    with stripe_answering(_stripe(decline=True)):
        resp = form_post(client, "/admin/payments/charge", {"client_id": owner.id, "card_amount": "80.00",
                                                            "payment_method_id": "pm_visa"}, page=page)
    assert resp.status_code == 303
    [payment] = _payments()
    assert payment.status == "failed" and "insufficient funds" in payment.failure_message
    assert "insufficient funds" in client.get(resp.headers["location"]).text


def test_bad_charge_forms_change_nothing(client):
    _as(client)
    owner = _client_with_card()
    page = f"/admin/payments/new?client_id={owner.id}"
    with stripe_answering(_stripe()):
        for data in ({"card_amount": "0", "payment_method_id": "pm_visa"},
                     {"card_amount": "abc", "payment_method_id": "pm_visa"},
                     {"card_amount": "10.00"}):
            resp = form_post(client, "/admin/payments/charge", {"client_id": owner.id, **data}, page=page)
            assert resp.status_code == 422, data
    assert _payments() == []


def test_no_card_section_without_stripe_or_the_permission(client):
    owner = _client_with_card()
    _as(client)
    text = client.get(f"/admin/payments/new?client_id={owner.id}").text
    assert "Charge a saved card" not in text and "Stripe is not configured" in text
    resp = form_post(client, "/admin/payments/charge", {"client_id": owner.id, "card_amount": "5.00",
                                                        "payment_method_id": "pm_visa"},
                     page=f"/admin/payments/new?client_id={owner.id}")
    assert resp.status_code == 422 and _payments() == []
    _as(client, "sales_support")
    with stripe_answering(_stripe()):
        assert "Charge a saved card" not in client.get(f"/admin/payments/new?client_id={owner.id}").text
        resp = form_post(client, "/admin/payments/charge", {"client_id": owner.id, "card_amount": "5.00",
                                                            "payment_method_id": "pm_visa"},
                         page=f"/admin/payments/new?client_id={owner.id}")
    assert resp.status_code == 403 and _payments() == []
