"""Writing and reading the generic audit log."""

from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from coachway.core.models import AuditLog

SECRET_FIELDS = {"password_hash", "mfa_secret", "password_reset_token", "session_token",
                 "refresh_token_hash"}


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def snapshot(obj: Any) -> dict[str, Any]:
    """The column values of a model row as JSON-safe data, secrets masked."""
    mapper = inspect(obj).mapper
    out = {}
    for col in mapper.column_attrs:
        key = col.key
        value = getattr(obj, key)
        out[key] = "***" if key in SECRET_FIELDS and value is not None else _plain(value)
    return out


def record(session: Session, actor, *, entity_type: str, entity_id: Any, action: str,
           old: dict[str, Any] | None = None, new: dict[str, Any] | None = None) -> AuditLog:
    """Write one audit row in the caller's transaction; for updates only changed fields are kept."""
    if old is not None and new is not None:
        changed = {k for k in set(old) | set(new) if old.get(k) != new.get(k)}
        changed.discard("updated_at")
        old = {k: old.get(k) for k in sorted(changed)}
        new = {k: new.get(k) for k in sorted(changed)}
    row = AuditLog(entity_type=entity_type, entity_id=str(entity_id), action=action,
                   actor_id=getattr(actor, "user_id", None), old_values=old, new_values=new,
                   ip_address=getattr(actor, "ip", None))
    session.add(row)
    return row
