"""The sales dashboard in a real browser: an agent sees their own tiles, lists and charts; a manager picks an
agent; the reports render; nothing scrolls sideways on a phone and the pages log no script or CSP error."""

import shutil
import threading
import time as _time
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect
from starlette.routing import NoMatchFound

from coachway.core import clock
from coachway.sales.service import dashboard, day_bounds
from tests.api.test_sales_dashboard import Places, add_activity, add_charter, add_lead
from tests.e2e.conftest import _free_port
from tests.e2e.helpers import screenshot, sign_in
from tests.factories import make_user

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def live_server(database_url):
    """The whole app, with the dashboard pages mounted even before sales/pages.py includes them."""
    import uvicorn

    from coachway.app import create_app
    from coachway.sales import dashboard_pages

    app = create_app()
    try:
        app.url_path_for("sales_dashboard_page")
    except NoMatchFound:
        app.include_router(dashboard_pages.router)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           access_log=False))
    thread = threading.Thread(target=server.run, name="live-server-sales", daemon=True)
    thread.start()
    deadline = _time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or _time.monotonic() > deadline:
            raise RuntimeError("the live server did not start")
        _time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def _shot(tab, name: str) -> None:
    """A screenshot in test-artifacts/e2e/ and a copy in /tmp to look at."""
    path = screenshot(tab, name)
    shutil.copy(path, Path("/tmp") / f"{name}.png")


def _no_sideways_scroll(tab, what: str) -> None:
    overflow = tab.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{what} scrolls sideways"


def _an_agents_week(agent_id: int, other_id: int) -> dict:
    """Two open quotes, a follow-up overdue and one due later today, a hot lead, departures and bookings."""
    now, today = clock.now(), dashboard.today()
    start, end = day_bounds(today)
    places = Places()
    add_charter(places, agent_id, trip=today + timedelta(days=10), created=now)
    add_charter(places, agent_id, trip=today + timedelta(days=20), created=now)
    add_charter(places, other_id, trip=today + timedelta(days=5), created=now)
    leaving = add_charter(places, agent_id, status="booked", trip=today + timedelta(days=1), price="4250.00",
                          cost="3100.00", booked=now - timedelta(minutes=5), created=now)
    add_charter(places, agent_id, status="confirmed", trip=today + timedelta(days=3), price="1800.00",
                booked=max(start, now - timedelta(hours=2)), created=now, client_id=places.card)
    overdue = add_lead(agent_id, created=now - timedelta(days=3), status="contacted", first="Olive",
                       last="Overdue", company="Harbor Church", follow_up=start - timedelta(hours=2))
    add_lead(agent_id, created=now, first="Dana", last="Today", follow_up=end - timedelta(minutes=1))
    hot = add_lead(agent_id, created=now, status="qualified", score=82, first="Hank", last="Hotspot",
                   value="9500.00", trip_date=today + timedelta(days=12))
    add_lead(other_id, created=now, first="Zed", last="Elsewhere", score=90)
    add_activity(hot, at=now - timedelta(minutes=1), kind="lead_assigned",
                 text="Assigned to you (round robin).")
    add_activity(overdue, at=now - timedelta(minutes=2), kind="call", text="Left a voicemail.")
    return {"leaving": leaving, "overdue": overdue, "hot": hot}


def test_agent_sees_own_dashboard(page):
    agent, other = make_user(role="sales_agent"), make_user(role="sales_agent")
    ids = _an_agents_week(agent.id, other.id)
    sign_in(page, agent.email)
    page.get_by_role("link", name="Sales dashboard").first.click()
    expect(page.get_by_role("heading", name="Sales dashboard", level=1)).to_be_visible()
    expect(page.locator('[data-metric="open_quotes"]')).to_have_text("2")
    expect(page.locator('[data-metric="follow_ups_overdue"]')).to_have_text("1")
    expect(page.locator('[data-metric="hot_leads"]')).to_have_text("1")
    expect(page.locator('[data-metric="departures"]')).to_have_text("2")
    expect(page.locator('[data-metric="non_cc"]')).to_have_text("$4,250.00")
    expect(page.get_by_label("Whose figures")).to_have_count(0)
    expect(page.locator(f'#follow-ups a[href="/admin/leads/{ids["overdue"]}"]')).to_have_text("Olive Overdue")
    expect(page.locator(f'#hot a[href="/admin/leads/{ids["hot"]}"]')).to_be_visible()
    expect(page.locator(f'#departures a[href="/admin/charters/{ids["leaving"]}"]')).to_be_visible()
    expect(page.get_by_text("Zed Elsewhere")).to_have_count(0)
    expect(page.get_by_role("img", name="New: 1 lead")).to_have_count(1)
    expect(page.locator("#recent li").first).to_contain_text("Assigned to you")
    _no_sideways_scroll(page, "the dashboard")
    assert not page.console_problems, page.console_problems
    _shot(page, "sales-dashboard")

    page.get_by_role("link", name="Month to date").first.click()
    expect(page.get_by_role("heading", name="Month-to-date report")).to_be_visible()
    expect(page.locator('[data-metric="bookings"]')).to_have_text("2")
    _shot(page, "sales-report-mtd")
    page.get_by_text("The days as a table").click()
    expect(page.locator(".day-table tbody tr").first).to_be_visible()
    assert not page.console_problems, page.console_problems


def test_manager_picks_an_agent(page):
    manager = make_user(role="manager", full_name="Mona Manager")
    agent = make_user(role="sales_agent", full_name="Alex Agent")
    other = make_user(role="sales_agent", full_name="Blake Other")
    _an_agents_week(agent.id, other.id)
    sign_in(page, manager.email)
    page.goto("/admin/dashboard/sales")
    picker = page.get_by_label("Whose figures")
    expect(picker.locator("option:checked")).to_have_text("Everyone")
    expect(page.locator('[data-metric="open_quotes"]')).to_have_text("3")
    picker.select_option(label="Alex Agent")
    page.get_by_role("button", name="Show").click()
    expect(page.locator(".dash-who")).to_have_text("Alex Agent")
    expect(page.locator('[data-metric="open_quotes"]')).to_have_text("2")
    assert f"agent_id={agent.id}" in page.url
    _shot(page, "sales-dashboard-manager")

    page.get_by_role("link", name="Pipeline report").first.click()
    expect(page.get_by_role("heading", name="Pipeline report")).to_be_visible()
    page.goto("/admin/reports/sales/pipeline")
    expect(page.get_by_role("heading", name="By agent")).to_be_visible()
    expect(page.locator("table.by-agent")).to_contain_text("Blake Other")
    _shot(page, "sales-report-pipeline")
    assert not page.console_problems, page.console_problems


def test_dashboard_reads_on_a_phone(phone_page):
    agent, other = make_user(role="sales_agent"), make_user(role="sales_agent")
    _an_agents_week(agent.id, other.id)
    sign_in(phone_page, agent.email)
    phone_page.goto("/admin/dashboard/sales")
    expect(phone_page.locator('[data-metric="open_quotes"]')).to_have_text("2")
    _no_sideways_scroll(phone_page, "the dashboard on a phone")
    _shot(phone_page, "sales-dashboard-phone")
    phone_page.goto("/admin/reports/sales/mtd")
    _no_sideways_scroll(phone_page, "the month report on a phone")
    phone_page.goto("/admin/reports/sales/pipeline")
    _no_sideways_scroll(phone_page, "the pipeline report on a phone")
    assert not phone_page.console_problems, phone_page.console_problems
