"""POST /api/v1/payments/stripe/webhook: Stripe's signed events settle card payments and record refunds, each
event once. Signatures are made as Stripe makes them (HMAC-SHA256 of "t.body" with the signing secret)."""

import threading
import time
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from coachway.config import get_settings
from coachway.core import clock
from coachway.core.db import new_session, transaction
from coachway.core.errors import install_error_handlers
from coachway.core.models import AuditLog
from coachway.core.permissions import SYSTEM
from coachway.payments import api_stripe
from coachway.payments.models import Payment, StripeEvent
from coachway.payments.service.payments import charge_card, refund_payment
from coachway.payments.service.webhook import RETRY_UNKNOWN_OWN_INTENT_SECONDS, handle_stripe_event
from tests.factories_domain import make_client
from tests.factories_stripe import (
    WEBHOOK_SECRET,
    charge_refunded_event,
    event,
    intent_event,
    intent_json,
    make_card_payment,
    payload_of,
    refund_json,
    sign,
    stripe_answering,
)

WEBHOOK = "/api/v1/payments/stripe/webhook"
NOW = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)


@pytest.fixture
def stripe_client(app, monkeypatch):
    """The app with a webhook signing secret configured (and the webhook route, until payments mounts it)."""
    monkeypatch.setenv("COACHWAY_STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET)
    monkeypatch.setenv("COACHWAY_STRIPE_WEBHOOK_TOLERANCE", "300")
    get_settings.cache_clear()
    clock.set_clock(lambda: NOW)
    with TestClient(app) as c:
        yield c


def deliver(client, evt_or_payload, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None,
            headers: dict | None = None):
    """POST one event (or raw body) signed as Stripe would."""
    payload = evt_or_payload if isinstance(evt_or_payload, bytes) else payload_of(evt_or_payload)
    sent = {"Stripe-Signature": sign(payload, secret=secret, timestamp=timestamp),
            "Content-Type": "application/json"}
    return client.post(WEBHOOK, content=payload, headers=headers if headers is not None else sent)


def payment(payment_id: int) -> Payment:
    with transaction() as s:
        return s.get(Payment, payment_id)


def refunds_of(payment_id: int) -> list[Payment]:
    with transaction() as s:
        return list(s.scalars(select(Payment).where(Payment.original_payment_id == payment_id)
                              .order_by(Payment.id)))


def count(model, *where) -> int:
    with transaction() as s:
        return s.scalar(select(func.count()).select_from(model).where(*where))


def payment_audits(payment_id: int) -> list[AuditLog]:
    with transaction() as s:
        return list(s.scalars(select(AuditLog).where(AuditLog.entity_type == "payment",
                                                     AuditLog.entity_id == str(payment_id))
                              .order_by(AuditLog.id)))


def ok(r) -> str:
    assert r.status_code == 200, r.text
    assert r.json()["received"] is True
    return r.json()["outcome"]


# ---------------------------------------------------------------- settling card payments

def test_succeeded_event_settles_the_pending_payment(stripe_client):
    p = make_card_payment(intent_id="pi_ok")
    assert ok(deliver(stripe_client, intent_event("payment_intent.succeeded", "pi_ok", charge_id="ch_ok"))) \
        == "payment succeeded"
    after = payment(p.id)
    assert after.status == "succeeded"
    assert after.stripe_charge_id == "ch_ok"
    assert after.succeeded_at == NOW
    [audited] = payment_audits(p.id)
    assert audited.action == "stripe_succeeded" and audited.actor_id is None
    assert audited.old_values["status"] == "pending" and audited.new_values["status"] == "succeeded"


def test_failed_event_fails_the_pending_payment_with_stripes_message(stripe_client):
    p = make_card_payment(intent_id="pi_bad")
    evt = intent_event("payment_intent.payment_failed", "pi_bad", message="Your card has insufficient funds.")
    assert ok(deliver(stripe_client, evt)) == "payment failed"
    after = payment(p.id)
    assert after.status == "failed"
    assert after.failure_message == "Your card has insufficient funds."
    assert after.succeeded_at is None
    assert [a.action for a in payment_audits(p.id)] == ["stripe_failed"]


def test_failed_event_on_a_payment_that_already_succeeded_leaves_it(stripe_client):
    p = make_card_payment(intent_id="pi_done", status="succeeded")
    evt = intent_event("payment_intent.payment_failed", "pi_done", message="x")
    outcome = ok(deliver(stripe_client, evt))
    assert outcome == "ignored (payment already succeeded)"
    assert payment(p.id).status == "succeeded" and payment(p.id).failure_message is None
    assert payment_audits(p.id) == []


def test_succeeded_event_on_a_failed_payment_leaves_it(stripe_client):
    p = make_card_payment(intent_id="pi_failed", status="failed")
    assert ok(deliver(stripe_client, intent_event("payment_intent.succeeded", "pi_failed"))) \
        == "ignored (payment already failed)"
    assert payment(p.id).status == "failed"


def test_event_is_recorded_with_its_payment_and_outcome(stripe_client):
    p = make_card_payment(intent_id="pi_rec")
    ok(deliver(stripe_client, intent_event("payment_intent.succeeded", "pi_rec", event_id="evt_rec")))
    with transaction() as s:
        row = s.scalars(select(StripeEvent)).one()
    assert (row.event_id, row.event_type, row.payment_id, row.outcome) == \
        ("evt_rec", "payment_intent.succeeded", p.id, "payment succeeded")


def test_replayed_event_changes_nothing(stripe_client):
    p = make_card_payment(intent_id="pi_replay")
    evt = intent_event("payment_intent.succeeded", "pi_replay", event_id="evt_replay")
    ok(deliver(stripe_client, evt))
    # Put the payment back as it was: a replay that acted again would settle it a second time.
    with transaction() as s:
        s.get(Payment, p.id).status = "pending"
    assert ok(deliver(stripe_client, evt)) == "already handled"
    assert payment(p.id).status == "pending"
    assert count(StripeEvent) == 1
    assert len(payment_audits(p.id)) == 1


def test_unknown_payment_intent_is_ignored_and_recorded(stripe_client):
    p = make_card_payment(intent_id="pi_mine")
    assert ok(deliver(stripe_client, intent_event("payment_intent.succeeded", "pi_someone_else"))) \
        == "ignored (unknown payment intent)"
    assert payment(p.id).status == "pending"
    assert count(StripeEvent, StripeEvent.outcome == "ignored (unknown payment intent)") == 1


def test_unknown_event_type_is_ignored_and_recorded(stripe_client):
    evt = event("customer.created", {"id": "cus_1", "object": "customer"}, event_id="evt_cus")
    assert ok(deliver(stripe_client, evt)) == "ignored"
    assert count(StripeEvent, StripeEvent.event_id == "evt_cus") == 1


def test_young_event_for_our_own_charge_not_stored_yet_is_asked_again(stripe_client):
    # CoachWay's charge request has not committed its payment row yet: Stripe must deliver the event again.
    obj = {**intent_json(intent_id="pi_in_flight"), "metadata": {"payment_id": "99"}}
    evt = {**event("payment_intent.succeeded", obj), "created": int(NOW.timestamp()) - 5}
    r = deliver(stripe_client, evt)
    assert r.status_code == 409
    assert r.headers["content-type"].startswith("application/problem+json")
    assert count(StripeEvent) == 0


def test_old_event_for_our_own_charge_never_stored_is_ignored(stripe_client):
    obj = {**intent_json(intent_id="pi_lost"), "metadata": {"payment_id": "99"}}
    evt = {**event("payment_intent.succeeded", obj),
           "created": int(NOW.timestamp()) - RETRY_UNKNOWN_OWN_INTENT_SECONDS - 1}
    assert ok(deliver(stripe_client, evt)) == "ignored (unknown payment intent)"


# ---------------------------------------------------------------- refunds

def test_charge_refunded_records_one_refund_even_when_delivered_twice(stripe_client):
    p = make_card_payment(intent_id="pi_ref", status="succeeded", charge_id="ch_ref")
    evt = charge_refunded_event("pi_ref", charge_id="ch_ref", refunds=[refund_json("re_1", 2550)],
                                event_id="evt_ref")
    assert ok(deliver(stripe_client, evt)) == "recorded 1 refund(s)"
    assert ok(deliver(stripe_client, evt)) == "already handled"
    [refund] = refunds_of(p.id)
    assert (refund.payment_type, refund.amount, refund.stripe_refund_id, refund.status) == \
        ("refund", Decimal("25.50"), "re_1", "succeeded")
    assert refund.client_id == p.client_id
    assert "re_1" in refund.reason


def test_later_charge_refunded_event_records_only_the_new_refund(stripe_client):
    p = make_card_payment(intent_id="pi_two", status="succeeded", amount=Decimal("100.00"))
    first = charge_refunded_event("pi_two", refunds=[refund_json("re_a", 1000, created=1)])
    ok(deliver(stripe_client, first))
    second = charge_refunded_event("pi_two", refunds=[refund_json("re_b", 2000, created=2),
                                                      refund_json("re_a", 1000, created=1)])
    assert ok(deliver(stripe_client, second)) == "recorded 1 refund(s)"
    assert [(r.stripe_refund_id, r.amount) for r in refunds_of(p.id)] == \
        [("re_a", Decimal("10.00")), ("re_b", Decimal("20.00"))]


def test_refund_already_recorded_by_staff_is_not_recorded_again(stripe_client):
    p = make_card_payment(intent_id="pi_staff", status="succeeded")
    with transaction() as s:
        s.add(Payment(client_id=p.client_id, amount=Decimal("40.00"), payment_type="refund",
                      payment_method="card", status="succeeded", payment_date=p.payment_date,
                      original_payment_id=p.id, stripe_refund_id="re_staff", reason="Trip cancelled"))
    evt = charge_refunded_event("pi_staff", refunds=[refund_json("re_staff", 4000)])
    assert ok(deliver(stripe_client, evt)) == "no new refund"
    assert len(refunds_of(p.id)) == 1


def test_charge_refunded_without_a_refunds_list_goes_by_the_refunded_total(stripe_client):
    p = make_card_payment(intent_id="pi_total", status="succeeded", amount=Decimal("80.00"))
    assert ok(deliver(stripe_client, charge_refunded_event("pi_total", amount_refunded=3000))) \
        == "recorded 1 refund(s)"
    # Another event (another id) reporting the same total adds nothing; a larger total adds the difference.
    assert ok(deliver(stripe_client, charge_refunded_event("pi_total", amount_refunded=3000))) \
        == "no new refund"
    assert ok(deliver(stripe_client, charge_refunded_event("pi_total", amount_refunded=8000))) \
        == "recorded 1 refund(s)"
    assert [r.amount for r in refunds_of(p.id)] == [Decimal("30.00"), Decimal("50.00")]


def test_failed_refunds_in_the_list_are_not_recorded(stripe_client):
    p = make_card_payment(intent_id="pi_rf", status="succeeded")
    evt = charge_refunded_event("pi_rf", refunds=[refund_json("re_failed", 1000, status="failed")],
                                amount_refunded=0)
    assert ok(deliver(stripe_client, evt)) == "no new refund"
    assert refunds_of(p.id) == []


def test_charge_refunded_for_a_payment_still_pending_settles_it_first(stripe_client):
    p = make_card_payment(intent_id="pi_late", amount=Decimal("50.00"))
    evt = charge_refunded_event("pi_late", charge_id="ch_late", refunds=[refund_json("re_late", 5000)])
    assert ok(deliver(stripe_client, evt)) == "recorded 1 refund(s)"
    after = payment(p.id)
    assert after.status == "succeeded" and after.stripe_charge_id == "ch_late"
    assert [r.amount for r in refunds_of(p.id)] == [Decimal("50.00")]


def test_charge_refunded_for_a_failed_payment_records_nothing(stripe_client):
    p = make_card_payment(intent_id="pi_nope", status="failed")
    evt = {**charge_refunded_event("pi_nope", refunds=[refund_json("re_x", 100)])}
    evt["data"]["object"]["status"] = "failed"
    assert ok(deliver(stripe_client, evt)) == "ignored (payment is failed)"
    assert refunds_of(p.id) == []


def test_charge_refunded_for_an_unknown_charge_is_ignored(stripe_client):
    evt = charge_refunded_event("pi_unknown", charge_id="ch_unknown", refunds=[refund_json("re_u", 100)])
    assert ok(deliver(stripe_client, evt)) == "ignored (unknown payment intent)"
    assert count(Payment) == 0


def test_charge_without_a_payment_intent_is_matched_by_its_charge_id(stripe_client):
    p = make_card_payment(intent_id="pi_other", status="succeeded", charge_id="ch_direct")
    evt = charge_refunded_event("pi_other", charge_id="ch_direct", refunds=[refund_json("re_direct", 700)])
    evt["data"]["object"]["payment_intent"] = None
    assert ok(deliver(stripe_client, evt)) == "recorded 1 refund(s)"
    assert [r.amount for r in refunds_of(p.id)] == [Decimal("7.00")]


def test_refund_larger_than_the_payment_is_noted_not_booked(stripe_client):
    p = make_card_payment(intent_id="pi_small", status="succeeded", amount=Decimal("10.00"))
    evt = charge_refunded_event("pi_small", amount=1000, refunds=[refund_json("re_big", 5000)])
    outcome = ok(deliver(stripe_client, evt))
    assert outcome.startswith("recorded 0 refund(s); not recorded: re_big")
    assert refunds_of(p.id) == []
    assert [a.action for a in payment_audits(p.id)] == ["stripe_refund_not_recorded"]


def test_two_deliveries_at_once_record_one_refund(stripe_client):
    p = make_card_payment(intent_id="pi_race", status="succeeded")
    evt = charge_refunded_event("pi_race", refunds=[refund_json("re_race", 1500)], event_id="evt_race")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def run():
        session = new_session()
        try:
            barrier.wait()
            outcomes.append(handle_stripe_event(session, evt))
            time.sleep(0.2)  # hold the transaction open so the other delivery meets it
            session.commit()
        finally:
            session.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes) == ["already handled", "recorded 1 refund(s)"]
    assert [r.stripe_refund_id for r in refunds_of(p.id)] == ["re_race"]
    assert count(StripeEvent) == 1


