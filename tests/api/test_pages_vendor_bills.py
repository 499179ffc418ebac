"""Vendor bill pages: the list (filters, overdue rows, the total owed), entering and correcting a bill, and a
bill's page with approval, payments and disputes; who may see what, and forms that fail."""

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from coachway.core import clock
from coachway.core.db import transaction
from coachway.payments.models import VendorBill
from coachway.web.testing import csrf_from, form_post, sign_in
from tests.factories import PASSWORD, make_user
from tests.factories_bills import make_bill, make_vendor

BASE = "/admin/vendor-bills"
TODAY = date(2026, 3, 2)


@pytest.fixture(autouse=True)
def fixed_now():
    clock.set_clock(lambda: datetime(2026, 3, 2, 15, 0, tzinfo=UTC))


def _as(client, role: str = "accounting", **kw):
    user = make_user(role=role, **kw)
    sign_in(client, user.email, PASSWORD)
    return user


def _bill(bill_id: int) -> VendorBill:
    with transaction() as session:
        bill = session.get(VendorBill, bill_id)
        session.expunge(bill)
    return bill


def _post(client, bill_id: int, action: str, data: dict):
    return form_post(client, f"{BASE}/{bill_id}/{action}", data, page=f"{BASE}/{bill_id}")


def _field_error(html: str, field_id: str) -> str:
    match = re.search(rf'<p class="field-error" id="{field_id}-error">([^<]*)</p>', html)
    assert match, f"no inline error for {field_id}"
    return match.group(1)


# ---------------------------------------------------------------- the list

def test_the_list_shows_bills_statuses_overdue_rows_and_what_is_owed(client):
    vendor = make_vendor(full_name="Peach State Coaches")
    late = make_bill(vendor_id=vendor.id, bill_number="PSC-LATE", subtotal=Decimal("100.10"),
                     bill_date=TODAY - timedelta(days=40), due_date=TODAY - timedelta(days=3))
    make_bill(bill_number="OTHER-2", subtotal=Decimal("200.20"), tax=Decimal("0.03"), status="partially_paid",
              paid="50.00")
    make_bill(bill_number="DONE-3", status="paid")
    _as(client)
    html = client.get(BASE).text
    for text in ("Vendor bills", "PSC-LATE", "Peach State Coaches", "OTHER-2", "DONE-3", "Partially paid",
                 "Received", "Paid", "3 days overdue", "New bill", "$250.33", "Balance due of the 3 bills"):
        assert text in html, text
    assert f'<tr id="bill-{late.id}" class="is-overdue">' in html
    assert 'href="/admin/vendor-bills"' in html and "Vendor bills</a>" in html  # in the navigation


def test_the_overdue_filter_keeps_late_unpaid_bills(client):
    make_bill(bill_number="LATE-1", bill_date=TODAY - timedelta(days=40), due_date=TODAY - timedelta(days=1))
    make_bill(bill_number="ONTIME-2", due_date=TODAY + timedelta(days=1))
    _as(client)
    html = client.get(BASE, params={"status": "overdue"}).text
    assert "LATE-1" in html and "ONTIME-2" not in html
    assert "Balance due of the 1 bill matching" in html


def test_the_vendor_filter_and_the_htmx_results_block(client):
    mine, other = make_vendor(), make_vendor()
    make_bill(vendor_id=mine.id, bill_number="MINE-1")
    make_bill(vendor_id=other.id, bill_number="THEIRS-2")
    _as(client)
    r = client.get(BASE, params={"vendor": str(mine.id)},
                   headers={"HX-Request": "true", "HX-Target": "bill-results"})
    assert "MINE-1" in r.text and "THEIRS-2" not in r.text
    assert "<html" not in r.text and 'class="stack bills-table"' in r.text


def test_filters_people_mistype_do_not_break_the_list(client):
    make_bill(bill_number="ANY-1")
    _as(client)
    for params in ({"status": "late"}, {"due_from": "2026-02-30"}, {"vendor": "abc"}, {"sort": "x"}):
        r = client.get(BASE, params=params)
        assert r.status_code == 200 and "ANY-1" in r.text, params
    r = client.get(BASE, params={"due_from": "2026-03-10", "due_to": "2026-03-01"})
    assert r.status_code == 200 and "The end date is before the start date." in r.text


def test_staff_without_bill_permissions_get_the_forbidden_page(client):
    make_bill()
    _as(client, "sales_agent")
    r = client.get(BASE)
    assert r.status_code == 403
    assert "/admin/vendor-bills" not in client.get("/admin").text


def test_an_unknown_bill_is_the_not_found_page(client):
    _as(client)
    assert client.get(f"{BASE}/424242").status_code == 404


# ---------------------------------------------------------------- entering and correcting

