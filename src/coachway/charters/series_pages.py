"""Copying a charter to other dates and recurring series, as pages.

On a charter's page: the "Copy to other dates" section (a month calendar to tick dates on; the months move by
HTMX and the ticked dates travel along), and the banner of a charter that belongs to a series. The wizard at
/admin/charters/{id}/recurring builds a recurrence rule (or takes one typed in), previews its dates live and
creates the series; the series page lists its instances, removes one (the others keep their numbers) and
edits this / this and following / all of them.

Every rule lives in charters/service (series.py); these handlers parse the forms, call it and pick a page.
"""

import calendar
from datetime import date
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Path, Query, Request
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from coachway.charters import service, views
from coachway.charters.lifecycle import FINAL_STATUSES
from coachway.charters.schemas_series import SeriesChanges
from coachway.core import clock
from coachway.core.deps import undo_refused
from coachway.core.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from coachway.core.fields import MAX_ID
from coachway.core.permissions import Actor, require
from coachway.fleet import service as fleet_service
from coachway.web.deps import FormDep, PageActor, PageSession
from coachway.web.forms import FormErrors, validate
from coachway.web.templating import is_htmx, redirect, render

router = APIRouter(include_in_schema=False)
Id = Annotated[int, Path(ge=1, le=MAX_ID)]

MAX_DATES = 100
MONTHS_AHEAD = 36
MAX_REASON = 500
MAX_EXCLUDED = 366
# Instances the service leaves alone (under way or finished): no Remove button for them.
LOCKED = {"in_progress", *FINAL_STATUSES}
WEEKDAYS = [("MO", "Mon", "Monday"), ("TU", "Tue", "Tuesday"), ("WE", "Wed", "Wednesday"),
            ("TH", "Thu", "Thursday"), ("FR", "Fri", "Friday"), ("SA", "Sat", "Saturday"),
            ("SU", "Sun", "Sunday")]
DAY_CODES = [code for code, _, _ in WEEKDAYS]
FREQUENCIES = [("DAILY", "Daily"), ("WEEKLY", "Weekly"), ("MONTHLY", "Monthly")]
UNITS = {"DAILY": ("day", "days"), "WEEKLY": ("week", "weeks"), "MONTHLY": ("month", "months"),
         "YEARLY": ("year", "years")}
ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", -1: "last", -2: "second to last"}
SCOPES = [("this", "Only this instance"), ("following", "This and the following instances"),
          ("all", "The whole series")]
LABELS = {"series_name": "Series name", "recurrence_rule": "Repeat rule", "start_date": "First date",
          "end_date": "Last date", "exclude_dates": "Skip these dates", "interval": "Every",
          "count": "Number of times", "until": "Ends on", "byday": "Days", "freq": "Repeats",
          "pickup_time": "Pickup time", "passenger_count": "Passengers", "vehicle_type_id": "Vehicle type",
          "quantity": "Quantity", "charter_id": "Instance", "scope": "Apply to", "changes": "Changes",
          "reason": "Reason", "base_charter_id": "Charter"}


# ---------------------------------------------------------------- words and dates

def day_text(day: date) -> str:
    """date(2026, 2, 2) -> "Mon 2 Feb 2026"."""
    return f"{day:%a} {day.day} {day:%b %Y}"


def _parse_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip()) if text and text.strip() else None
    except ValueError:
        return None


def _number(text: Any, digits: int = 6) -> int | None:
    text = str(text or "").strip()
    return int(text) if text.isdigit() and len(text) <= digits else None


def _today(session: Session, charter) -> date:
    """Today at the charter's hub (a date is past when the hub's day has moved on)."""
    timezone = service.labels(session, [charter])[charter.id].timezone
    return clock.now().astimezone(ZoneInfo(timezone)).date()


