"""Vendor bill payments under parallel requests on PostgreSQL: ten payments sent at once that together are
more than the bill owes are taken one at a time (the bill's row is locked), so what is paid never passes the
total; and one bill number entered several times at once makes one bill, the others a 409."""

from collections import Counter
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from coachway.core.db import transaction
from coachway.payments.models import VendorBill, VendorBillPayment
from tests.factories import user_headers
from tests.factories_bills import bill_body, make_bill, make_vendor
from tests.integration.parallel import allow_threads, in_parallel

pytestmark = pytest.mark.postgres

PAYERS = 10


@pytest.fixture(autouse=True)
def postgres_only(is_postgres):
    if not is_postgres:
        pytest.skip("needs PostgreSQL row locks; set COACHWAY_TEST_DATABASE_URL")


@pytest.fixture
def server_threads(client):
    """Threads enough for every request at once."""
    allow_threads(client, 4 * PAYERS)


def test_ten_parallel_payments_never_pay_more_than_the_bill(client, server_threads):
    clerk = user_headers(client, "accounting")
    bill = make_bill(subtotal=Decimal("1000.00"), status="approved")
    body = {"amount": "150.00", "payment_method": "ach"}  # ten of them would be 1,500.00

    def pay():
        return client.post(f"/api/v1/vendor-bills/{bill.id}/pay", json=body, headers=clerk)

    results = in_parallel([pay] * PAYERS)
    assert Counter(r.status_code for r in results) == {201: 6, 409: 4}, [r.text for r in results]
    with transaction() as session:
        row = session.get(VendorBill, bill.id)
        paid = session.scalar(select(func.sum(VendorBillPayment.amount))
                              .where(VendorBillPayment.vendor_bill_id == bill.id))
        assert paid == row.paid_amount == Decimal("900.00")
        assert (row.balance_due, row.status) == (Decimal("100.00"), "partially_paid")
    balances = sorted(Decimal(r.json()["bill"]["balance_due"]) for r in results if r.status_code == 201)
    assert balances == [Decimal(b) for b in ("100.00", "250.00", "400.00", "550.00", "700.00", "850.00")]


def test_parallel_payments_of_the_whole_balance_pay_it_once(client, server_threads):
    clerk = user_headers(client, "accounting")
    bill = make_bill(subtotal=Decimal("480.00"), tax=Decimal("33.60"), status="approved")

    def pay():
        body = {"amount": "513.60", "payment_method": "wire"}
        return client.post(f"/api/v1/vendor-bills/{bill.id}/pay", json=body, headers=clerk)

    results = in_parallel([pay] * PAYERS)
    assert Counter(r.status_code for r in results) == {201: 1, 409: PAYERS - 1}
    with transaction() as session:
        row = session.get(VendorBill, bill.id)
        assert (row.paid_amount, row.balance_due, row.status) == (Decimal("513.60"), Decimal("0.00"), "paid")


def test_one_bill_number_entered_twice_at_once_makes_one_bill(client, server_threads):
    clerk = user_headers(client, "accounting")
    vendor = make_vendor()
    body = bill_body(vendor.id, bill_number="RACE-1")

    def create():
        return client.post("/api/v1/vendor-bills", json=body, headers=clerk)

    results = in_parallel([create] * 6)
    assert Counter(r.status_code for r in results) == {201: 1, 409: 5}, [r.text for r in results]
    with transaction() as session:
        assert session.scalar(select(func.count()).select_from(VendorBill)
                              .where(VendorBill.bill_number == "RACE-1")) == 1