def test_accounting_enters_a_bill_through_the_form(client):
    vendor = make_vendor(full_name="Blue Ridge Motorcoach")
    _as(client)
    form = client.get(f"{BASE}/new").text
    assert "Net 30" in form and "Blue Ridge Motorcoach" in form and 'value="2026-03-02"' in form
    data = {"bill_number": "BRM-550", "vendor_id": str(vendor.id), "bill_date": "2026-02-25",
            "payment_terms": "Net 15", "due_date": "", "subtotal": "1200.00", "tax": "84.00",
            "charter_id": "", "notes": ""}
    r = form_post(client, BASE, data, page=f"{BASE}/new")
    assert r.status_code == 303, r.text
    page = client.get(r.headers["location"]).text
    for text in ("Bill BRM-550 is entered; it is due 2026-03-12.", "Blue Ridge Motorcoach", "$1,284.00",
                 "Received", "Approve for payment", "Correct the bill", "Dispute the bill"):
        assert text in page, text


def test_a_form_with_mistakes_comes_back_with_each_error_by_its_field(client):
    vendor = make_vendor()
    _as(client)
    r = form_post(client, BASE, {"bill_number": "", "vendor_id": str(vendor.id), "bill_date": "2026-02-25",
                                 "payment_terms": "", "subtotal": "12.345", "tax": "0"}, page=f"{BASE}/new")
    assert r.status_code == 422
    assert _field_error(r.text, "f-bill_number") == "This field is required."
    assert "decimal" in _field_error(r.text, "f-subtotal").lower()
    assert f'<option value="{vendor.id}" selected>' in r.text  # what was typed is kept
    r = form_post(client, BASE, {"bill_number": "X-1", "vendor_id": str(vendor.id), "bill_date": "2026-02-25",
                                 "payment_terms": "", "subtotal": "12.00", "tax": "0"}, page=f"{BASE}/new")
    assert r.status_code == 422
    assert _field_error(r.text, "f-due_date").startswith("Give the due date")


def test_a_duplicate_bill_number_is_shown_on_its_field(client):
    existing = make_bill(bill_number="DUP-1")
    _as(client)
    r = form_post(client, BASE, {"bill_number": "DUP-1", "vendor_id": str(existing.vendor_id),
                                 "bill_date": "2026-02-25", "payment_terms": "Net 30", "subtotal": "10.00",
                                 "tax": "0"}, page=f"{BASE}/new")
    assert r.status_code == 409 and "is already entered" in _field_error(r.text, "f-bill_number")


def test_a_manager_may_not_open_the_new_bill_form(client):
    _as(client, "manager")
    assert client.get(f"{BASE}/new").status_code == 403


def test_correcting_a_bill_through_the_form(client):
    bill = make_bill(bill_number="FIX-1", subtotal=Decimal("500.00"))
    _as(client)
    form = client.get(f"{BASE}/{bill.id}/edit").text
    assert 'value="FIX-1"' in form and 'value="500.00"' in form
    data = {"bill_number": "FIX-1", "vendor_id": str(bill.vendor_id), "bill_date": str(bill.bill_date),
            "payment_terms": "Net 30", "due_date": "", "subtotal": "550.00", "tax": "10.00", "notes": "Fuel"}
    r = form_post(client, f"{BASE}/{bill.id}", data, page=f"{BASE}/{bill.id}/edit")
    assert r.status_code == 303
    after = _bill(bill.id)
    assert (after.total_amount, after.balance_due) == (Decimal("560.00"), Decimal("560.00"))
    assert after.notes == "Fuel"


def test_changing_the_terms_on_the_form_moves_a_due_date_left_as_it_was(client):
    bill = make_bill(bill_date=date(2026, 2, 1), payment_terms="Net 30")
    _as(client)
    data = {"bill_number": bill.bill_number, "vendor_id": str(bill.vendor_id), "bill_date": "2026-02-01",
            "payment_terms": "Net 60", "due_date": "2026-03-03", "subtotal": "900.00", "tax": "0.00"}
    assert form_post(client, f"{BASE}/{bill.id}", data, page=f"{BASE}/{bill.id}/edit").status_code == 303
    assert _bill(bill.id).due_date == date(2026, 4, 2)
    data |= {"payment_terms": "Net 15", "due_date": "2026-02-20"}  # a due date typed in wins
    assert form_post(client, f"{BASE}/{bill.id}", data, page=f"{BASE}/{bill.id}/edit").status_code == 303
    assert _bill(bill.id).due_date == date(2026, 2, 20)


