"""Users: list, read, create and change accounts; driver accounts for fleet; display names by id."""

from datetime import date

from sqlalchemy import column, func, select, table
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from coachway.auth.models import User
from coachway.auth.service._common import _normalize_email
from coachway.auth.service.passwords import _check_password_rules
from coachway.auth.service.roles import _check_may_handle_role, _check_role
from coachway.auth.service.sessions import _revoke_all
from coachway.core import audit, security
from coachway.core.errors import Conflict, Invalid, NotFound
from coachway.core.pagination import paginate
from coachway.core.permissions import Actor, require

USER_AUDIT_FIELDS = ("email", "full_name", "phone", "role", "is_active", "client_id", "hub_id",
                     "cdl_number", "cdl_expiry", "mfa_enabled")


def _user_snapshot(user: User) -> dict:
    snap = audit.snapshot(user)
    return {k: snap[k] for k in USER_AUDIT_FIELDS}


def _exists(session: Session, table_name: str, row_id: int) -> bool:
    # Clients and hubs belong to other domains; only their existence matters here.
    t = table(table_name, column("id"))
    return session.scalar(select(t.c.id).where(t.c.id == row_id)) is not None


def _check_links(session: Session, *, client_id: int | None, hub_id: int | None) -> None:
    if client_id is not None and not _exists(session, "clients", client_id):
        raise Invalid.field("client_id", f"There is no client {client_id}.")
    if hub_id is not None and not _exists(session, "hubs", hub_id):
        raise Invalid.field("hub_id", f"There is no hub {hub_id}.")


def list_users(session: Session, actor: Actor, *, q: str | None = None, role: str | None = None,
               is_active: bool | None = None, limit: int = 50, offset: int = 0) -> tuple[list[User], int]:
    """Users matching the filters (text in name or email, role, activity), by name."""
    require(actor, "users:read")
    stmt = select(User).order_by(User.full_name, User.id)
    if q and q.strip():
        text = q.strip().lower()
        stmt = stmt.where(func.lower(User.email).contains(text, autoescape=True)
                          | func.lower(User.full_name).contains(text, autoescape=True))
    if role:
        stmt = stmt.where(User.role == role)
    if is_active is not None:
        stmt = stmt.where(User.is_active.is_(is_active))
    return paginate(session, stmt, limit=limit, offset=offset)


def get_user(session: Session, actor: Actor, user_id: int) -> User:
    """One user (anyone may read themself)."""
    if actor.user_id != user_id:
        require(actor, "users:read")
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"No user {user_id}.")
    return user


def create_user(session: Session, actor: Actor, *, email: str, full_name: str, password: str, role: str,
                phone: str | None = None, client_id: int | None = None, hub_id: int | None = None,
                cdl_number: str | None = None, cdl_expiry=None) -> User:
    """Create a user who can sign in with email and password."""
    require(actor, "users:create")
    email = _normalize_email(email)
    _check_role(session, role)
    _check_may_handle_role(session, actor, role)
    _check_password_rules(password, email, field="password")
    if role == "client" and client_id is None:
        raise Invalid.field("client_id", "A client user must belong to a client.")
    _check_links(session, client_id=client_id, hub_id=hub_id)
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Conflict(f"A user with email {email} already exists.")
    user = User(email=email, full_name=full_name.strip(), password_hash=security.hash_password(password),
                role=role, phone=phone, client_id=client_id, hub_id=hub_id, cdl_number=cdl_number,
                cdl_expiry=cdl_expiry, is_active=True, mfa_enabled=False)
    session.add(user)
    try:
        session.flush()
    except IntegrityError as exc:
        # Someone created the same email between the check above and this insert (the links were checked;
        # no savepoint here: on SQLite one would commit the request's work early).
        raise Conflict(f"A user with email {email} already exists.") from exc
    audit.record(session, actor, entity_type="user", entity_id=user.id, action="create",
                 new=_user_snapshot(user))
    return user


USER_UPDATE_FIELDS = ("full_name", "role", "phone", "is_active", "client_id", "hub_id", "cdl_number",
                      "cdl_expiry")


