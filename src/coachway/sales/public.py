"""The public quote calculator (/quote): a prospect who is not signed in prices a trip and leaves their
contact details, which become an `online` lead routed to a sales agent.

The estimate is the pricing service's own calculation (calculate_quote, as the system) of the trip from the
pickup and destination addresses, looked up and routed from the chosen hub; only what a client may see is
shown (never the vendor cost or margin). A route that cannot be mapped is no dead end: the prospect can still
send their details, and the lead then carries no estimate.

Abuse is kept down by per-address rate limits (settings.public_quote_rate_limit for estimates,
settings.public_lead_rate_limit for submissions), a honeypot field that people never see (a filled one gets
the thank-you page and creates nothing), small bodies only, and the site's CSRF token, which before sign-in
is bound to the pre-session nonce cookie the page middleware hands out with the GET (web/csrf.py).

`router` holds the pages, `api_router` the JSON twin of the estimate (POST /api/v1/public/quote-estimate).
"""

import math
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from coachway.config import get_settings
from coachway.core import clock, ratelimit
from coachway.core.deps import SessionDep, client_ip, undo_refused
from coachway.core.errors import DomainError, Invalid, TooManyRequests
from coachway.core.fields import Email, Line, Phone, RefId, Text
from coachway.core.permissions import SYSTEM
from coachway.fleet import service as fleet_service
from coachway.pricing import service as pricing_service
from coachway.pricing.schemas import QuoteRequest
from coachway.sales import service as sales_service
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
MAX_YEARS_AHEAD = 3
# Trip types a prospect can price from two addresses (longer trips need an agent).
TRIP_TYPES = {"round_trip": "Round trip (same day)", "one_way": "One way"}
TRIP_FIELDS = ("hub_id", "trip_date", "trip_type", "origin", "destination", "passenger_count",
               "vehicle_type_id")
CONTACT_FIELDS = ("first_name", "last_name", "email", "phone", "company", "notes")
HONEYPOT = "website"
LABELS = {"hub_id": "Departing from", "trip_date": "Date", "trip_type": "Trip", "origin": "Pickup",
          "destination": "Destination", "passenger_count": "Passengers", "vehicle_type_id": "Vehicle",
          "first_name": "First name", "last_name": "Last name", "email": "Email", "phone": "Phone",
          "company": "Company or group", "notes": "Anything else"}
# How the price's other lines are named for a prospect (modifier and promo names are internal words).
CHARGE_WORDS = {"deadhead": "Travel to and from our garage", "second_driver": "Second driver",
                "overnight": "Driver hotel and meals", "amenity": "Extras",
                "modifier": "Date and demand adjustment", "promo": "Discount", "fuel": "Fuel surcharge",
                "gratuity": "Driver gratuity"}


class PublicTrip(BaseModel):
    """The trip a prospect prices: where from and to, when, how many people and in what vehicle."""

    model_config = ConfigDict(extra="forbid")

    hub_id: RefId
    trip_date: date
    trip_type: Literal[tuple(TRIP_TYPES)]
    origin: Line(200, 2)
    destination: Line(200, 2)
    passenger_count: int = Field(ge=1, le=1000)
    vehicle_type_id: RefId


class PublicContact(BaseModel):
    """Who to call back about the trip."""

    model_config = ConfigDict(extra="forbid")

    first_name: Line(100, 1)
    last_name: Line(100, 1)
    email: Email
    phone: Phone | None = None
    company: Line(200) | None = None
    notes: Text(2000) | None = None


class EstimateVehicleRead(BaseModel):
    name: str
    capacity: int
    quantity: int
    amount: Decimal


class EstimateChargeRead(BaseModel):
    label: str
    amount: Decimal


class PublicEstimateRead(BaseModel):
    """An estimate for a prospect; valid false (the reason in message) when it cannot be priced online."""

    valid: bool
    message: str
    total: Decimal | None = None
    deposit: Decimal | None = None
    vehicles: list[EstimateVehicleRead] = []
    charges: list[EstimateChargeRead] = []


class BodyTooLarge(DomainError):
    """More was sent than any form of this page holds."""

    status = 413
    title = "Request too large"


# ---------------------------------------------------------------- the estimate

