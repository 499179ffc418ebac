"""The Stripe card gateway, through the real SDK with a fake HTTP client (no test talks to Stripe)."""

from decimal import Decimal

import pytest
import stripe

from coachway.config import get_settings
from coachway.integrations import payments_gateway
from coachway.integrations.payments_gateway import (
    CARD_UNAVAILABLE,
    GatewayError,
    InvalidWebhook,
    StripeGateway,
    get_card_gateway,
    set_card_gateway,
    to_cents,
)
from tests.factories_stripe import (
    WEBHOOK_SECRET,
    card_error_json,
    event,
    fake_gateway,
    intent_json,
    payload_of,
    sign,
)


def _charge(gateway, amount="100.00", **kw):
    args = {"amount": Decimal(amount), "customer_id": "cus_1", "payment_method_id": "pm_card_visa",
            "description": "Charter C-1 deposit", "idempotency_key": "payment-1",
            "metadata": {"payment_id": "1"}}
    return gateway.charge(**{**args, **kw})


def _answers(status: int, body: dict):
    return lambda method, path, params: (status, body)


@pytest.mark.parametrize(("amount", "cents"), [("0.01", 1), ("19.99", 1999), ("1234567.89", 123456789),
                                                ("100", 10000), ("0.10", 10), ("20.5", 2050)])
def test_dollars_become_exact_cents(amount, cents):
    assert to_cents(Decimal(amount)) == cents


@pytest.mark.parametrize("amount", ["0.001", "19.999", "0", "-5.00", "NaN"])
def test_amounts_that_are_not_whole_positive_cents_are_refused(amount):
    with pytest.raises(ValueError):
        to_cents(Decimal(amount))


def test_float_amount_is_refused():
    with pytest.raises(TypeError):
        to_cents(19.99)  # type: ignore[arg-type]


@pytest.mark.parametrize(("amount", "cents"), [("0.01", "1"), ("19.99", "1999"), ("1234567.89", "123456789")])
def test_charge_sends_the_amount_in_cents_in_usd(amount, cents):
    gateway, http = fake_gateway(_answers(200, intent_json()))
    _charge(gateway, amount)
    [req] = http.requests
    assert (req["method"], req["path"]) == ("POST", "/v1/payment_intents")
    assert req["params"]["amount"] == cents
    assert req["params"]["currency"] == "usd"


def test_charge_confirms_off_session_with_the_saved_card_and_metadata():
    gateway, http = fake_gateway(_answers(200, intent_json()))
    _charge(gateway, metadata={"payment_id": "7", "client_id": "3"})
    params = http.requests[0]["params"]
    assert params["confirm"] == "true" and params["off_session"] == "true"
    assert params["customer"] == "cus_1" and params["payment_method"] == "pm_card_visa"
    assert params["description"] == "Charter C-1 deposit"
    assert params["metadata[payment_id]"] == "7" and params["metadata[client_id]"] == "3"


def test_charge_passes_the_idempotency_key_to_stripe():
    gateway, http = fake_gateway(_answers(200, intent_json()))
    _charge(gateway, idempotency_key="payment-42-charge")
    assert http.requests[0]["headers"]["Idempotency-Key"] == "payment-42-charge"


def test_secret_key_is_sent_as_bearer_token():
    gateway, http = fake_gateway(_answers(200, intent_json()))
    _charge(gateway)
    assert http.requests[0]["headers"]["Authorization"] == "Bearer sk_test_fake"


def test_succeeded_intent_is_a_succeeded_charge_with_its_charge_id():
    gateway, _ = fake_gateway(_answers(200, intent_json(intent_id="pi_9", latest_charge="ch_9")))
    result = _charge(gateway)
    assert (result.intent_id, result.status, result.charge_id, result.failure_message) == \
        ("pi_9", "succeeded", "ch_9", None)


@pytest.mark.parametrize("stripe_status", ["processing", "requires_capture"])
def test_processing_intent_is_a_pending_charge(stripe_status):
    gateway, _ = fake_gateway(_answers(200, intent_json(status=stripe_status)))
    result = _charge(gateway)
    assert result.status == "pending" and result.failure_message is None


