"""Clients' email preferences: reading and changing them, who may, and the sends they hold back."""

import pytest
from sqlalchemy import select

from coachway.clients import service as clients_service
from coachway.core.db import transaction
from coachway.core.models import OutboxMessage
from coachway.core.permissions import SYSTEM
from coachway.notifications import service
from coachway.notifications.templates_seed import default_for
from tests.factories import make_user, user_headers
from tests.factories_domain import (
    audit_rows,
    client_user_headers,
    make_client,
    seed_templates,
    send_notification,
    template_id,
)

FLAGS = ("automated_quotes_enabled", "automated_reminders_enabled", "automated_followups_enabled",
         "marketing_enabled")


def url(client_id: int) -> str:
    return f"/api/v1/email-preferences/{client_id}"


def outbox_count(session) -> int:
    session.rollback()
    return len(session.scalars(select(OutboxMessage.id)).all())


@pytest.fixture
def agent(client):
    return user_headers(client, "sales_agent")


# ---------------------------------------------------------------- reading and changing

def test_a_client_that_never_chose_gets_everything(client, agent):
    acme = make_client(name="Acme Tours")
    body = client.get(url(acme.id), headers=agent).json()
    assert body == {"client_id": acme.id, "client_name": "Acme Tours", **dict.fromkeys(FLAGS, True),
                    "email_notifications_enabled": True, "sms_notifications_enabled": False,
                    "updated_at": None}


def test_staff_turn_off_reminders_and_only_reminders_change(client, agent):
    acme = make_client()
    r = client.put(url(acme.id), json={"automated_reminders_enabled": False}, headers=agent)
    assert r.status_code == 200
    body = client.get(url(acme.id), headers=agent).json()
    assert body["automated_reminders_enabled"] is False and body["updated_at"]
    assert all(body[f] for f in FLAGS if f != "automated_reminders_enabled")


def test_change_is_audited_with_old_and_new_values(client, agent):
    acme = make_client()
    client.put(url(acme.id), json={"marketing_enabled": False}, headers=agent)
    [row] = audit_rows(client, user_headers(client, "admin"), entity_type="client_email_preferences")
    assert row["entity_id"] == str(acme.id)
    assert row["old_values"] == {"marketing_enabled": True}
    assert row["new_values"] == {"marketing_enabled": False}
    assert row["actor_id"] is not None


def test_saving_the_same_values_writes_no_audit_entry(client, agent):
    acme = make_client()
    client.put(url(acme.id), json={"marketing_enabled": False}, headers=agent)
    client.put(url(acme.id), json={"marketing_enabled": False}, headers=agent)
    assert len(audit_rows(client, user_headers(client, "admin"), entity_type="client_email_preferences")) == 1


def test_the_clients_switches_change_on_the_client_and_are_audited_there(client, agent):
    acme = make_client()
    r = client.put(url(acme.id), headers=agent,
                   json={"email_notifications_enabled": False, "sms_notifications_enabled": True})
    assert r.json()["email_notifications_enabled"] is False and r.json()["sms_notifications_enabled"] is True
    with transaction() as s:
        stored = clients_service.get_client(s, SYSTEM, acme.id)
        assert (stored.email_notifications_enabled, stored.sms_notifications_enabled) == (False, True)
    rows = audit_rows(client, user_headers(client, "admin"), entity_type="client", entity_id=str(acme.id))
    [row] = [r for r in rows if r["action"] == "update"]
    assert row["new_values"] == {"email_notifications_enabled": False, "sms_notifications_enabled": True}


def test_client_user_reads_and_changes_its_own(client):
    own = make_client(name="Own Club")
    headers = client_user_headers(client, own.id)
    assert client.get(url(own.id), headers=headers).json()["client_name"] == "Own Club"
    r = client.put(url(own.id), headers=headers,
                   json={"automated_followups_enabled": False, "sms_notifications_enabled": True})
    assert r.status_code == 200
    assert r.json()["automated_followups_enabled"] is False and r.json()["sms_notifications_enabled"] is True


def test_client_user_gets_404_for_another_clients_preferences(client):
    own, other = make_client(), make_client(name="Other Club")
    headers = client_user_headers(client, own.id)
    assert client.get(url(other.id), headers=headers).status_code == 404
    r = client.put(url(other.id), json={"marketing_enabled": False}, headers=headers)
    assert r.status_code == 404
    admin = user_headers(client, "admin")
    assert client.get(url(other.id), headers=admin).json()["marketing_enabled"] is True


def test_unknown_client_is_404(client, agent):
    assert client.get(url(987654), headers=agent).status_code == 404
    assert client.put(url(987654), json={"marketing_enabled": False}, headers=agent).status_code == 404


