"""Jobs of the auth domain."""

from datetime import timedelta

from sqlalchemy import delete

from coachway.auth.models import LoginAttempt, MfaChallenge, UserSession
from coachway.core import clock
from coachway.core.db import transaction
from coachway.core.jobs import job


@job("auth.purge_expired", cron="17 3 * * *")
def purge_expired() -> int:
    """Delete sessions ended over 30 days ago, old sign-in attempts and stale MFA challenges."""
    cutoff = clock.now() - timedelta(days=30)
    with transaction() as session:
        n = session.execute(delete(UserSession).where(UserSession.expires_at < cutoff)).rowcount or 0
        n += session.execute(delete(LoginAttempt).where(LoginAttempt.created_at < cutoff)).rowcount or 0
        n += session.execute(delete(MfaChallenge).where(MfaChallenge.expires_at < clock.now())).rowcount or 0
    return n
