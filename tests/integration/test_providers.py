"""SendGrid and Twilio through their official SDKs, against local stand-ins for their HTTP APIs."""

import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from twilio.http import HttpClient
from twilio.http.response import Response

from coachway.config import get_settings
from coachway.core import db, outbox
from coachway.core.models import OutboxMessage
from coachway.integrations import sms
from coachway.notifications.models import EmailTracking

pytestmark = pytest.mark.integration


class FakeSendGrid(BaseHTTPRequestHandler):
    """Answers POST /v3/mail/send like SendGrid: 202 and an X-Message-Id, or the status in `answer`."""

    requests: list[dict] = []
    answer = 202

    def do_POST(self):  # noqa: N802 - http.server's naming
        body = self.rfile.read(int(self.headers["Content-Length"]))
        FakeSendGrid.requests.append({"path": self.path, "auth": self.headers["Authorization"],
                                      "json": json.loads(body)})
        self.send_response(FakeSendGrid.answer)
        if FakeSendGrid.answer == 202:
            self.send_header("X-Message-Id", "sg-abc123")
            self.end_headers()
        else:
            payload = b'{"errors":[{"message":"The to email does not contain a valid address."}]}'
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def sendgrid_api(monkeypatch):
    FakeSendGrid.requests = []
    FakeSendGrid.answer = 202
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeSendGrid)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("COACHWAY_EMAIL_BACKEND", "sendgrid")
    monkeypatch.setenv("COACHWAY_SENDGRID_API_KEY", "SG.test-key")
    monkeypatch.setenv("COACHWAY_SENDGRID_API_HOST", f"http://127.0.0.1:{server.server_port}")
    monkeypatch.setenv("COACHWAY_EMAIL_FROM", "CoachWay <dispatch@coachway.test>")
    get_settings.cache_clear()
    yield FakeSendGrid
    server.shutdown()
    get_settings.cache_clear()


def _tracked_email(**payload) -> tuple[int, int]:
    with db.transaction() as s:
        tracking = EmailTracking(email_type="booking_confirmation", recipient_email=payload["to"],
                                 subject=payload["subject"], status="queued",
                                 tracking_token="tok-" + payload["to"])
        s.add(tracking)
        s.flush()
        msg = outbox.enqueue(s, "email.send", {**payload, "email_tracking_id": tracking.id})
        return msg.id, tracking.id


def _rows(message_id: int, tracking_id: int) -> tuple[OutboxMessage, EmailTracking]:
    with db.transaction() as s:
        return s.get(OutboxMessage, message_id), s.get(EmailTracking, tracking_id)


def test_sendgrid_gets_the_rendered_email_and_its_message_id_is_kept(sendgrid_api):
    message_id, tracking_id = _tracked_email(to="pat@example.com", subject="Your charter is booked",
                                             text="Hello Pat", html="<p>Hello <b>Pat</b></p>")
    assert outbox.deliver_due() == 1

    [request] = sendgrid_api.requests
    assert request["path"] == "/v3/mail/send"
    assert request["auth"] == "Bearer SG.test-key"
    body = request["json"]
    assert body["from"] == {"email": "dispatch@coachway.test", "name": "CoachWay"}
    assert body["subject"] == "Your charter is booked"
    assert body["personalizations"][0]["to"] == [{"email": "pat@example.com"}]
    assert {"type": "text/plain", "value": "Hello Pat"} in body["content"]
    assert {"type": "text/html", "value": "<p>Hello <b>Pat</b></p>"} in body["content"]
    assert body["custom_args"] == {"outbox_id": str(message_id), "email_tracking_id": str(tracking_id)}

    msg, tracking = _rows(message_id, tracking_id)
    assert msg.status == "sent"
    assert (tracking.status, tracking.sendgrid_message_id) == ("sent", "sg-abc123")
    assert tracking.sent_at is not None


def test_an_address_sendgrid_refuses_fails_at_once_and_marks_the_tracking_row_failed(sendgrid_api):
    sendgrid_api.answer = 400
    message_id, tracking_id = _tracked_email(to="not-an-address@example", subject="Hi", text="Hello")
    outbox.deliver_due()
    msg, tracking = _rows(message_id, tracking_id)
    assert (msg.status, msg.attempts) == ("failed", 1)
    assert "SendGrid 400" in msg.last_error and "valid address" in msg.last_error
    assert (tracking.status, tracking.sent_at) == ("failed", None)


def test_sendgrid_unavailable_is_retried_later(sendgrid_api):
    sendgrid_api.answer = 503
    message_id, tracking_id = _tracked_email(to="pat@example.com", subject="Hi", text="Hello")
    outbox.deliver_due()
    msg, tracking = _rows(message_id, tracking_id)
    assert (msg.status, msg.attempts) == ("pending", 1)
    assert tracking.status == "queued"