# ---------------------------------------------------------------- refusals (each changes nothing)

def _pending_and_event():
    p = make_card_payment(intent_id="pi_guard")
    return p, intent_event("payment_intent.succeeded", "pi_guard")


def _unchanged(p) -> None:
    assert payment(p.id).status == "pending"
    assert count(StripeEvent) == 0


def _problem(r, status: int) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    return r.json()


def test_event_signed_with_another_secret_is_refused(stripe_client):
    p, evt = _pending_and_event()
    _problem(deliver(stripe_client, evt, secret="whsec_impostor"), 400)
    _unchanged(p)


def test_event_signed_longer_ago_than_the_tolerance_is_refused(stripe_client):
    p, evt = _pending_and_event()
    body = _problem(deliver(stripe_client, evt, timestamp=int(time.time()) - 301), 400)
    assert "tolerance" in body["detail"]
    _unchanged(p)


def test_event_signed_within_the_tolerance_is_taken(stripe_client):
    p, evt = _pending_and_event()
    ok(deliver(stripe_client, evt, timestamp=int(time.time()) - 200))
    assert payment(p.id).status == "succeeded"


def test_event_without_signature_header_is_refused(stripe_client):
    p, evt = _pending_and_event()
    body = _problem(deliver(stripe_client, evt, headers={"Content-Type": "application/json"}), 400)
    assert "Stripe-Signature" in body["detail"]
    _unchanged(p)


