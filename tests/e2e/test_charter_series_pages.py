"""Recurring series and copies in a real browser: build a weekday rule with the wizard, watch the preview,
create 60 quotes, remove instance 7 from the series page (the numbers stay, the days recount), and copy a
charter to two dates with the calendar. Screenshots (desktop and phone) go to /tmp/series_*.png."""

import re
from datetime import time, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from coachway.charters import service
from coachway.core import clock
from coachway.core.db import transaction
from coachway.core.permissions import SYSTEM
from coachway.integrations import geocoding
from tests.e2e.helpers import screenshot, sign_in
from tests.factories import make_user
from tests.factories_domain import make_charter, make_client, make_stop, seed_dot_regulations
from tests.factories_pricing import make_amenity, priced_setup

pytestmark = pytest.mark.e2e
SHOTS = Path("/tmp")


def _script_problems(tab) -> list[str]:
    """Console errors (CSP violations among them), other than the browser noting a 4xx answer."""
    noted = ("the server responded with a status of 4", "htmx:responseError", "Response Status Error Code 4")
    return [p for p in tab.console_problems if not any(words in p for words in noted)]


def _no_sideways_scroll(tab, what: str) -> None:
    overflow = tab.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{what} scrolls sideways"


def _shot(tab, name: str) -> None:
    screenshot(tab, name)
    tab.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _next_monday(after_days: int = 10):
    day = clock.now().date() + timedelta(days=after_days)
    return day + timedelta(days=(7 - day.weekday()) % 7)


@pytest.fixture
def quote():
    """A priced quote of the agent's on a Monday: two stops, a coach and an amenity."""
    geocoding.OfflineGazetteer().warm()
    seed_dot_regulations()
    hub, coach = priced_setup(hourly_rate="100.00", per_mile_rate="1.00")
    agent = make_user(role="sales_agent", full_name="Sam Sales")
    charter = make_charter(hub_id=hub.id, client_id=make_client(name="Campus Co").id,
                           trip_date=_next_monday(), pickup_time=time(7, 0), assigned_sales_agent_id=agent.id)
    make_stop(charter.id, stop_type="pickup", address="Atlanta, GA", dwell_minutes=10, geocode=True)
    make_stop(charter.id, stop_type="dropoff", address="Chattanooga, TN", geocode=True)
    wifi = make_amenity(name="Wi-Fi", base_price="50.00", pricing_type="flat_fee")
    with transaction() as session:
        service.add_charter_vehicle(session, SYSTEM, charter.id, vehicle_type_id=coach.id, quantity=1)
        service.add_charter_amenity(session, SYSTEM, charter.id, wifi.id, quantity=1)
        service.calculate_charter(session, SYSTEM, charter.id, save=True)
    return charter, agent


