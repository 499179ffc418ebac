"""What the charter pages show, in people's words: labels, local times, the route panel and the map's data.

Read-only and built from service calls (charters, clients, fleet); no rules live here.
"""

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from coachway.charters import service
from coachway.clients import service as clients_service
from coachway.core.errors import Forbidden, NotFound
from coachway.core.permissions import Actor
from coachway.fleet import service as fleet_service

STATUS_LABELS = {"quote": "Quote", "booked": "Booked", "confirmed": "Confirmed", "in_progress": "In progress",
                 "completed": "Completed", "cancelled": "Cancelled"}
STATUS_HINTS = {"quote": "A quote: book it when the client accepts.",
                "booked": "Booked: confirm it once the deposit and paperwork are in.",
                "confirmed": "Confirmed: the trip will run.", "in_progress": "The trip is under way.",
                "completed": "The trip is over; its record is final.",
                "cancelled": "Cancelled; its record is final."}
TRIP_TYPE_LABELS = {"one_way": "One way", "round_trip": "Round trip", "overnight": "Overnight",
                    "multi_day": "Multi-day", "local": "Local", "shuttle": "Shuttle", "event": "Event"}
STOP_TYPE_LABELS = {"pickup": "Pickup", "dropoff": "Drop-off", "waypoint": "Waypoint", "stop": "Stop"}
ACTION_LABELS = {"book": "Book it", "confirm": "Confirm booking", "start": "Start the trip",
                 "complete": "Complete the trip", "cancel": "Cancel charter"}
ACTION_DONE = {"book": "booked", "confirm": "confirmed", "start": "started", "complete": "completed",
               "cancel": "cancelled"}
GEOCODE_LABELS = {"ok": "Found", "manual": "Coordinates typed in", "pending": "Not looked up yet",
                  "not_found": "Not found", "unavailable": "Geocoding unavailable"}
CLIENT_CHOICES = 100
MIXES_SHOWN = 5
# A trip end given as a date only is taken as the end of that day at the hub.
END_OF_DAY = time(23, 59)


# ---------------------------------------------------------------- words and numbers

def miles(value: Decimal | None) -> str:
    """1234.5 -> "1,234.5 mi"."""
    return "—" if value is None else f"{Decimal(value):,.1f} mi"


def hours(minutes: int | None) -> str:
    """615 minutes -> "10 h 15 min"."""
    if minutes is None:
        return "—"
    whole, rest = divmod(int(minutes), 60)
    return f"{whole} h {rest:02d} min" if whole else f"{rest} min"


def money(value: Decimal | None) -> str:
    """1234.5 -> "$1,234.50"."""
    return "—" if value is None else f"${Decimal(value):,.2f}"


def local(moment: datetime | None, timezone: str, *, trip_date: date | None = None) -> str:
    """A UTC instant as the hub's local time: "07:45", with the date when it is not the trip date."""
    if moment is None:
        return "—"
    there = moment.astimezone(ZoneInfo(timezone))
    if trip_date is not None and there.date() == trip_date:
        return there.strftime("%H:%M")
    return f"{there:%a} {there:%b} {there.day}, {there:%H:%M}"


def zone_name(timezone: str, on: date) -> str:
    """The short name of a timezone on a date (EDT, CST), else the IANA name."""
    abbreviation = datetime.combine(on, time(12), tzinfo=ZoneInfo(timezone)).tzname()
    return abbreviation if abbreviation and not abbreviation.startswith(("+", "-")) else timezone


# ---------------------------------------------------------------- lists

def charter_rows(session: Session, charters: Sequence[Any]) -> list[dict[str, Any]]:
    """Charters with their client, hub and agent names, in a fixed number of queries."""
    names = service.labels(session, charters)
    rows = []
    for charter in charters:
        label = names.get(charter.id)
        rows.append({"charter": charter, "client_name": label.client_name if label else None,
                     "hub_code": label.hub_code if label else None,
                     "agent_name": label.sales_agent_name if label else None,
                     "pickup": charter.pickup_time.strftime("%H:%M") if charter.pickup_time else None})
    return rows


def client_choices(session: Session, actor: Actor, *, q: str | None = None,
                   selected: int | None = None) -> list[tuple[int, str]]:
    """Active clients to pick from (those matching q), plus the one already chosen."""
    clients, _ = clients_service.list_clients(session, actor, q=q, is_active=True, limit=CLIENT_CHOICES)
    options = [(c.id, c.name) for c in clients]
    if selected and all(value != selected for value, _ in options):
        try:
            chosen = clients_service.get_client(session, actor, selected)
        except (NotFound, Forbidden):
            return options
        options.insert(0, (chosen.id, chosen.name))
    return options


