"""Cloning a charter to other dates, and recurring series: made from one charter by an RFC 5545 rule,
numbered 1..n, managed instance by instance ("this", "this and following", "whole series").

Copies are made in bulk: one INSERT for the charters, one each for their stops, vehicle lines and
amenities, one for their audit rows, so a series of 1,000 instances is a single short transaction. Times
move by whole local days at the hub, so a 07:00 pickup stays 07:00 across a daylight-saving change.
"""

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from coachway.charters import recurrence
from coachway.charters.lifecycle import FINAL_STATUSES
from coachway.charters.models import Charter, CharterSeries, CharterVehicle, ItineraryStop
from coachway.charters.service import quoting
from coachway.charters.service._common import (
    check_editable,
    find,
    find_for_change,
    hub_of,
    readable,
    route_start,
    snapshot,
)
from coachway.charters.service.transitions import cancel_charter
from coachway.core import audit, clock
from coachway.core.audit import snapshot as row_snapshot
from coachway.core.errors import Conflict, Invalid, NotFound
from coachway.core.models import AuditLog
from coachway.core.permissions import Actor, require
from coachway.documents import service as documents_service
from coachway.pricing import engine
from coachway.pricing.models import CharterAmenity

MAX_CLONE_DATES = 100
MAX_SERIES_NAME = 255
# What a copy takes over from its source; dates and times are moved, the price is copied or recalculated.
COPIED_FIELDS = ("client_id", "hub_id", "assigned_sales_agent_id", "trip_type", "passenger_count",
                 "luggage_pieces", "pickup_time", "notes", "internal_notes", "requires_second_driver",
                 "vehicle_count", "event_type", "total_miles", "deadhead_miles", "total_hours", "dot_result")
PRICE_FIELDS = ("quoted_price", "deposit_amount", "balance_amount", "estimated_vendor_cost",
                "price_breakdown")
STOP_TIMES = ("scheduled_time", "estimated_arrival", "estimated_departure")
STOP_SKIPPED = {"id", "charter_id", "created_at", "updated_at", "actual_arrival", "actual_departure",
                *STOP_TIMES}
# Instances in these states are left alone by series-wide edits and cannot be removed from their series.
UNTOUCHABLE = {"in_progress", *FINAL_STATUSES}
SCOPES = ("this", "following", "all")
SERIES_EDIT_FIELDS = {"pickup_time", "passenger_count", "notes", "internal_notes", "vehicles", "reprice"}


# ---------------------------------------------------------------- moving times by local days

def _shift(value: datetime | None, days: int, zone: ZoneInfo) -> datetime | None:
    """value moved by days calendar days at the hub, keeping its local time of day."""
    if value is None or days == 0:
        return value
    local = value.astimezone(zone).replace(tzinfo=None) + timedelta(days=days)
    return local.replace(tzinfo=zone).astimezone(UTC)


def _check_dates(dates: Sequence[date], *, field: str, today: date, limit: int) -> list[date]:
    if not dates:
        raise Invalid.field(field, "Choose at least one date.")
    if len(dates) > limit:
        raise Invalid.field(field, f"Choose at most {limit} dates at once.")
    seen: set[date] = set()
    for i, day in enumerate(dates):
        if day in seen:
            raise Invalid.field(f"{field}.{i}", f"{day.isoformat()} is listed twice.")
        if day < today:
            raise Invalid.field(f"{field}.{i}", f"{day.isoformat()} is in the past.")
        seen.add(day)
    return sorted(dates)


# ---------------------------------------------------------------- pricing copies

