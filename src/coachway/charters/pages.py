"""Charter pages: the list with live filters, the quote form, and a charter's page, which is also the quote
builder (status steps, sales agent, vehicles, itinerary with drag-and-drop order, route totals, DOT check and
map); and the DOT rules settings page.

Every rule lives in charters/service; these handlers parse the form, call the service and pick a page (or,
for an HTMX request, the one block of it that changed).
"""

from datetime import date
from typing import Annotated, Any, Literal, get_args

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from coachway.charters import quote_pages, series_pages, service, views
from coachway.charters.lifecycle import FINAL_STATUSES
from coachway.charters.schemas import (
    AssignAgent,
    CancelCharter,
    CharterCreate,
    CharterStatus,
    CharterVehicleCreate,
    CharterVehicleUpdate,
    DotRegulationUpdate,
    LocalTime,
    StopCreate,
    StopType,
    StopUpdate,
    TripDate,
    TripType,
)
from coachway.core.deps import undo_refused
from coachway.core.errors import Conflict, DomainError, Invalid, NotFound
from coachway.core.fields import MAX_ID
from coachway.core.permissions import Actor, require
from coachway.payments import charter_panel as payments_panel
from coachway.payments import service as payments_service
from coachway.web import nav
from coachway.web.deps import FormDep, PageActor, PageSession
from coachway.web.forms import FormErrors, validate, values
from coachway.web.templating import is_htmx, pager, redirect, render

router = APIRouter(include_in_schema=False)
# Before this module's own routes: /admin/charters/new-recurring must not be read as a charter id.
router.include_router(series_pages.router)  # copying to other dates, recurring series and their pages
nav.register("Charters", "/admin/charters", permission="charters:read", order=15,
             description="Quotes and bookings: itinerary, vehicles, route and DOT hours check.")
nav.register("DOT rules", "/admin/settings/dot-regulations", permission="dot_regulations:manage", order=75,
             description="The hours-of-service limits the DOT check applies to every trip.")

PAGE_SIZE = 25
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
STATUS_OPTIONS = [(s, views.STATUS_LABELS[s]) for s in get_args(CharterStatus)]
TRIP_TYPE_OPTIONS = [(t, views.TRIP_TYPE_LABELS[t]) for t in get_args(TripType)]
STOP_TYPE_OPTIONS = [(t, views.STOP_TYPE_LABELS[t]) for t in get_args(StopType)]
QUOTE_FIELDS = ("client_id", "hub_id", "trip_type", "passenger_count", "luggage_pieces", "trip_date",
                "pickup_time", "end_date", "end_time", "notes", "internal_notes", "assigned_sales_agent_id")
TRIP_FIELDS = ("client_id", "hub_id", "trip_type", "passenger_count", "luggage_pieces", "trip_date",
               "pickup_time", "notes")
STOP_FIELDS = ("stop_type", "location_name", "address", "dwell_minutes")
Step = Literal["book", "confirm", "start", "complete"]
# How the error summaries name fields whose label is not their name; and service fields the form shows
# under another name (the form asks for a local end date, the service keeps an instant).
LABELS = {"client_id": "Client", "hub_id": "Hub", "trip_type": "Trip type", "passenger_count": "Passengers",
          "luggage_pieces": "Luggage", "trip_date": "Trip date", "pickup_time": "Pickup time",
          "end_date": "Trip ends", "end_time": "Return time", "notes": "Notes for the trip",
          "internal_notes": "Internal notes", "assigned_sales_agent_id": "Sales agent",
          "stop_type": "Type", "location_name": "Place name", "address": "Address",
          "dwell_minutes": "Minutes there", "vehicle_type_id": "Vehicle type", "quantity": "Quantity",
          "cancellation_reason": "Reason", "cancellation_fee": "Cancellation fee",
          "sales_agent_id": "Sales agent", "threshold_value": "Limit", "regulation_name": "Name"}
FORM_NAMES = {"end_datetime": "end_date", "start_datetime": "trip_date"}


