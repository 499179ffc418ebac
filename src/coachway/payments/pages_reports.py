"""Financial report pages: /admin/reports/ar-aging (buckets by client; each amount drills down to its
charters), /admin/reports/ap-aging (by vendor, down to the bills), /admin/reports/financial-dashboard
(figures and charts), the other reports under /admin/reports/financial/<name>, and a CSV / XLSX download
of each (the page's own link: pages sign in with the session cookie, not the API's Bearer token).

Every figure comes from payments.reports, the functions the API calls. Charts are inline SVG drawn from
those figures (no script), every number also written as text, as on the sales dashboard.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Query, Request, Response

from coachway.core.errors import Invalid, NotFound
from coachway.core.fields import MAX_ID
from coachway.payments import exports, reports
from coachway.payments.reports.base import OVERDUE_KEYS
from coachway.web import nav
from coachway.web.deps import PageActor, PageSession
from coachway.web.templating import pager, render

router = APIRouter(include_in_schema=False)
nav.register("Financial reports", "/admin/reports/financial-dashboard", permission="financial_reports:read",
             order=46, description="AR and AP aging, receivables, payables, unearned revenue, checks, "
                                   "cancellations.")

PAGE_SIZE = 50
Text = Annotated[str, Query(max_length=20)]
CHART_HEIGHT, COLUMN_STEP, COLUMN_WIDTH = 100, 10, 7


# ---------------------------------------------------------------- parameters (pages take text: "" is none)


def _day(text: str, field: str = "as_of") -> date | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Invalid.field(field, "Give a day like 2025-03-31.") from None


def _id(text: str, field: str) -> int | None:
    text = (text or "").strip()
    if not text:
        return None
    if text.isdigit() and 1 <= int(text) <= MAX_ID:
        return int(text)
    raise Invalid.field(field, "Choose one from the list.")


def _int(text: str, field: str) -> int | None:
    text = (text or "").strip()
    if not text:
        return None
    if text.isdigit() and len(text) <= 6:
        return int(text)
    raise Invalid.field(field, "Give a whole number.")


def _bucket(text: str) -> str | None:
    text = (text or "").strip()
    if text and text not in reports.BUCKET_KEYS:
        raise Invalid.field("bucket", f"Choose one of: {', '.join(reports.BUCKET_KEYS)}.")
    return text or None


def _offset(text: str) -> int:
    return _int(text, "offset") or 0


# ---------------------------------------------------------------- formatting and charts (pure)


def money(value: Any) -> str:
    """1234.5 -> "$1,234.50" (negative as -$12.00); None -> "—"."""
    if value is None or value == "":
        return "—"
    amount = Decimal(str(value))
    return f"{'-' if amount < 0 else ''}${abs(amount):,.2f}"


def cell(value: Any, kind: str) -> str:
    """A report value as the page shows it."""
    if value is None:
        return "—" if kind in ("money", "date") else ""
    if kind == "money":
        return money(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


@dataclass(frozen=True)
class Bar:
    """One bucket drawn as a bar: its share of the biggest (0-100), its amount and where it leads."""

    key: str
    label: str
    amount: Decimal
    percent: float
    href: str


def bucket_bars(buckets: list[dict[str, Any]], href: Callable[[str], str]) -> list[Bar]:
    """One bar per aging bucket, as long as its amount relative to the biggest bucket."""
    top = max((b["amount"] for b in buckets), default=Decimal(0))
    return [Bar(b["bucket"], b["label"], b["amount"],
                round(float(100 * b["amount"] / top), 1) if top > 0 else 0.0, href(b["bucket"]))
            for b in buckets]


def month_columns(months: list[dict[str, Any]]) -> dict[str, Any]:
    """Columns of money received per month, scaled to the best month (an empty month keeps a sliver)."""
    top = max((m["amount"] for m in months), default=Decimal(0))
    columns = []
    for index, m in enumerate(months):
        height = max(float(CHART_HEIGHT * m["amount"] / top) if top > 0 else 0.0, 1.0)
        columns.append({"x": index * COLUMN_STEP + (COLUMN_STEP - COLUMN_WIDTH) / 2,
                        "y": CHART_HEIGHT - height,
                        "width": COLUMN_WIDTH, "height": height,
                        "title": f"{m['label']}: {money(m['amount'])}",
                        "empty": m["amount"] <= 0, "label": m["label"]})
    return {"columns": columns, "width": max(len(months), 1) * COLUMN_STEP, "height": CHART_HEIGHT,
            "top": money(top)}


def _url(path: str, **params: Any) -> str:
    query = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in params.items() if v not in (None,
                                                                                                      "")}
    return path + (f"?{urlencode(query)}" if query else "")


# ---------------------------------------------------------------- the tabular reports


@dataclass(frozen=True)
class Spec:
    """A report page: the service function, its filters (name -> kind) and the rows' links."""

    title: str
    run: Callable[..., reports.Report]
    filters: tuple[tuple[str, str, str], ...] = ()  # (name, label, kind: date | int | id | bucket | status)
    intro: str = ""


