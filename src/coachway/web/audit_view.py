"""Audit entries as people read them: what changed from what to what, and who did it."""

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

from coachway.core.permissions import Actor


def shown(value: Any) -> str:
    """A stored value as text a person reads."""
    if value is None or value == "":
        return "(empty)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "(none)"
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True, default=str)
    return str(value)


def changes(old: dict | None, new: dict | None) -> list[dict]:
    """One row per changed field: old and new value, or for lists what was added and removed."""
    old, new = old or {}, new or {}
    rows = []
    for key in sorted(set(old) | set(new)):
        if key == "updated_at":
            continue
        before, after = old.get(key), new.get(key)
        if key not in old and after in (None, ""):
            continue  # a new record's empty fields say nothing
        row = {"field": key.replace("_", " "), "old": shown(before) if key in old else None,
               "new": shown(after) if key in new else None, "added": [], "removed": []}
        if isinstance(before, list) and isinstance(after, list):
            row["added"] = sorted(set(map(str, after)) - set(map(str, before)))
            row["removed"] = sorted(set(map(str, before)) - set(map(str, after)))
        rows.append(row)
    return rows


def describe(session: Session, actor: Actor, entries: Iterable, *,
             creation_details: bool = True) -> list[dict]:
    """Rows for an audit table: the entry, its changes, and who made it (names for users:read holders)."""
    from coachway.auth.service import user_names  # auth builds on web, not the reverse

    entries = list(entries)
    ids = {e.actor_id for e in entries if e.actor_id}
    names = user_names(session, ids) if actor.can("users:read") else {}
    rows = []
    for e in entries:
        name = names.get(e.actor_id) if e.actor_id else None
        rows.append({
            "entry": e,
            "changes": [] if (e.action == "create" and not creation_details)
            else changes(e.old_values, e.new_values),
            "actor_name": name,
            "by": name or (f"User {e.actor_id}" if e.actor_id else "system"),
        })
    return rows
