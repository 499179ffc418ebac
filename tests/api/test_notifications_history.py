"""Sent notifications over the API: filters, delivery from the outbox, opens and clicks, who may read."""

import pytest

from coachway.config import get_settings
from coachway.core import outbox
from coachway.core.db import transaction
from coachway.core.permissions import SYSTEM
from coachway.notifications import service
from coachway.notifications.models import EmailTracking
from coachway.notifications.templates_seed import default_for
from tests.factories import user_headers
from tests.factories_domain import client_user_headers, make_client, seed_templates, send_notification

URL = "/api/v1/notifications"


@pytest.fixture(autouse=True)
def _templates(clean_db):
    seed_templates()


def _send(key: str, channel: str = "email", **kw):
    return send_notification(template_key=key, channel=channel,
                             context=dict(default_for(key, channel).sample_context), **kw)


@pytest.fixture
def agent(client):
    return user_headers(client, "sales_agent")


def _ids(client, headers, **params) -> list[int]:
    r = client.get(URL, params=params, headers=headers)
    assert r.status_code == 200, r.text
    return [n["id"] for n in r.json()["items"]]


def test_list_is_newest_first_with_delivery_and_tracking(client, agent):
    first = _send("follow_up", to="a@example.com")
    second = _send("payment_receipt", to="b@example.com")
    body = client.get(URL, headers=agent).json()
    assert body["total"] == 2 and [n["id"] for n in body["items"]] == [second.id, first.id]
    item = body["items"][0]
    assert item["delivery_status"] == "pending" and item["delivery_attempts"] == 0
    assert item["tracking_status"] == "queued" and item["opened_at"] is None and item["open_count"] == 0
    assert item["body_text"] is None  # bodies only in the single notification


def test_one_notification_has_its_text(client, agent):
    note = _send("follow_up", to="a@example.com")
    body = client.get(f"{URL}/{note.id}", headers=agent).json()
    assert body["body_text"].startswith("Hello Dana Whitfield") and body["subject"]


def test_delivered_failed_and_suppressed_are_told_apart(client, agent, monkeypatch):
    acme = make_client(name="Acme Tours", email_notifications_enabled=False)
    suppressed = _send("follow_up", client_id=acme.id)
    delivered = _send("payment_receipt", to="a@example.com")
    outbox.deliver_due()
    monkeypatch.setenv("COACHWAY_EMAIL_BACKEND", "carrier-pigeon")
    get_settings.cache_clear()
    failed = _send("booking_confirmation", to="b@example.com")
    outbox.deliver_due()
    assert _ids(client, agent, status="suppressed") == [suppressed.id]
    assert _ids(client, agent, status="sent") == [delivered.id]
    assert _ids(client, agent, status="failed") == [failed.id]
    assert _ids(client, agent, status="queued") == [failed.id, delivered.id]
    body = client.get(f"{URL}/{failed.id}", headers=agent).json()
    assert body["delivery_status"] == "failed" and "carrier-pigeon" in body["delivery_error"]
    assert body["tracking_status"] == "failed"
    held = client.get(f"{URL}/{suppressed.id}", headers=agent).json()
    assert held["delivery_status"] is None
    assert held["suppressed_reason"].startswith("Acme Tours has turned off")


def test_opened_and_clicked_filters(client, agent):
    opened = _send("follow_up", to="a@example.com")
    _send("payment_receipt", to="b@example.com")
    token = client.get(f"{URL}/{opened.id}", headers=agent).json()
    with transaction() as s:
        tracking_token = s.get(EmailTracking, opened.email_tracking_id).tracking_token
    client.get(f"/t/o/{tracking_token}.gif")
    assert _ids(client, agent, status="opened") == [opened.id]
    assert _ids(client, agent, status="clicked") == []
    assert token["open_count"] == 0  # read before the open
    assert client.get(f"{URL}/{opened.id}", headers=agent).json()["open_count"] == 1


def test_filters_by_channel_client_and_template(client, agent):
    acme = make_client(phone="404-555-0134", sms_notifications_enabled=True)
    by_sms = _send("payment_reminder", channel="sms", client_id=acme.id)
    by_email = _send("payment_reminder", client_id=acme.id)
    other = _send("follow_up", to="x@example.com")
    assert _ids(client, agent, channel="sms") == [by_sms.id]
    assert _ids(client, agent, client_id=acme.id) == [by_email.id, by_sms.id]
    assert _ids(client, agent, template_key="follow_up") == [other.id]


def test_list_is_paginated(client, agent):
    for n in range(3):
        _send("follow_up", to=f"p{n}@example.com")
    body = client.get(URL, params={"limit": 2, "offset": 2}, headers=agent).json()
    assert body["total"] == 3 and len(body["items"]) == 1 and body["limit"] == 2


def test_unknown_status_filter_is_422(client, agent):
    assert client.get(URL, params={"status": "lost"}, headers=agent).status_code == 422


def test_unknown_notification_is_404(client, agent):
    assert client.get(f"{URL}/424242", headers=agent).status_code == 404


@pytest.mark.parametrize("role", ["vendor", "driver"])
def test_outside_roles_are_forbidden(client, role):
    assert client.get(URL, headers=user_headers(client, role)).status_code == 403


def test_client_user_is_forbidden(client):
    headers = client_user_headers(client, make_client().id)
    assert client.get(URL, headers=headers).status_code == 403


def test_password_reset_body_is_not_kept(client, agent):
    from coachway.core.db import transaction

    with transaction() as s:
        note = service.send(s, SYSTEM, template_key="password_reset", to="a@example.com", sensitive=True,
                            context={"user_name": "A", "expires_minutes": 30,
                                     "reset_url": "https://x.example/reset-password?token=SECRET123"})
    body = client.get(f"{URL}/{note.id}", headers=agent).json()
    assert "SECRET123" not in str(body)
    with transaction() as s:
        assert s.get(EmailTracking, note.email_tracking_id).links == []
