"""Lead pages in a real browser: enter a lead and see it assigned, drag cards across the pipeline (and
have an illegal drop snap back), convert a lead to a quote, and reorder the round robin by dragging."""

import re
import shutil
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from coachway.core.db import transaction
from coachway.core.permissions import SYSTEM
from coachway.sales import service
from coachway.sales.models import Lead
from tests.e2e.helpers import screenshot, sign_in
from tests.factories import make_user
from tests.factories_pricing import priced_setup
from tests.factories_sales import in_days, make_agent, make_lead

pytestmark = pytest.mark.e2e


def _script_problems(tab) -> list[str]:
    """Console errors other than the browser noting a 4xx answer (a refused move, a form with errors)."""
    return [p for p in tab.console_problems if "the server responded with a status of 4" not in p]


def _shot(tab, name: str) -> None:
    """A screenshot under test-artifacts/e2e/, copied to /tmp/<name>.png to look at."""
    shutil.copy(screenshot(tab, name), f"/tmp/{name}.png")


def _status(lead_id: int) -> str:
    with transaction() as session:
        return session.get(Lead, lead_id).status


def _drag(tab, card, target) -> None:
    """Press on a card's trip line, move in small steps into the target, let go."""
    grip = card.locator(".card-trip")
    start, end = grip.bounding_box(), target.bounding_box()
    tab.mouse.move(start["x"] + 20, start["y"] + start["height"] / 2)
    tab.mouse.down()
    tab.mouse.move(start["x"] + 30, start["y"] + start["height"] / 2 + 10, steps=5)
    tab.mouse.move(end["x"] + end["width"] / 2, end["y"] + 30, steps=20)
    tab.wait_for_timeout(200)
    tab.mouse.move(end["x"] + end["width"] / 2, end["y"] + 40, steps=5)
    tab.wait_for_timeout(200)
    tab.mouse.up()


def _column(tab, status: str):
    return tab.locator(f'.stage-cards[data-status="{status}"]')


def test_a_manager_enters_a_lead_and_sees_it_assigned(page):
    agent, _ = make_agent()
    manager = make_user(role="manager")
    sign_in(page, manager.email)
    page.goto("/admin/leads")
    page.get_by_role("link", name="New lead").click()
    expect(page.get_by_role("heading", name="New lead")).to_be_visible()
    page.get_by_label("First name").fill("Avery")
    page.get_by_label("Last name").fill("Stone")
    page.get_by_label("Email").fill("avery@example.org")
    page.get_by_label("Company or group").fill("Northside Choir")
    page.locator("#f-origin").fill("Atlanta, GA")
    page.locator("#f-destination").fill("Savannah, GA")
    page.get_by_label("Trip date").fill(in_days(20).isoformat())
    page.get_by_label("Passengers").fill("40")
    page.get_by_label("Estimated value (USD)").fill("9000")
    with page.expect_navigation():
        page.get_by_role("button", name="Enter the lead").click()
    expect(page.get_by_role("status").first).to_contain_text(
        f"Lead entered and assigned to {agent.full_name} (round robin).")
    expect(page.get_by_role("heading", name="Avery Stone")).to_be_visible()
    expect(page.locator("#h-assign + p")).to_contain_text(agent.full_name)
    _shot(page, "lead-detail")
    page.goto("/admin/leads")
    row = page.locator("table.leads-table tbody tr").first
    expect(row).to_contain_text("Avery Stone")
    expect(row).to_contain_text("Atlanta, GA → Savannah, GA")
    expect(row).to_contain_text(agent.full_name)
    _shot(page, "leads-list")
    assert _script_problems(page) == []


def test_dragging_cards_across_the_pipeline_moves_leads_and_an_illegal_drop_snaps_back(page):
    make_agent()
    manager = make_user(role="manager")
    lead = make_lead(first_name="Petra", company="Hill Country Tours", trip_date=in_days(12),
                     passenger_count=30, estimated_value=Decimal("6000"))
    make_lead(first_name="Quinn", trip_date=in_days(60), passenger_count=14)
    sign_in(page, manager.email)
    page.goto("/admin/leads/pipeline")
    card = page.locator(f"#lead-{lead.id}")
    expect(_column(page, "new").locator(f"#lead-{lead.id}")).to_be_visible()

    _drag(page, card, _column(page, "contacted"))
    expect(page.locator("#pipeline-message")).to_contain_text("Petra")
    expect(page.locator("#pipeline-message")).to_contain_text("is now contacted")
    expect(_column(page, "contacted").locator(f"#lead-{lead.id}")).to_be_visible()
    assert _status(lead.id) == "contacted"

    _drag(page, card, _column(page, "qualified"))
    expect(page.locator("#pipeline-message")).to_contain_text("is now qualified")
    assert _status(lead.id) == "qualified"

    page.reload()
    expect(_column(page, "qualified").locator(f"#lead-{lead.id}")).to_be_visible()
    expect(page.locator(".stage-qualified .stage-count")).to_have_text("1")

    # Qualified may not go back to new: the card returns and the board says why.
    _drag(page, page.locator(f"#lead-{lead.id}"), _column(page, "new"))
    expect(page.locator("#pipeline-message .alert.error")).to_contain_text("cannot become new")
    expect(_column(page, "qualified").locator(f"#lead-{lead.id}")).to_be_visible()
    assert _status(lead.id) == "qualified"

    # Dropping on lost asks why in a dialog; cancelling puts the card back.
    _drag(page, page.locator(f"#lead-{lead.id}"), _column(page, "lost"))
    dialog = page.locator("#lost-dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Cancel").click()
    expect(_column(page, "qualified").locator(f"#lead-{lead.id}")).to_be_visible()
    _shot(page, "pipeline")

    # The keyboard's way: the card's "Move to" list.
    page.get_by_label("Move Petra").select_option("quoted")
    page.locator(f"#lead-{lead.id}").get_by_role("button", name="Move").click()
    expect(_column(page, "quoted").locator(f"#lead-{lead.id}")).to_be_visible()
    expect(page.locator("#pipeline-message")).to_contain_text("is now quoted")
    assert _status(lead.id) == "quoted"
    assert _script_problems(page) == []