def rule_words(rule: str) -> str:
    """"FREQ=WEEKLY;BYDAY=MO,WE;COUNT=12" -> "Every week on Mon, Wed, 12 times" (raw rule beside)."""
    parts = dict(p.split("=", 1) for p in rule.upper().split(";") if "=" in p)
    unit = UNITS.get(parts.get("FREQ", ""))
    if unit is None:
        return rule
    interval = _number(parts.get("INTERVAL")) or 1
    text = f"Every {unit[0]}" if interval == 1 else f"Every {interval} {unit[1]}"
    codes = [c for c in parts.get("BYDAY", "").split(",") if c]
    names = {code: short for code, short, _ in WEEKDAYS}
    if set(codes) == set(DAY_CODES[:5]) and len(codes) == 5 and interval == 1 and unit[0] in ("day", "week"):
        text = "Every weekday (Mon to Fri)"
    elif codes:
        words = []
        for code in codes:
            day, prefix = names.get(code[-2:], code), code[:-2]
            nth = int(prefix) if prefix.lstrip("+-").isdigit() else None
            words.append(f"the {ORDINALS.get(nth, str(nth))} {day}" if nth else day)
        text += " on " + ", ".join(words)
    if parts.get("BYMONTHDAY"):
        text += f" on day {parts['BYMONTHDAY'].replace(',', ', ')}"
    if parts.get("COUNT"):
        text += f", {parts['COUNT']} time{'s' if parts['COUNT'] != '1' else ''}"
    elif parts.get("UNTIL"):
        until = _parse_date(f"{parts['UNTIL'][:4]}-{parts['UNTIL'][4:6]}-{parts['UNTIL'][6:8]}")
        text += f", until {day_text(until)}" if until else f", until {parts['UNTIL']}"
    return text


# ---------------------------------------------------------------- a charter's page: banner and calendar

def _month_start(text: str) -> date | None:
    try:
        year, month = text.split("-")
        return date(int(year), int(month), 1)
    except (ValueError, TypeError):
        return None


def _add_months(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def calendar_view(first: date, *, today: date, own: date, selected: list[date]) -> dict[str, Any]:
    """One month of the copy calendar: weeks of days (past ones disabled, the charter's own marked), the
    links to the months around it, the ticked dates as chips, and those outside this month to carry along."""
    this_month = today.replace(day=1)
    last_month = _add_months(this_month, MONTHS_AHEAD)
    chosen = set(selected)
    weeks = []
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month):
        weeks.append([None if d.month != first.month else {
            "iso": d.isoformat(), "day": d.day, "label": f"{d:%A} {d.day} {d:%B %Y}", "past": d < today,
            "own": d == own, "today": d == today, "checked": d in chosen} for d in week])
    previous, following = _add_months(first, -1), _add_months(first, 1)
    return {"title": f"{first:%B %Y}", "month": f"{first:%Y-%m}", "weeks": weeks,
            "weekdays": WEEKDAYS,
            "prev": f"{previous:%Y-%m}" if previous >= this_month else None,
            "prev_title": f"{previous:%B %Y}",
            "next": f"{following:%Y-%m}" if following <= last_month else None,
            "next_title": f"{following:%B %Y}",
            "chips": [{"iso": d.isoformat(), "text": day_text(d)} for d in sorted(chosen)],
            "elsewhere": [{"iso": d.isoformat(), "label": f"{d:%A} {d.day} {d:%B %Y}"} for d in sorted(chosen)
                          if (d.year, d.month) != (first.year, first.month)]}


def _dates_quietly(texts: list[str]) -> list[date]:
    """The dates of a month move (bad ones dropped: they were never offered)."""
    days = [_parse_date(t) for t in texts[:MAX_DATES + 1]]
    return list(dict.fromkeys(d for d in days if d is not None))


def _made(session: Session, actor: Actor, text: str) -> list[dict[str, Any]]:
    ids = [int(part) for part in text.split(",")[:MAX_DATES] if part.isdigit() and len(part) <= 12]
    copies = sorted(service.charters_by_ids(session, actor, ids), key=lambda c: (c.trip_date, c.id))
    return [{"id": c.id, "date": day_text(c.trip_date), "status": views.STATUS_LABELS.get(c.status, c.status),
             "price": views.money(c.quoted_price)} for c in copies]


