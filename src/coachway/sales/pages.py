"""Lead pages: the list with filters, entering a lead, a lead's page (contact, trip, status, score,
assignment, timeline, follow-up email), converting it to a quote, the kanban pipeline (drag a card to move
it) and the round-robin queue.

Every rule lives in sales/service; these handlers parse the form, call the service and pick a page.
"""

import importlib
from datetime import date, datetime, time
from pathlib import Path as FilePath
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from coachway.auth import service as auth_service
from coachway.clients import service as clients_service
from coachway.core import clock
from coachway.core.deps import undo_refused
from coachway.core.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from coachway.core.fields import MAX_ID
from coachway.core.permissions import SYSTEM, Actor, require
from coachway.fleet import service as fleet_service
from coachway.sales import service
from coachway.sales.models import ACTIVITY_TYPES, LEAD_STATUSES, OPEN_LEAD_STATUSES, SYSTEM_ACTIVITY_TYPES
from coachway.sales.schemas import (
    ActivityCreate,
    AssignRequest,
    ConvertRequest,
    FollowUpEmail,
    LeadCreate,
    LeadUpdate,
    QueueUpdate,
)
from coachway.web import nav
from coachway.web.deps import FormDep, PageActor, PageSession
from coachway.web.forms import FormErrors, validate, values
from coachway.web.templating import is_htmx, pager, redirect, render

router = APIRouter(include_in_schema=False)
nav.register("Leads", "/admin/leads", permission="leads:read", order=12,
             description="Enquiries: who works them, follow-ups, the pipeline and the round robin.")

BASE = "/admin/leads"
PAGE_SIZE = 25
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
Short = Annotated[str, Query(max_length=20)]
LEAD_FIELDS = ("source", "first_name", "last_name", "email", "phone", "company", "trip_date", "origin",
               "destination", "passenger_count", "vehicle_type", "trip_type", "hub_id", "estimated_value",
               "notes")
CLEARABLE = ("phone", "company", "trip_date", "origin", "destination", "passenger_count", "vehicle_type",
             "trip_type", "hub_id", "estimated_value", "notes")
REQUIRED = ("source", "first_name", "last_name", "email")  # sent even when blank, to be reported
FOLLOW_UP = ("follow_up_date", "follow_up_time")
CONVERT_FIELDS = ("client_id", "hub_id", "trip_date", "pickup_time", "passenger_count", "trip_type",
                  "vehicle_type_id")
TRIP_TYPE_WORDS = {"one_way": "One way", "round_trip": "Round trip", "overnight": "Overnight",
                   "multi_day": "Multi-day"}
ACTIVITY_WORDS = {"email": "Email", "call": "Call", "meeting": "Meeting", "note": "Note",
                  "created": "Entered", "lead_assigned": "Assigned", "status_change": "Status",
                  "converted": "Converted", "email_sent": "Email sent"}
SORT_WORDS = {"newest": "Newest first", "score": "Highest score", "follow_up": "Next follow-up",
              "trip_date": "Soonest trip"}
FOLLOW_UP_WORDS = {"due": "Due today or overdue", "today": "Due today", "overdue": "Overdue"}
SCORE_PARTS = (("recency", "Recency"), ("value", "Trip value"), ("trip_date", "Trip date"),
               ("engagement", "Engagement"))
LABELS = {"source": "Source", "first_name": "First name", "last_name": "Last name", "email": "Email",
          "phone": "Phone", "company": "Company", "trip_date": "Trip date", "origin": "From",
          "destination": "To", "passenger_count": "Passengers", "vehicle_type": "Vehicle",
          "trip_type": "Trip type", "hub_id": "Hub", "estimated_value": "Estimated value", "notes": "Notes",
          "follow_up_date": "Next follow-up", "follow_up_time": "Follow-up time",
          "assigned_to": "Agent", "activity_type": "Type", "description": "What happened",
          "subject": "Subject", "message": "Message", "lost_reason": "Reason", "status": "Status",
          "client_id": "Client", "pickup_time": "Pickup time", "vehicle_type_id": "Vehicle type",
          "note": "Note"}
# Service fields the forms show under another name.
FORM_NAMES = {"next_follow_up": "follow_up_date", "lead_ids": "assigned_to"}


