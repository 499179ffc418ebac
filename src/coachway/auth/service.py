"""Sign-in, sessions, password reset, MFA, users and roles: the rules API and pages share."""

import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from coachway.auth.models import (LoginAttempt, MfaChallenge, MfaRecoveryCode, Permission, Role,
                                  RolePermission, User, UserSession)
from coachway.config import get_settings
from coachway.core import audit, clock, outbox, security
from coachway.core.errors import Conflict, Invalid, NotFound, TooManyRequests, Unauthorized
from coachway.core.models import AuditLog, OutboxMessage
from coachway.core.pagination import paginate
from coachway.core.permissions import ROLES, Actor, catalog, require

MFA_CHALLENGE_MINUTES = 5
MFA_MAX_ATTEMPTS = 5
RECOVERY_CODE_COUNT = 10
USER_AUDIT_FIELDS = ("email", "full_name", "phone", "role", "is_active", "client_id", "hub_id",
                     "cdl_number", "cdl_expiry", "mfa_enabled")


@dataclass
class Tokens:
    """What a successful sign-in hands out."""

    access_token: str
    refresh_token: str
    expires_in: int
    user_id: int


@dataclass
class MfaPending:
    """Password was right; a TOTP or recovery code must follow."""

    mfa_token: str


# ---------------------------------------------------------------- permissions catalog

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


# ---------------------------------------------------------------- sign-in

def _normalize_email(email: str) -> str:
    return email.strip().lower()


def _check_throttle(session: Session, email: str, ip: str | None) -> None:
    s = get_settings()
    now = clock.now()
    since = now - timedelta(minutes=s.login_failure_window_minutes)
    user = session.scalar(select(User).where(User.email == email))
    if user is not None and user.locked_until is not None and user.locked_until > now:
        wait = int((user.locked_until - now).total_seconds()) + 1
        raise TooManyRequests("Too many failed sign-ins for this account. Try again later.",
                              headers={"Retry-After": str(wait)})
    if ip:
        ip_failures = session.scalar(select(func.count()).select_from(LoginAttempt).where(
            LoginAttempt.ip_address == ip, LoginAttempt.succeeded.is_(False),
            LoginAttempt.created_at >= since)) or 0
        if ip_failures >= s.login_max_failures_per_ip:
            raise TooManyRequests("Too many failed sign-ins from your address. Try again later.",
                                  headers={"Retry-After": str(s.login_lockout_minutes * 60)})


def _record_failure(session: Session, email: str, ip: str | None) -> None:
    s = get_settings()
    session.add(LoginAttempt(email=email, ip_address=ip, succeeded=False))
    session.flush()
    since = clock.now() - timedelta(minutes=s.login_failure_window_minutes)
    failures = session.scalar(select(func.count()).select_from(LoginAttempt).where(
        LoginAttempt.email == email, LoginAttempt.succeeded.is_(False),
        LoginAttempt.created_at >= since)) or 0
    if failures >= s.login_max_failures_per_account:
        session.execute(update(User).where(User.email == email)
                        .values(locked_until=clock.now() + timedelta(minutes=s.login_lockout_minutes)))


def _open_session(session: Session, user: User, *, kind: str, ip: str | None, user_agent: str | None,
                  impersonated_by: int | None = None) -> Tokens:
    s = get_settings()
    now = clock.now()
    access = security.new_token()
    refresh = security.new_token()
    if kind == "web":
        access_exp = expires = now + timedelta(hours=s.web_session_hours)
    else:
        access_exp = now + timedelta(minutes=s.access_token_minutes)
        expires = now + timedelta(days=s.refresh_token_days)
    session.add(UserSession(user_id=user.id, session_token=security.hash_token(access),
                            refresh_token_hash=security.hash_token(refresh) if kind == "api" else None,
                            kind=kind, impersonated_by=impersonated_by, ip_address=ip,
                            user_agent=(user_agent or "")[:1000], access_expires_at=access_exp,
                            expires_at=expires, last_activity=now))
    user.last_login_at = now
    user.last_login_ip = ip
    user.locked_until = None
    session.flush()
    return Tokens(access, refresh, int((access_exp - now).total_seconds()), user.id)


