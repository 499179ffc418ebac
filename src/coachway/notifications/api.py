"""Notifications over HTTP: /api/v1/notifications, /api/v1/notification-templates,
/api/v1/email-preferences, and the public open and click tracking addresses /t/o/... and /t/c/...."""

import re
from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response
from fastapi.responses import RedirectResponse

from coachway.core.deps import CurrentActor, PageDep, SessionDep
from coachway.core.errors import NotFound
from coachway.core.fields import MAX_ID
from coachway.core.pagination import Page
from coachway.notifications import service
from coachway.notifications.schemas import (
    Category,
    Channel,
    NotificationRead,
    PreferencesRead,
    PreferencesUpdate,
    PreviewRead,
    PreviewRequest,
    SendRequest,
    StatusFilter,
    TemplateKey,
    TemplateRead,
    TemplateUpdate,
)
from coachway.notifications.tracking import TOKEN_PATTERN

router = APIRouter()
api = APIRouter(prefix="/api/v1", tags=["notifications"])
# Opened by mail programs and people clicking links in emails: no sign-in, not part of the API.
public = APIRouter(include_in_schema=False)
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
_TOKEN = re.compile(TOKEN_PATTERN)


def _read(view: service.NotificationView, *, with_body: bool = True) -> NotificationRead:
    data = asdict(view)
    if not with_body:
        data["body_text"] = None
    return NotificationRead(**data)


# ---------------------------------------------------------------- notifications

@api.get("/notifications", response_model=Page[NotificationRead])
def list_notifications(actor: CurrentActor, session: SessionDep, page: PageDep,
                       channel: Channel | None = None, status: StatusFilter | None = None,
                       client_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
                       template_key: Annotated[str | None, Query(max_length=80)] = None):
    """Notifications, newest first, with delivery and tracking (bodies only in the single notification)."""
    items, total = service.list_notifications(session, actor, channel=channel, status=status,
                                              client_id=client_id, template_key=template_key,
                                              limit=page.limit, offset=page.offset)
    return Page(items=[_read(v, with_body=False) for v in items], total=total, limit=page.limit,
                offset=page.offset)


@api.post("/notifications/send", response_model=NotificationRead, status_code=201)
def send_notification(body: SendRequest, actor: CurrentActor, session: SessionDep):
    """Send a message from a template (recorded as suppressed when the client's preferences say no)."""
    note = service.send_notification(session, actor, **body.model_dump())
    return _read(service.get_notification(session, actor, note.id))


@api.get("/notifications/{notification_id}", response_model=NotificationRead)
def get_notification(notification_id: Id, actor: CurrentActor, session: SessionDep):
    """One notification, with its text, delivery and tracking."""
    return _read(service.get_notification(session, actor, notification_id))


# ---------------------------------------------------------------- templates

@api.get("/notification-templates", response_model=list[TemplateRead])
def list_templates(actor: CurrentActor, session: SessionDep, channel: Channel | None = None,
                   category: Category | None = None, key: TemplateKey | None = None):
    """Message templates, by name."""
    return service.list_templates(session, actor, channel=channel, category=category, key=key)


@api.get("/notification-templates/{template_id}", response_model=TemplateRead)
def get_template(template_id: Id, actor: CurrentActor, session: SessionDep):
    """One message template."""
    return service.get_template(session, actor, template_id)


@api.put("/notification-templates/{template_id}", response_model=TemplateRead)
def update_template(template_id: Id, body: TemplateUpdate, actor: CurrentActor, session: SessionDep):
    """Change a template; only the fields sent change, and it must render with its sample data."""
    return service.update_template(session, actor, template_id, **body.model_dump(exclude_unset=True))


@api.post("/notification-templates/{template_id}/preview", response_model=PreviewRead)
def preview_template(template_id: Id, body: PreviewRequest, actor: CurrentActor, session: SessionDep):
    """Render a template (optionally unsaved parts of it) with its sample data or a given context; sends
    nothing."""
    rendered = service.preview_template(session, actor, template_id, **body.model_dump())
    return PreviewRead(subject=rendered.subject, html=rendered.html, text=rendered.text)


# ---------------------------------------------------------------- email preferences

@api.get("/email-preferences/{client_id}", response_model=PreferencesRead)
def get_preferences(client_id: Id, actor: CurrentActor, session: SessionDep):
    """A client's email preferences (a client user: only its own)."""
    return asdict(service.get_preferences(session, actor, client_id))


@api.put("/email-preferences/{client_id}", response_model=PreferencesRead)
def update_preferences(client_id: Id, body: PreferencesUpdate, actor: CurrentActor, session: SessionDep):
    """Change a client's email preferences; only the fields sent change."""
    changes = body.model_dump(exclude_unset=True)
    return asdict(service.update_preferences(session, actor, client_id, **changes))


# ---------------------------------------------------------------- tracking (public)

NO_STORE = {"Cache-Control": "no-store, no-cache, must-revalidate, max-age=0", "Pragma": "no-cache"}


@public.get("/t/o/{token}.gif")
def open_pixel(token: str, session: SessionDep) -> Response:
    """The open pixel: counts the open of a known email; always the same transparent GIF."""
    if _TOKEN.match(token):
        service.record_open(session, token)
    return Response(service.PIXEL_GIF, media_type="image/gif", headers=NO_STORE)


@public.get("/t/c/{token}")
def follow_link(token: str, session: SessionDep, u: Annotated[str, Query(max_length=8000)] = "") -> Response:
    """A tracked link: counts the click, then goes on to the link, but only if the email contained it."""
    if not _TOKEN.match(token):
        raise NotFound("This link is not valid.")
    url = service.record_click(session, token, u)
    return RedirectResponse(url, status_code=302, headers={**NO_STORE, "Referrer-Policy": "no-referrer"})


router.include_router(api)
router.include_router(public)
