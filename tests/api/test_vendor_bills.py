"""Vendor bills over HTTP: entering and correcting them, who may do what, approving, disputing, paying in
parts until paid (never more than owed), the overdue filter by the company's day, and bad input."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from coachway.core import clock
from coachway.core.db import transaction
from coachway.payments.models import BILL_STATUSES, VendorBill, VendorBillPayment
from coachway.payments.service import bills
from tests.factories import login, make_user, user_headers
from tests.factories_bills import bill_body, make_bill, make_vendor
from tests.factories_domain import audit_rows, make_charter

URL = "/api/v1/vendor-bills"
TODAY = date(2026, 3, 2)  # 10:00 in New York, the company's timezone


@pytest.fixture(autouse=True)
def fixed_now():
    clock.set_clock(lambda: datetime(2026, 3, 2, 15, 0, tzinfo=UTC))


@pytest.fixture
def accounting(client):
    return user_headers(client, "accounting")


@pytest.fixture
def vendor():
    return make_vendor(full_name="Peach State Coaches")


def _bill(bill_id: int) -> VendorBill:
    with transaction() as session:
        bill = session.get(VendorBill, bill_id)
        session.expunge(bill)
    return bill


def _payment_count(bill_id: int) -> int:
    with transaction() as session:
        return session.scalar(select(func.count()).select_from(VendorBillPayment)
                              .where(VendorBillPayment.vendor_bill_id == bill_id))


def _pay(client, headers, bill_id: int, amount: str, **kw):
    body = {"amount": amount, "payment_method": "ach", **kw}
    return client.post(f"{URL}/{bill_id}/pay", json=body, headers=headers)


def _fields(r) -> set[str]:
    return {e["field"] for e in r.json().get("errors", [])}


# ---------------------------------------------------------------- entering a bill

def test_accounting_enters_a_bill_and_its_totals_and_due_date_follow(client, accounting, vendor):
    r = client.post(URL, json=bill_body(vendor.id, bill_number="PSC-1001", bill_date="2026-02-20",
                                        subtotal="1200.00", tax="84.50"), headers=accounting)
    assert r.status_code == 201, r.text
    bill = r.json()
    assert bill["status"] == "received"
    assert (bill["subtotal"], bill["tax"], bill["total_amount"]) == ("1200.00", "84.50", "1284.50")
    assert (bill["paid_amount"], bill["balance_due"]) == ("0.00", "1284.50")
    assert bill["due_date"] == "2026-03-22"  # Net 30 from the bill date
    assert bill["vendor_name"] == "Peach State Coaches"
    assert (bill["is_overdue"], bill["days_past_due"], bill["approved_by"]) == (False, 0, None)
    admin = user_headers(client, "admin")
    rows = audit_rows(client, admin, entity_type="vendor_bill", entity_id=str(bill["id"]))
    assert [row["action"] for row in rows] == ["create"]


def test_a_due_date_given_wins_over_the_terms(client, accounting, vendor):
    r = client.post(URL, json=bill_body(vendor.id, bill_date="2026-02-20", due_date="2026-03-01"),
                    headers=accounting)
    assert r.json()["due_date"] == "2026-03-01"


@pytest.mark.parametrize(("terms", "due"), [("Due on Receipt", "2026-02-20"), ("Net 15", "2026-03-07"),
                                            ("Net 45", "2026-04-06"), ("Net 60", "2026-04-21")])
def test_each_payment_term_gives_its_due_date(client, accounting, vendor, terms, due):
    r = client.post(URL, json=bill_body(vendor.id, bill_date="2026-02-20", payment_terms=terms),
                    headers=accounting)
    assert (r.status_code, r.json()["due_date"]) == (201, due)


def test_a_bill_without_due_date_or_terms_is_refused(client, accounting, vendor):
    r = client.post(URL, json=bill_body(vendor.id, payment_terms=None), headers=accounting)
    assert r.status_code == 422 and _fields(r) == {"due_date"}


def test_a_due_date_before_the_bill_date_is_refused(client, accounting, vendor):
    r = client.post(URL, json=bill_body(vendor.id, bill_date="2026-02-20", due_date="2026-02-19"),
                    headers=accounting)
    assert r.status_code == 422 and _fields(r) == {"due_date"}


def test_a_bill_dated_tomorrow_is_refused(client, accounting, vendor):
    r = client.post(URL, json=bill_body(vendor.id, bill_date="2026-03-03"), headers=accounting)
    assert r.status_code == 422 and _fields(r) == {"bill_date"}


def test_unknown_payment_terms_are_refused(client, accounting, vendor):
    r = client.post(URL, json=bill_body(vendor.id, payment_terms="Net 90"), headers=accounting)
    assert r.status_code == 422 and _fields(r) == {"payment_terms"}


def test_a_duplicate_bill_number_is_a_conflict_whatever_its_case(client, accounting, vendor):
    r = client.post(URL, json=bill_body(vendor.id, bill_number="PSC-7"), headers=accounting)
    assert r.status_code == 201
    r = client.post(URL, json=bill_body(vendor.id, bill_number="psc-7"), headers=accounting)
    assert r.status_code == 409 and _fields(r) == {"bill_number"}
    assert r.headers["content-type"] == "application/problem+json"


def test_a_staff_user_is_not_a_vendor(client, accounting):
    staff = make_user(role="dispatcher")
    r = client.post(URL, json=bill_body(staff.id), headers=accounting)
    assert r.status_code == 422 and _fields(r) == {"vendor_id"}


def test_an_inactive_vendor_is_refused(client, accounting):
    gone = make_vendor(active=False)
    r = client.post(URL, json=bill_body(gone.id), headers=accounting)
    assert r.status_code == 422 and "inactive" in r.json()["errors"][0]["message"]


def test_an_unknown_vendor_is_refused(client, accounting):
    r = client.post(URL, json=bill_body(999_999), headers=accounting)
    assert r.status_code == 422 and _fields(r) == {"vendor_id"}


def test_a_bill_may_name_a_charter_but_not_an_unknown_one(client, accounting, vendor):
    charter = make_charter()
    r = client.post(URL, json=bill_body(vendor.id, charter_id=charter.id), headers=accounting)
    assert (r.status_code, r.json()["charter_id"]) == (201, charter.id)
    r = client.post(URL, json=bill_body(vendor.id, charter_id=999_999), headers=accounting)
    assert r.status_code == 422 and _fields(r) == {"charter_id"}


def test_a_bill_of_nothing_is_refused(client, accounting, vendor):
    r = client.post(URL, json=bill_body(vendor.id, subtotal="0", tax="0"), headers=accounting)
    assert r.status_code == 422 and _fields(r) == {"subtotal"}


def test_missing_fields_are_each_named(client, accounting):
    r = client.post(URL, json={}, headers=accounting)
    assert r.status_code == 422
    assert {"bill_number", "vendor_id", "bill_date", "subtotal"} <= _fields(r)


def test_a_malformed_body_is_refused(client, accounting):
    r = client.post(URL, content=b'{"bill_number": "X", ', headers={**accounting,
                                                                     "Content-Type": "application/json"})
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(("field", "value"), [
    ("subtotal", "twelve"), ("subtotal", [1]), ("vendor_id", "abc"), ("bill_date", "2026-02-30"),
    ("tax", {"a": 1}), ("charter_id", 1.5), ("bill_number", 12345)])
def test_wrong_types_are_refused(client, accounting, vendor, field, value):
    r = client.post(URL, json=bill_body(vendor.id) | {field: value}, headers=accounting)
    assert r.status_code == 422 and field in {f.split(".")[0] for f in _fields(r)}


@pytest.mark.parametrize(("field", "value"), [
    ("subtotal", "10000000.00"), ("subtotal", "-1.00"), ("tax", "1.005"), ("subtotal", "1e400"),
    ("bill_number", "X" * 51), ("bill_number", "   "), ("bill_number", "A\x00B"), ("notes", "n" * 5001),
    ("vendor_id", 2_147_483_648), ("bill_date", "1999-12-31"), ("due_date", "2101-01-01")])
def test_values_out_of_range_are_refused(client, accounting, vendor, field, value):
    r = client.post(URL, json=bill_body(vendor.id) | {field: value}, headers=accounting)
    assert r.status_code == 422, r.text
    assert _count_bills() == 0


def test_unknown_fields_are_refused(client, accounting, vendor):
    r = client.post(URL, json=bill_body(vendor.id, status="paid"), headers=accounting)
    assert r.status_code == 422 and _fields(r) == {"status"}


def _count_bills() -> int:
    with transaction() as session:
        return session.scalar(select(func.count()).select_from(VendorBill))


# ---------------------------------------------------------------- who may do what

def test_signed_out_callers_are_refused(client):
    assert client.get(URL).status_code == 401


@pytest.mark.parametrize("role", ["sales_agent", "dispatcher", "vendor", "driver"])
def test_roles_without_bill_permissions_are_forbidden(client, role):
    bill = make_bill()
    headers = login(client, make_user(role=role).email)
    assert client.get(URL, headers=headers).status_code == 403
    assert client.get(f"{URL}/{bill.id}", headers=headers).status_code == 403
    assert client.post(URL, json=bill_body(bill.vendor_id), headers=headers).status_code == 403
    assert client.post(f"{URL}/{bill.id}/approve", headers=headers).status_code == 403
    assert _bill(bill.id).status == "received"


def test_a_vendor_cannot_read_even_its_own_bills_yet(client):
    vendor = make_vendor()
    bill = make_bill(vendor_id=vendor.id)
    headers = login(client, vendor.email)
    assert client.get(f"{URL}/{bill.id}", headers=headers).status_code == 403


def test_a_manager_reads_and_approves_but_may_not_enter_or_pay(client):
    bill = make_bill()
    manager = make_user(role="manager")
    headers = login(client, manager.email)
    assert client.get(URL, headers=headers).json()["total"] == 1
    assert client.post(URL, json=bill_body(bill.vendor_id), headers=headers).status_code == 403
    assert client.put(f"{URL}/{bill.id}", json={"tax": "1.00"}, headers=headers).status_code == 403
    r = client.post(f"{URL}/{bill.id}/approve", headers=headers)
    assert r.status_code == 200 and r.json()["approved_by"] == manager.id
    r = _pay(client, headers, bill.id, "10.00")
    assert r.status_code == 403 and _payment_count(bill.id) == 0


# ---------------------------------------------------------------- finding bills

def test_unknown_bills_are_not_found(client, accounting):
    for method, path, body in (("get", "", None), ("put", "", {"tax": "1.00"}), ("post", "/approve", None),
                               ("post", "/pay", {"amount": "1.00", "payment_method": "ach"}),
                               ("get", "/payments", None), ("post", "/dispute", {"reason": "x"}),
                               ("post", "/undispute", {"reason": "x"})):
        r = client.request(method, f"{URL}/424242{path}", json=body, headers=accounting)
        assert r.status_code == 404, (method, path)


@pytest.mark.parametrize("bad_id", ["0", "-1", "abc", "2147483648"])
def test_malformed_ids_are_refused(client, accounting, bad_id):
    assert client.get(f"{URL}/{bad_id}", headers=accounting).status_code == 422


def test_the_list_filters_by_vendor_charter_due_dates_and_bill_number(client, accounting):
    a, b = make_vendor(), make_vendor()
    charter = make_charter()
    one = make_bill(vendor_id=a.id, bill_number="ALPHA-1", due_date=TODAY + timedelta(days=3))
    two = make_bill(vendor_id=a.id, bill_number="ALPHA-2", charter_id=charter.id,
                    due_date=TODAY + timedelta(days=10))
    three = make_bill(vendor_id=b.id, bill_number="BETA_1", due_date=TODAY + timedelta(days=20))

    def ids(**params):
        r = client.get(URL, params=params, headers=accounting)
        assert r.status_code == 200, r.text
        return [x["id"] for x in r.json()["items"]]

    assert ids() == [one.id, two.id, three.id]  # soonest due first
    assert ids(vendor_id=a.id) == [one.id, two.id]
    assert ids(charter_id=charter.id) == [two.id]
    assert ids(due_from=str(TODAY + timedelta(days=5)), due_to=str(TODAY + timedelta(days=10))) == [two.id]
    assert ids(q="alpha") == [one.id, two.id]
    assert ids(q="A_1") == [three.id]  # "_" is a character, not a wildcard (ALPHA-1 does not match)
    assert ids(sort="bill_number") == [one.id, two.id, three.id]
    assert ids(sort="newest") == [three.id, two.id, one.id]
    page = client.get(URL, params={"limit": 2, "offset": 2}, headers=accounting).json()
    assert (page["total"], [x["id"] for x in page["items"]]) == (3, [three.id])


def test_the_list_totals_the_balance_due_to_the_cent(client, accounting):
    make_bill(subtotal=Decimal("100.10"), tax=Decimal("0.01"))
    make_bill(subtotal=Decimal("200.20"), tax=Decimal("0.02"), status="partially_paid", paid="50.00")
    make_bill(subtotal=Decimal("999.99"), status="paid")
    body = client.get(URL, headers=accounting).json()
    assert body["balance_due_total"] == "250.33"
    paid = client.get(URL, params={"status": "paid"}, headers=accounting).json()
    assert paid["balance_due_total"] == "0.00"


@pytest.mark.parametrize("params", [{"status": "late"}, {"sort": "vendor"}, {"due_from": "2026-02-30"},
                                    {"vendor_id": "0"}, {"limit": "500"}, {"q": "x" * 51}])
def test_bad_list_parameters_are_refused(client, accounting, params):
    assert client.get(URL, params=params, headers=accounting).status_code == 422


def test_a_due_range_that_ends_before_it_starts_is_refused(client, accounting):
    r = client.get(URL, params={"due_from": "2026-03-10", "due_to": "2026-03-01"}, headers=accounting)
    assert r.status_code == 422 and _fields(r) == {"due_to"}


# ---------------------------------------------------------------- overdue, by the company's day

def test_overdue_means_not_paid_and_due_before_today_in_company_time(client, accounting):
    due_yesterday = make_bill(bill_date=TODAY - timedelta(days=10), due_date=TODAY - timedelta(days=1))
    due_today = make_bill(bill_date=TODAY - timedelta(days=10), due_date=TODAY)
    disputed_late = make_bill(bill_date=TODAY - timedelta(days=40), due_date=TODAY - timedelta(days=9),
                              status="disputed")
    make_bill(bill_date=TODAY - timedelta(days=40), due_date=TODAY - timedelta(days=9), status="paid")
    r = client.get(URL, params={"status": "overdue"}, headers=accounting)
    assert [x["id"] for x in r.json()["items"]] == [disputed_late.id, due_yesterday.id]
    assert [x["days_past_due"] for x in r.json()["items"]] == [9, 1]
    assert client.get(f"{URL}/{due_today.id}", headers=accounting).json()["is_overdue"] is False

    # 02:00 UTC on March 3 is still March 2 in New York: the bill due March 2 is not late yet.
    clock.set_clock(lambda: datetime(2026, 3, 3, 2, 0, tzinfo=UTC))
    accounting = user_headers(client, "accounting")  # the morning's sign-in has expired
    ids = [x["id"] for x in client.get(URL, params={"status": "overdue"}, headers=accounting).json()["items"]]
    assert due_today.id not in ids
    clock.set_clock(lambda: datetime(2026, 3, 3, 6, 0, tzinfo=UTC))
    accounting = user_headers(client, "accounting")
    ids = [x["id"] for x in client.get(URL, params={"status": "overdue"}, headers=accounting).json()["items"]]
    assert due_today.id in ids
    assert client.get(f"{URL}/{due_today.id}", headers=accounting).json()["days_past_due"] == 1


# ---------------------------------------------------------------- correcting a bill

def test_correcting_amounts_recomputes_total_and_balance(client, accounting):
    bill = make_bill(subtotal=Decimal("500.00"))
    r = client.put(f"{URL}/{bill.id}", json={"subtotal": "650.00", "tax": "45.50"}, headers=accounting)
    assert r.status_code == 200, r.text
    assert (r.json()["total_amount"], r.json()["balance_due"]) == ("695.50", "695.50")
    admin = user_headers(client, "admin")
    update = audit_rows(client, admin, entity_type="vendor_bill", entity_id=str(bill.id))[0]
    assert update["action"] == "update"
    assert update["new_values"]["total_amount"] == "695.50" and update["old_values"]["subtotal"] == "500.00"


def test_changing_the_terms_works_the_due_date_out_again(client, accounting):
    bill = make_bill(bill_date=date(2026, 2, 1), payment_terms="Net 30")
    r = client.put(f"{URL}/{bill.id}", json={"payment_terms": "Net 15"}, headers=accounting)
    assert r.json()["due_date"] == "2026-02-16"
    r = client.put(f"{URL}/{bill.id}", json={"bill_date": "2026-02-10"}, headers=accounting)
    assert r.json()["due_date"] == "2026-02-25"
    r = client.put(f"{URL}/{bill.id}", json={"due_date": "2026-03-31"}, headers=accounting)
    assert r.json()["due_date"] == "2026-03-31"


def test_required_fields_cannot_be_cleared(client, accounting):
    bill = make_bill()
    for field in ("bill_number", "vendor_id", "bill_date", "subtotal", "tax"):
        r = client.put(f"{URL}/{bill.id}", json={field: None}, headers=accounting)
        assert r.status_code == 422 and _fields(r) == {field}, field


def test_renaming_a_bill_to_another_bills_number_is_a_conflict(client, accounting):
    make_bill(bill_number="TAKEN-1")
    bill = make_bill()
    r = client.put(f"{URL}/{bill.id}", json={"bill_number": "taken-1"}, headers=accounting)
    assert r.status_code == 409 and _bill(bill.id).bill_number != "taken-1"


@pytest.mark.parametrize("status", ["approved", "partially_paid", "paid"])
def test_an_approved_or_paid_bill_cannot_be_changed(client, accounting, status):
    bill = make_bill(status=status)
    r = client.put(f"{URL}/{bill.id}", json={"subtotal": "1.00"}, headers=accounting)
    assert r.status_code == 409 and _bill(bill.id).subtotal == Decimal("900.00")


def test_a_partly_paid_bill_cannot_be_corrected_below_what_was_paid(client, accounting):
    bill = make_bill(status="partially_paid", paid="300.00")
    assert client.post(f"{URL}/{bill.id}/dispute", json={"reason": "Overcharged"},
                       headers=accounting).status_code == 200
    r = client.put(f"{URL}/{bill.id}", json={"subtotal": "299.99"}, headers=accounting)
    assert r.status_code == 409 and _fields(r) == {"subtotal"}
    r = client.put(f"{URL}/{bill.id}", json={"subtotal": "400.00"}, headers=accounting)
    assert (r.status_code, r.json()["balance_due"], r.json()["paid_amount"]) == (200, "100.00", "300.00")


# ---------------------------------------------------------------- approving

def test_approval_records_who_and_when(client):
    bill = make_bill()
    approver = make_user(role="accounting", full_name="Ada Approver")
    r = client.post(f"{URL}/{bill.id}/approve", headers=login(client, approver.email))
    assert r.status_code == 200
    body = r.json()
    assert (body["status"], body["approved_by"], body["approved_by_name"]) == ("approved", approver.id,
                                                                              "Ada Approver")
    assert body["approved_at"].startswith("2026-03-02T15:00")


def test_a_bill_is_approved_once(client, accounting):
    bill = make_bill(status="approved")
    r = client.post(f"{URL}/{bill.id}/approve", headers=accounting)
    assert r.status_code == 409


def test_a_disputed_bill_must_be_settled_before_approval(client, accounting):
    bill = make_bill(status="disputed")
    r = client.post(f"{URL}/{bill.id}/approve", headers=accounting)
    assert r.status_code == 409 and "dispute" in r.json()["detail"]
    assert client.post(f"{URL}/{bill.id}/undispute", json={"reason": "Vendor sent a credit note"},
                       headers=accounting).json()["status"] == "received"
    assert client.post(f"{URL}/{bill.id}/approve", headers=accounting).json()["status"] == "approved"


# ---------------------------------------------------------------- paying

def test_pay_part_then_the_rest(client, accounting):
    bill = make_bill(subtotal=Decimal("1000.00"), tax=Decimal("70.00"), status="approved")
    r = _pay(client, accounting, bill.id, "500.00", payment_method="check", check_number="10442",
             payment_date="2026-02-28", reference_number="BATCH-9")
    assert r.status_code == 201, r.text
    assert r.json()["payment"]["check_number"] == "10442"
    assert (r.json()["bill"]["status"], r.json()["bill"]["balance_due"]) == ("partially_paid", "570.00")
    r = _pay(client, accounting, bill.id, "570.00", payment_method="wire")
    assert (r.json()["bill"]["status"], r.json()["bill"]["paid_amount"]) == ("paid", "1070.00")
    assert r.json()["payment"]["payment_date"] == "2026-03-02"  # today when not given
    payments = client.get(f"{URL}/{bill.id}/payments", headers=accounting).json()
    assert [(p["amount"], p["payment_method"]) for p in payments] == [("500.00", "check"), ("570.00", "wire")]
    assert payments[0]["created_by_name"]
    admin = user_headers(client, "admin")
    assert len(audit_rows(client, admin, entity_type="vendor_bill_payment")) == 2
    assert [row["action"] for row in audit_rows(client, admin, entity_type="vendor_bill",
                                                entity_id=str(bill.id))][:2] == ["pay", "pay"]


def test_paying_more_than_owed_is_refused_and_nothing_changes(client, accounting):
    bill = make_bill(subtotal=Decimal("300.00"), status="partially_paid", paid="100.00")
    r = _pay(client, accounting, bill.id, "200.01")
    assert r.status_code == 409 and _fields(r) == {"amount"}
    after = _bill(bill.id)
    assert (after.paid_amount, after.balance_due, after.status) == (Decimal("100.00"), Decimal("200.00"),
                                                                     "partially_paid")
    assert _payment_count(bill.id) == 1


@pytest.mark.parametrize("status", ["received", "disputed", "paid"])
def test_only_approved_bills_are_paid(client, accounting, status):
    bill = make_bill(status=status)
    before = _payment_count(bill.id)
    r = _pay(client, accounting, bill.id, "1.00")
    assert r.status_code == 409 and _payment_count(bill.id) == before


def test_a_check_payment_needs_its_number(client, accounting):
    bill = make_bill(status="approved")
    r = _pay(client, accounting, bill.id, "10.00", payment_method="check")
    assert r.status_code == 422 and _fields(r) == {"check_number"}


def test_a_payment_dated_tomorrow_is_refused(client, accounting):
    bill = make_bill(status="approved")
    r = _pay(client, accounting, bill.id, "10.00", payment_date="2026-03-03")
    assert r.status_code == 422 and _fields(r) == {"payment_date"}


@pytest.mark.parametrize(("field", "value"), [
    ("amount", "0"), ("amount", "-5.00"), ("amount", "1.001"), ("amount", "abc"), ("amount", "10000000.00"),
    ("payment_method", "cash"), ("payment_method", "card"), ("payment_date", "yesterday"),
    ("check_number", "9" * 51), ("reference_number", "r" * 101)])
def test_bad_payments_are_refused(client, accounting, field, value):
    bill = make_bill(status="approved")
    body = {"amount": "10.00", "payment_method": "ach", field: value}
    r = client.post(f"{URL}/{bill.id}/pay", json=body, headers=accounting)
    assert r.status_code == 422 and field in _fields(r)
    assert _payment_count(bill.id) == 0


def test_a_payment_without_amount_or_method_is_refused(client, accounting):
    bill = make_bill(status="approved")
    r = client.post(f"{URL}/{bill.id}/pay", json={}, headers=accounting)
    assert r.status_code == 422 and {"amount", "payment_method"} <= _fields(r)


# ---------------------------------------------------------------- disputes

def test_a_dispute_puts_the_bill_on_hold_with_its_reason(client, accounting):
    bill = make_bill(status="approved")
    r = client.post(f"{URL}/{bill.id}/dispute", json={"reason": "Charged for 2 coaches, got 1"},
                    headers=accounting)
    assert r.status_code == 200
    body = r.json()
    assert (body["status"], body["approved_by"], body["approved_at"]) == ("disputed", None, None)
    assert "Disputed: Charged for 2 coaches, got 1" in body["notes"]
    r = client.post(f"{URL}/{bill.id}/undispute", json={"reason": "Credit note CN-3"}, headers=accounting)
    assert r.json()["status"] == "received" and "Dispute settled: Credit note CN-3" in r.json()["notes"]


def test_a_dispute_needs_a_reason(client, accounting):
    bill = make_bill()
    for body in ({}, {"reason": "   "}):
        r = client.post(f"{URL}/{bill.id}/dispute", json=body, headers=accounting)
        assert r.status_code == 422 and _fields(r) == {"reason"}
    assert _bill(bill.id).status == "received"


def test_a_paid_bill_cannot_be_disputed_and_an_undisputed_one_not_settled(client, accounting):
    paid = make_bill(status="paid")
    r = client.post(f"{URL}/{paid.id}/dispute", json={"reason": "x"}, headers=accounting)
    assert r.status_code == 409
    open_bill = make_bill()
    r = client.post(f"{URL}/{open_bill.id}/undispute", json={"reason": "x"}, headers=accounting)
    assert r.status_code == 409


def test_a_partly_paid_bill_settled_after_a_dispute_is_approved_back_to_partly_paid(client, accounting):
    bill = make_bill(status="partially_paid", paid="100.00")
    client.post(f"{URL}/{bill.id}/dispute", json={"reason": "Check the mileage"}, headers=accounting)
    client.post(f"{URL}/{bill.id}/undispute", json={"reason": "Mileage right"}, headers=accounting)
    r = client.post(f"{URL}/{bill.id}/approve", headers=accounting)
    assert (r.json()["status"], r.json()["paid_amount"]) == ("partially_paid", "100.00")


# ---------------------------------------------------------------- the workflow table, exhaustively

ACTIONS = {
    "approve": lambda c, h, i: c.post(f"{URL}/{i}/approve", headers=h),
    "pay": lambda c, h, i: _pay(c, h, i, "1.00"),
    "dispute": lambda c, h, i: c.post(f"{URL}/{i}/dispute", json={"reason": "x"}, headers=h),
    "undispute": lambda c, h, i: c.post(f"{URL}/{i}/undispute", json={"reason": "x"}, headers=h),
    "update": lambda c, h, i: c.put(f"{URL}/{i}", json={"notes": "corrected"}, headers=h),
}


@pytest.mark.parametrize("status", BILL_STATUSES)
def test_every_action_from_every_status_follows_the_workflow_table(client, accounting, status):
    assert set(ACTIONS) == set(bills.BILL_ACTIONS)
    for action, call in ACTIONS.items():
        bill = make_bill(status=status)
        r = call(client, accounting, bill.id)
        allowed = status in bills.BILL_ACTIONS[action]
        assert r.status_code == (201 if action == "pay" else 200) if allowed else r.status_code == 409, (
            status, action, r.text)
        new = _bill(bill.id).status
        assert new == status or new in bills.BILL_TRANSITIONS[status], (status, action, new)
