"""Pricing pages: the rate matrix (cells edited in place), the pricing policy and a "Try a price" calculator
on /admin/pricing; amenities, promo codes and modifiers as its other tabs.

Every rule lives in pricing/service; these handlers parse the form, call the service and pick a page (or,
for an HTMX request, the one block of it that changed).
"""

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from coachway.core import clock
from coachway.core.deps import undo_refused
from coachway.core.errors import Conflict, DomainError, Invalid, NotFound
from coachway.core.fields import MAX_ID
from coachway.core.permissions import SYSTEM, Actor, require
from coachway.fleet import service as fleet_service
from coachway.pricing import service, views
from coachway.pricing.engine import WEEKDAYS
from coachway.pricing.schemas import (
    AmenityCreate,
    ModifierCreate,
    PricingConfigUpdate,
    PromoCodeCreate,
    QuoteRequest,
    RateUpsert,
)
from coachway.web import nav
from coachway.web.deps import FormDep, PageActor, PageSession
from coachway.web.forms import FormErrors, validate, values
from coachway.web.templating import is_htmx, pager, redirect, render

router = APIRouter(include_in_schema=False)
nav.register("Pricing", "/admin/pricing", permission="pricing:read", order=25,
             description="Rate matrix and pricing policy, amenities, promo codes and modifiers; try a price.")

BASE = "/admin/pricing"
PAGE_SIZE = 25
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
Filter = Annotated[str, Query(max_length=20)]
# (key, label, address, permission to see the tab)
TABS = [("rates", "Rates & policy", BASE, "pricing:read"),
        ("amenities", "Amenities", f"{BASE}/amenities", "pricing:read"),
        ("promos", "Promo codes", f"{BASE}/promo-codes", "pricing:read"),
        ("modifiers", "Modifiers", f"{BASE}/modifiers", "pricing:read"),
        ("dot", "DOT rules", "/admin/settings/dot-regulations", "dot_regulations:manage")]
RATE_REQUIRED = ("hourly_rate", "minimum_hours", "per_mile_rate")
RATE_ZERO_IF_BLANK = ("deadhead_per_mile", "second_driver_hourly", "driver_hotel_per_night",
                      "driver_meals_per_night", "vendor_hourly_cost", "vendor_per_mile_cost")
RATE_FIELDS = (*RATE_REQUIRED, "daily_rate", *RATE_ZERO_IF_BLANK)
VENDOR_FIELDS = ("vendor_hourly_cost", "vendor_per_mile_cost")
POLICY_FIELDS = ("price_rule", "deadhead_policy", "deadhead_free_miles", "fuel_surcharge_pct",
                 "default_gratuity_pct", "deposit_percentage", "quote_valid_days", "quote_terms")
TRY_FIELDS = ("hub_id", "trip_date", "end_date", "trip_type", "passenger_count", "vehicle_type_id",
              "quantity", "hours", "miles", "promo_code", "event_type")
AMENITY_FIELDS = ("name", "description", "category", "base_price", "pricing_type")
PROMO_FIELDS = ("code", "description", "discount_type", "discount_value", "valid_from", "valid_until",
                "max_uses", "min_purchase_amount")
PROMO_LISTS = ("applicable_trip_types", "applicable_vehicle_types")
MODIFIER_FIELDS = ("name", "modifier_type", "adjustment_type", "adjustment_value", "priority",
                   "lead_time_hours", "event_types", "date_ranges")
MODIFIER_LISTS = ("applicable_days", "applicable_hubs")
# How the error summaries name fields whose label is not their name.
LABELS = {"hourly_rate": "Per hour", "minimum_hours": "Minimum hours", "per_mile_rate": "Per mile",
          "daily_rate": "Per day", "deadhead_per_mile": "Deadhead per mile",
          "second_driver_hourly": "Second driver per hour",
          "driver_hotel_per_night": "Driver hotel per night",
          "driver_meals_per_night": "Driver meals per night", "vendor_hourly_cost": "Vendor cost per hour",
          "vendor_per_mile_cost": "Vendor cost per mile", "price_rule": "Base price",
          "deadhead_policy": "Deadhead miles", "deadhead_free_miles": "Free deadhead miles",
          "fuel_surcharge_pct": "Fuel surcharge", "default_gratuity_pct": "Driver gratuity",
          "deposit_percentage": "Deposit", "quote_valid_days": "Quotes valid for",
          "quote_terms": "Quote terms",
          "hub_id": "Hub", "trip_date": "Trip date", "end_date": "Last day", "trip_type": "Trip type",
          "passenger_count": "Passengers", "vehicle_type_id": "Vehicle type", "quantity": "Vehicles",
          "amenities": "Amenities", "promo_code": "Promo code", "base_price": "Price",
          "pricing_type": "Priced", "discount_type": "Discount", "discount_value": "Amount off",
          "valid_from": "First trip date", "valid_until": "Last trip date", "max_uses": "Uses allowed",
          "min_purchase_amount": "Minimum trip price", "applicable_trip_types": "Trip types",
          "applicable_vehicle_types": "Vehicle types", "modifier_type": "Applies to",
          "adjustment_type": "Adjustment", "adjustment_value": "Amount", "applicable_days": "Days",
          "applicable_hubs": "Hubs", "event_types": "Event types", "date_ranges": "Date ranges",
          "lead_time_hours": "Within (hours)"}
