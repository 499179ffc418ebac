"""Passwords: reset by a mailed link, change by the signed-in user, and the rules a new one must meet."""

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from coachway.auth.models import User
from coachway.auth.service._common import _normalize_email
from coachway.auth.service.sessions import _revoke_all, me
from coachway.auth.service.throttle import _confirm_secret, _record_success
from coachway.config import get_settings
from coachway.core import audit, clock, security
from coachway.core.errors import Invalid
from coachway.core.models import AuditLog
from coachway.core.permissions import Actor

# At most this many reset mails per account per hour, so nobody can flood someone's inbox.
RESET_MAILS_PER_HOUR = 3


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
    _mail_reset_link(session, user, link, ip)
    # Anyone may ask, so the request has no actor; the address it came from is kept.
    audit.record(session, _anonymous(ip), entity_type="user", entity_id=user.id,
                 action="password_reset_requested")


def _mail_reset_link(session: Session, user: User, link: str, ip: str | None) -> None:
    """Queue the reset mail from the password_reset template: transactional, its link never tracked, and
    marked sensitive so that the outbox viewer hides it from who may not manage users."""
    from coachway.notifications import service as notifications  # notifications builds on auth

    notifications.send(session, _anonymous(ip), template_key="password_reset", user_id=user.id,
                       sensitive=True,
                       context={"user_name": user.full_name or user.email, "reset_url": link,
                                "expires_minutes": get_settings().password_reset_minutes})


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
