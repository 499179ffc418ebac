"""What every financial report shares: the as-of day, the aging buckets, money in whole cents, the shape of a
report (columns, rows, totals) and one page of rows with the totals of all of them.

As of a day D (a calendar date in the company's timezone) an instant counts when it is before the start of
D + 1 there; that UTC bound is computed here, in Python, and passed to SQL as a parameter. Dates (due
dates, trip dates, payment dates) are compared with dates computed here too, so the SQL needs no date
arithmetic and reads the same on PostgreSQL and SQLite.

Money is summed in SQL as whole cents (integers): exact on SQLite too, where NUMERIC is stored as a float.
Each row is therefore exact to the cent, and the totals (the sum of the rows' cents, in SQL over all rows,
not only the page) always equal the sum of the rows.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Date, Integer, Select, case, cast, column, func, select, table, text
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from coachway.config import get_settings
from coachway.core import clock
from coachway.core.errors import Invalid
from coachway.core.permissions import Actor, require

PERMISSION = "financial_reports:read"
# Aging buckets: (key, label, most days past due). A due is in the first bucket whose limit it does not pass.
BUCKETS = (("current", "Current", 0), ("d1_30", "1-30", 30), ("d31_60", "31-60", 60),
           ("d61_90", "61-90", 90), ("d91_120", "91-120", 120), ("over_120", "Over 120", None))
BUCKET_KEYS = tuple(key for key, _label, _days in BUCKETS)
BUCKET_LABELS = {key: label for key, label, _days in BUCKETS}
OVERDUE_KEYS = BUCKET_KEYS[1:]
FIRST_DAY = date(2000, 1, 1)
MAX_PAGE = 1000

# Other domains' tables, read for names only (as charters.service.stats reads client names).
clients_t = table("clients", column("id"), column("name"))
users_t = table("users", column("id"), column("full_name"), column("email"))


@lru_cache(maxsize=8)
def zone(name: str | None = None) -> ZoneInfo:
    """The company's timezone (or the one named)."""
    return ZoneInfo(name or get_settings().company_timezone)


company_today = clock.company_today  # today where the company is


@dataclass(frozen=True)
class AsOf:
    """The day a report is as of, and the UTC instant that day ends at (the start of the next local day)."""

    day: date
    end: datetime

    def bucket_dates(self) -> list[date]:
        """The earliest due date of each bucket but the last: a due on or after it is in that bucket."""
        return [self.day - timedelta(days=days) for _key, _label, days in BUCKETS if days is not None]

    def start_of(self, day: date) -> datetime:
        """The UTC instant a local day starts at."""
        return datetime.combine(day, time(0), tzinfo=zone()).astimezone(UTC)


def as_of(day: date | None = None, *, allow_future: bool = False) -> AsOf:
    """The as-of day (today in the company's timezone by default); a day after today is refused."""
    today = company_today()
    day = day or today
    if day > today and not allow_future:
        raise Invalid.field("as_of", "Choose today or an earlier day: the future has no positions yet.")
    if day < FIRST_DAY:
        raise Invalid.field("as_of", f"Choose a day from {FIRST_DAY.isoformat()} on.")
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone()).astimezone(UTC)
    return AsOf(day=day, end=end)


def authorize(actor: Actor) -> None:
    """Only people allowed to read the financial reports get them."""
    require(actor, PERMISSION)


def check_bucket(bucket: str | None) -> str | None:
    """The bucket key, or Invalid for one that does not exist."""
    if bucket is not None and bucket not in BUCKET_KEYS:
        raise Invalid.field("bucket", f"Choose one of: {', '.join(BUCKET_KEYS)}.")
    return bucket


# ---------------------------------------------------------------- SQL pieces


def cents(amount: ColumnElement) -> ColumnElement:
    """SQL: a money column as whole cents (an integer; exact even where NUMERIC is a float)."""
    return cast(func.round(amount * 100), Integer)


def at_least_zero(value: ColumnElement) -> ColumnElement:
    """SQL: greatest(value, 0), written so SQLite and PostgreSQL read it the same."""
    return case((value > 0, value), else_=0)


def smaller(a: ColumnElement, b: ColumnElement) -> ColumnElement:
    """SQL: least(a, b), portable."""
    return case((a < b, a), else_=b)


def bucket_sums(due_date: ColumnElement, amount: ColumnElement, at: AsOf) -> list[ColumnElement]:
    """SQL: one sum per aging bucket of amount, by how many days before the as-of day due_date was."""
    limits = at.bucket_dates()
    sums = []
    for index, key in enumerate(BUCKET_KEYS):
        if index == 0:
            cond = due_date >= limits[0]
        elif index < len(limits):
            cond = (due_date < limits[index - 1]) & (due_date >= limits[index])
        else:
            cond = due_date < limits[-1]
        sums.append(func.coalesce(func.sum(case((cond, amount), else_=0)), 0).label(key))
    return sums


def bucket_index(due_date: ColumnElement, at: AsOf) -> ColumnElement:
    """SQL: the aging bucket of a due date (0 current ... 5 over 120 days past due)."""
    limits = at.bucket_dates()
    return case(*((due_date >= limit, index) for index, limit in enumerate(limits)), else_=len(limits))


def bucket_sums_by_index(index: ColumnElement, amount: ColumnElement) -> list[ColumnElement]:
    """SQL: one sum per aging bucket of amount, by a bucket_index column."""
    return [func.coalesce(func.sum(case((index == i, amount), else_=0)), 0).label(key)
            for i, key in enumerate(BUCKET_KEYS)]


