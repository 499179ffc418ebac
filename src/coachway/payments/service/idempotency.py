"""Idempotency-Key: a retried request (same user, same key, same body) gets the first answer again and
changes nothing; the same key with a different body is a 409.

The key row is inserted in the same transaction as the work it guards. A concurrent retry blocks on the
unique index until the first request commits (then replays its answer) or rolls back (then does the work).
"""

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from coachway.core.errors import Conflict, Invalid
from coachway.core.permissions import Actor
from coachway.payments.models import IdempotencyKey

MAX_KEY = 255


@dataclass
class Claim:
    """Either a fresh claim on the key (row set, replay None) or the stored answer to replay."""

    row: IdempotencyKey | None
    replay: tuple[int, dict[str, Any]] | None = None


def _digest(body: Any) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


def claim(session: Session, actor: Actor, scope: str, key: str, body: Any) -> Claim:
    """Claim the key for this request, or return the answer already given to it."""
    key = key.strip()
    if not key or len(key) > MAX_KEY or not key.isprintable():
        raise Invalid.field("Idempotency-Key", f"Use 1 to {MAX_KEY} printable characters.")
    if actor.user_id is None:
        raise Invalid.field("Idempotency-Key", "Only signed-in users can use idempotency keys.")
    digest = _digest(body)
    try:
        with session.begin_nested():
            row = IdempotencyKey(user_id=actor.user_id, scope=scope, key=key, request_hash=digest)
            session.add(row)
        return Claim(row)
    except IntegrityError:
        pass
    row = session.scalars(
        select(IdempotencyKey).where(
            IdempotencyKey.user_id == actor.user_id, IdempotencyKey.scope == scope, IdempotencyKey.key == key
        )
    ).one()
    if row.request_hash != digest:
        raise Conflict(
            "This Idempotency-Key was already used with a different request; use a new key.",
            errors=[{"field": "Idempotency-Key", "message": "Used with a different request."}],
        )
    if row.response is None:
        raise Conflict("A request with this Idempotency-Key is still being processed; retry shortly.")
    return Claim(None, (row.status_code or 200, row.response))


def finish(session: Session, claimed: Claim, status_code: int, response: dict[str, Any]) -> None:
    """Store the answer given to the claimed key (committed with the work)."""
    if claimed.row is not None:
        claimed.row.status_code = status_code
        claimed.row.response = response
        session.flush()
