"""Admin pages in a real browser: HTMX search and resend, role editing, MFA set-up, every page's look."""

import re

import pyotp
import pytest
from playwright.sync_api import expect

from coachway.auth import service
from coachway.core import outbox
from coachway.core.db import transaction
from coachway.core.permissions import SYSTEM
from tests.e2e.helpers import screenshot, sign_in
from tests.factories import make_user

pytestmark = pytest.mark.e2e


def test_user_search_filters_as_you_type(page):
    admin = make_user(role="admin")
    make_user(role="dispatcher", full_name="Dana Dispatch")
    make_user(role="sales_agent", full_name="Sam Sales")
    sign_in(page, admin.email)
    page.goto("/admin/users")
    results = page.locator("#user-results")
    expect(results).to_contain_text("Sam Sales")
    page.get_by_label("Search").fill("dana")
    expect(results).not_to_contain_text("Sam Sales")
    expect(results).to_contain_text("Dana Dispatch")
    expect(page).to_have_url(re.compile(r"q=dana"))
    assert page.console_problems == []


def test_admin_creates_a_user_and_edits_a_role(page):
    admin = make_user(role="admin")
    sign_in(page, admin.email)
    page.goto("/admin/users/new")
    page.get_by_label("Full name").fill("Nina New")
    page.get_by_label("Email").fill("nina@example.com")
    page.get_by_label("Role").select_option("dispatcher")
    page.get_by_label("First password").fill("short")
    page.get_by_role("button", name="Create user").click()
    expect(page.get_by_role("alert")).to_contain_text("Some fields are missing or invalid")
    screenshot(page, "desktop-user-new-errors")
    page.get_by_label("First password").fill("nina-first-pass")
    page.get_by_role("button", name="Create user").click()
    expect(page.get_by_role("status")).to_contain_text("Nina New (nina@example.com) can now sign in.")
    screenshot(page, "desktop-user-detail")

    page.goto("/admin/settings/rbac/roles/dispatcher")
    page.get_by_label("audit:read").check()
    page.get_by_role("button", name="Save permissions").click()
    expect(page.get_by_role("status")).to_contain_text("Saved the permissions of dispatcher.")
    with transaction() as session:
        assert "audit:read" in service.get_role(session, SYSTEM, "dispatcher")["permissions"]
    screenshot(page, "desktop-role-detail")


def test_outbox_resend_swaps_the_row(page):
    admin = make_user(role="admin")
    with transaction() as session:
        msg = outbox.enqueue(session, "email.send", {"to": "a@example.com", "subject": "Your quote"})
        msg.status, msg.last_error, msg.attempts = "failed", "SMTPRecipientsRefused: 550 no such user", 6
    sign_in(page, admin.email)
    page.goto("/admin/outbox")
    row = page.locator("tr", has_text="Your quote")
    expect(row).to_contain_text("550 no such user")
    screenshot(page, "desktop-outbox")
    row.get_by_role("button", name="Resend").click()
    expect(row).to_contain_text("Queued again")
    expect(row.get_by_role("button", name="Resend")).to_have_count(0)
    assert page.console_problems == []


def test_turn_on_two_step_sign_in_from_my_account(page):
    user = make_user(role="accounting")
    sign_in(page, user.email)
    page.goto("/account")
    page.get_by_role("button", name="Set up two-step sign-in").click()
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    secret = page.locator("#mfa-secret").get_attribute("data-secret")
    screenshot(page, "desktop-mfa-setup")
    page.get_by_label("6-digit code").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    expect(page.get_by_role("list", name="Recovery codes").get_by_role("listitem")).to_have_count(10)
    screenshot(page, "desktop-recovery-codes")


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_every_admin_page_renders_cleanly(request, width):
    tab = request.getfixturevalue("page" if width == "desktop" else "phone_page")
    admin = make_user(role="admin", full_name="Avery Admin")
    other = make_user(role="dispatcher", full_name="Dana Dispatch", phone="+1 555 0100")
    with transaction() as session:
        service.update_user(session, service.actor_for(session, service.get_user(session, SYSTEM, admin.id)),
                            other.id, full_name="Dana D. Dispatch")
        outbox.enqueue(session, "email.send", {"to": "x@example.com", "subject": "Welcome"})
    sign_in(tab, admin.email)
    for name, path in [("users", "/admin/users"), ("user", f"/admin/users/{other.id}"),
                       ("roles", "/admin/settings/rbac/roles"),
                       ("role", "/admin/settings/rbac/roles/sales_agent"),
                       ("permissions", "/admin/settings/rbac/permissions"), ("audit", "/admin/audit"),
                       ("outbox", "/admin/outbox"), ("account", "/account"), ("not-found", "/admin/nothing")]:
        tab.goto(path)
        expect(tab.locator("h1")).to_be_visible()
        screenshot(tab, f"{width}-{name}")
        overflow = tab.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} scrolls sideways at {width} width"
    assert [p for p in tab.console_problems if "404" not in p] == []


def test_an_email_in_the_outbox_shows_its_html_in_a_sandbox_without_loading_the_pixel(page):
    admin = make_user(role="admin")
    loaded, blocked = [], []
    page.on("response", lambda r: loaded.append(r.url) if "pixel" in r.url else None)
    page.on("requestfailed", lambda r: blocked.append(r.failure) if "pixel" in r.url else None)
    with transaction() as session:
        message_id = outbox.enqueue(session, "email.send", {
            "to": "pat@example.com", "subject": "Your charter on May 4 is booked",
            "text": "Hello Pat,\n\nYour coach leaves Atlanta at 8:00.\n",
            "html": ('<div style="font-family:sans-serif"><h2 style="color:#0b4f8a">Booking confirmed</h2>'
                     "<p>Hello Pat, your coach leaves Atlanta at <b>8:00</b>.</p>"
                     '<p><a href="/static/app.css?pixel-click">See your trip</a></p>'
                     '<img src="/static/app.css?pixel" width="1" height="1" alt=""></div>'),
        }).id
    sign_in(page, admin.email)
    page.goto("/admin/outbox")
    page.get_by_role("link", name="Your charter on May 4 is booked").click()
    expect(page.get_by_role("heading", name=f"Email #{message_id}")).to_be_visible()
    frame = page.frame_locator("iframe.message-frame")
    expect(frame.get_by_role("heading", name="Booking confirmed")).to_be_visible()
    expect(page.locator("pre.message-text")).to_contain_text("Your coach leaves Atlanta at 8:00.")
    screenshot(page, "desktop-outbox-message")
    frame.get_by_role("link", name="See your trip").click()  # a popup, which the sandbox refuses
    page.wait_for_timeout(300)
    expect(frame.get_by_role("heading", name="Booking confirmed")).to_be_visible()
    assert loaded == [] and blocked == ["csp"]  # Chromium refused it under the frame's policy