# Where a nested error of a request lands on the form (vehicles.0.quantity -> quantity).
TRY_FORM_NAMES = {"vehicles.0.vehicle_type_id": "vehicle_type_id", "vehicles.0.quantity": "quantity",
                  "vehicles": "vehicle_type_id", "vehicles.0": "vehicle_type_id"}


def _errors(exc: DomainError, names: dict[str, str] | None = None) -> FormErrors:
    """The form's errors, each on the form field it belongs to (date_ranges.0.start -> date_ranges)."""
    errors = FormErrors.of(exc, LABELS)
    fields: dict[str, str] = {}
    for name, message in errors.fields.items():
        name = (names or {}).get(name) or name.split(".")[0]
        fields.setdefault(name, message)
    errors.fields = fields
    return errors


def _tabs(actor: Actor) -> list[tuple[str, str, str]]:
    return [(key, label, href) for key, label, href, permission in TABS
            if "*" in actor.permissions or actor.can(permission)]


def _page(request: Request, actor: Actor, template: str, context: dict[str, Any], *, tab: str,
          status_code: int = 200, block: str | None = None):
    shared = {"tabs": _tabs(actor), "tab": tab, "money": views.money, "number": views.number,
              "category_labels": views.CATEGORY_LABELS, "pricing_labels": views.PRICING_TYPE_LABELS,
              "modifier_labels": views.MODIFIER_TYPE_LABELS, "trip_labels": views.TRIP_TYPE_LABELS}
    return render(request, template, {**shared, **context}, status_code=status_code, block=block)


def _number(text: str) -> int | None:
    text = (text or "").strip()
    return int(text) if text.isdigit() and 0 < int(text) <= MAX_ID else None


def _can(actor: Actor, permission: str) -> bool:
    return "*" in actor.permissions or actor.can(permission)


# ---------------------------------------------------------------- redirects

@router.get(BASE + "/dot-rules")
def dot_rules():
    """The DOT rules live with the charters' settings."""
    return RedirectResponse("/admin/settings/dot-regulations", status_code=303)


@router.get("/admin/settings/pricing")
def pricing_settings():
    """Pricing settings are the pricing page."""
    return RedirectResponse(BASE, status_code=303)


# ---------------------------------------------------------------- rates, policy and "Try a price"

def _policy_values(session: Session, actor: Actor) -> dict[str, str]:
    config = service.get_config(session, actor)
    shown = {key: views.plain(getattr(config, key)) for key in POLICY_FIELDS if key != "deposit_percentage"}
    return shown | {"deposit_percentage": views.plain(service.deposit_percentage(session))}


def _try_choices(session: Session, actor: Actor) -> dict[str, Any]:
    hubs = [h for h in fleet_service.list_hubs(session, SYSTEM) if h.is_active]
    types = [t for t in fleet_service.list_vehicle_types(session, SYSTEM) if t.is_active]
    return {"hub_options": [(h.id, f"{h.code} – {h.name}") for h in hubs],
            "type_options": [(t.id, f"{t.name} ({t.capacity} seats)") for t in types],
            "amenity_options": [(a.id, f"{a.name} ({views.money(a.base_price)} "
                                       f"{views.PRICING_TYPE_LABELS[a.pricing_type].lower()})")
                                for a in service.list_amenities(session, actor, active_only=True)],
            "trip_type_options": list(views.TRIP_TYPE_LABELS.items())}


