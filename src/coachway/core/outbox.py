"""The transactional outbox: messages written with the change, delivered by `coachway worker`.

Guarantees:
- A message exists only if the transaction that enqueued it commits (`enqueue` only adds and flushes).
- Each delivery attempt is one transaction of its own: the message row is claimed, the topic's handler
  runs, and the outcome (sent, retry later, failed) is committed together.
- On PostgreSQL the row is taken with `FOR UPDATE SKIP LOCKED` and stays locked while its handler runs,
  so any number of workers can run side by side and never deliver one message twice at the same time.
  SQLite has no row locks: there a guarded write claims the row and holds the database's write lock for
  the attempt, which is safe but serial, so run one worker per SQLite database.
- Delivery is at least once. A worker that dies mid-attempt (killed, machine lost) rolls back: the message
  stays pending, untouched, and the next worker delivers it. The price is that a handler that had already
  sent (an SMTP server took the mail, then the process died before the commit) sends again. Handlers get
  the message's stable `outbox_id` in their payload so that receivers can drop duplicates (email carries
  it as its Message-ID).
"""

import logging
import signal
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from coachway.config import get_settings
from coachway.core import clock
from coachway.core.db import is_postgres, new_session
from coachway.core.models import OutboxMessage

log = logging.getLogger(__name__)

# A handler delivers one message. It runs inside the attempt's transaction (in a savepoint): it may read
# and write through the session but must not commit. Raising PermanentFailure fails the message at once;
# any other exception is retried with backoff. The payload it gets is the enqueued one plus "outbox_id".
Handler = Callable[[Session, dict[str, Any]], None]
_handlers: dict[str, Handler] = {}
# Called in the attempt's transaction when a message of the topic fails for good: (session, payload, error).
FailureHook = Callable[[Session, dict[str, Any], str], None]
_failure_hooks: dict[str, FailureHook] = {}

# Modules whose import registers their topic handlers with @handles.
HANDLER_MODULES = ["coachway.notifications.delivery"]

PENDING, SENT, FAILED = "pending", "sent", "failed"
MAX_BACKOFF = timedelta(hours=6)


class PermanentFailure(Exception):
    """Delivery can never succeed (bad address...): fail now instead of retrying."""


def handles(topic: str, *, on_failed: FailureHook | None = None) -> Callable[[Handler], Handler]:
    """Register the function that delivers messages of a topic, and what to do when one fails for good."""

    def register(fn: Handler) -> Handler:
        _handlers[topic] = fn
        if on_failed is not None:
            _failure_hooks[topic] = on_failed
        return fn

    return register


def enqueue(session: Session, topic: str, payload: dict[str, Any]) -> OutboxMessage:
    """Queue a message in the caller's transaction: it exists only if the change commits."""
    msg = OutboxMessage(topic=topic, payload=payload, status=PENDING, attempts=0,
                        next_attempt_at=clock.now())
    session.add(msg)
    session.flush()
    return msg


