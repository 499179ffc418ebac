"""The quote builder panel and the client's quote page in a real browser: tick three amenities and watch the
price follow, apply a promo code, hand the client the link, revise the quote (the old link then says it was
replaced), and the client accepts the new revision from a browser that never signed in."""

import re
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from coachway.charters import service
from coachway.core.db import transaction
from coachway.core.permissions import SYSTEM
from coachway.integrations import geocoding
from coachway.pricing import service as pricing_service
from tests.e2e.helpers import ARTIFACTS, screenshot, sign_in
from tests.factories import make_user
from tests.factories_domain import make_charter, make_client, make_stop, seed_dot_regulations, seed_templates
from tests.factories_pricing import make_amenity, make_promo, priced_setup

pytestmark = pytest.mark.e2e

TRIP = [("pickup", "Atlanta, GA", 0), ("stop", "Chattanooga, TN", 60), ("dropoff", "Atlanta, GA", 0)]
AMENITIES = [("Onboard Wi-Fi", "75.00", "flat_fee"), ("Bottled water", "2.00", "per_passenger"),
             ("Tour guide", "40.00", "per_hour"), ("Wheelchair lift", "150.00", "per_day")]
SHOTS = Path("/tmp")


def _script_problems(tab) -> list[str]:
    """Console errors (CSP violations among them) other than the browser or htmx noting a 4xx answer (a form
    shown again with its errors)."""
    noted = ("the server responded with a status of 4", "htmx:responseError", "Response Status Error Code 4")
    return [p for p in tab.console_problems if not any(words in p for words in noted)]


def _no_sideways_scroll(tab, what: str) -> None:
    overflow = tab.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{what} scrolls sideways"


def _dollars(text: str) -> Decimal:
    """"$1,076.80" -> 1076.80; "−$50.00" (a discount) -> -50.00."""
    text = text.strip()
    negative = text.startswith(("−", "-"))
    amount = Decimal(re.sub(r"[^\d.]", "", text))
    return -amount if negative else amount


def _shown_total(scope) -> Decimal:
    return _dollars(scope.locator("tfoot tr.total td").inner_text())


def _shown_lines(scope) -> list[Decimal]:
    return [_dollars(t) for t in scope.locator("tbody tr.line td.num").all_inner_texts()]


def _shot(tab, name: str, locator=None) -> None:
    """Save a screenshot under /tmp (to look at) and test-artifacts/e2e (kept with the run)."""
    screenshot(tab, name)
    target = locator or tab
    kwargs = {} if locator else {"full_page": True}
    target.screenshot(path=str(SHOTS / f"{name}.png"), **kwargs)


@pytest.fixture
def quote():
    """A routed round trip for 40 with one motorcoach, priced; four amenities and two promo codes on offer."""
    geocoding.OfflineGazetteer().warm()
    seed_dot_regulations()
    seed_templates()
    hub, coach = priced_setup(hourly_rate="150.00", per_mile_rate="4.00", vendor_hourly_cost="100.00",
                              vendor_per_mile_cost="2.50", deadhead_per_mile="2.00")
    for name, price, kind in AMENITIES:
        make_amenity(name=name, base_price=price, pricing_type=kind)
    make_promo(code="SPRING10", discount_type="percentage", discount_value="10")
    make_promo(code="BIGTRIP", discount_type="fixed_amount", discount_value="500",
               min_purchase_amount="50000")
    agent = make_user(role="sales_agent", full_name="Sam Sales")
    client_row = make_client(name="Peachtree Rotary Club", email="trips@peachtree.example")
    charter = make_charter(hub_id=hub.id, client_id=client_row.id, assigned_sales_agent_id=agent.id,
                           passenger_count=40, trip_type="round_trip", notes="Two wheelchair users.")
    for stop_type, address, dwell in TRIP:
        make_stop(charter.id, stop_type=stop_type, address=address, dwell_minutes=dwell, geocode=True)
    with transaction() as session:
        service.add_charter_vehicle(session, SYSTEM, charter.id, vehicle_type_id=coach.id, quantity=1)
        service.calculate_charter(session, SYSTEM, charter.id, save=True)
    return charter, agent


def _client_link(tab) -> str:
    """Press "Copy client link" and read the address from its box (as a path on the test server)."""
    panel = tab.locator("#quote")
    panel.get_by_role("button", name="Copy client link").click()
    box = panel.locator("#q-client-url")
    expect(box).to_be_visible()
    panel.get_by_role("button", name="Copy", exact=True).click()
    expect(panel.locator("[data-copy-status]")).to_contain_text(re.compile("Copied|selected"))
    return "/q/" + box.input_value().split("/q/", 1)[1]