def _rates_page(request: Request, session: Session, actor: Actor, *, status_code: int = 200,
                block: str | None = None, **extra):
    matrix = service.rate_matrix(session, actor)
    can_quote = _can(actor, "pricing:quote")
    context = {"title": "Pricing", "matrix": matrix, "can_manage": service.manages(actor),
               "can_internal": service.sees_internal(actor), "can_quote": can_quote,
               "policy_values": _policy_values(session, actor), "policy_errors": None,
               "price_rule_options": [(k, v[0].upper() + v[1:]) for k, v in service.PRICE_RULE_WORDS.items()],
               "deadhead_options": [(k, v[0].upper() + v[1:]) for k, v in service.DEADHEAD_WORDS.items()],
               "price_rule_words": service.PRICE_RULE_WORDS, "deadhead_words": service.DEADHEAD_WORDS,
               "try_values": {"trip_type": "round_trip", "quantity": "1", "passenger_count": "40"},
               "try_errors": None, "quote": None, **(_try_choices(session, actor) if can_quote else {}),
               **extra}
    return _page(request, actor, "pricing/rates.html", context, tab="rates", status_code=status_code,
                 block=block)


@router.get(BASE)
def pricing_home(request: Request, actor: PageActor, session: PageSession):
    """The rate matrix (hubs x vehicle types), the pricing policy and the "Try a price" calculator."""
    return _rates_page(request, session, actor)


def _cell(session: Session, actor: Actor, hub_id: int | None, type_id: int):
    """The matrix row's hub and the cell of one vehicle type there (404 when neither is in the matrix)."""
    for row in service.rate_matrix(session, actor).rows:
        if (row.hub.id if row.hub else None) == hub_id:
            for cell in row.cells:
                if cell.vehicle_type.id == type_id:
                    return row.hub, cell
    raise NotFound("That hub or vehicle type is not in the rate matrix.")


def _rate_values(cell) -> dict[str, str]:
    """What the edit form starts with: the cell's own rate, else the one it falls back to."""
    source = cell.rate or cell.effective
    if source is None:
        return {"hourly_rate": views.plain(cell.fallback_hourly), "minimum_hours": "5", "per_mile_rate": "0"}
    return {key: views.plain(getattr(source, key)) for key in RATE_FIELDS}


def _rate_edit(request: Request, session: Session, actor: Actor, hub_id: int | None, type_id: int, *,
               data: dict | None = None, errors: FormErrors | None = None, status_code: int = 200):
    require(actor, "pricing:manage")
    hub, cell = _cell(session, actor, hub_id, type_id)
    context = {"title": f"Rate of {cell.vehicle_type.name} at {hub.code if hub else 'the company default'}",
               "hub": hub, "cell": cell, "values": data if data is not None else _rate_values(cell),
               "form_errors": errors, "can_internal": service.sees_internal(actor),
               "columns": 8 if service.sees_internal(actor) else 7}
    block = "edit_row" if is_htmx(request) else None
    return _page(request, actor, "pricing/rate_form.html", context, tab="rates", status_code=status_code,
                 block=block)


def _rate_row(request: Request, session: Session, actor: Actor, hub_id: int | None, type_id: int,
              notice: str | None = None):
    hub, cell = _cell(session, actor, hub_id, type_id)
    context = {"row_hub": hub, "cell": cell, "can_manage": service.manages(actor),
               "can_internal": service.sees_internal(actor), "notice": notice}
    return _page(request, actor, "pricing/rates.html", context, tab="rates", block="rate_row")


@router.get(BASE + "/rates/edit")
def rate_edit(request: Request, actor: PageActor, session: PageSession, vehicle_type_id: Filter = "",
              hub_id: Filter = ""):
    """The form for one cell of the matrix (HTMX: in place of its row)."""
    type_id = _number(vehicle_type_id)
    if type_id is None:
        raise NotFound("Choose a cell of the rate matrix.")
    return _rate_edit(request, session, actor, _number(hub_id), type_id)


@router.get(BASE + "/rates/row")
def rate_row(request: Request, actor: PageActor, session: PageSession, vehicle_type_id: Filter = "",
             hub_id: Filter = ""):
    """One row of the matrix as shown (HTMX: cancel an edit); anyone else goes to the matrix."""
    type_id = _number(vehicle_type_id)
    if not is_htmx(request) or type_id is None:
        return RedirectResponse(BASE, status_code=303)
    return _rate_row(request, session, actor, _number(hub_id), type_id)


