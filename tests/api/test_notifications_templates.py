"""Message templates over the API: reading, editing checked by a trial render, previewing without sending."""

import pytest
from sqlalchemy import select

from coachway.core.models import OutboxMessage
from coachway.notifications.templates_seed import DEFAULTS
from tests.factories import user_headers
from tests.factories_domain import audit_rows, client_user_headers, make_client, seed_templates, template_id

URL = "/api/v1/notification-templates"


@pytest.fixture(autouse=True)
def _templates(clean_db):
    seed_templates()


@pytest.fixture
def manager(client):
    return user_headers(client, "manager")


def _get(client, headers, tid: int) -> dict:
    r = client.get(f"{URL}/{tid}", headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


def test_list_shows_every_template_by_name(client, manager):
    items = client.get(URL, headers=manager).json()
    assert len(items) == len(DEFAULTS) == 18
    assert [t["name"] for t in items] == sorted(t["name"] for t in items)
    assert {t["key"] for t in client.get(URL, params={"channel": "sms"}, headers=manager).json()} == {
        "booking_confirmation", "payment_reminder", "assignment_pending"}


def test_list_filters_by_category_and_key(client, manager):
    assert [t["key"] for t in client.get(URL, params={"category": "quotes"}, headers=manager).json()] == [
        "quote_sent"]
    assert len(client.get(URL, params={"key": "payment_reminder"}, headers=manager).json()) == 2


def test_sales_agent_reads_templates_but_may_not_change_them(client):
    agent = user_headers(client, "sales_agent")
    tid = template_id("follow_up")
    assert client.get(f"{URL}/{tid}", headers=agent).status_code == 200
    assert client.put(f"{URL}/{tid}", json={"subject": "Hi"}, headers=agent).status_code == 403


def test_client_user_may_not_see_templates(client):
    headers = client_user_headers(client, make_client().id)
    assert client.get(URL, headers=headers).status_code == 403


def test_unknown_template_is_404(client, manager):
    assert client.get(f"{URL}/999999", headers=manager).status_code == 404


def test_manager_edits_the_wording_and_it_is_audited(client, manager):
    tid = template_id("follow_up")
    r = client.put(f"{URL}/{tid}", headers=manager,
                   json={"subject": "Still planning your trip on {{ trip_date }}?",
                         "body_text": "Hi {{ client_name }}, just checking in. {{ quote_url }}"})
    assert r.status_code == 200, r.text
    assert r.json()["subject"] == "Still planning your trip on {{ trip_date }}?"
    [row] = audit_rows(client, user_headers(client, "admin"), entity_type="notification_template")
    assert row["action"] == "update" and set(row["new_values"]) >= {"subject", "body_text"}


def test_bad_jinja_is_422_naming_the_part_and_nothing_changes(client, manager):
    tid = template_id("follow_up")
    before = _get(client, manager, tid)
    r = client.put(f"{URL}/{tid}", headers=manager, json={"body_html": "<p>{% if client_name %}Hi</p>"})
    assert r.status_code == 422
    [error] = r.json()["errors"]
    assert error["field"] == "body_html" and "syntax error" in error["message"]
    assert _get(client, manager, tid) == before


def test_sandbox_violation_is_422_and_nothing_changes(client, manager):
    tid = template_id("follow_up")
    before = _get(client, manager, tid)
    r = client.put(f"{URL}/{tid}", headers=manager, json={"body_text": "{{ ''.__class__.__mro__ }}"})
    assert r.status_code == 422 and "may not use" in r.json()["errors"][0]["message"]
    assert _get(client, manager, tid) == before


def test_variable_without_sample_value_is_422(client, manager):
    tid = template_id("follow_up")
    r = client.put(f"{URL}/{tid}", headers=manager, json={"body_text": "Hi {{ nickname }}"})
    assert r.status_code == 422
    [error] = r.json()["errors"]
    assert error["field"] == "sample_context" and "nickname" in error["message"]


def test_new_variable_with_its_sample_value_is_accepted(client, manager):
    tid = template_id("follow_up")
    data = _get(client, manager, tid)
    r = client.put(f"{URL}/{tid}", headers=manager,
                   json={"body_text": data["body_text"] + "\nP.S. {{ nickname }}",
                         "sample_context": {**data["sample_context"], "nickname": "Dee"}})
    assert r.status_code == 200, r.text


def test_email_without_subject_is_422(client, manager):
    r = client.put(f"{URL}/{template_id('follow_up')}", headers=manager, json={"subject": "  "})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "subject"


def test_message_without_text_version_is_422(client, manager):
    r = client.put(f"{URL}/{template_id('follow_up')}", headers=manager, json={"body_text": ""})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "body_text"


def test_sms_template_with_html_is_422(client, manager):
    r = client.put(f"{URL}/{template_id('payment_reminder', 'sms')}", headers=manager,
                   json={"body_html": "<p>Hi</p>"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "body_html"


def test_unknown_category_is_422(client, manager):
    r = client.put(f"{URL}/{template_id('follow_up')}", headers=manager, json={"category": "spam"})
    assert r.status_code == 422


def test_null_subject_is_422(client, manager):
    r = client.put(f"{URL}/{template_id('follow_up')}", headers=manager, json={"subject": None})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "subject"


def test_unknown_field_is_422(client, manager):
    r = client.put(f"{URL}/{template_id('follow_up')}", headers=manager, json={"key": "renamed"})
    assert r.status_code == 422


def test_password_reset_template_cannot_be_turned_off(client, manager):
    tid = template_id("password_reset")
    r = client.put(f"{URL}/{tid}", headers=manager, json={"is_active": False})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "is_active"
    assert _get(client, manager, tid)["is_active"] is True


def test_other_templates_can_be_turned_off_and_on(client, manager):
    tid = template_id("follow_up")
    assert client.put(f"{URL}/{tid}", headers=manager, json={"is_active": False}).json()["is_active"] is False
    assert client.put(f"{URL}/{tid}", headers=manager, json={"is_active": True}).json()["is_active"] is True


# ---------------------------------------------------------------- preview

def test_preview_renders_the_sample_data_and_sends_nothing(client, manager, session):
    r = client.post(f"{URL}/{template_id('quote_sent')}/preview", headers=manager, json={})
    assert r.status_code == 200
    body = r.json()
    assert body["subject"] == "Your CoachWay quote Q-2025-0412 for Saturday, May 17, 2025"
    assert "Dana Whitfield" in body["html"] and "Dana Whitfield" in body["text"]
    assert "/t/c/" not in body["html"]  # previews are not tracked
    session.rollback()
    assert session.scalars(select(OutboxMessage)).all() == []


def test_preview_with_a_given_context_and_unsaved_text(client, manager):
    r = client.post(f"{URL}/{template_id('follow_up')}/preview", headers=manager,
                    json={"context": {"who": "<Ann & Bo>"}, "subject": "For {{ who }}",
                          "body_html": "<b>{{ who }}</b>", "body_text": "{{ who }}"})
    assert r.json() == {"subject": "For <Ann & Bo>", "html": "<b>&lt;Ann &amp; Bo&gt;</b>",
                        "text": "<Ann & Bo>"}


def test_preview_with_a_missing_variable_is_422(client, manager):
    r = client.post(f"{URL}/{template_id('follow_up')}/preview", headers=manager, json={"context": {}})
    assert r.status_code == 422 and "undefined" in r.json()["errors"][0]["message"]


def test_preview_refuses_sandbox_escapes(client, manager):
    r = client.post(f"{URL}/{template_id('follow_up')}/preview", headers=manager,
                    json={"body_text": "{{ cycler.__init__.__globals__ }}"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "body_text"


def test_preview_by_a_role_without_template_access_is_403(client):
    vendor = user_headers(client, "vendor")
    r = client.post(f"{URL}/{template_id('follow_up')}/preview", json={}, headers=vendor)
    assert r.status_code == 403
