"""Sent notifications as staff see them: each with its outbox delivery and, for email, opens and clicks."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, false, func, select
from sqlalchemy.orm import Session

from coachway.core.errors import NotFound
from coachway.core.models import OutboxMessage
from coachway.core.permissions import STAFF_ROLES, Actor, require
from coachway.notifications.models import EmailTracking, Notification

DELIVERY_STATUSES = ("pending", "sent", "failed")


@dataclass(frozen=True)
class NotificationView:
    """A notification joined with its delivery (the outbox message) and its tracking row."""

    id: int
    channel: str
    template_key: str | None
    category: str
    recipient: str
    subject: str | None
    status: str
    suppressed_reason: str | None
    client_id: int | None
    user_id: int | None
    charter_id: int | None
    lead_id: int | None
    created_by: int | None
    created_at: datetime
    outbox_message_id: int | None
    body_text: str
    delivery_status: str | None
    delivery_attempts: int | None
    delivery_error: str | None
    delivered_at: datetime | None
    tracking_status: str | None
    opened_at: datetime | None
    clicked_at: datetime | None
    open_count: int
    click_count: int


_NOTIFICATION_FIELDS = ("id", "channel", "template_key", "category", "recipient", "subject", "status",
                        "suppressed_reason", "client_id", "user_id", "charter_id", "lead_id", "created_by",
                        "created_at", "outbox_message_id", "body_text")


def readable(actor: Actor) -> Select:
    """The notifications an actor may see, joined with delivery and tracking: staff all, a client user
    those about its own account, vendors and drivers none."""
    stmt = (select(Notification, OutboxMessage.status, OutboxMessage.attempts, OutboxMessage.last_error,
                   OutboxMessage.sent_at, EmailTracking.status, EmailTracking.opened_at,
                   EmailTracking.clicked_at, EmailTracking.open_count, EmailTracking.click_count)
            .outerjoin(OutboxMessage, OutboxMessage.id == Notification.outbox_message_id)
            .outerjoin(EmailTracking, EmailTracking.id == Notification.email_tracking_id))
    if actor.role == "client":
        own = Notification.client_id == actor.client_id if actor.client_id else false()
        return stmt.where(own)
    if actor.role not in STAFF_ROLES and "*" not in actor.permissions:
        return stmt.where(false())
    return stmt


def _view(row) -> NotificationView:
    note, d_status, d_attempts, d_error, d_sent, t_status, opened, clicked, opens, clicks = row
    return NotificationView(**{name: getattr(note, name) for name in _NOTIFICATION_FIELDS},
                            delivery_status=d_status, delivery_attempts=d_attempts, delivery_error=d_error,
                            delivered_at=d_sent, tracking_status=t_status, opened_at=opened,
                            clicked_at=clicked, open_count=opens or 0, click_count=clicks or 0)


def _status_condition(status: str):
    if status in ("queued", "suppressed"):
        return Notification.status == status
    if status in DELIVERY_STATUSES:
        return OutboxMessage.status == status
    if status == "opened":
        return EmailTracking.opened_at.is_not(None)
    if status == "clicked":
        return EmailTracking.clicked_at.is_not(None)
    raise ValueError(f"unknown notification status filter {status!r}")


def list_notifications(session: Session, actor: Actor, *, channel: str | None = None,
                       status: str | None = None, client_id: int | None = None,
                       template_key: str | None = None, limit: int = 50,
                       offset: int = 0) -> tuple[list[NotificationView], int]:
    """Notifications, newest first, filtered by channel, status, client and template."""
    require(actor, "notifications:read")
    stmt = readable(actor).order_by(Notification.created_at.desc(), Notification.id.desc())
    if channel:
        stmt = stmt.where(Notification.channel == channel)
    if status:
        stmt = stmt.where(_status_condition(status))
    if client_id is not None:
        stmt = stmt.where(Notification.client_id == client_id)
    if template_key:
        stmt = stmt.where(Notification.template_key == template_key)
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = session.execute(stmt.limit(limit).offset(offset)).all()
    return [_view(row) for row in rows], total


def get_notification(session: Session, actor: Actor, notification_id: int) -> NotificationView:
    """One notification with its delivery and tracking."""
    require(actor, "notifications:read")
    row = session.execute(readable(actor).where(Notification.id == notification_id)).first()
    if row is None:
        raise NotFound(f"No notification {notification_id}.")
    return _view(row)


def lead_engagement(session: Session, lead_ids: list[int] | None = None) -> dict[int, tuple[int, int]]:
    """For each lead that was emailed: how many of its emails were opened and how many clicked (one query;
    all leads when lead_ids is None)."""
    stmt = (select(EmailTracking.lead_id,
                   func.count(EmailTracking.opened_at), func.count(EmailTracking.clicked_at))
            .where(EmailTracking.lead_id.is_not(None)).group_by(EmailTracking.lead_id))
    if lead_ids is not None:
        if not lead_ids:
            return {}
        stmt = stmt.where(EmailTracking.lead_id.in_(lead_ids))
    return {lead_id: (opened, clicked) for lead_id, opened, clicked in session.execute(stmt)}


def users_sent_since(session: Session, *, template_key: str, since: datetime) -> set[int]:
    """The users who were sent (or refused) a message from this template since a moment (for jobs that
    send at most once a day)."""
    return set(session.scalars(select(Notification.user_id).where(
        Notification.template_key == template_key, Notification.created_at >= since,
        Notification.user_id.is_not(None)).distinct()))
