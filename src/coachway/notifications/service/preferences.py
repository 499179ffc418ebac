"""Clients' email preferences (spec `client_email_preferences`) and the check every send makes against them.

The two switches on the client itself (`email_notifications_enabled`, `sms_notifications_enabled`) belong
to the clients domain; they are read and changed through its service.
"""

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from coachway.clients import service as clients_service
from coachway.core import audit
from coachway.core.errors import Invalid
from coachway.core.permissions import Actor, require
from coachway.notifications.models import ClientEmailPreferences

# Which preference lets a category of automated email through (transactional ones always go).
CATEGORY_FLAGS = {"quotes": "automated_quotes_enabled", "reminders": "automated_reminders_enabled",
                  "followups": "automated_followups_enabled", "marketing": "marketing_enabled"}
CATEGORY_WORDS = {"quotes": "quote", "reminders": "reminder", "followups": "follow-up",
                  "marketing": "marketing"}
PREFERENCE_FIELDS = tuple(CATEGORY_FLAGS.values())
CLIENT_FLAGS = ("email_notifications_enabled", "sms_notifications_enabled")


@dataclass(frozen=True)
class Preferences:
    """A client's preferences as one record (all on when the client never changed them)."""

    client_id: int
    client_name: str
    automated_quotes_enabled: bool
    automated_reminders_enabled: bool
    automated_followups_enabled: bool
    marketing_enabled: bool
    email_notifications_enabled: bool
    sms_notifications_enabled: bool
    updated_at: datetime | None


def _row(session: Session, client_id: int) -> ClientEmailPreferences | None:
    return session.scalar(select(ClientEmailPreferences).where(ClientEmailPreferences.client_id == client_id))


def _view(client, row: ClientEmailPreferences | None) -> Preferences:
    flags = {name: (getattr(row, name) if row is not None else True) for name in PREFERENCE_FIELDS}
    return Preferences(client_id=client.id, client_name=client.name, **flags,
                       email_notifications_enabled=client.email_notifications_enabled,
                       sms_notifications_enabled=client.sms_notifications_enabled,
                       updated_at=row.updated_at if row is not None else None)


def get_preferences(session: Session, actor: Actor, client_id: int) -> Preferences:
    """A client's email preferences (a client user sees only its own)."""
    require(actor, "email_preferences:read")
    client = clients_service.get_client(session, actor, client_id)
    return _view(client, _row(session, client.id))


def _create_row(session: Session, client_id: int) -> ClientEmailPreferences:
    row = ClientEmailPreferences(client_id=client_id, **dict.fromkeys(PREFERENCE_FIELDS, True))
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        # Another request saved this client's first preferences a moment ago: change that row instead.
        existing = _row(session, client_id)
        if existing is None:
            raise
        return existing
    return row


def _change_client_flags(session: Session, actor: Actor, client_id: int, flags: dict[str, bool]) -> None:
    # The two switches live on the client, which only the clients domain changes. Whoever may change a
    # client's email preferences (its own portal user included) may flip them, so the clients service is
    # asked to change exactly these two fields as this actor, with clients:update granted for the call;
    # it checks that the actor sees the client and writes the client's audit entry.
    acting = replace(actor, permissions=actor.permissions | {"clients:update"})
    clients_service.update_client(session, acting, client_id, **flags)


def update_preferences(session: Session, actor: Actor, client_id: int, **changes: Any) -> Preferences:
    """Change which emails a client receives; only the fields given change."""
    require(actor, "email_preferences:update")
    client = clients_service.get_client(session, actor, client_id)
    unknown = set(changes) - set(PREFERENCE_FIELDS) - set(CLIENT_FLAGS)
    if unknown:
        raise TypeError(f"unknown preference fields: {sorted(unknown)}")
    for key, value in changes.items():
        if not isinstance(value, bool):
            raise Invalid.field(key, "Say true or false.")
    wanted = {k: v for k, v in changes.items() if k in PREFERENCE_FIELDS}
    row = _row(session, client.id)
    if wanted and (row is None or any(getattr(row, k) != v for k, v in wanted.items())):
        row = row or _create_row(session, client.id)
        old = audit.snapshot(row)
        for key, value in wanted.items():
            setattr(row, key, value)
        session.flush()
        audit.record(session, actor, entity_type="client_email_preferences", entity_id=client.id,
                     action="update", old=old, new=audit.snapshot(row))
    flags = {k: v for k, v in changes.items() if k in CLIENT_FLAGS and getattr(client, k) != v}
    if flags:
        _change_client_flags(session, actor, client.id, flags)
    return _view(client, row)


def suppression_reason(session: Session, client, *, category: str, channel: str) -> str | None:
    """Why this client must not get this message, or None when it may (transactional always may)."""
    if category == "transactional" or client is None:
        return None
    if channel == "sms":
        if not client.sms_notifications_enabled:
            return f"{client.name} has not agreed to receive text messages."
        return None
    if not client.email_notifications_enabled:
        return f"{client.name} has turned off email notifications."
    flag = CATEGORY_FLAGS.get(category)
    row = _row(session, client.id)
    if flag and row is not None and not getattr(row, flag):
        return f"{client.name} has turned off automated {CATEGORY_WORDS[category]} emails."
    return None