def _rate_form_data(form: FormData, can_internal: bool) -> dict[str, str]:
    names = [n for n in RATE_FIELDS if can_internal or n not in VENDOR_FIELDS]
    return {name: str(form.get(name) or "").strip() for name in names}


@router.post(BASE + "/rates")
def rate_save(request: Request, actor: PageActor, session: PageSession, form: FormDep):
    """Save one cell of the matrix (adding the hub's own rate when it had none)."""
    hub_id, type_id = _number(str(form.get("hub_id") or "")), _number(str(form.get("vehicle_type_id") or ""))
    if type_id is None:
        raise NotFound("Choose a cell of the rate matrix.")
    data = _rate_form_data(form, service.sees_internal(actor))
    sent: dict[str, Any] = {k: v for k, v in data.items() if v}
    sent |= {key: "0" for key in RATE_ZERO_IF_BLANK if key in data and not data[key]}
    try:
        body = views.validated(RateUpsert, {**sent, "vehicle_type_id": type_id, "hub_id": hub_id},
                               RATE_REQUIRED, data)
        fields = body.model_dump(exclude_unset=True, exclude={"hub_id", "vehicle_type_id"})
        fields["daily_rate"] = body.daily_rate
        service.upsert_rate(session, actor, hub_id=hub_id, vehicle_type_id=type_id, **fields)
    except (Invalid, Conflict) as exc:
        undo_refused(session, exc)
        return _rate_edit(request, session, actor, hub_id, type_id, data=data, errors=_errors(exc),
                          status_code=exc.status)
    hub, cell = _cell(session, actor, hub_id, type_id)
    message = f"Saved the rate of {cell.vehicle_type.name} at {hub.code if hub else 'the company default'}."
    if is_htmx(request):
        return _rate_row(request, session, actor, hub_id, type_id, notice="Saved.")
    return redirect(request, f"{BASE}#rates-{hub.code if hub else 'default'}", flash=message)


@router.post(BASE + "/rates/{rate_id}/delete")
def rate_delete(request: Request, rate_id: Id, actor: PageActor, session: PageSession, form: FormDep):
    """Remove a hub's own rate (it falls back to the company default) or a company default."""
    rate = service.get_rate(session, actor, rate_id)
    hub_id, type_id = rate.hub_id, rate.vehicle_type_id
    service.delete_rate(session, actor, rate_id)
    message = "Removed the rate: the company default applies." if hub_id else "Removed the company default."
    if is_htmx(request):
        return _rate_row(request, session, actor, hub_id, type_id, notice="Removed.")
    return redirect(request, BASE, flash=message)


@router.post(BASE + "/policy")
def policy_save(request: Request, actor: PageActor, session: PageSession, form: FormDep):
    """Save the pricing policy and the deposit percentage."""
    data = {name: str(form.get(name) or "").strip() for name in POLICY_FIELDS}
    try:
        required = tuple(key for key in POLICY_FIELDS if key != "quote_terms")
        body = views.validated(PricingConfigUpdate, {k: v for k, v in data.items() if v}, required, data)
        changes = body.model_dump(exclude_unset=True)
        changes["quote_terms"] = body.quote_terms
        service.update_config(session, actor, **changes)
    except (Invalid, Conflict) as exc:
        undo_refused(session, exc)
        return _rates_page(request, session, actor, policy_values=data, policy_errors=_errors(exc),
                           status_code=exc.status)
    return redirect(request, f"{BASE}#policy", flash="Saved the pricing policy.")


def _try_request(form: FormData) -> tuple[dict[str, Any], QuoteRequest]:
    data: dict[str, Any] = {name: str(form.get(name) or "").strip() for name in TRY_FIELDS}
    data["amenity_ids"] = [str(v) for v in form.getlist("amenity_ids")]
    data["requires_second_driver"] = form.get("requires_second_driver") == "on"
    sent: dict[str, Any] = {k: data[k] for k in ("hub_id", "trip_date", "end_date", "trip_type",
                                                  "passenger_count", "hours", "miles", "promo_code",
                                                  "event_type") if data[k]}
    sent["vehicles"] = [{"vehicle_type_id": data["vehicle_type_id"], "quantity": data["quantity"] or "1"}]
    sent["amenities"] = [{"amenity_id": a, "quantity": 1} for a in data["amenity_ids"]]
    sent["requires_second_driver"] = data["requires_second_driver"]
    required = ("hub_id", "trip_date", "vehicle_type_id", "hours", "miles")
    try:
        body = views.validated(QuoteRequest, sent, required, data)
    except Invalid as exc:
        # A blank vehicle type is also a bad vehicles.0.vehicle_type_id: say it once.
        seen: set[str] = set()
        errors = []
        for e in exc.errors:
            name = TRY_FORM_NAMES.get(e["field"], e["field"])
            if name not in seen:
                seen.add(name)
                errors.append({**e, "field": name})
        raise Invalid(exc.detail, errors=errors) from None
    return data, body


