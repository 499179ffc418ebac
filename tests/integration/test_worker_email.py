"""Queued email reaches a real SMTP server through `coachway worker`."""

import email
import email.policy
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from coachway.config import get_settings
from coachway.core import db, outbox
from coachway.core.models import OutboxMessage

pytestmark = pytest.mark.integration

COACHWAY = str(Path(sys.executable).with_name("coachway"))


class Inbox:
    """An aiosmtpd handler that keeps what it receives, and refuses recipients at refused.example.com."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.endswith("@refused.example.com"):
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server(monkeypatch):
    """An SMTP server on a free local port, and the settings that send through it."""
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("COACHWAY_EMAIL_BACKEND", "smtp")
    monkeypatch.setenv("COACHWAY_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("COACHWAY_SMTP_PORT", str(port))
    monkeypatch.setenv("COACHWAY_EMAIL_FROM", "CoachWay <dispatch@coachway.test>")
    get_settings.cache_clear()
    yield inbox
    controller.stop()
    get_settings.cache_clear()


def _enqueue_email(**payload) -> int:
    with db.transaction() as s:
        return outbox.enqueue(s, "email.send", payload).id


def _message(message_id: int) -> OutboxMessage:
    with db.transaction() as s:
        return s.get(OutboxMessage, message_id)


def test_worker_sends_a_queued_email_through_smtp_exactly_once(smtp_server, database_url):
    message_id = _enqueue_email(to="pat@example.com", subject="Your charter is booked",
                                text="Hello Pat,\n\nYour coach leaves at 8:00.\n")
    env = {**os.environ, "COACHWAY_DATABASE_URL": database_url}
    result = subprocess.run([COACHWAY, "worker", "--once"], env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Delivered 1 message(s)." in result.stdout

    assert smtp_server.envelopes == [("dispatch@coachway.test", ["pat@example.com"])]
    [mail] = smtp_server.messages
    assert mail["To"] == "pat@example.com"
    assert mail["From"] == "CoachWay <dispatch@coachway.test>"
    assert mail["Subject"] == "Your charter is booked"
    assert mail["Message-ID"] == f"<outbox-{message_id}@coachway>"
    assert mail.get_content().replace("\r\n", "\n") == "Hello Pat,\n\nYour coach leaves at 8:00.\n"
    assert _message(message_id).status == "sent"


def test_html_email_goes_out_with_a_plain_text_alternative(smtp_server):
    _enqueue_email(to="pat@example.com", subject="Invoice", text="Amount due: $1,200.00",
                   html="<p>Amount due: <b>$1,200.00</b></p>")
    assert outbox.deliver_due() == 1
    [mail] = smtp_server.messages
    assert mail.get_body(("plain",)).get_content().strip() == "Amount due: $1,200.00"
    assert "<b>$1,200.00</b>" in mail.get_body(("html",)).get_content()


def test_email_to_a_refused_mailbox_fails_at_once(smtp_server):
    message_id = _enqueue_email(to="ghost@refused.example.com", subject="Hi", text="Hello")
    outbox.deliver_due()
    msg = _message(message_id)
    assert (msg.status, msg.attempts) == ("failed", 1)
    assert "no such mailbox" in msg.last_error
    assert smtp_server.messages == []


def test_email_is_retried_when_the_smtp_server_is_down(monkeypatch):
    monkeypatch.setenv("COACHWAY_EMAIL_BACKEND", "smtp")
    monkeypatch.setenv("COACHWAY_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("COACHWAY_SMTP_PORT", str(_free_port()))  # nobody listens there
    get_settings.cache_clear()
    message_id = _enqueue_email(to="pat@example.com", subject="Hi", text="Hello")
    outbox.deliver_due()
    msg = _message(message_id)
    assert (msg.status, msg.attempts) == ("pending", 1)
    assert msg.last_error.startswith("ConnectionRefusedError")


def test_a_templated_email_reaches_the_smtp_server_rendered_with_its_tracking(smtp_server, database_url,
                                                                              client):
    from coachway.notifications.models import EmailTracking, Notification
    from coachway.notifications.templates_seed import default_for
    from tests.factories_domain import make_client, seed_templates, send_notification

    seed_templates()
    acme = make_client(name="Acme Tours", email="events@acme.example")
    context = dict(default_for("booking_confirmation", "email").sample_context)
    note = send_notification(template_key="booking_confirmation", client_id=acme.id, context=context)
    env = {**os.environ, "COACHWAY_DATABASE_URL": database_url}
    result = subprocess.run([COACHWAY, "worker", "--once"], env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr

    [mail] = smtp_server.messages
    assert mail["To"] == "events@acme.example"
    with db.transaction() as s:
        sent = s.get(Notification, note.id)
        tracking = s.get(EmailTracking, sent.email_tracking_id)
        assert mail["Subject"] == sent.subject
        assert (tracking.status, tracking.recipient_email) == ("sent", "events@acme.example")
        assert tracking.sent_at is not None
        token, links = tracking.tracking_token, list(tracking.links)
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert context["trip_name"] in text and context["trip_name"] in html
    assert f"/t/o/{token}.gif" in html  # the open pixel
    assert links and f"/t/c/{token}?u=" in html  # links go through the click redirect

    # The recipient's mail program loads the pixel, then the reader follows a link.
    assert client.get(f"/t/o/{token}.gif").headers["content-type"] == "image/gif"
    r = client.get(f"/t/c/{token}", params={"u": links[0]}, follow_redirects=False)
    assert r.status_code in (302, 303) and r.headers["location"] == links[0]
    assert client.get(f"/t/c/{token}", params={"u": "https://evil.example/"},
                      follow_redirects=False).status_code in (400, 404)
    with db.transaction() as s:
        tracking = s.get(EmailTracking, tracking.id)
        assert tracking.opened_at is not None and tracking.clicked_at is not None
        assert tracking.status == "clicked"
