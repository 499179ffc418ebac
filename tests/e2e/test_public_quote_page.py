"""The public quote calculator in a real browser: a prospect on a phone and on a desktop prices a trip, sees
the estimate appear in place, sends their details and lands on the thank-you page; the lead is stored and
assigned. Also without JavaScript, and never a console or CSP error."""

import shutil
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from coachway.core import clock, ratelimit
from coachway.core.db import transaction
from coachway.core.permissions import SYSTEM
from coachway.sales.models import Lead
from tests.e2e.helpers import screenshot
from tests.factories import make_user
from tests.factories_pricing import priced_setup

pytestmark = pytest.mark.e2e
# Monday 2026-03-02, 10:00 in Atlanta.
NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def fixed_now_and_fresh_limits():
    clock.set_clock(lambda: NOW)
    ratelimit.reset()
    yield
    ratelimit.reset()


@pytest.fixture
def setup():
    return priced_setup(hourly_rate="150.00", per_mile_rate="3.00", minimum_hours="5",
                        vendor_hourly_cost="97.00", vendor_per_mile_cost="1.37")


@pytest.fixture
def agent():
    from coachway.sales import service as sales_service

    user = make_user(role="sales_agent")
    with transaction() as session:
        sales_service.update_queue(session, SYSTEM, [{"user_id": user.id, "is_active": True,
                                                      "max_daily_leads": None}])
    return user


def expected_total(setup, destination: str = "Macon, GA") -> str:
    from coachway.pricing import service as pricing_service
    from coachway.pricing.schemas import QuoteRequest

    hub, vtype = setup
    request = QuoteRequest(hub_id=hub.id, trip_date="2026-03-10", trip_type="round_trip", passenger_count=40,
                           vehicles=[{"vehicle_type_id": vtype.id, "quantity": 1}],
                           stops=[{"address": "Atlanta, GA"}, {"address": destination},
                                  {"address": "Atlanta, GA"}])
    with transaction() as session:
        return pricing_service.calculate_quote(session, SYSTEM, request)["total"]


def fill_trip(tab, destination: str = "Macon, GA") -> None:
    tab.get_by_label("Pickup address or city").fill("Atlanta, GA")
    tab.get_by_label("Destination").fill(destination)
    tab.get_by_label("Date", exact=True).fill("2026-03-10")
    tab.get_by_label("Passengers").fill("40")


def fill_contact(tab) -> None:
    tab.get_by_label("First name").fill("Dana")
    tab.get_by_label("Last name").fill("Reyes")
    tab.get_by_label("Email").fill("dana@example.org")
    tab.get_by_label("Phone").fill("404 555 0134")


def the_lead() -> Lead:
    with transaction() as session:
        [lead] = session.scalars(select(Lead)).all()
        session.expunge(lead)
    return lead


def _price_and_send(tab, setup, agent, shot: str) -> None:
    total = f"${Decimal(expected_total(setup)):,.2f}"
    tab.goto("/quote")
    fill_trip(tab)
    tab.get_by_role("button", name="See my estimate").click()
    estimate = tab.locator("#estimate")
    estimate.locator(".pubq-total-amount", has_text=total).wait_for()
    assert tab.url.endswith("/quote")  # swapped in place by HTMX, not a new page
    assert "vendor" not in estimate.inner_text().lower() and "margin" not in estimate.inner_text().lower()
    fill_contact(tab)
    shutil.copy(screenshot(tab, shot.removesuffix(".png").rsplit("/", 1)[-1]), shot)
    with tab.expect_navigation():
        tab.get_by_role("button", name="Send my request").click()
    assert tab.url.endswith("/quote/thanks")
    assert tab.get_by_role("heading", name="Thank you").is_visible()
    assert agent.full_name not in tab.content()
    lead = the_lead()
    assert lead.source == "online" and lead.assigned_to == agent.id
    assert f"${lead.estimated_value:,.2f}" == total
    assert tab.console_problems == []


def test_a_prospect_on_a_phone_prices_a_trip_and_sends_it(phone_page, setup, agent):
    _price_and_send(phone_page, setup, agent, "/tmp/public-quote-phone.png")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # nothing wider than the phone


def test_a_prospect_on_a_desktop_prices_a_trip_and_sends_it(page, setup, agent):
    _price_and_send(page, setup, agent, "/tmp/public-quote-desktop.png")


def test_a_route_that_cannot_be_mapped_is_said_kindly_and_can_still_be_sent(phone_page, setup, agent):
    phone_page.goto("/quote")
    fill_trip(phone_page, destination="Nowhere Special, ZZ")
    phone_page.get_by_role("button", name="See my estimate").click()
    phone_page.get_by_role("heading", name="We'll price this trip for you").wait_for()
    screenshot(phone_page, "public-quote-no-route-phone")
    fill_contact(phone_page)
    with phone_page.expect_navigation():
        phone_page.get_by_role("button", name="Send my request").click()
    assert phone_page.url.endswith("/quote/thanks")
    screenshot(phone_page, "public-quote-thanks-phone")
    lead = the_lead()
    assert lead.estimated_value is None and lead.assigned_to == agent.id
    assert phone_page.console_problems == []


def test_errors_show_next_to_the_fields(page, setup):
    page.goto("/quote")
    fill_trip(page)
    page.get_by_label("Passengers").fill("0")
    page.get_by_role("button", name="See my estimate").click()
    page.locator("#f-passenger_count-error").wait_for()
    screenshot(page, "public-quote-errors-desktop")
    assert page.get_by_label("Destination").input_value() == "Macon, GA"
    problems = [p for p in page.console_problems if "422" not in p]  # the browser logs the 422 itself
    assert problems == []


def test_the_calculator_works_without_javascript(browser, live_server, setup, agent):
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    try:
        tab = context.new_page()
        tab.set_default_timeout(10_000)
        total = f"${Decimal(expected_total(setup)):,.2f}"
        tab.goto("/quote")
        fill_trip(tab)
        with tab.expect_navigation():
            tab.get_by_role("button", name="See my estimate").click()
        assert tab.locator("#estimate .pubq-total-amount").inner_text() == total
        fill_contact(tab)
        with tab.expect_navigation():
            tab.get_by_role("button", name="Send my request").click()
        assert tab.url.endswith("/quote/thanks")
        assert the_lead().assigned_to == agent.id
    finally:
        context.close()
