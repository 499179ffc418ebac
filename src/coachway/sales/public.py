"""The public quote calculator (/quote): a prospect who is not signed in prices a trip and leaves their
contact details, which become an `online` lead routed to a sales agent.

The estimate and the lead come from sales/service/online.py (the pricing service's own calculation; only
what a client may see is shown). A route that cannot be mapped is no dead end: the prospect can still send
their details, and the lead then carries no estimate.

Abuse is kept down by per-address rate limits (settings.public_quote_rate_limit for estimates,
settings.public_lead_rate_limit for submissions), a honeypot field that people never see (a filled one gets
the thank-you page and creates nothing), small bodies only, and the site's CSRF token, which before sign-in
is bound to the pre-session nonce cookie the page middleware hands out with the GET (web/csrf.py).

`router` holds the pages, `api_router` the JSON twin of the estimate (POST /api/v1/public/quote-estimate).
"""

import math
from datetime import date
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from coachway.config import get_settings
from coachway.core import clock, ratelimit
from coachway.core.deps import SessionDep, client_ip, undo_refused
from coachway.core.errors import DomainError, Invalid, TooManyRequests
from coachway.sales.schemas_public import TRIP_TYPES, PublicContact, PublicEstimateRead, PublicTrip
from coachway.sales.service import online
from coachway.web.csrf import FIELD as CSRF_FIELD
from coachway.web.csrf import HEADER as CSRF_HEADER
from coachway.web.csrf import check_csrf
from coachway.web.forms import FormErrors, validate
from coachway.web.templating import is_htmx, render

router = APIRouter(include_in_schema=False)
# No prefix: sales/api.py includes it under its /api/v1 router (so /docs and `serve --service sales` have it).
api_router = APIRouter(tags=["public"])

BASE = "/quote"
ESTIMATE_SCOPE = "public-quote-estimate"
LEAD_SCOPE = "public-quote-lead"
# A filled-in form is well under 4 KB; anything much bigger is not a person typing.
MAX_BODY = 16_384
MAX_FIELDS = 40
TRIP_FIELDS = ("hub_id", "trip_date", "trip_type", "origin", "destination", "passenger_count",
               "vehicle_type_id")
CONTACT_FIELDS = ("first_name", "last_name", "email", "phone", "company", "notes")
HONEYPOT = "website"
LABELS = {"hub_id": "Departing from", "trip_date": "Date", "trip_type": "Trip", "origin": "Pickup",
          "destination": "Destination", "passenger_count": "Passengers", "vehicle_type_id": "Vehicle",
          "first_name": "First name", "last_name": "Last name", "email": "Email", "phone": "Phone",
          "company": "Company or group", "notes": "Anything else"}


class BodyTooLarge(DomainError):
    """More was sent than any form of this page holds."""

    status = 413
    title = "Request too large"


def _company() -> dict[str, str]:
    """The company's name and contacts, as the public pages show them."""
    settings = get_settings()
    return {"company_name": settings.company_name, "company_phone": settings.company_phone,
            "company_tel": "".join(c for c in settings.company_phone if c.isdigit() or c == "+"),
            "company_email": settings.company_email, "company_address": settings.company_address}


def _hub_label(hub) -> str:
    place = ", ".join(p for p in (hub.city, hub.state) if p)
    return f"{hub.name} ({place})" if place and hub.city not in hub.name else hub.name


# ---------------------------------------------------------------- forms and limits

async def public_form(request: Request) -> FormData:
    """The posted form: refused when too large (413) or without this browser's CSRF token."""
    _check_size(request)
    form = await request.form(max_files=0, max_fields=MAX_FIELDS, max_part_size=MAX_BODY)
    sent = request.headers.get(CSRF_HEADER) or form.get(CSRF_FIELD)
    check_csrf(request, sent if isinstance(sent, str) else None)
    return form


def _check_size(request: Request) -> None:
    # The server holds a request to its Content-Length, so checking the header bounds what is read.
    length = request.headers.get("content-length", "")
    if not length.isdigit() or int(length) > MAX_BODY:
        raise BodyTooLarge(f"Send at most {MAX_BODY // 1024} KB, with a Content-Length.")


PublicForm = Annotated[FormData, Depends(public_form)]


def _values(form: FormData) -> dict[str, str]:
    return {name: str(form.get(name) or "").strip()
            for name in (*TRIP_FIELDS, *CONTACT_FIELDS)}


def _validated(schema, data: dict[str, str], names: tuple[str, ...]):
    """data's named fields (blank ones left out) as schema; Invalid naming each bad field."""
    try:
        return validate(schema, {k: data[k] for k in names if data.get(k)})
    except Invalid as exc:
        for error in exc.errors:
            if error["field"] == "trip_type" and data.get("trip_type"):
                error["message"] = "Choose one of the trip types."
        raise


def _trip(session: Session, data: dict[str, str]) -> PublicTrip:
    """The form's trip; when other fields are wrong, a date that has passed is named with them."""
    try:
        return _validated(PublicTrip, data, TRIP_FIELDS)
    except Invalid as exc:
        named = {e["field"] for e in exc.errors}
        if not named & {"trip_date", "hub_id"}:
            hubs, _ = online.choices(session)
            hub = hubs.get(int(data["hub_id"])) if data["hub_id"].isdigit() else None
            try:
                problem = online.date_problem(hub, date.fromisoformat(data["trip_date"])) if hub else None
            except ValueError:
                problem = None
            if problem:
                exc.errors.append({"field": "trip_date", "message": problem})
        raise


