"""Sign-in and sessions: password and MFA sign-in, tokens, refresh, the actor behind a token, sign-out."""

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from coachway.auth.models import MfaChallenge, MfaRecoveryCode, User, UserSession
from coachway.auth.service._common import _normalize_email
from coachway.auth.service.catalog import actor_for
from coachway.auth.service.throttle import (
    _check_throttle,
    _one_attempt_at_a_time,
    _record_failure,
    _record_success,
)
from coachway.config import get_settings
from coachway.core import clock, security
from coachway.core.errors import Unauthorized
from coachway.core.permissions import Actor

MFA_CHALLENGE_MINUTES = 5
MFA_MAX_ATTEMPTS = 5


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
