"""Notification pages: sent notifications, message templates with a live preview, and a client's email
preferences.

Every rule lives in notifications/service/; these handlers parse the form, call the service and pick a page.
"""

import base64
import binascii
import hmac
import json
import zlib
from typing import Annotated, Any, get_args

from fastapi import APIRouter, Path, Query, Request
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from coachway.clients import service as clients_service
from coachway.core import security
from coachway.core.deps import undo_refused
from coachway.core.errors import Conflict, Forbidden, Invalid, NotFound
from coachway.core.fields import MAX_ID
from coachway.core.permissions import Actor
from coachway.notifications import rendering, service
from coachway.notifications.models import CATEGORIES
from coachway.notifications.schemas import PreferencesUpdate, StatusFilter, TemplateUpdate
from coachway.web import nav
from coachway.web.deps import FormDep, PageActor, PageSession
from coachway.web.forms import FormErrors, validate
from coachway.web.sandboxed import sandboxed_html
from coachway.web.templating import is_htmx, pager, redirect, render

router = APIRouter(include_in_schema=False)
nav.register("Notifications", "/admin/notifications", permission="notifications:read", order=55,
             description="Emails and texts sent to clients, vendors and staff: delivery, opens, clicks, "
                         "and the message templates.")

PAGE_SIZE = 25
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
STATUS_OPTIONS = [("queued", "Queued"), ("suppressed", "Suppressed"), ("pending", "Waiting to be delivered"),
                  ("sent", "Delivered"), ("failed", "Failed"), ("opened", "Opened"), ("clicked", "Clicked")]
CHANNEL_OPTIONS = [("email", "Email"), ("sms", "Text message")]
CATEGORY_LABELS = {"transactional": "Transactional (always sent)", "quotes": "Quotes",
                   "reminders": "Reminders", "followups": "Follow-ups", "marketing": "Marketing"}
TEMPLATE_LABELS = {"body_html": "HTML version", "body_text": "Text version", "sample_context": "Sample data",
                   "is_active": "In use"}
# A live HTML preview travels in its frame's address; past this size the saved template is shown instead.
MAX_FRAME_URL = 12_000


def _client_name(session: Session, actor: Actor, client_id: int | None) -> str | None:
    """The client's name for a heading or link, when the reader may see the client."""
    if client_id is None:
        return None
    try:
        return clients_service.get_client(session, actor, client_id).name
    except (NotFound, Forbidden):
        return None


# ---------------------------------------------------------------- sent notifications

@router.get("/admin/notifications")
def notifications_list(request: Request, actor: PageActor, session: PageSession,
                       status: Annotated[str, Query(max_length=20)] = "",
                       channel: Annotated[str, Query(max_length=10)] = "",
                       template_key: Annotated[str, Query(max_length=80)] = "",
                       client_id: Annotated[str, Query(max_length=12)] = "",
                       offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0):
    """Notifications, newest first, filtered by status, channel and template."""
    chosen_status = status if status in get_args(StatusFilter) else ""
    chosen_channel = channel if channel in dict(CHANNEL_OPTIONS) else ""
    client = int(client_id) if client_id.isdigit() and 0 < int(client_id) <= MAX_ID else None
    items, total = service.list_notifications(session, actor, status=chosen_status or None,
                                              channel=chosen_channel or None,
                                              template_key=template_key.strip() or None, client_id=client,
                                              limit=PAGE_SIZE, offset=offset)
    keys = sorted({t.key for t in service.list_templates(session, actor)})
    context = {"title": "Notifications", "items": items, "status": chosen_status, "channel": chosen_channel,
               "template_key": template_key.strip(), "client_id": client,
               "client_name": _client_name(session, actor, client), "statuses": STATUS_OPTIONS,
               "channels": CHANNEL_OPTIONS, "template_keys": [(k, k) for k in keys],
               "filtered": bool(chosen_status or chosen_channel or template_key.strip() or client),
               "can_outbox": actor.can("outbox:read"),
               "pager": pager(request, total=total, limit=PAGE_SIZE, offset=offset)}
    if is_htmx(request, "notification-results"):
        return render(request, "notifications/list.html", context, block="results")
    return render(request, "notifications/list.html", context)


# ---------------------------------------------------------------- templates

@router.get("/admin/notifications/templates")
def templates_list(request: Request, actor: PageActor, session: PageSession,
                   channel: Annotated[str, Query(max_length=10)] = ""):
    """The message templates, by name."""
    chosen = channel if channel in dict(CHANNEL_OPTIONS) else ""
    templates = service.list_templates(session, actor, channel=chosen or None)
    return render(request, "notifications/templates_list.html",
                  {"title": "Message templates", "templates": templates, "channel": chosen,
                   "channels": CHANNEL_OPTIONS, "category_labels": CATEGORY_LABELS,
                   "can_manage": actor.can("notification_templates:manage"),
                   "can_outbox": actor.can("outbox:read")})


