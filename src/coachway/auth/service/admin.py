"""Admin views of the audit log and the outbox, and sending an outbox message again."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from coachway.auth.service._common import SENSITIVE
from coachway.core import audit, outbox
from coachway.core.errors import NotFound
from coachway.core.models import AuditLog, OutboxMessage
from coachway.core.pagination import paginate
from coachway.core.permissions import Actor, require


def list_audit(session: Session, actor: Actor, *, entity_type: str | None = None,
               entity_id: str | None = None, actor_id: int | None = None, limit: int = 50,
               offset: int = 0) -> tuple[list[AuditLog], int]:
    """Audit entries, newest first, filtered."""
    require(actor, "audit:read")
    stmt = select(AuditLog).order_by(AuditLog.created_at.desc(), AuditLog.id.desc())
    if entity_type:
        stmt = stmt.where(AuditLog.entity_type == entity_type)
    if entity_id:
        stmt = stmt.where(AuditLog.entity_id == entity_id)
    if actor_id:
        stmt = stmt.where(AuditLog.actor_id == actor_id)
    return paginate(session, stmt, limit=limit, offset=offset)


def list_outbox(session: Session, actor: Actor, *, status: str | None = None, topic: str | None = None,
                limit: int = 50, offset: int = 0) -> tuple[list[dict], int]:
    """Outbox messages, newest first, filtered by status and topic."""
    require(actor, "outbox:read")
    stmt = select(OutboxMessage).order_by(OutboxMessage.id.desc())
    if status:
        stmt = stmt.where(OutboxMessage.status == status)
    if topic:
        stmt = stmt.where(OutboxMessage.topic == topic)
    rows, total = paginate(session, stmt, limit=limit, offset=offset)
    return [outbox_view(actor, m) for m in rows], total


HIDDEN_BODY = "[hidden: this message holds a one-time sign-in secret]"
OUTBOX_FIELDS = ("id", "topic", "payload", "status", "attempts", "next_attempt_at", "last_error",
                 "created_at", "sent_at")


def outbox_view(actor: Actor, msg: OutboxMessage) -> dict:
    """A message as the outbox viewer shows it: a reset link is readable only by who may manage users."""
    data = {k: getattr(msg, k) for k in OUTBOX_FIELDS}
    if msg.payload.get(SENSITIVE) and not ("*" in actor.permissions or actor.can("users:update")):
        data["payload"] = {k: (HIDDEN_BODY if k in ("text", "html") else v) for k, v in msg.payload.items()}
    return data


def get_outbox(session: Session, actor: Actor, message_id: int) -> dict:
    """One outbox message as the viewer shows it."""
    require(actor, "outbox:read")
    msg = session.get(OutboxMessage, message_id)
    if msg is None:
        raise NotFound(f"No outbox message {message_id}.")
    return outbox_view(actor, msg)


def resend_outbox(session: Session, actor: Actor, message_id: int) -> dict:
    """Queue a message for delivery again."""
    require(actor, "outbox:manage")
    msg = outbox.retry(session, message_id)
    if msg is None:
        raise NotFound(f"No outbox message {message_id}.")
    audit.record(session, actor, entity_type="outbox_message", entity_id=message_id, action="resend")
    return outbox_view(actor, msg)
