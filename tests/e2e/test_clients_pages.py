"""Client pages in a real browser: create and find a client, edit a contact, refusals, every page's look."""

import re

import pytest
from playwright.sync_api import expect

from coachway.clients import service
from coachway.core.db import transaction
from coachway.core.permissions import SYSTEM
from tests.e2e.helpers import screenshot, sign_in
from tests.factories import make_user
from tests.factories_domain import make_client

pytestmark = pytest.mark.e2e


def _script_problems(tab) -> list[str]:
    """Console errors other than the browser noting a 4xx page (a form re-shown with errors is a 422)."""
    return [p for p in tab.console_problems if "the server responded with a status of 4" not in p]


def _no_sideways_scroll(tab, what: str) -> None:
    overflow = tab.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{what} scrolls sideways"


def test_sales_agent_creates_a_client_and_finds_it_with_the_search_box(page):
    agent = make_user(role="sales_agent", full_name="Sam Sales")
    make_client(name="Peachtree Rotary Club", email="rotary@example.com")
    make_client(name="Savannah Choir", email="choir@example.org")
    sign_in(page, agent.email)

    page.goto("/admin/clients")
    page.get_by_role("link", name="New client").click()
    expect(page.get_by_role("heading", name="New client")).to_be_visible()
    page.get_by_role("textbox", name="Email").fill("events@acme.example")
    page.get_by_label("Phone").fill("call me maybe")
    page.get_by_role("button", name="Add client").click()
    expect(page.get_by_role("alert")).to_contain_text("Some fields are missing or invalid")
    expect(page.locator("#f-name-error")).to_have_text("This field is required.")
    expect(page.locator("#f-phone-error")).to_contain_text("Enter a phone number like")
    screenshot(page, "desktop-client-new-errors")

    page.get_by_label("Name", exact=True).fill("Acme Tours")
    page.get_by_label("Type").select_option("tour_operator")
    page.get_by_label("Phone").fill("(404) 555-0134")
    page.get_by_label("Street address").fill("100 Peachtree St NW")
    page.get_by_label("City").fill("Atlanta")
    page.get_by_label("State or province").fill("GA")
    page.get_by_label("ZIP or postal code").fill("30303")
    page.get_by_label("Send text messages (SMS)").check()
    page.get_by_label("Assigned sales agent").select_option(label="Sam Sales")
    page.get_by_label("Notes").fill("Pays by PO.\nCall before 5 pm.")
    page.get_by_role("button", name="Add client").click()
    expect(page.get_by_role("status")).to_contain_text("Acme Tours is added.")
    expect(page.get_by_role("heading", name="Acme Tours")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Sam Sales")
    screenshot(page, "desktop-client-detail-new")

    page.goto("/admin/clients")
    results = page.locator("#client-results")
    expect(results).to_contain_text("Savannah Choir")
    page.get_by_label("Search").fill("acme")
    expect(results).not_to_contain_text("Savannah Choir")
    expect(results).to_contain_text("Acme Tours")
    expect(page).to_have_url(re.compile(r"q=acme"))
    page.get_by_label("Search").fill("404 555 0134")  # the phone, typed differently
    expect(results).to_contain_text("Acme Tours")
    expect(results).not_to_contain_text("Peachtree Rotary Club")
    screenshot(page, "desktop-clients-search")
    results.get_by_role("link", name="Acme Tours").click()
    expect(page.get_by_role("heading", name="Acme Tours")).to_be_visible()
    assert _script_problems(page) == []


def test_sales_agent_edits_and_removes_a_contact(page):
    agent = make_user(role="sales_agent")
    acme = make_client(name="Acme Tours", contacts=[
        {"name": "Jordan Lee", "title": "Office Manager", "email": "jordan@acme.example"},
        {"name": "Casey Park", "phone": "404-555-0199"}])
    sign_in(page, agent.email)
    page.goto(f"/admin/clients/{acme.id}")
    contacts = page.locator("#contacts")
    contacts.get_by_role("link", name="Edit Casey Park").click()
    expect(page.get_by_role("heading", name="Change contact Casey Park")).to_be_visible()
    page.get_by_label("Contact email").fill("casey@")
    page.get_by_role("button", name="Save contact").click()
    expect(page.locator("#f-email-error")).to_be_visible()
    page.get_by_label("Contact email").fill("Casey@Acme.example")
    page.get_by_label("Job title").fill("Treasurer")
    page.get_by_label("Make this the primary contact").check()
    page.get_by_role("button", name="Save contact").click()
    expect(page.get_by_role("status")).to_contain_text("Saved the contact Casey Park.")
    casey_row = contacts.locator("tr", has_text="Casey Park")
    expect(casey_row).to_contain_text("Treasurer")
    expect(casey_row).to_contain_text("casey@acme.example")
    expect(casey_row).to_contain_text("Primary")
    expect(contacts.locator("tr", has_text="Jordan Lee")).not_to_contain_text("Primary")

    jordan_row = contacts.locator("tr", has_text="Jordan Lee")
    jordan_row.get_by_text("Remove", exact=True).click()
    expect(jordan_row.get_by_role("button", name="Yes, remove Jordan Lee")).to_be_visible()
    screenshot(page, "desktop-client-contact-remove")
    jordan_row.get_by_role("button", name="Yes, remove Jordan Lee").click()
    expect(page.get_by_role("status")).to_contain_text("Jordan Lee is removed.")
    expect(contacts).not_to_contain_text("Jordan Lee")

    page.get_by_text("Add a contact").click()
    page.get_by_label("Contact name").fill("Riley Fox")
    page.get_by_label("Contact phone").fill("(404) 555-0111")
    page.get_by_role("button", name="Add contact").click()
    expect(page.get_by_role("status")).to_contain_text("Riley Fox is added as a contact.")
    with transaction() as session:
        names = [(c.name, c.is_primary) for c in service.list_contacts(session, SYSTEM, acme.id)]
    assert names == [("Casey Park", True), ("Riley Fox", False)]
    assert _script_problems(page) == []


def test_client_user_is_refused_another_clients_page(page):
    own = make_client(name="Own Club")
    other = make_client(name="Other Club")
    user = make_user(role="client", client_id=own.id)
    sign_in(page, user.email)
    page.goto(f"/admin/clients/{own.id}")
    expect(page.get_by_role("heading", name="Own Club")).to_be_visible()
    expect(page.get_by_role("link", name="Edit client")).to_have_count(0)
    page.goto(f"/admin/clients/{other.id}")
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("Other Club")
    screenshot(page, "desktop-client-refused")


def test_vendor_is_refused_the_clients_list(page):
    vendor = make_user(role="vendor")
    sign_in(page, vendor.email)
    page.goto("/admin/clients")
    expect(page.get_by_role("heading", name="You don't have access to this page")).to_be_visible()


def test_manager_deactivates_a_client_after_confirming(page):
    manager = make_user(role="manager")
    acme = make_client(name="Acme Tours")
    sign_in(page, manager.email)
    page.goto(f"/admin/clients/{acme.id}")
    button = page.get_by_role("button", name="Deactivate Acme Tours")
    expect(button).to_be_hidden()
    page.get_by_text("Deactivate this client").click()
    button.click()
    expect(page.get_by_role("status")).to_contain_text("Acme Tours is deactivated")
    expect(page.locator(".page-head")).to_contain_text("Inactive")


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_every_client_page_renders_cleanly(request, width):
    tab = request.getfixturevalue("page" if width == "desktop" else "phone_page")
    manager = make_user(role="manager", full_name="Morgan Manager")
    acme = make_client(name="Acme Tours & Travel of Greater Atlanta", client_type="tour_operator",
                       email="reservations.department@acme-tours-and-travel.example", phone="(404) 555-0134",
                       billing_address_line1="100 Peachtree St NW", billing_address_line2="Suite 1200",
                       billing_city="Atlanta", billing_state="GA", billing_postal_code="30303",
                       notes="Pays by PO. Prefers the 56-seat coaches.", assigned_sales_agent_id=manager.id,
                       contacts=[{"name": "Jordan Lee", "title": "Office Manager", "phone": "404-555-0199",
                                  "email": "jordan.lee@acme-tours-and-travel.example"},
                                 {"name": "Casey Park"}])
    for n in range(3):
        make_client(name=f"Club {n}", client_type="nonprofit", phone=f"404-555-01{n:02d}")
    with transaction() as session:
        service.update_client(session, SYSTEM, acme.id, billing_city="Decatur")
    sign_in(tab, manager.email)
    contact = acme.contacts[0]
    for name, path in [("clients", "/admin/clients"), ("clients-empty", "/admin/clients?q=nothing-like-this"),
                       ("client-new", "/admin/clients/new"), ("client-detail", f"/admin/clients/{acme.id}"),
                       ("client-edit", f"/admin/clients/{acme.id}/edit"),
                       ("client-contact-edit", f"/admin/clients/{acme.id}/contacts/{contact.id}/edit")]:
        tab.goto(path)
        expect(tab.locator("h1")).to_be_visible()
        screenshot(tab, f"{width}-{name}")
        _no_sideways_scroll(tab, f"{path} at {width} width")
    tab.goto("/admin/clients/new")
    tab.get_by_role("button", name="Add client").click()
    expect(tab.locator("#f-name-error")).to_be_visible()
    screenshot(tab, f"{width}-client-new-errors")
    _no_sideways_scroll(tab, f"the client form with errors at {width} width")
    assert _script_problems(tab) == []
