"""The financial reports over HTTP: /api/v1/reports/... (AR/AP aging, receivables, payables, activity) and
/api/v1/dashboard/financial. Included by payments/api.py.

Every report takes ?as_of=YYYY-MM-DD (default: today in the company's timezone; a day after today is
refused, 422: no report can know future payments, and upcoming-payments looks ahead with ?days instead)
and ?format=json|csv|xlsx (csv and xlsx are downloads of every row, with totals). JSON answers one page:
?limit (1-1000, default 100) and ?offset.
"""

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from coachway.core.deps import CurrentActor, SessionDep
from coachway.core.fields import MAX_ID
from coachway.payments import exports, reports
from coachway.payments.schemas_reports import FinancialDashboardRead, ReportRead

router = APIRouter(tags=["financial reports"])  # mounted under /api/v1 by payments/api.py

AsOf = Annotated[date | None, Query(description="The day the report is as of (default: today, company time)")]
Format = Annotated[Literal["json", "csv", "xlsx"], Query(alias="format", description="json, csv or xlsx")]
Limit = Annotated[int, Query(ge=1, le=1000, description="Rows per page (JSON only)")]
Offset = Annotated[int, Query(ge=0, le=10_000_000)]
ClientId = Annotated[int | None, Query(ge=1, le=MAX_ID)]
VendorId = Annotated[int | None, Query(ge=1, le=MAX_ID)]
Bucket = Annotated[Literal[reports.BUCKET_KEYS] | None,  # type: ignore[valid-type]
                   Query(description="An aging bucket: lists its charters (AR) or bills (AP)")]
View = Annotated[Literal["summary", "detail"], Query(description="summary: by client or vendor; detail: "
                                                                 "the charters or bills (implied by bucket)")]
Day = Annotated[date | None, Query()]
Year = Annotated[int | None, Query(ge=2000, le=9999)]
PaymentStatus = Annotated[Literal[reports.PAYMENT_STATUSES] | None, Query()]  # type: ignore[valid-type]
DEFAULT_LIMIT = 100
DOWNLOADS = {200: {"content": {exports.CSV_TYPE.split(";")[0]: {}, exports.XLSX_TYPE: {}},
                   "description": "The report (JSON), or a CSV / XLSX download with ?format"}}


def answer(report: reports.Report, fmt: str):
    """The report as JSON, or as a CSV / XLSX download."""
    if fmt == "json":
        return report.as_dict()
    extension = "csv" if fmt == "csv" else "xlsx"
    body = exports.to_csv(report).encode() if fmt == "csv" else exports.to_xlsx(report)
    media = exports.CSV_TYPE if fmt == "csv" else exports.XLSX_TYPE
    return Response(body, media_type=media, headers={
        "Content-Disposition": f'attachment; filename="{exports.filename(report, extension)}"'})


def _page(fmt: str, limit: int, offset: int) -> dict:
    return {"limit": None, "offset": 0} if fmt != "json" else {"limit": limit, "offset": offset}


@router.get("/reports/ar-aging", response_model=ReportRead, responses=DOWNLOADS)
def ar_aging(actor: CurrentActor, session: SessionDep, as_of: AsOf = None, fmt: Format = "json",
             client_id: ClientId = None, bucket: Bucket = None, view: View = "summary",
             limit: Limit = DEFAULT_LIMIT, offset: Offset = 0):
    """AR aging by client (current, 1-30, 31-60, 61-90, 91-120, over 120 days past due, open total,
    credits); with bucket or view=detail, the charters behind it (the drill-down)."""
    page = _page(fmt, limit, offset)
    if bucket or view == "detail":
        report = reports.ar_aging_charters(session, actor, as_of_day=as_of, client_id=client_id,
                                           bucket=bucket,
                                           **page)
    else:
        report = reports.ar_aging(session, actor, as_of_day=as_of, client_id=client_id, **page)
    return answer(report, fmt)


@router.get("/reports/ap-aging", response_model=ReportRead, responses=DOWNLOADS)
def ap_aging(actor: CurrentActor, session: SessionDep, as_of: AsOf = None, fmt: Format = "json",
             vendor_id: VendorId = None, bucket: Bucket = None, view: View = "summary",
             limit: Limit = DEFAULT_LIMIT, offset: Offset = 0):
    """AP aging by vendor in the same buckets, with the disputed share; with bucket or view=detail, the
    bills behind it."""
    page = _page(fmt, limit, offset)
    if bucket or view == "detail":
        report = reports.ap_aging_bills(session, actor, as_of_day=as_of, vendor_id=vendor_id, bucket=bucket,
                                        **page)
    else:
        report = reports.ap_aging(session, actor, as_of_day=as_of, vendor_id=vendor_id, **page)
    return answer(report, fmt)


@router.get("/reports/outstanding-receivables", response_model=ReportRead, responses=DOWNLOADS)
def outstanding_receivables(actor: CurrentActor, session: SessionDep, as_of: AsOf = None,
                            fmt: Format = "json",
                            client_id: ClientId = None, limit: Limit = DEFAULT_LIMIT, offset: Offset = 0):
    """By client: receivable, paid, open, credits and the oldest open due date."""
    report = reports.outstanding_receivables(session, actor, as_of_day=as_of, client_id=client_id,
                                             **_page(fmt, limit, offset))
    return answer(report, fmt)


