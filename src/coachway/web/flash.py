"""One-shot messages shown on the next page: a short-lived signed cookie."""

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

from coachway.config import get_settings
from coachway.web.session import FLASH_COOKIE, set_cookie

MAX_AGE_SECONDS = 120
KINDS = {"success", "info", "error"}


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(get_settings().secret_key, salt="coachway.flash")


def add_flash(response: Response, text: str, kind: str = "success") -> None:
    """Show text on the next full page the browser renders."""
    value = _serializer().dumps({"text": text[:500], "kind": kind if kind in KINDS else "info"})
    set_cookie(response, FLASH_COOKIE, value, max_age=MAX_AGE_SECONDS)


def pop_flashes(request: Request) -> list[dict]:
    """The pending message, if any (the caller deletes the cookie)."""
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw:
        return []
    try:
        data = _serializer().loads(raw, max_age=MAX_AGE_SECONDS)
    except BadSignature:
        return []
    if not isinstance(data, dict) or not isinstance(data.get("text"), str):
        return []
    return [{"text": data["text"], "kind": data.get("kind", "info")}]
