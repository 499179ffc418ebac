"""The financial reports in a real browser: AR aging, a bucket clicked down to its charters, AP aging, the
dashboard with its charts; no script or CSP error, nothing scrolling sideways on a phone."""

from datetime import date

import pytest
from playwright.sync_api import expect

from tests.api.test_financial_reports import _world
from tests.e2e.helpers import screenshot, sign_in
from tests.factories import make_user

pytestmark = pytest.mark.e2e
D = date(2025, 3, 31)


def test_ar_aging_bucket_opens_its_charters(page):
    w = _world()
    user = make_user(role="accounting")
    sign_in(page, user.email)
    page.goto(f"/admin/reports/ar-aging?as_of={D.isoformat()}")
    expect(page.get_by_role("heading", name="AR aging")).to_be_visible()
    row = page.locator("table.aging-table tbody tr", has_text="Acme Tours")
    expect(row).to_be_visible()
    screenshot(page, "financial-ar-aging")
    row.locator('td[data-bucket="d1_30"] a').click()
    expect(page.get_by_role("heading", name="AR aging: charters (1-30) · Acme Tours")).to_be_visible()
    expect(page.locator(f'a[href="/admin/charters/{w["partly"].id}"]')).to_be_visible()
    expect(page.locator(f'a[href="/admin/charters/{w["paid"].id}"]')).to_have_count(0)
    screenshot(page, "financial-ar-aging-charters")
    assert page.console_problems == []


def test_the_dashboard_draws_its_charts(page):
    _world()
    user = make_user(role="accounting")
    sign_in(page, user.email)
    page.goto(f"/admin/reports/financial-dashboard?as_of={D.isoformat()}")
    expect(page.locator('[data-metric="open_ar"] .tile-value')).to_have_text("$1,340.00")
    expect(page.locator("#ar-chart svg")).to_have_count(6)
    expect(page.locator("#receipts-chart svg")).to_be_visible()
    screenshot(page, "financial-dashboard")
    page.goto(f"/admin/reports/ap-aging?as_of={D.isoformat()}")
    expect(page.locator("table.aging-table tbody tr", has_text="Blue Line Coaches")).to_be_visible()
    screenshot(page, "financial-ap-aging")
    assert page.console_problems == []


def test_ar_aging_fits_a_phone(phone_page):
    _world()
    user = make_user(role="accounting")
    sign_in(phone_page, user.email)
    phone_page.goto(f"/admin/reports/ar-aging?as_of={D.isoformat()}")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    screenshot(phone_page, "financial-ar-aging-phone")
    assert width <= 390
    assert phone_page.console_problems == []