@router.post(BASE + "/try")
def try_price(request: Request, actor: PageActor, session: PageSession, form: FormDep):
    """Price a trip from miles and hours and show the breakdown (HTMX: just the result)."""
    require(actor, "pricing:quote")
    block = "try_result" if is_htmx(request, "try-result") else None
    try:
        data, body = _try_request(form)
        quote = service.calculate_quote(session, actor, body)
    except (Invalid, Conflict) as exc:
        undo_refused(session, exc)
        shown = {name: str(form.get(name) or "").strip() for name in TRY_FIELDS}
        shown["amenity_ids"] = [str(v) for v in form.getlist("amenity_ids")]
        shown["requires_second_driver"] = form.get("requires_second_driver") == "on"
        return _rates_page(request, session, actor, try_values=shown, try_errors=_errors(exc, TRY_FORM_NAMES),
                           status_code=exc.status, block=block)
    return _rates_page(request, session, actor, try_values=data, quote=quote, block=block)


# ---------------------------------------------------------------- amenities

@router.get(BASE + "/amenities")
def amenities_list(request: Request, actor: PageActor, session: PageSession):
    """Amenities in the order clients see them, with their category, pricing and price."""
    require(actor, "pricing:read")
    amenities = service.list_amenities(session, actor)
    return _page(request, actor, "pricing/amenities.html",
                 {"title": "Amenities", "amenities": amenities, "can_manage": service.manages(actor)},
                 tab="amenities")


def _amenity_form(request: Request, actor: Actor, *, amenity=None, data: dict | None = None,
                  errors: FormErrors | None = None, status_code: int = 200):
    return _page(request, actor, "pricing/amenity_form.html",
                 {"title": f"Change {amenity.name}" if amenity else "New amenity", "amenity": amenity,
                  "values": data or {}, "form_errors": errors,
                  "category_options": list(views.CATEGORY_LABELS.items()),
                  "pricing_options": list(views.PRICING_TYPE_LABELS.items()),
                  "action": f"{BASE}/amenities/{amenity.id}/edit" if amenity else f"{BASE}/amenities"},
                 tab="amenities", status_code=status_code)


@router.get(BASE + "/amenities/new")
def amenity_new(request: Request, actor: PageActor):
    """The form for a new amenity."""
    require(actor, "pricing:manage")
    return _amenity_form(request, actor, data={"pricing_type": "flat_fee"})


@router.post(BASE + "/amenities")
def amenity_create(request: Request, actor: PageActor, session: PageSession, form: FormDep):
    """Offer a new amenity from the form."""
    data = values(form, *AMENITY_FIELDS)
    try:
        amenity = service.create_amenity(session, actor, **validate(AmenityCreate, data).model_dump())
    except (Invalid, Conflict) as exc:
        undo_refused(session, exc)
        return _amenity_form(request, actor, data=data, errors=_errors(exc), status_code=exc.status)
    return redirect(request, f"{BASE}/amenities", flash=f"{amenity.name} is on offer.")


@router.get(BASE + "/amenities/{amenity_id}/edit")
def amenity_edit(request: Request, amenity_id: Id, actor: PageActor, session: PageSession):
    """The form to change an amenity."""
    amenity = service.get_amenity(session, actor, amenity_id)
    require(actor, "pricing:manage")
    data = {name: views.plain(getattr(amenity, name)) for name in AMENITY_FIELDS}
    return _amenity_form(request, actor, amenity=amenity, data={**data, "is_active": amenity.is_active})