def _prices_for(session: Session, source: Charter, dates: Sequence[date], *, adjust: bool,
                zone: ZoneInfo) -> dict[date, dict[str, Any]]:
    """The price columns of each copy: the source's price as it is, or (adjust) the source's trip priced
    again for each date (day-of-week, season, holiday and short-notice modifiers apply), computed by the
    pure engine from inputs loaded once. Copies carry no promo code (a code is redeemed per charter)."""
    if not adjust:
        if source.priced_at is None:
            return {}
        same = {key: getattr(source, key) for key in PRICE_FIELDS}
        return dict.fromkeys(dates, same | {"priced_at": source.priced_at})
    try:
        inputs, notes = quoting._inputs(session, source, with_promo=False)
    except Invalid:
        return {}  # no vehicles: nothing to price, like the source
    now = clock.now()
    out = {}
    for day in dates:
        days = (day - source.trip_date).days
        start = _shift(route_start(source, zone.key), days, zone)
        lead = (Decimal(int((start - now).total_seconds())) / 3600).quantize(Decimal("0.01"))
        trip = replace(inputs.trip, trip_date=day, lead_time_hours=lead)
        quote = engine.calculate(trip, inputs.policy, inputs.modifiers, None)
        data = quote.as_dict(internal=True)
        data["notes"] = list(dict.fromkeys([*notes, *data["notes"]]))
        out[day] = {"quoted_price": quote.total, "deposit_amount": quote.deposit,
                    "balance_amount": quote.balance, "estimated_vendor_cost": quote.estimated_vendor_cost,
                    "price_breakdown": {"quote": data, "inputs": engine.inputs_to_dict(
                        trip, inputs.policy, inputs.modifiers, None)}, "priced_at": now}
    return out


# ---------------------------------------------------------------- copying in bulk

def _copy_to_dates(session: Session, actor: Actor, source: Charter, dates: Sequence[date], *,
                   adjust_pricing: bool, copy_documents: bool = False, copy_vehicle_units: bool = False,
                   extra: dict[str, Any] | None = None, numbered: bool = False, action: str = "clone"
                   ) -> list[int]:
    """New quotes copying source to each date (trip, itinerary with times moved, vehicle lines, amenities),
    in one INSERT per table; returns their ids in date order. numbered sets instance_number 1..n."""
    hub = hub_of(session, source.hub_id)
    zone = ZoneInfo(hub.timezone)
    now = clock.now()
    prices = _prices_for(session, source, dates, adjust=adjust_pricing, zone=zone)
    rows = []
    for i, day in enumerate(dates):
        days = (day - source.trip_date).days
        row = {key: getattr(source, key) for key in COPIED_FIELDS}
        row |= {"status": "quote", "trip_date": day,
                "start_datetime": _shift(source.start_datetime, days, zone),
                "end_datetime": _shift(source.end_datetime, days, zone), "cloned_from_charter_id": source.id,
                "revision_number": 1, "cancellation_fee_paid": False, "is_series_master": False,
                "created_by": actor.user_id, "created_at": now, "updated_at": now,
                "assigned_at": now if source.assigned_sales_agent_id else None,
                "assigned_by": actor.user_id if source.assigned_sales_agent_id else None}
        row |= prices.get(day, {})
        row |= extra or {}
        if numbered:
            row["instance_number"] = i + 1
        rows.append(row)
    ids = list(session.scalars(insert(Charter).returning(Charter.id, sort_by_parameter_order=True), rows))
    delta = dict(zip(ids, [(day - source.trip_date).days for day in dates], strict=True))

    stops = list(session.scalars(select(ItineraryStop).where(ItineraryStop.charter_id == source.id)
                                 .order_by(ItineraryStop.sequence)))
    columns = [c.key for c in ItineraryStop.__mapper__.column_attrs if c.key not in STOP_SKIPPED]
    stop_rows = [{**{k: getattr(stop, k) for k in columns}, "charter_id": new_id, "created_at": now,
                  "updated_at": now, **{k: _shift(getattr(stop, k), delta[new_id], zone) for k in STOP_TIMES}}
                 for new_id in ids for stop in stops]
    if stop_rows:
        session.execute(insert(ItineraryStop), stop_rows)
    lines = list(session.scalars(select(CharterVehicle).where(CharterVehicle.charter_id == source.id)
                                 .order_by(CharterVehicle.id)))
    line_rows = [{"charter_id": new_id, "vehicle_type_id": line.vehicle_type_id, "quantity": line.quantity,
                  "vehicle_id": line.vehicle_id if copy_vehicle_units else None, "notes": line.notes,
                  "created_at": now} for new_id in ids for line in lines]
    if line_rows:
        session.execute(insert(CharterVehicle), line_rows)
    extras = list(session.scalars(select(CharterAmenity).where(CharterAmenity.charter_id == source.id)
                                  .order_by(CharterAmenity.id)))
    amenity_rows = []
    for new_id, day in zip(ids, dates, strict=True):
        amounts = _amenity_amounts(prices.get(day))
        amenity_rows += [{"charter_id": new_id, "amenity_id": a.amenity_id, "quantity": a.quantity,
                          "price_per_unit": a.price_per_unit if day in prices else None,
                          "total_price": amounts.get(a.amenity_id, a.total_price) if day in prices else None,
                          "added_at": now} for a in extras]
    if amenity_rows:
        session.execute(insert(CharterAmenity), amenity_rows)
    if copy_documents:
        documents_service.copy_charter_documents(session, actor, source.id, ids)
    session.execute(insert(AuditLog), [
        {"entity_type": "charter", "entity_id": str(new_id), "action": action, "actor_id": actor.user_id,
         "ip_address": actor.ip, "old_values": None, "created_at": now,
         "new_values": {"cloned_from_charter_id": source.id, "trip_date": day.isoformat(),
                        "stops": len(stops), "vehicle_lines": len(lines), "amenities": len(extras),
                        **({"instance_number": i + 1} if numbered else {})}}
        for i, (new_id, day) in enumerate(zip(ids, dates, strict=True))])
    session.flush()
    return ids