def detail_panel(session: Session, actor: Actor, charter, *, month: str = "",
                 selected: list[date] | None = None, options: dict[str, bool] | None = None,
                 errors: dict[str, Any] | None = None, made: str = "") -> dict[str, Any]:
    """What the charter's page shows of series and copies: the banner, the "Create recurring" link and the
    copy calendar (the last two only for staff who may create quotes)."""
    banner = None
    series = service.series_of(session, charter)
    if series is not None:
        href = f"/admin/charters/series/{series.id}"
        if charter.is_series_master:
            banner = {"kind": "master", "name": series.name, "href": href,
                      "running": series.active_instances, "total": series.total_instances}
        elif charter.removed_from_series_at is not None:
            banner = {"kind": "removed", "name": series.name, "href": href,
                      "number": charter.instance_number, "when": charter.removed_from_series_at}
        else:
            label = service.day_labels(session, [charter]).get(charter.id) or {}
            banner = {"kind": "instance", "name": series.name, "href": href, "label": label.get("label"),
                      "number": charter.instance_number}
    can_create = actor.is_staff and actor.can("charters:create")
    open_quote = charter.superseded_by_id is None
    clone = None
    if can_create and open_quote:
        today = _today(session, charter)
        first = _month_start(month)
        earliest, latest = today.replace(day=1), _add_months(today.replace(day=1), MONTHS_AHEAD)
        if first is None or not earliest <= first <= latest:
            first = max(charter.trip_date.replace(day=1), earliest)
        chosen = selected or []
        shown = calendar_view(first, today=today, own=charter.trip_date, selected=chosen)
        clone = {"charter_id": charter.id, "calendar": shown,
                 "options": options or {"adjust_pricing": True, "copy_documents": False,
                                        "copy_vendor_assignment": False},
                 "errors": errors, "made": _made(session, actor, made) if made else [],
                 "open": bool(month or chosen or errors or made),
                 "trip_date": day_text(charter.trip_date)}
    can_recur = (can_create and open_quote and charter.series_id is None
                 and charter.status not in FINAL_STATUSES)
    return {"banner": banner, "clone": clone, "can_recur": can_recur, "charter_id": charter.id}


def _clone_errors(exc: DomainError, sent: list[str]) -> dict[str, Any]:
    """The refusal as a message and one line per bad date (the service names them new_dates.N)."""
    by_date: dict[str, str] = {}
    general = []
    for item in exc.errors or []:
        field, message = str(item.get("field") or ""), str(item.get("message") or exc.detail)
        index = field.removeprefix("new_dates.")
        if field.startswith("new_dates.") and index.isdigit() and int(index) < len(sent):
            by_date[sent[int(index)]] = message
        else:
            general.append(message)
    if not by_date and not general:
        general.append(exc.detail)
    return {"message": "No copies were made.", "dates": by_date, "general": general}


def _show_charter(request: Request, session: Session, actor: Actor, charter_id: int, *,
                  status_code: int = 200, **panel):
    """The charter's page with the copy section as asked (a month, dates ticked, errors, copies made)."""
    from coachway.charters.pages import _show  # pages includes this module's router

    charter = service.get_charter(session, actor, charter_id)
    return _show(request, session, actor, charter_id, status_code=status_code,
                 series=detail_panel(session, actor, charter, **panel))