def test_agent_prices_the_quote_live_and_the_client_accepts_the_revision(page, phone_page, quote):
    charter, agent = quote
    sign_in(page, agent.email)
    page.goto(f"/admin/charters/{charter.id}")
    panel = page.locator("#quote")
    expect(panel.get_by_role("heading", name="Quote and price")).to_be_visible()
    expect(panel).to_contain_text(f"Q-{charter.id}-R1")
    total = _shown_total(panel)
    assert sum(_shown_lines(panel)) == total > 0

    # Three amenities, one by one: each time the total moves, and it is the sum of the lines shown.
    # The last is ticked from the keyboard: the focus stays on it when the panel comes back.
    for name in ("Onboard Wi-Fi", "Bottled water", "Tour guide"):
        before = panel.locator("tfoot tr.total td").inner_text()
        box = panel.get_by_role("checkbox", name=re.compile(f"^{name}"))
        if name == "Tour guide":
            box.focus()
            page.keyboard.press("Space")
        else:
            box.check()
        expect(panel.get_by_role("status").first).to_contain_text(f"Added {name}.")
        expect(panel.locator("tfoot tr.total td")).not_to_have_text(before)
        new_total = _shown_total(panel)
        assert new_total > total, f"{name} did not raise the total"
        assert sum(_shown_lines(panel)) == new_total
        expect(panel.get_by_role("checkbox", name=re.compile(f"^{name}"))).to_be_checked()
        expect(panel.locator("tbody tr.line-amenity", has_text=name)).to_have_count(1)
        total = new_total
    expect(panel.get_by_role("checkbox", name=re.compile("^Tour guide"))).to_be_focused()

    # Two Wi-Fi units: the quantity opens once ticked, and the price follows it.
    quantity = panel.get_by_label("How many Onboard Wi-Fi")
    expect(quantity).to_be_enabled()
    quantity.fill("2")
    quantity.press("Enter")
    expect(panel.get_by_role("status").first).to_contain_text("Onboard Wi-Fi: quantity 2")
    assert _shown_total(panel) == total + Decimal("75.00")
    total = _shown_total(panel)

    # A code that does not apply says why, next to the field; a good one adds a discount line.
    panel.get_by_label("Code").fill("BIGTRIP")
    panel.get_by_role("button", name="Apply").click()
    expect(panel.locator("#q-promo-error")).to_contain_text("$50,000.00")
    assert _shown_total(panel) == total
    panel.get_by_label("Code").fill("spring10")
    panel.get_by_role("button", name="Apply").click()
    expect(panel.get_by_role("status").first).to_contain_text("Applied code SPRING10")
    discount = panel.locator("tbody tr.line-promo")
    expect(discount).to_contain_text("Promo code SPRING10")
    expect(discount.locator("td.num")).to_contain_text("−$")
    promo_total = _shown_total(panel)
    assert promo_total < total and sum(_shown_lines(panel)) == promo_total
    expect(panel.locator(".internal-figures")).to_contain_text("Margin")
    _shot(page, "quote_panel_desktop", panel)

    # The client opens revision 1's link in a browser that never signed in.
    first_link = _client_link(page)
    client_tab = phone_page
    client_tab.goto(first_link)
    expect(client_tab.get_by_role("heading", name="Your charter quote")).to_be_visible()
    expect(client_tab.locator("main")).to_contain_text(f"Q-{charter.id}-R1")
    assert _shown_total(client_tab.locator(".pq-price")) == promo_total
    expect(client_tab.locator("main")).not_to_contain_text("Margin")

    # The agent revises the quote: the page moves to revision 2; the first link now says it was replaced.
    panel.get_by_text("Create revision", exact=True).click()
    with page.expect_navigation():
        panel.get_by_role("button", name="Yes, create revision 2").click()
    revision_id = int(re.search(r"/admin/charters/(\d+)", page.url).group(1))
    assert revision_id != charter.id
    panel = page.locator("#quote")
    expect(panel).to_contain_text(f"Q-{revision_id}-R2")
    expect(page.locator("#messages")).to_contain_text("Revision 2 is open")
    assert _shown_total(panel) == promo_total  # the same trip, amenities and code
    client_tab.goto(first_link)
    expect(client_tab.get_by_role("heading", name="This quote was replaced")).to_be_visible()
    expect(client_tab.locator("main")).to_contain_text("revision 2; ask your agent for the new link")
    _shot(client_tab, "quote_public_superseded_phone")

    # The client accepts revision 2 through its own link.
    client_tab.goto(_client_link(page))
    expect(client_tab.locator("main")).to_contain_text(f"Q-{revision_id}-R2")
    _shot(client_tab, "quote_public_phone")
    client_tab.get_by_role("button", name="Accept the quote").click()
    expect(client_tab.locator("#f-signer_name-error")).to_contain_text("Type your full name")
    client_tab.get_by_label("Your full name").fill("Pat Rotary")
    client_tab.get_by_label("I accept this quote and its terms").check()
    client_tab.get_by_role("button", name="Accept the quote").click()
    expect(client_tab.locator("#accepted")).to_contain_text("Accepted on")
    expect(client_tab.locator("#accepted")).to_contain_text("your agent will be in touch about the deposit")
    expect(client_tab.get_by_role("button", name="Accept the quote")).to_have_count(0)
    _shot(client_tab, "quote_public_accepted_phone")

    page.reload()
    expect(page.locator("#quote")).to_contain_text("The client accepted this quote")
    assert _script_problems(page) == []
    assert _script_problems(client_tab) == []


