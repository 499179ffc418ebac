"""The financial reports (AR/AP aging, receivables, payables, activity, the dashboard), computed in SQL as
of a day. Every function requires financial_reports:read and returns a Report (see base.py)."""

from coachway.payments.reports.activity import cancellation_report, daily_check_log, departed_by_agent
from coachway.payments.reports.base import BUCKET_KEYS, BUCKET_LABELS, Column, Report, company_today
from coachway.payments.reports.dashboard import financial_dashboard
from coachway.payments.reports.payables import ap_aging, ap_aging_bills, vendor_payables
from coachway.payments.reports.receivables import (
    PAYMENT_STATUSES,
    ar_aging,
    ar_aging_charters,
    charter_payment_status,
    outstanding_receivables,
    unearned_revenue,
    upcoming_payments,
    zero_balance_charters,
)

__all__ = [
    "BUCKET_KEYS", "BUCKET_LABELS", "PAYMENT_STATUSES", "Column", "Report", "ap_aging", "ap_aging_bills",
    "ar_aging", "ar_aging_charters", "cancellation_report", "charter_payment_status", "company_today",
    "daily_check_log", "departed_by_agent", "financial_dashboard", "outstanding_receivables",
    "unearned_revenue", "upcoming_payments", "vendor_payables", "zero_balance_charters",
]
