"""Response shapes of the financial reports (/api/v1/reports/...): every report is columns, one page of
rows, the totals of all rows and the filters it used. Money is a decimal string to the cent ("1234.50")."""

from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field


class ReportColumnRead(BaseModel):
    """A column: its key in each row, its heading, and its kind (text, money, int, date, charter)."""

    key: str
    label: str
    kind: str


class ReportRead(BaseModel):
    """A report as of a day: rows (one page) and totals (over every row; each money total is the sum of
    that column over all rows, to the cent)."""

    report: str = Field(examples=["ar-aging"])
    title: str
    as_of: date
    filters: dict[str, Any]
    columns: list[ReportColumnRead]
    rows: list[dict[str, Any]]
    totals: dict[str, Decimal | int]
    total_rows: int
    limit: int | None
    offset: int


class BucketAmount(BaseModel):
    """One aging bucket's amount."""

    bucket: str
    label: str
    amount: Decimal


class MonthAmount(BaseModel):
    """Money received in one month."""

    month: date
    label: str
    amount: Decimal


class FinancialDashboardRead(BaseModel):
    """The financial dashboard's figures as of a day."""

    as_of: date
    open_ar: Decimal
    overdue_ar: Decimal
    credits: Decimal
    open_ap: Decimal
    overdue_ap: Decimal
    unearned_revenue: Decimal
    cash_this_month: Decimal
    ar_buckets: list[BucketAmount]
    ap_buckets: list[BucketAmount]
    receipts_by_month: list[MonthAmount]
