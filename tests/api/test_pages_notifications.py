"""Notification pages: sent messages, message templates with their live preview, client email preferences."""

import re
from html import unescape

import pytest

from coachway.core.db import transaction
from coachway.core.permissions import SYSTEM
from coachway.notifications import service
from coachway.notifications.templates_seed import default_for
from coachway.web.testing import csrf_from, form_post, sign_in
from tests.factories import PASSWORD, make_user
from tests.factories_domain import make_client, seed_templates, send_notification, template_id


@pytest.fixture(autouse=True)
def _templates(clean_db):
    seed_templates()


def _as(client, role: str = "manager", **kw):
    user = make_user(role=role, **kw)
    sign_in(client, user.email, PASSWORD)
    return user


def _send(key: str, **kw):
    return send_notification(template_key=key, context=dict(default_for(key, "email").sample_context), **kw)


def _template(tid: int):
    with transaction() as session:
        return service.get_template(session, SYSTEM, tid)


def _form(client, tid: int) -> dict:
    """The edit form's current values, as the browser would send them."""
    t = _template(tid)
    import json

    return {"name": t.name, "category": t.category, "subject": t.subject, "body_html": t.body_html,
            "body_text": t.body_text, "sample_context": json.dumps(t.sample_context),
            **({"is_active": "on"} if t.is_active else {})}


# ---------------------------------------------------------------- sent messages

def test_manager_sees_sent_messages_with_status_and_a_link_to_the_outbox(client):
    _as(client)
    acme = make_client(name="Acme Tours", email_notifications_enabled=False)
    _send("follow_up", client_id=acme.id)
    _send("payment_receipt", to="dana@example.com")
    html = client.get("/admin/notifications").text
    assert "Suppressed" in html and "Acme Tours has turned off email notifications." in html
    assert "Receipt R-2025-00871" in html and "Waiting" in html
    assert 'href="/admin/outbox"' in html and 'data-label="Opened"' in html


def test_status_filter_narrows_the_list(client):
    _as(client)
    acme = make_client(name="Acme Tours", email_notifications_enabled=False)
    _send("follow_up", client_id=acme.id)
    _send("payment_receipt", to="dana@example.com")
    html = client.get("/admin/notifications?status=suppressed").text
    assert "Acme Tours has turned off" in html and "Receipt R-2025-00871" not in html
    assert 'href="/admin/notifications">Clear' in html


def test_htmx_filter_returns_only_the_results(client):
    _as(client)
    r = client.get("/admin/notifications?status=failed",
                   headers={"HX-Request": "true", "HX-Target": "notification-results"})
    assert "<html" not in r.text and "No messages match." in r.text


def test_empty_list_says_so(client):
    _as(client)
    assert "No messages have been sent yet." in client.get("/admin/notifications").text


def test_a_notification_page_shows_the_text_and_tracking(client):
    _as(client)
    note = _send("payment_receipt", to="dana@example.com")
    html = client.get(f"/admin/notifications/{note.id}").text
    assert "We received your payment" in html and "Not yet" in html


def test_vendor_is_refused_the_notifications(client):
    _as(client, "vendor")
    assert client.get("/admin/notifications").status_code == 403


def test_nav_shows_notifications_to_staff_who_read_them(client):
    _as(client, "sales_agent")
    assert 'href="/admin/notifications"' in client.get("/admin").text


# ---------------------------------------------------------------- templates

def test_templates_list_links_each_template(client):
    _as(client)
    html = client.get("/admin/notifications/templates").text
    assert f'href="/admin/notifications/templates/{template_id("quote_sent")}"' in html
    assert "Quote sent" in html and "Text message" in html


def test_edit_page_shows_the_form_and_a_preview_on_sample_data(client):
    _as(client)
    html = client.get(f"/admin/notifications/templates/{template_id('quote_sent')}").text
    assert 'id="template-form"' in html and 'name="body_html"' in html and "readonly" not in html
    assert "Your CoachWay quote Q-2025-0412 for Saturday, May 17, 2025" in html
    assert 'class="message-frame"' in html and "Hello Dana Whitfield" in html


def test_preview_follows_unsaved_edits_and_saves_nothing(client):
    _as(client)
    tid = template_id("follow_up")
    page = client.get(f"/admin/notifications/templates/{tid}").text
    data = {**_form(client, tid), "subject": "Hello {{ client_name }}, a new subject"}
    r = client.post(f"/admin/notifications/templates/{tid}/preview", data=data,
                    headers={"HX-Request": "true", "HX-Target": "preview", "X-CSRF-Token": csrf_from(page)})
    assert r.status_code == 200 and "<html" not in r.text
    assert "Hello Dana Whitfield, a new subject" in r.text
    assert _template(tid).subject != data["subject"]


def test_preview_shows_why_a_template_cannot_render(client):
    _as(client)
    tid = template_id("follow_up")
    page = client.get(f"/admin/notifications/templates/{tid}").text
    data = {**_form(client, tid), "body_text": "{{ ''.__class__ }}"}
    r = client.post(f"/admin/notifications/templates/{tid}/preview", data=data,
                    headers={"HX-Request": "true", "X-CSRF-Token": csrf_from(page)})
    assert r.status_code == 200 and "This cannot be shown yet." in r.text and "may not use" in r.text


