"""Jobs of the platform itself."""

from coachway.core.jobs import job
from coachway.core.outbox import deliver_due


@job("outbox.deliver", cron="* * * * *")
def deliver_outbox() -> int:
    """Deliver every due outbox message once (the worker does this continuously)."""
    return deliver_due()