def _errors(exc: DomainError) -> FormErrors:
    errors = FormErrors.of(exc, LABELS)
    errors.fields = {FORM_NAMES.get(name, name): message for name, message in errors.fields.items()}
    return errors


def _can(actor: Actor, permission: str) -> bool:
    return "*" in actor.permissions or actor.can(permission)


def _number(value: Any) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isdigit() and 0 < int(text) <= MAX_ID else None


def _date_or_none(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _local(moment: datetime | None, tz: ZoneInfo) -> str:
    """An instant as local time: "Mon Mar 9, 14:00 EDT"."""
    if moment is None:
        return ""
    there = moment.astimezone(tz)
    return f"{there:%a} {there:%b} {there.day}, {there:%H:%M} {there:%Z}".strip()


def _when(data: dict[str, str], tz: ZoneInfo) -> datetime | None:
    """The follow-up typed as a local date and time (09:00 when only a date is given), as an instant."""
    day, at = data.get("follow_up_date", ""), data.get("follow_up_time", "")
    if not day and not at:
        return None
    if not day:
        raise Invalid.field("follow_up_date", "Give the date of the follow-up too.")
    try:
        local_day = date.fromisoformat(day)
    except ValueError:
        raise Invalid.field("follow_up_date", "Enter a date like 2026-03-09.") from None
    try:
        local_time = time.fromisoformat(at) if at else time(9)
    except ValueError:
        raise Invalid.field("follow_up_time", "Enter a time like 14:30.") from None
    return datetime.combine(local_day, local_time.replace(second=0, microsecond=0), tzinfo=tz)


def _when_values(moment: datetime | None, tz: ZoneInfo) -> dict[str, str]:
    if moment is None:
        return {"follow_up_date": "", "follow_up_time": ""}
    there = moment.astimezone(tz)
    return {"follow_up_date": there.date().isoformat(), "follow_up_time": there.strftime("%H:%M")}


def _zone_of_hub(session: Session, hub_id: Any) -> ZoneInfo:
    number = _number(hub_id)
    if number is not None:
        try:
            return service.zone(fleet_service.get_hub(session, SYSTEM, number).timezone)
        except NotFound:
            pass
    return service.zone()


def _agents(session: Session) -> list[tuple[int, str]]:
    """Everyone who may take leads, for the agent filter and the reassign select."""
    people = {u.id: u for role in service.LEAD_TAKER_ROLES for u in auth_service.users_by_role(session, role)}
    return sorted(((u.id, u.full_name or u.email) for u in people.values()), key=lambda p: p[1].lower())


def _hub_options(session: Session) -> list[tuple[int, str]]:
    return [(h.id, f"{h.code} – {h.name}") for h in fleet_service.list_hubs(session, SYSTEM, is_active=True)]


def _allowed(lead) -> list[tuple[str, str]]:
    """The statuses this lead may move to by hand, in pipeline order."""
    return [(s, service.STATUS_WORDS[s]) for s in LEAD_STATUSES if s in service.TRANSITIONS[lead.status]]


def _follow_up_state(lead) -> str:
    """"overdue", "today" or "" for an open lead's next follow-up."""
    if lead.next_follow_up is None or lead.status not in OPEN_LEAD_STATUSES:
        return ""
    if lead.next_follow_up < clock.now():
        return "overdue"
    return "today" if lead.next_follow_up < service.day_bounds(service.today())[1] else ""


def _shared() -> dict[str, Any]:
    return {"status_words": service.STATUS_WORDS, "source_words": service.SOURCE_WORDS,
            "method_words": service.METHOD_WORDS, "trip_type_words": TRIP_TYPE_WORDS,
            "is_hot": service.is_hot, "follow_up_state": _follow_up_state,
            "hot_threshold": service.HOT_THRESHOLD}


# ---------------------------------------------------------------- the list

@router.get(BASE)
def leads_list(request: Request, actor: PageActor, session: PageSession,
               q: Annotated[str, Query(max_length=100)] = "", status: Short = "", source: Short = "",
               agent: Short = "", date_from: Short = "", date_to: Short = "", recent: Short = "",
               hot: Short = "", follow_up: Short = "", sort: Short = "newest",
               offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0):
    """Leads you may see, filtered and sorted."""
    require(actor, "leads:read")
    see_all = service.sees_all(actor)
    filters = {"q": q.strip(), "status": status if status in ("open", *LEAD_STATUSES) else "",
               "source": source if source in service.SOURCE_WORDS else "",
               "agent": (agent if agent == "none" else _number(agent)) if see_all else None,
               "date_from": _date_or_none(date_from), "date_to": _date_or_none(date_to),
               "recent": recent == "1", "hot": hot == "1",
               "follow_up": follow_up if follow_up in FOLLOW_UP_WORDS else ""}
    sort = sort if sort in SORT_WORDS else "newest"
    filter_error = None
    try:
        leads, total = service.list_leads(
            session, actor, sort=sort, limit=PAGE_SIZE, offset=offset, q=filters["q"] or None,
            status=filters["status"] or None, source=filters["source"] or None,
            assigned_to=filters["agent"] if isinstance(filters["agent"], int) else None,
            unassigned=filters["agent"] == "none", date_from=filters["date_from"], date_to=filters["date_to"],
            recent=filters["recent"], hot=filters["hot"], follow_up=filters["follow_up"] or None)
    except Invalid as exc:
        leads, total, filter_error = [], 0, exc.detail
    tz = service.zone()
    context = {"title": "Leads", "leads": leads, "names": service.names_of(session, leads),
               "filters": filters, "sort": sort, "filter_error": filter_error, "see_all": see_all,
               "filtered": any(v for v in filters.values()),
               "received": {lead.id: lead.created_at.astimezone(tz) for lead in leads},
               "follow_ups": {lead.id: _local(lead.next_follow_up, tz) for lead in leads},
               "statuses": [("open", "Open (not converted or lost)"), *service.STATUS_WORDS.items()],
               "sources": list(service.SOURCE_WORDS.items()), "sorts": list(SORT_WORDS.items()),
               "follow_up_options": list(FOLLOW_UP_WORDS.items()),
               "agents": [("none", "Nobody (unassigned)"), *_agents(session)] if see_all else [],
               "can_create": _can(actor, "leads:create"),
               "pager": pager(request, total=total, limit=PAGE_SIZE, offset=offset), **_shared()}
    if is_htmx(request, "lead-results"):
        return render(request, "sales/leads_list.html", context, block="results")
    return render(request, "sales/leads_list.html", context)


# ---------------------------------------------------------------- entering a lead

def _lead_data(form: FormData) -> dict[str, str]:
    return {name: str(form.get(name) or "").strip() for name in (*LEAD_FIELDS, *FOLLOW_UP, "assigned_to")}


def _form_page(request: Request, session: Session, actor: Actor, *, data: dict | None = None,
               errors: FormErrors | None = None, status_code: int = 200):
    can_assign = _can(actor, "leads:assign")
    types = fleet_service.list_vehicle_types(session, SYSTEM, is_active=True)
    return render(request, "sales/lead_form.html",
                  {"title": "New lead", "values": data or {}, "form_errors": errors,
                   "sources": list(service.SOURCE_WORDS.items()), "trip_types": list(TRIP_TYPE_WORDS.items()),
                   "hubs": _hub_options(session), "vehicle_types": [t.name for t in types],
                   "can_assign": can_assign, "agents": _agents(session) if can_assign else [],
                   "zone": service.zone()}, status_code=status_code)


@router.get(BASE + "/new")
def lead_new(request: Request, actor: PageActor, session: PageSession):
    """The form for a new lead."""
    require(actor, "leads:create")
    return _form_page(request, session, actor, data={"source": "phone"})


@router.post(BASE)
def lead_create(request: Request, actor: PageActor, session: PageSession, form: FormDep):
    """Enter a lead from the form; it is assigned at once."""
    data = _lead_data(form)
    try:
        sent: dict[str, Any] = {k: v for k, v in data.items() if v and k in LeadCreate.model_fields}
        if not _can(actor, "leads:assign"):
            sent.pop("assigned_to", None)
        follow_up = _when(data, _zone_of_hub(session, data["hub_id"]))
        if follow_up is not None:
            sent["next_follow_up"] = follow_up
        body = validate(LeadCreate, sent)
        lead = service.create_lead(session, actor, **body.model_dump(exclude_unset=True))
    except (Invalid, Conflict) as exc:
        undo_refused(session, exc)
        return _form_page(request, session, actor, data=data, errors=_errors(exc), status_code=exc.status)
    name = f"{lead.first_name} {lead.last_name}"
    if lead.assigned_to is not None:
        agent = service.names_of(session, [lead]).get(lead.assigned_to, "an agent")
        how = service.METHOD_WORDS.get(lead.assignment_method or "", lead.assignment_method)
        message = f"Lead entered and assigned to {agent} ({how})."
    else:
        message = (f"Lead {name} entered. Nobody in the round robin could take it: it waits for a manager "
                   "to assign it.")
    try:
        service.get_lead(session, actor, lead.id)
    except NotFound:  # routed to someone else: this agent no longer sees it
        return redirect(request, BASE, flash=message)
    return redirect(request, f"{BASE}/{lead.id}", flash=message)


# ---------------------------------------------------------------- the pipeline and the queue
# (before /admin/leads/{lead_id}, so that "pipeline" is not read as an id)

def _pipeline(request: Request, session: Session, actor: Actor, agent: str = "", *,
              page_error: str | None = None, status_code: int = 200):
    see_all = service.sees_all(actor)
    agent_id = _number(agent) if see_all else None
    stages = service.pipeline(session, actor, assigned_to=agent_id)
    leads = [lead for stage in stages for lead in stage.leads]
    return render(request, "sales/pipeline.html",
                  {"title": "Pipeline", "stages": stages, "names": service.names_of(session, leads),
                   "see_all": see_all, "agent_id": agent_id, "agents": _agents(session) if see_all else [],
                   "allowed": {lead.id: _allowed(lead) for lead in leads},
                   "can_update": _can(actor, "leads:update"), "can_convert": _can(actor, "leads:convert"),
                   "page_error": page_error, **_shared()}, status_code=status_code)


@router.get(BASE + "/pipeline")
def pipeline_page(request: Request, actor: PageActor, session: PageSession, agent: Short = ""):
    """The kanban board: a column per status; drag a card to move the lead."""
    return _pipeline(request, session, actor, agent)


def _queue_page(request: Request, session: Session, actor: Actor, *, errors: FormErrors | None = None,
                status_code: int = 200):
    entries = service.get_queue(session, actor)
    can_manage = _can(actor, "leads:manage_queue")
    return render(request, "sales/assignment.html",
                  {"title": "Lead assignment", "entries": entries, "can_manage": can_manage,
                   "candidates": [(u.id, f"{u.full_name or u.email} ({u.role.replace('_', ' ')})")
                                  for u in service.queue_candidates(session, actor)] if can_manage else [],
                   "form_errors": errors, "tz": service.zone(), "local": _local},
                  status_code=status_code)


@router.get(BASE + "/assignment")
def assignment_page(request: Request, actor: PageActor, session: PageSession):
    """The round robin: who takes new leads, in which order, with daily caps and today's counts."""
    return _queue_page(request, session, actor)


def _queue_entries(form: FormData) -> tuple[list[dict[str, Any]], str]:
    """The queue as the form sends it (rows in page order, then sorted by their position boxes), with the
    button pressed (move up/down, remove, add) applied; and what was done, in words."""
    ids = [_number(v) for v in form.getlist("user_id")]
    rows = []
    for index, user_id in enumerate(ids):
        if user_id is None:
            raise Invalid.field("entries", "The queue did not arrive whole; reload the page and try again.")
        position = str(form.get(f"position_{user_id}") or "").strip()
        rank = int(position) if position.isdigit() else index + 1
        rows.append((rank, index, {"user_id": user_id, "is_active": form.get(f"active_{user_id}") == "on",
                                   "max_daily_leads": str(form.get(f"cap_{user_id}") or "").strip() or None}))
    entries = [entry for _, _, entry in sorted(rows, key=lambda r: (r[0], r[1]))]
    done = "Saved the round-robin queue."
    action = str(form.get("action") or "")
    kind, _, target = action.partition(":")
    target_id = _number(target)
    order = [e["user_id"] for e in entries]
    if kind in ("up", "down") and target_id in order:
        i = order.index(target_id)
        j = i - 1 if kind == "up" else i + 1
        if 0 <= j < len(entries):
            entries[i], entries[j] = entries[j], entries[i]
        done = f"Moved one place {kind} and saved the queue."
    elif kind == "remove" and target_id in order:
        entries.pop(order.index(target_id))
        done = "Removed from the queue."
    elif kind == "add":
        new_id = _number(form.get("add_user_id"))
        if new_id is None:
            raise Invalid.field("add_user_id", "Choose who to add to the queue.")
        if new_id not in order:
            entries.append({"user_id": new_id, "is_active": True, "max_daily_leads": None})
        done = "Added to the end of the queue."
    return entries, done


@router.post(BASE + "/assignment")
def assignment_save(request: Request, actor: PageActor, session: PageSession, form: FormDep):
    """Save the whole queue: order, who is active, daily caps (and a move, removal or addition)."""
    require(actor, "leads:manage_queue")
    entries: list[dict[str, Any]] = []
    try:
        entries, done = _queue_entries(form)
        body = validate(QueueUpdate, {"entries": entries})
        service.update_queue(session, actor, [e.model_dump() for e in body.entries])
    except (Invalid, Conflict) as exc:
        undo_refused(session, exc)
        errors = _queue_errors(session, exc, entries)
        return _queue_page(request, session, actor, errors=errors, status_code=exc.status)
    return redirect(request, f"{BASE}/assignment", flash=done)


def _queue_errors(session: Session, exc: DomainError, entries: list[dict[str, Any]]) -> FormErrors:
    """Errors of the queue form, each naming the person it is about ("entries.2.max_daily_leads")."""
    errors = FormErrors.of(exc, LABELS)
    users = auth_service.users_by_ids(session, [e["user_id"] for e in entries])
    fields = {}
    for name, message in errors.fields.items():
        parts = name.split(".")
        if parts[0] == "entries" and len(parts) >= 2 and parts[1].isdigit() and int(parts[1]) < len(entries):
            user_id = entries[int(parts[1])]["user_id"]
            who = users[user_id].full_name if user_id in users else f"User {user_id}"
            what = "Daily cap" if parts[-1] == "max_daily_leads" else "Queue"
            fields[f"cap_{user_id}" if what == "Daily cap" else "entries"] = message
            errors.labels[f"cap_{user_id}"] = f"{what} of {who}"
        else:
            fields[name] = message
    errors.fields = fields
    return errors


# ---------------------------------------------------------------- a lead's page

def _edit_values(lead, tz: ZoneInfo) -> dict[str, str]:
    data = {name: "" if getattr(lead, name) is None else str(getattr(lead, name)) for name in LEAD_FIELDS}
    return data | _when_values(lead.next_follow_up, tz)


def _client_words(session: Session, actor: Actor, lead) -> tuple[int | None, str]:
    """The client the lead's quote would be for, and how to say it."""
    client_id = service.existing_client_id(session, lead)
    if client_id is None:
        return None, ""
    try:
        return client_id, clients_service.get_client(session, actor, client_id).name
    except (NotFound, Forbidden):
        return client_id, f"Client {client_id}"


def _detail_context(session: Session, actor: Actor, lead_id: int) -> dict[str, Any]:
    lead = service.get_lead(session, actor, lead_id)
    tz = service.hub_zone(session, lead)
    activities = service.list_activities(session, actor, lead_id)
    people = auth_service.users_by_ids(session, [a.created_by for a in activities if a.created_by]
                                       + ([lead.assigned_to] if lead.assigned_to else []))
    hub = fleet_service.get_hub(session, SYSTEM, lead.hub_id) if lead.hub_id else None
    is_open = lead.status in OPEN_LEAD_STATUSES
    can_update = _can(actor, "leads:update")
    client_id, client_name = _client_words(session, actor, lead)
    agent = people.get(lead.assigned_to) if lead.assigned_to else None
    return {"title": f"{lead.first_name} {lead.last_name}", "lead": lead, "tz": tz, "hub": hub,
            "agent_name": (agent.full_name or agent.email) if agent else None,
            "activities": activities, "people": {uid: u.full_name or u.email for uid, u in people.items()},
            "system_types": SYSTEM_ACTIVITY_TYPES, "activity_words": ACTIVITY_WORDS,
            "activity_types": [(t, ACTIVITY_WORDS[t]) for t in ACTIVITY_TYPES],
            "score": service.lead_score(session, actor, lead_id), "score_parts": SCORE_PARTS,
            "allowed": _allowed(lead) if can_update else [], "can_update": can_update,
            "can_edit": can_update, "is_open": is_open,
            "can_assign": _can(actor, "leads:assign") and is_open,
            "can_convert": _can(actor, "leads:convert") and is_open,
            "agents": [a for a in _agents(session) if a[0] != lead.assigned_to],
            "client_id": client_id, "client_name": client_name,
            "local": _local, "follow_up": _local(lead.next_follow_up, tz),
            "sources": list(service.SOURCE_WORDS.items()), "trip_types": list(TRIP_TYPE_WORDS.items()),
            "hubs": _hub_options(session), **_shared()}


def _show(request: Request, session: Session, actor: Actor, lead_id: int, *, status_code: int = 200,
          **extra):
    context = _detail_context(session, actor, lead_id)
    context = {"page_error": None, "move_errors": None, "lost_values": {}, "edit_errors": None,
               "edit_values": _edit_values(context["lead"], context["tz"]), "activity_errors": None,
               "activity_values": {"activity_type": "call"}, "email_errors": None, "email_values": {},
               "assign_errors": None, "lose": request.query_params.get("lose") == "1", **context, **extra}
    return render(request, "sales/lead_detail.html", context, status_code=status_code)


@router.get(BASE + "/{lead_id:int}")
def lead_detail(request: Request, lead_id: Id, actor: PageActor, session: PageSession):
    """One lead: contact, trip, status, score, assignment, timeline and what to do next."""
    return _show(request, session, actor, lead_id)


def _wants_json(request: Request) -> bool:
    return request.headers.get("accept", "").startswith("application/json")


@router.post(BASE + "/{lead_id:int}/move")
def lead_move(request: Request, lead_id: Id, actor: PageActor, session: PageSession, form: FormDep):
    """Move the lead to another status (the pipeline's drag, its "Move to" select, the page's buttons).
    A move the workflow refuses is answered 409 with the reason."""
    status = str(form.get("status") or "").strip()
    reason = str(form.get("lost_reason") or "").strip() or None
    back = str(form.get("next") or "")
    try:
        if status == "converted":
            raise Conflict("A lead becomes converted when it is converted to a quote: use Convert to quote.")
        lead = service.move_lead(session, actor, lead_id, status, lost_reason=reason)
    except (Invalid, Conflict) as exc:
        undo_refused(session, exc)
        if _wants_json(request):
            return JSONResponse({"ok": False, "message": exc.detail,
                                 "field": (exc.errors[0].get("field") if exc.errors else None)},
                                status_code=exc.status)
        if back == "pipeline":
            if isinstance(exc, Invalid) and any(e.get("field") == "lost_reason" for e in exc.errors):
                return redirect(request, f"{BASE}/{lead_id}?lose=1#status", kind="error",
                                flash="Say why the lead was lost, then mark it lost.")
            return _pipeline(request, session, actor, str(form.get("agent") or ""), page_error=exc.detail,
                             status_code=exc.status)
        return _show(request, session, actor, lead_id, move_errors=_errors(exc),
                     lost_values={"lost_reason": reason or ""}, lose=status == "lost",
                     status_code=exc.status)
    label = service.STATUS_WORDS[lead.status]
    message = f"{lead.first_name} {lead.last_name} is now {label.lower()}."
    if _wants_json(request):
        return JSONResponse({"ok": True, "status": lead.status, "label": label, "message": message,
                             "score": lead.lead_score, "hot": service.is_hot(lead),
                             "allowed": [list(pair) for pair in _allowed(lead)]})
    if back == "pipeline":
        return redirect(request, f"{BASE}/pipeline#lead-{lead.id}", flash=message)
    return redirect(request, f"{BASE}/{lead.id}", flash=message)


@router.post(BASE + "/{lead_id:int}")
def lead_update(request: Request, lead_id: Id, actor: PageActor, session: PageSession, form: FormDep):
    """Save a lead's details (blank optional fields are cleared)."""
    data = _lead_data(form)
    try:
        lead = service.get_lead(session, actor, lead_id)
        tz = _zone_of_hub(session, data["hub_id"]) if data["hub_id"] else service.zone()
        follow_up = _when(data, tz)
        if (follow_up is not None and lead.next_follow_up is not None
                and follow_up == lead.next_follow_up.astimezone(tz).replace(second=0, microsecond=0)):
            follow_up = lead.next_follow_up  # unchanged (the form shows minutes only)
        sent: dict[str, Any] = {k: v for k, v in data.items() if k in LEAD_FIELDS and (v or k in REQUIRED)}
        body = validate(LeadUpdate, sent)
        changes = body.model_dump(exclude_unset=True)
        changes |= {name: None for name in CLEARABLE if name not in changes}
        changes["next_follow_up"] = follow_up
        lead = service.update_lead(session, actor, lead_id, **changes)
    except (Invalid, Conflict) as exc:
        undo_refused(session, exc)
        return _show(request, session, actor, lead_id, edit_errors=_errors(exc), edit_values=data,
                     status_code=exc.status)
    return redirect(request, f"{BASE}/{lead.id}", flash="Saved the lead's details.")


@router.post(BASE + "/{lead_id:int}/activities")
def activity_log(request: Request, lead_id: Id, actor: PageActor, session: PageSession, form: FormDep):
    """Log a call, email, meeting or note, and optionally when to follow up next."""
    data = values(form, "activity_type", "description", *FOLLOW_UP)
    try:
        lead = service.get_lead(session, actor, lead_id)
        sent: dict[str, Any] = {k: data[k] for k in ("activity_type", "description") if k in data}
        follow_up = _when(data, service.hub_zone(session, lead))
        if follow_up is not None:
            sent["next_follow_up"] = follow_up
        body = validate(ActivityCreate, sent)
        activity = service.log_activity(session, actor, lead_id, **body.model_dump())
    except (Invalid, Conflict) as exc:
        undo_refused(session, exc)
        return _show(request, session, actor, lead_id, activity_errors=_errors(exc),
                     activity_values=data, status_code=exc.status)
    message = f"Logged the {ACTIVITY_WORDS[activity.activity_type].lower()}."
    return redirect(request, f"{BASE}/{lead_id}#timeline", flash=message)


@router.post(BASE + "/{lead_id:int}/follow-up-email")
def follow_up_email(request: Request, lead_id: Id, actor: PageActor, session: PageSession, form: FormDep):
    """Email the lead (tracked; not sent when the client turned follow-up emails off)."""
    data = values(form, "subject", "message", *FOLLOW_UP)
    try:
        lead = service.get_lead(session, actor, lead_id)
        sent: dict[str, Any] = {k: data.get(k, "") for k in ("subject", "message")}
        follow_up = _when(data, service.hub_zone(session, lead))
        if follow_up is not None:
            sent["next_follow_up"] = follow_up
        result = service.send_follow_up(session, actor, lead_id, **validate(FollowUpEmail, sent).model_dump())
    except (Invalid, Conflict) as exc:
        undo_refused(session, exc)
        return _show(request, session, actor, lead_id, email_errors=_errors(exc), email_values=data,
                     status_code=exc.status)
    if not result["sent"]:
        return redirect(request, f"{BASE}/{lead_id}#timeline", kind="error",
                        flash=f"The email was not sent: {result['reason']}")
    return redirect(request, f"{BASE}/{lead_id}#timeline", flash=f"Emailed {lead.email}.")


@router.post(BASE + "/{lead_id:int}/assign")
def lead_assign(request: Request, lead_id: Id, actor: PageActor, session: PageSession, form: FormDep):
    """Hand the lead to another agent (managers)."""
    data = values(form, "assigned_to", "note")
    try:
        body = validate(AssignRequest, {"lead_ids": [lead_id], **data})
        service.assign_leads(session, actor, [lead_id], assigned_to=body.assigned_to, note=body.note)
    except (Invalid, Conflict) as exc:
        undo_refused(session, exc)
        return _show(request, session, actor, lead_id, assign_errors=_errors(exc), status_code=exc.status)
    name = dict(_agents(session)).get(body.assigned_to, "the new agent")
    try:
        service.get_lead(session, actor, lead_id)
    except NotFound:
        return redirect(request, BASE, flash=f"The lead is now {name}'s.")
    return redirect(request, f"{BASE}/{lead_id}", flash=f"The lead is now {name}'s.")


# ---------------------------------------------------------------- converting to a quote

def _convert_values(session: Session, lead) -> dict[str, str]:
    hubs = fleet_service.list_hubs(session, SYSTEM, is_active=True)
    hub_id = lead.hub_id or (hubs[0].id if len(hubs) == 1 else None)
    wanted = (lead.vehicle_type or "").strip().lower()
    type_id = next((t.id for t in fleet_service.list_vehicle_types(session, SYSTEM, is_active=True)
                    if wanted and wanted in (t.name.lower(), t.code.lower())), None)
    return {"hub_id": str(hub_id or ""), "trip_date": lead.trip_date.isoformat() if lead.trip_date else "",
            "pickup_time": "", "passenger_count": str(lead.passenger_count or ""),
            "trip_type": lead.trip_type or "one_way", "vehicle_type_id": str(type_id or ""),
            "client_id": ""}


def _convert_page(request: Request, session: Session, actor: Actor, lead_id: int, *, data: dict | None = None,
                  errors: FormErrors | None = None, status_code: int = 200):
    require(actor, "leads:convert")
    lead = service.get_lead(session, actor, lead_id)
    if lead.status == "converted":
        raise Conflict(f"This lead was already converted to charter {lead.converted_to_charter_id}.")
    client_id, client_name = _client_words(session, actor, lead)
    types = fleet_service.list_vehicle_types(session, SYSTEM, is_active=True)
    return render(request, "sales/lead_convert.html",
                  {"title": f"Convert {lead.first_name} {lead.last_name} to a quote", "lead": lead,
                   "values": data or _convert_values(session, lead), "form_errors": errors,
                   "hubs": _hub_options(session), "trip_types": list(TRIP_TYPE_WORDS.items()),
                   "vehicle_types": [(t.id, f"{t.name} ({t.capacity} seats)") for t in types],
                   "client_id": client_id, "client_name": client_name}, status_code=status_code)


@router.get(BASE + "/{lead_id:int}/convert")
def convert_form(request: Request, lead_id: Id, actor: PageActor, session: PageSession):
    """The form that turns the lead into a quote, filled in from the lead."""
    return _convert_page(request, session, actor, lead_id)


@router.post(BASE + "/{lead_id:int}/convert")
def convert(request: Request, lead_id: Id, actor: PageActor, session: PageSession, form: FormDep):
    """Turn the lead into a quote and open it."""
    data = {name: str(form.get(name) or "").strip() for name in CONVERT_FIELDS}
    try:
        body = validate(ConvertRequest, {k: v for k, v in data.items() if v})
        result = service.convert_lead(session, actor, lead_id, **body.model_dump())
    except (Invalid, Conflict) as exc:
        undo_refused(session, exc)
        return _convert_page(request, session, actor, lead_id, data=data, errors=_errors(exc),
                             status_code=exc.status)
    charter = result["charter"]
    message = f"Converted to quote {charter.id}" + (" for a new client." if result["client_created"] else ".")
    if result["priced"] and charter.quoted_price is not None:
        message += f" Priced at ${charter.quoted_price:,.2f}."
    elif result["pricing_note"]:
        message += f" Not priced yet: {result['pricing_note']}"
    return redirect(request, f"/admin/charters/{charter.id}", flash=message)


# ---------------------------------------------------------------- the sales dashboard and public pages

def _include_others() -> None:
    """The dashboard and public pages, when their modules are there (they are written separately)."""
    here = FilePath(__file__).parent
    for name in ("dashboard_pages", "public"):
        if not (here / f"{name}.py").exists():
            continue
        module = importlib.import_module(f"coachway.sales.{name}")
        router.include_router(module.router)


_include_others()