def update_user(session: Session, actor: Actor, user_id: int, **changes) -> User:
    """Change a user's details, role or activity; deactivating signs them out everywhere."""
    unknown = set(changes) - set(USER_UPDATE_FIELDS)
    if unknown:
        raise TypeError(f"not changeable user fields: {sorted(unknown)}")
    require(actor, "users:update")
    user = get_user(session, actor, user_id)
    _check_may_handle_role(session, actor, user.role)
    changes = {k: v for k, v in changes.items()
               if not (k in ("full_name", "role", "is_active") and v is None)}
    if "full_name" in changes:
        changes["full_name"] = changes["full_name"].strip()
    new_role = changes.get("role", user.role)
    if new_role != user.role:
        _check_role(session, new_role)
        if user.id == actor.user_id:
            raise Conflict("You cannot change your own role.")
        _check_may_handle_role(session, actor, new_role)
    if changes.get("is_active") is False and user.id == actor.user_id:
        raise Conflict("You cannot deactivate yourself.")
    if new_role == "client" and changes.get("client_id", user.client_id) is None:
        raise Invalid.field("client_id", "A client user must belong to a client.")
    _check_links(session, client_id=changes.get("client_id"), hub_id=changes.get("hub_id"))
    old = _user_snapshot(user)
    for key, value in changes.items():
        setattr(user, key, value)
    session.flush()
    new = _user_snapshot(user)
    if old == new:
        return user
    if not user.is_active:
        _revoke_all(session, user.id)
    audit.record(session, actor, entity_type="user", entity_id=user.id, action="update", old=old, new=new)
    return user


def users_by_role(session: Session, role: str) -> list[User]:
    """Active users of one role (other domains: drivers, agents)."""
    return list(session.scalars(select(User).where(User.role == role, User.is_active.is_(True))
                                .order_by(User.full_name)))


def users_by_ids(session: Session, user_ids: list[int]) -> dict[int, User]:
    """The users with these ids, by id, in one query (other domains: names and states of people they
    refer to)."""
    if not user_ids:
        return {}
    return {u.id: u for u in session.scalars(select(User).where(User.id.in_(set(user_ids))))}


# ---- drivers (for fleet)
# Drivers are users; the fleet domain decides who may see and change which, then calls these.

DRIVER_PROFILE_FIELDS = ("cdl_number", "cdl_expiry", "hub_id", "phone")


def _drivers(user_ids: list[int] | None):
    stmt = select(User).where(User.role == "driver")
    return stmt if user_ids is None else stmt.where(User.id.in_(user_ids))


def list_drivers(session: Session, *, user_ids: list[int] | None = None, q: str | None = None,
                 hub_id: int | None = None, cdl_expiring_by: date | None = None,
                 is_active: bool | None = None, limit: int = 50, offset: int = 0) -> tuple[list[User], int]:
    """Driver accounts by name, among user_ids (None: all), filtered; CDL expiry includes lapsed ones."""
    stmt = _drivers(user_ids).order_by(User.full_name, User.id)
    if q:
        like = f"%{q.strip().lower()}%"
        stmt = stmt.where(func.lower(User.email).like(like) | func.lower(User.full_name).like(like)
                          | func.lower(User.cdl_number).like(like))
    if hub_id is not None:
        stmt = stmt.where(User.hub_id == hub_id)
    if cdl_expiring_by is not None:
        stmt = stmt.where(User.cdl_expiry <= cdl_expiring_by)
    if is_active is not None:
        stmt = stmt.where(User.is_active.is_(is_active))
    return paginate(session, stmt, limit=limit, offset=offset)


def find_driver(session: Session, user_id: int, *, user_ids: list[int] | None = None) -> User | None:
    """One driver account among user_ids (None: any), or None."""
    return session.scalar(_drivers(user_ids).where(User.id == user_id))


def update_driver_profile(session: Session, actor: Actor, driver: User, **changes) -> User:
    """Set a driver's CDL number, CDL expiry, hub or phone, and audit it (fleet checks who may)."""
    unknown = set(changes) - set(DRIVER_PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"not driver profile fields: {sorted(unknown)}")
    old = _user_snapshot(driver)
    for key, value in changes.items():
        setattr(driver, key, value)
    try:
        session.flush()
    except IntegrityError as exc:
        raise Invalid.field("hub_id", "That hub does not exist.") from exc
    new = _user_snapshot(driver)
    if old != new:
        audit.record(session, actor, entity_type="user", entity_id=driver.id, action="update", old=old,
                     new=new)
    return driver


def user_names(session: Session, user_ids: set[int]) -> dict[int, str]:
    """Display names of users by id, in one query (for lists that show who did what)."""
    if not user_ids:
        return {}
    rows = session.execute(select(User.id, User.full_name, User.email).where(User.id.in_(user_ids)))
    return {uid: name or email for uid, name, email in rows}


def deactivate_portal_users(session: Session, actor: Actor, client_id: int) -> int:
    """Deactivate and sign out a client's portal users because the client was deactivated.

    The caller has already been allowed to deactivate the client (clients:delete); its portal users
    follow from that, so no users:update is asked here. Reactivating a client leaves them off: an admin
    turns back on the ones who should return.
    """
    users = session.scalars(select(User).where(User.client_id == client_id, User.role == "client",
                                               User.is_active.is_(True))).all()
    for user in users:
        old = _user_snapshot(user)
        user.is_active = False
        _revoke_all(session, user.id)
        audit.record(session, actor, entity_type="user", entity_id=user.id, action="update", old=old,
                     new=_user_snapshot(user))
    session.flush()
    return len(users)