def _amenity_amounts(price: dict[str, Any] | None) -> dict[int, Any]:
    if not price or not price.get("price_breakdown"):
        return {}
    lines = price["price_breakdown"]["quote"]["lines"]
    return {line["ref_id"]: Decimal(line["amount"]) for line in lines if line["kind"] == "amenity"}


def _source(session: Session, actor: Actor, charter_id: int) -> Charter:
    require(actor, "charters:create")
    source = find(session, actor, charter_id)
    if source.superseded_by_id is not None:
        raise Conflict(f"Charter {source.id} was revised; copy its newest revision instead.",
                       errors=[{"field": "charter_id", "message": "This quote was superseded."}])
    return source


# ---------------------------------------------------------------- clone

def clone_charter(session: Session, actor: Actor, charter_id: int, *, new_dates: Sequence[date],
                  adjust_pricing: bool = True, copy_documents: bool = False,
                  copy_vendor_assignment: bool = False) -> list[Charter]:
    """Copies of a charter on each of new_dates, as new quotes, all or none (duplicate or past dates are
    refused). adjust_pricing prices each copy for its date; otherwise a copy keeps the source's price.
    copy_vendor_assignment keeps the vehicles dispatch chose (vendor assignments come with vendors)."""
    source = _source(session, actor, charter_id)
    tz = hub_of(session, source.hub_id).timezone
    today = clock.now().astimezone(ZoneInfo(tz)).date()
    dates = _check_dates(new_dates, field="new_dates", today=today, limit=MAX_CLONE_DATES)
    ids = _copy_to_dates(session, actor, source, dates, adjust_pricing=adjust_pricing,
                         copy_documents=copy_documents, copy_vehicle_units=copy_vendor_assignment)
    return list(session.scalars(select(Charter).where(Charter.id.in_(ids)).order_by(Charter.trip_date)))


# ---------------------------------------------------------------- recurring series

def preview_recurrence(recurrence_rule: str, start_date: date, end_date: date | None = None,
                       exclude_dates: Sequence[date] = ()) -> dict[str, Any]:
    """The dates a rule gives (for the wizard's preview), or Invalid on recurrence_rule saying why."""
    try:
        dates = recurrence.occurrences(recurrence_rule, start=start_date, end=end_date, exclude=exclude_dates)
    except recurrence.RecurrenceError as exc:
        raise Invalid.field("recurrence_rule", str(exc)) from None
    return {"recurrence_rule": recurrence.normalise(recurrence_rule), "dates": dates,
            "count": len(dates), "summary": recurrence.describe(dates)}