def login(session: Session, *, email: str, password: str, ip: str | None = None,
          user_agent: str | None = None, kind: str = "api") -> Tokens | MfaPending:
    """Check email and password; hand out a session, or an MFA challenge when MFA is on."""
    email = _normalize_email(email)
    _check_throttle(session, email, ip)
    user = session.scalar(select(User).where(User.email == email))
    ok = security.verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.is_active:
        _record_failure(session, email, ip)
        raise Unauthorized("Wrong email or password.")
    session.add(LoginAttempt(email=email, ip_address=ip, succeeded=True))
    if user.mfa_enabled:
        token = security.new_token()
        session.add(MfaChallenge(user_id=user.id, token_hash=security.hash_token(token),
                                 expires_at=clock.now() + timedelta(minutes=MFA_CHALLENGE_MINUTES)))
        session.flush()
        return MfaPending(mfa_token=token)
    return _open_session(session, user, kind=kind, ip=ip, user_agent=user_agent)


def _use_recovery_code(session: Session, user: User, code: str) -> bool:
    normalized = code.strip().lower().replace("-", "").replace(" ", "")
    row = session.scalar(select(MfaRecoveryCode).where(
        MfaRecoveryCode.user_id == user.id, MfaRecoveryCode.code_hash == security.hash_token(normalized),
        MfaRecoveryCode.used_at.is_(None)))
    if row is None:
        return False
    row.used_at = clock.now()
    return True


def _code_ok(session: Session, user: User, code: str) -> bool:
    if user.mfa_secret and security.verify_totp(user.mfa_secret, code):
        return True
    return _use_recovery_code(session, user, code)


def verify_mfa(session: Session, *, mfa_token: str, code: str, ip: str | None = None,
               user_agent: str | None = None, kind: str = "api") -> Tokens:
    """Finish an MFA sign-in with a TOTP code or a recovery code."""
    challenge = session.scalar(select(MfaChallenge).where(
        MfaChallenge.token_hash == security.hash_token(mfa_token)).with_for_update())
    now = clock.now()
    if (challenge is None or challenge.used_at is not None or challenge.expires_at < now
            or challenge.attempts >= MFA_MAX_ATTEMPTS):
        raise Unauthorized("This sign-in has expired. Sign in again.")
    user = session.get(User, challenge.user_id)
    if user is None or not user.is_active:
        raise Unauthorized("This sign-in has expired. Sign in again.")
    if not _code_ok(session, user, code):
        challenge.attempts += 1
        session.flush()
        raise Unauthorized("That code is not right. Check your authenticator app and try again.")
    challenge.used_at = now
    return _open_session(session, user, kind=kind, ip=ip, user_agent=user_agent)


def refresh(session: Session, *, refresh_token: str) -> Tokens:
    """Swap a refresh token for a new access and refresh token (the old refresh token dies)."""
    row = session.scalar(select(UserSession).where(
        UserSession.refresh_token_hash == security.hash_token(refresh_token)).with_for_update())
    now = clock.now()
    if row is None or row.revoked_at is not None or row.expires_at < now:
        raise Unauthorized("Your session has ended. Sign in again.")
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        raise Unauthorized("Your session has ended. Sign in again.")
    access, new_refresh = security.new_token(), security.new_token()
    s = get_settings()
    row.session_token = security.hash_token(access)
    row.refresh_token_hash = security.hash_token(new_refresh)
    row.access_expires_at = now + timedelta(minutes=s.access_token_minutes)
    row.last_activity = now
    session.flush()
    return Tokens(access, new_refresh, s.access_token_minutes * 60, user.id)


def authenticate(session: Session, token: str, *, ip: str | None = None) -> Actor:
    """The actor behind an access token or web session cookie; Unauthorized when it is not valid."""
    row = session.scalar(select(UserSession).where(UserSession.session_token == security.hash_token(token)))
    now = clock.now()
    if row is None or row.revoked_at is not None or row.access_expires_at < now:
        raise Unauthorized("Your session has ended. Sign in again.")
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        raise Unauthorized("Your session has ended. Sign in again.")
    if now - row.last_activity > timedelta(minutes=1):
        row.last_activity = now
    return actor_for(session, user, ip=ip, user_session=row)