def backoff(attempts: int) -> timedelta:
    """Wait before the next try after `attempts` failures: base * 2^(attempts-1), capped at six hours."""
    base = get_settings().outbox_backoff_seconds
    return min(timedelta(seconds=base * 2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def _due():
    return (OutboxMessage.status == PENDING, OutboxMessage.next_attempt_at <= clock.now())


def _claim_one(session: Session) -> OutboxMessage | None:
    """Take the next due message for this transaction, counting the attempt; None when none is due."""
    stmt = select(OutboxMessage).where(*_due()).order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
    if is_postgres(session):
        # Each worker takes a different row, and the row stays locked until this attempt commits.
        stmt = stmt.with_for_update(skip_locked=True)
    msg = session.scalars(stmt.limit(1)).first()
    if msg is None:
        return None
    # On SQLite the select took no lock, so another worker may have claimed the row since: the guarded
    # write wins only while the row is still due (and takes the write lock until this attempt commits).
    # On PostgreSQL the row lock already makes this always succeed.
    claimed = session.execute(
        update(OutboxMessage).where(OutboxMessage.id == msg.id, *_due())
        .values(attempts=OutboxMessage.attempts + 1)
        .execution_options(synchronize_session="evaluate"))
    if claimed.rowcount != 1:
        return None
    return msg


def deliver_one() -> bool:
    """Deliver the next due message in its own transaction; False when none is due."""
    load_handlers()
    session = new_session()
    try:
        msg = _claim_one(session)
        if msg is None:
            session.rollback()
            return False
        _attempt(session, msg)
        session.commit()
        return True
    except BaseException:
        # Includes a second Ctrl-C mid-handler: the attempt is undone and the message stays pending.
        session.rollback()
        raise
    finally:
        session.close()


def _attempt(session: Session, msg: OutboxMessage) -> None:
    handler = _handlers.get(msg.topic)
    try:
        if handler is None:
            raise PermanentFailure(f"no handler for topic {msg.topic!r}")
        with session.begin_nested():
            handler(session, {**msg.payload, "outbox_id": msg.id})
    except Exception as exc:  # noqa: BLE001 - any failure is recorded on the message
        msg.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        if isinstance(exc, PermanentFailure) or msg.attempts >= get_settings().outbox_max_attempts:
            msg.status = FAILED
            log.error("outbox message %s (%s) failed after %s attempt(s): %s", msg.id, msg.topic,
                      msg.attempts, msg.last_error)
            _after_failure(session, msg)
        else:
            msg.next_attempt_at = clock.now() + backoff(msg.attempts)
            log.warning("outbox message %s (%s) attempt %s failed, next try at %s: %s", msg.id, msg.topic,
                        msg.attempts, msg.next_attempt_at.isoformat(), msg.last_error)
    else:
        msg.status = SENT
        msg.sent_at = clock.now()
        msg.last_error = None


def _after_failure(session: Session, msg: OutboxMessage) -> None:
    hook = _failure_hooks.get(msg.topic)
    if hook is None:
        return
    try:
        with session.begin_nested():
            hook(session, {**msg.payload, "outbox_id": msg.id}, msg.last_error or "")
    except Exception:  # noqa: BLE001 - the failure itself is recorded on the message regardless
        log.exception("failure hook of outbox message %s (%s) raised", msg.id, msg.topic)


def deliver_due(limit: int = 1000) -> int:
    """Deliver due messages until none is left (or limit); returns how many were tried."""
    count = 0
    while count < limit and deliver_one():
        count += 1
    return count


def run_worker(poll_seconds: float = 1.0, stop: threading.Event | None = None,
               handle_signals: bool = True) -> None:
    """Deliver until stopped, sleeping when nothing is due; SIGTERM or Ctrl-C finish the current message."""
    stop = stop or threading.Event()
    if handle_signals and threading.current_thread() is threading.main_thread():
        _stop_on_signals(stop)
    log.info("outbox worker started")
    while not stop.is_set():
        try:
            delivered = deliver_one()
        except Exception:  # noqa: BLE001 - a lost database connection must not end the worker
            log.exception("outbox worker could not reach the database; trying again")
            _pause(stop, max(poll_seconds, 5.0))
            continue
        if not delivered:
            _pause(stop, poll_seconds)
    log.info("outbox worker stopped")


def _pause(stop: threading.Event, seconds: float) -> None:
    # Slices of sleep rather than stop.wait(): the signal handler sets stop, and setting an Event from a
    # handler that interrupted this thread inside Event.wait() could deadlock on the Event's lock.
    deadline = time.monotonic() + seconds
    while not stop.is_set() and (left := deadline - time.monotonic()) > 0:
        time.sleep(min(left, 0.1))


def _stop_on_signals(stop: threading.Event) -> None:
    def request_stop(signum: int, _frame: object) -> None:
        if stop.is_set():
            raise KeyboardInterrupt  # asked twice: give up the current message (it stays pending)
        log.info("%s received: finishing the current message, then stopping", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)


def retry(session: Session, message_id: int) -> OutboxMessage | None:
    """Send a failed (or already sent) message again, with a fresh round of attempts."""
    msg = session.get(OutboxMessage, message_id)
    if msg is None:
        return None
    msg.status = PENDING
    msg.attempts = 0
    msg.next_attempt_at = clock.now()
    msg.sent_at = None
    session.flush()
    return msg


def load_handlers() -> None:
    """Import the modules that register topic handlers."""
    import importlib

    for module in HANDLER_MODULES:
        importlib.import_module(module)
