"""What the pricing pages show and read, in people's words: labels, amounts, a modifier's conditions, a
promo code's limits, and typed date ranges; plus checking a whole form at once."""

from decimal import Decimal
from typing import Any

from coachway.charters.models import TRIP_TYPES
from coachway.core.errors import Invalid
from coachway.pricing.models import AMENITY_CATEGORIES
from coachway.web.forms import validate

CATEGORY_LABELS = {c: c.capitalize() for c in AMENITY_CATEGORIES}
PRICING_TYPE_LABELS = {"flat_fee": "Flat fee", "per_passenger": "Per passenger", "per_hour": "Per hour",
                       "per_day": "Per day"}
DISCOUNT_LABELS = {"percentage": "Percentage", "fixed_amount": "Fixed amount"}
MODIFIER_TYPE_LABELS = {"day_of_week": "Day of the week", "event_based": "Event", "hub_based": "Hub",
                        "asap": "Short notice (ASAP)", "peak_season": "Peak season", "holiday": "Holiday"}
TRIP_TYPE_LABELS = {t: t.replace("_", " ").capitalize() for t in TRIP_TYPES}


def validated(schema, sent: dict[str, Any], required: tuple[str, ...], data: dict[str, Any]):
    """sent as schema, or Invalid naming every bad field at once: the required ones left blank in data too."""
    errors = [{"field": key, "message": "This field is required."} for key in required if not data.get(key)]
    try:
        body = validate(schema, sent)
    except Invalid as exc:
        blank = {e["field"] for e in errors}
        others = [e for e in exc.errors if e["field"] not in blank]
        raise Invalid(exc.detail, errors=errors + others) from None
    if errors:
        raise Invalid("Some fields are missing or invalid.", errors=errors)
    return body


def number(value: Any) -> str:
    """10.00 -> "10", 12.50 -> "12.5" (percentages and hours read by people)."""
    if value is None:
        return ""
    return f"{Decimal(str(value)).normalize():f}"


def money(value: Any) -> str:
    """1234.5 (or "1234.50") -> "$1,234.50"; negative amounts as -$12.00."""
    if value is None or value == "":
        return "—"
    amount = Decimal(str(value))
    return f"{'-' if amount < 0 else ''}${abs(amount):,.2f}"


def plain(value: Any) -> str:
    """A stored value as a form shows it (2.50 stays 2.50; None is blank)."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:f}"
    return str(value)


def promo_limits(promo, type_names: dict[str, str]) -> list[str]:
    """What a promo code is restricted to, in words, for the list."""
    limits = []
    if promo.min_purchase_amount is not None:
        limits.append(f"Trips of {money(promo.min_purchase_amount)} or more")
    if promo.applicable_trip_types:
        limits.append(", ".join(TRIP_TYPE_LABELS.get(t, t) for t in promo.applicable_trip_types))
    if promo.applicable_vehicle_types:
        limits.append(", ".join(type_names.get(c, c) for c in promo.applicable_vehicle_types))
    return limits


def conditions(modifier) -> list[str]:
    """A modifier's conditions in words, for the list."""
    out = []
    if modifier.applicable_days:
        out.append(", ".join(d.capitalize() for d in modifier.applicable_days))
    if modifier.applicable_hubs:
        out.append("Hubs " + ", ".join(modifier.applicable_hubs))
    if modifier.event_types:
        out.append("Events: " + ", ".join(modifier.event_types))
    if modifier.lead_time_hours is not None:
        out.append(f"Pickup within {modifier.lead_time_hours} hours")
    for r in modifier.date_ranges or ():
        out.append(r["start"] if r["start"] == r["end"] else f"{r['start']} to {r['end']}")
    return out


def adjustment(modifier) -> str:
    """+10 %, −5 %, +$150.00 or −$50.00."""
    value = Decimal(modifier.adjustment_value)
    if modifier.adjustment_type == "percentage":
        return f"{'+' if value >= 0 else '−'}{abs(value).normalize():f} %"
    return f"{'+' if value >= 0 else '−'}{money(abs(value))}"


def date_ranges(text: str) -> list[dict[str, str]]:
    """Date ranges typed one a line: "2026-07-03 to 2026-07-05", or one date for a single day."""
    ranges = []
    for i, line in enumerate(text.replace(",", "\n").splitlines()):
        parts = [p for p in line.replace(" to ", " ").replace("–", " ").split() if p]
        if not parts:
            continue
        if len(parts) > 2:
            raise Invalid.field("date_ranges", f"Line {i + 1} is not like 2026-07-03 to 2026-07-05.")
        ranges.append({"start": parts[0], "end": parts[-1]})
    return ranges