@router.get("/admin/charters/{charter_id}/clone")
def clone_calendar(request: Request, charter_id: Id, actor: PageActor, session: PageSession,
                   month: Annotated[str, Query(max_length=7)] = "",
                   new_dates: Annotated[list[str] | None, Query()] = None,
                   made: Annotated[str, Query(max_length=1400)] = ""):
    """The copy calendar at another month (HTMX: the calendar alone), or the copies just made."""
    charter = service.get_charter(session, actor, charter_id)
    if not actor.is_staff:
        raise Forbidden("Copying charters is for staff.")
    require(actor, "charters:create")
    selected = _dates_quietly(new_dates or [])
    if is_htmx(request, "clone-calendar"):
        panel = detail_panel(session, actor, charter, month=month, selected=selected)
        return render(request, "charters/_clone.html", {"series": panel, "charter": charter},
                      block="calendar")
    return _show_charter(request, session, actor, charter_id, month=month, selected=selected, made=made)


@router.post("/admin/charters/{charter_id}/clone")
def clone_create(request: Request, charter_id: Id, actor: PageActor, session: PageSession, form: FormDep):
    """Copy the charter to every ticked date, all or none; then list the new quotes."""
    sent = [str(v).strip() for v in form.getlist("new_dates")][:MAX_DATES + 1]
    options = {name: form.get(name) == "on" for name in ("adjust_pricing", "copy_documents",
                                                         "copy_vendor_assignment")}
    try:
        if not actor.is_staff:
            raise Forbidden("Copying charters is for staff.")
        days = []
        for i, text in enumerate(sent):
            day = _parse_date(text)
            if day is None:
                raise Invalid.field(f"new_dates.{i}", f"“{text[:20]}” is not a date like 2026-03-02.")
            days.append(day)
        copies = service.clone_charter(session, actor, charter_id, new_dates=days, **options)
    except (Invalid, Conflict) as exc:
        undo_refused(session, exc)
        charter = service.get_charter(session, actor, charter_id)
        first = next((d for d in (_parse_date(t) for t in sent) if d is not None), None)
        panel = {"month": f"{first:%Y-%m}" if first else "", "selected": _dates_quietly(sent),
                 "options": options, "errors": _clone_errors(exc, sent)}
        if is_htmx(request, "clone"):
            return render(request, "charters/_clone.html",
                          {"series": detail_panel(session, actor, charter, **panel), "charter": charter},
                          block="clone", status_code=exc.status)
        return _show_charter(request, session, actor, charter_id, status_code=exc.status, **panel)
    ids = ",".join(str(c.id) for c in copies)
    n = len(copies)
    return redirect(request, f"/admin/charters/{charter_id}/clone?made={ids}#clone",
                    flash=f"Made {n} cop{'ies' if n != 1 else 'y'} of charter {charter_id}, as new quotes.")


# ---------------------------------------------------------------- the recurring wizard

def compose_rule(values: dict[str, Any]) -> str:
    """The RRULE the builder's fields describe (the same as series.js composes in the browser)."""
    freq = values.get("freq") if values.get("freq") in dict(FREQUENCIES) else "WEEKLY"
    parts = [f"FREQ={freq}"]
    interval = _number(values.get("interval"), 3)
    if interval and interval > 1:
        parts.append(f"INTERVAL={interval}")
    days = [code for code in DAY_CODES if code in values.get("byday", [])]
    if days and freq in ("DAILY", "WEEKLY"):
        parts.append("BYDAY=" + ",".join(days))
    until = _parse_date(str(values.get("until") or ""))
    if values.get("ends") == "until" and until:
        parts.append(f"UNTIL={until:%Y%m%d}")
    elif values.get("ends") != "until" and _number(values.get("count"), 4):
        parts.append(f"COUNT={_number(values.get('count'), 4)}")
    return ";".join(parts)


WIZARD_FIELDS = ("series_name", "freq", "interval", "ends", "count", "until", "recurrence_rule",
                 "composed_rule", "start_date", "end_date", "exclude_dates", "description")


