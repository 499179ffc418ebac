"""Errors on pages: friendly HTML pages (403 with navigation, 404, expired forms) instead of JSON.

The API's problem-details handlers stay as they are; each handler here answers page paths itself and
hands every API path to the handler that was installed before it.
"""

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from coachway.core.db import transaction
from coachway.core.deps import client_ip
from coachway.core.errors import DomainError, Unauthorized
from coachway.core.permissions import Actor
from coachway.web.csrf import CsrfRejected
from coachway.web.deps import LoginRequired
from coachway.web.session import SESSION_COOKIE, end_web_session, is_page_path, login_url
from coachway.web.templating import is_htmx, render

HEADINGS = {
    400: "Something in the request is not right",
    403: "You don't have access to this page",
    404: "Page not found",
    405: "That action is not available here",
    409: "That could not be done",
    422: "Some details are missing or invalid",
    429: "Too many attempts",
    500: "Something went wrong on our side",
}


def _lookup_actor(request: Request) -> Actor | None:
    """The signed-in user for an error raised before any page dependency ran (unknown path...)."""
    from coachway.auth.service import authenticate

    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    try:
        with transaction() as session:
            return authenticate(session, token, ip=client_ip(request))
    except Exception:  # noqa: BLE001 - an error page must render even when the session cannot be read
        return None


async def error_page(request: Request, status: int, detail: str, *, heading: str | None = None,
                     headers: dict[str, str] | None = None) -> Response:
    """The error page (or, for HTMX, an alert swapped into the page's message area)."""
    actor = getattr(request.state, "actor", None)
    if actor is None:
        actor = await run_in_threadpool(_lookup_actor, request)
    context = {"actor": actor, "status": status, "heading": heading or HEADINGS.get(status, "Error"),
               "detail": detail, "title": heading or HEADINGS.get(status, "Error")}
    if is_htmx(request):
        htmx_headers = {**(headers or {}), "HX-Retarget": "#messages", "HX-Reswap": "innerHTML"}
        return render(request, "_alert.html", {**context, "kind": "error"}, status_code=status,
                      headers=htmx_headers)
    return render(request, "error.html", context, status_code=status, headers=headers)


def send_to_login(request: Request) -> Response:
    """Redirect to /login (HX-Redirect for HTMX), dropping a session cookie that no longer works."""
    url = login_url(request)
    response: Response = (Response(status_code=200, headers={"HX-Redirect": url}) if is_htmx(request)
                          else RedirectResponse(url, status_code=303))
    if SESSION_COOKIE in request.cookies:
        end_web_session(response)
    return response


def install_page_error_handlers(app: FastAPI) -> None:
    """Answer errors on page paths with HTML pages; API paths keep their problem-details handlers."""
    api = dict(app.exception_handlers)

    async def on_domain_error(request: Request, exc: DomainError):
        if not is_page_path(request.url.path):
            return await api[DomainError](request, exc)
        if isinstance(exc, Unauthorized):
            return send_to_login(request)
        heading = exc.title if isinstance(exc, CsrfRejected) else HEADINGS.get(exc.status, exc.title)
        return await error_page(request, exc.status, exc.detail, heading=heading, headers=exc.headers)

    async def on_validation_error(request: Request, exc: RequestValidationError):
        if not is_page_path(request.url.path):
            return await api[RequestValidationError](request, exc)
        return await error_page(request, 400, "A link or form sent a value this page cannot use.")

    async def on_http_error(request: Request, exc: StarletteHTTPException):
        if not is_page_path(request.url.path):
            return await api[StarletteHTTPException](request, exc)
        detail = {404: "There is nothing at this address. Check the link, or start from the dashboard.",
                  405: "This page cannot be used that way."}.get(exc.status_code, str(exc.detail))
        return await error_page(request, exc.status_code, detail, headers=getattr(exc, "headers", None))

    async def on_login_required(request: Request, exc: LoginRequired):
        return send_to_login(request)

    async def on_crash(request: Request, exc: Exception):
        # Starlette's ServerErrorMiddleware calls this, then re-raises so the server logs the traceback.
        if not is_page_path(request.url.path):
            return PlainTextResponse("Internal Server Error", status_code=500)
        return await error_page(request, 500, "The error has been logged. Try again in a moment.")

    app.add_exception_handler(DomainError, on_domain_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(LoginRequired, on_login_required)
    app.add_exception_handler(Exception, on_crash)