def test_body_changed_after_signing_is_refused(stripe_client):
    p, evt = _pending_and_event()
    payload = payload_of(evt)
    header = sign(payload)
    r = stripe_client.post(WEBHOOK, content=payload.replace(b"pi_guard", b"pi_guarx"),
                           headers={"Stripe-Signature": header})
    _problem(r, 400)
    _unchanged(p)


def test_signed_garbage_is_refused(stripe_client):
    _problem(deliver(stripe_client, b"{not json"), 400)
    assert count(StripeEvent) == 0


def test_signed_json_that_is_not_an_event_is_refused(stripe_client):
    _problem(deliver(stripe_client, b'{"hello": "world"}'), 400)
    assert count(StripeEvent) == 0


def test_body_over_the_size_limit_is_refused(stripe_client):
    p, evt = _pending_and_event()
    evt["padding"] = "x" * api_stripe.MAX_WEBHOOK_BYTES
    _problem(deliver(stripe_client, evt), 413)
    _unchanged(p)


def test_streamed_body_over_the_size_limit_is_refused(stripe_client):
    chunk = b"x" * 65536

    def body():
        for _ in range(5):
            yield chunk

    r = stripe_client.post(WEBHOOK, content=body(), headers={"Stripe-Signature": "t=1,v1=00"})
    _problem(r, 413)


