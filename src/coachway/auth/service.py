"""Sign-in, sessions, password reset, MFA, users and roles: the rules API and pages share."""

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import column, delete, func, or_, select, table, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from coachway.auth.models import (
    LoginAttempt,
    MfaChallenge,
    MfaRecoveryCode,
    Permission,
    Role,
    RolePermission,
    User,
    UserSession,
)
from coachway.config import get_settings
from coachway.core import audit, clock, outbox, security
from coachway.core.db import is_postgres
from coachway.core.errors import Conflict, Forbidden, Invalid, NotFound, TooManyRequests, Unauthorized
from coachway.core.models import AuditLog, OutboxMessage
from coachway.core.pagination import paginate
from coachway.core.permissions import ROLES, Actor, catalog, require

MFA_CHALLENGE_MINUTES = 5
MFA_MAX_ATTEMPTS = 5
RECOVERY_CODE_COUNT = 10
# At most this many reset mails per account per hour, so nobody can flood someone's inbox.
RESET_MAILS_PER_HOUR = 3
# Payload flag of an outbox message whose body holds a secret (a reset link): hidden in the outbox viewer.
SENSITIVE = "sensitive"
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


def _one_attempt_at_a_time(session: Session, email: str) -> None:
    # Without this, parallel guesses at one account all pass the throttle check before any of them is
    # counted. The lock is PostgreSQL's (held to the end of the request's transaction); SQLite, the
    # development database, is not guarded.
    if is_postgres(session):
        key = int.from_bytes(hashlib.sha256(f"sign-in:{email}".encode()).digest()[:8], "big", signed=True)
        session.execute(select(func.pg_advisory_xact_lock(key)))


def _lock_end(failures: list[datetime], *, limit: int) -> datetime | None:
    """When the lock caused by these failures (oldest first) ends: `limit` of them within the window
    lock for the lockout, and counting starts again after a lock."""
    s = get_settings()
    window = timedelta(minutes=s.login_failure_window_minutes)
    lockout = timedelta(minutes=s.login_lockout_minutes)
    end: datetime | None = None
    counted: list[datetime] = []
    for at in failures:
        counted = [c for c in counted if c > at - window]
        counted.append(at)
        if len(counted) >= limit:
            end, counted = at + lockout, []
    return end


def _recent_failures(session: Session, *where) -> list[datetime]:
    s = get_settings()
    since = clock.now() - timedelta(minutes=s.login_failure_window_minutes + s.login_lockout_minutes)
    times = session.scalars(select(LoginAttempt.created_at).where(
        *where, LoginAttempt.succeeded.is_(False), LoginAttempt.created_at >= since)
        .order_by(LoginAttempt.created_at.desc(), LoginAttempt.id.desc()).limit(1000))
    return list(reversed(list(times)))


def _account_lock_end(session: Session, email: str) -> datetime | None:
    # Counted per email whether or not it has an account, so that a lock never tells which emails exist;
    # a successful sign-in (or password reset) starts the count again.
    last_success = session.scalar(select(func.max(LoginAttempt.id)).where(
        LoginAttempt.email == email, LoginAttempt.succeeded.is_(True)))
    where = [LoginAttempt.email == email]
    if last_success is not None:
        where.append(LoginAttempt.id > last_success)
    return _lock_end(_recent_failures(session, *where), limit=get_settings().login_max_failures_per_account)


def _retry_after(end: datetime) -> dict[str, str]:
    return {"Retry-After": str(max(1, int((end - clock.now()).total_seconds()) + 1))}


def _check_throttle(session: Session, email: str, ip: str | None) -> None:
    now = clock.now()
    end = _account_lock_end(session, email)
    if end is not None and end > now:
        raise TooManyRequests("Too many failed sign-ins for this account. Try again later.",
                              headers=_retry_after(end))
    if ip:
        end = _lock_end(_recent_failures(session, LoginAttempt.ip_address == ip),
                        limit=get_settings().login_max_failures_per_ip)
        if end is not None and end > now:
            raise TooManyRequests("Too many failed sign-ins from your address. Try again later.",
                                  headers=_retry_after(end))


def _record_failure(session: Session, email: str, ip: str | None) -> None:
    session.add(LoginAttempt(email=email, ip_address=ip, succeeded=False, created_at=clock.now()))
    session.flush()
    end = _account_lock_end(session, email)
    if end is not None and end > clock.now():
        # Only shown to admins; the attempts above are what the throttle reads.
        session.execute(update(User).where(User.email == email).values(locked_until=end))


