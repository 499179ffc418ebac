"""Named jobs that domains register, run by hand, by `coachway scheduler`, or by Airflow.

A job is a function without arguments, registered under a dotted name with an optional five-field cron
schedule in UTC. It opens its own transaction(s). The same name runs everywhere: `coachway jobs run NAME`
by hand or from an Airflow task, and `coachway scheduler` on one machine.
"""

import importlib
import json
import logging
import re
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from apscheduler.triggers.cron import CronTrigger

if TYPE_CHECKING:
    from apscheduler.schedulers.base import BaseScheduler

log = logging.getLogger(__name__)

PACKAGE_DIR = Path(__file__).resolve().parents[1]
JOB_NAME = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")


@dataclass(frozen=True)
class Job:
    """A job: a dotted name, what it does, an optional cron schedule, and the function."""

    name: str
    description: str
    cron: str | None
    fn: Callable[[], object]


class UnknownJob(LookupError):
    """No job is registered under that name."""


_registry: dict[str, Job] = {}


def job(name: str, *, cron: str | None = None) -> Callable[[Callable[[], object]], Callable[[], object]]:
    """Register fn under a dotted name, optionally on a five-field cron schedule (UTC)."""
    if not JOB_NAME.match(name):
        raise ValueError(f"job name {name!r} must be dotted lower-case words, like 'vendors.coi_expiry_scan'")
    if cron is not None:
        check_cron(cron)

    def register(fn: Callable[[], object]) -> Callable[[], object]:
        doc = (fn.__doc__ or "").strip().splitlines()
        _registry[name] = Job(name, doc[0] if doc else name, cron, fn)
        return fn

    return register


def check_cron(cron: str) -> None:
    """Refuse a schedule that APScheduler and Airflow would not read the same way."""
    fields = cron.split()
    if len(fields) != 5:
        raise ValueError(f"cron {cron!r} must have five fields: minute hour day month weekday")
    if re.search(r"\d", fields[4]):
        # APScheduler 3 counts weekdays from Monday = 0, cron and Airflow from Sunday = 0: names are safe.
        raise ValueError(f"cron {cron!r}: write weekdays as names (mon-fri, sun), not numbers")
    CronTrigger.from_crontab(cron, timezone="UTC")  # raises ValueError on a bad field


def job_modules() -> list[str]:
    """The modules that register jobs: the platform's own and every domain's jobs.py."""
    domains = sorted(p.parent.name for p in PACKAGE_DIR.glob("*/jobs.py") if p.parent.name != "core")
    return ["coachway.core.core_jobs", *(f"coachway.{d}.jobs" for d in domains)]


def load_all() -> dict[str, Job]:
    """Import every domain's jobs module and return the registry."""
    for module in job_modules():
        importlib.import_module(module)
    return dict(sorted(_registry.items()))


def run_job(name: str) -> object:
    """Run one job by name; UnknownJob when there is no such job."""
    jobs = load_all()
    if name not in jobs:
        raise UnknownJob(name)
    log.info("running job %s", name)
    result = jobs[name].fn()
    log.info("job %s done: %s", name, result)
    return result


def jobs_as_json(jobs: dict[str, Job] | None = None) -> str:
    """The registered jobs as JSON (name, description, cron): what the Airflow DAGs are built from."""
    jobs = load_all() if jobs is None else jobs
    listing: list[dict[str, Any]] = [
        {"name": j.name, "description": j.description, "cron": j.cron} for j in jobs.values()]
    return json.dumps({"jobs": listing}, indent=2) + "\n"


def build_scheduler(jobs: dict[str, Job] | None = None) -> "BaseScheduler":
    """A background scheduler (not started) holding every job that has a cron schedule."""
    from apscheduler.schedulers.background import BackgroundScheduler

    scheduler = BackgroundScheduler(timezone="UTC")
    for j in (load_all() if jobs is None else jobs).values():
        if j.cron:
            # One run at a time per job; runs missed while busy or down collapse into one, if under a
            # minute late (a later one is skipped: the next scheduled run does the work then due).
            scheduler.add_job(j.fn, CronTrigger.from_crontab(j.cron, timezone="UTC"), id=j.name, name=j.name,
                              max_instances=1, coalesce=True, misfire_grace_time=60)
    return scheduler


def run_scheduler(stop: threading.Event | None = None) -> None:
    """Run every scheduled job on its cron schedule until SIGTERM or Ctrl-C (one machine)."""
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda signum, _frame: stop.set())
    scheduler = build_scheduler()
    scheduler.start()
    for j in scheduler.get_jobs():
        log.info("scheduled %s (next run %s)", j.id, j.next_run_time.isoformat())
    log.info("scheduler started with %d job(s)", len(scheduler.get_jobs()))
    while not stop.is_set():  # not stop.wait(): see outbox._pause for why a signal-set Event is polled
        time.sleep(0.2)
    log.info("scheduler stopping: waiting for running jobs to finish")
    scheduler.shutdown(wait=True)
    log.info("scheduler stopped")