def _template_values(template) -> dict[str, Any]:
    return {"name": template.name, "category": template.category, "subject": template.subject,
            "body_html": template.body_html, "body_text": template.body_text, "is_active": template.is_active,
            "sample_context": json.dumps(template.sample_context, indent=2, ensure_ascii=False)}


def _edit_page(request: Request, session: Session, actor: Actor, template, *, data: dict | None = None,
               errors: FormErrors | None = None, status_code: int = 200):
    shown = data or _template_values(template)
    return render(request, "notifications/template_edit.html",
                  {"title": template.name, "template": template, "values": shown, "form_errors": errors,
                   "categories": [(c, CATEGORY_LABELS[c]) for c in CATEGORIES],
                   "is_required": service.is_required(template),
                   "can_manage": actor.can("notification_templates:manage"),
                   "preview": _preview(actor, template, shown)}, status_code=status_code)


@router.get("/admin/notifications/templates/{template_id}")
def template_edit(request: Request, template_id: Id, actor: PageActor, session: PageSession):
    """A template's form, with a preview on its sample data that follows each edit."""
    return _edit_page(request, session, actor, service.get_template(session, actor, template_id))


def _template_form(form: FormData) -> dict[str, Any]:
    """The template form as sent: text exactly as typed (line breaks are part of a template)."""
    data: dict[str, Any] = {name: str(form.get(name) or "").replace("\r\n", "\n")
                            for name in ("name", "category", "subject", "body_html", "body_text",
                                         "sample_context")}
    data["is_active"] = form.get("is_active") == "on"
    return data


def _template_errors(exc: Invalid | Conflict) -> FormErrors:
    """The form's errors; a problem deep inside the sample data ("sample_context.x") shows at its box."""
    errors = FormErrors.of(exc, TEMPLATE_LABELS)
    errors.fields = {name.split(".")[0]: message for name, message in reversed(errors.fields.items())}
    return errors


def _sample_context(text: str) -> dict[str, Any]:
    """The sample data typed as JSON, or Invalid saying what is wrong with it."""
    try:
        value = json.loads(text or "{}")
    except json.JSONDecodeError as exc:
        raise Invalid.field("sample_context", f"This is not valid JSON: {exc.msg} at line {exc.lineno}, "
                                              f"column {exc.colno}.") from None
    if not isinstance(value, dict):
        raise Invalid.field("sample_context", "Write the sample data as a JSON object: "
                                              '{"client_name": "Dana", ...}.')
    return value


@router.post("/admin/notifications/templates/{template_id}")
def template_save(request: Request, template_id: Id, actor: PageActor, session: PageSession, form: FormDep):
    """Save a template; one that does not render with its sample data is shown again with the reason."""
    template = service.get_template(session, actor, template_id)
    data = _template_form(form)
    try:
        changes = {**data, "sample_context": _sample_context(data["sample_context"])}
        if template.channel == "sms":
            changes["subject"] = changes["body_html"] = ""
        if service.is_required(template):
            changes["is_active"] = True
        body = validate(TemplateUpdate, changes).model_dump(exclude_unset=True)
        service.update_template(session, actor, template_id, **body)
    except (Invalid, Conflict) as exc:
        undo_refused(session, exc)
        template = service.get_template(session, actor, template_id)
        return _edit_page(request, session, actor, template, data=data, errors=_template_errors(exc),
                          status_code=exc.status)
    return redirect(request, f"/admin/notifications/templates/{template_id}",
                    flash=f"Saved the template {data['name'].strip() or template.name}.")


def _preview(actor: Actor, template, values: dict[str, Any]) -> dict[str, Any]:
    """What the preview panel shows for the form's current values: the message, or why it cannot render."""
    email = template.channel == "email"
    try:
        context = _sample_context(values.get("sample_context") or "")
        rendered = rendering.render(subject=(values.get("subject") or "") if email else "",
                                    body_html=(values.get("body_html") or "") if email else "",
                                    body_text=values.get("body_text") or "", context=context)
    except Invalid as exc:
        field = exc.errors[0]["field"] if exc.errors else "form"
        message = exc.errors[0]["message"] if exc.errors else exc.detail
        return {"error": message, "field": TEMPLATE_LABELS.get(field, field.replace("_", " ").capitalize())}
    frame_url = _frame_url(actor, template.id, rendered.html) if rendered.html else None
    return {"rendered": rendered, "frame_url": frame_url, "channel": template.channel,
            "too_large": bool(rendered.html) and frame_url is None}


@router.post("/admin/notifications/templates/{template_id}/preview")
def template_preview(request: Request, template_id: Id, actor: PageActor, session: PageSession,
                     form: FormDep):
    """The preview panel for the form as it is now (HTMX swaps it in); nothing is saved or sent."""
    template = service.get_template(session, actor, template_id)
    data = _template_form(form)
    context = {"template": template, "preview": _preview(actor, template, data)}
    if is_htmx(request):
        return render(request, "notifications/template_edit.html", context, block="preview")
    return _edit_page(request, session, actor, template, data=data)