@router.post(BASE + "/amenities/{amenity_id}/edit")
def amenity_update(request: Request, amenity_id: Id, actor: PageActor, session: PageSession, form: FormDep):
    """Save an amenity."""
    data: dict[str, Any] = values(form, *AMENITY_FIELDS)
    is_active = form.get("is_active") == "on"
    try:
        body = validate(AmenityCreate, data)
        amenity = service.update_amenity(session, actor, amenity_id, **body.model_dump(), is_active=is_active)
    except (Invalid, Conflict) as exc:
        undo_refused(session, exc)
        return _amenity_form(request, actor, amenity=service.get_amenity(session, actor, amenity_id),
                             data={**data, "is_active": is_active}, errors=_errors(exc),
                             status_code=exc.status)
    return redirect(request, f"{BASE}/amenities", flash=f"Saved {amenity.name}.")


@router.post(BASE + "/amenities/{amenity_id}/active")
def amenity_toggle(request: Request, amenity_id: Id, actor: PageActor, session: PageSession, form: FormDep):
    """Offer an amenity again, or stop offering it."""
    if form.get("is_active") == "1":
        amenity = service.activate_amenity(session, actor, amenity_id)
        message = f"{amenity.name} is on offer again."
    else:
        amenity = service.deactivate_amenity(session, actor, amenity_id)
        message = f"{amenity.name} is no longer offered."
    return redirect(request, f"{BASE}/amenities", flash=message)


@router.post(BASE + "/amenities/{amenity_id}/move")
def amenity_move(request: Request, amenity_id: Id, actor: PageActor, session: PageSession, form: FormDep):
    """Move an amenity one place up or down the list."""
    direction = str(form.get("direction") or "")
    amenities = service.list_amenities(session, actor)
    ids = [a.id for a in amenities]
    if amenity_id not in ids or direction not in ("up", "down"):
        raise NotFound(f"Amenity {amenity_id} cannot move {direction or 'there'}.")
    i = ids.index(amenity_id)
    j = i - 1 if direction == "up" else i + 1
    name = amenities[i].name
    if 0 <= j < len(ids):
        ids[i], ids[j] = ids[j], ids[i]
        service.reorder_amenities(session, actor, ids)
    return redirect(request, f"{BASE}/amenities#amenity-{amenity_id}", flash=f"Moved {name} {direction}.")


# ---------------------------------------------------------------- promo codes

@router.get(BASE + "/promo-codes")
def promos_list(request: Request, actor: PageActor, session: PageSession,
                q: Annotated[str, Query(max_length=100)] = "", status: Filter = "",
                offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0):
    """Promo codes with their discount, validity and uses, searchable and filtered by status."""
    is_active = {"active": True, "inactive": False}.get(status)
    promos, total = service.list_promo_codes(session, actor, q=q.strip() or None, is_active=is_active,
                                             limit=PAGE_SIZE, offset=offset)
    type_names = {t.code: t.name for t in fleet_service.list_vehicle_types(session, SYSTEM)}
    context = {"title": "Promo codes", "promos": promos, "q": q,
               "limits": {p.id: views.promo_limits(p, type_names) for p in promos},
               "status": status if is_active is not None else "",
               "filtered": bool(q.strip() or is_active is not None), "can_manage": service.manages(actor),
               "today": clock.now().date(),
               "pager": pager(request, total=total, limit=PAGE_SIZE, offset=offset)}
    if is_htmx(request, "promo-results"):
        return _page(request, actor, "pricing/promo_codes.html", context, tab="promos", block="results")
    return _page(request, actor, "pricing/promo_codes.html", context, tab="promos")


def _promo_form(request: Request, session: Session, actor: Actor, *, promo=None, data: dict | None = None,
                errors: FormErrors | None = None, status_code: int = 200):
    types = [t for t in fleet_service.list_vehicle_types(session, SYSTEM)
             if t.is_active or t.code in (promo.applicable_vehicle_types or () if promo else ())]
    return _page(request, actor, "pricing/promo_form.html",
                 {"title": f"Change promo code {promo.code}" if promo else "New promo code", "promo": promo,
                  "values": data or {}, "form_errors": errors,
                  "discount_options": list(views.DISCOUNT_LABELS.items()),
                  "trip_type_options": list(views.TRIP_TYPE_LABELS.items()),
                  "vehicle_type_options": [(t.code, t.name) for t in types],
                  "action": f"{BASE}/promo-codes/{promo.id}/edit" if promo else f"{BASE}/promo-codes"},
                 tab="promos", status_code=status_code)


def _promo_data(form: FormData) -> dict[str, Any]:
    data: dict[str, Any] = values(form, *PROMO_FIELDS)
    for name in PROMO_LISTS:
        data[name] = [str(v) for v in form.getlist(name)]
    return data


