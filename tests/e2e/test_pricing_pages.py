"""Pricing pages in a real browser: a manager adds an amenity and a promo code, edits a cell of the rate
matrix in place, and tries a price whose total is the sum of its lines; the look on desktop and phone."""

import shutil
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from coachway.core import clock
from coachway.core.db import transaction
from coachway.pricing import service
from tests.e2e.helpers import screenshot, sign_in
from tests.factories import make_user
from tests.factories_pricing import make_amenity, make_modifier, make_promo, priced_setup

pytestmark = pytest.mark.e2e


def _script_problems(tab) -> list[str]:
    """Console errors other than the browser or HTMX noting a 4xx answer (a form re-shown with errors)."""
    noted = ("the server responded with a status of 4", "htmx:responseError", "Response Status Error Code 4")
    return [p for p in tab.console_problems if not any(n in p for n in noted)]


def _no_sideways_scroll(tab, what: str) -> None:
    overflow = tab.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{what} scrolls sideways"


def _dollars(text: str) -> Decimal:
    text = text.strip().replace("$", "").replace(",", "")
    return -Decimal(text[1:]) if text.startswith("-") else Decimal(text)


def _shot(tab, name: str) -> None:
    """A screenshot in test-artifacts/e2e/ and a copy in /tmp to look at."""
    path = screenshot(tab, name)
    shutil.copy(path, Path("/tmp") / f"{name}.png")


def test_manager_sets_up_pricing_and_tries_a_price(page):
    manager = make_user(role="manager")
    hub, coach = priced_setup(hourly_rate="100.00", per_mile_rate="4.00", vendor_hourly_cost="70.00")
    make_amenity(name="Bottled water", category="refreshments", pricing_type="per_passenger",
                 base_price="1.50")
    sign_in(page, manager.email)

    # An amenity, with a mistake first.
    page.goto("/admin/pricing/amenities")
    page.get_by_role("link", name="New amenity").click()
    page.get_by_label("Name").fill("Wi-Fi")
    page.get_by_label("Price ($)").fill("-3")
    page.get_by_role("button", name="Add amenity").click()
    expect(page.locator("#f-category-error")).to_be_visible()
    expect(page.locator("#f-base_price-error")).to_be_visible()
    page.get_by_label("Category").select_option(label="Entertainment")
    page.get_by_label("Priced").select_option(label="Per day")
    page.get_by_label("Price ($)").fill("25")
    page.get_by_role("button", name="Add amenity").click()
    expect(page.get_by_role("status")).to_contain_text("Wi-Fi is on offer.")
    wifi = page.locator("tr", has_text="Wi-Fi")
    expect(wifi).to_contain_text("Per day")
    expect(wifi).to_contain_text("$25.00")
    page.get_by_role("button", name="Move Wi-Fi up").click()
    expect(page.locator("tbody tr").first).to_contain_text("Wi-Fi")
    _shot(page, "pricing_amenities")

    # A promo code.
    page.get_by_role("link", name="Promo codes").click()
    page.get_by_role("link", name="New promo code").click()
    page.get_by_label("Code").fill("spring10")
    page.get_by_label("Amount off").fill("10")
    page.get_by_label("Uses allowed").fill("10")
    page.get_by_label("Round trip").check()
    page.get_by_role("button", name="Add promo code").click()
    expect(page.get_by_role("status")).to_contain_text("Promo code SPRING10 is ready to use.")
    row = page.locator("tr", has_text="SPRING10")
    expect(row).to_contain_text("0 / 10")
    expect(row).to_contain_text("10 % off")
    _shot(page, "pricing_promo_codes")

    # A cell of the rate matrix, edited in place.
    page.get_by_role("link", name="Rates & policy").click()
    cell = page.locator(f"#rate-{hub.id}-{coach.id}")
    expect(cell).to_contain_text("Company default")
    cell.get_by_role("link", name="Set rate").click()
    editing = page.locator(f"#rate-{hub.id}-{coach.id}.rate-editing")
    expect(editing).to_be_visible()
    editing.get_by_label("Per hour ($)", exact=True).fill("120")
    editing.get_by_role("button", name="Save rate").click()
    saved = page.locator(f"#rate-{hub.id}-{coach.id}.rate-row")
    expect(saved).to_contain_text("$120.00")
    expect(saved).to_contain_text("Own rate")
    expect(saved.get_by_role("status")).to_have_text("Saved.")
    with transaction() as session:
        assert service.resolve_rate(session, hub.id, coach.id).hourly_rate == Decimal("120.00")

    # Try a price with the new rate, both amenities and the promo code.
    trip_date = clock.now().date() + timedelta(days=20)
    form = page.locator("#try-result form")
    form.get_by_label("Hub").select_option(value=str(hub.id))
    form.get_by_label("Trip date").fill(trip_date.isoformat())
    form.get_by_label("Trip type").select_option(label="Round trip")
    form.get_by_label("Passengers").fill("40")
    form.get_by_label("Vehicle type").select_option(value=str(coach.id))
    form.get_by_label("Hours").fill("7")
    form.get_by_label("Miles").fill("150")
    form.get_by_label("Promo code").fill("spring10")
    form.get_by_label("Wi-Fi").check()
    form.get_by_label("Bottled water").check()
    form.get_by_role("button", name="Calculate").click()
    result = page.locator(".quote-result")
    expect(result).to_be_visible()
    amounts = [_dollars(t) for t in result.locator("td.line-amount").all_inner_texts()]
    total = _dollars(result.locator(".quote-total strong").inner_text())
    assert total == sum(amounts)
    assert amounts[:3] == [Decimal("840.00"), Decimal("25.00"), Decimal("60.00")]  # 7 h x $120, Wi-Fi, water
    assert amounts[-1] == Decimal("-92.50")  # 10 % off
    expect(result).to_contain_text("Promo code SPRING10 applied.")
    expect(result).to_contain_text("Margin")
    _shot(page, "pricing_try_a_price")
    assert _script_problems(page) == []