def test_the_pipeline_on_a_phone_scrolls_the_board_not_the_page(phone_page):
    make_agent()
    manager = make_user(role="manager")
    make_lead(first_name="Rosa", trip_date=in_days(3), passenger_count=50, estimated_value=Decimal("12000"))
    sign_in(phone_page, manager.email)
    phone_page.goto("/admin/leads/pipeline")
    expect(phone_page.locator(".lead-card")).to_have_count(1)
    overflow = phone_page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, "the page scrolls sideways"
    board = phone_page.evaluate(
        "(() => { const b = document.getElementById('pipeline'); return b.scrollWidth - b.clientWidth; })()")
    assert board > 0, "the board should scroll sideways on a phone"
    _shot(phone_page, "pipeline-phone")
    assert _script_problems(phone_page) == []


def test_an_agent_converts_a_lead_to_a_quote_from_its_page_and_books_it(page):
    hub, vtype = priced_setup()
    agent, _ = make_agent()
    lead = make_lead(first_name="Sol", company="Lakeside School", origin="Atlanta, GA",
                     destination="Macon, GA", passenger_count=45, trip_date=in_days(25), hub_id=hub.id,
                     vehicle_type="Motorcoach")
    sign_in(page, agent.email)
    page.goto(f"/admin/leads/{lead.id}")
    page.get_by_role("link", name="Convert to quote").first.click()
    expect(page.get_by_role("heading", name=re.compile("Convert Sol"))).to_be_visible()
    expect(page.get_by_label("Hub the trip leaves from")).to_have_value(str(hub.id))
    expect(page.get_by_label("Vehicle type")).to_have_value(str(vtype.id))
    expect(page.locator(".client-line")).to_contain_text("A new client will be created")
    page.get_by_label("Pickup time").fill("08:30")
    with page.expect_navigation():
        page.get_by_role("button", name="Convert to quote").click()
    assert re.search(r"/admin/charters/\d+$", page.url)
    expect(page.get_by_role("status").first).to_contain_text("Converted to quote")
    charter_id = int(page.url.rsplit("/", 1)[1])
    # The Phase 1 path ends in a booking: the quote made from the lead is booked from its page.
    page.get_by_role("button", name="Book it").click()
    expect(page.get_by_role("status").first).to_contain_text(f"Charter {charter_id} is booked.")
    page.goto(f"/admin/leads/{lead.id}")
    expect(page.get_by_role("link", name=f"Open quote {charter_id}")).to_be_visible()
    assert _status(lead.id) == "converted"
    assert _script_problems(page) == []


def test_a_manager_reorders_the_queue_by_dragging_and_saves(page):
    first, _ = make_agent()
    second, _ = make_agent()
    third, _ = make_agent()
    manager = make_user(role="manager")
    sign_in(page, manager.email)
    page.goto("/admin/leads/assignment")
    rows = page.locator("#queue-rows .queue-row")
    expect(rows).to_have_count(3)
    handle = rows.nth(2).locator(".drag-handle")
    target = rows.nth(0)
    start, end = handle.bounding_box(), target.bounding_box()
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] - 10, steps=5)
    page.mouse.move(start["x"] + start["width"] / 2, end["y"] + 4, steps=20)
    page.wait_for_timeout(300)
    page.mouse.move(start["x"] + start["width"] / 2, end["y"] + 2, steps=3)
    page.wait_for_timeout(300)
    page.mouse.up()
    expect(page.locator("#queue-dirty")).to_be_visible()
    expect(page.get_by_label(f"Turn of {third.full_name}")).to_have_value("1")
    _shot(page, "assignment")
    with page.expect_navigation():
        page.get_by_role("button", name="Save the queue").click()
    expect(page.get_by_role("status").first).to_contain_text("Saved the round-robin queue.")
    with transaction() as session:
        order = [e.user_id for e in service.get_queue(session, SYSTEM)]
    assert order == [third.id, first.id, second.id]
    assert _script_problems(page) == []