def _wizard_values(form: FormData) -> dict[str, Any]:
    data: dict[str, Any] = {name: str(form.get(name) or "").strip()[:2000] for name in WIZARD_FIELDS}
    data["byday"] = [str(v) for v in form.getlist("byday") if v in DAY_CODES]
    data["adjust_pricing_per_instance"] = form.get("adjust_pricing_per_instance") == "on"
    # The builder wins unless the rule was typed (it then differs from what the builder last made).
    if not data["recurrence_rule"] or data["recurrence_rule"] == data["composed_rule"]:
        data["recurrence_rule"] = compose_rule(data)
    data["composed_rule"] = compose_rule(data)
    return data


def _wizard_defaults(session: Session, charter, today: date) -> dict[str, Any]:
    start = max(charter.trip_date, today)
    name = service.labels(session, [charter])[charter.id].client_name or f"Charter {charter.id}"
    data: dict[str, Any] = {"series_name": f"{name} series", "freq": "WEEKLY", "interval": "1",
                            "byday": [DAY_CODES[start.weekday()]], "ends": "count", "count": "10",
                            "until": "",
                            "start_date": start.isoformat(), "end_date": "", "exclude_dates": "",
                            "description": "", "adjust_pricing_per_instance": False}
    data["recurrence_rule"] = data["composed_rule"] = compose_rule(data)
    return data


def _wizard_input(data: dict[str, Any]) -> dict[str, Any]:
    """The wizard's fields as the service's arguments, or Invalid naming every bad field."""
    errors = []
    if data.get("interval") and not (_number(data["interval"], 3) or 0) >= 1:
        errors.append({"field": "interval", "message": "Enter a whole number from 1 to 999."})
    if data.get("ends") != "until" and data.get("count") and not _number(data["count"], 4):
        errors.append({"field": "count", "message": "Enter a whole number of times, like 60."})
    if data.get("ends") == "until" and data.get("until") and not _parse_date(data["until"]):
        errors.append({"field": "until", "message": "Enter a date like 2026-04-30."})
    start = _parse_date(data.get("start_date", ""))
    if start is None:
        errors.append({"field": "start_date", "message": "Enter the first date, like 2026-02-02."})
    end = _parse_date(data.get("end_date", ""))
    if data.get("end_date") and end is None:
        errors.append({"field": "end_date", "message": "Enter a date like 2026-04-30, or leave it empty."})
    excluded = []
    for text in data.get("exclude_dates", "").replace(",", " ").split()[:MAX_EXCLUDED + 1]:
        day = _parse_date(text)
        if day is None:
            errors.append({"field": "exclude_dates",
                           "message": f"“{text[:20]}” is not a date like 2026-02-16."})
            break
        excluded.append(day)
    if len(excluded) > MAX_EXCLUDED:
        errors.append({"field": "exclude_dates", "message": f"Skip at most {MAX_EXCLUDED} dates."})
    if errors:
        raise Invalid("Some fields are missing or invalid.", errors=errors)
    return {"recurrence_rule": data["recurrence_rule"], "start_date": start, "end_date": end,
            "exclude_dates": list(dict.fromkeys(excluded))}


def _preview(data: dict[str, Any]) -> dict[str, Any]:
    """The dates the wizard's rule gives, grouped by month; or the reasons it gives none."""
    try:
        found = service.preview_recurrence(**_wizard_input(data))
    except Invalid as exc:
        errors = FormErrors.of(exc, LABELS)
        return {"error": errors, "rule_error": errors.get("recurrence_rule")}
    months: list[dict[str, Any]] = []
    for day in found["dates"]:
        title = f"{day:%B %Y}"
        if not months or months[-1]["title"] != title:
            months.append({"title": title, "dates": []})
        months[-1]["dates"].append({"iso": day.isoformat(), "weekday": f"{day:%a}", "day": day.day})
    return {"summary": found["summary"], "count": found["count"], "months": months,
            "rule": found["recurrence_rule"], "words": rule_words(found["recurrence_rule"]),
            "error": None, "rule_error": None}


def _wizard_charter(session: Session, actor: Actor, charter_id: int):
    charter = service.get_charter(session, actor, charter_id)
    if not actor.is_staff:
        raise Forbidden("Recurring series are made by staff.")
    require(actor, "charters:create")
    return charter