def test_without_a_signing_secret_webhooks_are_unavailable(stripe_client, monkeypatch):
    monkeypatch.setenv("COACHWAY_STRIPE_WEBHOOK_SECRET", "")
    get_settings.cache_clear()
    p, evt = _pending_and_event()
    body = _problem(deliver(stripe_client, evt), 503)
    assert "COACHWAY_STRIPE_WEBHOOK_SECRET" in body["detail"]
    _unchanged(p)


def test_webhook_needs_no_sign_in_and_no_csrf_token(stripe_client):
    p, evt = _pending_and_event()
    ok(deliver(stripe_client, evt))
    assert payment(p.id).status == "succeeded"


# ---------------------------------------------------------------- with the payments service's card actions

def test_card_charge_pending_at_stripe_is_settled_by_the_webhook(stripe_client):
    def stripe(method, path, params):
        if path == "/v1/customers":
            return 200, {"id": "cus_flow", "object": "customer"}
        return 200, intent_json(intent_id="pi_flow", status="processing", latest_charge=None)

    with stripe_answering(stripe) as http, transaction() as s:
        p = charge_card(s, SYSTEM, client_id=make_client().id, amount=Decimal("19.99"),
                        payment_method_id="pm_card_visa")
    assert p.status == "pending"
    assert http.requests[-1]["params"]["amount"] == "1999"
    ok(deliver(stripe_client, intent_event("payment_intent.succeeded", "pi_flow", charge_id="ch_flow")))
    assert (payment(p.id).status, payment(p.id).stripe_charge_id) == ("succeeded", "ch_flow")


