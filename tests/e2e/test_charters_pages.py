"""Charter pages in a real browser: open a quote, build a 5-stop itinerary, reorder it by drag and drop and
by keyboard, read the totals, the DOT flag and the map; every page's look on desktop and phone."""

import re
from datetime import time, timedelta

import pytest
from playwright.sync_api import expect

from coachway.charters import service
from coachway.core import clock
from coachway.core.db import transaction
from coachway.core.permissions import SYSTEM
from coachway.integrations import geocoding
from tests.e2e.helpers import ARTIFACTS, screenshot, sign_in
from tests.factories import make_user
from tests.factories_domain import (
    ATL_HUB,
    make_charter,
    make_client,
    make_hub,
    make_stop,
    make_vehicle_type,
    seed_dot_regulations,
)

pytestmark = pytest.mark.e2e

FIVE = [("pickup", "Atlanta, GA", "15"), ("stop", "Chattanooga, TN", "30"), ("stop", "Nashville, TN", "45"),
        ("stop", "Louisville, KY", "30"), ("dropoff", "Cincinnati, OH", "0")]


def _script_problems(tab) -> list[str]:
    """Console errors other than the browser noting a 4xx answer (a form re-shown with errors)."""
    return [p for p in tab.console_problems
            if "the server responded with a status of 4" not in p and "htmx:responseError" not in p]


def _no_sideways_scroll(tab, what: str) -> None:
    overflow = tab.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{what} scrolls sideways"


def _stop_names(tab) -> list[str]:
    return tab.locator("#stop-list .stop-name").all_inner_texts()


def _saved_order(charter_id: int) -> list[str]:
    with transaction() as session:
        return [s.address for s in service.list_stops(session, SYSTEM, charter_id)]


def _drag(tab, handle, target) -> None:
    """Press on a drag handle, move in small steps to the top of the target, let go."""
    start, end = handle.bounding_box(), target.bounding_box()
    tab.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    tab.mouse.down()
    tab.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2 - 10, steps=5)
    tab.mouse.move(end["x"] + 40, end["y"] + end["height"] / 2, steps=20)
    tab.wait_for_timeout(300)  # let the list's animation settle before the last move
    tab.mouse.move(end["x"] + 40, end["y"] + 4, steps=5)
    tab.wait_for_timeout(300)
    tab.mouse.up()


@pytest.fixture
def fleet():
    # The offline gazetteer builds its indexes on first use (a second or more): not inside a click's timeout.
    geocoding.OfflineGazetteer().warm()
    seed_dot_regulations()
    hub = make_hub(**ATL_HUB)
    make_vehicle_type(code="coach56", name="Motorcoach", capacity=56, default_hourly_rate="150.00")
    make_vehicle_type(code="mini28", name="Minibus", capacity=28, default_hourly_rate="95.00")
    return hub


