"""The permissions catalog in the database, and the actor a user acts as."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from coachway.auth.models import Permission, Role, RolePermission, User, UserSession
from coachway.core.permissions import ROLES, Actor, catalog


def sync_permissions(session: Session) -> None:
    """Create missing roles and permissions; grant a new permission to its default roles only once."""
    perms, grants = catalog()
    existing_roles = set(session.scalars(select(Role.name)))
    for name, desc in ROLES.items():
        if name not in existing_roles:
            session.add(Role(name=name, description=desc, is_system=True))
    existing = set(session.scalars(select(Permission.name)))
    new = [p for p in perms if p not in existing]
    for name in new:
        session.add(Permission(name=name, description=perms[name]))
    session.flush()
    for role, names in grants.items():
        for name in names:
            if name in new:
                session.add(RolePermission(role_name=role, permission_name=name))
    session.flush()


def permissions_of(session: Session, role: str) -> frozenset[str]:
    """The permissions granted to a role."""
    return frozenset(session.scalars(select(RolePermission.permission_name)
                                     .where(RolePermission.role_name == role)))


def actor_for(session: Session, user: User, *, ip: str | None = None,
              user_session: UserSession | None = None) -> Actor:
    """The Actor that services see for a user."""
    return Actor(user_id=user.id, role=user.role, permissions=permissions_of(session, user.role),
                 email=user.email, name=user.full_name, client_id=user.client_id, ip=ip,
                 session_id=user_session.id if user_session else None,
                 impersonated_by=user_session.impersonated_by if user_session else None)
