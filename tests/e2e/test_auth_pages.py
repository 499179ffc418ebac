"""Sign-in, two-step sign-in, password reset and access in a real browser."""

import re

import pyotp
import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from coachway.auth import service
from coachway.core.db import transaction
from coachway.core.models import OutboxMessage
from coachway.core.permissions import SYSTEM
from tests.e2e.helpers import screenshot, sign_in
from tests.factories import make_user, next_totp

pytestmark = pytest.mark.e2e


def _turn_on_mfa(user_id: int) -> str:
    with transaction() as session:
        actor = service.actor_for(session, service.get_user(session, SYSTEM, user_id))
        secret, _ = service.start_mfa_setup(session, actor)
        service.enable_mfa(session, actor, code=pyotp.TOTP(secret).now())
    return secret


def test_sign_in_lands_on_the_dashboard(page):
    user = make_user(role="admin", full_name="Avery Admin")
    page.goto("/login")
    screenshot(page, "desktop-login")
    sign_in(page, user.email)
    expect(page).to_have_url(re.compile(r"/admin$"))
    expect(page.get_by_role("heading", name="Hello, Avery Admin")).to_be_visible()
    nav = page.get_by_role("navigation", name="Main")
    for label in ("Clients", "Fleet", "Users", "Roles & permissions", "Audit log", "Outbox", "My account"):
        expect(nav.get_by_role("link", name=label, exact=True)).to_be_visible()
    screenshot(page, "desktop-dashboard-admin")
    assert page.console_problems == []


def test_wrong_password_shows_the_error_and_keeps_the_email(page):
    user = make_user()
    sign_in(page, user.email, "not-the-right-one")
    expect(page.get_by_role("alert")).to_contain_text("Wrong email or password.")
    expect(page.get_by_label("Email")).to_have_value(user.email)


def test_sign_in_with_two_step_code(page):
    user = make_user(role="manager", full_name="Morgan Manager")
    secret = _turn_on_mfa(user.id)
    sign_in(page, user.email)
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
    screenshot(page, "desktop-login-mfa")
    page.get_by_label("Code").fill(next_totp(secret))
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(re.compile(r"/admin$"))
    expect(page.get_by_role("heading", name="Hello, Morgan Manager")).to_be_visible()


def test_sales_agent_sees_the_forbidden_page_with_navigation(page):
    agent = make_user(role="sales_agent", full_name="Sam Sales")
    sign_in(page, agent.email)
    expect(page).to_have_url(re.compile(r"/admin$"))
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Users")).to_have_count(0)
    page.goto("/admin/users")
    expect(page.get_by_role("heading", name="You don't have access to this page")).to_be_visible()
    expect(nav.get_by_role("link", name="Clients")).to_be_visible()
    screenshot(page, "desktop-forbidden-sales-agent")


def test_signed_out_visitor_is_sent_to_sign_in_and_back(page):
    admin = make_user(role="admin")
    page.goto("/admin/audit")
    expect(page).to_have_url(re.compile(r"/login\?next=/admin/audit$"))
    page.get_by_label("Email").fill(admin.email)
    page.get_by_label("Password").fill("s3cure-test-pass")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/admin/audit$"))
    expect(page.get_by_role("heading", name="Audit log")).to_be_visible()


def test_password_reset_by_mailed_link(page, live_server):
    user = make_user(role="dispatcher")
    page.goto("/login")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email").fill(user.email)
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("status")).to_contain_text("a reset link is on its way")
    with transaction() as session:
        text = session.scalars(select(OutboxMessage).where(OutboxMessage.topic == "email.send")).one() \
            .payload["text"]
    token = re.search(r"/reset-password\?token=(\S+)", text).group(1)
    page.goto(f"/reset-password?token={token}")
    page.get_by_label("New password", exact=True).fill("a-fresh-password-9")
    page.get_by_label("New password again").fill("a-fresh-password-9")
    screenshot(page, "desktop-reset-password")
    page.get_by_role("button", name="Set the new password").click()
    expect(page.get_by_role("status")).to_contain_text("Your password is changed")
    sign_in(page, user.email, "a-fresh-password-9")
    expect(page).to_have_url(re.compile(r"/admin$"))


def test_sign_out(page):
    user = make_user()
    sign_in(page, user.email)
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("status")).to_contain_text("You are signed out.")
    page.goto("/admin")
    expect(page).to_have_url(re.compile(r"/login$"))


def test_phone_width_dashboard_has_a_usable_menu(phone_page):
    admin = make_user(role="admin", full_name="Avery Admin")
    sign_in(phone_page, admin.email)
    expect(phone_page.get_by_role("heading", name="Hello, Avery Admin")).to_be_visible()
    nav = phone_page.get_by_role("navigation", name="Main")
    expect(nav).to_be_hidden()
    screenshot(phone_page, "phone-dashboard")
    phone_page.get_by_role("button", name="Menu").click()
    expect(nav.get_by_role("link", name="Users")).to_be_visible()
    screenshot(phone_page, "phone-dashboard-menu-open")
    nav.get_by_role("link", name="Users").click()
    expect(phone_page.get_by_role("heading", name="Users")).to_be_visible()
    overflow = phone_page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, "the page scrolls sideways on a phone"
    screenshot(phone_page, "phone-users")
    assert phone_page.console_problems == []
