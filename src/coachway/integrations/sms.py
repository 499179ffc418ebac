"""SMS delivery behind one interface: the offline outbox (default) or Twilio.

The `sms.send` outbox topic is delivered by `coachway.notifications.delivery`, which calls `deliver` here.
"""

import re
from typing import Any, Protocol

from coachway.config import get_settings
from coachway.core.outbox import PermanentFailure

# E.164: a plus, a country code, at most 15 digits in all.
E164 = re.compile(r"^\+[1-9]\d{7,14}$")
# One SMS segment is 160 GSM characters; providers split longer texts, up to this many characters.
MAX_LENGTH = 1600


def to_e164(phone: str, default_country_code: str = "1") -> str | None:
    """The number in E.164 form (`+15551234567`), reading 10-digit numbers as North American; None if not a
    phone number."""
    digits = re.sub(r"[^\d+]", "", phone or "")
    if digits.startswith("+"):
        candidate = "+" + digits[1:].replace("+", "")
    elif len(digits) == 10:
        candidate = f"+{default_country_code}{digits}"
    elif len(digits) == 11 and digits.startswith(default_country_code):
        candidate = f"+{digits}"
    else:
        return None
    return candidate if E164.match(candidate) else None


class SmsSender(Protocol):
    """Something that delivers one text message; returns the provider's id for it when it gives one."""

    def send(self, *, to: str, text: str) -> str | None: ...


class OutboxOnlySms:
    """Offline default: the text stays in the outbox, readable in the admin outbox viewer."""

    def send(self, *, to: str, text: str) -> str | None:
        return None


class TwilioSms:
    """Sends through Twilio's Messages API with the official `twilio` SDK."""

    def __init__(self, http_client: Any | None = None) -> None:
        # Tests pass a twilio.http.HttpClient that answers locally; production uses the SDK's own.
        self.http_client = http_client

    def send(self, *, to: str, text: str) -> str | None:
        from twilio.base.exceptions import TwilioRestException
        from twilio.rest import Client

        s = get_settings()
        if not (s.twilio_account_sid and s.twilio_auth_token and s.twilio_from_number):
            raise PermanentFailure("SMS backend is twilio but COACHWAY_TWILIO_ACCOUNT_SID, "
                                   "COACHWAY_TWILIO_AUTH_TOKEN or COACHWAY_TWILIO_FROM_NUMBER is not set")
        client = Client(s.twilio_account_sid, s.twilio_auth_token, http_client=self.http_client)
        try:
            message = client.messages.create(to=to, from_=s.twilio_from_number, body=text)
        except TwilioRestException as exc:
            # 4xx: invalid number, unsubscribed recipient, bad credentials; 429 and 5xx are worth a retry.
            if 400 <= exc.status < 500 and exc.status != 429:
                raise PermanentFailure(f"Twilio {exc.status} (code {exc.code}): {exc.msg}") from exc
            raise RuntimeError(f"Twilio {exc.status}: {exc.msg}") from exc
        return message.sid


def sender() -> SmsSender:
    """The configured SMS sender."""
    backend = get_settings().sms_backend
    if backend == "twilio":
        return TwilioSms()
    if backend == "outbox":
        return OutboxOnlySms()
    raise PermanentFailure(f"unknown SMS backend {backend!r}")


def deliver(payload: dict[str, Any]) -> str | None:
    """Deliver one queued SMS payload (to, text); the provider's id if any."""
    text = payload.get("text") or ""
    if not text.strip():
        raise PermanentFailure("SMS message has no text")
    if len(text) > MAX_LENGTH:
        raise PermanentFailure(f"SMS text is {len(text)} characters; at most {MAX_LENGTH} can be sent")
    number = to_e164(payload.get("to") or "")
    if number is None:
        raise PermanentFailure(f"not a phone number: {payload.get('to')!r}")
    return sender().send(to=number, text=text)