def test_an_approved_bill_cannot_be_corrected(client):
    bill = make_bill(status="approved")
    _as(client)
    assert "Correct the bill" not in client.get(f"{BASE}/{bill.id}").text
    r = client.get(f"{BASE}/{bill.id}/edit", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"{BASE}/{bill.id}"
    assert "only received or disputed bills can be corrected" in client.get(r.headers["location"]).text
    data = {"bill_number": bill.bill_number, "vendor_id": str(bill.vendor_id),
            "bill_date": str(bill.bill_date), "subtotal": "1.00", "tax": "0"}
    r = form_post(client, f"{BASE}/{bill.id}", data, page=f"{BASE}/{bill.id}")
    assert r.status_code == 409 and "cannot be changed" in r.text
    assert _bill(bill.id).subtotal == Decimal("900.00")


# ---------------------------------------------------------------- approving, paying, disputing

def test_a_manager_approves_and_is_named_but_sees_no_pay_form(client):
    bill = make_bill()
    manager = _as(client, "manager", full_name="Morgan Manager")
    page = client.get(f"{BASE}/{bill.id}").text
    assert "Approve for payment" in page and "Record a payment" not in page and "Dispute the bill" not in page
    r = _post(client, bill.id, "approve", {})
    assert r.status_code == 303
    page = client.get(r.headers["location"]).text
    assert "is approved for payment" in page and "by <strong>Morgan Manager</strong>" in page
    assert "Approve for payment" not in page and "Record a payment" not in page
    assert _bill(bill.id).approved_by == manager.id


def test_pay_part_then_the_rest_through_the_form(client):
    bill = make_bill(subtotal=Decimal("1000.00"), status="approved")
    _as(client)
    page = client.get(f"{BASE}/{bill.id}").text
    assert 'id="f-pay-amount" name="amount" type="text" value="1000.00"' in page  # defaults to the balance
    r = _post(client, bill.id, "pay", {"amount": "400.00", "payment_method": "check", "check_number": "1201",
                                       "payment_date": "2026-03-01", "reference_number": ""})
    assert r.status_code == 303
    page = client.get(r.headers["location"]).text
    assert "Recorded $400.00 paid on bill" in page and "$600.00 is still due." in page
    assert "Partially paid" in page and "Check 1201" in page
    r = _post(client, bill.id, "pay", {"amount": "600.00", "payment_method": "wire",
                                       "payment_date": "2026-03-02", "reference_number": "FW-88"})
    page = client.get(r.headers["location"]).text
    assert "it is paid in full." in page and "Record a payment" not in page and "FW-88" in page
    assert _bill(bill.id).status == "paid"


def test_an_overpayment_is_refused_on_the_amount_and_nothing_is_paid(client):
    bill = make_bill(subtotal=Decimal("100.00"), status="approved")
    _as(client)
    r = _post(client, bill.id, "pay", {"amount": "100.01", "payment_method": "ach",
                                       "payment_date": "2026-03-02"})
    assert r.status_code == 409
    assert "Pay at most the balance due, $100.00." in _field_error(r.text, "f-pay-amount")
    assert 'value="100.01"' in r.text
    assert _bill(bill.id).paid_amount == Decimal("0.00")


def test_a_check_without_its_number_is_refused_on_that_field(client):
    bill = make_bill(status="approved")
    _as(client)
    r = _post(client, bill.id, "pay", {"amount": "10.00", "payment_method": "check",
                                       "payment_date": "2026-03-02"})
    assert r.status_code == 422 and _field_error(r.text, "f-pay-check_number") == "Give the check number."


def test_a_bill_not_yet_approved_shows_why_it_cannot_be_paid(client):
    bill = make_bill()
    _as(client)
    page = client.get(f"{BASE}/{bill.id}").text
    assert "The bill can be paid once it is approved." in page and "Record a payment" not in page


def test_dispute_and_settle_through_the_forms(client):
    bill = make_bill(status="approved")
    _as(client)
    r = _post(client, bill.id, "dispute", {"reason": ""})
    assert r.status_code == 422 and _field_error(r.text, "f-dispute-reason")
    r = _post(client, bill.id, "dispute", {"reason": "Billed two coaches, one ran"})
    page = client.get(r.headers["location"]).text
    assert "is disputed and on hold" in page and "Disputed: Billed two coaches, one ran" in page
    assert "Settle the dispute" in page and "Approve for payment" not in page
    r = _post(client, bill.id, "undispute", {"reason": "Credit note CN-4"})
    page = client.get(r.headers["location"]).text
    assert "needs approving again" in page and "Approve for payment" in page
    assert _bill(bill.id).status == "received"


def test_a_form_without_its_csrf_token_is_refused(client):
    bill = make_bill()
    _as(client)
    r = client.post(f"{BASE}/{bill.id}/approve", data={}, follow_redirects=False)
    assert r.status_code == 403 and _bill(bill.id).status == "received"
    token = csrf_from(client.get(f"{BASE}/{bill.id}").text)
    assert client.post(f"{BASE}/{bill.id}/approve", data={"csrf_token": token},
                       follow_redirects=False).status_code == 303
