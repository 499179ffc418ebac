"""FastAPI dependencies of pages: the signed-in actor from the session cookie, and CSRF-checked forms."""

from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import FormData

from coachway.core.deps import SessionDep, client_ip
from coachway.core.errors import Unauthorized
from coachway.core.permissions import Actor
from coachway.web.csrf import FIELD, HEADER, check_csrf
from coachway.web.session import SESSION_COOKIE

# The request's transaction, committed BEFORE the response is sent (see core.deps.SessionDep): a browser
# follows a POST's redirect at once, and that next request must see what the POST did.
PageSession = SessionDep


class LoginRequired(Exception):
    """A page needs a signed-in user; answered with a redirect to /login."""


def optional_actor(request: Request, session: PageSession) -> Actor | None:
    """The signed-in user of a page request, or None."""
    from coachway.auth.service import authenticate  # auth builds on core and web, not the reverse

    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    try:
        actor = authenticate(session, token, ip=client_ip(request))
    except Unauthorized:
        return None
    request.state.actor = actor  # the layout and error pages show this user's navigation
    return actor


def page_actor(actor: Annotated[Actor | None, Depends(optional_actor)]) -> Actor:
    """The signed-in user; anyone else is sent to /login."""
    if actor is None:
        raise LoginRequired()
    return actor


async def checked_form(request: Request) -> FormData:
    """The submitted form, after checking its CSRF token (form field or X-CSRF-Token header)."""
    form = await request.form()
    sent = request.headers.get(HEADER) or form.get(FIELD)
    check_csrf(request, sent if isinstance(sent, str) else None)
    return form


OptionalActor = Annotated[Actor | None, Depends(optional_actor)]
PageActor = Annotated[Actor, Depends(page_actor)]
FormDep = Annotated[FormData, Depends(checked_form)]
