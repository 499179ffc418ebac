"""AR aging at scale: the report service next to a hand-written SQL query for the same bucket totals.

    python -m bench.financial --database-url postgresql+psycopg://postgres@127.0.0.1:5432/coachway_bench_fin \
        --scale 100 [--runs 15] [--reload]

The database is created if missing and migrated. Unless it already holds the bulk bookings (or --reload on
an empty one), it is loaded with the demo company N times over (coachway.demo.load) plus the payments
domain's bulk bookings, plans, payments and vendor bills (coachway.payments.demo.load_scale). Then the
AR aging (the service, as the API calls it: one page of clients with the totals of all) and the raw query
are timed alternately, their bucket totals compared to the cent, and a results block printed and appended
to bench/RESULTS.md.
"""

import argparse
import os
import platform
import statistics
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import create_engine, make_url, text

RESULTS = Path(__file__).parent / "RESULTS.md"
KEYS = ("current", "d1_30", "d31_60", "d61_90", "d91_120", "over_120")

RAW_AR_AGING = """
WITH dues AS (
  SELECT c.id AS charter_id, i.due_date, i.sequence AS seq, i.amount
  FROM charters c JOIN payment_plan_installments i ON i.charter_id = c.id
  WHERE c.status IN ('booked', 'confirmed', 'in_progress', 'completed', 'cancelled')
    AND (c.booked_at < :end OR (c.booked_at IS NULL AND c.status <> 'cancelled' AND c.created_at < :end))
    AND NOT (c.status = 'cancelled' AND coalesce(c.cancellation_date, c.created_at) < :end)
  UNION ALL
  SELECT c.id, c.trip_date, 1, coalesce(c.quoted_price, 0)
  FROM charters c
  WHERE c.status IN ('booked', 'confirmed', 'in_progress', 'completed', 'cancelled')
    AND (c.booked_at < :end OR (c.booked_at IS NULL AND c.status <> 'cancelled' AND c.created_at < :end))
    AND NOT (c.status = 'cancelled' AND coalesce(c.cancellation_date, c.created_at) < :end)
    AND NOT EXISTS (SELECT 1 FROM payment_plan_installments i WHERE i.charter_id = c.id)
  UNION ALL
  SELECT c.id, (coalesce(c.cancellation_date, c.created_at) AT TIME ZONE :tz)::date, 0,
         coalesce(c.cancellation_fee, 0)
  FROM charters c
  WHERE c.status = 'cancelled' AND coalesce(c.cancellation_date, c.created_at) < :end
), paid AS (
  SELECT a.charter_id, greatest(sum(a.amount_applied), 0) AS paid
  FROM payment_applications a JOIN payments p ON p.id = a.payment_id
  WHERE p.status = 'succeeded' AND a.applied_at < :end
  GROUP BY a.charter_id
), open_dues AS (
  SELECT d.due_date,
         least(d.amount, greatest(0, sum(d.amount) OVER (PARTITION BY d.charter_id ORDER BY d.due_date, d.seq)
                                     - coalesce(p.paid, 0))) AS open
  FROM dues d LEFT JOIN paid p ON p.charter_id = d.charter_id
)
SELECT coalesce(sum(open) FILTER (WHERE due_date >= :day), 0) AS current,
       coalesce(sum(open) FILTER (WHERE due_date < :day AND due_date >= :day - 30), 0) AS d1_30,
       coalesce(sum(open) FILTER (WHERE due_date < :day - 30 AND due_date >= :day - 60), 0) AS d31_60,
       coalesce(sum(open) FILTER (WHERE due_date < :day - 60 AND due_date >= :day - 90), 0) AS d61_90,
       coalesce(sum(open) FILTER (WHERE due_date < :day - 90 AND due_date >= :day - 120), 0) AS d91_120,
       coalesce(sum(open) FILTER (WHERE due_date < :day - 120), 0) AS over_120
FROM open_dues
"""


def _ensure_database(url: str) -> None:
    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        if not c.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"),
                         {"n": parsed.database}).first():
            c.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()


def _load(scale: int) -> float:
    """Load the demo company and the bulk money (skipped when already there); seconds taken."""
    from sqlalchemy import func, select

    from coachway import demo
    from coachway.core import clock
    from coachway.core.db import transaction
    from coachway.payments import demo as payments_demo
    from coachway.payments.models import PaymentPlanInstallment

    with transaction() as session:
        if (session.scalar(select(func.count()).select_from(PaymentPlanInstallment)) or 0) > 1000:
            return 0.0
    started = time.perf_counter()
    demo.load(scale=scale, only_if_empty=True)
    t_demo = time.perf_counter()
    with transaction() as session:
        if (session.scalar(select(func.count()).select_from(PaymentPlanInstallment)) or 0) < 1000:
            today = clock.now().date()
            payments_demo.load(session, today=today)
            counts = payments_demo.load_scale(session, scale=scale, today=today)
            print(f"bulk money: {counts}")
    print(f"demo company {t_demo - started:.1f} s, bulk money {time.perf_counter() - t_demo:.1f} s")
    with transaction() as session:
        session.execute(text("ANALYZE"))
    return time.perf_counter() - started