@dataclass(frozen=True)
class Estimate:
    """What the prospect is shown: the price and its vehicles, or (valid False) why there is none."""

    valid: bool
    message: str
    total: Decimal | None = None
    deposit: Decimal | None = None
    vehicles: tuple[dict[str, Any], ...] = ()
    charges: tuple[dict[str, Any], ...] = ()
    miles: Decimal | None = None
    hours: Decimal | None = None
    hub_name: str = ""


def _company() -> dict[str, str]:
    """The company's name and contacts, as the public pages show them."""
    settings = get_settings()
    return {"company_name": settings.company_name, "company_phone": settings.company_phone,
            "company_tel": "".join(c for c in settings.company_phone if c.isdigit() or c == "+"),
            "company_email": settings.company_email, "company_address": settings.company_address}


def money(value: Decimal | None) -> str:
    """$1,234.50."""
    return "" if value is None else f"${value:,.2f}"


def _hub_label(hub) -> str:
    place = ", ".join(p for p in (hub.city, hub.state) if p)
    return f"{hub.name} ({place})" if place and hub.city not in hub.name else hub.name


def _choices(session: Session) -> tuple[dict[int, Any], dict[int, Any]]:
    """The active hubs and vehicle types by id."""
    hubs = {h.id: h for h in fleet_service.list_hubs(session, SYSTEM, is_active=True)}
    types = {t.id: t for t in fleet_service.list_vehicle_types(session, SYSTEM, is_active=True)}
    return hubs, types


def _date_problem(hub, day: date) -> str | None:
    """Why the trip cannot be on day at the hub (passed, or too far ahead), or None."""
    today = clock.now().astimezone(ZoneInfo(hub.timezone)).date()
    if day < today:
        return "Choose a date from today on."
    if day > today + timedelta(days=365 * MAX_YEARS_AHEAD):
        return f"We quote trips up to {MAX_YEARS_AHEAD} years ahead."
    return None


def _unpriceable(reason: str) -> Estimate:
    return Estimate(valid=False, message=reason)


def estimate_trip(session: Session, trip: PublicTrip) -> Estimate:
    """Price the trip as the pricing service does; Invalid naming the field when the trip itself is wrong
    (closed hub, past date, too many vehicles), an Estimate with valid False when it cannot be priced online
    (an address that is not found, no rate)."""
    hubs, types = _choices(session)
    hub, vtype = hubs.get(trip.hub_id), types.get(trip.vehicle_type_id)
    errors = []
    if hub is None:
        errors.append({"field": "hub_id", "message": "Choose one of our locations."})
    if vtype is None:
        errors.append({"field": "vehicle_type_id", "message": "Choose one of our vehicles."})
    problem = _date_problem(hub, trip.trip_date) if hub is not None else None
    if problem:
        errors.append({"field": "trip_date", "message": problem})
    quantity = 1
    if vtype is not None:
        quantity = max(1, math.ceil(trip.passenger_count / vtype.capacity)) if vtype.capacity else 1
        if quantity > 100:
            errors.append({"field": "passenger_count",
                           "message": f"That needs over 100 {vtype.name} vehicles: choose a larger vehicle."})
    if errors:
        raise Invalid("Please check the trip details.", errors=errors)
    stops = [trip.origin, trip.destination] + ([trip.origin] if trip.trip_type == "round_trip" else [])
    request = QuoteRequest(hub_id=hub.id, trip_date=trip.trip_date, trip_type=trip.trip_type,
                           passenger_count=trip.passenger_count,
                           vehicles=[{"vehicle_type_id": vtype.id, "quantity": quantity}],
                           stops=[{"address": address} for address in stops])
    try:
        quote = pricing_service.calculate_quote(session, SYSTEM, request)
    except Invalid as exc:
        fields = [str(e.get("field") or "") for e in exc.errors]
        if "trip_date" in fields:
            raise Invalid.field("trip_date", "Choose a date from today on.") from None
        stop = next((f for f in fields if f.startswith("stops.")), None)
        if stop is not None:
            index = int(stop.split(".")[1]) if stop.split(".")[1].isdigit() else 0
            address = stops[index] if index < len(stops) else trip.origin
            return _unpriceable(f"We couldn't find “{address}” on our map, so we can't work out the route "
                                "automatically.")
        return _unpriceable("We can't price this trip online.")
    return _shown(quote, vtype, quantity, hub)