def test_try_a_price_errors_and_modifier_form_in_the_browser(page):
    manager = make_user(role="manager")
    priced_setup()
    sign_in(page, manager.email)
    page.goto("/admin/pricing")
    page.locator("#try-result").get_by_role("button", name="Calculate").click()
    expect(page.locator("#f-try-hub_id-error")).to_have_text("This field is required.")
    expect(page.locator("#f-try-hours-error")).to_have_text("This field is required.")

    page.goto("/admin/pricing/modifiers/new")
    # Only the chosen type's condition shows; the others fold away until asked for.
    expect(page.get_by_role("group", name="Days of the week")).to_be_visible()
    expect(page.get_by_label("Pickup within (hours)")).to_be_hidden()
    page.get_by_label("Applies to", exact=True).select_option(label="Short notice (ASAP)")
    expect(page.get_by_label("Pickup within (hours)")).to_be_visible()
    expect(page.get_by_role("group", name="Days of the week")).to_be_hidden()
    page.get_by_label("Name", exact=True).fill("Short notice")
    page.get_by_label("Amount", exact=True).fill("15")
    page.get_by_label("Pickup within (hours)").fill("72")
    _shot(page, "pricing_modifier_form")
    page.get_by_role("button", name="Add modifier").click()
    expect(page.get_by_role("status")).to_contain_text("Added the modifier Short notice.")
    expect(page.locator("tr", has_text="Short notice")).to_contain_text("Pickup within 72 hours")
    _shot(page, "pricing_modifiers")
    assert _script_problems(page) == []


def test_pricing_pages_fit_a_phone(phone_page):
    manager = make_user(role="manager")
    priced_setup()
    make_amenity(name="Wi-Fi", category="entertainment", pricing_type="per_day")
    make_promo(code="SPRING10", max_uses=10)
    make_modifier(name="Weekend")
    sign_in(phone_page, manager.email)
    for path, name in (("/admin/pricing", "pricing_phone_rates"), ("/admin/pricing/amenities", None),
                       ("/admin/pricing/promo-codes", "pricing_phone_promos"),
                       ("/admin/pricing/modifiers", None)):
        phone_page.goto(path)
        _no_sideways_scroll(phone_page, path)
        if name:
            _shot(phone_page, name)
    phone_page.goto("/admin/pricing")
    phone_page.locator(".rate-row").first.get_by_role("link").click()
    expect(phone_page.locator(".rate-editing")).to_be_visible()
    _no_sideways_scroll(phone_page, "the rate editor")
    _shot(phone_page, "pricing_phone_rate_edit")
    assert _script_problems(phone_page) == []