def _wizard_page(request: Request, session: Session, actor: Actor, charter, *, data: dict[str, Any],
                 errors: FormErrors | None = None, status_code: int = 200, block: str | None = None):
    series = service.series_of(session, charter)
    blocked = None
    if series is not None:
        blocked = {"text": f"Charter {charter.id} already belongs to the series “{series.name}”.",
                   "href": f"/admin/charters/series/{series.id}"}
    elif charter.superseded_by_id is not None:
        blocked = {"text": f"Charter {charter.id} was revised; make the series from its newest revision.",
                   "href": f"/admin/charters/{charter.superseded_by_id}"}
    preview = _preview(data)
    return render(request, "charters/recurring.html",
                  {"title": f"Recurring series from charter {charter.id}", "charter": charter, "values": data,
                   "form_errors": errors, "preview": preview, "oob": block == "preview",
                   "weekdays": WEEKDAYS, "frequencies": FREQUENCIES, "blocked": blocked,
                   "trip_day": day_text(charter.trip_date),
                   "client_name": service.labels(session, [charter])[charter.id].client_name},
                  status_code=status_code, block=block)


@router.get("/admin/charters/new-recurring")
def recurring_pick(request: Request, actor: PageActor, session: PageSession,
                   charter_id: Annotated[str, Query(max_length=12)] = ""):
    """The wizard for the charter given; without one, the open quotes to make a series from."""
    if not actor.is_staff:
        raise Forbidden("Recurring series are made by staff.")
    require(actor, "charters:create")
    chosen = _number(charter_id, 12)
    if chosen:
        return redirect(request, f"/admin/charters/{chosen}/recurring")
    quotes, total = service.list_charters(session, actor, status="quote", limit=50, offset=0)
    rows = [row for row in views.charter_rows(session, quotes)
            if row["charter"].series_id is None and row["charter"].superseded_by_id is None]
    return render(request, "charters/recurring_pick.html",
                  {"title": "Create a recurring series", "rows": rows, "total": total, "day_text": day_text})


@router.get("/admin/charters/{charter_id}/recurring")
def recurring_wizard(request: Request, charter_id: Id, actor: PageActor, session: PageSession):
    """The wizard: a name, a repeat rule built or typed, the dates previewed, then the series."""
    charter = _wizard_charter(session, actor, charter_id)
    return _wizard_page(request, session, actor, charter,
                        data=_wizard_defaults(session, charter, _today(session, charter)))


@router.post("/admin/charters/{charter_id}/recurring/preview")
def recurring_preview(request: Request, charter_id: Id, actor: PageActor, session: PageSession,
                      form: FormDep):
    """The dates the rule gives (HTMX: the preview alone, and the rule's error next to its field)."""
    charter = _wizard_charter(session, actor, charter_id)
    data = _wizard_values(form)
    block = "preview" if is_htmx(request, "recurring-preview") else None
    return _wizard_page(request, session, actor, charter, data=data, block=block)


@router.post("/admin/charters/{charter_id}/recurring")
def recurring_create(request: Request, charter_id: Id, actor: PageActor, session: PageSession, form: FormDep):
    """Create the series: a quote on every date of the rule, numbered 1..n; then the series page."""
    data = _wizard_values(form)
    try:
        if not actor.is_staff:
            raise Forbidden("Recurring series are made by staff.")
        series = service.create_recurring(
            session, actor, base_charter_id=charter_id, series_name=data["series_name"],
            adjust_pricing_per_instance=data["adjust_pricing_per_instance"],
            description=data["description"] or None, **_wizard_input(data))
    except (Invalid, Conflict) as exc:
        undo_refused(session, exc)
        charter = _wizard_charter(session, actor, charter_id)
        errors = FormErrors.of(exc, LABELS)
        if "base_charter_id" in errors.fields:
            errors = FormErrors(exc.detail, {}, LABELS)
        return _wizard_page(request, session, actor, charter, data=data, errors=errors,
                            status_code=exc.status)
    return redirect(request, f"/admin/charters/series/{series.id}",
                    flash=f"Series “{series.name}” is created: {series.total_instances} quotes.")