def test_sendgrid_without_an_api_key_fails_with_a_message_saying_so(sendgrid_api, monkeypatch):
    monkeypatch.delenv("COACHWAY_SENDGRID_API_KEY")
    get_settings.cache_clear()
    message_id, tracking_id = _tracked_email(to="pat@example.com", subject="Hi", text="Hello")
    outbox.deliver_due()
    msg, _ = _rows(message_id, tracking_id)
    assert msg.status == "failed"
    assert "COACHWAY_SENDGRID_API_KEY" in msg.last_error
    assert sendgrid_api.requests == []


class FakeTwilio(HttpClient):
    """Answers the Twilio SDK's Messages.create locally."""

    def __init__(self, status: int = 201) -> None:
        super().__init__(logging.getLogger("twilio.test"), is_async=False)
        self.status = status
        self.calls: list[dict] = []

    def request(self, method, uri, params=None, data=None, headers=None, auth=None, timeout=None,
                allow_redirects=False):
        self.calls.append({"method": method, "uri": uri, "data": data, "auth": auth})
        if self.status != 201:
            error = {"code": 21211, "message": "The 'To' number is not valid.", "status": self.status}
            return Response(self.status, json.dumps(error))
        message = {"sid": "SM0123456789abcdef0123456789abcdef", "status": "queued", "to": data["To"],
                   "from": data["From"], "body": data["Body"]}
        return Response(201, json.dumps(message))


@pytest.fixture
def twilio_settings(monkeypatch):
    monkeypatch.setenv("COACHWAY_SMS_BACKEND", "twilio")
    monkeypatch.setenv("COACHWAY_TWILIO_ACCOUNT_SID", "AC" + "0" * 32)
    monkeypatch.setenv("COACHWAY_TWILIO_AUTH_TOKEN", "secret-token")
    monkeypatch.setenv("COACHWAY_TWILIO_FROM_NUMBER", "+14045550100")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_twilio_gets_the_text_in_e164_form(twilio_settings):
    fake = FakeTwilio()
    sid = sms.TwilioSms(http_client=fake).send(to="+16155550123", text="Your coach is 10 minutes away.")
    assert sid == "SM0123456789abcdef0123456789abcdef"
    [call] = fake.calls
    assert call["method"] == "POST"
    assert call["uri"] == f"https://api.twilio.com/2010-04-01/Accounts/AC{'0' * 32}/Messages.json"
    assert call["auth"] == ("AC" + "0" * 32, "secret-token")
    assert call["data"] == {"To": "+16155550123", "From": "+14045550100",
                            "Body": "Your coach is 10 minutes away."}


def test_a_number_twilio_rejects_is_a_permanent_failure(twilio_settings):
    with pytest.raises(outbox.PermanentFailure, match="Twilio 400"):
        sms.TwilioSms(http_client=FakeTwilio(status=400)).send(to="+16155550123", text="Hi")


def test_twilio_server_errors_are_retried(twilio_settings):
    with pytest.raises(RuntimeError, match="Twilio 500"):
        sms.TwilioSms(http_client=FakeTwilio(status=500)).send(to="+16155550123", text="Hi")


def test_twilio_without_credentials_says_which_settings_are_missing(monkeypatch):
    monkeypatch.setenv("COACHWAY_SMS_BACKEND", "twilio")
    get_settings.cache_clear()
    try:
        with pytest.raises(outbox.PermanentFailure, match="COACHWAY_TWILIO_ACCOUNT_SID"):
            sms.TwilioSms(http_client=FakeTwilio()).send(to="+16155550123", text="Hi")
    finally:
        get_settings.cache_clear()


def test_queued_sms_is_delivered_by_the_worker_from_the_outbox():
    with db.transaction() as s:
        good = outbox.enqueue(s, "sms.send", {"to": "(615) 555-0123", "text": "Pickup at 8:00"}).id
        bad = outbox.enqueue(s, "sms.send", {"to": "555-01", "text": "Pickup at 8:00"}).id
    outbox.deliver_due()
    with db.transaction() as s:
        assert s.get(OutboxMessage, good).status == "sent"
        failed = s.get(OutboxMessage, bad)
        assert (failed.status, failed.attempts) == ("failed", 1)
        assert "not a phone number" in failed.last_error


@pytest.mark.parametrize(("raw", "expected"), [
    ("(615) 555-0123", "+16155550123"),
    ("615.555.0123", "+16155550123"),
    ("1-615-555-0123", "+16155550123"),
    ("+44 20 7946 0958", "+442079460958"),
    ("555-0123", None),
    ("", None),
    ("+0123456789", None),
    ("call me", None),
])
def test_phone_numbers_are_read_as_e164(raw, expected):
    assert sms.to_e164(raw) == expected


def test_overlong_or_empty_texts_are_refused():
    with pytest.raises(outbox.PermanentFailure, match="at most 1600"):
        sms.deliver({"to": "+16155550123", "text": "x" * 1601})
    with pytest.raises(outbox.PermanentFailure, match="no text"):
        sms.deliver({"to": "+16155550123", "text": "  "})