OTHER_REPORTS: dict[str, Spec] = {
    "outstanding-receivables": Spec("Outstanding receivables", reports.outstanding_receivables,
                                    intro="What each client still owes on their bookings, and since when."),
    "vendor-payables": Spec("Vendor payables", reports.vendor_payables,
                            intro="What is owed to each vendor: billed, paid, open, overdue, disputed."),
    "charter-payment-status": Spec("Charter payment status", reports.charter_payment_status,
                                   filters=(("payment_status", "Payment status", "status"),),
                                   intro="Every booking's receivable, what was paid and what is left."),
    "zero-balance-charters": Spec("Zero-balance charters", reports.zero_balance_charters,
                                  intro="Bookings paid in full: balance exactly zero."),
    "unearned-revenue": Spec("Unearned revenue", reports.unearned_revenue,
                             intro="Money paid for trips that have not run yet (and were not cancelled)."),
    "daily-check-log": Spec("Daily check log", reports.daily_check_log,
                            filters=(("date_from", "From", "date"), ("date_to", "To", "date")),
                            intro="Checks received (refunds paid by check are not listed)."),
    "upcoming-payments": Spec("Upcoming payments", reports.upcoming_payments,
                              filters=(("days", "Days ahead", "int"),),
                              intro="Installments still open falling due in the coming days."),
    "departed-by-agent": Spec("Departed trips by agent", reports.departed_by_agent,
                              filters=(("year_from", "From year", "int"), ("year_to", "To year", "int")),
                              intro="Trips run (confirmed, in progress, completed) per agent and month."),
    "cancellation-report": Spec("Cancellations", reports.cancellation_report,
                                filters=(("date_from", "From", "date"), ("date_to", "To", "date")),
                                intro="Charters cancelled in the period with their fees and refunds."),
}


def _filter_values(spec: Spec, request: Request) -> tuple[dict[str, Any], dict[str, str]]:
    """The service keyword arguments and the raw form values of a report's filters."""
    kwargs: dict[str, Any] = {}
    raw: dict[str, str] = {}
    for name, _label, kind in spec.filters:
        text = request.query_params.get(name, "")[:20]
        raw[name] = text
        if kind == "date":
            value = _day(text, name)
        elif kind == "int":
            value = _int(text, name)
        elif kind == "status":
            value = text.strip() or None
        else:
            value = _id(text, name)
        if value is not None:
            kwargs[name] = value
    return kwargs, raw


def _row_links(report: reports.Report) -> list[dict[str, str]]:
    links = []
    for row in report.rows:
        found = {}
        for column in report.columns:
            if column.kind == "charter" and row.get(column.key):
                found[column.key] = f"/admin/charters/{row[column.key]}"
        links.append(found)
    return links


def _table_page(request: Request, report: reports.Report, *, crumbs: list[tuple[str, str]], export: str,
                filters: list[dict[str, Any]] | None = None, intro: str = "", links=None, action: str = "",
                hidden: dict[str, Any] | None = None, noun: str = "rows"):
    context = {
        "title": report.title, "report": report, "crumbs": crumbs, "intro": intro, "filters": filters or [],
        "hidden": {k: v for k, v in (hidden or {}).items() if v not in (None, "")},
        "links": links or _row_links(report), "cell": cell, "money": money,
        "action": action or request.url.path,
        "csv_url": _url(export, **dict(request.query_params), format="csv"),
        "xlsx_url": _url(export, **dict(request.query_params), format="xlsx"),
        "today": reports.company_today().isoformat(), "noun": noun,
        "pager": pager(request, total=report.total_rows, limit=PAGE_SIZE, offset=report.offset),
    }
    return render(request, "payments/report_table.html", context)


def _download(report: reports.Report, fmt: str) -> Response:
    if fmt not in ("csv", "xlsx"):
        raise Invalid.field("format", "Choose csv or xlsx.")
    body = exports.to_csv(report).encode() if fmt == "csv" else exports.to_xlsx(report)
    return Response(body, media_type=exports.CSV_TYPE if fmt == "csv" else exports.XLSX_TYPE, headers={
        "Content-Disposition": f'attachment; filename="{exports.filename(report, fmt)}"'})


def _paging(fmt: str, offset: str) -> dict[str, Any]:
    return {"limit": None, "offset": 0} if fmt else {"limit": PAGE_SIZE, "offset": _offset(offset)}


