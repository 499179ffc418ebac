"""AR aging buckets, FIFO settlement of dues, credits and as-of reproducibility, through the report service
on the test database (bookings and payments written as rows)."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from coachway.core import clock, db
from coachway.core.permissions import SYSTEM
from coachway.payments import reports
from tests.factories_domain import make_client
from tests.factories_reports import make_booking

D = date(2025, 3, 31)
EXPECTED_BUCKET = {0: "current", 1: "d1_30", 30: "d1_30", 31: "d31_60", 60: "d31_60", 61: "d61_90",
                   90: "d61_90", 91: "d91_120", 120: "d91_120", 121: "over_120"}


@pytest.fixture(autouse=True)
def _today():
    clock.set_clock(lambda: datetime(2025, 6, 30, 16, 0, tzinfo=UTC))


def _ar(**kw):
    with db.transaction() as session:
        return reports.ar_aging(session, SYSTEM, **kw)


def _charters(**kw):
    with db.transaction() as session:
        return reports.ar_aging_charters(session, SYSTEM, **kw)


def test_each_boundary_day_lands_in_its_bucket():
    client = make_client()
    ids = {}
    for n in EXPECTED_BUCKET:
        charter = make_booking(client_id=client.id, quoted_price=f"{100 + n}.00",
                               trip_date=D + timedelta(days=5),
                               installments=[(D - timedelta(days=n), f"{100 + n}.00")])
        ids[charter.id] = n
    rows = _charters(as_of_day=D).rows
    assert len(rows) == len(EXPECTED_BUCKET)
    for row in rows:
        n = ids[row["charter_id"]]
        assert row["days_past_due"] == n
        for key in reports.BUCKET_KEYS:
            expected = Decimal(f"{100 + n}.00") if key == EXPECTED_BUCKET[n] else Decimal("0.00")
            assert row[key] == expected, (n, key)
    report = _ar(as_of_day=D)
    assert report.totals["total_open"] == sum(Decimal(f"{100 + n}.00") for n in EXPECTED_BUCKET)
    assert sum(report.totals[k] for k in reports.BUCKET_KEYS) == report.totals["total_open"]


def test_bulk_demo_money_reconciles_with_the_ledger(monkeypatch):
    """The bulk generator's bookings, aged today, owe what the ledger says they owe, to the cent."""
    from sqlalchemy import select

    from coachway.charters.models import Charter
    from coachway.payments import demo
    from coachway.payments.service import ledger
    from tests.factories import make_user
    from tests.factories_reports import hub_id

    clock.set_clock(lambda: datetime(2026, 3, 2, 15, 0, tzinfo=UTC))
    monkeypatch.setattr(demo, "CHARTERS_PER_COPY", 300)
    make_user(role="sales_agent")
    for _ in range(3):
        make_client()
    hub_id()
    with db.transaction() as session:
        counts = demo.load_scale(session, scale=2, today=date(2026, 3, 2))
    assert counts["charters"] == 300 and counts["payments"] > 100 and counts["vendor_bills"] > 0
    with db.transaction() as session:
        ids = list(session.scalars(select(Charter.id)))
        balances = ledger.balances(session, ids).values()
        report = reports.ar_aging(session, SYSTEM)
        bills = reports.ap_aging(session, SYSTEM)
    assert report.totals["total_open"] == sum((max(b.balance, Decimal(0)) for b in balances), Decimal("0.00"))
    assert report.totals["credit"] == sum((max(-b.balance, Decimal(0)) for b in balances), Decimal("0.00"))
    assert sum(report.totals[k] for k in reports.BUCKET_KEYS) == report.totals["total_open"]
    assert bills.totals["total_open"] > 0