def create_recurring(session: Session, actor: Actor, *, base_charter_id: int, series_name: str,
                     recurrence_rule: str, start_date: date, end_date: date | None = None,
                     exclude_dates: Sequence[date] = (), adjust_pricing_per_instance: bool = False,
                     description: str | None = None) -> CharterSeries:
    """A series of quotes copying the base charter on every date of the rule, numbered 1..n; the base
    charter becomes the series' master (its template), not an instance."""
    base = _source(session, actor, base_charter_id)
    base = find_for_change(session, actor, base.id)
    if base.series_id is not None:
        raise Conflict(f"Charter {base.id} already belongs to series {base.series_id}.",
                       errors=[{"field": "base_charter_id", "message": "Already part of a series."}])
    name = (series_name or "").strip()
    if not name:
        raise Invalid.field("series_name", "Give the series a name.")
    if len(name) > MAX_SERIES_NAME:
        raise Invalid.field("series_name", f"At most {MAX_SERIES_NAME} characters.")
    preview = preview_recurrence(recurrence_rule, start_date, end_date, exclude_dates)
    dates = preview["dates"]
    today = clock.now().astimezone(ZoneInfo(hub_of(session, base.hub_id).timezone)).date()
    if dates[0] < today:
        raise Invalid.field("start_date", f"The first date, {dates[0].isoformat()}, is in the past.")
    series = CharterSeries(name=name, description=description, recurrence_rule=preview["recurrence_rule"],
                           start_date=start_date, end_date=end_date,
                           exclude_dates=[d.isoformat() for d in exclude_dates] or None,
                           master_charter_id=base.id, total_instances=len(dates), active_instances=len(dates),
                           created_by=actor.user_id)
    session.add(series)
    session.flush()
    _copy_to_dates(session, actor, base, dates, adjust_pricing=adjust_pricing_per_instance, numbered=True,
                   action="create_instance",
                   extra={"series_id": series.id, "parent_charter_id": base.id, "series_total": len(dates),
                          "recurrence_rule": series.recurrence_rule})
    old = snapshot(base)
    base.is_series_master, base.series_id, base.recurrence_rule = True, series.id, series.recurrence_rule
    session.flush()
    audit.record(session, actor, entity_type="charter", entity_id=base.id, action="make_series", old=old,
                 new=snapshot(base))
    audit.record(session, actor, entity_type="charter_series", entity_id=series.id, action="create",
                 new=row_snapshot(series))
    return series


def _series(session: Session, actor: Actor, series_id: int) -> CharterSeries:
    require(actor, "charters:read")
    series = session.get(CharterSeries, series_id)
    if series is None or series.master_charter_id is None or session.scalar(
            readable(actor).where(Charter.id == series.master_charter_id)) is None:
        raise NotFound(f"No series {series_id}.")
    return series


def day_labels(session: Session, charters: Sequence[Charter]) -> dict[int, dict[str, Any]]:
    """{charter id: {"day": X, "of": Y, "label": "Day X of Y"}} for running instances of series: X counts
    the running instances up to this one, Y is how many run (one query for all the charters given)."""
    series_ids = {c.series_id for c in charters if c.series_id is not None and not c.is_series_master}
    if not series_ids:
        return {}
    running = (select(Charter.id, Charter.series_id, Charter.instance_number)
               .where(Charter.series_id.in_(series_ids), Charter.removed_from_series_at.is_(None),
                      Charter.is_series_master.is_(False))
               .order_by(Charter.series_id, Charter.instance_number))
    out: dict[int, dict[str, Any]] = {}
    by_series: dict[int, list[int]] = {}
    for charter_id, series_id, _ in session.execute(running):
        by_series.setdefault(series_id, []).append(charter_id)
    for ids in by_series.values():
        for position, charter_id in enumerate(ids, start=1):
            out[charter_id] = {"day": position, "of": len(ids), "label": f"Day {position} of {len(ids)}"}
    return out


def get_series(session: Session, actor: Actor, series_id: int) -> dict[str, Any]:
    """The series with every instance (running and removed), in instance order, each with its Day X of Y."""
    series = _series(session, actor, series_id)
    instances = list(session.scalars(select(Charter).where(Charter.series_id == series.id,
                                                           Charter.is_series_master.is_(False))
                                     .order_by(Charter.instance_number)))
    labels = day_labels(session, instances)
    return {"series": series, "instances": instances, "labels": labels}


def _recount(session: Session, series: CharterSeries) -> int:
    """Set the series' active count and every running instance's series_total to the running instances."""
    running = session.scalar(select(func.count()).select_from(Charter).where(
        Charter.series_id == series.id, Charter.is_series_master.is_(False),
        Charter.removed_from_series_at.is_(None)))
    series.active_instances = running
    session.execute(update(Charter).where(Charter.series_id == series.id, Charter.is_series_master.is_(False),
                                          Charter.removed_from_series_at.is_(None))
                    .values(series_total=running))
    return running