@pytest.mark.parametrize("stripe_status", ["requires_payment_method", "canceled", "requires_action"])
def test_unfinished_or_cancelled_intent_is_a_failed_charge_with_a_message(stripe_status):
    body = intent_json(status=stripe_status, latest_charge=None,
                       last_payment_error={"message": "Your card was declined."}
                       if stripe_status == "requires_payment_method" else None)
    gateway, _ = fake_gateway(_answers(200, body))
    result = _charge(gateway)
    assert result.status == "failed" and result.intent_id == "pi_1"
    assert result.failure_message


def test_card_decline_is_a_failed_charge_with_the_decline_message():
    gateway, _ = fake_gateway(_answers(402, card_error_json("Your card has insufficient funds.",
                                                            intent_id="pi_declined")))
    result = _charge(gateway)
    assert result.status == "failed"
    assert result.failure_message == "Your card has insufficient funds."
    assert result.intent_id == "pi_declined" and result.charge_id == "ch_declined"


def test_card_decline_without_an_intent_is_still_a_failed_charge():
    gateway, _ = fake_gateway(_answers(402, card_error_json("Your card was declined.", intent_id=None)))
    result = _charge(gateway)
    assert (result.status, result.intent_id, result.failure_message) == \
        ("failed", None, "Your card was declined.")


def test_declined_charge_is_not_retried():
    gateway, http = fake_gateway(_answers(402, card_error_json()))
    _charge(gateway)
    assert len(http.requests) == 1


def test_stripe_refusing_the_request_is_a_gateway_error_with_its_message():
    body = {"error": {"type": "invalid_request_error", "message": "No such customer: 'cus_gone'",
                      "param": "customer"}}
    gateway, _ = fake_gateway(_answers(400, body))
    with pytest.raises(GatewayError, match="No such customer"):
        _charge(gateway, customer_id="cus_gone")


def test_stripe_refusal_is_certain_nothing_was_charged():
    gateway, _ = fake_gateway(_answers(400, {"error": {"type": "invalid_request_error", "message": "Bad."}}))
    with pytest.raises(GatewayError) as caught:
        _charge(gateway)
    assert caught.value.uncertain is False


def test_no_answer_from_stripe_is_an_uncertain_gateway_error():
    def unreachable(method, path, params):
        raise stripe.APIConnectionError("Connection reset by peer", should_retry=False)

    gateway, _ = fake_gateway(unreachable)
    with pytest.raises(GatewayError) as caught:
        _charge(gateway)
    assert caught.value.uncertain is True


def test_existing_customer_is_reused_without_asking_stripe():
    gateway, http = fake_gateway(_answers(500, {}))
    assert gateway.ensure_customer(existing_id="cus_known", email="a@b.example", name="Acme",
                                   client_id=5) == "cus_known"
    assert http.requests == []


def test_new_customer_is_created_with_the_client_id():
    gateway, http = fake_gateway(_answers(200, {"id": "cus_new", "object": "customer"}))
    assert gateway.ensure_customer(existing_id=None, email="ap@acme.example", name="Acme Corp",
                                   client_id=12) == "cus_new"
    [req] = http.requests
    assert (req["method"], req["path"]) == ("POST", "/v1/customers")
    assert req["params"] == {"name": "Acme Corp", "email": "ap@acme.example", "metadata[client_id]": "12"}


def test_customer_without_email_is_created_without_one():
    gateway, http = fake_gateway(_answers(200, {"id": "cus_new", "object": "customer"}))
    gateway.ensure_customer(existing_id=None, email=None, name="Acme Corp", client_id=12)
    assert "email" not in http.requests[0]["params"]


def test_refund_sends_cents_intent_and_idempotency_key():
    gateway, http = fake_gateway(_answers(200, {"id": "re_1", "object": "refund", "status": "succeeded",
                                                "amount": 1999}))
    result = gateway.refund(intent_id="pi_1", amount=Decimal("19.99"), idempotency_key="refund-3",
                            metadata={"payment_id": "3"})
    assert (result.refund_id, result.status) == ("re_1", "succeeded")
    [req] = http.requests
    assert (req["method"], req["path"]) == ("POST", "/v1/refunds")
    assert req["params"]["payment_intent"] == "pi_1" and req["params"]["amount"] == "1999"
    assert req["params"]["metadata[payment_id]"] == "3"
    assert req["headers"]["Idempotency-Key"] == "refund-3"


