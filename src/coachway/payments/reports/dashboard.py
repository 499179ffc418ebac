"""The financial dashboard's figures: open and overdue AR, open AP, unearned revenue, cash received this
month, AR and AP by aging bucket, and receipts by month (the last twelve months to the as-of day)."""

from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from coachway.core.permissions import Actor
from coachway.payments.models import Payment
from coachway.payments.reports.base import (
    BUCKET_KEYS,
    BUCKET_LABELS,
    OVERDUE_KEYS,
    as_of,
    authorize,
    cents,
    money,
    month_key,
)
from coachway.payments.reports.payables import ap_aging
from coachway.payments.reports.receivables import ar_aging, unearned_revenue

MONTHS = 12


def _month_starts(day: date, count: int) -> list[date]:
    first = day.replace(day=1)
    months = []
    for back in range(count - 1, -1, -1):
        index = first.year * 12 + first.month - 1 - back
        months.append(date(index // 12, index % 12 + 1, 1))
    return months


def receipts_by_month(session: Session, day: date, count: int = MONTHS) -> list[dict[str, Any]]:
    """Money received (succeeded payments, not refunds) per month, the `count` months to day's month."""
    months = _month_starts(day, count)
    key = month_key(session, Payment.payment_date)
    rows = dict(session.execute(
        select(key, func.sum(cents(Payment.amount)))
        .where(Payment.payment_type == "payment", Payment.status == "succeeded",
               Payment.payment_date >= months[0], Payment.payment_date <= day)
        .group_by(key)).all())
    return [{"month": m, "label": m.strftime("%b %Y"), "amount": money(rows.get(m.strftime("%Y-%m"), 0))}
            for m in months]


def financial_dashboard(session: Session, actor: Actor, *, as_of_day: date | None = None) -> dict[str, Any]:
    """The dashboard's tiles and chart series as of a day (today by default)."""
    authorize(actor)
    at = as_of(as_of_day)
    ar = ar_aging(session, actor, as_of_day=at.day, limit=1)
    ap = ap_aging(session, actor, as_of_day=at.day, limit=1)
    unearned = unearned_revenue(session, actor, as_of_day=at.day, limit=1)
    receipts = receipts_by_month(session, at.day)
    return {
        "as_of": at.day,
        "open_ar": ar.totals["total_open"],
        "overdue_ar": sum((ar.totals[k] for k in OVERDUE_KEYS), money(0)),
        "credits": ar.totals["credit"],
        "open_ap": ap.totals["total_open"],
        "overdue_ap": sum((ap.totals[k] for k in OVERDUE_KEYS), money(0)),
        "unearned_revenue": unearned.totals["paid"],
        "cash_this_month": receipts[-1]["amount"],
        "ar_buckets": [{"bucket": k, "label": BUCKET_LABELS[k], "amount": ar.totals[k]} for k in BUCKET_KEYS],
        "ap_buckets": [{"bucket": k, "label": BUCKET_LABELS[k], "amount": ap.totals[k]} for k in BUCKET_KEYS],
        "receipts_by_month": receipts,
    }