def test_agent_builds_a_five_stop_itinerary_reorders_it_by_dragging_and_sees_totals_and_dot(page, fleet):
    agent = make_user(role="sales_agent", full_name="Sam Sales")
    make_client(name="Peachtree Rotary Club")
    make_client(name="Savannah Choir")
    sign_in(page, agent.email)

    page.goto("/admin/charters")
    page.get_by_role("link", name="New quote").click()
    expect(page.get_by_role("heading", name="New quote")).to_be_visible()
    page.get_by_label("Find a client").fill("choir")
    page.get_by_label("Find a client").press("Enter")  # narrows the list; does not send the form
    expect(page.locator("#f-client_id option")).to_have_count(2)  # the prompt and Savannah Choir
    expect(page.get_by_role("alert")).to_have_count(0)
    page.get_by_label("Client", exact=True).select_option(label="Savannah Choir")
    page.get_by_label("Hub").select_option(label="ATL · Atlanta")
    page.get_by_label("Trip type").select_option("one_way")
    trip = clock.now().date() + timedelta(days=21)
    page.get_by_label("Trip date").fill(trip.isoformat())
    page.get_by_label("Pickup time").fill("07:00")
    page.get_by_label("Passengers").fill("50")
    with page.expect_navigation():
        page.get_by_role("button", name="Open the quote").click()
    expect(page.get_by_role("status").first).to_contain_text("is open")
    charter_id = int(re.search(r"/admin/charters/(\d+)", page.url).group(1))

    route = page.locator("#route")
    for stop_type, address, dwell in FIVE:
        page.locator("#f-stop-stop_type").select_option(stop_type)
        page.locator("#f-stop-address").fill(address)
        page.locator("#f-stop-dwell_minutes").fill(dwell)
        page.get_by_role("button", name="Add stop").click()
        expect(route.get_by_role("status")).to_contain_text(f"{address}.")
        expect(page.locator("#f-stop-address")).to_be_focused()  # ready for the next stop
    assert _stop_names(page) == [a for _, a, _ in FIVE]
    expect(route).to_contain_text("Live miles")
    expect(page.locator(".route-map .map-pin.stop")).to_have_count(5)
    expect(page.locator(".route-map .map-pin.hub")).to_have_count(1)
    expect(page.locator(".route-map path.route-live")).to_have_count(1)
    screenshot(page, "desktop-charter-five-stops")

    # Drag Cincinnati (5th) by its handle onto Chattanooga (2nd): the new order is saved at once.
    last = page.locator("#stop-list .stop").nth(4)
    target = page.locator("#stop-list .stop").nth(1)
    _drag(page, last.locator(".drag-handle"), target)
    expect(route.get_by_role("status")).to_contain_text("Saved the new order of the stops")
    dragged = ["Atlanta, GA", "Cincinnati, OH", "Chattanooga, TN", "Nashville, TN", "Louisville, KY"]
    assert _stop_names(page) == dragged
    assert _saved_order(charter_id) == dragged
    page.reload()
    assert _stop_names(page) == dragged  # it stays after a reload

    # Keyboard: move Louisville up one place without the mouse; the focus stays on it.
    up = page.get_by_role("button", name="Move Louisville, KY up")
    up.focus()
    page.keyboard.press("Enter")
    expect(route.get_by_role("status")).to_contain_text("Moved Louisville, KY up to stop 4.")
    expect(page.get_by_role("button", name="Move Louisville, KY up")).to_be_focused()
    final = ["Atlanta, GA", "Cincinnati, OH", "Chattanooga, TN", "Louisville, KY", "Nashville, TN"]
    assert _stop_names(page) == final and _saved_order(charter_id) == final

    totals = page.locator(".totals-panel")
    for words in ("Live miles", "Deadhead miles", "Total miles", "Driving time", "Garage to garage"):
        expect(totals).to_contain_text(words)
    expect(totals).to_contain_text(re.compile(r"Total miles\s*[\d,]+\.\d mi"))
    dot = page.locator("#dot")
    expect(dot).to_contain_text("Overnight rest required")  # about 20 hours of driving: too long for one day
    expect(dot).to_contain_text("10-hour driving limit")
    expect(dot).to_contain_text("49 CFR 395.5(a)(1)")
    screenshot(page, "desktop-charter-reordered")
    assert _script_problems(page) == []


def test_a_twelve_hour_day_trip_is_flagged_for_a_second_driver(page, fleet):
    agent = make_user(role="sales_agent")
    charter = make_charter(hub_id=fleet.id, client_id=make_client(name="Savannah Choir").id,
                           assigned_sales_agent_id=agent.id, pickup_time=time(6, 0), passenger_count=80)
    sign_in(page, agent.email)
    page.goto(f"/admin/charters/{charter.id}")
    trip = (("pickup", "Atlanta, GA"), ("stop", "Jacksonville, FL"), ("dropoff", "Atlanta, GA"))
    for stop_type, address in trip:
        page.locator("#f-stop-stop_type").select_option(stop_type)
        page.locator("#f-stop-address").fill(address)
        page.get_by_role("button", name="Add stop").click()
        expect(page.locator("#route").get_by_role("status")).to_contain_text(f"{address}.")
    dot = page.locator("#dot")
    expect(dot.locator(".flag")).to_have_text(["Second driver required"])
    expect(dot).to_contain_text("10-hour driving limit")
    expect(dot).to_contain_text("it needs a second driver or an overnight rest")

    vehicles = page.locator("#vehicles")
    vehicles.get_by_role("button", name=re.compile("Use this mix")).first.click()
    expect(vehicles.get_by_role("status")).to_contain_text("now uses this vehicle mix")
    expect(vehicles).to_contain_text("In use")
    screenshot(page, "desktop-charter-second-driver")

    page.goto("/admin/charters")
    expect(page.locator("#charter-results")).to_contain_text("2nd driver")
    assert _script_problems(page) == []


def test_geocoding_names_the_stop_that_was_not_found(page, fleet):
    manager = make_user(role="manager")
    charter = make_charter(hub_id=fleet.id, pickup_time=time(8, 0))
    make_stop(charter.id, address="Atlanta, GA")
    make_stop(charter.id, address="Atlantis, ZZ")
    sign_in(page, manager.email)
    page.goto(f"/admin/charters/{charter.id}")
    expect(page.locator(".stop.unlocated")).to_have_count(2)
    page.get_by_role("button", name="Geocode stops").click()
    alert = page.locator("#route .alert").first
    expect(alert).to_contain_text("Found 1 of 2 places.")
    expect(alert).to_contain_text("Stop 2 (Atlantis, ZZ): No place found")
    expect(page.locator(".stop.unlocated")).to_have_count(1)
    screenshot(page, "desktop-charter-geocode")
    assert _script_problems(page) == []


