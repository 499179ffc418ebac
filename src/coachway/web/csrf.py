"""CSRF tokens for every page form: an HMAC of the session cookie, or of a pre-session nonce cookie.

The session cookie is the session's identifier and a secret; the token is its keyed HMAC, so a page can
carry it without revealing the cookie, and checking it needs no database. Before sign-in the token is
bound to a random HttpOnly nonce cookie that the page middleware hands out.
"""

import hmac

from starlette.requests import Request

from coachway.core.errors import Forbidden
from coachway.core.security import sign
from coachway.web.session import NONCE_COOKIE, SESSION_COOKIE

FIELD = "csrf_token"
HEADER = "X-CSRF-Token"


class CsrfRejected(Forbidden):
    """A form arrived without the token of this browser's session."""

    title = "This form has expired"

    def __init__(self) -> None:
        super().__init__("The page was open too long or you signed in elsewhere. Reload the page and "
                         "try again.")


def _token(request: Request, *, fresh_nonce_ok: bool) -> str | None:
    session_cookie = request.cookies.get(SESSION_COOKIE)
    if session_cookie:
        return sign(f"csrf:session:{session_cookie}")
    nonce = request.cookies.get(NONCE_COOKIE)
    if not nonce and fresh_nonce_ok:
        nonce = request.scope.get("state", {}).get("csrf_nonce")
    return sign(f"csrf:nonce:{nonce}") if nonce else None


def csrf_token(request: Request) -> str:
    """The token a form on this page must send back."""
    return _token(request, fresh_nonce_ok=True) or ""


def check_csrf(request: Request, sent: str | None) -> None:
    """Raise CsrfRejected unless sent is this browser's token."""
    expected = _token(request, fresh_nonce_ok=False)
    if not sent or not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise CsrfRejected()
