"""AP aging and the other financial reports over HTTP: what each counts as of a day, downloads of every
report, reconciling totals, refusals, and a query count that does not grow with the data."""

import csv
import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from coachway.core import clock, db
from coachway.core.permissions import SYSTEM
from coachway.payments import reports
from coachway.payments.reports import BUCKET_KEYS
from tests.api.test_ar_aging import _assert_reconciles, _dec, _get
from tests.api.test_query_counts import counted
from tests.factories import make_user, user_headers
from tests.factories_domain import make_client
from tests.factories_reports import make_bill, make_booking, make_payment, make_refund, make_vendor

D = date(2025, 3, 31)
REPORTS = ["ar-aging", "ap-aging", "outstanding-receivables", "vendor-payables", "charter-payment-status",
           "zero-balance-charters", "unearned-revenue", "daily-check-log", "upcoming-payments",
           "departed-by-agent", "cancellation-report"]
BOUNDARIES = {0: "current", 1: "d1_30", 30: "d1_30", 31: "d31_60", 60: "d31_60", 61: "d61_90",
              90: "d61_90", 91: "d91_120", 120: "d91_120", 121: "over_120"}


@pytest.fixture
def client(app):
    clock.set_clock(lambda: datetime(2025, 6, 30, 16, 0, tzinfo=UTC))
    with TestClient(app) as c:
        yield c


@pytest.fixture
def accounting(client):
    return user_headers(client, "accounting")


def _url(name: str) -> str:
    return f"/api/v1/reports/{name}"


def _world():
    """A little of everything, around D."""
    agent = make_user(role="sales_agent", full_name="Sam Sales")
    acme = make_client(name="Acme Tours")
    paid = make_booking(client_id=acme.id, quoted_price="1000.00", trip_date=D + timedelta(days=20),
                        agent_id=agent.id, installments=[(D - timedelta(days=40), "250.00"),
                                                         (D + timedelta(days=10), "750.00")])
    make_payment(client_id=acme.id, amount="1000.00", applications=[(paid.id, "1000.00")], paid_on=D,
                 check_number="5001", bank_name="Peach Bank")
    partly = make_booking(client_id=acme.id, quoted_price="800.00", trip_date=D + timedelta(days=5),
                          installments=[(D - timedelta(days=15), "200.00"), (D + timedelta(days=3),
                                                                             "600.00")])
    make_payment(client_id=acme.id, amount="100.00", applications=[(partly.id, "100.00")],
                 paid_on=D - timedelta(days=1), method="ach")
    departed = make_booking(client_id=acme.id, quoted_price="640.00", trip_date=D - timedelta(days=20),
                            status="completed", agent_id=agent.id)
    cancelled = make_booking(client_id=acme.id, quoted_price="900.00", trip_date=D + timedelta(days=40),
                             status="cancelled", cancelled_on=D - timedelta(days=3),
                             cancellation_fee="225.00",
                             cancellation_reason="Event called off",
                             installments=[(D - timedelta(days=60), "900.00")])
    pay = make_payment(client_id=acme.id, amount="900.00", applications=[(cancelled.id, "900.00")],
                       paid_on=D - timedelta(days=70))
    make_refund(payment_id=pay, client_id=acme.id, charter_id=cancelled.id, amount="675.00",
                refunded_on=D - timedelta(days=2))
    vendor = make_vendor(full_name="Blue Line Coaches")
    make_bill(vendor_id=vendor.id, total="500.00", bill_date=D - timedelta(days=50),
              due_date=D - timedelta(days=20),
              payments=[(D - timedelta(days=5), "200.00")])
    make_bill(vendor_id=vendor.id, total="300.00", bill_date=D - timedelta(days=10),
              due_date=D + timedelta(days=20),
              status="disputed")
    return {"agent": agent, "acme": acme, "paid": paid, "partly": partly, "departed": departed,
            "cancelled": cancelled, "vendor": vendor}


def test_ap_aging_buckets_on_boundary_days(client, accounting):
    vendor = make_vendor(full_name="Boundary Coaches")
    for n in BOUNDARIES:
        make_bill(vendor_id=vendor.id, total=f"{n + 1}.05", bill_date=D - timedelta(days=200),
                  due_date=D - timedelta(days=n))
    report = _get(client, accounting, _url("ap-aging"), as_of=D.isoformat())
    [row] = report["rows"]
    expected = dict.fromkeys(BUCKET_KEYS, Decimal("0.00"))
    for n, key in BOUNDARIES.items():
        expected[key] += Decimal(f"{n + 1}.05")
    assert {k: _dec(row[k]) for k in BUCKET_KEYS} == expected
    assert row["vendor_name"] == "Boundary Coaches"
    _assert_reconciles(report)
    for key in BUCKET_KEYS:
        bills = _get(client, accounting, _url("ap-aging"), as_of=D.isoformat(), bucket=key)["rows"]
        assert {BOUNDARIES[b["days_past_due"]] for b in bills} == {key}