def logout(session: Session, actor: Actor) -> None:
    """End the actor's current session."""
    if actor.session_id is not None:
        session.execute(update(UserSession).where(UserSession.id == actor.session_id,
                                                  UserSession.revoked_at.is_(None))
                        .values(revoked_at=clock.now()))


def _revoke_all(session: Session, user_id: int, *, except_session: int | None = None) -> None:
    stmt = update(UserSession).where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
    if except_session is not None:
        stmt = stmt.where(UserSession.id != except_session)
    session.execute(stmt.values(revoked_at=clock.now()))


def me(session: Session, actor: Actor) -> User:
    """The signed-in user."""
    user = session.get(User, actor.user_id)
    if user is None:
        raise Unauthorized()
    return user


# ---------------------------------------------------------------- password reset

def request_password_reset(session: Session, *, email: str, base_url: str | None = None) -> None:
    """Mail a single-use reset link if the account exists; the answer is the same either way."""
    user = session.scalar(select(User).where(User.email == _normalize_email(email)))
    if user is None or not user.is_active:
        return
    token = security.new_token()
    user.password_reset_token = security.hash_token(token)
    user.password_reset_expires = clock.now() + timedelta(minutes=get_settings().password_reset_minutes)
    link = f"{(base_url or get_settings().base_url).rstrip('/')}/reset-password?token={token}"
    outbox.enqueue(session, "email.send", {
        "to": user.email, "transactional": True, "template": "password_reset",
        "subject": "Reset your CoachWay password",
        "text": (f"Hello {user.full_name or user.email},\n\nSomeone asked to reset your CoachWay password. "
                 f"Use this link within {get_settings().password_reset_minutes} minutes:\n\n{link}\n\n"
                 "If it was not you, ignore this email; your password stays as it is.\n"),
    })
    audit.record(session, Actor(user_id=user.id, role=user.role), entity_type="user", entity_id=user.id,
                 action="password_reset_requested")


def reset_password(session: Session, *, token: str, new_password: str) -> None:
    """Set a new password with a mailed token; the token dies and every session is signed out."""
    user = session.scalar(select(User).where(User.password_reset_token == security.hash_token(token))
                          .with_for_update())
    if user is None or user.password_reset_expires is None or user.password_reset_expires < clock.now():
        raise Invalid.field("token", "This reset link is invalid or has expired. Ask for a new one.")
    _check_password_rules(new_password, user.email)
    user.password_hash = security.hash_password(new_password)
    user.password_reset_token = None
    user.password_reset_expires = None
    user.locked_until = None
    _revoke_all(session, user.id)
    audit.record(session, Actor(user_id=user.id, role=user.role), entity_type="user", entity_id=user.id,
                 action="password_reset")


def change_password(session: Session, actor: Actor, *, current_password: str, new_password: str) -> None:
    """Change one's own password; other sessions are signed out."""
    user = me(session, actor)
    if not security.verify_password(user.password_hash, current_password):
        raise Invalid.field("current_password", "Your current password is not right.")
    _check_password_rules(new_password, user.email)
    user.password_hash = security.hash_password(new_password)
    _revoke_all(session, user.id, except_session=actor.session_id)
    audit.record(session, actor, entity_type="user", entity_id=user.id, action="password_changed")


def _check_password_rules(password: str, email: str) -> None:
    if len(password) < 10:
        raise Invalid.field("new_password", "Use at least 10 characters.")
    if password.lower() == email.lower() or password.lower() in {"password123", "0123456789", "1234567890"}:
        raise Invalid.field("new_password", "Choose a password that is harder to guess.")


# ---------------------------------------------------------------- MFA

def start_mfa_setup(session: Session, actor: Actor) -> tuple[str, str]:
    """A new TOTP secret and its provisioning URI; MFA turns on only after a code confirms it."""
    user = me(session, actor)
    if user.mfa_enabled:
        raise Conflict("Two-step sign-in is already on. Turn it off first to set up a new device.")
    user.mfa_secret = security.new_totp_secret()
    session.flush()
    return user.mfa_secret, security.totp_uri(user.mfa_secret, user.email)