def _promo_fields(data: dict[str, Any]) -> dict[str, Any]:
    """The form as the service's keyword arguments (every field: blanks clear)."""
    body = validate(PromoCodeCreate, {k: v for k, v in data.items() if v not in ("", [], None)})
    return body.model_dump()


@router.get(BASE + "/promo-codes/new")
def promo_new(request: Request, actor: PageActor, session: PageSession):
    """The form for a new promo code."""
    require(actor, "pricing:manage")
    return _promo_form(request, session, actor, data={"discount_type": "percentage"})


@router.post(BASE + "/promo-codes")
def promo_create(request: Request, actor: PageActor, session: PageSession, form: FormDep):
    """Add a promo code from the form."""
    data = _promo_data(form)
    try:
        promo = service.create_promo_code(session, actor, **_promo_fields(data))
    except (Invalid, Conflict) as exc:
        undo_refused(session, exc)
        return _promo_form(request, session, actor, data=data, errors=_errors(exc), status_code=exc.status)
    return redirect(request, f"{BASE}/promo-codes", flash=f"Promo code {promo.code} is ready to use.")


@router.get(BASE + "/promo-codes/{promo_id}/edit")
def promo_edit(request: Request, promo_id: Id, actor: PageActor, session: PageSession):
    """The form to change a promo code."""
    promo = service.get_promo_code(session, actor, promo_id)
    require(actor, "pricing:manage")
    data: dict[str, Any] = {name: views.plain(getattr(promo, name)) for name in PROMO_FIELDS}
    data |= {name: list(getattr(promo, name) or ()) for name in PROMO_LISTS}
    return _promo_form(request, session, actor, promo=promo, data={**data, "is_active": promo.is_active})


@router.post(BASE + "/promo-codes/{promo_id}/edit")
def promo_update(request: Request, promo_id: Id, actor: PageActor, session: PageSession, form: FormDep):
    """Save a promo code."""
    data = _promo_data(form)
    is_active = form.get("is_active") == "on"
    try:
        promo = service.update_promo_code(session, actor, promo_id, **_promo_fields(data),
                                          is_active=is_active)
    except (Invalid, Conflict) as exc:
        undo_refused(session, exc)
        return _promo_form(request, session, actor, promo=service.get_promo_code(session, actor, promo_id),
                           data={**data, "is_active": is_active}, errors=_errors(exc), status_code=exc.status)
    return redirect(request, f"{BASE}/promo-codes", flash=f"Saved promo code {promo.code}.")


@router.post(BASE + "/promo-codes/{promo_id}/deactivate")
def promo_deactivate(request: Request, promo_id: Id, actor: PageActor, session: PageSession, form: FormDep):
    """Stop a promo code from being used (it is kept, with its uses)."""
    promo = service.deactivate_promo_code(session, actor, promo_id)
    return redirect(request, f"{BASE}/promo-codes", flash=f"Promo code {promo.code} is deactivated.")


# ---------------------------------------------------------------- modifiers

@router.get(BASE + "/modifiers")
def modifiers_list(request: Request, actor: PageActor, session: PageSession):
    """Modifiers in the order they apply, highest priority first."""
    modifiers = service.list_modifiers(session, actor)
    return _page(request, actor, "pricing/modifiers.html",
                 {"title": "Pricing modifiers", "modifiers": modifiers, "can_manage": service.manages(actor),
                  "conditions": {m.id: views.conditions(m) for m in modifiers},
                  "adjustments": {m.id: views.adjustment(m) for m in modifiers}}, tab="modifiers")


def _modifier_form(request: Request, session: Session, actor: Actor, *, modifier=None,
                   data: dict | None = None, errors: FormErrors | None = None, status_code: int = 200):
    hubs = fleet_service.list_hubs(session, SYSTEM)
    return _page(request, actor, "pricing/modifier_form.html",
                 {"title": f"Change {modifier.name}" if modifier else "New pricing modifier",
                  "modifier": modifier, "values": data or {}, "form_errors": errors,
                  "type_options": list(views.MODIFIER_TYPE_LABELS.items()),
                  "adjustment_options": [("percentage", "Percent of the price"), ("fixed_amount", "Dollars")],
                  "day_options": [(d, d.capitalize()) for d in WEEKDAYS],
                  "hub_options": [(h.code, f"{h.code} – {h.name}") for h in hubs],
                  "action": f"{BASE}/modifiers/{modifier.id}/edit" if modifier else f"{BASE}/modifiers"},
                 tab="modifiers", status_code=status_code)


