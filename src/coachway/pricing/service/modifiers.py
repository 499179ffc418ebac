"""Pricing modifiers: rules that raise or lower a price when their conditions hold (weekend, event, hub,
short notice, peak season, holiday), applied highest priority first."""

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from coachway.core import audit
from coachway.core.errors import Invalid, NotFound
from coachway.core.permissions import SYSTEM, Actor, require
from coachway.fleet import service as fleet_service
from coachway.pricing import engine
from coachway.pricing.models import DISCOUNT_TYPES, MODIFIER_TYPES, PricingModifier
from coachway.pricing.service._common import checked, record_change

MODIFIER_FIELDS = {"name", "modifier_type", "adjustment_type", "adjustment_value", "applicable_days",
                   "applicable_hubs", "event_types", "date_ranges", "lead_time_hours", "priority",
                   "is_active"}
NOT_NULL = {"name", "modifier_type", "adjustment_type", "adjustment_value", "priority", "is_active"}
# The condition each type needs (other conditions may narrow it further).
REQUIRED_CONDITION = {"day_of_week": "applicable_days", "hub_based": "applicable_hubs",
                      "event_based": "event_types", "asap": "lead_time_hours", "peak_season": "date_ranges",
                      "holiday": "date_ranges"}
CONDITION_WORDS = {"applicable_days": "the days of the week", "applicable_hubs": "the hubs",
                   "event_types": "the event types", "lead_time_hours": "the lead time in hours",
                   "date_ranges": "the date ranges"}
PERCENT_RANGE = (Decimal(-100), Decimal(1000))
FIXED_RANGE = (Decimal(-100_000), Decimal(100_000))
MAX_LEAD_HOURS = 720
MAX_EVENT_TYPE = 50


# ---------------------------------------------------------------- reading

def list_modifiers(session: Session, actor: Actor, *, active_only: bool = False) -> list[PricingModifier]:
    """Modifiers in the order they apply: highest priority first, then oldest."""
    require(actor, "pricing:read")
    stmt = select(PricingModifier).order_by(PricingModifier.priority.desc(), PricingModifier.id)
    if active_only:
        stmt = stmt.where(PricingModifier.is_active.is_(True))
    return list(session.scalars(stmt))


def get_modifier(session: Session, actor: Actor, modifier_id: int) -> PricingModifier:
    """One modifier."""
    require(actor, "pricing:read")
    modifier = session.get(PricingModifier, modifier_id)
    if modifier is None:
        raise NotFound(f"No pricing modifier {modifier_id}.")
    return modifier


def engine_modifier(row: PricingModifier) -> engine.Modifier:
    """A modifier row as the calculation takes it."""
    ranges = tuple((date.fromisoformat(r["start"]), date.fromisoformat(r["end"]))
                   for r in row.date_ranges or ())
    return engine.Modifier(
        id=row.id, name=row.name, modifier_type=row.modifier_type, adjustment_type=row.adjustment_type,
        adjustment_value=row.adjustment_value, applicable_days=tuple(row.applicable_days or ()),
        applicable_hubs=tuple(row.applicable_hubs or ()), event_types=tuple(row.event_types or ()),
        date_ranges=ranges, lead_time_hours=row.lead_time_hours, priority=row.priority)


def active_modifiers(session: Session) -> tuple[engine.Modifier, ...]:
    """Every active modifier, as the calculation takes them (no permission check: for pricing a trip)."""
    rows = session.scalars(select(PricingModifier).where(PricingModifier.is_active.is_(True))
                           .order_by(PricingModifier.priority.desc(), PricingModifier.id))
    return tuple(engine_modifier(row) for row in rows)


# ---------------------------------------------------------------- rules