# ---------------------------------------------------------------- AR aging


def _aging_links(report: reports.Report, drill: str, key: str, as_of: date) -> list[dict[str, str]]:
    """Each bucket amount (and the open total) links to the charters or bills behind it."""
    links = []
    for row in report.rows:
        found = {}
        for bucket in reports.BUCKET_KEYS:
            if row[bucket]:
                found[bucket] = _url(drill, as_of=as_of, **{key: row[key]}, bucket=bucket)
        if row["total_open"]:
            found["total_open"] = _url(drill, as_of=as_of, **{key: row[key]})
        links.append(found)
    return links


@router.get("/admin/reports/ar-aging")
def ar_aging_page(request: Request, actor: PageActor, session: PageSession, as_of: Text = "",
                  client_id: Text = "", offset: Text = "", format: Text = ""):  # noqa: A002 - the query name
    """AR aging by client as of a day; every amount links to its charters."""
    report = reports.ar_aging(session, actor, as_of_day=_day(as_of), client_id=_id(client_id, "client_id"),
                              **_paging(format, offset))
    if format:
        return _download(report, format)
    links = _aging_links(report, "/admin/reports/ar-aging/charters", "client_id", report.as_of)
    total_links = {k: _url("/admin/reports/ar-aging/charters", as_of=report.as_of, bucket=k)
                   for k in reports.BUCKET_KEYS if report.totals[k]}
    total_links["total_open"] = _url("/admin/reports/ar-aging/charters", as_of=report.as_of)
    return _aging_page(request, report, links, total_links, crumbs=[("Financial reports", _DASH)],
                       intro="Open receivables by how many days past due, per client. Credits (money owed "
                             "back) are shown apart, never netted. Choose an amount to see its charters.",
                       hidden={"client_id": client_id})


@router.get("/admin/reports/ar-aging/charters")
def ar_aging_charters_page(request: Request, actor: PageActor, session: PageSession, as_of: Text = "",
                           client_id: Text = "", bucket: Text = "", offset: Text = "",
                           format: Text = ""):  # noqa: A002
    """The charters behind an AR aging amount (a client's, a bucket's, or both)."""
    report = reports.ar_aging_charters(session, actor, as_of_day=_day(as_of),
                                       client_id=_id(client_id, "client_id"), bucket=_bucket(bucket),
                                       **_paging(format, offset))
    if format:
        return _download(report, format)
    who = report.rows[0]["client_name"] if report.rows and report.filters["client_id"] else None
    if who:
        report.title = f"{report.title} · {who}"
    back = _url("/admin/reports/ar-aging", as_of=report.as_of)
    return _table_page(request, report, crumbs=[("Financial reports", _DASH), ("AR aging", back)],
                       export=request.url.path, hidden={"client_id": client_id, "bucket": bucket},
                       intro="Open amounts per charter, in the buckets of their dues; paid money settles the "
                             "oldest dues first.", noun="charters")


# ---------------------------------------------------------------- AP aging


@router.get("/admin/reports/ap-aging")
def ap_aging_page(request: Request, actor: PageActor, session: PageSession, as_of: Text = "",
                  vendor_id: Text = "", offset: Text = "", format: Text = ""):  # noqa: A002
    """AP aging by vendor as of a day; every amount links to its bills."""
    report = reports.ap_aging(session, actor, as_of_day=_day(as_of), vendor_id=_id(vendor_id, "vendor_id"),
                              **_paging(format, offset))
    if format:
        return _download(report, format)
    links = _aging_links(report, "/admin/reports/ap-aging/bills", "vendor_id", report.as_of)
    total_links = {k: _url("/admin/reports/ap-aging/bills", as_of=report.as_of, bucket=k)
                   for k in reports.BUCKET_KEYS if report.totals[k]}
    total_links["total_open"] = _url("/admin/reports/ap-aging/bills", as_of=report.as_of)
    return _aging_page(request, report, links, total_links, crumbs=[("Financial reports", _DASH)],
                       intro="Open vendor bills by how many days past due, per vendor, with the disputed "
                             "share. Choose an amount to see its bills.", hidden={"vendor_id": vendor_id})


@router.get("/admin/reports/ap-aging/bills")
def ap_aging_bills_page(request: Request, actor: PageActor, session: PageSession, as_of: Text = "",
                        vendor_id: Text = "", bucket: Text = "", offset: Text = "",
                        format: Text = ""):  # noqa: A002
    """The open bills behind an AP aging amount."""
    report = reports.ap_aging_bills(session, actor, as_of_day=_day(as_of), vendor_id=_id(vendor_id,
                                                                                         "vendor_id"),
                                    bucket=_bucket(bucket), **_paging(format, offset))
    if format:
        return _download(report, format)
    back = _url("/admin/reports/ap-aging", as_of=report.as_of)
    return _table_page(request, report, crumbs=[("Financial reports", _DASH), ("AP aging", back)],
                       export=request.url.path, hidden={"vendor_id": vendor_id, "bucket": bucket},
                       noun="bills")


