"""Sending from a template: one outbox message, rendered and tracked; who gets it; what is refused."""

from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from coachway.core import outbox
from coachway.core.db import transaction
from coachway.core.models import OutboxMessage
from coachway.core.permissions import SYSTEM
from coachway.notifications import service
from coachway.notifications.models import EmailTracking, Notification, NotificationTemplate
from coachway.notifications.templates_seed import default_for
from tests.factories import make_user, user_headers
from tests.factories_domain import make_client, seed_templates, send_notification, template_id


@pytest.fixture(autouse=True)
def _templates(clean_db):
    seed_templates()


def sample(key: str, channel: str = "email") -> dict:
    return dict(default_for(key, channel).sample_context)


def messages(session) -> list[OutboxMessage]:
    session.rollback()
    return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_send_queues_exactly_one_rendered_and_tracked_email(session):
    acme = make_client(name="Acme Tours", email="events@acme.example")
    note = send_notification(template_key="quote_sent", client_id=acme.id, context=sample("quote_sent"))
    [msg] = messages(session)
    payload = msg.payload
    assert msg.topic == "email.send" and payload["to"] == "events@acme.example"
    assert payload["subject"] == "Your CoachWay quote Q-2025-0412 for Saturday, May 17, 2025"
    assert "Hello Dana Whitfield" in payload["text"] and "$4,850.00" in payload["text"]
    assert payload["template"] == "quote_sent" and payload["transactional"] is False
    tracking = session.get(EmailTracking, payload["email_tracking_id"])
    assert tracking.status == "queued" and tracking.sent_at is None and tracking.client_id == acme.id
    assert f"/t/o/{tracking.tracking_token}.gif" in payload["html"]
    assert payload["html"].count(f"/t/c/{tracking.tracking_token}?u=") == 1
    assert tracking.links == ["https://coachway.example/portal/quotes/Q-2025-0412?ref=email&lang=en"]
    assert "href=\"https://coachway.example" not in payload["html"]  # no untracked web link left
    assert note.status == "queued" and note.outbox_message_id == msg.id
    assert note.email_tracking_id == tracking.id


def test_text_version_keeps_links_as_they_are(session):
    send_notification(template_key="quote_sent", to="dana@example.com", context=sample("quote_sent"))
    [msg] = messages(session)
    assert "https://coachway.example/portal/quotes/Q-2025-0412?ref=email&lang=en" in msg.payload["text"]


def test_tracking_tokens_differ_per_email(session):
    for _ in range(2):
        send_notification(template_key="follow_up", to="dana@example.com", context=sample("follow_up"))
    tokens = session.scalars(select(EmailTracking.tracking_token)).all()
    assert len(set(tokens)) == 2 and all(len(t) >= 32 for t in tokens)


def test_delivery_marks_the_tracking_row_sent(session):
    note = send_notification(template_key="payment_receipt", to="dana@example.com",
                             context=sample("payment_receipt"))
    assert outbox.deliver_due() == 1
    session.rollback()
    assert session.get(EmailTracking, note.email_tracking_id).status == "sent"
    with transaction() as s:
        view = service.get_notification(s, SYSTEM, note.id)
    assert view.delivery_status == "sent" and view.delivery_attempts == 1 and view.delivered_at


def test_transactional_email_names_itself_so(session):
    send_notification(template_key="booking_confirmation", to="dana@example.com",
                      context=sample("booking_confirmation"))
    assert messages(session)[0].payload["transactional"] is True


def test_recipient_falls_back_to_the_primary_contact(session):
    acme = make_client(name="Acme Tours", email=None, contacts=[{"name": "Jo", "email": "jo@acme.example"}])
    send_notification(template_key="payment_receipt", client_id=acme.id, context=sample("payment_receipt"))
    assert messages(session)[0].payload["to"] == "jo@acme.example"


def test_recipient_can_be_a_user(session):
    agent = make_user(role="sales_agent", email="sam@example.com")
    send_notification(template_key="recovery_needed", user_id=agent.id, context=sample("recovery_needed"))
    assert messages(session)[0].payload["to"] == "sam@example.com"