# ---------------------------------------------------------------- the series page

def _series_context(session: Session, actor: Actor, series_id: int, **extra: Any) -> dict[str, Any]:
    if not actor.is_staff:
        raise Forbidden("Series are managed by staff.")
    found = service.get_series(session, actor, series_id)
    series, labels = found["series"], found["labels"]
    can_cancel, can_update = actor.can("charters:cancel"), actor.can("charters:update")
    rows = []
    for c in found["instances"]:
        removed = c.removed_from_series_at is not None
        rows.append({"id": c.id, "number": c.instance_number, "date": day_text(c.trip_date),
                     "status": c.status, "status_label": views.STATUS_LABELS.get(c.status, c.status),
                     "price": views.money(c.quoted_price), "day": (labels.get(c.id) or {}).get("label"),
                     "removed": c.removed_from_series_at if removed else None,
                     "can_remove": can_cancel and not removed and c.status not in LOCKED})
    running = [r for r in rows if not r["removed"]]
    anchors = [(r["id"], f"Instance {r['number']} · {r['date']}")
               for r in running if r["status"] not in LOCKED]
    types = [(t.id, f"{t.name} ({t.capacity} seats)")
             for t in fleet_service.list_vehicle_types(session, actor, is_active=True)] if can_update else []
    dates = [c.trip_date for c in found["instances"]]
    context = {"title": f"Series {series.name}", "series": series, "rows": rows, "running": len(running),
               "total": series.total_instances, "words": rule_words(series.recurrence_rule),
               "span": f"{day_text(min(dates))} to {day_text(max(dates))}" if dates else "",
               "start": day_text(series.start_date),
               "end": day_text(series.end_date) if series.end_date else None,
               "excluded": [day_text(d) for d in sorted(_dates_quietly(series.exclude_dates or []))],
               "can_update": can_update and bool(anchors), "anchors": anchors, "scopes": SCOPES,
               "types": types, "edit_values": {"scope": "following"}, "edit_errors": None,
               "edit_result": None, "notice": None, "error": None, "remove_errors": {}}
    context.update(extra)
    return context


def _series_page(request: Request, session: Session, actor: Actor, series_id: int, *, status_code: int = 200,
                 **extra: Any):
    context = _series_context(session, actor, series_id, **extra)
    block = "instances" if is_htmx(request, "series-body") else None
    return render(request, "charters/series.html", context, block=block, status_code=status_code)


@router.get("/admin/charters/series/{series_id}")
def series_page(request: Request, series_id: Id, actor: PageActor, session: PageSession):
    """A series: its rule, dates and counts, and every instance with its Day X of Y."""
    return _series_page(request, session, actor, series_id)


def _instance_of(session: Session, actor: Actor, series_id: int, charter_id: int) -> dict[str, Any]:
    """The series (404 if unseen) and the numbers of its instance charter_id (404 if not one of them)."""
    if not actor.is_staff:
        raise Forbidden("Series are managed by staff.")
    found = service.get_series(session, actor, series_id)
    charter = next((c for c in found["instances"] if c.id == charter_id), None)
    if charter is None:
        raise NotFound(f"Charter {charter_id} is not an instance of series {series_id}.")
    return {"number": charter.instance_number, "date": day_text(charter.trip_date)}