_DASH = "/admin/reports/financial-dashboard"


def _aging_page(request: Request, report: reports.Report, links, total_links, *, crumbs, intro, hidden):
    context = {
        "title": report.title, "report": report, "crumbs": crumbs, "intro": intro, "links": links,
        "action": request.url.path, "total_links": total_links, "cell": cell, "money": money,
        "bucket_keys": reports.BUCKET_KEYS,
        "hidden": {k: v for k, v in hidden.items() if v}, "today": reports.company_today().isoformat(),
        "csv_url": _url(request.url.path, **dict(request.query_params), format="csv"),
        "xlsx_url": _url(request.url.path, **dict(request.query_params), format="xlsx"),
        "pager": pager(request, total=report.total_rows, limit=PAGE_SIZE, offset=report.offset),
    }
    return render(request, "payments/report_aging.html", context)


# ---------------------------------------------------------------- the dashboard


@router.get("/admin/reports/financial-dashboard")
def financial_dashboard_page(request: Request, actor: PageActor, session: PageSession, as_of: Text = ""):
    """Open and overdue AR, open AP, unearned revenue, cash this month; AR and AP by bucket; receipts."""
    data = reports.financial_dashboard(session, actor, as_of_day=_day(as_of))
    day = data["as_of"]
    tiles = [
        {"key": "open_ar", "label": "Open receivables", "value": money(data["open_ar"]),
         "hint": f"Credits owed back {money(data['credits'])}", "href": _url("/admin/reports/ar-aging",
                                                                             as_of=day)},
        {"key": "overdue_ar", "label": "Overdue receivables", "value": money(data["overdue_ar"]),
         "hint": "1 day or more past due", "kind": "alert" if data["overdue_ar"] else "",
         "href": _url("/admin/reports/ar-aging", as_of=day)},
        {"key": "open_ap", "label": "Open payables", "value": money(data["open_ap"]),
         "hint": f"Overdue {money(data['overdue_ap'])}", "href": _url("/admin/reports/ap-aging", as_of=day)},
        {"key": "unearned", "label": "Unearned revenue", "value": money(data["unearned_revenue"]),
         "hint": "Paid for trips not yet run", "href": _url("/admin/reports/financial/unearned-revenue",
                                                            as_of=day)},
        {"key": "cash", "label": "Cash received this month", "value": money(data["cash_this_month"]),
         "hint": f"{day.strftime('%B')} 1 to {day.day}",
         "href": _url("/admin/reports/financial/daily-check-log", as_of=day, date_from=day.replace(day=1))},
    ]
    context = {
        "title": "Financial dashboard", "data": data, "tiles": tiles, "money": money, "today":
        reports.company_today().isoformat(),
        "ar_bars": bucket_bars(data["ar_buckets"], lambda k: _url("/admin/reports/ar-aging/charters",
                                                                  as_of=day,
                                                                   bucket=k)),
        "ap_bars": bucket_bars(data["ap_buckets"], lambda k: _url("/admin/reports/ap-aging/bills", as_of=day,
                                                                   bucket=k)),
        "overdue_keys": OVERDUE_KEYS,
        "chart": month_columns(data["receipts_by_month"]),
        "others": [(name, spec.title, spec.intro) for name, spec in OTHER_REPORTS.items()],
    }
    return render(request, "payments/financial_dashboard.html", context)


# ---------------------------------------------------------------- the other reports


@router.get("/admin/reports/financial/{name}")
def other_report_page(request: Request, actor: PageActor, session: PageSession,
                      name: Annotated[str, Path(max_length=40)], as_of: Text = "", offset: Text = "",
                      format: Text = ""):  # noqa: A002
    """One of the other financial reports as a table, with its filters and downloads."""
    spec = OTHER_REPORTS.get(name)
    if spec is None:
        raise NotFound(f"There is no report {name}.")
    kwargs, raw = _filter_values(spec, request)
    report = spec.run(session, actor, as_of_day=_day(as_of), **kwargs, **_paging(format, offset))
    if format:
        return _download(report, format)
    filters = [{"name": n, "label": label, "kind": kind, "value": raw.get(n, "")} for n, label,
               kind in spec.filters]
    for f in filters:
        if f["kind"] == "status":
            f["options"] = reports.PAYMENT_STATUSES
    return _table_page(request, report, crumbs=[("Financial reports", _DASH)], export=request.url.path,
                       filters=filters, intro=spec.intro)
