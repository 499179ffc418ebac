"""Payments pages in a real browser: record one check and apply it to three charters with the running
remainder, then see each charter's balance in the payment's breakdown; refund from the payment's page; the
payment terms page on a phone."""

import shutil
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE
from tests.e2e.helpers import screenshot, sign_in
from tests.factories import make_user
from tests.factories_payments import client_with_charters, record

pytestmark = pytest.mark.e2e


def _shot(tab, name: str) -> None:
    shutil.copy(screenshot(tab, name), f"/tmp/{name}.png")


def _problems(tab) -> list[str]:
    return [p for p in tab.console_problems if "the server responded with a status of 4" not in p]


def test_apply_one_payment_to_three_charters_and_see_each_balance(page):
    owner, charters = client_with_charters(3, prices=("1000.00", "1500.00", "2500.00"))
    clerk = make_user(role="accounting")
    sign_in(page, clerk.email)
    page.goto("/admin/payments")
    page.get_by_role("link", name="Record a payment").first.click()
    page.get_by_label("Who paid?").fill(owner.name)
    page.get_by_role("button", name="Find the client").click()
    page.get_by_role("link", name=owner.name).click()
    expect(page.get_by_role("heading", name="Record a payment")).to_be_visible()
    page.get_by_label("Amount (USD)").fill("4000")
    page.locator("#f-check_number").fill("5521")
    page.locator("#f-bank_name").fill("Peach State Bank")
    remainder = page.locator("[data-remainder]")
    expect(remainder).to_have_text("$4,000.00")
    page.get_by_label(f"Apply to charter {charters[0].id}").fill("1000")
    expect(remainder).to_have_text("$3,000.00")
    page.get_by_label(f"Apply to charter {charters[1].id}").fill("1500")
    expect(remainder).to_have_text("$1,500.00")
    row = page.locator("tr", has=page.get_by_label(f"Apply to charter {charters[2].id}"))
    row.get_by_role("button", name="Pay in full").click()  # takes what is left of the payment: 1,500
    expect(page.get_by_label(f"Apply to charter {charters[2].id}")).to_have_value("1500.00")
    expect(remainder).to_have_text("$0.00")
    _shot(page, "payment-new")
    with page.expect_navigation():
        page.get_by_role("button", name="Record the payment").click()
    expect(page.get_by_role("status").first).to_contain_text("applied 4,000.00 to 3 charter(s)")
    for charter, balance in zip(charters, ("$0.00", "$0.00", "$1,000.00"), strict=True):
        expect(page.locator(f'[data-charter-balance="{charter.id}"]')).to_have_text(balance)
    expect(page.locator("#unapplied-total")).to_have_text("$0.00")
    _shot(page, "payment-detail")

    page.goto(f"/admin/charters/{charters[2].id}")
    panel = page.locator("#payments")
    expect(panel.locator("[data-balance]")).to_have_text("$1,000.00")
    expect(panel.locator(".plan-table")).to_contain_text("Deposit")
    panel.scroll_into_view_if_needed()
    _shot(page, "charter-payments-panel")

    page.goto("/admin/payments/applications")
    expect(page.locator("tbody tr")).to_have_count(3)
    assert _problems(page) == []


def test_refund_part_of_a_payment_from_its_page(page):
    owner, charters = client_with_charters(1, prices=("1000.00",))
    pid = record(
        owner.id, "1200.00", applications=[{"charter_id": charters[0].id, "amount": Decimal("1000")}]
    )
    clerk = make_user(role="accounting")
    sign_in(page, clerk.email)
    page.goto(f"/admin/payments/{pid}")
    expect(page.locator("#unapplied-total")).to_have_text("$200.00")
    page.get_by_label("Amount to give back").fill("300")
    page.locator("#f-refund-reason").fill("Fewer passengers")
    with page.expect_navigation():
        page.get_by_role("button", name="Record the refund").click()
    expect(page.get_by_role("status").first).to_contain_text("of 300.00 recorded")
    expect(page.locator(f'[data-charter-balance="{charters[0].id}"]').first).to_have_text("$100.00")
    expect(page.locator("#unapplied-total")).to_have_text("$0.00")
    assert _problems(page) == []


def test_payment_terms_on_a_phone(page):
    admin = make_user(role="admin")
    page.set_viewport_size(PHONE)
    sign_in(page, admin.email)
    page.goto("/admin/settings/payment-config")
    page.get_by_label("Deposit (% of the price)").fill("30")
    with page.expect_navigation():
        page.get_by_role("button", name="Save the terms").click()
    expect(page.get_by_role("status").first).to_contain_text("Payment terms saved")
    expect(page.get_by_label("Deposit (% of the price)")).to_have_value("30.00")
    _shot(page, "payment-terms-phone")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "the page scrolls sideways on a phone"
    _shot(page, "payment-terms-phone")
    assert _problems(page) == []