def hub_choices(session: Session, actor: Actor, *, current: int | None = None) -> list[tuple[int, str]]:
    """Open hubs (and the charter's own, even if closed since)."""
    hubs = fleet_service.list_hubs(session, actor)
    return [(h.id, f"{h.code} · {h.name}" + ("" if h.is_active else " (closed)"))
            for h in hubs if h.is_active or h.id == current]


def agent_choices(session: Session, actor: Actor) -> list[tuple[int, str]]:
    """Active sales agents by name."""
    return [(u.id, u.full_name or u.email) for u in service.list_assignable_agents(session, actor)]


def hub_of(session: Session, actor: Actor, hub_id: Any):
    """The hub with this id, or None when there is none (or the actor may not see hubs)."""
    try:
        return fleet_service.get_hub(session, actor, int(hub_id))
    except (NotFound, Forbidden, TypeError, ValueError):
        return None


# ---------------------------------------------------------------- the quote form

def trip_end(end_date: date | None, end_time: time | None, timezone: str) -> datetime | None:
    """The UTC instant a trip ends, from a local date and optional time at the hub."""
    if end_date is None:
        return None
    return datetime.combine(end_date, end_time or END_OF_DAY, tzinfo=ZoneInfo(timezone)).astimezone(UTC)


def form_values(charter, timezone: str) -> dict[str, Any]:
    """A charter's trip details as the quote form shows them (times local to the hub)."""
    end = charter.end_datetime.astimezone(ZoneInfo(timezone)) if charter.end_datetime else None
    end_time = end.time().replace(second=0, microsecond=0) if end else None
    return {"client_id": charter.client_id, "hub_id": charter.hub_id, "trip_type": charter.trip_type,
            "passenger_count": charter.passenger_count, "luggage_pieces": charter.luggage_pieces,
            "trip_date": charter.trip_date.isoformat(),
            "pickup_time": charter.pickup_time.strftime("%H:%M") if charter.pickup_time else "",
            "end_date": end.date().isoformat() if end else "",
            "end_time": end_time.strftime("%H:%M") if end_time and end_time != END_OF_DAY else "",
            "notes": charter.notes or "", "internal_notes": charter.internal_notes or ""}


# ---------------------------------------------------------------- vehicles

def mix_label(vehicles: Sequence[dict[str, Any]]) -> str:
    """"1 × 56-seat Motorcoach + 1 × 28-seat Minibus"."""
    return " + ".join(f"{v['quantity']} × {v['name']} ({v['capacity']} seats)" for v in vehicles)


def vehicles_panel(session: Session, actor: Actor, charter, lines: list[dict[str, Any]],
                   *, with_choices: bool) -> dict[str, Any]:
    """The charter's vehicle lines, the seats they give, and the recommended mixes to choose from."""
    current = sorted((line["vehicle_type_id"], line["quantity"]) for line in lines)
    mixes = []
    for mix in service.recommend_for_charter(session, actor, charter.id)[:MIXES_SHOWN]:
        shown = service.visible_fields(actor, mix)
        # The reason reads "<mix>: 84 seats for 80 passengers (4 spare)."; the mix is already the heading.
        # Readers of the cost read on: "...(4 spare); about $980.00 for 4 hours."
        reason = mix["reason"].partition(": ")[2] or mix["reason"]
        if shown.get("cost_note"):
            reason = f"{reason.rstrip('.')}; {shown['cost_note']}."
        mix_lines = [(v["vehicle_type_id"], v["quantity"]) for v in mix["vehicles"]]
        mixes.append({**shown, "label": mix_label(mix["vehicles"]), "detail": reason,
                      "in_use": sorted(mix_lines) == current, "lines": mix_lines})
    types = []
    if with_choices:
        types = [(t.id, f"{t.name} ({t.capacity} seats)")
                 for t in fleet_service.list_vehicle_types(session, actor, is_active=True)]
    seats = sum((line["capacity"] or 0) * line["quantity"] for line in lines)
    return {"lines": lines, "seats": seats, "mixes": mixes, "types": types,
            "short": seats < charter.passenger_count if lines else False}


# ---------------------------------------------------------------- itinerary and route

