"""Domain errors raised by services, and their one HTTP shape (RFC 9457 problem details)."""

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger(__name__)
# SQLSTATEs of values the database refuses to store: too long, number out of range, bad characters.
BAD_VALUE_STATES = {"22001", "22003", "22021", "22P05"}


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


PROBLEM_SCHEMA = {
    "title": "Problem", "type": "object", "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
        "detail": {"type": "string"}, "instance": {"type": "string"},
        "errors": {"type": "array", "items": {
            "type": "object", "required": ["field", "message"],
            "properties": {"field": {"type": "string"}, "message": {"type": "string"}}}},
    },
}


def _document_problems(app: FastAPI) -> None:
    # FastAPI documents its own 422 body; ours is problem details, for every 4xx, so say that instead.
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = generate()
        schemas = schema.setdefault("components", {}).setdefault("schemas", {})
        schemas.pop("HTTPValidationError", None)
        schemas.pop("ValidationError", None)
        schemas["Problem"] = PROBLEM_SCHEMA
        content = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
        for item in schema.get("paths", {}).values():
            for operation in item.values():
                responses = operation.setdefault("responses", {})
                if "422" in responses:
                    responses["422"] = {"description": "Invalid input", "content": content}
                responses.setdefault("4XX", {"description": "Refused (problem details)", "content": content})
        app.openapi_schema = schema
        return schema

    app.openapi = openapi


def install_error_handlers(app: FastAPI) -> None:
    """Make every API error answer in the problem-details shape (and document it so)."""
    _document_problems(app)

    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError):
        return problem(exc.status, exc.title, exc.detail, request.url.path, exc.errors, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError):
        errors = [{"field": _loc_to_field(e.get("loc", ())), "message": e.get("msg", "invalid")}
                  for e in exc.errors()]
        return problem(422, "Invalid input", "Some fields are missing or invalid.", request.url.path, errors)

    @app.exception_handler(DataError)
    async def _data(request: Request, exc: DataError):
        # A value that passed validation but cannot be stored (PostgreSQL refuses NUL characters in text)
        # is the caller's input, so a 422; the request's transaction has been rolled back already.
        orig = exc.orig
        state = getattr(getattr(orig, "diag", None), "sqlstate", None) or getattr(orig, "sqlstate", None)
        if state in BAD_VALUE_STATES or "NUL" in str(orig):
            return problem(422, "Invalid input", "A value holds characters or a size that cannot be stored "
                           "(a NUL character, or text or a number that is too large).", request.url.path)
        log.error("database refused a value at %s", request.url.path, exc_info=exc)
        return problem(500, "Server error", "Something went wrong on our side.", request.url.path)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        titles = {404: "Not found", 405: "Method not allowed", 401: "Not signed in", 403: "Forbidden"}
        detail = exc.detail if isinstance(exc.detail, str) else "Request failed."
        return problem(exc.status_code, titles.get(exc.status_code, "Error"), detail, request.url.path,
                       headers=getattr(exc, "headers", None))