def _errors(exc: DomainError) -> FormErrors:
    errors = FormErrors.of(exc, LABELS)
    errors.fields = {FORM_NAMES.get(name, name): message for name, message in errors.fields.items()}
    return errors


def _number(value: Any) -> int | None:
    """A whole number typed into a form, or None."""
    text = str(value or "").strip()
    return int(text) if text.isdigit() and len(text) <= 10 else None


# ---------------------------------------------------------------- the list

def _date_or_none(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


@router.get("/admin/charters")
def charters_list(request: Request, actor: PageActor, session: PageSession,
                  q: Annotated[str, Query(max_length=100)] = "",
                  status: Annotated[str, Query(max_length=20)] = "",
                  trip_type: Annotated[str, Query(max_length=20)] = "",
                  hub_id: Annotated[str, Query(max_length=12)] = "",
                  agent_id: Annotated[str, Query(max_length=12)] = "",
                  date_from: Annotated[str, Query(max_length=10)] = "",
                  date_to: Annotated[str, Query(max_length=10)] = "",
                  mine: Annotated[str, Query(max_length=1)] = "",
                  offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0):
    """Charters, latest trip first, filtered by status, dates, agent, client, hub and trip type; or the
    signed-in agent's own open quotes (mine=1)."""
    see_all = service.sees_all(actor)
    filters = {"q": q.strip(), "status": status if status in views.STATUS_LABELS else "",
               "trip_type": trip_type if trip_type in views.TRIP_TYPE_LABELS else "",
               "hub_id": _number(hub_id), "agent_id": _number(agent_id) if see_all else None,
               "date_from": _date_or_none(date_from), "date_to": _date_or_none(date_to)}
    mine_tab = mine == "1" and actor.user_id is not None
    if mine_tab:
        items, total = service.list_my_quotes(session, actor, limit=PAGE_SIZE, offset=offset)
    else:
        items, total = service.list_charters(session, actor, q=filters["q"] or None,
                                             status=filters["status"] or None,
                                             trip_type=filters["trip_type"] or None, hub_id=filters["hub_id"],
                                             agent_id=filters["agent_id"], date_from=filters["date_from"],
                                             date_to=filters["date_to"], limit=PAGE_SIZE, offset=offset)
    context = {"title": "My open quotes" if mine_tab else "Charters",
               "rows": views.charter_rows(session, items), "day_labels": service.day_labels(session, items),
               "filters": filters, "mine": mine_tab, "filtered": any(v for v in filters.values()),
               "statuses": STATUS_OPTIONS, "trip_types": TRIP_TYPE_OPTIONS,
               "status_labels": views.STATUS_LABELS, "trip_type_labels": views.TRIP_TYPE_LABELS,
               "hubs": views.hub_choices(session, actor, current=filters["hub_id"]) if actor.can("fleet:read")
               else [],
               "agents": views.agent_choices(session, actor) if see_all else [], "see_all": see_all,
               "can_create": actor.can("charters:create"), "miles": views.miles,
               "pager": pager(request, total=total, limit=PAGE_SIZE, offset=offset)}
    if is_htmx(request, "charter-results"):  # a filter changed: the results only
        return render(request, "charters/list.html", context, block="results")
    return render(request, "charters/list.html", context)


@router.get("/admin/charters/client-options")
def client_options(request: Request, actor: PageActor, session: PageSession,
                   client_q: Annotated[str, Query(max_length=100)] = "",
                   client_id: Annotated[str, Query(max_length=12)] = ""):
    """The client picker's options matching what was typed (for the quote form's search box)."""
    require(actor, "charters:create")
    options = views.client_choices(session, actor, q=client_q.strip() or None, selected=_number(client_id))
    return render(request, "charters/form.html",
                  {"clients": options, "values": {"client_id": client_id}, "client_q": client_q.strip()},
                  block="client_options")


# ---------------------------------------------------------------- the quote form (new and edit)

class TripEnd(BaseModel):
    """When a multi-day trip ends, as the form asks it: a local date and an optional time at the hub."""

    model_config = ConfigDict(extra="ignore")

    end_date: TripDate | None = None
    end_time: LocalTime | None = None


def _quote_data(form: FormData) -> dict[str, str]:
    """Every field of the quote form as typed (trimmed; blanks are "")."""
    return {name: str(form.get(name) or "").strip() for name in QUOTE_FIELDS}


def _quote_fields(session: Session, actor: Actor, data: dict[str, str]) -> dict[str, Any]:
    """The form as the service's keyword arguments, or Invalid naming every bad field at once."""
    errors: list[dict[str, Any]] = []
    sent = {k: v for k, v in data.items() if v and k in CharterCreate.model_fields}
    if not actor.can("charters:assign"):
        sent.pop("assigned_sales_agent_id", None)
    if not actor.can("charters:read_internal"):
        sent.pop("internal_notes", None)
    body = end = None
    try:
        body = validate(CharterCreate, sent)
    except Invalid as exc:
        errors += exc.errors
    try:
        end = validate(TripEnd, {k: data[k] for k in ("end_date", "end_time") if data[k]})
    except Invalid as exc:
        errors += exc.errors
    if not data["trip_date"]:
        errors.append({"field": "trip_date", "message": "This field is required."})
    if end is not None and end.end_time and not end.end_date:
        errors.append({"field": "end_date", "message": "Give the date the trip ends, or leave both empty."})
    if errors or body is None or end is None:
        raise Invalid("Some fields are missing or invalid.", errors=errors)
    fields = body.model_dump(exclude={"stops", "vehicles", "start_datetime", "end_datetime"})
    if not actor.can("charters:assign"):
        fields.pop("assigned_sales_agent_id")
    if not actor.can("charters:read_internal"):
        fields.pop("internal_notes")
    hub = views.hub_of(session, actor, body.hub_id)
    fields["end_datetime"] = views.trip_end(end.end_date, end.end_time, hub.timezone) if hub else None
    return fields


def _form_page(request: Request, session: Session, actor: Actor, *, charter=None, data: dict | None = None,
               errors: FormErrors | None = None, status_code: int = 200):
    shown = {k: ("" if v is None else v) for k, v in (data or {}).items()}
    selected = _number(shown.get("client_id"))
    title = f"Change charter {charter.id}" if charter else "New quote"
    can_assign = actor.can("charters:assign") and charter is None  # later, through the charter's page
    return render(request, "charters/form.html",
                  {"title": title, "charter": charter, "values": shown, "form_errors": errors,
                   "clients": views.client_choices(session, actor, selected=selected), "client_q": "",
                   "hubs": views.hub_choices(session, actor, current=charter.hub_id if charter else None),
                   "trip_types": TRIP_TYPE_OPTIONS,
                   "agents": views.agent_choices(session, actor) if can_assign else [],
                   "can_assign": can_assign,
                   "can_internal": actor.can("charters:read_internal"),
                   "action": f"/admin/charters/{charter.id}/edit" if charter else "/admin/charters"},
                  status_code=status_code)


@router.get("/admin/charters/new")
def charter_new(request: Request, actor: PageActor, session: PageSession,
                client_id: Annotated[str, Query(max_length=12)] = ""):
    """The form for a new quote (client_id picks the client in advance)."""
    require(actor, "charters:create")
    return _form_page(request, session, actor, data={"trip_type": "round_trip", "luggage_pieces": "0",
                                                     "client_id": client_id})


@router.post("/admin/charters")
def charter_create(request: Request, actor: PageActor, session: PageSession, form: FormDep):
    """Open a quote from the form; the builder (stops, vehicles) follows on its page."""
    data = _quote_data(form)
    try:
        charter = service.create_charter(session, actor, **_quote_fields(session, actor, data))
    except (Invalid, Conflict) as exc:
        undo_refused(session, exc)
        return _form_page(request, session, actor, data=data, errors=_errors(exc), status_code=exc.status)
    return redirect(request, f"/admin/charters/{charter.id}",
                    flash=f"Quote {charter.id} is open. Add its stops and vehicles below.")


@router.get("/admin/charters/{charter_id}/edit")
def charter_edit(request: Request, charter_id: Id, actor: PageActor, session: PageSession):
    """The form to change a charter's trip details."""
    charter = service.get_charter(session, actor, charter_id)
    require(actor, "charters:update")
    timezone = service.labels(session, [charter])[charter.id].timezone
    return _form_page(request, session, actor, charter=charter, data=views.form_values(charter, timezone))


@router.post("/admin/charters/{charter_id}/edit")
def charter_update(request: Request, charter_id: Id, actor: PageActor, session: PageSession, form: FormDep):
    """Save a charter's trip details (the route and DOT check follow a new date, time or hub)."""
    data = _quote_data(form)
    try:
        fields = _quote_fields(session, actor, data)
        fields.pop("assigned_sales_agent_id", None)  # the agent changes through its own form
        charter = service.update_charter(session, actor, charter_id, **fields)
    except (Invalid, Conflict) as exc:
        undo_refused(session, exc)
        charter = service.get_charter(session, actor, charter_id)
        return _form_page(request, session, actor, charter=charter, data=data, errors=_errors(exc),
                          status_code=exc.status)
    return redirect(request, f"/admin/charters/{charter.id}",
                    flash=f"Saved the changes to charter {charter.id}.")


# ---------------------------------------------------------------- a charter's page (the quote builder)

def _page_context(session: Session, actor: Actor, charter_id: int) -> dict[str, Any]:
    charter, lines, stops = service.get_charter_parts(session, actor, charter_id)
    label = service.labels(session, [charter])[charter.id]
    changeable = charter.status not in FINAL_STATUSES
    can_update = actor.can("charters:update") and changeable
    may_assign = actor.can("charters:assign")
    owner = actor.user_id is not None and charter.assigned_sales_agent_id == actor.user_id
    can_hand_over = changeable and (may_assign or (owner and actor.can("charters:update")))
    agents = []
    if can_hand_over:
        current = charter.assigned_sales_agent_id
        agents = [(v, t) for v, t in views.agent_choices(session, actor) if v != current]
    return {"title": f"Charter {charter.id}", "charter": charter, "label": label,
            "status_label": views.STATUS_LABELS.get(charter.status, charter.status),
            "status_hint": views.STATUS_HINTS.get(charter.status, ""),
            "trip_type_label": views.TRIP_TYPE_LABELS.get(charter.trip_type, charter.trip_type),
            "start": views.local(charter.start_datetime, label.timezone),
            "end": views.local(charter.end_datetime, label.timezone) if charter.end_datetime else None,
            "zone": views.zone_name(label.timezone, charter.trip_date),
            "actions": [(a, views.ACTION_LABELS[a]) for a in service.allowed_actions(actor, charter)],
            "can_update": can_update, "can_edit": can_update,
            "can_internal": actor.can("charters:read_internal"), "can_audit": actor.can("audit:read"),
            "can_hand_over": can_hand_over and bool(agents), "may_assign": may_assign, "owner": owner,
            "agents": agents, "stop_types": STOP_TYPE_OPTIONS,
            "vehicles": views.vehicles_panel(session, actor, charter, lines, with_choices=can_update),
            "route": views.route_panel(session, actor, charter, stops), "money": views.money}


def _show(request: Request, session: Session, actor: Actor, charter_id: int, *, block: str | None = None,
          status_code: int = 200, **extra):
    """The charter's page, or one block of it (route, vehicles) for an HTMX request."""
    context = {"stop_values": {}, "stop_errors": None, "edit_stop": None, "edit_values": {},
               "edit_errors": None, "vehicle_errors": None, "vehicle_values": {}, "line_errors": None,
               "edit_line": None, "cancel_errors": None, "cancel_values": {}, "agent_errors": None,
               "page_error": None, "route_error": None, "notice": None, "geocoded": None, "focus": None,
               **_page_context(session, actor, charter_id), **extra}
    if block is None:
        context.setdefault("quote_panel", quote_pages.quote_panel(session, actor, charter_id))
        context.setdefault("series", series_pages.detail_panel(session, actor, context["charter"]))
        context.setdefault("payments_panel", payments_panel.panel(session, actor, context["charter"]))
        fee, percent = payments_service.policy_fee(session, context["charter"])
        context.setdefault("policy_fee", (fee, f"{percent.normalize():f}"))
    # The route decides how long the vehicles are out, so their recommended mixes and costs follow it.
    headers = {"HX-Trigger": "charter-route-changed"} if block == "route" and status_code == 200 else None
    if block == "vehicles" and status_code == 200 and request.method == "POST":
        headers = {"HX-Trigger": "quote-changed"}  # the quote panel fetches itself again: a new price
    return render(request, "charters/detail.html", context, block=block, status_code=status_code,
                  headers=headers)


def _changed(request: Request, session: Session, actor: Actor, charter_id: int, part: str, message: str,
             **extra):
    """After a change: the changed block for HTMX (with the message), else back to the page."""
    if is_htmx(request, part):
        return _show(request, session, actor, charter_id, block=part, notice=message, **extra)
    return redirect(request, f"/admin/charters/{charter_id}#{part}", flash=message)


def _refused(request: Request, session: Session, actor: Actor, charter_id: int, part: str, exc: DomainError,
             **extra):
    """After a refusal: nothing is kept, and the block (or page) shows why next to the form."""
    undo_refused(session, exc)
    if isinstance(exc, Conflict) and part == "route":  # the itinerary cannot change at all now
        extra = {"route_error": exc.detail}
    return _show(request, session, actor, charter_id, block=part if is_htmx(request, part) else None,
                 status_code=exc.status, **extra)


@router.get("/admin/charters/{charter_id}")
def charter_detail(request: Request, charter_id: Id, actor: PageActor, session: PageSession):
    """One charter: trip, status steps, sales agent, vehicles, itinerary, route totals, DOT check and map."""
    if is_htmx(request, "vehicles"):  # the itinerary changed: the vehicles block follows
        return _show(request, session, actor, charter_id, block="vehicles")
    return _show(request, session, actor, charter_id)


# ---------------------------------------------------------------- status steps and sales agent

@router.post("/admin/charters/{charter_id}/actions/{action}")
def charter_step(request: Request, charter_id: Id, action: Step, actor: PageActor, session: PageSession,
                 form: FormDep):
    """Book, confirm, start or complete the charter; a step the workflow refuses says why (409)."""
    try:
        charter = service.change_status(session, actor, charter_id, action)
    except Conflict as exc:
        undo_refused(session, exc)
        return _show(request, session, actor, charter_id, page_error=exc.detail, status_code=exc.status)
    return redirect(request, f"/admin/charters/{charter.id}",
                    flash=f"Charter {charter.id} is {views.ACTION_DONE[action]}.")


@router.post("/admin/charters/{charter_id}/cancel")
def charter_cancel(request: Request, charter_id: Id, actor: PageActor, session: PageSession, form: FormDep):
    """Cancel the charter with a reason and an optional fee."""
    data = values(form, "cancellation_reason", "cancellation_fee")
    try:
        body = validate(CancelCharter, {"cancellation_reason": "", **data})
        charter, _refunds = payments_service.cancel(session, actor, charter_id,
                                                    cancellation_reason=body.cancellation_reason,
                                                    cancellation_fee=body.cancellation_fee,
                                                    refund=body.refund_overpayment)
    except (Invalid, Conflict) as exc:
        extra: dict[str, Any] = {"cancel_errors": _errors(exc), "cancel_values": data}
        if isinstance(exc, Conflict):
            extra = {"page_error": exc.detail}
        undo_refused(session, exc)
        return _show(request, session, actor, charter_id, status_code=exc.status, **extra)
    return redirect(request, f"/admin/charters/{charter.id}", flash=f"Charter {charter.id} is cancelled.")


@router.post("/admin/charters/{charter_id}/assign-agent")
def charter_assign(request: Request, charter_id: Id, actor: PageActor, session: PageSession, form: FormDep):
    """Hand the charter to another sales agent (managers: any charter; an agent: its own)."""
    try:
        body = validate(AssignAgent, values(form, "sales_agent_id"))
        charter = service.assign_agent(session, actor, charter_id, sales_agent_id=body.sales_agent_id)
    except (Invalid, Conflict) as exc:
        undo_refused(session, exc)
        return _show(request, session, actor, charter_id, agent_errors=_errors(exc), status_code=exc.status)
    name = service.labels(session, [charter])[charter.id].sales_agent_name or "the new agent"
    try:
        service.get_charter(session, actor, charter.id)
    except NotFound:  # an agent who handed over its own quote no longer sees it
        return redirect(request, "/admin/charters", flash=f"Charter {charter.id} is handed over to {name}.")
    return redirect(request, f"/admin/charters/{charter.id}", flash=f"Charter {charter.id} is now {name}'s.")


# ---------------------------------------------------------------- vehicles

def _line_data(form: FormData) -> dict[str, str]:
    return values(form, "vehicle_type_id", "quantity", "notes")


@router.post("/admin/charters/{charter_id}/vehicles")
def vehicle_add(request: Request, charter_id: Id, actor: PageActor, session: PageSession, form: FormDep):
    """Add vehicles of one type to the charter."""
    data = _line_data(form)
    try:
        line = service.add_charter_vehicle(session, actor, charter_id,
                                           **validate(CharterVehicleCreate, data).model_dump())
    except (Invalid, Conflict) as exc:
        return _refused(request, session, actor, charter_id, "vehicles", exc, vehicle_errors=_errors(exc),
                        vehicle_values=data)
    return _changed(request, session, actor, charter_id, "vehicles",
                    f"Added {line.quantity} vehicle{'s' if line.quantity != 1 else ''}.")


@router.post("/admin/charters/{charter_id}/vehicles/use-mix")
def vehicle_use_mix(request: Request, charter_id: Id, actor: PageActor, session: PageSession, form: FormDep):
    """Replace the charter's vehicles with a recommended mix."""
    types, counts = form.getlist("vehicle_type_id"), form.getlist("quantity")
    try:
        if not types or len(types) != len(counts):
            raise Invalid.field("vehicles", "Choose a mix from the list.")
        lines = [validate(CharterVehicleCreate, {"vehicle_type_id": t, "quantity": q}).model_dump()
                 for t, q in zip(types, counts, strict=True)]
        service.replace_charter_vehicles(session, actor, charter_id, lines)
    except (Invalid, Conflict) as exc:
        return _refused(request, session, actor, charter_id, "vehicles", exc, vehicle_errors=_errors(exc))
    return _changed(request, session, actor, charter_id, "vehicles", "The charter now uses this vehicle mix.")


@router.post("/admin/charters/{charter_id}/vehicles/{line_id}/edit")
def vehicle_update(request: Request, charter_id: Id, line_id: Id, actor: PageActor, session: PageSession,
                   form: FormDep):
    """Change a vehicle line's type, quantity or notes."""
    data = _line_data(form)
    try:
        sent = {"vehicle_type_id": data.get("vehicle_type_id", ""), "quantity": data.get("quantity", ""),
                "notes": data.get("notes")}
        changes = validate(CharterVehicleUpdate, sent).model_dump()
        service.update_charter_vehicle(session, actor, charter_id, line_id, **changes)
    except (Invalid, Conflict) as exc:
        return _refused(request, session, actor, charter_id, "vehicles", exc, line_errors=_errors(exc),
                        edit_line=line_id)
    return _changed(request, session, actor, charter_id, "vehicles", "Saved the vehicle line.")


@router.post("/admin/charters/{charter_id}/vehicles/{line_id}/delete")
def vehicle_remove(request: Request, charter_id: Id, line_id: Id, actor: PageActor, session: PageSession,
                   form: FormDep):
    """Take a vehicle line off the charter."""
    try:
        service.remove_charter_vehicle(session, actor, charter_id, line_id)
    except Conflict as exc:
        return _refused(request, session, actor, charter_id, "vehicles", exc, vehicle_errors=_errors(exc))
    return _changed(request, session, actor, charter_id, "vehicles", "Removed the vehicle line.")


# ---------------------------------------------------------------- itinerary

def _stop_data(form: FormData) -> dict[str, str]:
    return values(form, *STOP_FIELDS)


@router.post("/admin/charters/{charter_id}/stops")
def stop_add(request: Request, charter_id: Id, actor: PageActor, session: PageSession, form: FormDep):
    """Add a stop at the end of the itinerary and look its address up at once."""
    data = _stop_data(form)
    try:
        stop = service.add_stop(session, actor, charter_id, geocode=True,
                                **validate(StopCreate, data).model_dump(exclude={"position"}))
    except (Invalid, Conflict) as exc:
        return _refused(request, session, actor, charter_id, "route", exc, stop_errors=_errors(exc),
                        stop_values=data)
    name = views.stop_name(stop)
    if stop.latitude is None:
        message = f"Added stop {stop.sequence}, {name}, but found no place for it: check the address."
    else:
        message = f"Added stop {stop.sequence}, {name}."
    return _changed(request, session, actor, charter_id, "route", message, focus=("add", None))


@router.post("/admin/charters/{charter_id}/stops/{stop_id}/edit")
def stop_update(request: Request, charter_id: Id, stop_id: Id, actor: PageActor, session: PageSession,
                form: FormDep):
    """Change a stop (a new address is looked up at once)."""
    data = _stop_data(form)
    sent: dict[str, Any] = {"stop_type": data.get("stop_type", ""), "address": data.get("address"),
                            "location_name": data.get("location_name"),
                            "dwell_minutes": data.get("dwell_minutes", "0")}
    try:
        stop = service.update_stop(session, actor, charter_id, stop_id, geocode=True,
                                   **validate(StopUpdate, sent).model_dump())
    except (Invalid, Conflict) as exc:
        return _refused(request, session, actor, charter_id, "route", exc, edit_stop=stop_id,
                        edit_errors=_errors(exc), edit_values=data)
    return _changed(request, session, actor, charter_id, "route", f"Saved stop {stop.sequence}, "
                    f"{views.stop_name(stop)}.")


@router.post("/admin/charters/{charter_id}/stops/{stop_id}/delete")
def stop_remove(request: Request, charter_id: Id, stop_id: Id, actor: PageActor, session: PageSession,
                form: FormDep):
    """Take a stop off the itinerary."""
    try:
        service.remove_stop(session, actor, charter_id, stop_id)
    except Conflict as exc:
        return _refused(request, session, actor, charter_id, "route", exc, route_error=exc.detail)
    return _changed(request, session, actor, charter_id, "route", "Removed the stop.")


def _reordered(request: Request, session: Session, actor: Actor, charter_id: int, stop_ids: list[int],
               message: str, **extra):
    try:
        service.reorder_stops(session, actor, charter_id, stop_ids)
    except (Invalid, Conflict) as exc:
        return _refused(request, session, actor, charter_id, "route", exc, route_error=exc.detail)
    return _changed(request, session, actor, charter_id, "route", message, **extra)


@router.post("/admin/charters/{charter_id}/reorder-stops")
def stops_reorder(request: Request, charter_id: Id, actor: PageActor, session: PageSession, form: FormDep):
    """Put the stops in the order they were dropped in (every stop id, in the new order)."""
    ids = [_number(value) for value in form.getlist("stop_ids")]
    if any(stop_id is None for stop_id in ids):
        exc = Invalid.field("stop_ids", "The new order did not arrive whole; reload the page and try again.")
        return _refused(request, session, actor, charter_id, "route", exc, route_error=exc.detail)
    return _reordered(request, session, actor, charter_id, [i for i in ids if i is not None],
                      "Saved the new order of the stops. Times, totals and the DOT check are updated.")


@router.post("/admin/charters/{charter_id}/stops/{stop_id}/move")
def stop_move(request: Request, charter_id: Id, stop_id: Id, actor: PageActor, session: PageSession,
              form: FormDep):
    """Move a stop one place up or down (the keyboard's way to reorder)."""
    direction = str(form.get("direction") or "")
    stops = service.list_stops(session, actor, charter_id)
    order = views.moved([s.id for s in stops], stop_id, direction)
    if order is None:
        raise NotFound(f"Stop {stop_id} cannot move {direction or 'there'}.")
    stop = next(s for s in stops if s.id == stop_id)
    name = views.stop_name(stop)
    position = order.index(stop_id) + 1
    return _reordered(request, session, actor, charter_id, order,
                      f"Moved {name} {direction} to stop {position}.", focus=(stop_id, direction))


@router.post("/admin/charters/{charter_id}/geocode-stops")
def stops_geocode(request: Request, charter_id: Id, actor: PageActor, session: PageSession, form: FormDep):
    """Look up the coordinates of the stops that have none; say which could not be found."""
    try:
        results = service.geocode_stops(session, actor, charter_id)
    except Conflict as exc:
        return _refused(request, session, actor, charter_id, "route", exc, route_error=exc.detail)
    found = views.geocode_messages(results, service.list_stops(session, actor, charter_id))
    if is_htmx(request, "route"):
        return _show(request, session, actor, charter_id, block="route", geocoded=found)
    kind = "error" if found["problems"] else "success"
    return redirect(request, f"/admin/charters/{charter_id}#route",
                    flash=" ".join([found["text"], *found["problems"]]), kind=kind)


# ---------------------------------------------------------------- DOT rules (settings)

REGULATION_FIELDS = ("regulation_name", "threshold_value", "description")


@router.get("/admin/settings/dot-regulations")
def dot_regulations(request: Request, actor: PageActor, session: PageSession):
    """The DOT hours-of-service rules the check applies."""
    require(actor, "dot_regulations:manage")
    return render(request, "charters/dot_regulations.html",
                  {"title": "DOT hours-of-service rules",
                   "rules": service.list_dot_regulations(session, actor)})


def _regulation(session: Session, actor: Actor, regulation_id: int):
    rule = next((r for r in service.list_dot_regulations(session, actor) if r.id == regulation_id), None)
    if rule is None:
        raise NotFound(f"No DOT rule {regulation_id}.")
    return rule


def _regulation_page(request: Request, session: Session, actor: Actor, regulation_id: int, *,
                     data: dict | None = None, errors: FormErrors | None = None, status_code: int = 200):
    require(actor, "dot_regulations:manage")
    rule = _regulation(session, actor, regulation_id)
    shown = data or {"regulation_name": rule.regulation_name, "threshold_value": f"{rule.threshold_value:f}",
                     "description": rule.description or "", "is_active": rule.is_active,
                     "requires_second_driver": rule.requires_second_driver}
    return render(request, "charters/dot_regulation_form.html",
                  {"title": f"Change {rule.regulation_name}", "rule": rule, "values": shown,
                   "form_errors": errors}, status_code=status_code)


@router.get("/admin/settings/dot-regulations/{regulation_id}/edit")
def dot_regulation_edit(request: Request, regulation_id: Id, actor: PageActor, session: PageSession):
    """The form to tune one DOT rule."""
    return _regulation_page(request, session, actor, regulation_id)


@router.post("/admin/settings/dot-regulations/{regulation_id}/edit")
def dot_regulation_update(request: Request, regulation_id: Id, actor: PageActor, session: PageSession,
                          form: FormDep):
    """Save a DOT rule: its limit, whether a second driver fixes it, its wording, on or off."""
    data: dict[str, Any] = {name: str(form.get(name) or "").strip() for name in REGULATION_FIELDS}
    data |= {"requires_second_driver": form.get("requires_second_driver") == "on",
             "is_active": form.get("is_active") == "on"}
    try:
        sent = {**data, "description": data["description"] or None}
        changes = validate(DotRegulationUpdate, sent).model_dump()
        rule = service.update_dot_regulation(session, actor, regulation_id, **changes)
    except (Invalid, Conflict) as exc:
        undo_refused(session, exc)
        return _regulation_page(request, session, actor, regulation_id, data=data, errors=_errors(exc),
                                status_code=exc.status)
    return redirect(request, "/admin/settings/dot-regulations", flash=f"Saved {rule.regulation_name}.")


router.include_router(quote_pages.router)  # the quote panel's actions and the client's /q/ page