def test_refund_made_by_staff_is_not_recorded_again_by_its_webhook(stripe_client):

    p = make_card_payment(intent_id="pi_staff_refund", status="succeeded", amount=Decimal("60.00"))
    refund = {"id": "re_by_staff", "object": "refund", "status": "succeeded", "amount": 2500}
    with stripe_answering(lambda method, path, params: (200, refund)) as http, transaction() as s:
        refund_payment(s, SYSTEM, p.id, Decimal("25.00"), "Trip shortened")
    assert http.requests[-1]["params"]["amount"] == "2500"
    evt = charge_refunded_event("pi_staff_refund", amount=6000, refunds=[refund_json("re_by_staff", 2500)])
    assert ok(deliver(stripe_client, evt)) == "no new refund"
    evt = charge_refunded_event("pi_staff_refund", amount=6000, amount_refunded=2500)
    assert ok(deliver(stripe_client, evt)) == "no new refund"
    assert [r.stripe_refund_id for r in refunds_of(p.id)] == ["re_by_staff"]


def test_webhook_router_sits_under_the_payments_api_prefix(monkeypatch):
    monkeypatch.setenv("COACHWAY_STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET)
    get_settings.cache_clear()
    payments_api = APIRouter(prefix="/api/v1")  # as coachway.payments.api's router
    payments_api.include_router(api_stripe.router)
    app = FastAPI()
    install_error_handlers(app)
    app.include_router(payments_api)
    with TestClient(app) as c:
        assert ok(deliver(c, event("customer.created", {"id": "cus_1"}))) == "ignored"
