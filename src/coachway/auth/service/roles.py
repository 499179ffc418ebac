"""Roles and their permissions, and the rule that nobody hands out more than they hold."""

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from coachway.auth.models import Permission, Role, RolePermission, User
from coachway.auth.service.catalog import permissions_of
from coachway.core import audit
from coachway.core.errors import Conflict, Forbidden, Invalid, NotFound
from coachway.core.permissions import Actor, require


def _check_role(session: Session, role: str) -> None:
    if session.get(Role, role) is None:
        raise Invalid.field("role", f"There is no role named {role!r}.")


def _check_may_handle_role(session: Session, actor: Actor, role: str) -> None:
    # Whoever may create or change users must not reach beyond their own rights through them: no handing
    # out, and no changing holders of, a role that may do more than the actor may.
    if "*" in actor.permissions:
        return
    beyond = permissions_of(session, role) - actor.permissions
    if beyond:
        raise Forbidden(f"The {role} role may do things your role may not ({', '.join(sorted(beyond))}).")


def list_permissions(session: Session, actor: Actor) -> list[Permission]:
    """Every permission there is."""
    require(actor, "roles:read")
    return list(session.scalars(select(Permission).order_by(Permission.name)))


def _role_read(session: Session, role: Role) -> dict:
    count = session.scalar(select(func.count()).select_from(User).where(User.role == role.name)) or 0
    return {"name": role.name, "description": role.description, "is_system": role.is_system,
            "permissions": sorted(permissions_of(session, role.name)), "user_count": count}


def list_roles(session: Session, actor: Actor) -> list[dict]:
    """Every role with its permissions and how many users hold it."""
    require(actor, "roles:read")
    roles = session.scalars(select(Role).order_by(Role.name)).all()
    return [_role_read(session, r) for r in roles]


def get_role(session: Session, actor: Actor, name: str) -> dict:
    """One role with its permissions."""
    require(actor, "roles:read")
    role = session.get(Role, name)
    if role is None:
        raise NotFound(f"No role {name!r}.")
    return _role_read(session, role)


def _check_permission_names(session: Session, names: list[str]) -> list[str]:
    known = set(session.scalars(select(Permission.name)))
    unknown = sorted(set(names) - known)
    if unknown:
        raise Invalid(f"Unknown permissions: {', '.join(unknown)}.",
                      errors=[{"field": "permissions", "message": f"unknown: {n}"} for n in unknown])
    return sorted(set(names))


def _check_may_grant(actor: Actor, names: set[str]) -> None:
    # Granting a permission one does not hold would let a role editor raise themself above their rights.
    if "*" in actor.permissions:
        return
    beyond = names - actor.permissions
    if beyond:
        raise Forbidden(f"You may only grant permissions you hold yourself ({', '.join(sorted(beyond))}).")


def create_role(session: Session, actor: Actor, *, name: str, description: str = "",
                permissions: list[str] | None = None) -> dict:
    """A new role with the given permissions."""
    require(actor, "roles:update")
    if session.get(Role, name) is not None:
        raise Conflict(f"A role named {name!r} already exists.")
    names = _check_permission_names(session, permissions or [])
    _check_may_grant(actor, set(names))
    session.add(Role(name=name, description=description, is_system=False))
    session.flush()
    for p in names:
        session.add(RolePermission(role_name=name, permission_name=p))
    session.flush()
    audit.record(session, actor, entity_type="role", entity_id=name, action="create",
                 new={"description": description, "permissions": names})
    return get_role(session, actor, name)


def set_role_permissions(session: Session, actor: Actor, name: str, *, permissions: list[str],
                         description: str | None = None) -> dict:
    """Replace a role's permissions; admins keep the ability to manage roles."""
    require(actor, "roles:update")
    role = session.get(Role, name)
    if role is None:
        raise NotFound(f"No role {name!r}.")
    names = _check_permission_names(session, permissions)
    if name == actor.role and "roles:update" not in names:
        raise Conflict("You would lock yourself out of role management; keep roles:update on your role.")
    _check_may_handle_role(session, actor, name)
    old = sorted(permissions_of(session, name))
    _check_may_grant(actor, set(names) - set(old))
    before = {"description": role.description, "permissions": old}
    session.execute(delete(RolePermission).where(RolePermission.role_name == name))
    for p in names:
        session.add(RolePermission(role_name=name, permission_name=p))
    if description is not None:
        role.description = description
    session.flush()
    after = {"description": role.description, "permissions": names}
    if after != before:
        audit.record(session, actor, entity_type="role", entity_id=name, action="update", old=before,
                     new=after)
    return get_role(session, actor, name)