def _new_recovery_codes(session: Session, user: User) -> list[str]:
    session.execute(delete(MfaRecoveryCode).where(MfaRecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = secrets.token_hex(5)  # 10 hex characters, shown as xxxxx-xxxxx
        codes.append(f"{raw[:5]}-{raw[5:]}")
        session.add(MfaRecoveryCode(user_id=user.id, code_hash=security.hash_token(raw)))
    session.flush()
    return codes


def enable_mfa(session: Session, actor: Actor, *, code: str) -> list[str]:
    """Turn MFA on after the first correct code; returns one-time recovery codes to keep safe."""
    user = me(session, actor)
    if user.mfa_enabled:
        raise Conflict("Two-step sign-in is already on.")
    if not user.mfa_secret:
        raise Conflict("Start the set-up first to get a secret for your authenticator app.")
    if not security.verify_totp(user.mfa_secret, code):
        raise Invalid.field("code", "That code is not right. Check the time on your phone and try again.")
    user.mfa_enabled = True
    codes = _new_recovery_codes(session, user)
    audit.record(session, actor, entity_type="user", entity_id=user.id, action="mfa_enabled")
    return codes


def disable_mfa(session: Session, actor: Actor, *, code: str) -> None:
    """Turn MFA off, confirmed with a current code or a recovery code."""
    user = me(session, actor)
    if not user.mfa_enabled:
        raise Conflict("Two-step sign-in is not on.")
    if not _code_ok(session, user, code):
        raise Invalid.field("code", "That code is not right.")
    user.mfa_enabled = False
    user.mfa_secret = None
    session.execute(delete(MfaRecoveryCode).where(MfaRecoveryCode.user_id == user.id))
    audit.record(session, actor, entity_type="user", entity_id=user.id, action="mfa_disabled")


def regenerate_recovery_codes(session: Session, actor: Actor, *, code: str) -> list[str]:
    """Replace all recovery codes (the old ones stop working)."""
    user = me(session, actor)
    if not user.mfa_enabled:
        raise Conflict("Two-step sign-in is not on.")
    if not _code_ok(session, user, code):
        raise Invalid.field("code", "That code is not right.")
    return _new_recovery_codes(session, user)


# ---------------------------------------------------------------- users

def _user_snapshot(user: User) -> dict:
    snap = audit.snapshot(user)
    return {k: snap[k] for k in USER_AUDIT_FIELDS}


def _check_role(session: Session, role: str) -> None:
    if session.get(Role, role) is None:
        raise Invalid.field("role", f"There is no role named {role!r}.")


def list_users(session: Session, actor: Actor, *, q: str | None = None, role: str | None = None,
               is_active: bool | None = None, limit: int = 50, offset: int = 0) -> tuple[list[User], int]:
    """Users matching the filters, newest first."""
    require(actor, "users:read")
    stmt = select(User).order_by(User.full_name, User.id)
    if q:
        like = f"%{q.strip().lower()}%"
        stmt = stmt.where(func.lower(User.email).like(like) | func.lower(User.full_name).like(like))
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
    _check_password_rules(password, email)
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Conflict(f"A user with email {email} already exists.")
    if role == "client" and client_id is None:
        raise Invalid.field("client_id", "A client user must belong to a client.")
    user = User(email=email, full_name=full_name.strip(), password_hash=security.hash_password(password),
                role=role, phone=phone, client_id=client_id, hub_id=hub_id, cdl_number=cdl_number,
                cdl_expiry=cdl_expiry, is_active=True, mfa_enabled=False)
    session.add(user)
    try:
        session.flush()
    except IntegrityError as exc:
        raise Invalid("A linked client or hub does not exist.",
                      errors=[{"field": "client_id", "message": "check client_id and hub_id"}]) from exc
    audit.record(session, actor, entity_type="user", entity_id=user.id, action="create",
                 new=_user_snapshot(user))
    return user


def update_user(session: Session, actor: Actor, user_id: int, **changes) -> User:
    """Change a user's details, role or activity; deactivating signs them out everywhere."""
    require(actor, "users:update")
    user = get_user(session, actor, user_id)
    old = _user_snapshot(user)
    if "role" in changes and changes["role"] is not None:
        _check_role(session, changes["role"])
        if user.id == actor.user_id and changes["role"] != user.role:
            raise Conflict("You cannot change your own role.")
    if changes.get("is_active") is False and user.id == actor.user_id:
        raise Conflict("You cannot deactivate yourself.")
    for key, value in changes.items():
        if key in ("full_name", "role", "is_active") and value is None:
            continue
        setattr(user, key, value)
    if user.role == "client" and user.client_id is None:
        raise Invalid.field("client_id", "A client user must belong to a client.")
    try:
        session.flush()
    except IntegrityError as exc:
        raise Invalid("A linked client or hub does not exist.",
                      errors=[{"field": "client_id", "message": "check client_id and hub_id"}]) from exc
    if not user.is_active:
        _revoke_all(session, user.id)
    audit.record(session, actor, entity_type="user", entity_id=user.id, action="update", old=old,
                 new=_user_snapshot(user))
    return user


def users_by_role(session: Session, role: str) -> list[User]:
    """Active users of one role (other domains: drivers, agents)."""
    return list(session.scalars(select(User).where(User.role == role, User.is_active.is_(True))
                                .order_by(User.full_name)))


# ---------------------------------------------------------------- roles

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
        raise Invalid("Unknown permissions.", errors=[{"field": "permissions", "message": f"unknown: {n}"}
                                                      for n in unknown])
    return sorted(set(names))


def create_role(session: Session, actor: Actor, *, name: str, description: str = "",
                permissions: list[str] | None = None) -> dict:
    """A new role with the given permissions."""
    require(actor, "roles:update")
    if session.get(Role, name) is not None:
        raise Conflict(f"A role named {name!r} already exists.")
    names = _check_permission_names(session, permissions or [])
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
    old = sorted(permissions_of(session, name))
    session.execute(delete(RolePermission).where(RolePermission.role_name == name))
    for p in names:
        session.add(RolePermission(role_name=name, permission_name=p))
    if description is not None:
        role.description = description
    session.flush()
    audit.record(session, actor, entity_type="role", entity_id=name, action="update",
                 old={"permissions": old}, new={"permissions": names})
    return get_role(session, actor, name)


# ---------------------------------------------------------------- audit log and outbox (admin)

def list_audit(session: Session, actor: Actor, *, entity_type: str | None = None,
               entity_id: str | None = None, actor_id: int | None = None, limit: int = 50,
               offset: int = 0) -> tuple[list[AuditLog], int]:
    """Audit entries, newest first, filtered."""
    require(actor, "audit:read")
    stmt = select(AuditLog).order_by(AuditLog.created_at.desc(), AuditLog.id.desc())
    if entity_type:
        stmt = stmt.where(AuditLog.entity_type == entity_type)
    if entity_id:
        stmt = stmt.where(AuditLog.entity_id == entity_id)
    if actor_id:
        stmt = stmt.where(AuditLog.actor_id == actor_id)
    return paginate(session, stmt, limit=limit, offset=offset)


def list_outbox(session: Session, actor: Actor, *, status: str | None = None, topic: str | None = None,
                limit: int = 50, offset: int = 0) -> tuple[list[OutboxMessage], int]:
    """Outbox messages, newest first, filtered by status and topic."""
    require(actor, "outbox:read")
    stmt = select(OutboxMessage).order_by(OutboxMessage.id.desc())
    if status:
        stmt = stmt.where(OutboxMessage.status == status)
    if topic:
        stmt = stmt.where(OutboxMessage.topic == topic)
    return paginate(session, stmt, limit=limit, offset=offset)


def resend_outbox(session: Session, actor: Actor, message_id: int) -> OutboxMessage:
    """Queue a message for delivery again."""
    require(actor, "outbox:manage")
    msg = outbox.retry(session, message_id)
    if msg is None:
        raise NotFound(f"No outbox message {message_id}.")
    audit.record(session, actor, entity_type="outbox_message", entity_id=message_id, action="resend")
    return msg