def test_a_refused_step_and_a_cancellation(page, fleet):
    manager = make_user(role="manager")
    charter = make_charter(hub_id=fleet.id)
    sign_in(page, manager.email)
    page.goto(f"/admin/charters/{charter.id}")
    expect(page.get_by_role("button", name="Complete the trip")).to_have_count(0)
    page.get_by_role("button", name="Book it").click()
    expect(page.get_by_role("status")).to_contain_text(f"Charter {charter.id} is booked.")
    page.get_by_text("Cancel this charter").click()
    page.get_by_role("button", name=f"Yes, cancel charter {charter.id}").click()
    expect(page.locator("#f-cancel-cancellation_reason-error")).to_be_visible()
    page.get_by_label("Reason").fill("The school trip moved to spring.")
    page.get_by_label("Cancellation fee (USD)").fill("250")
    page.get_by_role("button", name=f"Yes, cancel charter {charter.id}").click()
    expect(page.get_by_role("status")).to_contain_text("is cancelled")
    expect(page.locator("main")).to_contain_text("$250.00")
    expect(page.get_by_role("button", name="Book it")).to_have_count(0)
    assert _script_problems(page) == []


def test_another_agents_charter_is_not_found(page, fleet):
    agent = make_user(role="sales_agent")
    theirs = make_charter(hub_id=fleet.id, assigned_sales_agent_id=make_user(role="sales_agent").id)
    sign_in(page, agent.email)
    page.goto(f"/admin/charters/{theirs.id}")
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_every_charter_page_renders_cleanly(request, width, fleet):
    tab = request.getfixturevalue("page" if width == "desktop" else "phone_page")
    manager = make_user(role="manager", full_name="Morgan Manager")
    agent = make_user(role="sales_agent", full_name="Sam Sales")
    choir = make_client(name="Savannah Choir & Friends of the Historic District Preservation Society")
    charter = make_charter(hub_id=fleet.id, client_id=choir.id, assigned_sales_agent_id=agent.id,
                           trip_type="round_trip", pickup_time=time(7, 0), passenger_count=80,
                           notes="Two wheelchair users.\nLunch stop in Nashville.",
                           internal_notes="Repeat client")
    for stop_type, address, dwell in FIVE:
        make_stop(charter.id, stop_type=stop_type, address=address, dwell_minutes=int(dwell), geocode=True)
    make_stop(charter.id, address="Atlantis, ZZ", location_name="Lost City Convention Center")
    for n in range(3):
        make_charter(hub_id=fleet.id, client_id=make_client(name=f"Club {n}").id,
                     assigned_sales_agent_id=agent.id)
    with transaction() as session:
        rule = service.list_dot_regulations(session, SYSTEM)[0]
    sign_in(tab, manager.email)
    for name, path in [("charters", "/admin/charters"),
                       ("charters-empty", "/admin/charters?q=nothing-like-this"),
                       ("charter-new", "/admin/charters/new"),
                       ("charter-detail", f"/admin/charters/{charter.id}"),
                       ("charter-edit", f"/admin/charters/{charter.id}/edit"),
                       ("dot-rules", "/admin/settings/dot-regulations"),
                       ("dot-rule-edit", f"/admin/settings/dot-regulations/{rule.id}/edit")]:
        tab.goto(path)
        expect(tab.locator("h1")).to_be_visible()
        if name == "charter-detail":
            expect(tab.locator(".route-map .map-pin.stop")).to_have_count(5)
            for part, selector in (("summary", ".charter-summary"), ("vehicles", "#vehicles"),
                                   ("stops", ".itinerary"), ("side", ".route-side")):
                tab.locator(selector).screenshot(path=str(ARTIFACTS / f"{width}-{name}-{part}.png"))
        screenshot(tab, f"{width}-{name}")
        _no_sideways_scroll(tab, f"{path} at {width} width")
    tab.goto("/admin/charters/new")
    tab.get_by_role("button", name="Open the quote").click()
    expect(tab.locator("#f-client_id-error")).to_be_visible()
    screenshot(tab, f"{width}-charter-new-errors")
    _no_sideways_scroll(tab, f"the quote form with errors at {width} width")
    assert _script_problems(tab) == []