@pytest.mark.parametrize("role", ["vendor", "driver"])
def test_outside_roles_are_forbidden(client, role):
    acme = make_client()
    headers = user_headers(client, role)
    assert client.get(url(acme.id), headers=headers).status_code == 403
    assert client.put(url(acme.id), json={"marketing_enabled": False}, headers=headers).status_code == 403


def test_dispatcher_reads_but_may_not_change(client):
    acme = make_client()
    headers = user_headers(client, "dispatcher")
    assert client.get(url(acme.id), headers=headers).status_code == 200
    assert client.put(url(acme.id), json={"marketing_enabled": False}, headers=headers).status_code == 403


def test_signed_out_is_401(client):
    assert client.get(url(make_client().id)).status_code == 401


def test_malformed_json_is_422(client, agent):
    r = client.put(url(make_client().id), content=b'{"marketing_enabled": ',
                   headers={**agent, "content-type": "application/json"})
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")


def test_a_string_instead_of_true_or_false_is_422(client, agent):
    r = client.put(url(make_client().id), json={"marketing_enabled": "yes"}, headers=agent)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "marketing_enabled"


def test_null_instead_of_true_or_false_is_422(client, agent):
    r = client.put(url(make_client().id), json={"marketing_enabled": None}, headers=agent)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "marketing_enabled"


def test_unknown_field_is_422_and_nothing_changes(client, agent):
    acme = make_client()
    r = client.put(url(acme.id), json={"marketing_enabled": False, "spam_enabled": True}, headers=agent)
    assert r.status_code == 422
    assert client.get(url(acme.id), headers=agent).json()["marketing_enabled"] is True


def test_a_list_instead_of_an_object_is_422(client, agent):
    assert client.put(url(make_client().id), json=[True], headers=agent).status_code == 422


def test_path_id_out_of_range_is_422(client, agent):
    assert client.get(url(0), headers=agent).status_code == 422


# ---------------------------------------------------------------- what the preferences hold back

CASES = [("quote_sent", "automated_quotes_enabled", "quote"),
         ("payment_reminder", "automated_reminders_enabled", "reminder"),
         ("follow_up", "automated_followups_enabled", "follow-up")]


def _send(key: str, client_id: int):
    return send_notification(template_key=key, client_id=client_id,
                             context=dict(default_for(key, "email").sample_context))


def _set(client_id: int, **changes) -> None:
    with transaction() as s:
        service.update_preferences(s, SYSTEM, client_id, **changes)


@pytest.mark.parametrize(("key", "flag", "word"), CASES)
def test_category_turned_off_suppresses_that_email_only(session, key, flag, word):
    seed_templates()
    acme = make_client(name="Acme Tours")
    _set(acme.id, **{flag: False})
    held = _send(key, acme.id)
    assert held.status == "suppressed" and held.outbox_message_id is None
    assert held.suppressed_reason == f"Acme Tours has turned off automated {word} emails."
    others = [k for k, _, _ in CASES if k != key]
    assert all(_send(k, acme.id).status == "queued" for k in others)
    assert outbox_count(session) == 2


def test_marketing_turned_off_suppresses_marketing(session):
    seed_templates()
    with transaction() as s:
        service.update_template(s, SYSTEM, template_id("follow_up"), category="marketing")
    acme = make_client(name="Acme Tours")
    _set(acme.id, marketing_enabled=False)
    note = _send("follow_up", acme.id)
    assert note.status == "suppressed" and "marketing" in note.suppressed_reason


def test_email_switch_off_suppresses_every_automated_email(session):
    seed_templates()
    acme = make_client(name="Acme Tours", email_notifications_enabled=False)
    notes = [_send(key, acme.id) for key, _, _ in CASES]
    assert {n.status for n in notes} == {"suppressed"}
    assert notes[0].suppressed_reason == "Acme Tours has turned off email notifications."
    assert outbox_count(session) == 0


def test_transactional_email_goes_even_with_everything_off(session):
    seed_templates()
    acme = make_client(name="Acme Tours", email_notifications_enabled=False)
    _set(acme.id, **dict.fromkeys(FLAGS, False))
    for key in ("booking_confirmation", "payment_receipt", "cancellation", "change_case_update"):
        assert _send(key, acme.id).status == "queued"
    assert outbox_count(session) == 4


def test_preferences_follow_a_portal_user_to_its_client(session):
    seed_templates()
    acme = make_client(name="Acme Tours")
    portal = make_user(role="client", client_id=acme.id, email="jo@acme.example")
    _set(acme.id, automated_reminders_enabled=False)
    note = send_notification(template_key="payment_reminder", user_id=portal.id,
                             context=dict(default_for("payment_reminder", "email").sample_context))
    assert note.status == "suppressed" and note.recipient == "jo@acme.example"
