"""Sign-in throttling: failed attempts per account and address, the locks they cause, secrets re-asked."""

import hashlib
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from coachway.auth.models import LoginAttempt, User
from coachway.config import get_settings
from coachway.core import clock
from coachway.core.db import is_postgres
from coachway.core.errors import Invalid, TooManyRequests
from coachway.core.permissions import Actor


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


def _confirm_secret(session: Session, actor: Actor, user: User, ok: Callable[[], bool], *, field: str,
                    message: str) -> None:
    # A password or code asked of a signed-in user is throttled like a sign-in, so that a stolen session
    # cannot guess its way to changing the password or turning two-step sign-in off.
    _one_attempt_at_a_time(session, user.email)
    _check_throttle(session, user.email, actor.ip)
    if not ok():
        _record_failure(session, user.email, actor.ip)
        raise Invalid(message, errors=[{"field": field, "message": message}], keep_changes=True)
