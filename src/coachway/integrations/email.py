"""Email delivery behind one interface: the offline outbox (default) or any SMTP server."""

import smtplib
from email.message import EmailMessage
from typing import Any, Protocol

from sqlalchemy.orm import Session

from coachway.config import get_settings
from coachway.core.outbox import PermanentFailure, handles


class EmailSender(Protocol):
    """Something that delivers one email."""

    def send(self, *, to: str, subject: str, text: str, html: str | None = None) -> None: ...


class OutboxOnlySender:
    """Offline default: the message stays in the outbox, readable in the admin outbox viewer."""

    def send(self, *, to: str, subject: str, text: str, html: str | None = None) -> None:
        if "@" not in to:
            raise PermanentFailure(f"not an email address: {to!r}")


class SMTPSender:
    """Delivers through an SMTP server (with STARTTLS and login when configured)."""

    def send(self, *, to: str, subject: str, text: str, html: str | None = None) -> None:
        s = get_settings()
        msg = EmailMessage()
        msg["From"] = s.email_from
        msg["To"] = to
        msg["Subject"] = subject
        msg.set_content(text)
        if html:
            msg.add_alternative(html, subtype="html")
        with smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=30) as smtp:
            if s.smtp_starttls:
                smtp.starttls()
            if s.smtp_username:
                smtp.login(s.smtp_username, s.smtp_password or "")
            smtp.send_message(msg)


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
    sender().send(to=payload["to"], subject=payload["subject"], text=payload["text"],
                  html=payload.get("html"))