def _too_many_message(exc: TooManyRequests, what: str) -> str:
    wait = int(exc.headers.get("Retry-After", "60"))
    when = f"{wait} seconds" if wait < 120 else (f"{math.ceil(wait / 60)} minutes" if wait < 7200
                                                 else f"{math.ceil(wait / 3600)} hours")
    phone = get_settings().company_phone
    return (f"You've {what} several times in a short while. Please try again in about {when}, or call us at "
            f"{phone}.")


# ---------------------------------------------------------------- pages

def _page(request: Request, session: Session, *, data: dict[str, str], errors: FormErrors | None = None,
          estimate: online.Estimate | None = None, notice: str | None = None, status_code: int = 200,
          block: str | None = None, headers: dict[str, str] | None = None):
    hubs, types = online.choices(session)
    settings = get_settings()
    context = {"title": "Instant charter estimate", **_company(),
               "hub_options": [(h.id, _hub_label(h)) for h in hubs.values()],
               "type_options": [(t.id, f"{t.name} · up to {t.capacity} passengers") for t in types.values()],
               "trip_type_options": list(TRIP_TYPES.items()), "values": data, "form_errors": errors,
               "estimate": estimate, "notice": notice, "money": online.money,
               "min_date": clock.now().astimezone(ZoneInfo(settings.company_timezone)).date().isoformat()}
    return render(request, "sales/public_quote.html", context, status_code=status_code, block=block,
                  headers=headers)


@router.get(BASE)
def quote_page(request: Request, session: SessionDep):
    """The calculator: trip details, an instant estimate, then contact details."""
    hubs, types = online.choices(session)
    data = {"trip_type": "round_trip", "hub_id": str(next(iter(hubs), "")),
            "vehicle_type_id": str(next(iter(types), ""))}
    return _page(request, session, data=data)


@router.post(BASE + "/estimate")
def quote_estimate(request: Request, session: SessionDep, form: PublicForm):
    """Price the trip and show the estimate (HTMX: just the calculator part of the page)."""
    data = _values(form)
    block = "calculator" if is_htmx(request) else None
    try:
        ratelimit.hit(ESTIMATE_SCOPE, client_ip(request), get_settings().public_quote_rate_limit)
    except TooManyRequests as exc:
        return _page(request, session, data=data, notice=_too_many_message(exc, "asked for an estimate"),
                     status_code=429, block=block, headers={"Retry-After": exc.headers["Retry-After"]})
    try:
        estimate = online.estimate_trip(session, _trip(session, data))
    except Invalid as exc:
        undo_refused(session, exc)
        return _page(request, session, data=data, errors=FormErrors.of(exc, LABELS), status_code=422,
                     block=block)
    return _page(request, session, data=data, estimate=estimate, block=block)


@router.post(BASE)
def quote_submit(request: Request, session: SessionDep, form: PublicForm):
    """Send the trip and contact details: an online lead, routed to an agent; then the thank-you page."""
    data = _values(form)
    try:
        ratelimit.hit(LEAD_SCOPE, client_ip(request), get_settings().public_lead_rate_limit)
    except TooManyRequests as exc:
        return _page(request, session, data=data, notice=_too_many_message(exc, "sent a request"),
                     status_code=429, headers={"Retry-After": exc.headers["Retry-After"]})
    if str(form.get(HONEYPOT) or "").strip():
        # Only software fills a field people cannot see: it gets the same answer and changes nothing.
        return RedirectResponse(f"{BASE}/thanks", status_code=303)
    errors: list[dict[str, str]] = []
    trip = contact = None
    try:
        trip = _trip(session, data)
    except Invalid as exc:
        errors.extend(exc.errors)
    try:
        contact = _validated(PublicContact, data, CONTACT_FIELDS)
    except Invalid as exc:
        errors.extend(exc.errors)
    try:
        if errors:
            raise Invalid("Please check the highlighted fields.", errors=errors)
        online.request_quote(session, trip, contact)
    except Invalid as exc:
        undo_refused(session, exc)
        return _page(request, session, data=data, errors=FormErrors.of(exc, LABELS), status_code=422)
    return RedirectResponse(f"{BASE}/thanks", status_code=303)


@router.get(BASE + "/thanks")
def quote_thanks(request: Request):
    """Thank you: an agent will be in touch."""
    return render(request, "sales/public_quote_thanks.html", {"title": "Thank you", **_company()})


# ---------------------------------------------------------------- the JSON twin

def count_estimate(request: Request) -> None:
    """Refuse an oversized body (413) and count the estimate against the caller's address (429 past it)."""
    _check_size(request)
    ratelimit.hit(ESTIMATE_SCOPE, client_ip(request), get_settings().public_quote_rate_limit)


@api_router.post("/public/quote-estimate", response_model=PublicEstimateRead,
                 dependencies=[Depends(count_estimate)])
def quote_estimate_api(body: PublicTrip, session: SessionDep):
    """An instant estimate for a trip between two addresses (no sign-in; rate-limited per address). valid is
    false, with the reason in message, when the route cannot be priced online."""
    estimate = online.estimate_trip(session, body)
    return PublicEstimateRead(valid=estimate.valid, message=estimate.message, total=estimate.total,
                              deposit=estimate.deposit, vehicles=list(estimate.vehicles),
                              charges=list(estimate.charges))
