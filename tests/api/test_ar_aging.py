"""AR aging over HTTP: buckets on boundary days, FIFO settlement, credits, as-of reproducibility, the
drill-down, downloads, refusals, and totals that reconcile to the cent."""

import csv
import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from coachway.core import clock
from coachway.payments.reports import BUCKET_KEYS
from tests.factories import user_headers
from tests.factories_domain import make_client
from tests.factories_reports import make_booking, make_payment, make_refund

D = date(2025, 3, 31)
URL = "/api/v1/reports/ar-aging"
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


def _get(client, headers, url=URL, **params):
    r = client.get(url, headers=headers, params=params)
    assert r.status_code == 200, r.text
    return r.json()


def _dec(value) -> Decimal:
    return Decimal(str(value))


def _assert_reconciles(report: dict) -> None:
    """Every money total equals the sum of its column, and the buckets add up to the open total."""
    for column in report["columns"]:
        if column["kind"] == "money":
            assert _dec(report["totals"][column["key"]]) == sum(
                (_dec(r[column["key"]]) for r in report["rows"]), Decimal("0.00")), column["key"]
    if "total_open" in report["totals"] and "current" in report["totals"]:
        assert sum(_dec(report["totals"][k]) for k in BUCKET_KEYS) == _dec(report["totals"]["total_open"])


def test_boundary_days_fall_in_their_buckets(client, accounting):
    customer = make_client(name="Boundary Tours")
    for n in BOUNDARIES:
        make_booking(client_id=customer.id, quoted_price="100.00", trip_date=D + timedelta(days=3),
                     installments=[(D - timedelta(days=n), f"{n + 1}.01")])
    report = _get(client, accounting, as_of=D.isoformat())
    [row] = report["rows"]
    expected = dict.fromkeys(BUCKET_KEYS, Decimal("0.00"))
    for n, key in BOUNDARIES.items():
        expected[key] += Decimal(f"{n + 1}.01")
    assert {k: _dec(row[k]) for k in BUCKET_KEYS} == expected
    assert _dec(row["total_open"]) == sum(expected.values())
    assert row["open_charters"] == len(BOUNDARIES)
    _assert_reconciles(report)


def test_each_bucket_drills_down_to_its_charters(client, accounting):
    customer = make_client()
    by_days = {n: make_booking(client_id=customer.id, trip_date=D + timedelta(days=3),
                               installments=[(D - timedelta(days=n), "250.00")]).id for n in BOUNDARIES}
    for key in BUCKET_KEYS:
        report = _get(client, accounting, as_of=D.isoformat(), client_id=customer.id, bucket=key)
        expected = sorted(by_days[n] for n, b in BOUNDARIES.items() if b == key)
        assert sorted(r["charter_id"] for r in report["rows"]) == expected, key
        for row in report["rows"]:
            assert _dec(row[key]) == Decimal("250.00")
            assert BOUNDARIES[row["days_past_due"]] == key
        _assert_reconciles(report)


def test_payments_settle_the_oldest_due_first(client, accounting):
    customer = make_client()
    charter = make_booking(client_id=customer.id, quoted_price="1000.00", trip_date=D + timedelta(days=20),
                           installments=[(D - timedelta(days=45), "300.00"), (D - timedelta(days=10),
                                                                              "300.00"),
                                         (D + timedelta(days=10), "400.00")])
    make_payment(client_id=customer.id, amount="450.00", applications=[(charter.id, "450.00")], paid_on=D)
    [row] = _get(client, accounting, as_of=D.isoformat())["rows"]
    assert _dec(row["d31_60"]) == Decimal("0.00")
    assert _dec(row["d1_30"]) == Decimal("150.00")
    assert _dec(row["current"]) == Decimal("400.00")
    assert _dec(row["total_open"]) == Decimal("550.00")


def test_a_credit_is_reported_apart_and_never_netted(client, accounting):
    customer = make_client()
    owing = make_booking(client_id=customer.id, quoted_price="500.00", trip_date=D + timedelta(days=5),
                         installments=[(D - timedelta(days=5), "500.00")])
    overpaid = make_booking(client_id=customer.id, quoted_price="300.00", trip_date=D + timedelta(days=5),
                            installments=[(D - timedelta(days=40), "300.00")])
    make_payment(client_id=customer.id, amount="500.00", applications=[(overpaid.id, "500.00")], paid_on=D)
    report = _get(client, accounting, as_of=D.isoformat())
    [row] = report["rows"]
    assert _dec(row["d1_30"]) == Decimal("500.00")
    assert _dec(row["d31_60"]) == Decimal("0.00")
    assert _dec(row["total_open"]) == Decimal("500.00")
    assert _dec(row["credit"]) == Decimal("200.00")
    assert row["open_charters"] == 1
    detail = _get(client, accounting, as_of=D.isoformat(), view="detail")
    assert [r["charter_id"] for r in detail["rows"]] == [owing.id]


