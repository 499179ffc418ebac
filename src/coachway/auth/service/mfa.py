"""Two-step sign-in (MFA): setting up a TOTP device, turning it on and off, recovery codes."""

import secrets

from sqlalchemy import delete
from sqlalchemy.orm import Session

from coachway.auth.models import MfaRecoveryCode, User
from coachway.auth.service.sessions import _code_ok, _use_totp, me
from coachway.auth.service.throttle import _confirm_secret
from coachway.core import audit, security
from coachway.core.errors import Conflict, Invalid
from coachway.core.permissions import Actor

RECOVERY_CODE_COUNT = 10


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