@router.get("/reports/vendor-payables", response_model=ReportRead, responses=DOWNLOADS)
def vendor_payables(actor: CurrentActor, session: SessionDep, as_of: AsOf = None, fmt: Format = "json",
                    vendor_id: VendorId = None, limit: Limit = DEFAULT_LIMIT, offset: Offset = 0):
    """By vendor: billed, paid, open, overdue and disputed."""
    report = reports.vendor_payables(session, actor, as_of_day=as_of, vendor_id=vendor_id,
                                     **_page(fmt, limit, offset))
    return answer(report, fmt)


@router.get("/reports/charter-payment-status", response_model=ReportRead, responses=DOWNLOADS)
def charter_payment_status(actor: CurrentActor, session: SessionDep, as_of: AsOf = None, fmt: Format = "json",
                           client_id: ClientId = None, payment_status: PaymentStatus = None,
                           limit: Limit = DEFAULT_LIMIT, offset: Offset = 0):
    """Per booking: receivable, paid, balance, paid / partial / unpaid / credit / nothing_due, next due."""
    report = reports.charter_payment_status(session, actor, as_of_day=as_of, client_id=client_id,
                                            payment_status=payment_status, **_page(fmt, limit, offset))
    return answer(report, fmt)


@router.get("/reports/zero-balance-charters", response_model=ReportRead, responses=DOWNLOADS)
def zero_balance_charters(actor: CurrentActor, session: SessionDep, as_of: AsOf = None, fmt: Format = "json",
                          client_id: ClientId = None, limit: Limit = DEFAULT_LIMIT, offset: Offset = 0):
    """Bookings with a receivable fully paid (balance exactly zero)."""
    report = reports.zero_balance_charters(session, actor, as_of_day=as_of, client_id=client_id,
                                           **_page(fmt, limit, offset))
    return answer(report, fmt)


@router.get("/reports/unearned-revenue", response_model=ReportRead, responses=DOWNLOADS)
def unearned_revenue(actor: CurrentActor, session: SessionDep, as_of: AsOf = None, fmt: Format = "json",
                     client_id: ClientId = None, limit: Limit = DEFAULT_LIMIT, offset: Offset = 0):
    """Money paid on bookings whose trip is after the day and that were not cancelled by it."""
    report = reports.unearned_revenue(session, actor, as_of_day=as_of, client_id=client_id,
                                      **_page(fmt, limit, offset))
    return answer(report, fmt)


@router.get("/reports/daily-check-log", response_model=ReportRead, responses=DOWNLOADS)
def daily_check_log(actor: CurrentActor, session: SessionDep, as_of: AsOf = None, fmt: Format = "json",
                    date_from: Day = None, date_to: Day = None, limit: Limit = DEFAULT_LIMIT,
                    offset: Offset = 0):
    """Checks received on the day (or from date_from to date_to): number, bank, client, amount, charters."""
    report = reports.daily_check_log(session, actor, as_of_day=as_of, date_from=date_from, date_to=date_to,
                                     **_page(fmt, limit, offset))
    return answer(report, fmt)


@router.get("/reports/upcoming-payments", response_model=ReportRead, responses=DOWNLOADS)
def upcoming_payments(actor: CurrentActor, session: SessionDep, as_of: AsOf = None, fmt: Format = "json",
                      days: Annotated[int, Query(ge=1, le=366)] = 30, client_id: ClientId = None,
                      limit: Limit = DEFAULT_LIMIT, offset: Offset = 0):
    """Installments with money still open falling due from the day to `days` days after it."""
    report = reports.upcoming_payments(session, actor, as_of_day=as_of, days=days, client_id=client_id,
                                       **_page(fmt, limit, offset))
    return answer(report, fmt)


@router.get("/reports/departed-by-agent", response_model=ReportRead, responses=DOWNLOADS)
def departed_by_agent(actor: CurrentActor, session: SessionDep, as_of: AsOf = None, fmt: Format = "json",
                      year_from: Year = None, year_to: Year = None, limit: Limit = DEFAULT_LIMIT,
                      offset: Offset = 0):
    """Trips departed per sales agent and month (count and revenue) in the years asked for."""
    report = reports.departed_by_agent(session, actor, as_of_day=as_of, year_from=year_from, year_to=year_to,
                                       **_page(fmt, limit, offset))
    return answer(report, fmt)


@router.get("/reports/cancellation-report", response_model=ReportRead, responses=DOWNLOADS)
def cancellation_report(actor: CurrentActor, session: SessionDep, as_of: AsOf = None, fmt: Format = "json",
                        date_from: Day = None, date_to: Day = None, limit: Limit = DEFAULT_LIMIT,
                        offset: Offset = 0):
    """Charters cancelled in the period (default: the month to the day): reason, fee, fee paid, refunds."""
    report = reports.cancellation_report(session, actor, as_of_day=as_of, date_from=date_from,
                                         date_to=date_to, **_page(fmt, limit, offset))
    return answer(report, fmt)


@router.get("/dashboard/financial", response_model=FinancialDashboardRead)
def financial_dashboard(actor: CurrentActor, session: SessionDep, as_of: AsOf = None):
    """Open and overdue AR, open AP, unearned revenue, cash this month, AR/AP by bucket, receipts by month."""
    return reports.financial_dashboard(session, actor, as_of_day=as_of)