def _record_success(session: Session, email: str, ip: str | None) -> None:
    session.add(LoginAttempt(email=email, ip_address=ip, succeeded=True, created_at=clock.now()))


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
                            user_agent=(user_agent or "")[:1000], created_at=now,
                            access_expires_at=access_exp, expires_at=expires, last_activity=now))
    if impersonated_by is None:
        _record_success(session, user.email, ip)
        user.last_login_at = now
        user.last_login_ip = ip
        user.locked_until = None
    session.flush()
    return Tokens(access, refresh, int((access_exp - now).total_seconds()), user.id)


WRONG_CREDENTIALS = "Wrong email or password."
CHALLENGE_ENDED = "This sign-in has expired. Sign in again."
SESSION_ENDED = "Your session has ended. Sign in again."


def login(session: Session, *, email: str, password: str, ip: str | None = None,
          user_agent: str | None = None, kind: str = "api") -> Tokens | MfaPending:
    """Check email and password; hand out a session, or an MFA challenge when MFA is on."""
    email = _normalize_email(email)
    _one_attempt_at_a_time(session, email)
    _check_throttle(session, email, ip)
    user = session.scalar(select(User).where(User.email == email))
    ok = security.verify_password(user.password_hash if user else None, password)
    # An inactive account fails like a wrong password and counts towards the lock, so neither the answer
    # nor the lock tells a guesser that the password was right.
    if not ok or user is None or not user.is_active:
        _record_failure(session, email, ip)
        raise Unauthorized(WRONG_CREDENTIALS, keep_changes=True)
    if user.mfa_enabled:
        # The password alone is not a sign-in: it neither resets the failure count nor sets last_login.
        token = security.new_token()
        session.add(MfaChallenge(user_id=user.id, token_hash=security.hash_token(token),
                                 expires_at=clock.now() + timedelta(minutes=MFA_CHALLENGE_MINUTES)))
        session.flush()
        return MfaPending(mfa_token=token)
    return _open_session(session, user, kind=kind, ip=ip, user_agent=user_agent)


def _use_recovery_code(session: Session, user: User, code: str) -> bool:
    normalized = code.strip().lower().replace("-", "").replace(" ", "")
    # One guarded write, so that two sign-ins racing with the same code cannot both use it.
    used = session.execute(update(MfaRecoveryCode).where(
        MfaRecoveryCode.user_id == user.id, MfaRecoveryCode.code_hash == security.hash_token(normalized),
        MfaRecoveryCode.used_at.is_(None)).values(used_at=clock.now())
        .execution_options(synchronize_session=False))
    return used.rowcount == 1


def _use_totp(session: Session, user: User, code: str) -> bool:
    """Accept a TOTP code once: its time step must be newer than the last one accepted (no replay)."""
    step = security.totp_step(user.mfa_secret, code) if user.mfa_secret else None
    if step is None:
        return False
    taken = session.execute(
        update(User).where(User.id == user.id, or_(User.mfa_last_used_step.is_(None),
                                                   User.mfa_last_used_step < step))
        .values(mfa_last_used_step=step).execution_options(synchronize_session=False))
    session.expire(user, ["mfa_last_used_step"])
    return taken.rowcount == 1


def _code_ok(session: Session, user: User, code: str) -> bool:
    if _use_totp(session, user, code):
        return True
    return _use_recovery_code(session, user, code)


def verify_mfa(session: Session, *, mfa_token: str, code: str, ip: str | None = None,
               user_agent: str | None = None, kind: str = "api") -> Tokens:
    """Finish an MFA sign-in with a TOTP code or a recovery code."""
    challenge = session.scalar(select(MfaChallenge).where(
        MfaChallenge.token_hash == security.hash_token(mfa_token)).with_for_update())
    now = clock.now()
    if (challenge is None or challenge.used_at is not None or challenge.expires_at <= now
            or challenge.attempts >= MFA_MAX_ATTEMPTS):
        raise Unauthorized(CHALLENGE_ENDED)
    user = session.get(User, challenge.user_id)
    if user is None or not user.is_active or not user.mfa_enabled:
        raise Unauthorized(CHALLENGE_ENDED)
    # Wrong codes count towards the account's lock like wrong passwords: otherwise someone who knows the
    # password could open challenge after challenge and guess codes without end.
    _one_attempt_at_a_time(session, user.email)
    _check_throttle(session, user.email, ip)
    if not _code_ok(session, user, code):
        challenge.attempts += 1
        _record_failure(session, user.email, ip)
        raise Unauthorized("That code is not right. Check your authenticator app and try again.",
                           keep_changes=True)
    challenge.used_at = now
    return _open_session(session, user, kind=kind, ip=ip, user_agent=user_agent)


