"""The transactional outbox: messages written with the change, delivered by `coachway worker`."""

import logging
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from coachway.config import get_settings
from coachway.core import clock
from coachway.core.db import is_postgres, new_session
from coachway.core.models import OutboxMessage

log = logging.getLogger(__name__)

Handler = Callable[[Session, dict[str, Any]], None]
_handlers: dict[str, Handler] = {}


class PermanentFailure(Exception):
    """Delivery can never succeed (bad address...): fail now instead of retrying."""


def handles(topic: str) -> Callable[[Handler], Handler]:
    """Register the function that delivers messages of a topic."""

    def register(fn: Handler) -> Handler:
        _handlers[topic] = fn
        return fn

    return register


def enqueue(session: Session, topic: str, payload: dict[str, Any]) -> OutboxMessage:
    """Queue a message in the caller's transaction: it exists only if the change commits."""
    msg = OutboxMessage(topic=topic, payload=payload, status="pending", attempts=0,
                        next_attempt_at=clock.now())
    session.add(msg)
    session.flush()
    return msg


def backoff(attempts: int) -> timedelta:
    """Wait before the next try: base * 2^(attempts-1), capped at six hours."""
    base = get_settings().outbox_backoff_seconds
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 6 * 3600))


def _claim_one(session: Session) -> OutboxMessage | None:
    stmt = (select(OutboxMessage)
            .where(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= clock.now())
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(1))
    if is_postgres(session):
        # Several workers can run: each takes a different row, and a row stays locked while delivered.
        stmt = stmt.with_for_update(skip_locked=True)
    return session.scalars(stmt).first()


def deliver_one() -> bool:
    """Deliver the next due message in its own transaction; False when none is due."""
    _load_handlers()
    session = new_session()
    try:
        msg = _claim_one(session)
        if msg is None:
            session.rollback()
            return False
        handler = _handlers.get(msg.topic)
        msg.attempts += 1
        try:
            if handler is None:
                raise PermanentFailure(f"no handler for topic {msg.topic!r}")
            with session.begin_nested():
                handler(session, msg.payload)
        except Exception as exc:  # noqa: BLE001 - any failure is recorded on the message
            msg.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if isinstance(exc, PermanentFailure) or msg.attempts >= get_settings().outbox_max_attempts:
                msg.status = "failed"
            else:
                msg.next_attempt_at = clock.now() + backoff(msg.attempts)
            log.warning("outbox message %s (%s) failed: %s", msg.id, msg.topic, msg.last_error)
        else:
            msg.status = "sent"
            msg.sent_at = clock.now()
            msg.last_error = None
        session.commit()
        return True
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def deliver_due(limit: int = 1000) -> int:
    """Deliver due messages until none is left (or limit); returns how many were tried."""
    count = 0
    while count < limit and deliver_one():
        count += 1
    return count


def run_worker(poll_seconds: float = 1.0, stop: Callable[[], bool] = lambda: False) -> None:
    """Deliver forever (until stop() says so), sleeping when nothing is due."""
    log.info("outbox worker started")
    while not stop():
        if not deliver_one():
            time.sleep(poll_seconds)


def retry(session: Session, message_id: int) -> OutboxMessage | None:
    """Send a failed or sent message again."""
    msg = session.get(OutboxMessage, message_id)
    if msg is None:
        return None
    msg.status = "pending"
    msg.next_attempt_at = clock.now()
    msg.last_error = None
    session.flush()
    return msg


def _load_handlers() -> None:
    from coachway.integrations import email  # noqa: F401 - registers email.send