def test_preview_frame_shows_the_signed_html_under_its_own_policy(client):
    _as(client)
    tid = template_id("quote_sent")
    page = client.get(f"/admin/notifications/templates/{tid}").text
    frame = unescape(re.search(r'id="preview-html"[^>]*src="([^"]+)"', page).group(1))
    r = client.get(frame)
    assert r.status_code == 200 and "Hello Dana Whitfield" in r.text
    csp = r.headers["content-security-policy"]
    assert "sandbox" in csp and "script-src" not in csp and "default-src 'none'" in csp
    assert r.headers["x-frame-options"] == "SAMEORIGIN"


def test_preview_frame_with_a_forged_signature_is_refused(client):
    _as(client)
    tid = template_id("quote_sent")
    page = client.get(f"/admin/notifications/templates/{tid}").text
    frame = unescape(re.search(r'id="preview-html"[^>]*src="([^"]+)"', page).group(1))
    assert client.get(re.sub(r"&s=[0-9a-f]+", "&s=" + "0" * 64, frame)).status_code == 404


def test_preview_frame_signed_for_someone_else_is_refused(client):
    _as(client)
    tid = template_id("quote_sent")
    frame = unescape(re.search(r'id="preview-html"[^>]*src="([^"]+)"',
                               client.get(f"/admin/notifications/templates/{tid}").text).group(1))
    _as(client)  # another manager signs in on the same browser
    assert client.get(frame).status_code == 404


def test_saving_a_template_redirects_with_a_message(client):
    _as(client)
    tid = template_id("follow_up")
    data = {**_form(client, tid), "subject": "Still thinking about {{ trip_date }}?"}
    r = form_post(client, f"/admin/notifications/templates/{tid}", data)
    assert r.status_code == 303
    assert "Saved the template Quote follow-up." in client.get(r.headers["location"]).text
    assert _template(tid).subject == "Still thinking about {{ trip_date }}?"


def test_saving_bad_jinja_shows_the_error_and_changes_nothing(client):
    _as(client)
    tid = template_id("follow_up")
    before = _template(tid).body_text
    data = {**_form(client, tid), "body_text": "Hi {% if client_name %}there"}
    r = form_post(client, f"/admin/notifications/templates/{tid}", data)
    assert r.status_code == 422
    assert 'id="f-body_text-error"' in r.text and "syntax error" in r.text
    assert "Hi {% if client_name %}there" in r.text  # what was typed is kept
    assert _template(tid).body_text == before


def test_saving_sample_data_that_is_not_json_is_refused(client):
    _as(client)
    tid = template_id("follow_up")
    r = form_post(client, f"/admin/notifications/templates/{tid}", {**_form(client, tid),
                                                                    "sample_context": "{client_name: Dana"})
    assert r.status_code == 422 and "not valid JSON" in r.text


def test_required_template_stays_on_even_if_the_box_is_cleared(client):
    _as(client)
    tid = template_id("password_reset")
    data = {k: v for k, v in _form(client, tid).items() if k != "is_active"}
    assert form_post(client, f"/admin/notifications/templates/{tid}", data).status_code == 303
    assert _template(tid).is_active is True


def test_sales_agent_sees_a_read_only_template(client):
    _as(client, "sales_agent")
    html = client.get(f"/admin/notifications/templates/{template_id('follow_up')}").text
    assert "Wording (read only)" in html and "Save template" not in html
    subject = 'name="subject" type="text" value="Any questions about your trip on {{ trip_date }}?"'
    assert subject + " required readonly" in html.replace("\n", "")
    r = form_post(client, f"/admin/notifications/templates/{template_id('follow_up')}",
                  _form(client, template_id("follow_up")))
    assert r.status_code == 403


# ---------------------------------------------------------------- email preferences

def test_staff_change_a_clients_email_preferences(client):
    _as(client, "sales_agent")
    acme = make_client(name="Acme Tours")
    page = f"/admin/clients/{acme.id}/email-preferences"
    assert "Email preferences" in client.get(page).text
    r = form_post(client, page, {"email_notifications_enabled": "on", "automated_quotes_enabled": "on",
                                 "automated_followups_enabled": "on"})
    assert r.status_code == 303
    assert "Saved the email preferences of Acme Tours." in client.get(r.headers["location"]).text
    with transaction() as session:
        prefs = service.get_preferences(session, SYSTEM, acme.id)
    assert (prefs.automated_reminders_enabled, prefs.marketing_enabled, prefs.automated_quotes_enabled) == (
        False, False, True)


def test_client_user_changes_its_own_preferences_but_not_anothers(client):
    own, other = make_client(name="Own Club"), make_client(name="Other Club")
    _as(client, "client", client_id=own.id)
    r = form_post(client, f"/admin/clients/{own.id}/email-preferences", {"email_notifications_enabled": "on"})
    assert r.status_code == 303
    assert client.get(f"/admin/clients/{other.id}/email-preferences").status_code == 404


def test_dispatcher_sees_preferences_without_a_save_button(client):
    _as(client, "dispatcher")
    acme = make_client()
    html = client.get(f"/admin/clients/{acme.id}/email-preferences").text
    assert "Save preferences" not in html and "disabled" in html


def test_sample_data_with_a_bad_variable_name_shows_at_its_box(client):
    _as(client)
    tid = template_id("follow_up")
    r = form_post(client, f"/admin/notifications/templates/{tid}",
                  {**_form(client, tid), "sample_context": '{"not a name": 1}'})
    assert r.status_code == 422 and 'id="f-sample_context-error"' in r.text