def test_refund_refused_by_stripe_is_a_gateway_error():
    body = {"error": {"type": "invalid_request_error", "code": "charge_already_refunded",
                      "message": "Charge ch_1 has already been refunded."}}
    gateway, _ = fake_gateway(_answers(400, body))
    with pytest.raises(GatewayError, match="already been refunded"):
        gateway.refund(intent_id="pi_1", amount=Decimal("5.00"), idempotency_key="refund-4", metadata={})


def test_api_base_points_the_sdk_elsewhere():
    http = fake_gateway(_answers(200, intent_json()))[1]
    gateway = StripeGateway("sk_test_fake", api_base="http://127.0.0.1:12111", http_client=http)
    _charge(gateway)
    assert http.requests[0]["url"].startswith("http://127.0.0.1:12111/v1/payment_intents")


def test_without_a_secret_key_there_is_no_card_gateway(monkeypatch):
    monkeypatch.setenv("COACHWAY_STRIPE_SECRET_KEY", "")
    get_settings.cache_clear()
    assert get_card_gateway() is None
    assert "COACHWAY_STRIPE_SECRET_KEY" in CARD_UNAVAILABLE


def test_with_a_secret_key_the_gateway_is_stripe(monkeypatch):
    monkeypatch.setenv("COACHWAY_STRIPE_SECRET_KEY", "sk_test_configured")
    monkeypatch.setenv("COACHWAY_STRIPE_API_BASE", "http://127.0.0.1:12111")
    get_settings.cache_clear()
    gateway = get_card_gateway()
    assert isinstance(gateway, StripeGateway)


def test_a_gateway_set_by_tests_wins_until_cleared(monkeypatch):
    monkeypatch.setenv("COACHWAY_STRIPE_SECRET_KEY", "")
    get_settings.cache_clear()
    gateway, _ = fake_gateway(_answers(200, intent_json()))
    set_card_gateway(gateway)
    try:
        assert get_card_gateway() is gateway
    finally:
        set_card_gateway(None)
    assert get_card_gateway() is None
    assert payments_gateway._override is None


# ---------------------------------------------------------------- webhook signatures

def test_signed_event_is_parsed():
    payload = payload_of(event("payment_intent.succeeded", intent_json(), event_id="evt_ok"))
    parsed = payments_gateway.parse_event(payload, sign(payload), WEBHOOK_SECRET, 300)
    assert parsed["id"] == "evt_ok" and parsed["data"]["object"]["id"] == "pi_1"


def test_event_signed_with_another_secret_is_invalid():
    payload = payload_of(event("payment_intent.succeeded", intent_json()))
    with pytest.raises(InvalidWebhook):
        payments_gateway.parse_event(payload, sign(payload, secret="whsec_other"), WEBHOOK_SECRET, 300)


def test_stale_signature_is_invalid():
    import time

    payload = payload_of(event("payment_intent.succeeded", intent_json()))
    with pytest.raises(InvalidWebhook, match="tolerance"):
        payments_gateway.parse_event(payload, sign(payload, timestamp=int(time.time()) - 301), WEBHOOK_SECRET,
                                     300)


@pytest.mark.parametrize("header", ["", "garbage", "t=abc,v1=00", "t=1700000000", "v1=abc"])
def test_malformed_signature_header_is_invalid(header):
    payload = payload_of(event("payment_intent.succeeded", intent_json()))
    with pytest.raises(InvalidWebhook):
        payments_gateway.parse_event(payload, header, WEBHOOK_SECRET, 300)


@pytest.mark.parametrize("payload", [b"not json", b"[1, 2]", b'{"id": "evt_1"}', b"\xff\xfe"])
def test_signed_body_that_is_not_an_event_is_invalid(payload):
    with pytest.raises(InvalidWebhook):
        payments_gateway.parse_event(payload, sign(payload), WEBHOOK_SECRET, 300)


def test_gateway_parse_event_is_the_same_check():
    gateway, _ = fake_gateway(_answers(200, {}))
    payload = payload_of(event("charge.refunded", {"id": "ch_1"}, event_id="evt_g"))
    assert gateway.parse_event(payload, sign(payload), WEBHOOK_SECRET, 300)["id"] == "evt_g"
