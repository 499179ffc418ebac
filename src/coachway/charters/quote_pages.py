"""The quote builder panel on a charter's page, and the client's own page for a quote (/q/{token}).

The panel (charters/_quote.html) prices an open quote: amenities ticked on and off, a promo code, the
line-by-line breakdown with deposit and balance (and, for staff who may read it, the estimated vendor cost
and margin), and the ways to put the quote in front of the client: the signed link, the PDF, the email; and
a new revision.
Every control posts with HTMX and gets the whole panel back, re-rendered from the saved quote. The panel also
fetches itself again when the vehicles or the itinerary change elsewhere on the page (the "quote-changed" and
"charter-route-changed" events those answers carry), because the service re-prices a quote on such changes.

The client's page needs no sign-in: the signed token in its address is the credential. Its accept form is also
protected by the site's ordinary CSRF token, which works without a session: before sign-in the token is bound
to the pre-session nonce cookie the page middleware hands out with the GET (web/csrf.py), so a form posted
from another site, or without having loaded the page, is refused.
"""

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Path, Request
from sqlalchemy.orm import Session

from coachway.charters import service, views
from coachway.config import get_settings
from coachway.core.deps import client_ip, undo_refused
from coachway.core.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from coachway.core.fields import MAX_ID
from coachway.core.permissions import Actor
from coachway.pricing import service as pricing_service
from coachway.web.deps import FormDep, PageActor, PageSession
from coachway.web.forms import FormErrors
from coachway.web.templating import is_htmx, redirect, render

router = APIRouter(include_in_schema=False)
Id = Annotated[int, Path(ge=1, le=MAX_ID)]

PRICING_WORDS = {"flat_fee": "flat fee", "per_passenger": "per passenger", "per_hour": "per hour",
                 "per_day": "per day"}
# An amount "per passenger" already counts everyone; a quantity means something for the others.
COUNTED = {"flat_fee", "per_hour", "per_day"}
BASE_KINDS = {"vehicle", "deadhead", "second_driver", "overnight", "amenity"}
MAX_QUANTITY = 100
MAX_PROMO = 50
MAX_NAME = 200
# Anything longer than this is not a link we made (real ones are a few hundred characters).
MAX_TOKEN = 4096
NOT_ROUTED = "itinerary not routed yet"
LABELS = {"promo_code": "Promo code", "quantity": "Quantity", "amenity_id": "Amenity", "vehicles": "Vehicles",
          "quoted_price": "Price", "status": "Status", "signer_name": "Your name", "agree": "Acceptance"}
ERROR_STATUS = {"invalid": 404, "expired": 410, "superseded": 410, "cancelled": 410}


# ---------------------------------------------------------------- words and numbers