def test_ap_aging_counts_bills_and_payments_as_of_the_day(client, accounting):
    vendor = make_vendor()
    make_bill(vendor_id=vendor.id, total="500.00", bill_date=D - timedelta(days=40),
              due_date=D - timedelta(days=10),
              payments=[(D, "100.00"), (D + timedelta(days=1), "400.00")])
    make_bill(vendor_id=vendor.id, total="70.00", bill_date=D + timedelta(days=1),
              due_date=D + timedelta(days=31))
    make_bill(vendor_id=vendor.id, total="30.00", bill_date=D, due_date=D + timedelta(days=30),
              status="disputed")
    [row] = _get(client, accounting, _url("ap-aging"), as_of=D.isoformat())["rows"]
    assert _dec(row["d1_30"]) == Decimal("400.00")
    assert _dec(row["current"]) == Decimal("30.00")
    assert _dec(row["disputed"]) == Decimal("30.00")
    later = _get(client, accounting, _url("ap-aging"), as_of=(D + timedelta(days=1)).isoformat())
    assert _dec(later["totals"]["total_open"]) == Decimal("100.00")


def test_the_other_reports_as_of_the_day(client, accounting):
    w = _world()
    day = {"as_of": D.isoformat()}
    out = _get(client, accounting, _url("outstanding-receivables"), **day)
    [row] = out["rows"]
    # partly: 700 open; cancelled: fee 225 - (900 - 675) paid = 0; paid: 0; departed: 640 open (no plan)
    assert _dec(row["open"]) == Decimal("1340.00")
    assert row["oldest_due"] == (D - timedelta(days=20)).isoformat()

    status = {r["charter_id"]: r for r in _get(client, accounting, _url("charter-payment-status"),
                                               **day)["rows"]}
    assert status[w["paid"].id]["payment_status"] == "paid"
    assert status[w["partly"].id]["payment_status"] == "partial"
    assert status[w["departed"].id]["payment_status"] == "unpaid"
    assert status[w["cancelled"].id]["payment_status"] == "paid"
    assert status[w["partly"].id]["next_due"] == (D - timedelta(days=15)).isoformat()
    only_unpaid = _get(client, accounting, _url("charter-payment-status"), payment_status="unpaid", **day)
    assert [r["charter_id"] for r in only_unpaid["rows"]] == [w["departed"].id]

    zero = _get(client, accounting, _url("zero-balance-charters"), **day)
    assert sorted(r["charter_id"] for r in zero["rows"]) == sorted([w["paid"].id, w["cancelled"].id])

    unearned = _get(client, accounting, _url("unearned-revenue"), **day)
    assert {r["charter_id"]: _dec(r["paid"]) for r in unearned["rows"]} == {
        w["paid"].id: Decimal("1000.00"), w["partly"].id: Decimal("100.00")}

    checks = _get(client, accounting, _url("daily-check-log"), **day)
    [check] = checks["rows"]
    assert (check["check_number"], check["bank_name"], _dec(check["amount"]), check["charters"]) == (
        "5001", "Peach Bank", Decimal("1000.00"), 1)

    upcoming = _get(client, accounting, _url("upcoming-payments"), days=5, **day)
    assert [(r["charter_id"], _dec(r["open"])) for r in upcoming["rows"]] == [(w["partly"].id,
                                                                               Decimal("600.00"))]

    departed = _get(client, accounting, _url("departed-by-agent"), **day)
    [d] = departed["rows"]
    assert (d["agent_name"], d["month"], d["trips"], _dec(d["revenue"])) == ("Sam Sales", "2025-03", 1,
                                                                               Decimal("640.00"))

    cancels = _get(client, accounting, _url("cancellation-report"), **day)
    [c] = cancels["rows"]
    assert (c["reason"], _dec(c["fee"]), _dec(c["fee_paid"]), _dec(c["refunds"])) == (
        "Event called off", Decimal("225.00"), Decimal("225.00"), Decimal("675.00"))
    assert c["cancelled_on"] == (D - timedelta(days=3)).isoformat()

    payables = _get(client, accounting, _url("vendor-payables"), **day)
    [v] = payables["rows"]
    assert (_dec(v["total"]), _dec(v["paid"]), _dec(v["open"]), _dec(v["overdue"]), _dec(v["disputed"])) == (
        Decimal("800.00"), Decimal("200.00"), Decimal("600.00"), Decimal("300.00"), Decimal("300.00"))


def test_the_dashboard_figures(client, accounting):
    _world()
    r = client.get("/api/v1/dashboard/financial", headers=accounting, params={"as_of": D.isoformat()})
    assert r.status_code == 200, r.text
    data = r.json()
    assert _dec(data["open_ar"]) == Decimal("1340.00")
    assert _dec(data["open_ap"]) == Decimal("600.00")
    assert _dec(data["unearned_revenue"]) == Decimal("1100.00")
    assert _dec(data["cash_this_month"]) == Decimal("1100.00")
    assert sum(_dec(b["amount"]) for b in data["ar_buckets"]) == _dec(data["open_ar"])
    assert len(data["receipts_by_month"]) == 12


