"""The one Jinja2 environment of all pages, and render / redirect helpers for page handlers.

Templates are looked up in web/templates (layout, shared macros, error pages) and then in every
domain's templates folder (coachway/<domain>/templates/<domain>/*.html), so names stay domain-prefixed:
render(request, "auth/users_list.html", ...).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2_fragments.fastapi import Jinja2Blocks
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from coachway import __version__
from coachway.core.permissions import ROLES
from coachway.web import nav
from coachway.web.csrf import csrf_token
from coachway.web.flash import add_flash, pop_flashes
from coachway.web.session import FLASH_COOKIE

PACKAGE = Path(__file__).resolve().parents[1]


def template_dirs() -> list[Path]:
    """web/templates first, then each domain's templates folder."""
    domain_dirs = sorted(p for p in PACKAGE.glob("*/templates") if p.is_dir() and p.parent.name != "web")
    return [PACKAGE / "web" / "templates", *domain_dirs]


def _dt(value: datetime | date | None, fmt: str = "%Y-%m-%d %H:%M UTC") -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime(fmt)
    return value.isoformat()


def role_label(role: str | None) -> str:
    """sales_agent -> Sales agent."""
    return (role or "").replace("_", " ").capitalize()


def _groups_of_four(value: str) -> str:
    return " ".join(value[i:i + 4] for i in range(0, len(value), 4))


templates = Jinja2Blocks(directory=template_dirs())
templates.env.filters["groups_of_four"] = _groups_of_four
templates.env.filters["dt"] = _dt
templates.env.filters["role_label"] = role_label
templates.env.globals["asset_version"] = __version__
templates.env.globals["role_descriptions"] = ROLES


def is_htmx(request: Request, target: str | None = None) -> bool:
    """True for an HTMX request (optionally one aimed at the element with id target)."""
    if request.headers.get("hx-request") != "true" or request.headers.get("hx-boosted"):
        return False
    return target is None or request.headers.get("hx-target") == target


def render(request: Request, template: str, context: Mapping[str, Any] | None = None, *,
           block: str | None = None, status_code: int = 200, headers: Mapping[str, str] | None = None
           ) -> Response:
    """A page (or, with block, one {% block %} of it for an HTMX swap) with the layout's context."""
    ctx = dict(context or {})
    actor = ctx.get("actor") or getattr(request.state, "actor", None)
    ctx["actor"] = actor
    ctx.setdefault("nav", nav.links_for(actor))
    ctx["csrf_token"] = csrf_token(request)
    ctx.setdefault("form_errors", None)
    flashes = pop_flashes(request) if block is None else []
    ctx["flashes"] = flashes + list(ctx.get("flashes", []))
    response = templates.TemplateResponse(request, template, ctx, status_code=status_code,
                                          headers=dict(headers or {}), block_name=block)
    if block is None and FLASH_COOKIE in request.cookies:
        response.delete_cookie(FLASH_COOKIE, path="/")
    return response


def redirect(request: Request, url: str, *, flash: str | None = None, kind: str = "success") -> Response:
    """Go to url after a successful POST (303; HX-Redirect for HTMX), optionally with a message."""
    if is_htmx(request):
        response: Response = Response(status_code=200, headers={"HX-Redirect": url})
    else:
        response = RedirectResponse(url, status_code=303)
    if flash:
        add_flash(response, flash, kind)
    return response


@dataclass(frozen=True)
class Pager:
    """Where one page of a list sits in the whole, with links to its neighbours."""

    total: int
    limit: int
    offset: int
    prev_url: str | None
    next_url: str | None

    @property
    def first(self) -> int:
        """Number of the first row shown (1-based; 0 when empty)."""
        return min(self.offset + 1, self.total)

    @property
    def last(self) -> int:
        """Number of the last row shown."""
        return min(self.offset + self.limit, self.total)


def pager(request: Request, *, total: int, limit: int, offset: int) -> Pager:
    """Previous / next links for a list, keeping the request's other query parameters."""
    params = {k: v for k, v in request.query_params.items() if k != "offset" and v != ""}

    def url(new_offset: int) -> str:
        query = {**params, **({"offset": str(new_offset)} if new_offset else {})}
        return request.url.path + (f"?{urlencode(query)}" if query else "")

    prev_url = url(max(offset - limit, 0)) if offset > 0 else None
    next_url = url(offset + limit) if offset + limit < total else None
    return Pager(total, limit, offset, prev_url, next_url)
