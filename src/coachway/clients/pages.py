"""Client pages: the list with live search, the client form, and a client's page with its contacts and
history.

Every rule lives in clients/service.py; these handlers parse the form, call the service and pick a page.
"""

from typing import Annotated, Any, get_args

from fastapi import APIRouter, Path, Query, Request
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from coachway.auth import service as auth_service
from coachway.clients import service
from coachway.clients.schemas import (
    ClientCreate,
    ClientType,
    ClientUpdate,
    ContactCreate,
    ContactUpdate,
)
from coachway.core.deps import undo_refused
from coachway.core.errors import Conflict, DomainError, Invalid, NotFound
from coachway.core.fields import MAX_ID
from coachway.core.permissions import Actor, require
from coachway.web import audit_view, nav
from coachway.web.deps import FormDep, PageActor, PageSession
from coachway.web.forms import FormErrors, validate, values
from coachway.web.templating import is_htmx, pager, redirect, render

router = APIRouter(include_in_schema=False)
nav.register("Clients", "/admin/clients", permission="clients:read", order=10,
             description="Client accounts, contacts and their history.")

PAGE_SIZE = 25
HISTORY_SIZE = 10
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
TYPE_OPTIONS = [(t, t.replace("_", " ").capitalize()) for t in get_args(ClientType)]
COUNTRIES = [("US", "United States"), ("CA", "Canada"), ("MX", "Mexico")]
STATUS_FILTER = {"active": True, "inactive": False}
# The client form's fields; the internal ones only for readers with clients:read_internal.
CLIENT_FIELDS = ("name", "client_type", "email", "phone", "billing_address_line1", "billing_address_line2",
                 "billing_city", "billing_state", "billing_postal_code", "billing_country")
INTERNAL_FIELDS = ("notes", "assigned_sales_agent_id")
PREFERENCES = ("email_notifications_enabled", "sms_notifications_enabled")
REQUIRED = ("name", "client_type", "billing_country")
CONTACT_FIELDS = ("name", "title", "email", "phone")


# How the error summary names fields whose form label is not their name.
LABELS = {"client_type": "Type", "billing_address_line1": "Street address",
          "billing_address_line2": "Address line 2", "billing_city": "City",
          "billing_state": "State or province", "billing_postal_code": "ZIP or postal code",
          "billing_country": "Country", "assigned_sales_agent_id": "Assigned sales agent",
          "title": "Job title", "is_primary": "Primary contact"}


def _errors(exc: DomainError) -> FormErrors:
    return FormErrors.of(exc, LABELS)


def type_label(client_type: str) -> str:
    """sports_team -> Sports team."""
    return client_type.replace("_", " ").capitalize()


# ---------------------------------------------------------------- the list

@router.get("/admin/clients")
def clients_list(request: Request, actor: PageActor, session: PageSession,
                 q: Annotated[str, Query(max_length=100)] = "",
                 client_type: Annotated[str, Query(max_length=30)] = "",
                 status: Annotated[str, Query(max_length=10)] = "",
                 offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0):
    """Clients, searchable by name, email or phone and filterable by type and activity."""
    chosen_type = client_type if client_type in get_args(ClientType) else ""
    chosen_status = status if status in STATUS_FILTER else ""
    clients, total = service.list_clients(session, actor, q=q.strip() or None,
                                          client_type=chosen_type or None,
                                          is_active=STATUS_FILTER.get(chosen_status), limit=PAGE_SIZE,
                                          offset=offset)
    context = {"title": "Clients", "clients": clients, "q": q, "client_type": chosen_type,
               "status": chosen_status, "types": TYPE_OPTIONS, "type_label": type_label,
               "filtered": bool(q.strip() or chosen_type or chosen_status),
               "can_create": actor.can("clients:create"),
               "pager": pager(request, total=total, limit=PAGE_SIZE, offset=offset)}
    if is_htmx(request, "client-results"):  # the search box asked for the results only
        return render(request, "clients/list.html", context, block="results")
    return render(request, "clients/list.html", context)


# ---------------------------------------------------------------- the client form (new and edit)

def _client_form_data(form: FormData, actor: Actor) -> dict[str, Any]:
    """Every field of the form as sent: blanks are None, checkboxes True or False."""
    names = CLIENT_FIELDS + (INTERNAL_FIELDS if actor.can("clients:read_internal") else ())
    data: dict[str, Any] = {name: str(form.get(name) or "").strip() or None for name in names}
    data.update({name: form.get(name) == "on" for name in PREFERENCES})
    return data


def _agent_options(session: Session, actor: Actor, current: int | None) -> list[tuple[int, str]]:
    if not actor.can("clients:read_internal"):
        return []
    options = [(u.id, u.full_name or u.email) for u in service.list_assignable_agents(session, actor)]
    if current and all(value != current for value, _ in options):
        options.append((current, f"User {current} (no longer in sales)"))
    return options


