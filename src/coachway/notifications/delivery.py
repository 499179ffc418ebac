"""Delivery of the `email.send` and `sms.send` outbox topics, and its record on the email's tracking row.

The outbox worker calls these inside the attempt's transaction: a delivered email marks its
`email_tracking` row sent (with SendGrid's message id when SendGrid sent it); one that fails for good marks
it failed. Opens and clicks are recorded later by the tracking endpoints.
"""

from typing import Any

from sqlalchemy import case, update
from sqlalchemy.orm import Session

from coachway.config import get_settings
from coachway.core import clock
from coachway.core.outbox import handles
from coachway.integrations import email, sms
from coachway.notifications.models import EmailTracking


def _mark_failed(session: Session, payload: dict[str, Any], error: str) -> None:
    tracking_id = payload.get("email_tracking_id")
    if tracking_id:
        session.execute(update(EmailTracking).where(EmailTracking.id == tracking_id)
                        .values(status="failed"))


@handles("email.send", on_failed=_mark_failed)
def deliver_email(session: Session, payload: dict[str, Any]) -> None:
    """Send one queued email and record it as sent on its tracking row."""
    provider_id = email.deliver(payload)
    tracking_id = payload.get("email_tracking_id")
    if not tracking_id:
        return
    values: dict[str, Any] = {
        "sent_at": clock.now(),
        # A resent message may already have been opened or clicked: keep that status.
        "status": case((EmailTracking.status.in_(("queued", "failed")), "sent"), else_=EmailTracking.status),
    }
    if provider_id and get_settings().email_backend == "sendgrid":
        values["sendgrid_message_id"] = provider_id
    session.execute(update(EmailTracking).where(EmailTracking.id == tracking_id).values(**values))


@handles("sms.send")
def deliver_sms(session: Session, payload: dict[str, Any]) -> None:
    """Send one queued text message."""
    sms.deliver(payload)
