"""Sending a message from a template: who gets it, whether they want it, and queueing it in the outbox.

`send` is what other domains call (a quote is sent, a payment received, a reminder falls due): they have
already decided the user may do what causes the message. `send_notification` is staff sending one by hand.
"""

import re
from typing import Any

from sqlalchemy.orm import Session

from coachway.auth import service as auth_service
from coachway.clients import service as clients_service
from coachway.core import audit, outbox
from coachway.core.errors import Invalid, NotFound
from coachway.core.permissions import SYSTEM, Actor, require
from coachway.integrations.sms import to_e164
from coachway.notifications import rendering, tracking
from coachway.notifications.models import CHANNELS, Notification
from coachway.notifications.service.preferences import suppression_reason
from coachway.notifications.service.templates import template_for_sending

HIDDEN_BODY = "[hidden: this message holds a one-time secret link]"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Sent only by the flows that own them (the password reset form), never by hand.
NOT_BY_HAND = frozenset({"password_reset"})


def _client(session: Session, client_id: int | None):
    if client_id is None:
        return None
    try:
        return clients_service.get_client(session, SYSTEM, client_id)
    except NotFound:
        raise Invalid.field("client_id", f"There is no client {client_id}.") from None


def _check_charter(session: Session, charter_id: int | None) -> None:
    # Imported here: the charters domain sends notifications, so it imports this module.
    from coachway.charters.models import Charter

    if charter_id is not None and session.get(Charter, charter_id) is None:
        raise Invalid.field("charter_id", f"There is no charter {charter_id}.")


def _user(session: Session, user_id: int | None):
    if user_id is None:
        return None
    try:
        return auth_service.get_user(session, SYSTEM, user_id)
    except NotFound:
        raise Invalid.field("user_id", f"There is no user {user_id}.") from None


def _explicit_address(channel: str, to: str) -> str:
    to = to.strip()
    if channel == "sms":
        number = to_e164(to)
        if number is None:
            raise Invalid.field("to", f"{to!r} is not a phone number a text can go to.")
        return number
    if not _EMAIL.match(to):
        raise Invalid.field("to", f"{to!r} is not an email address.")
    return to.lower()


def _primary_contact_value(client, attribute: str) -> str | None:
    contacts = sorted(client.contacts, key=lambda c: (not c.is_primary, c.id))
    return next((getattr(c, attribute) for c in contacts if getattr(c, attribute)), None)


def _address_on_file(channel: str, client, user) -> tuple[str, str | None]:
    """(address, reason it cannot be used): the client's (or its primary contact's), else the user's."""
    attribute = "phone" if channel == "sms" else "email"
    holder = client if client is not None else user
    value = getattr(holder, attribute) or (_primary_contact_value(client, attribute) if client else None)
    who = client.name if client is not None else (user.full_name or user.email)
    if not value:
        return "", f"{who} has no {'phone number' if channel == 'sms' else 'email address'} on file."
    if channel == "sms":
        number = to_e164(value)
        return (number, None) if number else (value, f"{who}'s phone number {value} cannot receive texts.")
    return value, None


def _recipient(channel: str, to: str | None, client, user) -> tuple[str, str | None]:
    if to:
        return _explicit_address(channel, to), None
    if client is None and user is None:
        raise Invalid.field("to", "Say who gets the message: an address, a client or a user.")
    if client is None and not user.is_active:
        return user.email if channel == "email" else (user.phone or ""), "The user account is deactivated."
    return _address_on_file(channel, client, user)


def _queue_email(session: Session, note: Notification, rendered: rendering.Rendered, *,
                 transactional: bool, sensitive: bool) -> None:
    row, html = tracking.start_tracking(
        session, email_type=note.template_key or "email", recipient=note.recipient, subject=rendered.subject,
        body_html=rendered.html, client_id=note.client_id, charter_id=note.charter_id, lead_id=note.lead_id,
        track_links=not sensitive)
    payload: dict[str, Any] = {"to": note.recipient, "subject": rendered.subject, "text": rendered.text,
                               "html": html or None, "email_tracking_id": row.id,
                               "template": note.template_key, "transactional": transactional}
    if sensitive:
        payload[auth_service.SENSITIVE] = True
    note.email_tracking_id = row.id
    note.outbox_message_id = outbox.enqueue(session, "email.send", payload).id