def test_a_payment_applied_after_the_day_does_not_count_on_it(client, accounting):
    customer = make_client()
    charter = make_booking(client_id=customer.id, installments=[(D - timedelta(days=10), "800.00")])
    make_payment(client_id=customer.id, amount="800.00", applications=[(charter.id, "800.00")],
                 paid_on=D + timedelta(days=1))
    before = _get(client, accounting, as_of=D.isoformat())
    assert _dec(before["totals"]["d1_30"]) == Decimal("800.00")
    after = _get(client, accounting, as_of=(D + timedelta(days=1)).isoformat())
    assert after["rows"] == [] and _dec(after["totals"]["total_open"]) == Decimal("0.00")


def test_pending_and_failed_payments_do_not_count(client, accounting):
    customer = make_client()
    charter = make_booking(client_id=customer.id, installments=[(D - timedelta(days=3), "600.00")])
    make_payment(client_id=customer.id, amount="100.00", applications=[(charter.id, "100.00")], paid_on=D,
                 status="pending", method="card")
    make_payment(client_id=customer.id, amount="200.00", applications=[(charter.id, "200.00")], paid_on=D,
                 status="failed", method="card")
    [row] = _get(client, accounting, as_of=D.isoformat())["rows"]
    assert _dec(row["total_open"]) == Decimal("600.00")


def test_a_refund_takes_money_back_off_the_charter(client, accounting):
    customer = make_client()
    charter = make_booking(client_id=customer.id, installments=[(D - timedelta(days=3), "600.00")])
    payment = make_payment(client_id=customer.id, amount="600.00", applications=[(charter.id, "600.00")],
                           paid_on=D - timedelta(days=2))
    make_refund(payment_id=payment, client_id=customer.id, charter_id=charter.id, amount="150.25",
                refunded_on=D - timedelta(days=1))
    [row] = _get(client, accounting, as_of=D.isoformat())["rows"]
    assert _dec(row["d1_30"]) == Decimal("150.25")


def test_one_payment_across_three_charters(client, accounting):
    customer = make_client()
    charters = [make_booking(client_id=customer.id, installments=[(D - timedelta(days=n), "100.00")])
                for n in (5, 35, 65)]
    make_payment(client_id=customer.id, amount="250.00",
                 applications=[(charters[0].id, "100.00"), (charters[1].id, "100.00"), (charters[2].id,
                                                                                        "50.00")],
                 paid_on=D)
    [row] = _get(client, accounting, as_of=D.isoformat())["rows"]
    assert (_dec(row["d1_30"]), _dec(row["d31_60"]), _dec(row["d61_90"])) == (0, 0, Decimal("50.00"))


def test_a_cancellation_after_the_day_does_not_count_on_it(client, accounting):
    customer = make_client()
    make_booking(client_id=customer.id, status="cancelled", cancelled_on=D + timedelta(days=2),
                 cancellation_fee="125.00", trip_date=D + timedelta(days=30),
                 installments=[(D - timedelta(days=20), "400.00"), (D + timedelta(days=20), "600.00")])
    at_d = _get(client, accounting, as_of=D.isoformat())
    assert _dec(at_d["totals"]["d1_30"]) == Decimal("400.00")
    assert _dec(at_d["totals"]["total_open"]) == Decimal("1000.00")
    later = _get(client, accounting, as_of=(D + timedelta(days=2)).isoformat())
    assert _dec(later["totals"]["current"]) == Decimal("125.00")
    assert _dec(later["totals"]["total_open"]) == Decimal("125.00")


def test_a_booking_made_after_the_day_is_not_there_yet(client, accounting):
    customer = make_client()
    make_booking(client_id=customer.id, booked_on=D + timedelta(days=1),
                 installments=[(D - timedelta(days=1), "100.00")])
    assert _get(client, accounting, as_of=D.isoformat())["rows"] == []


