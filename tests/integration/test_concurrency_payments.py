"""Payment application under parallel requests on PostgreSQL: the applied total never exceeds a payment, no
charter's balance goes below zero, and an Idempotency-Key retried at once creates one payment."""

from collections import Counter
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from coachway.core.db import transaction
from coachway.payments.models import Payment, PaymentApplication
from tests.factories import user_headers
from tests.factories_payments import check_body, client_with_charters, record
from tests.integration.parallel import allow_threads, in_parallel

pytestmark = pytest.mark.postgres

REQUESTS = 20


@pytest.fixture(autouse=True)
def postgres_only(is_postgres):
    if not is_postgres:
        pytest.skip("needs PostgreSQL row locks; set COACHWAY_TEST_DATABASE_URL")


@pytest.fixture
def server_threads(client):
    allow_threads(client, 3 * REQUESTS)


def _applied(**where) -> Decimal:
    with transaction() as session:
        stmt = select(func.coalesce(func.sum(PaymentApplication.amount_applied), 0))
        for name, value in where.items():
            stmt = stmt.where(getattr(PaymentApplication, name) == value)
        return Decimal(session.scalar(stmt))


def test_twenty_applications_of_one_payment_never_exceed_it(client, server_threads):
    acct = user_headers(client, "accounting")
    owner, charters = client_with_charters(20, prices=("500.00",))
    pid = record(owner.id, "1000.00")  # room for exactly four 250.00 applications
    calls = [lambda c=c: client.post(f"/api/v1/payments/{pid}/apply-multiple", headers=acct,
                                      json={"applications": [{"charter_id": c.id, "amount": "250.00"}]})
             for c in charters]
    responses = in_parallel(calls)
    assert Counter(r.status_code for r in responses) == Counter({201: 4, 409: 16}), \
        [r.text for r in responses if r.status_code not in (201, 409)]
    assert _applied(payment_id=pid) == Decimal("1000.00")


def test_twenty_payments_racing_for_one_charter_never_overpay_it(client, server_threads):
    acct = user_headers(client, "accounting")
    owner, charters = client_with_charters(1, prices=("1000.00",))
    charter = charters[0]
    payments = [record(owner.id, "300.00") for _ in range(REQUESTS)]
    calls = [lambda p=p: client.post(f"/api/v1/payments/{p}/apply-multiple", headers=acct,
                                      json={"applications": [{"charter_id": charter.id, "amount": "300.00"}]})
             for p in payments]
    responses = in_parallel(calls)
    assert Counter(r.status_code for r in responses) == Counter({201: 3, 409: 17})
    assert _applied(charter_id=charter.id) == Decimal("900.00")
    balance = client.get(f"/api/v1/charters/{charter.id}/payment-plan", headers=acct).json()["balance"]
    assert balance == "100.00"


def test_crossing_multi_charter_applications_do_not_deadlock_or_overpay(client, server_threads):
    acct = user_headers(client, "accounting")
    owner, charters = client_with_charters(2, prices=("1000.00",))
    a, b = charters
    payments = [record(owner.id, "400.00") for _ in range(10)]
    calls = []
    for n, p in enumerate(payments):  # half list a then b, half b then a: locks are taken in id order
        order = [a, b] if n % 2 else [b, a]
        calls.append(lambda p=p, order=order: client.post(
            f"/api/v1/payments/{p}/apply-multiple", headers=acct,
            json={"applications": [{"charter_id": c.id, "amount": "200.00"} for c in order]}))
    responses = in_parallel(calls)
    assert Counter(r.status_code for r in responses) == Counter({201: 5, 409: 5})
    assert _applied(charter_id=a.id) == _applied(charter_id=b.id) == Decimal("1000.00")


def test_one_idempotency_key_sent_twenty_times_at_once_creates_one_payment(client, server_threads):
    acct = user_headers(client, "accounting")
    owner, _ = client_with_charters(0)
    headers = {**acct, "Idempotency-Key": "same-key"}
    calls = [lambda: client.post("/api/v1/payments", json=check_body(owner.id, "75.00"), headers=headers)
             for _ in range(REQUESTS)]
    responses = in_parallel(calls)
    ok = [r for r in responses if r.status_code == 201]
    assert ok and {r.json()["id"] for r in ok} == {ok[0].json()["id"]}
    assert all(r.status_code in (201, 409) for r in responses)
    with transaction() as session:
        assert session.scalar(select(func.count()).select_from(Payment)) == 1