def test_changing_the_vehicles_refreshes_the_price(page, quote):
    charter, agent = quote
    sign_in(page, agent.email)
    page.goto(f"/admin/charters/{charter.id}")
    panel = page.locator("#quote")
    before = panel.locator("tfoot tr.total td").inner_text()
    vehicles = page.locator("#vehicles")
    vehicles.get_by_label("How many").fill("2")
    vehicles.get_by_role("button", name="Add vehicles").click()
    expect(vehicles.get_by_role("status")).to_contain_text("Added 2 vehicles")
    expect(panel.locator("tfoot tr.total td")).not_to_have_text(before)
    assert sum(_shown_lines(panel)) == _shown_total(panel) > _dollars(before)
    assert _script_problems(page) == []


def test_email_pdf_and_a_quote_without_vehicles(page, quote):
    charter, agent = quote
    sign_in(page, agent.email)
    page.goto(f"/admin/charters/{charter.id}")
    panel = page.locator("#quote")
    panel.get_by_role("button", name="Email quote to client").click()
    expect(panel.get_by_role("status").first).to_contain_text("Emailed the quote to trips@peachtree.example.")
    panel.get_by_role("button", name="Quote PDF").click()
    download = panel.get_by_role("link", name=re.compile(r"^Download quote-Q-"))
    expect(download).to_be_visible()
    assert page.request.get(download.get_attribute("href")).body().startswith(b"%PDF")
    expect(panel.locator(".link-state")).to_contain_text("Emailed")

    bare = make_charter(hub_id=charter.hub_id, client_id=charter.client_id, assigned_sales_agent_id=agent.id)
    page.goto(f"/admin/charters/{bare.id}")
    expect(page.locator("#quote")).to_contain_text("Before this quote can be priced")
    expect(page.locator("#quote")).to_contain_text("Choose the vehicles")
    assert _script_problems(page) == []


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_the_panel_and_the_client_page_render_cleanly(request, width, quote):
    tab = request.getfixturevalue("page" if width == "desktop" else "phone_page")
    charter, agent = quote
    with transaction() as session:
        for amenity in service.list_charter_amenities(session, SYSTEM, charter.id):
            service.remove_charter_amenity(session, SYSTEM, charter.id, amenity["amenity_id"])
        offered = {a.name: a.id for a in pricing_service.list_amenities(session, SYSTEM, active_only=True)}
        service.add_charter_amenity(session, SYSTEM, charter.id, offered["Bottled water"])
        service.set_charter_promo(session, SYSTEM, charter.id, "SPRING10")
        token = service.secure_link(session, SYSTEM, charter.id)["token"]
    sign_in(tab, agent.email)
    tab.goto(f"/admin/charters/{charter.id}")
    panel = tab.locator("#quote")
    expect(panel.locator("tbody tr.line-promo")).to_have_count(1)
    panel.get_by_role("button", name="Copy client link").click()
    expect(panel.locator("#q-client-url")).to_be_visible()
    _no_sideways_scroll(tab, f"the charter page with its quote panel at {width} width")
    _shot(tab, f"quote_panel_{width}", panel)

    phone = {"is_mobile": True, "has_touch": True, "device_scale_factor": 2} if width == "phone" else {}
    public = tab.context.browser.new_context(base_url=tab.url.split("/admin", 1)[0],
                                             viewport=tab.viewport_size, **phone)
    client_tab = public.new_page()
    problems: list[str] = []
    client_tab.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    client_tab.on("pageerror", lambda exc: problems.append(str(exc)))
    client_tab.goto(f"/q/{token}")
    expect(client_tab.get_by_role("heading", name="Your charter quote")).to_be_visible()
    price = client_tab.locator(".pq-price")
    assert sum(_shown_lines(price)) == _shown_total(price)
    _no_sideways_scroll(client_tab, f"the client's quote page at {width} width")
    _shot(client_tab, f"quote_public_{width}")
    client_tab.emulate_media(media="print")
    expect(client_tab.locator(".pq-accept")).to_be_hidden()
    expect(client_tab.get_by_role("button", name="Print")).to_be_hidden()
    _shot(client_tab, f"quote_public_print_{width}")
    client_tab.emulate_media(media="screen")
    for name, path in (("garbage", "/q/not-a-link"), ("empty", "/q/")):
        answer = client_tab.goto(path)
        assert answer.status == 404
        expect(client_tab.get_by_role("heading", name="This quote link does not work")).to_be_visible()
        _shot(client_tab, f"quote_public_error_{name}_{width}")
    public.close()
    assert problems == [p for p in problems if "status of 404" in p]
    assert _script_problems(tab) == []
    assert (ARTIFACTS / f"quote_panel_{width}.png").exists()