# ---------------------------------------------------------------- the HTML preview frame

def _frame_signature(actor: Actor, template_id: int, data: str) -> str:
    return security.sign(f"notification-preview:{actor.user_id}:{template_id}:{data}")


def _frame_url(actor: Actor, template_id: int, html: str) -> str | None:
    """A signed address that shows this HTML in the preview frame, or None when it is too long for one."""
    data = base64.urlsafe_b64encode(zlib.compress(html.encode(), 9)).decode().rstrip("=")
    url = (f"/admin/notifications/templates/{template_id}/preview.html?d={data}"
           f"&s={_frame_signature(actor, template_id, data)}")
    return url if len(url) <= MAX_FRAME_URL else None


def _frame_html(actor: Actor, template_id: int, data: str, signature: str) -> str:
    if not hmac.compare_digest(signature, _frame_signature(actor, template_id, data)):
        raise NotFound("This preview has expired: reload the template.")
    try:
        packed = base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))
        inflate = zlib.decompressobj()
        html = inflate.decompress(packed, rendering.MAX_OUTPUT * 4)
    except (binascii.Error, ValueError, zlib.error):
        raise NotFound("This preview cannot be read: reload the template.") from None
    return html.decode("utf-8", errors="replace")


@router.get("/admin/notifications/templates/{template_id}/preview.html")
def template_preview_frame(template_id: Id, actor: PageActor, session: PageSession,
                           d: Annotated[str, Query(max_length=MAX_FRAME_URL)] = "",
                           s: Annotated[str, Query(max_length=128)] = ""):
    """The email's HTML on its own, for the preview frame: the saved template on its sample data, or the
    signed unsaved version the preview panel asked for. Sandboxed: no script runs in it."""
    template = service.get_template(session, actor, template_id)
    if d:
        html = _frame_html(actor, template.id, d, s)
    else:
        html = service.preview_template(session, actor, template.id).html
    return sandboxed_html(html, preview=True)


# ---------------------------------------------------------------- one notification

@router.get("/admin/notifications/{notification_id}")
def notification_detail(request: Request, notification_id: Id, actor: PageActor, session: PageSession):
    """One notification: who, what, the text sent, its delivery and whether it was opened or clicked."""
    note = service.get_notification(session, actor, notification_id)
    return render(request, "notifications/detail.html",
                  {"title": f"Notification {note.id}", "n": note, "can_outbox": actor.can("outbox:read"),
                   "client_name": _client_name(session, actor, note.client_id),
                   "category_labels": CATEGORY_LABELS})


# ---------------------------------------------------------------- a client's email preferences

PREFERENCE_LABELS = {
    "automated_quotes_enabled": ("Quotes", "Quotes sent automatically when one is ready."),
    "automated_reminders_enabled": ("Payment reminders", "Reminders of payments coming due."),
    "automated_followups_enabled": ("Follow-ups", "A sales agent's check-in on an unanswered quote."),
    "marketing_enabled": ("News and offers", "Occasional marketing emails."),
}
SWITCH_LABELS = {
    "email_notifications_enabled": ("Send email notifications",
                                    "Off stops all the automated emails below. Booking confirmations, "
                                    "receipts and other service messages are always sent."),
    "sms_notifications_enabled": ("Send text messages (SMS)", "Trip updates and reminders by text, to the "
                                                             "client's phone number."),
}


def _preferences_page(request: Request, actor: Actor, prefs, *, errors: FormErrors | None = None,
                      status_code: int = 200):
    return render(request, "notifications/preferences.html",
                  {"title": f"Email preferences of {prefs.client_name}", "prefs": prefs,
                   "preference_labels": PREFERENCE_LABELS, "switch_labels": SWITCH_LABELS,
                   "form_errors": errors, "can_update": actor.can("email_preferences:update")},
                  status_code=status_code)


@router.get("/admin/clients/{client_id}/email-preferences")
def preferences_edit(request: Request, client_id: Id, actor: PageActor, session: PageSession):
    """Which emails and texts a client receives."""
    return _preferences_page(request, actor, service.get_preferences(session, actor, client_id))


@router.post("/admin/clients/{client_id}/email-preferences")
def preferences_save(request: Request, client_id: Id, actor: PageActor, session: PageSession, form: FormDep):
    """Save which emails and texts a client receives."""
    data = {name: form.get(name) == "on" for name in (*PREFERENCE_LABELS, *SWITCH_LABELS)}
    try:
        changes = validate(PreferencesUpdate, data).model_dump(exclude_unset=True)
        prefs = service.update_preferences(session, actor, client_id, **changes)
    except Invalid as exc:
        undo_refused(session, exc)
        return _preferences_page(request, actor, service.get_preferences(session, actor, client_id),
                                 errors=FormErrors.of(exc), status_code=exc.status)
    return redirect(request, f"/admin/clients/{client_id}/email-preferences",
                    flash=f"Saved the email preferences of {prefs.client_name}.")
