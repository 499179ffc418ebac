"""Named jobs that domains register, run by hand, by `coachway scheduler`, or by Airflow."""

import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)

DOMAINS_WITH_JOBS = ["core.core_jobs", "auth.jobs"]


@dataclass(frozen=True)
class Job:
    """A job: a dotted name, what it does, an optional cron schedule, and the function."""

    name: str
    description: str
    cron: str | None
    fn: Callable[[], object]


_registry: dict[str, Job] = {}


def job(name: str, *, cron: str | None = None) -> Callable[[Callable[[], object]], Callable[[], object]]:
    """Register fn under a dotted name, optionally on a five-field cron schedule (UTC)."""

    def register(fn: Callable[[], object]) -> Callable[[], object]:
        doc = (fn.__doc__ or "").strip().splitlines()
        _registry[name] = Job(name, doc[0] if doc else name, cron, fn)
        return fn

    return register


def load_all() -> dict[str, Job]:
    """Import every domain's jobs module and return the registry."""
    for mod in DOMAINS_WITH_JOBS:
        importlib.import_module(f"coachway.{mod}")
    return dict(sorted(_registry.items()))


def run_job(name: str) -> object:
    """Run one job by name; KeyError when there is no such job."""
    jobs = load_all()
    if name not in jobs:
        raise KeyError(name)
    log.info("running job %s", name)
    return jobs[name].fn()


def run_scheduler() -> None:
    """Run every scheduled job on its cron schedule until interrupted (one machine)."""
    from apscheduler.schedulers.blocking import BlockingScheduler
    from apscheduler.triggers.cron import CronTrigger

    scheduler = BlockingScheduler(timezone="UTC")
    for j in load_all().values():
        if j.cron:
            scheduler.add_job(j.fn, CronTrigger.from_crontab(j.cron, timezone="UTC"), id=j.name,
                              name=j.name, max_instances=1, coalesce=True)
            log.info("scheduled %s at %s", j.name, j.cron)
    scheduler.start()