def _amount(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _money(value: Any) -> str:
    """"1234.5" -> "$1,234.50"; a negative amount (a discount) -> "−$50.00"."""
    amount = _amount(value)
    if amount is None:
        return "—"
    sign = "−" if amount < 0 else ""
    return f"{sign}${abs(amount):,.2f}"


def _when(moment: datetime | None, timezone: str) -> str:
    """An instant as the hub's local date and time: "Wed Nov 25, 2026 09:05 EST"."""
    if moment is None:
        return ""
    there = moment.astimezone(ZoneInfo(timezone))
    return f"{there:%a %b} {there.day}, {there:%Y %H:%M} {there.tzname() or timezone}"


def _day(moment: datetime | None, timezone: str) -> str:
    """An instant as the hub's local date: "November 25, 2026"."""
    if moment is None:
        return ""
    there = moment.astimezone(ZoneInfo(timezone))
    return f"{there:%B} {there.day}, {there.year}"


def _number(text: Any) -> int | None:
    text = str(text or "").strip()
    return int(text) if text.isdigit() and len(text) <= 6 else None


# ---------------------------------------------------------------- what the panel shows

def _breakdown(quote: dict[str, Any] | None, *, internal: bool = False) -> dict[str, Any] | None:
    """The saved quote as table rows: the trip's own lines, a subtotal when adjustments follow, the total;
    internal adds the estimated vendor cost and margin (when the quote carries them)."""
    if not quote:
        return None
    lines = [{"kind": line["kind"], "label": line["label"], "detail": line.get("detail") or "",
              "amount": _amount(line["amount"]) or Decimal(0), "text": _money(line["amount"]),
              "ref_id": line.get("ref_id")} for line in quote.get("lines", [])]
    base = [line for line in lines if line["kind"] in BASE_KINDS]
    adjustments = [line for line in lines if line["kind"] not in BASE_KINDS]
    total = _amount(quote.get("total")) or Decimal(0)
    view: dict[str, Any] = {
        "base": base, "adjustments": adjustments, "subtotal": _money(quote.get("subtotal")),
        "total": _money(total), "total_amount": total, "deposit": _money(quote.get("deposit")),
        "balance": _money(quote.get("balance")), "promo_code": quote.get("promo_code"),
        "promo_problem": quote.get("promo_problem"),
        "notes": [n for n in quote.get("notes") or [] if n and n != NOT_ROUTED]}
    cost, margin = _amount(quote.get("estimated_vendor_cost")), _amount(quote.get("margin"))
    if internal and cost is not None and margin is not None:
        share = f"{(margin * 100 / total):.1f}%" if total > 0 else "—"
        view["internal"] = {"cost": _money(cost), "margin": _money(margin), "share": share,
                            "thin": margin <= 0}
    return view


def _amenities(session: Session, actor: Actor, chosen: list[dict[str, Any]],
               quote: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Every active amenity to tick (and any on the quote that is no longer offered), with its price in words
    and, when ticked, its amount in the saved quote."""
    try:
        offered = pricing_service.list_amenities(session, actor, active_only=True)
    except (Forbidden, NotFound):
        offered = []
    on = {a["amenity_id"]: a for a in chosen}
    amounts = {line.get("ref_id"): line["amount"] for line in (quote or {}).get("lines", [])
               if line.get("kind") == "amenity"}
    rows = []
    for amenity in offered:
        rows.append({"id": amenity.id, "name": amenity.name, "category": amenity.category,
                     "pricing_type": amenity.pricing_type, "base_price": amenity.base_price})
    known = {row["id"] for row in rows}
    for amenity_id, a in on.items():
        if amenity_id not in known:  # taken off the list since it was added: it can still be taken off
            rows.append({"id": amenity_id, "name": a["name"], "category": a["category"], "retired": True,
                         "pricing_type": a["pricing_type"], "base_price": a["price_per_unit"]})
    for row in rows:
        line = on.get(row["id"])
        words = PRICING_WORDS.get(row["pricing_type"], row["pricing_type"].replace("_", " "))
        row |= {"price": f"{_money(row['base_price'])} {words}", "selected": line is not None,
                "quantity": line["quantity"] if line else 1, "counted": row["pricing_type"] in COUNTED,
                "amount": _money(amounts[row["id"]]) if row["id"] in amounts else None}
    return rows


def _reads_margin(actor: Actor) -> bool:
    """True for staff who may see what a trip costs us and earns (never a client)."""
    return actor.is_staff and ("*" in actor.permissions or actor.can("pricing:read_internal"))


def _newest_revision(view: dict[str, Any]) -> dict[str, Any] | None:
    """The revision that replaced this quote last, from its history."""
    if view.get("superseded_by_id") is None:
        return None
    newer = view.get("newer_revision")
    rows = view.get("revisions") or []
    match = next((r for r in rows if r["revision_number"] == newer), None) or (rows[-1] if rows else None)
    if match is None:
        return {"id": view["superseded_by_id"], "revision_number": newer}
    return {"id": match["id"], "revision_number": match["revision_number"]}


def quote_panel(session: Session, actor: Actor, charter_id: int, **extra: Any) -> dict[str, Any] | None:
    """Everything the quote panel shows for this actor (None for people outside the company)."""
    if not actor.is_staff:
        return None
    view = service.quote_view(session, actor, charter_id)
    timezone = view["hub"]["timezone"]
    superseded = _newest_revision(view)
    is_open = view["status"] == "quote" and superseded is None
    can_price = is_open and actor.can("charters:update")
    priced = view.get("priced_at") is not None and view.get("breakdown") is not None
    can_send = is_open and priced and actor.can("charters:send_quote")
    has_vehicles = bool(view["vehicles"])
    routed = view.get("total_hours") is not None and (view.get("total_miles") or 0) > 0
    quote = view.get("breakdown")
    accepted = view.get("accepted")
    link = view.get("link") or {}
    panel = {
        "charter_id": view["charter_id"], "quote_number": view["quote_number"],
        "revision_number": view["revision_number"], "status": view["status"], "superseded": superseded,
        "is_open": is_open, "can_price": can_price, "can_send": can_send,
        "can_revise": is_open and actor.can("charters:update"),
        "ready": has_vehicles and routed, "has_vehicles": has_vehicles, "routed": routed,
        "has_stops": bool(view["stops"]),
        "amenities": _amenities(session, actor, view["amenities"], quote) if can_price else [],
        "breakdown": _breakdown(quote, internal=_reads_margin(actor)),
        "priced_at": _when(view.get("priced_at"), timezone),
        "revisions": [{**r, "price": _money(r["quoted_price"]) if r.get("quoted_price") is not None else None,
                       "created": _when(r.get("created_at"), timezone),
                       "current": r["id"] == view["charter_id"]} for r in view.get("revisions") or []],
        "accepted": None if accepted is None else {
            "at": _when(accepted["at"], timezone), "ip": accepted.get("ip"),
            "user_agent": accepted.get("user_agent")},
        "link": {"created": link.get("created", False), "sent_at": _when(link.get("sent_at"), timezone),
                 "valid_until": _when(link.get("valid_until"), timezone),
                 "expired": link.get("expired", False)},
        "promo_value": "", "promo_errors": None, "amenity_errors": None, "amenity_values": None,
        "error": None, "notice": None,
        "client_url": None, "client_url_expires": None, "document": None, "sent": None,
    }
    panel |= extra
    if panel["promo_value"] == "" and panel["breakdown"]:
        panel["promo_value"] = panel["breakdown"]["promo_code"] or ""
    return panel


# ---------------------------------------------------------------- answering the panel's requests

def _staff_only(actor: Actor) -> None:
    """The quote builder is the company's tool: clients, vendors and drivers are refused (403)."""
    if not actor.is_staff:
        raise Forbidden("The quote builder is for staff.")


def _panel(request: Request, session: Session, actor: Actor, charter_id: int, *, status_code: int = 200,
           **extra: Any):
    """The panel alone (for HTMX)."""
    _staff_only(actor)
    return render(request, "charters/_quote.html",
                  {"quote_panel": quote_panel(session, actor, charter_id, **extra)}, status_code=status_code)


def _done(request: Request, session: Session, actor: Actor, charter_id: int, message: str, **extra: Any):
    """After a change: the panel with the message for HTMX, else back to the charter's page."""
    if is_htmx(request):
        return _panel(request, session, actor, charter_id, notice=message, **extra)
    return redirect(request, f"/admin/charters/{charter_id}#quote", flash=message)


def _refused(request: Request, session: Session, actor: Actor, charter_id: int, exc: DomainError,
             **extra: Any):
    """After a refusal: nothing is kept, and the panel says why (the whole page without JavaScript)."""
    undo_refused(session, exc)
    extra.setdefault("error", exc.detail)
    if is_htmx(request):
        return _panel(request, session, actor, charter_id, status_code=exc.status, **extra)
    from coachway.charters.pages import _show  # pages includes this module's router at its end

    return _show(request, session, actor, charter_id, status_code=exc.status,
                 quote_panel=quote_panel(session, actor, charter_id, **extra))


def _total_now(session: Session, actor: Actor, charter_id: int) -> str:
    charter = service.get_charter(session, actor, charter_id)
    return _money(charter.quoted_price)


@router.get("/admin/charters/{charter_id}/quote/panel")
def quote_panel_page(request: Request, charter_id: Id, actor: PageActor, session: PageSession):
    """The quote panel again (HTMX asks for it when the vehicles or the itinerary change)."""
    _staff_only(actor)
    if not is_htmx(request):
        return redirect(request, f"/admin/charters/{charter_id}#quote")
    return _panel(request, session, actor, charter_id)


@router.post("/admin/charters/{charter_id}/quote/amenities/{amenity_id}")
def quote_amenity(request: Request, charter_id: Id, amenity_id: Id, actor: PageActor, session: PageSession,
                  form: FormDep):
    """Tick an amenity on (with its quantity) or off; the quote is priced again."""
    _staff_only(actor)
    selected = form.get("selected") == "on"
    quantity_text = str(form.get("quantity") or "1").strip()
    quantity = _number(quantity_text)
    try:
        if selected and (quantity is None or not 1 <= quantity <= MAX_QUANTITY):
            raise Invalid.field("quantity", f"Enter a whole number from 1 to {MAX_QUANTITY}.")
        chosen = {a["amenity_id"]: a for a in service.list_charter_amenities(session, actor, charter_id)}
        if selected:
            line = service.add_charter_amenity(session, actor, charter_id, amenity_id, quantity=quantity or 1)
            name = line["name"]
            what = f"Added {name}" if amenity_id not in chosen else f"{name}: quantity {line['quantity']}"
        elif amenity_id in chosen:
            name = chosen[amenity_id]["name"]
            service.remove_charter_amenity(session, actor, charter_id, amenity_id)
            what = f"Removed {name}"
        else:
            return _done(request, session, actor, charter_id, "Nothing to change.")
    except (Invalid, Conflict) as exc:
        errors = FormErrors.of(exc, LABELS)
        return _refused(request, session, actor, charter_id, exc, amenity_errors={amenity_id: errors},
                        amenity_values={amenity_id: quantity_text[:6]},
                        error=None if isinstance(exc, Invalid) else exc.detail)
    total = _total_now(session, actor, charter_id)
    return _done(request, session, actor, charter_id, f"{what}. The total is now {total}.")


@router.post("/admin/charters/{charter_id}/quote/promo")
def quote_promo(request: Request, charter_id: Id, actor: PageActor, session: PageSession, form: FormDep):
    """Apply a promo code to the quote; one that does not apply says why next to the field."""
    _staff_only(actor)
    code = str(form.get("promo_code") or "").strip()
    try:
        if not code:
            raise Invalid.field("promo_code", "Type the promo code first.")
        if len(code) > MAX_PROMO:
            raise Invalid.field("promo_code", f"A promo code has at most {MAX_PROMO} characters.")
        result = service.set_charter_promo(session, actor, charter_id, code)
    except (Invalid, Conflict) as exc:
        errors = FormErrors.of(exc, LABELS)
        general = None if "promo_code" in errors.fields else exc.detail
        return _refused(request, session, actor, charter_id, exc, promo_errors=errors, promo_value=code,
                        error=general)
    off = _money(result.get("discount_amount")) if result.get("discount_amount") is not None else None
    total = _total_now(session, actor, charter_id)
    message = f"Applied code {code.upper() if code.isascii() else code}"
    message += f": {off} off" if off else ""
    return _done(request, session, actor, charter_id, f"{message}. The total is now {total}.")


@router.post("/admin/charters/{charter_id}/quote/promo/remove")
def quote_promo_remove(request: Request, charter_id: Id, actor: PageActor, session: PageSession,
                       form: FormDep):
    """Take the promo code off the quote."""
    _staff_only(actor)
    try:
        service.set_charter_promo(session, actor, charter_id, None)
    except (Invalid, Conflict) as exc:
        return _refused(request, session, actor, charter_id, exc)
    total = _total_now(session, actor, charter_id)
    return _done(request, session, actor, charter_id, f"Removed the promo code. The total is now {total}.")


@router.post("/admin/charters/{charter_id}/quote/calculate")
def quote_calculate(request: Request, charter_id: Id, actor: PageActor, session: PageSession, form: FormDep):
    """Price the quote again with today's rates, amenities and promo code, and save it."""
    _staff_only(actor)
    try:
        service.calculate_charter(session, actor, charter_id, save=True)
    except (Invalid, Conflict) as exc:
        return _refused(request, session, actor, charter_id, exc)
    total = _total_now(session, actor, charter_id)
    return _done(request, session, actor, charter_id,
                 f"Priced again with the current rates: the total is {total}.")


@router.post("/admin/charters/{charter_id}/quote/revise")
def quote_revise(request: Request, charter_id: Id, actor: PageActor, session: PageSession, form: FormDep):
    """Replace the quote by a new revision and go to it; the old one's link stops working."""
    _staff_only(actor)
    try:
        charter = service.revise_quote(session, actor, charter_id)
    except (Invalid, Conflict) as exc:
        return _refused(request, session, actor, charter_id, exc)
    return redirect(request, f"/admin/charters/{charter.id}#quote",
                    flash=f"Revision {charter.revision_number} is open (charter {charter.id}). Links to the "
                          "earlier revision no longer work: send the client this one.")


@router.post("/admin/charters/{charter_id}/quote/send")
def quote_send(request: Request, charter_id: Id, actor: PageActor, session: PageSession, form: FormDep):
    """Email the quote, with its link and PDF, to the client."""
    _staff_only(actor)
    try:
        result = service.send_quote(session, actor, charter_id)
    except (Invalid, Conflict) as exc:
        return _refused(request, session, actor, charter_id, exc)
    if result.get("suppressed"):
        reason = result.get("suppressed_reason") or "the client's email preferences"
        message = f"Not emailed to {result.get('recipient') or 'the client'}: {reason}"
        sent = {"ok": False, "text": message}
    else:
        message = f"Emailed the quote to {result.get('recipient') or 'the client'}."
        sent = {"ok": True, "text": message}
    if is_htmx(request):
        return _panel(request, session, actor, charter_id, sent=sent)
    return redirect(request, f"/admin/charters/{charter_id}#quote", flash=message,
                    kind="success" if sent["ok"] else "error")


@router.post("/admin/charters/{charter_id}/quote/pdf")
def quote_pdf(request: Request, charter_id: Id, actor: PageActor, session: PageSession, form: FormDep):
    """Make the quote's PDF, file it with the charter's documents and link to it."""
    _staff_only(actor)
    try:
        document = service.quote_pdf(session, actor, charter_id)
    except (Invalid, Conflict) as exc:
        return _refused(request, session, actor, charter_id, exc)
    found = {"id": document.id, "name": getattr(document, "file_name", None) or f"Document {document.id}",
             "href": f"/admin/documents/{document.id}/download"}
    if is_htmx(request):
        return _panel(request, session, actor, charter_id, document=found)
    return redirect(request, f"/admin/documents/{document.id}", flash="The quote PDF is filed with the "
                    "charter's documents.")


@router.post("/admin/charters/{charter_id}/quote/link")
def quote_link(request: Request, charter_id: Id, actor: PageActor, session: PageSession, form: FormDep):
    """The signed link the client opens the quote with, to copy into a message."""
    _staff_only(actor)
    try:
        link = service.secure_link(session, actor, charter_id)
    except (Invalid, Conflict) as exc:
        return _refused(request, session, actor, charter_id, exc)
    timezone = service.quote_view(session, actor, charter_id)["hub"]["timezone"]
    until = _when(link["expires_at"], timezone)
    if is_htmx(request):
        return _panel(request, session, actor, charter_id, client_url=link["url"], client_url_expires=until)
    return redirect(request, f"/admin/charters/{charter_id}#quote",
                    flash=f"The client's link, valid until {until}: {link['url']}", kind="info")


# ---------------------------------------------------------------- the client's page

def _client_view(view: dict[str, Any]) -> dict[str, Any]:
    """The client-safe quote in the words and local times of the page."""
    timezone = view["hub"]["timezone"]
    stops = []
    for stop in view["stops"]:
        arrival, departure = stop.get("arrival"), stop.get("departure")
        moment = arrival or departure
        stops.append({"n": stop["sequence"], "type": views.STOP_TYPE_LABELS.get(stop["stop_type"], "Stop"),
                      "name": stop["location_name"] or stop["address"] or f"Stop {stop['sequence']}",
                      "address": stop["address"] if stop["location_name"] else None,
                      "arrive": f"{arrival:%H:%M}" if arrival is not None else None,
                      "leave": f"{departure:%H:%M}" if departure is not None else None,
                      "day": (f"{moment:%a %b} {moment.day}" if moment is not None
                              and moment.date() != view["trip_date"] else None)})
    pickup = view.get("start_local")
    end = view.get("end_local")
    company = view.get("company") or {}
    accepted = view.get("accepted")
    return {
        **view, "company_name": company.get("name") or get_settings().company_name,
        "trip_type_label": views.TRIP_TYPE_LABELS.get(view["trip_type"], view["trip_type"]),
        "trip_day": f"{view['trip_date']:%A, %B} {view['trip_date'].day}, {view['trip_date'].year}",
        "pickup": f"{pickup:%H:%M} {pickup.tzname() or ''}".strip() if pickup is not None
        else (view["pickup_time"].strftime("%H:%M") if view.get("pickup_time") else None),
        "ends": f"{end:%A, %B} {end.day}, {end:%H:%M}" if end is not None else None,
        "stops_shown": stops, "breakdown_view": _breakdown(view.get("breakdown")),
        "vehicle_lines": [f"{v['quantity']} × {v['name']}" + (f" ({v['capacity']} seats each)"
                                                              if v.get("capacity") else "")
                          for v in view["vehicles"]],
        "amenity_lines": [a["name"] + (f" × {a['quantity']}" if a["quantity"] != 1 else "")
                          for a in view["amenities"]],
        "valid_until_text": _day(view.get("valid_until"), timezone),
        "accepted_text": _day(accepted["at"], timezone) if accepted else None,
        "terms_lines": [line for line in (view.get("terms") or "").splitlines()],
    }


def _token_ok(token: str) -> bool:
    """False for strings no link of ours can be (so they never reach the decoder)."""
    return bool(token) and len(token) <= MAX_TOKEN and token.isascii() and token.isprintable()


def _link_error(request: Request, exc: "service.QuoteLinkError"):
    """The page a link that cannot be used shows (404 for a wrong link, 410 for one that has gone)."""
    reason = exc.reason
    status = ERROR_STATUS.get(reason, 404)
    settings = get_settings()
    company = {"name": settings.company_name, "phone": getattr(settings, "company_phone", None),
               "email": getattr(settings, "company_email", None)}
    return render(request, "charters/public_quote_error.html",
                  {"reason": reason, "newer_revision": getattr(exc, "newer_revision", None),
                   "company_name": company["name"], "company": company, "title": "Quote link"},
                  status_code=status, headers={"X-Robots-Tag": "noindex, nofollow"})


def _public_page(request: Request, session: Session, token: str, *, values: dict[str, str] | None = None,
                 errors: FormErrors | None = None, status_code: int = 200):
    if not _token_ok(token):
        return _link_error(request, service.QuoteLinkError("invalid"))
    try:
        view = service.open_quote(session, token)
    except service.QuoteLinkError as exc:
        return _link_error(request, exc)
    quote = _client_view(view)
    return render(request, "charters/public_quote.html",
                  {"q": quote, "token": token, "values": values or {}, "form_errors": errors,
                   "company_name": quote["company_name"], "title": f"Quote {quote['quote_number']}"},
                  status_code=status_code, headers={"X-Robots-Tag": "noindex, nofollow"})


@router.get("/q/{token:path}")
def public_quote(request: Request, token: str, session: PageSession):
    """The client's quote, opened from its signed link (no sign-in)."""
    return _public_page(request, session, token)


@router.post("/q/{token}/accept")
def public_quote_accept(request: Request, token: str, session: PageSession, form: FormDep):
    """The client accepts the quote: name, the box ticked, and their address and browser are recorded."""
    name = " ".join(str(form.get("signer_name") or "").split())
    agreed = form.get("agree") == "on"
    errors = []
    if not name:
        errors.append({"field": "signer_name", "message": "Type your full name to sign."})
    elif len(name) > MAX_NAME:
        errors.append({"field": "signer_name", "message": f"Use at most {MAX_NAME} characters."})
    if not agreed:
        errors.append({"field": "agree", "message": "Tick the box to accept the quote and its terms."})
    if errors:
        exc = Invalid("Please complete the acceptance.", errors=errors)
        return _public_page(request, session, token, values={"signer_name": name},
                            errors=FormErrors.of(exc, LABELS), status_code=422)
    if not _token_ok(token):
        return _link_error(request, service.QuoteLinkError("invalid"))
    try:
        service.accept_quote(session, token, ip=client_ip(request),
                             user_agent=request.headers.get("user-agent"), name=name)
    except service.QuoteLinkError as exc:
        return _link_error(request, exc)
    except Conflict as exc:
        undo_refused(session, exc)
        exc_errors = FormErrors(exc.detail)
        return _public_page(request, session, token, values={"signer_name": name}, errors=exc_errors,
                            status_code=exc.status)
    return redirect(request, f"/q/{token}#accepted")