def refresh(session: Session, *, refresh_token: str) -> Tokens:
    """Swap a refresh token for a new access and refresh token (the old ones die)."""
    old_hash = security.hash_token(refresh_token)
    row = session.scalar(select(UserSession).where(UserSession.refresh_token_hash == old_hash)
                         .with_for_update())
    now = clock.now()
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        raise Unauthorized(SESSION_ENDED)
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        raise Unauthorized(SESSION_ENDED)
    access, new_refresh = security.new_token(), security.new_token()
    access_exp = min(now + timedelta(minutes=get_settings().access_token_minutes), row.expires_at)
    # Guarded by the old hash: of two requests with the same refresh token only one swaps it, also where
    # the row lock above does nothing (SQLite).
    swapped = session.execute(
        update(UserSession).where(UserSession.id == row.id, UserSession.refresh_token_hash == old_hash)
        .values(session_token=security.hash_token(access),
                refresh_token_hash=security.hash_token(new_refresh), access_expires_at=access_exp,
                last_activity=now)
        .execution_options(synchronize_session=False))
    if swapped.rowcount != 1:
        raise Unauthorized(SESSION_ENDED)
    return Tokens(access, new_refresh, int((access_exp - now).total_seconds()), user.id)


def authenticate(session: Session, token: str, *, ip: str | None = None) -> Actor:
    """The actor behind an access token or web session cookie; Unauthorized when it is not valid."""
    row = session.scalar(select(UserSession).where(UserSession.session_token == security.hash_token(token)))
    now = clock.now()
    if row is None or row.revoked_at is not None or row.access_expires_at <= now or row.expires_at <= now:
        raise Unauthorized(SESSION_ENDED)
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        raise Unauthorized(SESSION_ENDED)
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

def request_password_reset(session: Session, *, email: str, base_url: str | None = None,
                           ip: str | None = None) -> None:
    """Mail a single-use reset link if the account exists; the answer is the same either way."""
    user = session.scalar(select(User).where(User.email == _normalize_email(email)))
    if user is None or not user.is_active:
        return
    recent = session.scalar(select(func.count()).select_from(AuditLog).where(
        AuditLog.entity_type == "user", AuditLog.entity_id == str(user.id),
        AuditLog.action == "password_reset_requested",
        AuditLog.created_at >= clock.now() - timedelta(hours=1))) or 0
    if recent >= RESET_MAILS_PER_HOUR:
        return  # the links already mailed still work; the answer stays the same
    token = security.new_token()
    user.password_reset_token = security.hash_token(token)
    user.password_reset_expires = clock.now() + timedelta(minutes=get_settings().password_reset_minutes)
    link = f"{(base_url or get_settings().base_url).rstrip('/')}/reset-password?token={token}"
    outbox.enqueue(session, "email.send", {
        "to": user.email, "transactional": True, "template": "password_reset", SENSITIVE: True,
        "subject": "Reset your CoachWay password",
        "text": (f"Hello {user.full_name or user.email},\n\nSomeone asked to reset your CoachWay password. "
                 f"Use this link within {get_settings().password_reset_minutes} minutes:\n\n{link}\n\n"
                 "If it was not you, ignore this email; your password stays as it is.\n"),
    })
    # Anyone may ask, so the request has no actor; the address it came from is kept.
    audit.record(session, _anonymous(ip), entity_type="user", entity_id=user.id,
                 action="password_reset_requested")


def _anonymous(ip: str | None) -> Actor:
    return Actor(user_id=None, role="anonymous", ip=ip)


def reset_password(session: Session, *, token: str, new_password: str, ip: str | None = None) -> None:
    """Set a new password with a mailed token; the token dies and every session is signed out."""
    user = session.scalar(select(User).where(User.password_reset_token == security.hash_token(token))
                          .with_for_update())
    if (user is None or not user.is_active or user.password_reset_expires is None
            or user.password_reset_expires <= clock.now()):
        raise Invalid.field("token", "This reset link is invalid or has expired. Ask for a new one.")
    _check_password_rules(new_password, user.email, field="new_password")
    user.password_hash = security.hash_password(new_password)
    user.password_reset_token = None
    user.password_reset_expires = None
    user.locked_until = None
    # Whoever holds the mailed link owns the account: a lock from someone else's guesses ends here.
    _record_success(session, user.email, ip)
    _revoke_all(session, user.id)
    audit.record(session, Actor(user_id=user.id, role=user.role, ip=ip), entity_type="user",
                 entity_id=user.id, action="password_reset")