@router.post("/admin/charters/series/{series_id}/instances/{charter_id}/remove")
def series_remove(request: Request, series_id: Id, charter_id: Id, actor: PageActor, session: PageSession,
                  form: FormDep):
    """Take one instance out of the series (it is cancelled; the others keep their numbers)."""
    instance = _instance_of(session, actor, series_id, charter_id)
    reason = " ".join(str(form.get("reason") or "").split())
    try:
        if len(reason) > MAX_REASON:
            raise Invalid.field("reason", f"Use at most {MAX_REASON} characters.")
        series = service.remove_from_series(session, actor, charter_id, reason=reason or None)
    except (Invalid, Conflict) as exc:
        undo_refused(session, exc)
        message = FormErrors.of(exc).get("reason") or exc.detail
        return _series_page(request, session, actor, series_id, status_code=exc.status,
                            remove_errors={charter_id: message}, error=message)
    message = (f"Removed instance {instance['number']} ({instance['date']}): it is cancelled. "
               f"{series.active_instances} of {series.total_instances} instances run.")
    if is_htmx(request, "series-body"):
        return _series_page(request, session, actor, series_id, notice=message)
    return redirect(request, f"/admin/charters/series/{series_id}", flash=message)


EDIT_FIELDS = ("charter_id", "scope", "pickup_time", "passenger_count", "vehicle_type_id", "quantity")


def _changes(data: dict[str, str], reprice: bool) -> dict[str, Any]:
    """The edit form as the service's changes (only what was filled in), or Invalid per field."""
    sent: dict[str, Any] = {k: data[k] for k in ("pickup_time", "passenger_count") if data.get(k)}
    if data.get("vehicle_type_id") or data.get("quantity"):
        if not data.get("vehicle_type_id"):
            raise Invalid.field("vehicle_type_id", "Choose the vehicle type the instances should use.")
        sent["vehicles"] = [{"vehicle_type_id": data["vehicle_type_id"],
                             "quantity": data.get("quantity") or "1"}]
    try:
        checked = validate(SeriesChanges, sent)
    except Invalid as exc:
        for item in exc.errors:  # "vehicles.0.quantity" is the form's "quantity"
            if str(item["field"]).startswith("vehicles."):
                item["field"] = str(item["field"]).rpartition(".")[2]
        raise
    changes = checked.model_dump(exclude_none=True, exclude={"reprice"})
    if reprice:
        changes["reprice"] = True
    return changes


@router.post("/admin/charters/series/{series_id}/edit")
def series_edit(request: Request, series_id: Id, actor: PageActor, session: PageSession, form: FormDep):
    """Change one instance, it and the following ones, or the whole series."""
    data = {name: str(form.get(name) or "").strip()[:20] for name in EDIT_FIELDS}
    reprice = form.get("reprice") == "on"
    shown = {**data, "reprice": reprice}
    try:
        anchor_id = _number(data["charter_id"], 12)
        if anchor_id is None:
            raise Invalid.field("charter_id", "Choose the instance the change starts from.")
        instance = _instance_of(session, actor, series_id, anchor_id)
        result = service.edit_series(session, actor, anchor_id, scope=data["scope"],
                                     changes=_changes(data, reprice))
    except (Invalid, Conflict) as exc:
        undo_refused(session, exc)
        return _series_page(request, session, actor, series_id, status_code=exc.status,
                            edit_errors=FormErrors.of(exc, LABELS), edit_values=shown)
    edited, skipped = len(result["edited"]), result["skipped"]
    scope = {"this": f"instance {instance['number']}",
             "following": f"instance {instance['number']} and the following ones",
             "all": "the whole series"}[result["scope"]]
    message = f"Changed {edited} instance{'s' if edited != 1 else ''} ({scope})."
    if skipped:
        listed = ", ".join(f"{s['instance_number']} ({views.STATUS_LABELS.get(s['reason'], s['reason'])})"
                           for s in skipped[:10])
        more = "…" if len(skipped) > 10 else ""
        message += f" Skipped {len(skipped)} under way or finished: {listed}{more}."
    if is_htmx(request, "series-body"):
        return _series_page(request, session, actor, series_id, edit_values=shown,
                            edit_result={"edited": edited, "skipped": len(skipped), "text": message})
    return redirect(request, f"/admin/charters/series/{series_id}", flash=message)