def _stats(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True, help="postgresql+psycopg://.../coachway_bench_fin")
    parser.add_argument("--scale", type=int, default=100)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--no-write", action="store_true", help="print only, do not append to RESULTS.md")
    args = parser.parse_args()
    _ensure_database(args.database_url)
    os.environ["COACHWAY_DATABASE_URL"] = args.database_url
    from coachway.config import get_settings
    from coachway.core import db
    from coachway.core.migrate import upgrade

    get_settings.cache_clear()
    db.reset_engine()
    upgrade(args.database_url)
    load_seconds = _load(args.scale)

    from coachway.core.permissions import SYSTEM
    from coachway.payments import reports
    from coachway.payments.reports.base import as_of, report_settings

    at = as_of()
    tz = get_settings().company_timezone
    with db.transaction() as session:
        sizes = {t: session.scalar(text(f"SELECT count(*) FROM {t}")) for t in (
            "clients", "charters", "payment_plan_installments", "payments", "payment_applications",
            "vendor_bills", "vendor_bill_payments")}
    load_before = os.getloadavg()[0]
    service_times, raw_times, ap_times, drill_times = [], [], [], []
    service_totals = raw_totals = None
    for _ in range(args.runs):
        with db.transaction() as session:
            t = time.perf_counter()
            report = reports.ar_aging(session, SYSTEM, as_of_day=at.day, limit=100)
            service_times.append(time.perf_counter() - t)
            service_totals = {k: report.totals[k] for k in KEYS}
        with db.transaction() as session:
            t = time.perf_counter()
            report_settings(session)  # the settings the service gives itself (work_mem, no JIT)
            row = session.execute(text(RAW_AR_AGING), {"end": at.end, "day": at.day, "tz": tz}).one()
            raw_times.append(time.perf_counter() - t)
            raw_totals = {k: Decimal(row._mapping[k]).quantize(Decimal("0.01")) for k in KEYS}
        with db.transaction() as session:
            t = time.perf_counter()
            reports.ap_aging(session, SYSTEM, as_of_day=at.day, limit=100)
            ap_times.append(time.perf_counter() - t)
        with db.transaction() as session:
            t = time.perf_counter()
            reports.ar_aging_charters(session, SYSTEM, as_of_day=at.day, bucket="d31_60", limit=50)
            drill_times.append(time.perf_counter() - t)
    assert service_totals == raw_totals, (service_totals, raw_totals)
    s50, s95 = _stats(service_times)
    r50, r95 = _stats(raw_times)
    a50, a95 = _stats(ap_times)
    d50, d95 = _stats(drill_times)
    total_open = sum(service_totals.values(), Decimal(0))
    lines = [
        f"## Financial reports: AR aging at scale {args.scale} "
        f"({datetime.now(UTC):%Y-%m-%d %H:%M} UTC, PostgreSQL)",
        "",
        f"Machine: {platform.node()}, {platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}; database {make_url(args.database_url).database} "
        f"({f'loaded in {load_seconds:.0f} s' if load_seconds else 'reused'}). "
        f"Rows: " + ", ".join(f"{k} {v:,}" for k, v in sizes.items()) + ". "
        f"Load average (1 min) {load_before:.1f} before the runs, {os.getloadavg()[0]:.1f} after: the "
        f"service and the raw query are timed alternately, so both see the same machine.",
        "",
        f"- reports.ar_aging (page of 100 clients + totals of all, as of {at.day}): "
        f"p50 {s50 * 1000:.1f} ms, p95 {s95 * 1000:.1f} ms over {args.runs} runs",
        f"- hand-written SQL, bucket totals only: p50 {r50 * 1000:.1f} ms, p95 {r95 * 1000:.1f} ms "
        f"(service / raw at p50: {s50 / r50:.2f}x)",
        f"- bucket totals equal to the cent: {', '.join(f'{k} {v}' for k, v in service_totals.items())} "
        f"(open {total_open})",
        f"- reports.ar_aging_charters, bucket 31-60, page of 50: p50 {d50 * 1000:.1f} ms, "
        f"p95 {d95 * 1000:.1f} ms",
        f"- reports.ap_aging (page of 100 vendors + totals): p50 {a50 * 1000:.1f} ms, "
        f"p95 {a95 * 1000:.1f} ms",
        "",
    ]
    print("\n".join(lines))
    if not args.no_write:
        with RESULTS.open("a") as f:
            f.write("\n" + "\n".join(lines))


if __name__ == "__main__":
    main()