def _queue_sms(session: Session, note: Notification, rendered: rendering.Rendered) -> None:
    payload = {"to": note.recipient, "text": rendered.text, "template": note.template_key}
    note.outbox_message_id = outbox.enqueue(session, "sms.send", payload).id


def send(session: Session, actor: Actor, *, template_key: str, channel: str = "email", to: str | None = None,
         client_id: int | None = None, user_id: int | None = None, charter_id: int | None = None,
         lead_id: int | None = None, context: dict[str, Any] | None = None,
         sensitive: bool = False) -> Notification:
    """Send a message from a template, unless the recipient's preferences say no (then it is recorded as
    suppressed, with the reason, and nothing is queued).

    The recipient is `to`, else the client's email or phone (or its primary contact's), else the user's.
    `sensitive` marks a message holding a secret (a reset link): its body is not kept in the notification,
    its links are not tracked, and the outbox viewer hides it.
    """
    if channel not in CHANNELS:
        raise Invalid.field("channel", f"Choose one of: {', '.join(CHANNELS)}.")
    template = template_for_sending(session, template_key, channel)
    client, user = _client(session, client_id), _user(session, user_id)
    _check_charter(session, charter_id)
    rendered = rendering.render(subject=template.subject, body_html=template.body_html,
                                body_text=template.body_text, context=context or {})
    recipient, reason = _recipient(channel, to, client, user)
    if client is None and user is not None and user.client_id:
        client = _client(session, user.client_id)  # a portal user's messages follow its client's wishes
    reason = reason or suppression_reason(session, client, category=template.category, channel=channel)
    note = Notification(channel=channel, template_key=template_key, category=template.category,
                        recipient=recipient[:255], subject=rendered.subject if channel == "email" else None,
                        body_text=HIDDEN_BODY if sensitive else rendered.text,
                        client_id=client.id if client else None, user_id=user_id, charter_id=charter_id,
                        lead_id=lead_id, status="suppressed" if reason else "queued",
                        suppressed_reason=reason[:255] if reason else None, created_by=actor.user_id)
    session.add(note)
    session.flush()
    if not reason:
        transactional = template.category == "transactional"
        if channel == "email":
            _queue_email(session, note, rendered, transactional=transactional, sensitive=sensitive)
        else:
            _queue_sms(session, note, rendered)
        session.flush()
    audit.record(session, actor, entity_type="notification", entity_id=note.id,
                 action="suppress" if reason else "send",
                 new={k: getattr(note, k) for k in ("channel", "template_key", "category", "recipient",
                                                    "status", "suppressed_reason", "client_id", "user_id",
                                                    "charter_id", "lead_id", "outbox_message_id")})
    return note


def send_notification(session: Session, actor: Actor, *, template_key: str, channel: str = "email",
                      to: str | None = None, client_id: int | None = None, user_id: int | None = None,
                      charter_id: int | None = None, lead_id: int | None = None,
                      context: dict[str, Any] | None = None) -> Notification:
    """Staff send a message from a template by hand (to an address, a client they may see, or a user)."""
    require(actor, "notifications:send")
    if template_key in NOT_BY_HAND:
        raise Invalid.field("template_key", "This message is sent only by its own form (the password reset "
                                            "page), never by hand.")
    if client_id is not None:
        clients_service.get_client(session, actor, client_id)  # 404 for a client the sender may not see
    return send(session, actor, template_key=template_key, channel=channel, to=to, client_id=client_id,
                user_id=user_id, charter_id=charter_id, lead_id=lead_id, context=context)