def _sqlite_local_date(value: str | None, tz_name: str) -> str | None:
    if value is None:
        return None
    instant = datetime.fromisoformat(str(value))
    instant = instant.replace(tzinfo=UTC) if instant.tzinfo is None else instant
    return instant.astimezone(zone(tz_name)).date().isoformat()


def local_date(session: Session, instant: ColumnElement) -> ColumnElement:
    """SQL: the company-timezone calendar date of an aware instant column.

    PostgreSQL converts with timezone(); SQLite, which knows no zones, gets a small Python function
    registered on its connection (the embedded development database only).
    """
    tz_name = get_settings().company_timezone
    if session.get_bind().dialect.name == "sqlite":
        raw = session.connection().connection.driver_connection
        raw.create_function("cw_local_date", 2, _sqlite_local_date, deterministic=True)
        return func.cw_local_date(instant, tz_name, type_=Date)
    return cast(func.timezone(tz_name, instant), Date)


def month_key(session: Session, day: ColumnElement) -> ColumnElement:
    """SQL: "YYYY-MM" of a date column."""
    if session.get_bind().dialect.name == "sqlite":
        return func.strftime("%Y-%m", day)
    return func.to_char(day, "YYYY-MM")


def money(value_cents: Any) -> Decimal:
    """Whole cents from SQL as Decimal dollars (1234 -> 12.34)."""
    return Decimal(int(value_cents or 0)).scaleb(-2)


# ---------------------------------------------------------------- the shape of a report


@dataclass(frozen=True)
class Column:
    """A column of a report: its key in each row, its heading and its kind (text, money, int, date)."""

    key: str
    label: str
    kind: str = "text"


@dataclass
class Report:
    """A report as of a day: columns, one page of rows, totals over all rows, and the filters used."""

    key: str
    title: str
    as_of: date
    columns: list[Column]
    rows: list[dict[str, Any]]
    totals: dict[str, Any]
    total_rows: int
    limit: int | None = None
    offset: int = 0
    filters: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The report as plain data (the API's answer)."""
        return {"report": self.key, "title": self.title, "as_of": self.as_of, "filters": self.filters,
                "columns": [{"key": c.key, "label": c.label, "kind": c.kind} for c in self.columns],
                "rows": self.rows, "totals": self.totals, "total_rows": self.total_rows,
                "limit": self.limit, "offset": self.offset}


def check_page(limit: int | None, offset: int) -> None:
    """Refuse a page size or offset out of range."""
    if limit is not None and not 1 <= limit <= MAX_PAGE:
        raise Invalid.field("limit", f"Choose from 1 to {MAX_PAGE} rows a page.")
    if offset < 0:
        raise Invalid.field("offset", "Choose an offset of 0 or more.")


def report_settings(session: Session) -> None:
    """On PostgreSQL, tune this transaction for a report (SET LOCAL: it ends with the transaction):
    - work_mem = settings.report_work_mem, so the aging's sort of every due of every booking stays in memory
      (at the default 4 MB it spills to disk);
    - jit off: the planner expects millions of rows out of the window and union (it cannot know each charter
      has a few dues), so it compiles the query with LLVM, which took longer than the query itself
      (3.4 s of JIT for a 1.2 s query at scale 100, see bench/RESULTS.md)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT set_config('work_mem', :mem, true), set_config('jit', 'off', true)"),
                        {"mem": get_settings().report_work_mem})


def page_with_totals(session: Session, rows: Select, *, order_by: list[str], money_keys: list[str],
                     count_keys: tuple[str, ...] = (), limit: int | None, offset: int
                     ) -> tuple[list[dict[str, Any]], dict[str, Any], int]:
    """One page of a grouped result (order_by: column names, "-name" for descending), with the totals of
    all its rows (window sums over the whole result, so the grouping runs once), money turned from cents
    to Decimal. Returns (rows, totals, count)."""
    check_page(limit, offset)
    report_settings(session)
    sub = rows.subquery("report_rows")
    sums = [func.sum(sub.c[k]).over().label(f"__total_{k}") for k in (*money_keys, *count_keys)]
    stmt = (select(sub, func.count().over().label("__count"), *sums)
            .order_by(*(sub.c[o[1:]].desc() if o.startswith("-") else sub.c[o].asc() for o in order_by)))
    if limit is not None:
        stmt = stmt.limit(limit).offset(offset)
    found = [dict(r._mapping) for r in session.execute(stmt)]
    if found:
        count = int(found[0]["__count"])
        totals_raw = {k: found[0][f"__total_{k}"] for k in (*money_keys, *count_keys)}
    else:  # past the last page (or nothing at all): the totals need their own query
        agg = session.execute(select(func.count(), *(func.sum(sub.c[k]) for k in (*money_keys, *count_keys)))
                              ).one()
        count = int(agg[0] or 0)
        totals_raw = dict(zip((*money_keys, *count_keys), agg[1:], strict=True))
    out = []
    for r in found:
        row = {k: v for k, v in r.items() if not k.startswith("__")}
        for k in money_keys:
            row[k] = money(row[k])
        out.append(row)
    totals = {k: money(totals_raw[k]) for k in money_keys}
    totals.update({k: int(totals_raw[k] or 0) for k in count_keys})
    return out, totals, count