def test_agent_builds_a_weekday_series_and_removes_one_instance(page, phone_page, quote):
    charter, agent = quote
    monday = charter.trip_date
    sign_in(page, agent.email)
    page.goto(f"/admin/charters/{charter.id}")
    page.get_by_role("link", name="Create recurring").click()
    expect(page.get_by_role("heading", name="Make a recurring series")).to_be_visible()

    page.get_by_label("Series name").fill("Campus shuttle")
    page.get_by_label("How often").select_option("DAILY")
    for day in ("Tue", "Wed", "Thu", "Fri"):
        page.locator(".weekday", has_text=day).click()
    page.get_by_label("Number of times").fill("60")
    rule = page.get_by_label("Repeat rule (RFC 5545 RRULE)")
    expect(rule).to_have_value("FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR;COUNT=60")
    preview = page.locator("#recurring-preview")
    expect(preview.locator("[data-preview-summary]")).to_contain_text(
        f"60 dates, Mon {monday.day} {monday:%b %Y} to ")
    expect(preview.locator("[data-date]")).to_have_count(60)
    expect(preview.locator("[data-date]").first).to_have_attribute("data-date", monday.isoformat())
    _shot(page, "series_wizard_desktop")

    # A typed rule that cannot work says why, next to the field; fixing it brings the dates back.
    rule.fill("FREQ=HOURLY;COUNT=3")
    expect(page.locator("#rule-error")).to_contain_text("FREQ=HOURLY is not a daily")
    rule.fill("FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR;COUNT=60")
    expect(page.locator("#rule-error")).to_be_empty()
    expect(preview.locator("[data-date]")).to_have_count(60)

    with page.expect_navigation():
        page.get_by_role("button", name="Create series").click()
    expect(page).to_have_url(re.compile(r"/admin/charters/series/\d+$"))
    expect(page.locator("tr.instance")).to_have_count(60)
    expect(page.locator(".series-counts")).to_contain_text("60 running of 60")
    series_url = page.url
    _shot(page, "series_page_desktop")

    row7 = page.locator("tr[data-instance='7']")
    row7.get_by_text("Remove", exact=True).click()
    row7.get_by_label("Reason").fill("Campus closed")
    page.once("dialog", lambda dialog: dialog.accept())
    row7.get_by_role("button", name="Remove instance 7").click()
    expect(page.locator(".series-counts")).to_contain_text("59 running of 60")
    expect(page.locator("tr[data-instance='7']")).to_have_class(re.compile("removed"))
    expect(page.locator("tr[data-instance='8'] .day-label")).to_have_text("Day 7 of 59")
    expect(page.locator("tr.instance")).to_have_count(60)
    _shot(page, "series_page_removed_desktop")
    assert not _script_problems(page), page.console_problems

    # The same pages on a phone: no sideways scrolling, the table turns into cards.
    sign_in(phone_page, agent.email)
    phone_page.goto(series_url)
    expect(phone_page.locator(".series-counts")).to_contain_text("59 running")
    _no_sideways_scroll(phone_page, "the series page")
    _shot(phone_page, "series_page_phone")
    other = make_charter(hub_id=charter.hub_id, client_id=charter.client_id, trip_date=_next_monday(),
                         assigned_sales_agent_id=agent.id)
    phone_page.goto(f"/admin/charters/{other.id}/recurring")
    expect(phone_page.locator("[data-preview-summary]")).to_contain_text("10 dates")
    _no_sideways_scroll(phone_page, "the wizard")
    _shot(phone_page, "series_wizard_phone")
    assert not _script_problems(phone_page), phone_page.console_problems


def test_agent_copies_a_charter_to_two_dates_with_the_calendar(page, phone_page, quote):
    charter, agent = quote
    sign_in(page, agent.email)
    page.goto(f"/admin/charters/{charter.id}")
    page.get_by_role("link", name="Copy to other dates").click()
    section = page.locator("#clone")
    first = charter.trip_date + timedelta(days=1)
    section.locator(f"label[for='clone-d-{first.isoformat()}']").click()
    expect(section.get_by_label(f"{first:%A} {first.day} {first:%B %Y}")).to_be_checked()
    # the second date from the next month, with the keyboard on the way back
    section.get_by_role("link", name=re.compile("^Next month")).click()
    following = (charter.trip_date.replace(day=1) + timedelta(days=32)).replace(day=1)
    expect(section.locator(".cal-title")).to_have_text(f"{following:%B %Y}")
    second = following + timedelta(days=9)
    box = section.locator(f"#clone-d-{second.isoformat()}")
    box.focus()
    page.keyboard.press("Space")
    expect(box).to_be_checked()
    chips = section.locator("[data-chips] .chip")
    expect(chips).to_have_count(2)
    expect(chips.first).to_contain_text(f"{first:%a} {first.day} {first:%b %Y}")
    _shot(page, "series_calendar_desktop")
    with page.expect_navigation():
        section.get_by_role("button", name="Make the copies").click()
    made = page.locator(".clone-made li")
    expect(made).to_have_count(2)
    expect(page.locator("main")).to_contain_text(f"Made 2 copies of charter {charter.id}")
    expect(made.nth(1)).to_contain_text(f"{second:%a} {second.day} {second:%b %Y}")
    assert not _script_problems(page), page.console_problems

    sign_in(phone_page, agent.email)
    phone_page.goto(f"/admin/charters/{charter.id}#clone")
    phone_page.locator(f"#clone label[for='clone-d-{first.isoformat()}']").click()
    expect(phone_page.locator("#clone [data-chips] .chip")).to_have_count(1)
    _no_sideways_scroll(phone_page, "the charter page with the calendar")
    phone_page.locator("#clone").screenshot(path=str(SHOTS / "series_calendar_phone.png"))
    assert not _script_problems(phone_page), phone_page.console_problems