def remove_from_series(session: Session, actor: Actor, charter_id: int,
                       reason: str | None = None) -> CharterSeries:
    """Take one instance out of its series: it is cancelled (kept, never deleted), the others keep their
    numbers, and the series' running count and each instance's series_total drop by one."""
    require(actor, "charters:cancel")
    charter = find(session, actor, charter_id, lock=True)
    if charter.series_id is None or charter.is_series_master:
        raise Conflict(f"Charter {charter.id} is not an instance of a series.",
                       errors=[{"field": "charter_id", "message": "Not an instance of a series."}])
    if charter.removed_from_series_at is not None:
        raise Conflict(f"Charter {charter.id} was already removed from its series.")
    check_editable(charter)
    if charter.status in UNTOUCHABLE:
        raise Conflict(f"Charter {charter.id} is {charter.status}; it stays in its series.")
    series = session.get(CharterSeries, charter.series_id, with_for_update=True)
    cancel_charter(session, actor, charter.id,
                   cancellation_reason=reason or f"Removed from series {series.name}")
    old = snapshot(charter)
    charter.removed_from_series_at = clock.now()
    session.flush()
    audit.record(session, actor, entity_type="charter", entity_id=charter.id, action="remove_from_series",
                 old=old, new=snapshot(charter))
    before = series.active_instances
    _recount(session, series)
    audit.record(session, actor, entity_type="charter_series", entity_id=series.id, action="remove_instance",
                 old={"active_instances": before},
                 new={"active_instances": series.active_instances, "instance_number": charter.instance_number,
                      "charter_id": charter.id})
    return series


def edit_series(session: Session, actor: Actor, charter_id: int, *, scope: str,
                changes: dict[str, Any]) -> dict[str, Any]:
    """Apply changes to this instance, this and the following ones, or the whole series.

    changes: pickup_time (moves the trip and its stops to the new local time), passenger_count, notes,
    internal_notes, vehicles (replaces the vehicle lines: [{vehicle_type_id, quantity}]), reprice (price
    each edited quote again). Instances under way, completed or cancelled are skipped and reported.
    """
    from coachway.charters.service import charters as charter_rows
    from coachway.charters.service import vehicles as charter_vehicles

    if scope not in SCOPES:
        raise Invalid.field("scope", f"Choose one of: {', '.join(SCOPES)}.")
    unknown = set(changes) - SERIES_EDIT_FIELDS
    if unknown:
        raise Invalid.field(sorted(unknown)[0], "This cannot be changed across a series.")
    if not changes:
        raise Invalid.field("changes", "Say what to change.")
    anchor = find_for_change(session, actor, charter_id)
    if anchor.series_id is None or anchor.is_series_master:
        raise Conflict(f"Charter {anchor.id} is not an instance of a series.")
    targets = select(Charter.id).where(Charter.series_id == anchor.series_id,
                                       Charter.is_series_master.is_(False),
                                       Charter.removed_from_series_at.is_(None))
    if scope == "this":
        targets = targets.where(Charter.id == anchor.id)
    elif scope == "following":
        targets = targets.where(Charter.instance_number >= anchor.instance_number)
    ids = list(session.scalars(targets.order_by(Charter.instance_number)))
    edited, skipped = [], []
    trip = {k: v for k, v in changes.items() if k in {"pickup_time", "passenger_count", "notes",
                                                       "internal_notes"}}
    for target_id in ids:
        charter = find(session, actor, target_id, lock=True)
        if charter.status in UNTOUCHABLE:
            skipped.append({"id": charter.id, "instance_number": charter.instance_number,
                            "reason": f"{charter.status}"})
            continue
        if trip:
            charter_rows.update_charter(session, actor, charter.id, **trip)
        if "vehicles" in changes:
            charter_vehicles.replace_charter_vehicles(session, actor, charter.id, changes["vehicles"])
        if changes.get("reprice") and charter.status == "quote":
            quoting.reprice(session, actor, charter)
        edited.append(charter.id)
    return {"scope": scope, "edited": edited, "skipped": skipped}


def series_of(session: Session, charter: Charter) -> CharterSeries | None:
    """The series a charter belongs to (as master or instance), or None."""
    return session.get(CharterSeries, charter.series_id) if charter.series_id is not None else None

