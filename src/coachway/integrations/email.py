"""Email delivery behind one interface: the offline outbox (default), any SMTP server, or SendGrid.

The `email.send` outbox topic is delivered by `coachway.notifications.delivery`, which calls `deliver` here
and then records the outcome on the message's tracking row.
"""

import smtplib
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any, Protocol

from coachway.config import get_settings
from coachway.core import clock
from coachway.core.outbox import PermanentFailure


class EmailSender(Protocol):
    """Something that delivers one email; returns the provider's id for it when it gives one."""

    def send(self, *, to: str, subject: str, text: str, html: str | None = None,
             message_id: str | None = None, tags: dict[str, str] | None = None) -> str | None: ...


def message_id_for(outbox_id: int) -> str:
    """The Message-ID of the email queued as outbox message outbox_id: the same on every resend."""
    return f"<outbox-{outbox_id}@coachway>"


class OutboxOnlySender:
    """Offline default: the message stays in the outbox, readable in the admin outbox viewer."""

    def send(self, *, to: str, subject: str, text: str, html: str | None = None,
             message_id: str | None = None, tags: dict[str, str] | None = None) -> str | None:
        if "@" not in to:
            raise PermanentFailure(f"not an email address: {to!r}")
        return None


class SMTPSender:
    """Delivers through an SMTP server (with STARTTLS and login when configured)."""

    def send(self, *, to: str, subject: str, text: str, html: str | None = None,
             message_id: str | None = None, tags: dict[str, str] | None = None) -> str | None:
        s = get_settings()
        msg = EmailMessage()
        msg["From"] = s.email_from
        msg["To"] = to
        msg["Subject"] = subject
        msg["Date"] = format_datetime(clock.now())
        if message_id:
            # A delivery retried after a crash carries the same Message-ID, so receivers can drop the copy.
            msg["Message-ID"] = message_id
        msg.set_content(text)
        if html:
            msg.add_alternative(html, subtype="html")
        try:
            with smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=30) as smtp:
                if s.smtp_starttls:
                    smtp.starttls()
                if s.smtp_username:
                    smtp.login(s.smtp_username, s.smtp_password or "")
                smtp.send_message(msg)
        except smtplib.SMTPRecipientsRefused as exc:
            if all(code >= 500 for code, _ in exc.recipients.values()):
                raise PermanentFailure(f"recipient refused: {exc.recipients}") from exc
            raise
        except smtplib.SMTPResponseException as exc:
            # 5xx is the server's final word (bad sender, message rejected); 4xx is worth another try.
            if exc.smtp_code >= 500:
                raise PermanentFailure(f"SMTP {exc.smtp_code}: {exc.smtp_error!r}") from exc
            raise
        return message_id


class SendGridSender:
    """Delivers through SendGrid's v3 mail API with the official `sendgrid` SDK.

    The outbox id and tracking id travel as SendGrid custom args, so SendGrid's event webhook can be tied
    back to the message; SendGrid's own message id (X-Message-Id) is returned and stored on the tracking row.
    """

    def send(self, *, to: str, subject: str, text: str, html: str | None = None,
             message_id: str | None = None, tags: dict[str, str] | None = None) -> str | None:
        from python_http_client.exceptions import HTTPError
        from sendgrid import SendGridAPIClient
        from sendgrid.helpers.mail import CustomArg, Mail

        s = get_settings()
        if not s.sendgrid_api_key:
            raise PermanentFailure("email backend is sendgrid but COACHWAY_SENDGRID_API_KEY is not set")
        mail = Mail(from_email=s.email_from, to_emails=to, subject=subject, plain_text_content=text,
                    html_content=html)
        for key, value in (tags or {}).items():
            mail.add_custom_arg(CustomArg(key, str(value)))
        client = SendGridAPIClient(api_key=s.sendgrid_api_key, host=s.sendgrid_api_host)
        try:
            response = client.send(mail)
        except HTTPError as exc:
            # 4xx (bad address, bad key, rejected content) will not get better; 429 and 5xx may.
            if 400 <= exc.status_code < 500 and exc.status_code != 429:
                raise PermanentFailure(f"SendGrid {exc.status_code}: {exc.body!r}") from exc
            raise RuntimeError(f"SendGrid {exc.status_code}: {exc.body!r}") from exc
        return response.headers.get("X-Message-Id")


def sender() -> EmailSender:
    """The configured email sender."""
    backend = get_settings().email_backend
    if backend == "smtp":
        return SMTPSender()
    if backend == "sendgrid":
        return SendGridSender()
    if backend == "outbox":
        return OutboxOnlySender()
    raise PermanentFailure(f"unknown email backend {backend!r}")


def deliver(payload: dict[str, Any]) -> str | None:
    """Deliver one queued email payload (to, subject, text, optional html); the provider's id if any."""
    missing = [key for key in ("to", "subject", "text") if not payload.get(key)]
    if missing:
        raise PermanentFailure(f"email message lacks {', '.join(missing)}")
    outbox_id = payload.get("outbox_id")
    tags = {key: str(payload[key]) for key in ("outbox_id", "email_tracking_id") if payload.get(key)}
    return sender().send(to=payload["to"], subject=payload["subject"], text=payload["text"],
                         html=payload.get("html"),
                         message_id=message_id_for(outbox_id) if outbox_id is not None else None, tags=tags)