def test_a_booking_without_a_plan_owes_its_price_on_the_trip_date(client, accounting):
    customer = make_client()
    make_booking(client_id=customer.id, quoted_price="1234.56", trip_date=D - timedelta(days=61))
    [row] = _get(client, accounting, as_of=D.isoformat())["rows"]
    assert _dec(row["d61_90"]) == Decimal("1234.56")


def test_clients_are_filtered_and_paged_with_totals_of_all(client, accounting):
    customers = [make_client(name=f"Client {i:02d}") for i in range(5)]
    for i, c in enumerate(customers):
        make_booking(client_id=c.id, installments=[(D - timedelta(days=10 * i), f"{i + 1}0.33")])
    page = _get(client, accounting, as_of=D.isoformat(), limit=2, offset=2)
    assert [r["client_name"] for r in page["rows"]] == ["Client 02", "Client 03"]
    assert page["total_rows"] == 5
    assert _dec(page["totals"]["total_open"]) == Decimal("151.65")
    past = _get(client, accounting, as_of=D.isoformat(), limit=2, offset=10)
    assert past["rows"] == [] and _dec(past["totals"]["total_open"]) == Decimal("151.65")
    one = _get(client, accounting, as_of=D.isoformat(), client_id=customers[1].id)
    assert [r["client_id"] for r in one["rows"]] == [customers[1].id]


def test_csv_and_xlsx_hold_the_same_rows_and_totals(client, accounting):
    customer = make_client(name="=Formula Club")
    for n in (0, 31, 121):
        make_booking(client_id=customer.id, installments=[(D - timedelta(days=n), "100.10")])
    report = _get(client, accounting, as_of=D.isoformat())
    r = client.get(URL, headers=accounting, params={"as_of": D.isoformat(), "format": "csv"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    assert f'filename="ar-aging-{D.isoformat()}.csv"' in r.headers["content-disposition"]
    lines = list(csv.reader(io.StringIO(r.text)))
    assert lines[0][0] == "Client" and lines[1][0] == "'=Formula Club" and lines[-1][0] == "Total"
    labels = [c["label"] for c in report["columns"]]
    assert lines[-1][labels.index("Open")] == "300.30"
    x = client.get(URL, headers=accounting, params={"as_of": D.isoformat(), "format": "xlsx"})
    assert x.status_code == 200 and "xlsx" in x.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(x.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == labels
    assert sheet.cell(row=1, column=1).font.bold
    assert values[1][0] == "=Formula Club" and sheet.cell(row=2, column=1).data_type == "s"
    money_keys = [c["key"] for c in report["columns"] if c["kind"] == "money"]
    for key in money_keys:
        col = [c["key"] for c in report["columns"]].index(key)
        assert Decimal(str(values[1][col])).quantize(Decimal("0.01")) == _dec(report["rows"][0][key])
        assert Decimal(str(values[-1][col])).quantize(Decimal("0.01")) == _dec(report["totals"][key])
        assert sheet.cell(row=2, column=col + 1).number_format == "#,##0.00"


def test_today_is_the_default_day(client, accounting):
    report = _get(client, accounting)
    assert report["as_of"] == "2025-06-30"


def test_a_day_in_the_future_is_refused(client, accounting):
    r = client.get(URL, headers=accounting, params={"as_of": "2025-07-01"})
    assert r.status_code == 422


def test_a_malformed_day_is_refused(client, accounting):
    assert client.get(URL, headers=accounting, params={"as_of": "31/03/2025"}).status_code == 422


def test_an_unknown_format_is_refused(client, accounting):
    assert client.get(URL, headers=accounting, params={"format": "pdf"}).status_code == 422


def test_an_unknown_bucket_is_refused(client, accounting):
    assert client.get(URL, headers=accounting, params={"bucket": "d200_300"}).status_code == 422


@pytest.mark.parametrize("role", ["sales_agent", "dispatcher", "sales_support", "vendor"])
def test_roles_without_financial_reports_are_refused(client, role):
    r = client.get(URL, headers=user_headers(client, role))
    assert r.status_code == 403


def test_a_client_user_is_refused(client):
    r = client.get(URL, headers=user_headers(client, "client", client_id=make_client().id))
    assert r.status_code == 403


def test_signing_in_is_required(client):
    assert client.get(URL).status_code == 401


def test_a_manager_may_read_the_aging(client):
    assert client.get(URL, headers=user_headers(client, "manager")).status_code == 200
