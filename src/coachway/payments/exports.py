"""A financial report as a download: CSV (the csv module) or XLSX (openpyxl), its columns as the header, its
rows, and a last row of totals. Money stays exact: CSV writes the Decimal's digits (1234.50), XLSX writes
numbers with a two-decimal format. Text that a spreadsheet would run as a formula is written as text."""

import csv
import io
from datetime import date
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from coachway.payments.reports import Report

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MONEY_FORMAT = "#,##0.00"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TOTAL_LABEL = "Total"


def filename(report: Report, extension: str) -> str:
    """ar-aging-2025-03-31.csv"""
    return f"{report.key}-{report.as_of.isoformat()}.{extension}"


def _total_row(report: Report) -> list[Any]:
    values: list[Any] = [report.totals.get(c.key) if c.kind in ("money", "int") else None
                         for c in report.columns]
    values[0] = TOTAL_LABEL
    return values


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) and not _is_number(text) else text


def _is_number(text: str) -> bool:
    try:
        Decimal(text)
    except ArithmeticError:
        return False
    return True


def to_csv(report: Report) -> str:
    """The report as CSV text: header, rows, totals."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.label for c in report.columns])
    for row in report.rows:
        writer.writerow([_csv_value(row.get(c.key)) for c in report.columns])
    writer.writerow([_csv_value(v) for v in _total_row(report)])
    return out.getvalue()


def to_xlsx(report: Report) -> bytes:
    """The report as an XLSX workbook of one sheet: bold header, rows, bold totals; money as numbers."""
    book = Workbook()
    sheet = book.active
    sheet.title = report.title.replace(":", "")[:31]
    bold = Font(bold=True)
    sheet.append([c.label for c in report.columns])
    for cell in sheet[1]:
        cell.font = bold
    lines = [[row.get(c.key) for c in report.columns] for row in report.rows]
    for r, values in enumerate([*lines, _total_row(report)], start=2):
        for index, (column, value) in enumerate(zip(report.columns, values, strict=True), start=1):
            cell = sheet.cell(row=r, column=index)
            cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever the text starts with
            elif column.kind == "money" and value is not None:
                cell.number_format = MONEY_FORMAT
            elif isinstance(value, date):
                cell.number_format = "yyyy-mm-dd"
    for cell in sheet[len(lines) + 2]:
        cell.font = bold
    for index, column in enumerate(report.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, min(40, len(column.label) + 4))
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