def _date(value: Any, field: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise Invalid.field(field, f"{value!r} is not a date like 2026-07-04.") from None


def _ranges(value: Any) -> list[dict[str, str]] | None:
    if not value:
        return None
    if not isinstance(value, list | tuple):
        raise Invalid.field("date_ranges", "Give a list of date ranges with a start and an end.")
    out = []
    for i, item in enumerate(value):
        if hasattr(item, "model_dump"):
            item = item.model_dump()
        if not isinstance(item, dict) or set(item) != {"start", "end"}:
            raise Invalid.field(f"date_ranges.{i}", "Give each date range a start and an end, nothing else.")
        start = _date(item["start"], f"date_ranges.{i}.start")
        end = _date(item["end"], f"date_ranges.{i}.end")
        if start > end:
            raise Invalid.field(f"date_ranges.{i}", f"The range {start} to {end} ends before it starts.")
        out.append({"start": start.isoformat(), "end": end.isoformat()})
    return out


def _clean(session: Session, fields: dict[str, Any]) -> dict[str, Any]:
    """Normalise the condition fields given: lower-case days and events, upper-case known hub codes."""
    if "applicable_days" in fields:
        days = list(dict.fromkeys(str(d).strip().lower() for d in fields["applicable_days"] or ()))
        bad = [d for d in days if d not in engine.WEEKDAYS]
        if bad:
            raise Invalid.field("applicable_days", f"{bad[0]} is not a day of the week (monday ... sunday).")
        fields["applicable_days"] = sorted(days, key=engine.WEEKDAYS.index) or None
    if "applicable_hubs" in fields:
        codes = list(dict.fromkeys(str(c).strip().upper() for c in fields["applicable_hubs"] or ()))
        known = {h.code for h in fleet_service.list_hubs(session, SYSTEM)}
        bad = [c for c in codes if c not in known]
        if bad:
            raise Invalid.field("applicable_hubs", f"There is no hub {bad[0]}.")
        fields["applicable_hubs"] = codes or None
    if "event_types" in fields:
        events = list(dict.fromkeys(str(e).strip().lower() for e in fields["event_types"] or ()))
        if any(not e or len(e) > MAX_EVENT_TYPE for e in events):
            raise Invalid.field("event_types", f"Give each event type 1 to {MAX_EVENT_TYPE} characters.")
        fields["event_types"] = events or None
    if "date_ranges" in fields:
        fields["date_ranges"] = _ranges(fields["date_ranges"])
    return fields


def _check(modifier: dict[str, Any]) -> None:
    """Rules on a modifier's values taken together (as they will be after the change)."""
    if not modifier.get("name") or len(modifier["name"]) > 100:
        raise Invalid.field("name", "Give a name of 1 to 100 characters.")
    kind = modifier["modifier_type"]
    if kind not in MODIFIER_TYPES:
        raise Invalid.field("modifier_type", f"Choose one of: {', '.join(MODIFIER_TYPES)}.")
    if modifier["adjustment_type"] not in DISCOUNT_TYPES:
        raise Invalid.field("adjustment_type", f"Choose one of: {', '.join(DISCOUNT_TYPES)}.")
    value = Decimal(modifier["adjustment_value"])
    low, high = PERCENT_RANGE if modifier["adjustment_type"] == "percentage" else FIXED_RANGE
    if not low <= value <= high:
        unit = "percent" if modifier["adjustment_type"] == "percentage" else "dollars"
        raise Invalid.field("adjustment_value", f"Give {low:,} to {high:,} {unit} (negative is a discount).")
    lead = modifier.get("lead_time_hours")
    if lead is not None and not 1 <= lead <= MAX_LEAD_HOURS:
        raise Invalid.field("lead_time_hours", f"The lead time is 1 to {MAX_LEAD_HOURS} hours.")
    needed = REQUIRED_CONDITION[kind]
    if not modifier.get(needed):
        raise Invalid.field(needed, f"A {kind.replace('_', ' ')} modifier needs {CONDITION_WORDS[needed]}.")
    if not -1000 <= int(modifier.get("priority") or 0) <= 1000:
        raise Invalid.field("priority", "Priority is -1000 to 1000.")


# ---------------------------------------------------------------- changing

def create_modifier(session: Session, actor: Actor, **fields) -> PricingModifier:
    """Add a pricing modifier; audited."""
    require(actor, "pricing:manage")
    fields = _clean(session, checked(fields, MODIFIER_FIELDS, NOT_NULL, {"adjustment_value"}))
    for key in ("name", "modifier_type", "adjustment_type", "adjustment_value"):
        if key not in fields:
            raise Invalid.field(key, "This field is required.")
    fields.setdefault("priority", 0)
    fields.setdefault("is_active", True)
    _check(fields)
    modifier = PricingModifier(**fields)
    session.add(modifier)
    session.flush()
    audit.record(session, actor, entity_type="pricing_modifier", entity_id=modifier.id, action="create",
                 new=audit.snapshot(modifier))
    return modifier


def update_modifier(session: Session, actor: Actor, modifier_id: int, **changes) -> PricingModifier:
    """Change a modifier; only the given fields change, and the result must still hold together; audited."""
    require(actor, "pricing:manage")
    modifier = get_modifier(session, actor, modifier_id)
    changes = _clean(session, checked(changes, MODIFIER_FIELDS, NOT_NULL, {"adjustment_value"}))
    _check({key: getattr(modifier, key) for key in MODIFIER_FIELDS} | changes)
    old = audit.snapshot(modifier)
    for key, value in changes.items():
        setattr(modifier, key, value)
    session.flush()
    record_change(session, actor, modifier, old, entity_type="pricing_modifier")
    return modifier


def delete_modifier(session: Session, actor: Actor, modifier_id: int) -> None:
    """Delete a modifier (quotes already calculated keep what it added); audited with what it was."""
    require(actor, "pricing:manage")
    modifier = get_modifier(session, actor, modifier_id)
    audit.record(session, actor, entity_type="pricing_modifier", entity_id=modifier.id, action="delete",
                 old=audit.snapshot(modifier))
    session.delete(modifier)
    session.flush()
