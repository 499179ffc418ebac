"""Clients and their contacts: who may see which, and the rules the API and pages share."""

import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, and_, exists, false, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from coachway.auth import service as auth_service
from coachway.clients.models import CLIENT_TYPES, Client, ClientContact
from coachway.clients.schemas import ClientCreate
from coachway.core import audit
from coachway.core.errors import Conflict, Invalid, NotFound
from coachway.core.pagination import paginate
from coachway.core.permissions import STAFF_ROLES, SYSTEM, Actor, hide_fields, require

# Fields only readers with clients:read_internal get to see (and so to set).
INTERNAL_FIELDS = {"notes": "clients:read_internal", "stripe_customer_id": "clients:read_internal",
                   "assigned_sales_agent_id": "clients:read_internal"}
NOT_NULL_FIELDS = {"name", "client_type", "billing_country", "sms_notifications_enabled",
                   "email_notifications_enabled", "is_active"}
CLIENT_FIELDS = {"name", "client_type", "email", "phone", "billing_address_line1", "billing_address_line2",
                 "billing_city", "billing_state", "billing_postal_code", "billing_country", "notes",
                 "assigned_sales_agent_id", "sms_notifications_enabled", "email_notifications_enabled"}
CONTACT_FIELDS = {"name", "title", "email", "phone", "is_primary"}
PHONE_PUNCTUATION = " -().+/"
OUTSIDE_ROLES = {"vendor", "driver"}
# Who is offered as a client's assigned sales agent on the pages (the API accepts any active staff).
ASSIGNABLE_ROLES = ("sales_agent", "sales_support", "manager")


# ---------------------------------------------------------------- who sees what

def readable(actor: Actor) -> Select[tuple[Client]]:
    """The clients an actor may see: staff all, a client user its own account, vendors and drivers none."""
    stmt = select(Client)
    if actor.role == "client":
        return stmt.where(Client.id == actor.client_id) if actor.client_id else stmt.where(false())
    if actor.role in OUTSIDE_ROLES:
        return stmt.where(false())
    return stmt


