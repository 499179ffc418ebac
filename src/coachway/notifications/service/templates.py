"""Message templates: reading, editing (checked by a trial render), previewing, and choosing one to send."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from coachway.core import audit
from coachway.core.errors import Conflict, Forbidden, Invalid, NotFound
from coachway.core.permissions import Actor, require
from coachway.notifications import rendering
from coachway.notifications.models import CATEGORIES, NotificationTemplate
from coachway.notifications.templates_seed import REQUIRED, as_row, default_for

EDITABLE = {"name", "description", "category", "subject", "body_html", "body_text", "sample_context",
            "is_active"}
NULLABLE = {"description"}
# Who may look at templates: their editors, and whoever reads or sends notifications.
READERS = ("notification_templates:manage", "notifications:read", "notifications:send")


def _require_reader(actor: Actor) -> None:
    if "*" in actor.permissions or any(actor.can(p) for p in READERS):
        return
    raise Forbidden(f"Your role ({actor.role}) may not see message templates.")


def list_templates(session: Session, actor: Actor, *, channel: str | None = None, category: str | None = None,
                   key: str | None = None) -> list[NotificationTemplate]:
    """All message templates, by name, optionally of one channel, category or key."""
    _require_reader(actor)
    stmt = select(NotificationTemplate).order_by(NotificationTemplate.name, NotificationTemplate.channel,
                                                 NotificationTemplate.id)
    if channel:
        stmt = stmt.where(NotificationTemplate.channel == channel)
    if category:
        stmt = stmt.where(NotificationTemplate.category == category)
    if key:
        stmt = stmt.where(NotificationTemplate.key == key)
    return list(session.scalars(stmt))


def get_template(session: Session, actor: Actor, template_id: int) -> NotificationTemplate:
    """One message template."""
    _require_reader(actor)
    template = session.get(NotificationTemplate, template_id)
    if template is None:
        raise NotFound(f"No message template {template_id}.")
    return template


def is_required(template: NotificationTemplate) -> bool:
    """True for a template CoachWay cannot do without (it can be edited, not turned off)."""
    return (template.key, template.channel) in REQUIRED


def _check_values(template: NotificationTemplate, changes: dict[str, Any]) -> None:
    for key, value in changes.items():
        if value is None and key not in NULLABLE:
            raise Invalid.field(key, f"{key} cannot be empty.")
    if "category" in changes and changes["category"] not in CATEGORIES:
        raise Invalid.field("category", f"Choose one of: {', '.join(CATEGORIES)}.")
    if "name" in changes and not changes["name"].strip():
        raise Invalid.field("name", "Give the template a name.")
    if changes.get("is_active") is False and is_required(template):
        raise Invalid.field("is_active", "CoachWay needs this template (it sends password reset links): "
                                         "edit it, but keep it on.")
    if "sample_context" in changes and not isinstance(changes["sample_context"], dict):
        raise Invalid.field("sample_context", "Sample data must be an object of variable names and values.")


def _check_parts(channel: str, subject: str, body_html: str, body_text: str) -> None:
    if not body_text.strip():
        raise Invalid.field("body_text", "Every message needs a text version.")
    if channel == "email" and not subject.strip():
        raise Invalid.field("subject", "An email needs a subject.")
    if channel == "sms" and (subject.strip() or body_html.strip()):
        field = "subject" if subject.strip() else "body_html"
        raise Invalid.field(field, "A text message has only a text version: leave the subject and HTML "
                                   "empty.")


def check_renders(channel: str, *, subject: str, body_html: str, body_text: str,
                  sample_context: dict[str, Any]) -> rendering.Rendered:
    """Refuse (Invalid) a template that is incomplete, unsafe, or does not render with its sample data."""
    _check_parts(channel, subject, body_html, body_text)
    missing = rendering.missing_variables(subject=subject, body_html=body_html, body_text=body_text,
                                          context=sample_context)
    if missing:
        names = sorted({name for names in missing.values() for name in names})
        raise Invalid.field("sample_context", "The sample data lacks " + ", ".join(names)
                            + ": add an example value for each, so the preview can show the message.")
    return rendering.render(subject=subject, body_html=body_html, body_text=body_text, context=sample_context)


def update_template(session: Session, actor: Actor, template_id: int, **changes: Any) -> NotificationTemplate:
    """Change a template; it must still render with its sample data, or nothing changes."""
    require(actor, "notification_templates:manage")
    template = get_template(session, actor, template_id)
    unknown = set(changes) - EDITABLE
    if unknown:
        raise TypeError(f"unknown template fields: {sorted(unknown)}")
    _check_values(template, changes)
    merged = {k: changes.get(k, getattr(template, k)) for k in ("subject", "body_html", "body_text",
                                                                "sample_context")}
    check_renders(template.channel, **merged)
    old = audit.snapshot(template)
    for key, value in changes.items():
        setattr(template, key, value.strip() if key == "name" else value)
    template.updated_by = actor.user_id
    session.flush()
    new = audit.snapshot(template)
    if any(old[k] != new[k] for k in EDITABLE):
        audit.record(session, actor, entity_type="notification_template", entity_id=template.id,
                     action="update", old=old, new=new)
    return template


def preview_template(session: Session, actor: Actor, template_id: int, *,
                     context: dict[str, Any] | None = None, subject: str | None = None,
                     body_html: str | None = None, body_text: str | None = None) -> rendering.Rendered:
    """The message a template makes (with unsaved parts, if given) from context or its sample data."""
    template = get_template(session, actor, template_id)
    data = template.sample_context if context is None else context
    return rendering.render(subject=template.subject if subject is None else subject,
                            body_html=template.body_html if body_html is None else body_html,
                            body_text=template.body_text if body_text is None else body_text,
                            context=data or {})


def is_enabled(session: Session, key: str, channel: str = "email") -> bool:
    """True unless an admin turned this template off (for messages that are simply not sent then)."""
    active = session.scalar(select(NotificationTemplate.is_active).where(
        NotificationTemplate.key == key, NotificationTemplate.channel == channel))
    return active is not False


def template_for_sending(session: Session, key: str, channel: str) -> NotificationTemplate:
    """The template to send as key on channel: the database's, else the shipped default (unsaved)."""
    template = session.scalar(select(NotificationTemplate).where(NotificationTemplate.key == key,
                                                                 NotificationTemplate.channel == channel))
    if template is None:
        default = default_for(key, channel)
        if default is None:
            raise NotFound(f"There is no {channel} template {key!r}.",
                           errors=[{"field": "template_key", "message": f"No {channel} template {key!r}."}])
        return as_row(default)
    if not template.is_active:
        raise Conflict(f"The {channel} template {template.name!r} is turned off: turn it on in the message "
                       "templates to send it.")
    return template
