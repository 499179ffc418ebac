"""Per-request work for page paths: hand out the pre-session CSRF nonce, add the pages' security headers."""

from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from coachway.core.security import new_token
from coachway.web.session import NONCE_COOKIE, is_page_path, set_cookie

NONCE_MAX_AGE = 12 * 3600
# No inline script or style and nothing from other sites; htmx's own indicator style is turned off in
# base.html (htmx-config) so the page works under this policy.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'")


def _nonce_cookie_header(nonce: str) -> str:
    carrier = Response()
    set_cookie(carrier, NONCE_COOKIE, nonce, max_age=NONCE_MAX_AGE)
    return carrier.headers["set-cookie"]


class PageMiddleware:
    """Pure ASGI middleware: leaves API paths alone."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_page_path(scope["path"]):
            await self.app(scope, receive, send)
            return
        is_static = scope["path"].startswith("/static/")
        new_nonce = None
        if not is_static and NONCE_COOKIE not in HTTPConnection(scope).cookies:
            new_nonce = new_token(16)
            scope.setdefault("state", {})["csrf_nonce"] = new_nonce

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if new_nonce:
                    headers.append("set-cookie", _nonce_cookie_header(new_nonce))
                headers.setdefault("x-content-type-options", "nosniff")
                if not is_static:
                    headers.setdefault("x-frame-options", "DENY")
                    headers.setdefault("referrer-policy", "same-origin")
                    headers.setdefault("cache-control", "no-store")
                    if headers.get("content-type", "").startswith("text/html"):
                        headers.setdefault("content-security-policy", CSP)
            await send(message)

        await self.app(scope, receive, send_with_headers)