def _shown(quote: dict[str, Any], vtype, quantity: int, hub) -> Estimate:
    """The client-facing part of a calculated quote: total, deposit, vehicles, other charges by kind."""
    vehicles, charges = [], {}
    for line in quote["lines"]:
        amount = Decimal(line["amount"])
        if line["kind"] == "vehicle":
            vehicles.append({"name": vtype.name, "capacity": vtype.capacity, "quantity": quantity,
                             "amount": amount})
        else:
            label = CHARGE_WORDS.get(line["kind"], "Other charges")
            charges[label] = charges.get(label, Decimal(0)) + amount
    inputs = quote.get("inputs") or {}
    return Estimate(valid=True, message="Estimated from our current rates.", total=Decimal(quote["total"]),
                    deposit=Decimal(quote["deposit"]), vehicles=tuple(vehicles),
                    charges=tuple({"label": k, "amount": v} for k, v in charges.items() if v),
                    miles=Decimal(inputs["miles"]) if "miles" in inputs else None,
                    hours=Decimal(inputs["hours"]) if "hours" in inputs else None, hub_name=hub.name)


def _lead_notes(trip: PublicTrip, estimate: Estimate, said: str | None) -> str:
    """The lead's notes: what was estimated online (or why nothing was), then the prospect's own words."""
    route = f"{trip.origin} → {trip.destination}" + (" and back" if trip.trip_type == "round_trip" else "")
    if estimate.valid:
        fleet = ", ".join(f"{v['quantity']} × {v['name']}" for v in estimate.vehicles)
        head = (f"Online estimate {money(estimate.total)} (deposit {money(estimate.deposit)}) for {fleet}, "
                f"{TRIP_TYPES[trip.trip_type].lower()}: {route}, about {estimate.miles} miles and "
                f"{estimate.hours} hours.")
    else:
        head = f"No online estimate ({estimate.message}) Route: {route}."
    return head + (f"\n\nFrom the prospect:\n{said}" if said else "")


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
            hubs, _ = _choices(session)
            hub = hubs.get(int(data["hub_id"])) if data["hub_id"].isdigit() else None
            try:
                problem = _date_problem(hub, date.fromisoformat(data["trip_date"])) if hub else None
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
          estimate: Estimate | None = None, notice: str | None = None, status_code: int = 200,
          block: str | None = None, headers: dict[str, str] | None = None):
    hubs, types = _choices(session)
    settings = get_settings()
    context = {"title": "Instant charter estimate", **_company(),
               "hub_options": [(h.id, _hub_label(h)) for h in hubs.values()],
               "type_options": [(t.id, f"{t.name} · up to {t.capacity} passengers") for t in types.values()],
               "trip_type_options": list(TRIP_TYPES.items()), "values": data, "form_errors": errors,
               "estimate": estimate, "notice": notice, "money": money,
               "min_date": clock.now().astimezone(ZoneInfo(settings.company_timezone)).date().isoformat()}
    return render(request, "sales/public_quote.html", context, status_code=status_code, block=block,
                  headers=headers)


@router.get(BASE)
def quote_page(request: Request, session: SessionDep):
    """The calculator: trip details, an instant estimate, then contact details."""
    hubs, types = _choices(session)
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
        estimate = estimate_trip(session, _trip(session, data))
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
        estimate = estimate_trip(session, trip)
        vtype = _choices(session)[1][trip.vehicle_type_id]
        sales_service.create_lead(
            session, SYSTEM, source="online", first_name=contact.first_name, last_name=contact.last_name,
            email=contact.email, phone=contact.phone, company=contact.company, trip_date=trip.trip_date,
            origin=trip.origin, destination=trip.destination, passenger_count=trip.passenger_count,
            vehicle_type=vtype.name[:50], trip_type=trip.trip_type, hub_id=trip.hub_id,
            estimated_value=estimate.total if estimate.valid else None,
            notes=_lead_notes(trip, estimate, contact.notes))
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
    estimate = estimate_trip(session, body)
    return PublicEstimateRead(valid=estimate.valid, message=estimate.message, total=estimate.total,
                              deposit=estimate.deposit, vehicles=list(estimate.vehicles),
                              charges=list(estimate.charges))