def moved(stop_ids: list[int], stop_id: int, direction: str) -> list[int] | None:
    """The stop order after moving one stop a place up or down (None when it cannot move that way)."""
    if stop_id not in stop_ids or direction not in ("up", "down"):
        return None
    i = stop_ids.index(stop_id)
    j = i - 1 if direction == "up" else i + 1
    if not 0 <= j < len(stop_ids):
        return None
    order = list(stop_ids)
    order[i], order[j] = order[j], order[i]
    return order


def stop_name(stop) -> str:
    """What to call a stop: its place name, else its address, else its number."""
    return stop.location_name or stop.address or f"Stop {stop.sequence}"


def _dot_view(dot: dict[str, Any] | None) -> dict[str, Any] | None:
    if dot is None:
        return None
    return {"compliant": dot["compliant"], "second_driver": dot["requires_second_driver"],
            "overnight_rest": dot["requires_overnight_rest"], "explanation": dot["explanation"],
            "complete": dot.get("route_complete", True),
            "violations": [{"name": v["regulation_name"], "message": v["message"],
                            "second_driver_fixes": v.get("second_driver_fixes", False)}
                           for v in dot["violations"]]}


def _point(lat, lon) -> list[float]:
    return [round(float(lat), 6), round(float(lon), 6)]


def map_data(hub, stops: Sequence[Any], *, tiles: str = "") -> str:
    """The map's data as JSON for a data attribute: the hub, the located stops numbered in order."""
    located = [{"n": stop.sequence, "at": _point(stop.latitude, stop.longitude), "label": stop_name(stop)}
               for stop in stops if stop.latitude is not None and stop.longitude is not None]
    hub_point = None
    if hub is not None and hub.latitude is not None and hub.longitude is not None:
        hub_point = {"at": _point(hub.latitude, hub.longitude), "label": f"{hub.code} garage"}
    return json.dumps({"tiles": tiles, "hub": hub_point, "stops": located}, separators=(",", ":"))


def route_panel(session: Session, actor: Actor, charter, stops: Sequence[Any]) -> dict[str, Any]:
    """The itinerary with each stop's local times, the route totals, the DOT result and the map's data."""
    route = service.route_view(session, charter)
    timezone = route["timezone"]
    times = {t["stop_id"]: t for t in route["stops"]}
    rows = []
    for stop in stops:
        when = times.get(stop.id, {})
        rows.append({"stop": stop, "name": stop_name(stop), "type": STOP_TYPE_LABELS.get(stop.stop_type,
                                                                                        stop.stop_type),
                     "arrival": local(when.get("estimated_arrival"), timezone, trip_date=charter.trip_date),
                     "departure": local(when.get("estimated_departure"), timezone,
                                        trip_date=charter.trip_date),
                     "late": when.get("late", False), "located": stop.latitude is not None,
                     "geocode": GEOCODE_LABELS.get(stop.geocode_status, stop.geocode_status)})
    totals = route["totals"]
    summary = None
    if totals is not None:
        summary = {"live": miles(totals["live_miles"]), "deadhead": miles(totals["deadhead_miles"]),
                   "total": miles(totals["total_miles"]), "driving": hours(totals["driving_minutes"]),
                   "garage": hours(totals["total_minutes"]),
                   "leave": local(route["garage_departure"], timezone, trip_date=charter.trip_date),
                   "back": local(route["garage_return"], timezone, trip_date=charter.trip_date)}
    hub = hub_of(session, actor, charter.hub_id)
    return {"stops": rows, "stop_ids": [stop.id for stop in stops], "totals": summary,
            "complete": route["complete"], "missing": len(route["missing_coordinates"]),
            "timezone": timezone, "zone": zone_name(timezone, charter.trip_date),
            "hub_code": hub.code if hub else None, "dot": _dot_view(route["dot"]),
            "second_driver": route["requires_second_driver"], "map": map_data(hub, stops)}


def geocode_messages(results: Sequence[dict[str, Any]], stops: Sequence[Any]) -> dict[str, Any]:
    """What a geocoding run found, per stop, in words."""
    by_id = {stop.id: stop for stop in stops}
    problems = []
    for result in results:
        if result["status"] == "ok":
            continue
        stop = by_id.get(result["stop_id"])
        where = f"Stop {stop.sequence} ({stop_name(stop)})" if stop else f"Stop {result['stop_id']}"
        problems.append(f"{where}: {result.get('message') or 'not found.'}")
    found = sum(1 for r in results if r["status"] == "ok")
    if not results:
        text = "Every stop already has coordinates."
    else:
        text = f"Found {found} of {len(results)} place{'s' if len(results) != 1 else ''}."
    return {"text": text, "problems": problems}