@pytest.mark.parametrize("name", REPORTS)
def test_every_report_downloads_as_csv_and_xlsx_with_its_totals(client, accounting, name):
    _world()
    report = _get(client, accounting, _url(name), as_of=D.isoformat())
    assert report["rows"], name
    _assert_reconciles(report)
    keys = [c["key"] for c in report["columns"]]
    r = client.get(_url(name), headers=accounting, params={"as_of": D.isoformat(), "format": "csv"})
    assert r.status_code == 200 and f"{name}-{D.isoformat()}.csv" in r.headers["content-disposition"]
    lines = list(csv.reader(io.StringIO(r.text)))
    assert len(lines) == len(report["rows"]) + 2 and lines[-1][0] == "Total"
    x = client.get(_url(name), headers=accounting, params={"as_of": D.isoformat(), "format": "xlsx"})
    assert x.status_code == 200
    values = list(load_workbook(io.BytesIO(x.content)).active.iter_rows(values_only=True))
    assert len(values) == len(report["rows"]) + 2
    for column in report["columns"]:
        if column["kind"] == "money":
            i = keys.index(column["key"])
            assert [Decimal(str(v[i])).quantize(Decimal("0.01")) for v in values[1:-1]] == [
                _dec(row[column["key"]]) for row in report["rows"]]
            total = Decimal(str(values[-1][i])).quantize(Decimal("0.01"))
            assert total == _dec(report["totals"][column["key"]])


@pytest.mark.parametrize("name", REPORTS)
def test_every_report_is_refused_to_a_dispatcher(client, name):
    assert client.get(_url(name), headers=user_headers(client, "dispatcher")).status_code == 403


@pytest.mark.parametrize("name", REPORTS)
def test_every_report_refuses_a_day_after_today(client, accounting, name):
    assert client.get(_url(name), headers=accounting, params={"as_of": "2025-07-01"}).status_code == 422


def test_an_unknown_payment_status_is_refused(client, accounting):
    r = client.get(_url("charter-payment-status"), headers=accounting, params={"payment_status": "lost"})
    assert r.status_code == 422


def test_a_backwards_period_is_refused(client, accounting):
    r = client.get(_url("cancellation-report"), headers=accounting,
                   params={"date_from": "2025-03-10", "date_to": "2025-03-01"})
    assert r.status_code == 422


def test_years_after_the_day_are_refused(client, accounting):
    r = client.get(_url("departed-by-agent"), headers=accounting, params={"year_to": "2026"})
    assert r.status_code == 422


@pytest.mark.parametrize("name", ["ar-aging", "ap-aging", "charter-payment-status", "upcoming-payments"])
def test_report_queries_do_not_grow_with_the_data(client, accounting, name):
    _world()

    def queries() -> int:
        with counted() as seen:
            r = client.get(_url(name), headers=accounting, params={"as_of": D.isoformat()})
        assert r.status_code == 200
        return len(seen)

    few = queries()
    for _ in range(3):
        _world()
    assert queries() == few


money = st.decimals(min_value=0, max_value=5000, places=2, allow_nan=False, allow_infinity=False)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(dues=st.lists(st.tuples(st.integers(-20, 200), money), min_size=1, max_size=4),
       payments=st.lists(money, max_size=3))
def test_buckets_always_add_up_to_the_open_receivable(client, dues, payments):
    """Whatever the dues and payments: the buckets add up to greatest(receivable - paid, 0) to the cent."""
    customer = make_client()
    charter = make_booking(client_id=customer.id, installments=[(D - timedelta(days=n), a) for n, a in dues])
    if sum(payments) > 0:
        make_payment(client_id=customer.id, amount=sum(payments),
                     applications=[(charter.id, sum(payments))], paid_on=D)
    with db.transaction() as session:
        report = reports.ar_aging_charters(session, SYSTEM, as_of_day=D, client_id=customer.id)
        summary = reports.ar_aging(session, SYSTEM, as_of_day=D, client_id=customer.id)
    expected_open = max(sum((a for _n, a in dues), Decimal(0)) - sum(payments, Decimal(0)), Decimal(0))
    assert summary.totals["total_open"] == expected_open
    assert sum(summary.totals[k] for k in BUCKET_KEYS) == expected_open
    assert summary.totals["credit"] == max(sum(payments, Decimal(0)) - sum((a for _n, a in dues), Decimal(0)),
                                           Decimal(0))
    for key in BUCKET_KEYS:
        assert report.totals[key] == sum((r[key] for r in report.rows), Decimal("0.00"))


def test_the_aging_summary_and_its_drill_down_agree_to_the_cent(client, accounting):
    for _ in range(2):
        _world()
    summary = _get(client, accounting, _url("ar-aging"), as_of=D.isoformat())
    detail = _get(client, accounting, _url("ar-aging"), as_of=D.isoformat(), view="detail", limit=1000)
    for key in (*BUCKET_KEYS, "total_open"):
        assert _dec(summary["totals"][key]) == _dec(detail["totals"][key]), key
    assert summary["totals"]["open_charters"] == detail["total_rows"]
    outstanding = _get(client, accounting, _url("outstanding-receivables"), as_of=D.isoformat())
    assert _dec(outstanding["totals"]["open"]) == _dec(summary["totals"]["total_open"])