def visible_fields(actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
    """A client's data without the internal fields the actor may not read."""
    return hide_fields(actor, data, INTERNAL_FIELDS)


def _find(session: Session, actor: Actor, client_id: int, *, lock: bool = False) -> Client:
    stmt = readable(actor).where(Client.id == client_id)
    if lock:
        # Contact changes keep "one primary" true; concurrent changes to one client wait for each other.
        stmt = stmt.with_for_update()
    client = session.scalar(stmt)
    if client is None:
        raise NotFound(f"No client {client_id}.")
    return client


# ---------------------------------------------------------------- reading

def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _digits_only(column):
    for ch in PHONE_PUNCTUATION:
        column = func.replace(column, ch, "")
    return column


def _search(q: str):
    """Name, email or phone of the client or one of its contacts contains q (phones ignore punctuation)."""
    like = f"%{_escape_like(q.strip().lower())}%"
    contact_match = (func.lower(ClientContact.name).like(like, escape="\\")
                     | func.lower(ClientContact.email).like(like, escape="\\"))
    conditions = [func.lower(Client.name).like(like, escape="\\"),
                  func.lower(Client.email).like(like, escape="\\")]
    digits = "".join(c for c in q if c.isdigit())
    looks_like_phone = all(c.isdigit() or c in PHONE_PUNCTUATION for c in q.strip())
    if looks_like_phone and len(digits) >= 3:
        phone_like = f"%{digits}%"
        conditions.append(_digits_only(Client.phone).like(phone_like))
        contact_match = contact_match | _digits_only(ClientContact.phone).like(phone_like)
    conditions.append(exists().where(ClientContact.client_id == Client.id, contact_match))
    return or_(*conditions)


def match_client(session: Session, *, email: str | None = None, phone: str | None = None) -> Client | None:
    """The active client whose email or phone (or one of its contacts') is this one, for routing an enquiry
    to the agent who already looks after them. Emails match ignoring case; phones match on their last ten
    digits, ignoring punctuation, a leading country code and extensions. An email match wins over a phone
    match."""
    email = _normalize_email(email)
    if email:
        # Client emails are stored lower-cased (so the unique index answers); contacts' may not be.
        by_email = session.scalars(
            select(Client).where(Client.is_active.is_(True), or_(
                Client.email == email,
                Client.id.in_(select(ClientContact.client_id)
                              .where(func.lower(ClientContact.email) == email))))
            .order_by(Client.id).limit(1)).first()
        if by_email is not None:
            return by_email
    number = re.split(r"x|ext", phone or "", flags=re.IGNORECASE)[0]  # an extension is not the number
    digits = "".join(c for c in number if c.isdigit())[-10:]
    if len(digits) < 7:
        return None
    # The last four digits stand together however a number is written: a cheap LIKE finds the few
    # candidates before the digits-only comparison (six REPLACEs a row) confirms them. "Contains" rather
    # than "ends with", so that a stored extension ("x12") does not hide the number.
    near, ends = f"%{digits[-4:]}%", f"%{digits}%"
    return session.scalars(
        select(Client).where(Client.is_active.is_(True), or_(
            and_(Client.phone.like(near), _digits_only(Client.phone).like(ends)),
            Client.id.in_(select(ClientContact.client_id).where(
                ClientContact.phone.like(near), _digits_only(ClientContact.phone).like(ends)))))
        .order_by(Client.id).limit(1)).first()


def list_clients(session: Session, actor: Actor, *, q: str | None = None, client_type: str | None = None,
                 is_active: bool | None = None, assigned_sales_agent_id: int | None = None,
                 limit: int = 50, offset: int = 0) -> tuple[list[Client], int]:
    """The clients the actor may see, by name, filtered and searched by name, email or phone."""
    require(actor, "clients:read")
    stmt = readable(actor).order_by(Client.name, Client.id)
    if q and q.strip():
        stmt = stmt.where(_search(q))
    if client_type:
        stmt = stmt.where(Client.client_type == client_type)
    if is_active is not None:
        stmt = stmt.where(Client.is_active.is_(is_active))
    if assigned_sales_agent_id is not None:
        # Filtering on a hidden field would reveal it.
        require(actor, "clients:read_internal")
        stmt = stmt.where(Client.assigned_sales_agent_id == assigned_sales_agent_id)
    return paginate(session, stmt, limit=limit, offset=offset)


def get_client(session: Session, actor: Actor, client_id: int) -> Client:
    """One client the actor may see."""
    require(actor, "clients:read")
    return _find(session, actor, client_id)


def list_assignable_agents(session: Session, actor: Actor) -> list:
    """The active staff a client can be assigned to (sales agents, sales support, managers), by name."""
    require(actor, "clients:read_internal")
    users = [user for role in ASSIGNABLE_ROLES for user in auth_service.users_by_role(session, role)]
    return sorted(users, key=lambda user: ((user.full_name or user.email).lower(), user.id))


# ---------------------------------------------------------------- checks shared by create, import, update

def _normalize_email(email: str | None) -> str | None:
    return email.strip().lower() if email else None


def _check_fields(session: Session, actor: Actor, fields: dict[str, Any], *,
                  known_agents: set[int] | None = None) -> None:
    for key in NOT_NULL_FIELDS & set(fields):
        if fields[key] is None:
            raise Invalid.field(key, f"{key} cannot be empty.")
    if "client_type" in fields and fields["client_type"] not in CLIENT_TYPES:
        raise Invalid.field("client_type", f"Choose one of: {', '.join(CLIENT_TYPES)}.")
    if "name" in fields and not fields["name"].strip():
        raise Invalid.field("name", "name cannot be empty.")
    if any(fields.get(k) is not None for k in INTERNAL_FIELDS):
        require(actor, "clients:read_internal")
    agent = fields.get("assigned_sales_agent_id")
    if agent is not None and (known_agents is None or agent not in known_agents):
        _check_sales_agent(session, agent)
        if known_agents is not None:
            known_agents.add(agent)


def _check_sales_agent(session: Session, user_id: int) -> None:
    # Looked up as the system: whoever may assign a client need not be allowed to browse users.
    try:
        user = auth_service.get_user(session, SYSTEM, user_id)
    except NotFound:
        user = None
    if user is None or not user.is_active or user.role not in STAFF_ROLES:
        raise Invalid.field("assigned_sales_agent_id", f"User {user_id} is not an active staff member.")


def _email_taken(session: Session, email: str, *, except_id: int | None = None) -> bool:
    stmt = select(Client.id).where(Client.email == email)
    if except_id is not None:
        stmt = stmt.where(Client.id != except_id)
    return session.scalar(stmt.limit(1)) is not None


def _email_conflict(email: str) -> Conflict:
    message = f"A client with email {email} already exists."
    return Conflict(message, errors=[{"field": "email", "message": message}])


def _flush_or_conflict(session: Session, email: str | None) -> None:
    try:
        session.flush()
    except IntegrityError as exc:
        # Two requests raced past the duplicate check; the unique index decided.
        raise (_email_conflict(email) if email
               else Conflict("This change collides with another client.")) from exc


def _contacts_from(rows: Sequence[dict[str, Any]]) -> list[ClientContact]:
    contacts = [ClientContact(**{k: v for k, v in row.items() if k in CONTACT_FIELDS}) for row in rows]
    for contact in contacts:
        contact.email = _normalize_email(contact.email)
        contact.is_primary = bool(contact.is_primary)
    primaries = [c for c in contacts if c.is_primary]
    if len(primaries) > 1:
        raise Invalid.field("contacts", "Mark at most one contact as primary.")
    if contacts and not primaries:
        contacts[0].is_primary = True
    return contacts


# ---------------------------------------------------------------- changing clients

def create_client(session: Session, actor: Actor, *, name: str, client_type: str = "individual",
                  email: str | None = None, contacts: Sequence[dict[str, Any]] = (), **fields) -> Client:
    """Open a client account, optionally with its contacts (the first becomes primary)."""
    require(actor, "clients:create")
    fields = {"name": name.strip(), "client_type": client_type, "email": _normalize_email(email), **fields}
    unknown = set(fields) - CLIENT_FIELDS
    if unknown:
        raise TypeError(f"unknown client fields: {sorted(unknown)}")
    _check_fields(session, actor, fields)
    if fields["email"] and _email_taken(session, fields["email"]):
        raise _email_conflict(fields["email"])
    client = Client(**fields, is_active=True, contacts=_contacts_from(contacts))
    session.add(client)
    _flush_or_conflict(session, fields["email"])
    _record_created(session, actor, client)
    return client


def import_clients(session: Session, actor: Actor, rows: Sequence[ClientCreate]) -> list[Client]:
    """Open many client accounts at once (one flush for all), with the same checks as one at a time."""
    require(actor, "clients:create")
    emails = [_normalize_email(r.email) for r in rows if r.email]
    if len(set(emails)) != len(emails):
        raise Conflict("The same email appears twice in the import.")
    if emails and session.scalar(select(Client.email).where(Client.email.in_(emails)).limit(1)):
        raise Conflict("Some of these emails already belong to clients.")
    known_agents: set[int] = set()
    clients = []
    for row in rows:
        fields = row.model_dump(exclude={"contacts"})
        fields["email"] = _normalize_email(fields["email"])
        _check_fields(session, actor, fields, known_agents=known_agents)
        clients.append(Client(**fields, is_active=True,
                              contacts=_contacts_from([c.model_dump() for c in row.contacts])))
    session.add_all(clients)
    _flush_or_conflict(session, None)
    for client in clients:
        _record_created(session, actor, client)
    return clients


def _record_created(session: Session, actor: Actor, client: Client) -> None:
    audit.record(session, actor, entity_type="client", entity_id=client.id, action="create",
                 new=audit.snapshot(client))
    for contact in client.contacts:
        audit.record(session, actor, entity_type="client_contact", entity_id=contact.id, action="create",
                     new=audit.snapshot(contact))


def update_client(session: Session, actor: Actor, client_id: int, **changes) -> Client:
    """Change a client's details; only the given fields change."""
    require(actor, "clients:update")
    client = _find(session, actor, client_id)
    unknown = set(changes) - CLIENT_FIELDS - {"is_active"}
    if unknown:
        raise TypeError(f"unknown client fields: {sorted(unknown)}")
    if "is_active" in changes and changes["is_active"] != client.is_active:
        require(actor, "clients:delete")
    if "email" in changes:
        changes["email"] = _normalize_email(changes["email"])
    if isinstance(changes.get("name"), str):
        changes["name"] = changes["name"].strip()
    _check_fields(session, actor, changes)
    if changes.get("email") and _email_taken(session, changes["email"], except_id=client.id):
        raise _email_conflict(changes["email"])
    old = audit.snapshot(client)
    for key, value in changes.items():
        setattr(client, key, value)
    _flush_or_conflict(session, changes.get("email"))
    new = audit.snapshot(client)
    if _changed(old, new):
        audit.record(session, actor, entity_type="client", entity_id=client.id, action="update", old=old,
                     new=new)
    if old["is_active"] and not client.is_active:
        auth_service.deactivate_portal_users(session, actor, client.id)
    return client


def _changed(old: dict[str, Any], new: dict[str, Any]) -> bool:
    return any(old.get(k) != new.get(k) for k in new if k != "updated_at")


def deactivate_client(session: Session, actor: Actor, client_id: int) -> Client:
    """Deactivate a client: kept with its history, no longer offered for new business."""
    require(actor, "clients:delete")
    client = _find(session, actor, client_id)
    if client.is_active:
        old = audit.snapshot(client)
        client.is_active = False
        session.flush()
        audit.record(session, actor, entity_type="client", entity_id=client.id, action="deactivate",
                     old=old, new=audit.snapshot(client))
        auth_service.deactivate_portal_users(session, actor, client.id)
    return client


# ---------------------------------------------------------------- contacts

def _contact_of(client: Client, contact_id: int) -> ClientContact:
    for contact in client.contacts:
        if contact.id == contact_id:
            return contact
    raise NotFound(f"Client {client.id} has no contact {contact_id}.")


def _make_primary(client: Client, primary: ClientContact) -> None:
    for contact in client.contacts:
        contact.is_primary = contact is primary


def list_contacts(session: Session, actor: Actor, client_id: int) -> list[ClientContact]:
    """The contacts of a client the actor may see, primary first."""
    client = get_client(session, actor, client_id)
    return sorted(client.contacts, key=lambda c: (not c.is_primary, c.id))


def add_contact(session: Session, actor: Actor, client_id: int, *, name: str, title: str | None = None,
                email: str | None = None, phone: str | None = None,
                is_primary: bool = False) -> ClientContact:
    """Add a contact person to a client; the first one, or one marked primary, becomes the primary."""
    require(actor, "clients:update")
    client = _find(session, actor, client_id, lock=True)
    if not name or not name.strip():
        raise Invalid.field("name", "name cannot be empty.")
    contact = ClientContact(name=name.strip(), title=title, email=_normalize_email(email), phone=phone,
                            is_primary=False)
    client.contacts.append(contact)
    if is_primary or not any(c.is_primary for c in client.contacts):
        _make_primary(client, contact)
    session.flush()
    audit.record(session, actor, entity_type="client_contact", entity_id=contact.id, action="create",
                 new=audit.snapshot(contact))
    return contact


def update_contact(session: Session, actor: Actor, client_id: int, contact_id: int,
                   **changes) -> ClientContact:
    """Change a contact; marking it primary takes that from the previous primary."""
    require(actor, "clients:update")
    client = _find(session, actor, client_id, lock=True)
    contact = _contact_of(client, contact_id)
    unknown = set(changes) - CONTACT_FIELDS
    if unknown:
        raise TypeError(f"unknown contact fields: {sorted(unknown)}")
    if "name" in changes and (changes["name"] is None or not changes["name"].strip()):
        raise Invalid.field("name", "name cannot be empty.")
    if changes.get("is_primary") is False and contact.is_primary:
        raise Invalid.field("is_primary", "Make another contact the primary one instead.")
    old = audit.snapshot(contact)
    for key in ("name", "title", "email", "phone"):
        if key in changes:
            value = changes[key]
            setattr(contact, key, _normalize_email(value) if key == "email" else
                    value.strip() if isinstance(value, str) else value)
    if changes.get("is_primary"):
        _make_primary(client, contact)
    session.flush()
    new = audit.snapshot(contact)
    if _changed(old, new):
        audit.record(session, actor, entity_type="client_contact", entity_id=contact.id, action="update",
                     old=old, new=new)
    return contact


def remove_contact(session: Session, actor: Actor, client_id: int, contact_id: int) -> None:
    """Remove a contact (the audit log keeps it); if it was primary, the oldest other contact takes over."""
    require(actor, "clients:update")
    client = _find(session, actor, client_id, lock=True)
    contact = _contact_of(client, contact_id)
    old = audit.snapshot(contact)
    client.contacts.remove(contact)
    if contact.is_primary and client.contacts:
        _make_primary(client, client.contacts[0])
    session.flush()
    audit.record(session, actor, entity_type="client_contact", entity_id=contact_id, action="delete", old=old)
