"""Domain errors raised by services, and their one HTTP shape (RFC 9457 problem details)."""

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_JSON = "application/problem+json"


class DomainError(Exception):
    """A business rule said no; status says how.

    keep_changes=True asks the request to commit what the service flushed before refusing (a failed
    sign-in must stay counted); by default a refused request changes nothing.
    """

    status = 400
    title = "Bad request"

    def __init__(self, detail: str, *, errors: list[dict[str, Any]] | None = None, headers=None,
                 keep_changes: bool = False):
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []
        self.headers = headers or {}
        self.keep_changes = keep_changes


class Invalid(DomainError):
    """The input breaks a rule; errors name each field."""

    status = 422
    title = "Invalid input"

    @classmethod
    def field(cls, field: str, message: str) -> "Invalid":
        """One bad field."""
        return cls(message, errors=[{"field": field, "message": message}])


class NotFound(DomainError):
    """It does not exist, or the caller may not see it."""

    status = 404
    title = "Not found"


class Forbidden(DomainError):
    """The caller may see it but may not do this."""

    status = 403
    title = "Forbidden"


class Unauthorized(DomainError):
    """No valid credentials."""

    status = 401
    title = "Not signed in"

    def __init__(self, detail: str = "Sign in first.", **kw):
        kw.setdefault("headers", {"WWW-Authenticate": "Bearer"})
        super().__init__(detail, **kw)


class Conflict(DomainError):
    """The change collides with the current state (duplicate, illegal transition, stale)."""

    status = 409
    title = "Conflict"


class TooManyRequests(DomainError):
    """Throttled; try again later."""

    status = 429
    title = "Too many requests"


def problem(status: int, title: str, detail: str, instance: str, errors=None, headers=None) -> JSONResponse:
    """A problem-details response."""
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status, "detail": detail,
                            "instance": instance}
    if errors:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _loc_to_field(loc) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "cookie")]
    return ".".join(parts) or str(loc[0] if loc else "")


def install_error_handlers(app: FastAPI) -> None:
    """Make every API error answer in the problem-details shape."""

    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError):
        return problem(exc.status, exc.title, exc.detail, request.url.path, exc.errors, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError):
        errors = [{"field": _loc_to_field(e.get("loc", ())), "message": e.get("msg", "invalid")}
                  for e in exc.errors()]
        return problem(422, "Invalid input", "Some fields are missing or invalid.", request.url.path, errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        titles = {404: "Not found", 405: "Method not allowed", 401: "Not signed in", 403: "Forbidden"}
        detail = exc.detail if isinstance(exc.detail, str) else "Request failed."
        return problem(exc.status_code, titles.get(exc.status_code, "Error"), detail, request.url.path,
                       headers=getattr(exc, "headers", None))
