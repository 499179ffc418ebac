"""Fleet pages in a real browser: a dispatcher adds a vehicle, hub and driver flows, every page's look."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from coachway.core import clock
from coachway.core.db import transaction
from coachway.core.permissions import SYSTEM
from coachway.fleet import service
from tests.e2e.helpers import screenshot, sign_in
from tests.factories import make_user
from tests.factories_domain import make_client, make_driver, make_hub, make_vehicle, make_vehicle_type

pytestmark = pytest.mark.e2e


def _script_problems(tab) -> list[str]:
    """Console errors other than the browser noting a 4xx page (a form re-shown with errors is a 422)."""
    return [p for p in tab.console_problems if "the server responded with a status of 4" not in p]


def _no_sideways_scroll(tab, what: str) -> None:
    overflow = tab.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{what} scrolls sideways"


def test_dispatcher_adds_a_vehicle_and_finds_it(page):
    dispatcher = make_user(role="dispatcher")
    atl = make_hub(code="ATL", name="Atlanta Garage")
    make_hub(code="BNA", name="Nashville Garage")
    make_vehicle_type(name="Motorcoach", capacity=56)
    mini = make_vehicle_type(name="Minibus", capacity=24)
    make_vehicle(unit_number="2201", hub_id=atl.id, vehicle_type_id=mini.id, make="Ford")
    sign_in(page, dispatcher.email)

    page.goto("/admin/fleet")
    expect(page.get_by_role("link", name="Vehicles")).to_have_attribute("aria-current", "page")
    page.get_by_role("link", name="New vehicle").click()
    expect(page.get_by_role("heading", name="New vehicle")).to_be_visible()
    page.get_by_label("Unit number").fill("mc 12")
    page.get_by_label("Year").fill("1890")
    page.get_by_role("button", name="Add vehicle").click()
    expect(page.get_by_role("alert")).to_contain_text("Some fields are missing or invalid")
    expect(page.locator("#f-hub_id-error")).to_have_text("This field is required.")
    expect(page.locator("#f-year-error")).to_have_text("Enter a number of at least 1950.")
    screenshot(page, "desktop-vehicle-new-errors")

    page.get_by_label("Vehicle type").select_option(label="Motorcoach (56 seats)")
    page.get_by_label("Hub", exact=True).select_option(label="BNA – Nashville Garage")
    page.get_by_label("Make").fill("Prevost")
    page.get_by_label("Model").fill("H3-45")
    page.get_by_label("Year").fill("2021")
    page.get_by_label("License plate").fill("TN-4512")
    page.get_by_role("button", name="Add vehicle").click()
    expect(page.get_by_role("status")).to_contain_text("Vehicle MC 12 is added to the fleet.")
    row = page.locator("#vehicle-results tr", has_text="MC 12")
    expect(row).to_contain_text("Motorcoach")
    expect(row).to_contain_text("BNA")
    expect(row).to_contain_text("2021 Prevost H3-45")

    page.get_by_label("Search").fill("prevost")
    expect(page.locator("#vehicle-results")).not_to_contain_text("2201")
    expect(page).to_have_url(re.compile(r"q=prevost"))
    page.get_by_label("Search").fill("")
    page.get_by_label("Hub", exact=True).select_option(label="ATL – Atlanta Garage")
    expect(page.locator("#vehicle-results")).to_contain_text("2201")
    expect(page.locator("#vehicle-results")).not_to_contain_text("MC 12")
    screenshot(page, "desktop-fleet-vehicles-filtered")
    with transaction() as session:
        [vehicle] = service.list_vehicles(session, SYSTEM, q="MC 12")[0]
        assert (vehicle.make, vehicle.year, vehicle.status) == ("Prevost", 2021, "active")
    assert _script_problems(page) == []


def test_dispatcher_sends_a_vehicle_to_maintenance(page):
    dispatcher = make_user(role="dispatcher")
    vehicle = make_vehicle(unit_number="1203")
    sign_in(page, dispatcher.email)
    page.goto("/admin/fleet")
    page.get_by_role("link", name="1203").click()
    page.get_by_label("Status").select_option("maintenance")
    page.get_by_role("button", name="Save vehicle").click()
    expect(page.get_by_role("status")).to_contain_text("Saved vehicle 1203.")
    expect(page.locator("tr", has_text="1203")).to_contain_text("Maintenance")
    with transaction() as session:
        assert service.get_vehicle(session, SYSTEM, vehicle.id).status == "maintenance"


def test_dispatcher_opens_a_hub_with_a_suggested_time_zone(page):
    dispatcher = make_user(role="dispatcher")
    sign_in(page, dispatcher.email)
    page.goto("/admin/fleet/hubs")
    expect(page.locator("main")).to_contain_text("No hubs yet.")
    page.get_by_role("link", name="New hub").click()
    page.get_by_label("Code", exact=True).fill("den")
    page.get_by_label("Name", exact=True).fill("Denver Yard")
    page.get_by_label("Time zone").fill("Mountain")
    page.get_by_role("button", name="Open hub").click()
    expect(page.locator("#f-timezone-error")).to_contain_text("is not an IANA time zone")
    page.get_by_label("Time zone").fill("America/Denver")
    page.get_by_role("button", name="Open hub").click()
    expect(page.get_by_role("status")).to_contain_text("Hub DEN (Denver Yard) is open.")
    expect(page.locator("tbody tr", has_text="Denver Yard")).to_contain_text("America/Denver")


def test_dispatcher_renews_a_drivers_cdl(page):
    today = clock.now().date()
    dispatcher = make_user(role="dispatcher")
    hub = make_hub(code="ATL", name="Atlanta Garage")
    driver = make_driver(full_name="Dee Driver", cdl_number="GA111", cdl_expiry=today - timedelta(days=2))
    sign_in(page, dispatcher.email)
    page.goto("/admin/fleet/drivers")
    row = page.locator("tr", has_text="Dee Driver")
    expect(row).to_contain_text("Expired")
    row.get_by_role("link", name="Dee Driver").click()
    page.get_by_label("CDL expiry").fill((today + timedelta(days=400)).isoformat())
    page.get_by_label("Home hub").select_option(label="ATL – Atlanta Garage")
    page.get_by_role("button", name="Save driver").click()
    expect(page.get_by_role("status")).to_contain_text("Saved driver Dee Driver.")
    expect(row).not_to_contain_text("Expired")
    expect(row).to_contain_text("ATL")
    with transaction() as session:
        assert service.get_driver(session, SYSTEM, driver.id).hub_id == hub.id


def test_client_user_is_refused_the_fleet(page):
    own = make_client(name="Own Club")
    user = make_user(role="client", client_id=own.id)
    sign_in(page, user.email)
    page.goto("/admin/fleet")
    expect(page.get_by_role("heading", name="You don't have access to this page")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Fleet")).to_have_count(0)


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_every_fleet_page_renders_cleanly(request, width):
    tab = request.getfixturevalue("page" if width == "desktop" else "phone_page")
    today = clock.now().date()
    dispatcher = make_user(role="dispatcher", full_name="Dana Dispatch")
    atl = make_hub(code="ATL", name="Atlanta Garage", city="Atlanta", state="GA")
    closed = make_hub(code="MCN", name="Macon Yard", city="Macon", state="GA", timezone="America/New_York")
    with transaction() as session:
        service.deactivate_hub(session, SYSTEM, closed.id)
    coach = make_vehicle_type(code="coach_56", name="56-passenger motorcoach", capacity=56,
                              description="Restroom, Wi-Fi, under-floor luggage.")
    mini = make_vehicle_type(code="mini_24", name="Minibus", capacity=24, sort_order=1)
    vehicle = make_vehicle(unit_number="1203", hub_id=atl.id, vehicle_type_id=coach.id, make="MCI",
                           model="J4500", year=2019, vin="1M8PDMPA5KP123456", license_plate="GA-1203")
    make_vehicle(unit_number="2201", hub_id=atl.id, vehicle_type_id=mini.id, make="Ford",
                 status="maintenance")
    make_vehicle(unit_number="3301", hub_id=atl.id, vehicle_type_id=mini.id, status="out_of_service")
    driver = make_driver(full_name="Ann Expired", cdl_number="GA111", cdl_expiry=today - timedelta(days=3),
                         hub_id=atl.id, phone="(404) 555-0111")
    make_driver(full_name="Bob Soon", cdl_number="GA222", cdl_expiry=today + timedelta(days=12))
    make_driver(full_name="Cy Fine", cdl_number="GA333", cdl_expiry=today + timedelta(days=300),
                hub_id=atl.id)
    make_driver(full_name="Di New")
    sign_in(tab, dispatcher.email)
    for name, path in [("fleet-vehicles", "/admin/fleet"), ("fleet-vehicles-empty", "/admin/fleet?q=zzz"),
                       ("fleet-hubs", "/admin/fleet/hubs"), ("fleet-types", "/admin/fleet/vehicle-types"),
                       ("fleet-drivers", "/admin/fleet/drivers"),
                       ("vehicle-new", "/admin/fleet/vehicles/new"),
                       ("vehicle-edit", f"/admin/fleet/vehicles/{vehicle.id}/edit"),
                       ("hub-new", "/admin/fleet/hubs/new"), ("hub-edit", f"/admin/fleet/hubs/{atl.id}/edit"),
                       ("type-new", "/admin/fleet/vehicle-types/new"),
                       ("type-edit", f"/admin/fleet/vehicle-types/{coach.id}/edit"),
                       ("driver-edit", f"/admin/fleet/drivers/{driver.id}/edit")]:
        tab.goto(path)
        expect(tab.locator("h1")).to_be_visible()
        screenshot(tab, f"{width}-{name}")
        _no_sideways_scroll(tab, f"{path} at {width} width")
    assert _script_problems(tab) == []