def _modifier_data(form: FormData) -> dict[str, Any]:
    data: dict[str, Any] = {name: str(form.get(name) or "").strip() for name in MODIFIER_FIELDS}
    for name in MODIFIER_LISTS:
        data[name] = [str(v) for v in form.getlist(name)]
    data["is_active"] = form.get("is_active") == "on"
    return data


def _modifier_fields(data: dict[str, Any]) -> dict[str, Any]:
    """The form as the service's keyword arguments (every field: blanks clear)."""
    single = ("name", "modifier_type", "adjustment_type", "adjustment_value", "priority", "lead_time_hours")
    sent: dict[str, Any] = {k: data[k] for k in single if data[k]}
    sent |= {name: data[name] for name in MODIFIER_LISTS if data[name]}
    events = [e.strip() for e in data["event_types"].split(",") if e.strip()]
    if events:
        sent["event_types"] = events
    ranges = views.date_ranges(data["date_ranges"])
    if ranges:
        sent["date_ranges"] = ranges
    sent["is_active"] = data["is_active"]
    body = validate(ModifierCreate, sent)
    return body.model_dump()


def _modifier_values(modifier) -> dict[str, Any]:
    data: dict[str, Any] = {name: views.plain(getattr(modifier, name)) for name in
                            ("name", "modifier_type", "adjustment_type", "adjustment_value", "priority",
                             "lead_time_hours")}
    data["event_types"] = ", ".join(modifier.event_types or ())
    data["date_ranges"] = "\n".join(f"{r['start']} to {r['end']}" for r in modifier.date_ranges or ())
    data |= {name: list(getattr(modifier, name) or ()) for name in MODIFIER_LISTS}
    return data | {"is_active": modifier.is_active}


@router.get(BASE + "/modifiers/new")
def modifier_new(request: Request, actor: PageActor, session: PageSession):
    """The form for a new modifier."""
    require(actor, "pricing:manage")
    return _modifier_form(request, session, actor, data={"modifier_type": "day_of_week",
                                                         "adjustment_type": "percentage", "priority": "0",
                                                         "is_active": True})


@router.post(BASE + "/modifiers")
def modifier_create(request: Request, actor: PageActor, session: PageSession, form: FormDep):
    """Add a modifier from the form."""
    data = _modifier_data(form)
    try:
        modifier = service.create_modifier(session, actor, **_modifier_fields(data))
    except (Invalid, Conflict) as exc:
        undo_refused(session, exc)
        return _modifier_form(request, session, actor, data=data, errors=_errors(exc), status_code=exc.status)
    return redirect(request, f"{BASE}/modifiers", flash=f"Added the modifier {modifier.name}.")


@router.get(BASE + "/modifiers/{modifier_id}/edit")
def modifier_edit(request: Request, modifier_id: Id, actor: PageActor, session: PageSession):
    """The form to change a modifier."""
    modifier = service.get_modifier(session, actor, modifier_id)
    require(actor, "pricing:manage")
    return _modifier_form(request, session, actor, modifier=modifier, data=_modifier_values(modifier))


@router.post(BASE + "/modifiers/{modifier_id}/edit")
def modifier_update(request: Request, modifier_id: Id, actor: PageActor, session: PageSession, form: FormDep):
    """Save a modifier."""
    data = _modifier_data(form)
    try:
        modifier = service.update_modifier(session, actor, modifier_id, **_modifier_fields(data))
    except (Invalid, Conflict) as exc:
        undo_refused(session, exc)
        modifier = service.get_modifier(session, actor, modifier_id)
        return _modifier_form(request, session, actor, modifier=modifier, data=data, errors=_errors(exc),
                              status_code=exc.status)
    return redirect(request, f"{BASE}/modifiers", flash=f"Saved the modifier {modifier.name}.")


@router.post(BASE + "/modifiers/{modifier_id}/delete")
def modifier_delete(request: Request, modifier_id: Id, actor: PageActor, session: PageSession, form: FormDep):
    """Delete a modifier (after the confirmation on the list)."""
    modifier = service.get_modifier(session, actor, modifier_id)
    name = modifier.name
    service.delete_modifier(session, actor, modifier_id)
    return redirect(request, f"{BASE}/modifiers", flash=f"Deleted the modifier {name}.")
