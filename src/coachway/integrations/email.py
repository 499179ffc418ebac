"""Email delivery behind one interface: the offline outbox (default) or any SMTP server."""

import smtplib
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any, Protocol

from sqlalchemy.orm import Session

from coachway.config import get_settings
from coachway.core import clock
from coachway.core.outbox import PermanentFailure, handles


class EmailSender(Protocol):
    """Something that delivers one email."""

    def send(self, *, to: str, subject: str, text: str, html: str | None = None,
             message_id: str | None = None) -> None: ...


def message_id_for(outbox_id: int) -> str:
    """The Message-ID of the email queued as outbox message outbox_id: the same on every resend."""
    return f"<outbox-{outbox_id}@coachway>"


class OutboxOnlySender:
    """Offline default: the message stays in the outbox, readable in the admin outbox viewer."""

    def send(self, *, to: str, subject: str, text: str, html: str | None = None,
             message_id: str | None = None) -> None:
        if "@" not in to:
            raise PermanentFailure(f"not an email address: {to!r}")


class SMTPSender:
    """Delivers through an SMTP server (with STARTTLS and login when configured)."""

    def send(self, *, to: str, subject: str, text: str, html: str | None = None,
             message_id: str | None = None) -> None:
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


def sender() -> EmailSender:
    """The configured email sender."""
    backend = get_settings().email_backend
    if backend == "smtp":
        return SMTPSender()
    if backend == "outbox":
        return OutboxOnlySender()
    raise PermanentFailure(f"unknown email backend {backend!r}")


@handles("email.send")
def deliver_email(session: Session, payload: dict[str, Any]) -> None:
    """Deliver one queued email."""
    missing = [key for key in ("to", "subject", "text") if not payload.get(key)]
    if missing:
        raise PermanentFailure(f"email message lacks {', '.join(missing)}")
    outbox_id = payload.get("outbox_id")
    sender().send(to=payload["to"], subject=payload["subject"], text=payload["text"],
                  html=payload.get("html"),
                  message_id=message_id_for(outbox_id) if outbox_id is not None else None)