def _confirm_secret(session: Session, actor: Actor, user: User, ok: Callable[[], bool], *, field: str,
                    message: str) -> None:
    # A password or code asked of a signed-in user is throttled like a sign-in, so that a stolen session
    # cannot guess its way to changing the password or turning two-step sign-in off.
    _one_attempt_at_a_time(session, user.email)
    _check_throttle(session, user.email, actor.ip)
    if not ok():
        _record_failure(session, user.email, actor.ip)
        raise Invalid(message, errors=[{"field": field, "message": message}], keep_changes=True)


def change_password(session: Session, actor: Actor, *, current_password: str, new_password: str) -> None:
    """Change one's own password; other sessions are signed out."""
    user = me(session, actor)
    _confirm_secret(session, actor, user,
                    lambda: security.verify_password(user.password_hash, current_password),
                    field="current_password", message="Your current password is not right.")
    _check_password_rules(new_password, user.email, field="new_password")
    user.password_hash = security.hash_password(new_password)
    _revoke_all(session, user.id, except_session=actor.session_id)
    audit.record(session, actor, entity_type="user", entity_id=user.id, action="password_changed")


WEAK_PASSWORDS = {"password123", "password1234", "0123456789", "1234567890", "qwertyuiop", "coachway123"}


def _check_password_rules(password: str, email: str, *, field: str) -> None:
    if len(password) < 10:
        raise Invalid.field(field, "Use at least 10 characters.")
    lowered = password.lower()
    if (lowered in WEAK_PASSWORDS or email.lower() in lowered or email.split("@")[0].lower() == lowered
            or len(set(lowered)) < 4):
        raise Invalid.field(field, "Choose a password that is harder to guess.")


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
    if not _use_totp(session, user, code):
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
    _confirm_secret(session, actor, user, lambda: _code_ok(session, user, code), field="code",
                    message="That code is not right.")
    user.mfa_enabled = False
    user.mfa_secret = None
    session.execute(delete(MfaRecoveryCode).where(MfaRecoveryCode.user_id == user.id))
    audit.record(session, actor, entity_type="user", entity_id=user.id, action="mfa_disabled")


def regenerate_recovery_codes(session: Session, actor: Actor, *, code: str) -> list[str]:
    """Replace all recovery codes (the old ones stop working)."""
    user = me(session, actor)
    if not user.mfa_enabled:
        raise Conflict("Two-step sign-in is not on.")
    _confirm_secret(session, actor, user, lambda: _code_ok(session, user, code), field="code",
                    message="That code is not right.")
    return _new_recovery_codes(session, user)


# ---------------------------------------------------------------- users

def _user_snapshot(user: User) -> dict:
    snap = audit.snapshot(user)
    return {k: snap[k] for k in USER_AUDIT_FIELDS}


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
                limit: int = 50, offset: int = 0) -> tuple[list[dict], int]:
    """Outbox messages, newest first, filtered by status and topic."""
    require(actor, "outbox:read")
    stmt = select(OutboxMessage).order_by(OutboxMessage.id.desc())
    if status:
        stmt = stmt.where(OutboxMessage.status == status)
    if topic:
        stmt = stmt.where(OutboxMessage.topic == topic)
    rows, total = paginate(session, stmt, limit=limit, offset=offset)
    return [outbox_view(actor, m) for m in rows], total


HIDDEN_BODY = "[hidden: this message holds a one-time sign-in secret]"
OUTBOX_FIELDS = ("id", "topic", "payload", "status", "attempts", "next_attempt_at", "last_error",
                 "created_at", "sent_at")


def outbox_view(actor: Actor, msg: OutboxMessage) -> dict:
    """A message as the outbox viewer shows it: a reset link is readable only by who may manage users."""
    data = {k: getattr(msg, k) for k in OUTBOX_FIELDS}
    if msg.payload.get(SENSITIVE) and not ("*" in actor.permissions or actor.can("users:update")):
        data["payload"] = {k: (HIDDEN_BODY if k in ("text", "html") else v) for k, v in msg.payload.items()}
    return data


def resend_outbox(session: Session, actor: Actor, message_id: int) -> dict:
    """Queue a message for delivery again."""
    require(actor, "outbox:manage")
    msg = outbox.retry(session, message_id)
    if msg is None:
        raise NotFound(f"No outbox message {message_id}.")
    audit.record(session, actor, entity_type="outbox_message", entity_id=message_id, action="resend")
    return outbox_view(actor, msg)


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