def test_client_without_any_email_is_recorded_as_suppressed(session):
    acme = make_client(name="Acme Tours", email=None)
    note = send_notification(template_key="payment_receipt", client_id=acme.id,
                             context=sample("payment_receipt"))
    assert note.status == "suppressed"
    assert note.suppressed_reason == "Acme Tours has no email address on file."
    assert messages(session) == []


def test_missing_variable_refuses_the_send_and_queues_nothing(session):
    with transaction() as s:
        with pytest.raises(Exception) as caught:
            service.send(s, SYSTEM, template_key="quote_sent", to="dana@example.com", context={})
    assert caught.value.status == 422 and "undefined" in caught.value.errors[0]["message"]
    assert messages(session) == []


def test_unknown_template_is_404_naming_it():
    with transaction() as s, pytest.raises(Exception) as caught:
        service.send(s, SYSTEM, template_key="no_such_thing", to="dana@example.com")
    assert caught.value.status == 404 and "no_such_thing" in caught.value.detail


def test_template_turned_off_is_409(session):
    with transaction() as s:
        service.update_template(s, SYSTEM, template_id("follow_up"), is_active=False)
    with transaction() as s, pytest.raises(Exception) as caught:
        service.send(s, SYSTEM, template_key="follow_up", to="dana@example.com", context=sample("follow_up"))
    assert caught.value.status == 409 and "turned off" in caught.value.detail


def test_shipped_default_is_used_until_the_template_is_in_the_database(session):
    session.execute(Notification.__table__.delete())
    session.execute(NotificationTemplate.__table__.delete())
    session.commit()
    send_notification(template_key="payment_receipt", to="dana@example.com",
                      context=sample("payment_receipt"))
    assert messages(session)[0].payload["subject"].startswith("Receipt R-2025-00871")


# ---------------------------------------------------------------- SMS

def test_sms_goes_to_the_clients_phone_in_e164(session):
    acme = make_client(name="Acme Tours", phone="(404) 555-0134", sms_notifications_enabled=True)
    note = send_notification(template_key="payment_reminder", channel="sms", client_id=acme.id,
                             context=sample("payment_reminder", "sms"))
    [msg] = messages(session)
    assert msg.topic == "sms.send"
    assert msg.payload == {"to": "+14045550134", "template": "payment_reminder",
                           "text": msg.payload["text"]}
    assert msg.payload["text"].startswith("CoachWay: $3,395.00 for booking CW-10482")
    assert note.email_tracking_id is None and note.subject is None


def test_sms_to_a_client_who_did_not_opt_in_is_suppressed(session):
    acme = make_client(name="Acme Tours", phone="(404) 555-0134", sms_notifications_enabled=False)
    note = send_notification(template_key="payment_reminder", channel="sms", client_id=acme.id,
                             context=sample("payment_reminder", "sms"))
    assert note.status == "suppressed" and "text messages" in note.suppressed_reason
    assert messages(session) == []


def test_transactional_sms_goes_without_the_opt_in(session):
    acme = make_client(name="Acme Tours", phone="404-555-0134", sms_notifications_enabled=False)
    note = send_notification(template_key="booking_confirmation", channel="sms", client_id=acme.id,
                             context=sample("booking_confirmation", "sms"))
    assert note.status == "queued" and messages(session)[0].payload["to"] == "+14045550134"


def test_sms_to_a_client_without_a_phone_is_suppressed(session):
    acme = make_client(name="Acme Tours", sms_notifications_enabled=True)
    note = send_notification(template_key="booking_confirmation", channel="sms", client_id=acme.id,
                             context=sample("booking_confirmation", "sms"))
    assert note.status == "suppressed" and note.suppressed_reason == "Acme Tours has no phone number on file."


def test_sms_to_an_address_that_is_not_a_phone_is_422():
    with transaction() as s, pytest.raises(Exception) as caught:
        service.send(s, SYSTEM, template_key="booking_confirmation", channel="sms", to="dana@example.com",
                     context=sample("booking_confirmation", "sms"))
    assert caught.value.status == 422 and caught.value.errors[0]["field"] == "to"


# ---------------------------------------------------------------- through the API

