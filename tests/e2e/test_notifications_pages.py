"""Message templates in a real browser: edit one, watch the preview follow, save; every page's look."""

import pytest
from playwright.sync_api import expect

from coachway.notifications.templates_seed import default_for
from tests.e2e.helpers import ARTIFACTS, screenshot, sign_in
from tests.factories import make_user
from tests.factories_domain import make_client, seed_templates, send_notification, template_id

pytestmark = pytest.mark.e2e


def _script_problems(tab) -> list[str]:
    """Console errors other than the browser noting a 4xx page (a form re-shown with errors is a 422)."""
    return [p for p in tab.console_problems if "the server responded with a status of 4" not in p]


def _no_sideways_scroll(tab, what: str) -> None:
    overflow = tab.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{what} scrolls sideways"


def test_manager_edits_a_template_and_the_preview_follows(page):
    seed_templates()
    manager = make_user(role="manager")
    sign_in(page, manager.email)
    page.goto("/admin/notifications")
    page.get_by_role("link", name="Message templates").click()
    page.get_by_role("link", name="Quote sent").click()
    expect(page.get_by_role("heading", name="Quote sent")).to_be_visible()
    preview_subject = page.locator("#preview-subject")
    expect(preview_subject).to_have_text("Your CoachWay quote Q-2025-0412 for Saturday, May 17, 2025")
    frame = page.frame_locator("#preview-html")
    expect(frame.locator("h1")).to_have_text("Your quote Q-2025-0412")

    page.get_by_label("Subject").fill("{{ client_name }}, your quote for {{ trip_date }} is ready")
    expect(preview_subject).to_have_text("Dana Whitfield, your quote for Saturday, May 17, 2025 is ready")
    html = page.get_by_label("HTML version")
    html.fill(html.input_value().replace("Your quote {{ quote_number }}",
                                         "Quote {{ quote_number }} is ready"))
    expect(frame.locator("h1")).to_have_text("Quote Q-2025-0412 is ready")
    expect(page.locator("#preview-text")).to_contain_text("Hello Dana Whitfield")
    # Full-page shots leave the sandboxed frame blank; this one shows the email as the reader sees it.
    page.locator("#preview-html").screenshot(path=str(ARTIFACTS / "desktop-notification-template-frame.png"))
    screenshot(page, "desktop-notification-template-preview")

    page.get_by_label("Text version").fill("Hello {{ client_name }} {% if %}")
    expect(page.locator("#preview [role=alert]")).to_contain_text("Template syntax error")
    screenshot(page, "desktop-notification-template-preview-error")
    page.get_by_role("button", name="Save template").click()
    expect(page.locator("#f-body_text-error")).to_contain_text("syntax error")

    page.get_by_label("Text version").fill("Hello {{ client_name }}, your quote: {{ quote_url }}")
    page.get_by_role("button", name="Save template").click()
    expect(page.get_by_role("status")).to_contain_text("Saved the template Quote sent.")
    expect(page.get_by_label("Subject")).to_have_value(
        "{{ client_name }}, your quote for {{ trip_date }} is ready")
    expect(frame.locator("h1")).to_have_text("Quote Q-2025-0412 is ready")
    assert _script_problems(page) == []


def test_sales_agent_changes_a_clients_email_preferences(page):
    agent = make_user(role="sales_agent")
    acme = make_client(name="Acme Tours")
    sign_in(page, agent.email)
    page.goto(f"/admin/clients/{acme.id}/email-preferences")
    page.get_by_label("Payment reminders").uncheck()
    page.get_by_label("Send text messages (SMS)").check()
    page.get_by_role("button", name="Save preferences").click()
    expect(page.get_by_role("status")).to_contain_text("Saved the email preferences of Acme Tours.")
    expect(page.get_by_label("Payment reminders")).not_to_be_checked()
    expect(page.get_by_label("Send text messages (SMS)")).to_be_checked()
    screenshot(page, "desktop-client-email-preferences")
    assert _script_problems(page) == []


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_every_notification_page_renders_cleanly(request, width):
    tab = request.getfixturevalue("page" if width == "desktop" else "phone_page")
    seed_templates()
    manager = make_user(role="manager")
    acme = make_client(name="Acme Tours & Travel of Greater Atlanta", email_notifications_enabled=False,
                       email="reservations.department@acme-tours-and-travel.example")
    held = send_notification(template_key="follow_up", client_id=acme.id,
                             context=dict(default_for("follow_up", "email").sample_context))
    send_notification(template_key="payment_receipt", to=acme.email,
                      context=dict(default_for("payment_receipt", "email").sample_context))
    sign_in(tab, manager.email)
    for name, path in [("notifications", "/admin/notifications"),
                       ("notification-detail", f"/admin/notifications/{held.id}"),
                       ("notification-templates", "/admin/notifications/templates"),
                       ("notification-template-sms",
                        f"/admin/notifications/templates/{template_id('payment_reminder', 'sms')}"),
                       ("notification-template",
                        f"/admin/notifications/templates/{template_id('quote_sent')}"),
                       ("client-email-preferences", f"/admin/clients/{acme.id}/email-preferences")]:
        tab.goto(path)
        expect(tab.locator("h1")).to_be_visible()
        screenshot(tab, f"{width}-{name}")
        _no_sideways_scroll(tab, f"{path} at {width} width")
    assert _script_problems(tab) == []