def _country_options(current: str | None) -> list[tuple[str, str]]:
    if current and all(code != current for code, _ in COUNTRIES):
        return [*COUNTRIES, (current, current)]
    return COUNTRIES


def _form_page(request: Request, session: Session, actor: Actor, *, client=None, data: dict | None = None,
               errors: FormErrors | None = None, status_code: int = 200):
    shown = {k: ("" if v is None else v) for k, v in (data or {}).items()}
    agent = shown.get("assigned_sales_agent_id")
    title = f"Change {client.name}" if client else "New client"
    return render(request, "clients/form.html",
                  {"title": title, "client": client, "values": shown, "form_errors": errors,
                   "types": TYPE_OPTIONS, "countries": _country_options(shown.get("billing_country")),
                   "agents": _agent_options(session, actor, int(agent) if str(agent).isdigit() else None),
                   "can_internal": actor.can("clients:read_internal"),
                   "action": f"/admin/clients/{client.id}/edit" if client else "/admin/clients"},
                  status_code=status_code)


@router.get("/admin/clients/new")
def client_new(request: Request, actor: PageActor, session: PageSession):
    """The form for a new client."""
    require(actor, "clients:create")
    return _form_page(request, session, actor, data={"client_type": "corporate", "billing_country": "US",
                                                     "email_notifications_enabled": True})


@router.post("/admin/clients")
def client_create(request: Request, actor: PageActor, session: PageSession, form: FormDep):
    """Open a client account from the form."""
    data = _client_form_data(form, actor)
    try:
        body = validate(ClientCreate, {k: v for k, v in data.items() if v is not None})
        client = service.create_client(session, actor, **body.model_dump())
    except (Invalid, Conflict) as exc:
        undo_refused(session, exc)  # nothing half-done may be committed
        return _form_page(request, session, actor, data=data, errors=_errors(exc),
                          status_code=exc.status)
    return redirect(request, f"/admin/clients/{client.id}", flash=f"{client.name} is added.")


def _client_values(client, actor: Actor) -> dict[str, Any]:
    names = CLIENT_FIELDS + PREFERENCES + (INTERNAL_FIELDS if actor.can("clients:read_internal") else ())
    return {name: getattr(client, name) for name in names}


@router.get("/admin/clients/{client_id}/edit")
def client_edit(request: Request, client_id: Id, actor: PageActor, session: PageSession):
    """The form to change a client's details."""
    client = service.get_client(session, actor, client_id)
    require(actor, "clients:update")
    return _form_page(request, session, actor, client=client, data=_client_values(client, actor))


@router.post("/admin/clients/{client_id}/edit")
def client_update(request: Request, client_id: Id, actor: PageActor, session: PageSession, form: FormDep):
    """Save a client's details."""
    data = _client_form_data(form, actor)
    try:
        # Required fields left blank are sent empty, so that the schema says which are missing.
        sent = {k: ("" if v is None and k in REQUIRED else v) for k, v in data.items()}
        changes = validate(ClientUpdate, sent).model_dump(exclude_unset=True)
        client = service.update_client(session, actor, client_id, **changes)
    except (Invalid, Conflict) as exc:
        undo_refused(session, exc)
        client = service.get_client(session, actor, client_id)
        return _form_page(request, session, actor, client=client, data=data, errors=_errors(exc),
                          status_code=exc.status)
    return redirect(request, f"/admin/clients/{client.id}", flash=f"Saved the changes to {client.name}.")


# ---------------------------------------------------------------- a client's page

def _history(session: Session, actor: Actor, client_id: int) -> dict | None:
    """The client's latest audit entries, with what changed, for readers of the audit log."""
    if not actor.can("audit:read"):
        return None
    entries, total = auth_service.list_audit(session, actor, entity_type="client", entity_id=str(client_id),
                                             limit=HISTORY_SIZE)
    rows = audit_view.describe(session, actor, entries, creation_details=False)
    return {"rows": rows, "total": total}


def _detail_page(request: Request, session: Session, actor: Actor, client_id: int, *,
                 contact_values: dict | None = None, errors: FormErrors | None = None,
                 status_code: int = 200):
    client = service.get_client(session, actor, client_id)
    contacts = service.list_contacts(session, actor, client_id)
    agent_name = None
    if actor.can("clients:read_internal") and client.assigned_sales_agent_id:
        agent_name = dict(_agent_options(session, actor, client.assigned_sales_agent_id)).get(
            client.assigned_sales_agent_id)
    return render(request, "clients/detail.html",
                  {"title": client.name, "client": client, "contacts": contacts, "type_label": type_label,
                   "can_update": actor.can("clients:update"), "can_delete": actor.can("clients:delete"),
                   "can_internal": actor.can("clients:read_internal"), "agent_name": agent_name,
                   "can_documents": actor.can("documents:read"),
                   "can_preferences": actor.can("email_preferences:read"),
                   "country": dict(COUNTRIES).get(client.billing_country, client.billing_country),
                   "history": _history(session, actor, client.id),
                   "contact_values": contact_values or {}, "form_errors": errors}, status_code=status_code)


