"""Vendor bill pages in a real browser: enter a bill, approve it, pay part of it and then the rest (a check
without its number is caught on its field), and see the statuses change; the list, a dispute and its
settlement on a phone."""

import shutil
from datetime import timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import screenshot, sign_in
from tests.factories import make_user
from tests.factories_bills import make_bill, make_vendor, today

pytestmark = pytest.mark.e2e


def _script_problems(tab) -> list[str]:
    """Console errors other than the browser noting a 4xx answer (a form sent back with its errors)."""
    return [p for p in tab.console_problems if "the server responded with a status of 4" not in p]


def _shot(tab, name: str) -> None:
    """A screenshot under test-artifacts/e2e/, copied to /tmp/<name>.png to look at."""
    shutil.copy(screenshot(tab, name), f"/tmp/{name}.png")


def test_enter_approve_and_pay_a_bill_in_two_parts(page):
    vendor = make_vendor(full_name="Peach State Coaches")
    make_bill(vendor_id=vendor.id, bill_number="PSC-0990", bill_date=today() - timedelta(days=45),
              due_date=today() - timedelta(days=15), subtotal=Decimal("640.00"))
    clerk = make_user(role="accounting", full_name="Ada Accounts")
    sign_in(page, clerk.email)
    page.goto("/admin/vendor-bills")
    expect(page.locator("tr.is-overdue")).to_contain_text("15 days overdue")
    page.get_by_role("link", name="New bill").click()
    expect(page.get_by_role("heading", name="New vendor bill")).to_be_visible()
    with page.expect_navigation():
        page.get_by_role("button", name="Enter the bill").click()
    expect(page.locator("#f-bill_number-error")).to_have_text("This field is required.")
    expect(page.locator("#f-vendor_id-error")).to_have_text("This field is required.")
    expect(page.locator("#f-subtotal-error")).to_have_text("This field is required.")
    _shot(page, "vendor-bill-form-errors")
    page.get_by_label("Bill number").fill("PSC-1001")
    page.get_by_label("Vendor").select_option(label="Peach State Coaches")
    page.get_by_label("Subtotal").fill("1200.00")
    page.get_by_label("Tax").fill("84.00")
    with page.expect_navigation():
        page.get_by_role("button", name="Enter the bill").click()
    expect(page.get_by_role("status").first).to_contain_text("Bill PSC-1001 is entered")
    expect(page.locator("h1 .status")).to_have_text("Received")
    expect(page.locator("dd.balance")).to_have_text("$1,284.00")

    with page.expect_navigation():
        page.get_by_role("button", name="Approve for payment").click()
    expect(page.locator("h1 .status")).to_have_text("Approved")
    expect(page.locator("#approval")).to_contain_text("Ada Accounts")

    expect(page.locator("#f-pay-amount")).to_have_value("1284.00")
    page.locator("#f-pay-amount").fill("500.00")
    page.locator("#f-pay-payment_method").select_option("ach")
    page.locator("#f-pay-reference_number").fill("ACH-7731")
    with page.expect_navigation():
        page.get_by_role("button", name="Record the payment").click()
    expect(page.get_by_role("status").first).to_contain_text("$784.00 is still due.")
    expect(page.locator("h1 .status")).to_have_text("Partially paid")
    expect(page.locator("#payments tbody tr")).to_have_count(1)

    expect(page.locator("#f-pay-amount")).to_have_value("784.00")
    page.locator("#f-pay-payment_method").select_option("check")
    with page.expect_navigation():
        page.get_by_role("button", name="Record the payment").click()
    expect(page.locator("#f-pay-check_number-error")).to_have_text("Give the check number.")
    _shot(page, "vendor-bill-pay-error")
    page.locator("#f-pay-check_number").fill("10442")
    with page.expect_navigation():
        page.get_by_role("button", name="Record the payment").click()
    expect(page.get_by_role("status").first).to_contain_text("it is paid in full.")
    expect(page.locator("h1 .status")).to_have_text("Paid")
    expect(page.locator("dd.balance")).to_have_text("$0.00")
    expect(page.locator("#payments tbody tr")).to_have_count(2)
    expect(page.get_by_role("button", name="Record the payment")).to_have_count(0)
    _shot(page, "vendor-bill-detail")

    page.goto("/admin/vendor-bills")
    row = page.locator("table.bills-table tbody tr", has_text="PSC-1001")
    expect(row.locator(".status")).to_have_text("Paid")
    expect(page.locator("tr.totals")).to_contain_text("$640.00")
    _shot(page, "vendor-bills-list")
    assert _script_problems(page) == []


def test_the_list_reads_on_a_phone(phone_page):
    vendor = make_vendor(full_name="Blue Ridge Motorcoach")
    make_bill(vendor_id=vendor.id, bill_number="BRM-1", bill_date=today() - timedelta(days=40),
              due_date=today() - timedelta(days=2), status="partially_paid", paid="100.00")
    make_bill(vendor_id=vendor.id, bill_number="BRM-2", status="approved")
    sign_in(phone_page, make_user(role="manager").email)
    phone_page.goto("/admin/vendor-bills")
    expect(phone_page.locator("tr.is-overdue")).to_contain_text("2 days overdue")
    expect(phone_page.locator("tr.totals")).to_contain_text("$1,700.00")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways ({width}px)"
    _shot(phone_page, "vendor-bills-list-phone")
    assert _script_problems(phone_page) == []


def test_dispute_a_bill_and_settle_it_on_a_phone(phone_page):
    bill = make_bill(bill_number="GA-77", status="partially_paid", paid="300.00")
    sign_in(phone_page, make_user(role="accounting").email)
    phone_page.goto(f"/admin/vendor-bills/{bill.id}")
    phone_page.locator("summary", has_text="Dispute the bill").click()  # the folded form opens
    phone_page.get_by_label("What is wrong with the bill?").fill("Charged for 2 coaches, 1 ran")
    with phone_page.expect_navigation():
        phone_page.get_by_role("button", name="Dispute the bill").click()
    expect(phone_page.locator("h1 .status")).to_have_text("Disputed")
    expect(phone_page.locator(".bill-notes")).to_contain_text("Disputed: Charged for 2 coaches, 1 ran")
    expect(phone_page.get_by_role("button", name="Record the payment")).to_have_count(0)
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways ({width}px)"
    _shot(phone_page, "vendor-bill-disputed-phone")
    phone_page.get_by_label("How was it settled?").fill("Credit note CN-4 received")
    with phone_page.expect_navigation():
        phone_page.get_by_role("button", name="Settle the dispute").click()
    expect(phone_page.locator("h1 .status")).to_have_text("Received")
    with phone_page.expect_navigation():
        phone_page.get_by_role("button", name="Approve for payment").click()
    expect(phone_page.locator("h1 .status")).to_have_text("Partially paid")
    assert _script_problems(phone_page) == []
