"""The web session cookie, the pre-session nonce cookie, and safe "next" paths after sign-in."""

from urllib.parse import quote, urlsplit

from starlette.requests import Request
from starlette.responses import Response

from coachway.config import get_settings

SESSION_COOKIE = "cw_session"
NONCE_COOKIE = "cw_csrf"
FLASH_COOKIE = "cw_flash"
HOME = "/admin"
# Paths answered by the API side (JSON problem details, no cookies, no page headers).
API_PREFIXES = ("/api/", "/docs", "/redoc", "/openapi.json", "/healthz")


def is_page_path(path: str) -> bool:
    """True for a path served as an HTML page (everything but the API, its docs and health check)."""
    return path != "/api" and not path.startswith(API_PREFIXES)


def set_cookie(response: Response, name: str, value: str, *, max_age: int | None) -> None:
    """Set an HttpOnly, SameSite=Lax cookie for the whole site (Secure when configured)."""
    response.set_cookie(name, value, max_age=max_age, path="/", httponly=True, samesite="lax",
                        secure=get_settings().secure_cookies)


def start_web_session(response: Response, access_token: str, expires_in: int) -> None:
    """Hand the browser its session cookie after a successful sign-in."""
    set_cookie(response, SESSION_COOKIE, access_token, max_age=expires_in)


def end_web_session(response: Response) -> None:
    """Tell the browser to forget its session cookie."""
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax",
                           secure=get_settings().secure_cookies)


def safe_next(value: str | None, default: str = HOME) -> str:
    """value when it is a path on this site, else default (no open redirects)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return default
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        return default
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return default
    return value


def login_url(request: Request) -> str:
    """/login, remembering the page a GET request wanted so sign-in can come back to it."""
    if request.method != "GET":
        return "/login"
    wanted = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if safe_next(wanted, "") in ("", HOME, "/"):
        return "/login"
    return f"/login?next={quote(wanted, safe='/')}"