@router.get("/admin/clients/{client_id}")
def client_detail(request: Request, client_id: Id, actor: PageActor, session: PageSession):
    """One client: contact card, billing address, preferences, contacts and recent changes."""
    return _detail_page(request, session, actor, client_id)


@router.post("/admin/clients/{client_id}/deactivate")
def client_deactivate(request: Request, client_id: Id, actor: PageActor, session: PageSession, form: FormDep):
    """Deactivate a client (kept with its history)."""
    client = service.deactivate_client(session, actor, client_id)
    return redirect(request, f"/admin/clients/{client.id}",
                    flash=f"{client.name} is deactivated: its history is kept, but it is not offered for "
                          "new business.")


@router.post("/admin/clients/{client_id}/reactivate")
def client_reactivate(request: Request, client_id: Id, actor: PageActor, session: PageSession, form: FormDep):
    """Make a deactivated client active again."""
    client = service.update_client(session, actor, client_id, is_active=True)
    return redirect(request, f"/admin/clients/{client.id}", flash=f"{client.name} is active again.")


# ---------------------------------------------------------------- contacts

@router.post("/admin/clients/{client_id}/contacts")
def contact_add(request: Request, client_id: Id, actor: PageActor, session: PageSession, form: FormDep):
    """Add a contact person to a client."""
    data: dict[str, Any] = values(form, *CONTACT_FIELDS)
    data["is_primary"] = form.get("is_primary") == "on"
    try:
        contact = service.add_contact(session, actor, client_id, **validate(ContactCreate, data).model_dump())
    except (Invalid, Conflict) as exc:
        undo_refused(session, exc)
        return _detail_page(request, session, actor, client_id, contact_values=data,
                            errors=_errors(exc), status_code=exc.status)
    return redirect(request, f"/admin/clients/{client_id}",
                    flash=f"{contact.name} is added as a contact.")


def _contact_page(request: Request, session: Session, actor: Actor, client_id: int, contact_id: int, *,
                  data: dict | None = None, errors: FormErrors | None = None, status_code: int = 200):
    client = service.get_client(session, actor, client_id)
    contact = next((c for c in service.list_contacts(session, actor, client_id) if c.id == contact_id), None)
    if contact is None:
        raise NotFound(f"Client {client_id} has no contact {contact_id}.")
    shown = data or {"name": contact.name, "title": contact.title, "email": contact.email,
                     "phone": contact.phone, "is_primary": contact.is_primary}
    return render(request, "clients/contact_edit.html",
                  {"title": f"Change contact {contact.name}", "client": client, "contact": contact,
                   "values": {k: ("" if v is None else v) for k, v in shown.items()}, "form_errors": errors},
                  status_code=status_code)


@router.get("/admin/clients/{client_id}/contacts/{contact_id}/edit")
def contact_edit(request: Request, client_id: Id, contact_id: Id, actor: PageActor, session: PageSession):
    """The form to change one contact."""
    page = _contact_page(request, session, actor, client_id, contact_id)
    require(actor, "clients:update")
    return page


@router.post("/admin/clients/{client_id}/contacts/{contact_id}/edit")
def contact_update(request: Request, client_id: Id, contact_id: Id, actor: PageActor, session: PageSession,
                   form: FormDep):
    """Save a contact; ticking "primary" makes it the client's primary contact."""
    data: dict[str, Any] = {name: str(form.get(name) or "").strip() or None for name in CONTACT_FIELDS}
    data["name"] = data["name"] or ""  # so that the schema says it is required
    primary = form.get("is_primary") == "on"
    try:
        changes = validate(ContactUpdate, {**data, **({"is_primary": True} if primary else {})})
        contact = service.update_contact(session, actor, client_id, contact_id,
                                         **changes.model_dump(exclude_unset=True))
    except (Invalid, Conflict) as exc:
        undo_refused(session, exc)
        return _contact_page(request, session, actor, client_id, contact_id,
                             data={**data, "is_primary": primary}, errors=_errors(exc),
                             status_code=exc.status)
    return redirect(request, f"/admin/clients/{client_id}",
                    flash=f"Saved the contact {contact.name}.")


@router.post("/admin/clients/{client_id}/contacts/{contact_id}/delete")
def contact_remove(request: Request, client_id: Id, contact_id: Id, actor: PageActor, session: PageSession,
                   form: FormDep):
    """Remove a contact (the audit log keeps it)."""
    contact = next((c for c in service.list_contacts(session, actor, client_id) if c.id == contact_id), None)
    service.remove_contact(session, actor, client_id, contact_id)
    return redirect(request, f"/admin/clients/{client_id}",
                    flash=f"{contact.name if contact else 'The contact'} is removed.")