def test_staff_send_through_the_api(client, session):
    acme = make_client(name="Acme Tours", email="events@acme.example")
    headers = user_headers(client, "sales_agent")
    r = client.post("/api/v1/notifications/send", headers=headers,
                    json={"template_key": "follow_up", "client_id": acme.id, "context": sample("follow_up")})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["status"] == "queued" and body["recipient"] == "events@acme.example"
    assert body["delivery_status"] == "pending" and body["tracking_status"] == "queued"
    assert len(messages(session)) == 1


def test_api_send_with_a_missing_variable_is_422(client):
    r = client.post("/api/v1/notifications/send", headers=user_headers(client, "sales_agent"),
                    json={"template_key": "follow_up", "to": "dana@example.com", "context": {}})
    assert r.status_code == 422 and "undefined" in r.json()["errors"][0]["message"]


def test_password_reset_cannot_be_sent_by_hand(client, session):
    r = client.post("/api/v1/notifications/send", headers=user_headers(client, "admin"),
                    json={"template_key": "password_reset", "to": "dana@example.com",
                          "context": sample("password_reset")})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "template_key"
    assert messages(session) == []


def test_roles_without_send_permission_are_refused(client):
    own = make_client()
    for role in ("client", "vendor", "driver"):
        headers = user_headers(client, role, **({"client_id": own.id} if role == "client" else {}))
        r = client.post("/api/v1/notifications/send", headers=headers,
                        json={"template_key": "follow_up", "to": "dana@example.com",
                              "context": sample("follow_up")})
        assert r.status_code == 403, role


def test_api_send_to_an_unknown_client_is_422(client):
    r = client.post("/api/v1/notifications/send", headers=user_headers(client, "admin"),
                    json={"template_key": "follow_up", "client_id": 999999, "context": sample("follow_up")})
    assert r.status_code == 404


def test_api_send_needs_a_recipient(client):
    r = client.post("/api/v1/notifications/send", headers=user_headers(client, "admin"),
                    json={"template_key": "follow_up", "context": sample("follow_up")})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "to"


def test_api_send_with_a_bad_context_key_is_422(client):
    r = client.post("/api/v1/notifications/send", headers=user_headers(client, "admin"),
                    json={"template_key": "follow_up", "to": "a@b.example", "context": {"not a name": 1}})
    assert r.status_code == 422


def test_sent_email_is_audited(client, session):
    admin = user_headers(client, "admin")
    r = client.post("/api/v1/notifications/send", headers=admin,
                    json={"template_key": "follow_up", "to": "dana@example.com",
                          "context": sample("follow_up")})
    rows = client.get("/api/v1/audit-log", params={"entity_type": "notification"}, headers=admin).json()
    assert rows["items"][0]["action"] == "send" and rows["items"][0]["entity_id"] == str(r.json()["id"])


def test_click_link_round_trip_keeps_the_query_string(client, session):
    note = send_notification(template_key="payment_reminder", to="dana@example.com",
                             context=sample("payment_reminder"))
    html = messages(session)[0].payload["html"]
    tracked = next(part.split('"')[0] for part in html.split('href="')[1:] if "/t/c/" in part)
    url = tracked.replace("&amp;", "&")
    r = client.get(urlsplit(url).path + "?" + urlsplit(url).query, follow_redirects=False)
    assert r.status_code == 302
    assert r.headers["location"] == "https://coachway.example/portal/pay/CW-10482?amount=3395.00&source=email"
    assert parse_qs(urlsplit(url).query)["u"] == [r.headers["location"]]
    session.rollback()
    assert session.get(EmailTracking, note.email_tracking_id).click_count == 1


def test_a_charter_that_does_not_exist_is_a_422_and_nothing_is_sent(client):
    from tests.factories_domain import seed_templates

    seed_templates()
    headers = user_headers(client, "manager")
    r = client.post("/api/v1/notifications/send", headers=headers,
                    json={"template_key": "follow_up", "to": "pat@example.com", "charter_id": 999_999,
                          "context": {}})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "charter_id"
    assert client.get("/api/v1/notifications", headers=headers).json()["total"] == 0
