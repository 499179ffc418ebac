"""Revising a quote: a new charter row (revision n + 1) replaces the quote, which stays unchanged as history.

The old row points at its successor (superseded_by_id) and is final: it refuses changes, its links say
"superseded", lists hide it. Resending a quote never makes a revision; only revise_quote does.
"""

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from coachway.charters.models import Charter, CharterVehicle, ItineraryStop
from coachway.charters.service import charters as charter_rows
from coachway.charters.service._common import find, find_for_change, readable, snapshot
from coachway.charters.service.quoting import check_priceable, reprice
from coachway.core import audit, clock
from coachway.core.permissions import Actor, require
from coachway.pricing.models import CharterAmenity, PromoCodeUsage

# What a revision takes over from the quote it replaces (its price is calculated again, its links are new).
COPIED_FIELDS = ("client_id", "hub_id", "assigned_sales_agent_id", "assigned_at", "assigned_by", "trip_type",
                 "passenger_count", "luggage_pieces", "trip_date", "pickup_time", "start_datetime",
                 "end_datetime", "notes", "internal_notes", "requires_second_driver", "vehicle_count",
                 "event_type", "promo_code_id", "total_miles", "deadhead_miles", "total_hours", "dot_result")
STOP_SKIPPED = {"id", "charter_id", "created_at", "updated_at"}
# Revision chains are short; the walk stops here should a chain ever loop.
MAX_REVISIONS = 1000


def _copy_parts(session: Session, actor: Actor, old: Charter, new: Charter) -> None:
    """The itinerary (coordinates and route times included), vehicle lines and amenities of old, on new."""
    now = clock.now()
    stop_columns = [c.key for c in ItineraryStop.__mapper__.column_attrs if c.key not in STOP_SKIPPED]
    copies: list[tuple[str, Any]] = []
    for stop in session.scalars(select(ItineraryStop).where(ItineraryStop.charter_id == old.id)
                                .order_by(ItineraryStop.sequence)):
        copies.append(("itinerary_stop", ItineraryStop(charter_id=new.id, created_at=now, updated_at=now,
                                                       **{k: getattr(stop, k) for k in stop_columns})))
    for line in session.scalars(select(CharterVehicle).where(CharterVehicle.charter_id == old.id)
                                .order_by(CharterVehicle.id)):
        copies.append(("charter_vehicle", CharterVehicle(
            charter_id=new.id, vehicle_type_id=line.vehicle_type_id, quantity=line.quantity,
            vehicle_id=line.vehicle_id, notes=line.notes, created_at=now)))
    for row in session.scalars(select(CharterAmenity).where(CharterAmenity.charter_id == old.id)
                               .order_by(CharterAmenity.id)):
        copies.append(("charter_amenity", CharterAmenity(
            charter_id=new.id, amenity_id=row.amenity_id, quantity=row.quantity,
            price_per_unit=row.price_per_unit, total_price=row.total_price, added_at=row.added_at)))
    session.add_all([row for _, row in copies])
    session.flush()
    for entity_type, row in copies:
        audit.record(session, actor, entity_type=entity_type, entity_id=row.id, action="create",
                     new=audit.snapshot(row))


def _move_promo(session: Session, old: Charter, new: Charter) -> None:
    """The promo code's redemption follows the quote to its revision: one use, not two."""
    if old.promo_code_id is None:
        return
    session.execute(update(PromoCodeUsage)
                    .where(PromoCodeUsage.charter_id == old.id,
                           PromoCodeUsage.promo_code_id == old.promo_code_id)
                    .values(charter_id=new.id))


def revise_quote(session: Session, actor: Actor, charter_id: int, *,
                 changes: dict[str, Any] | None = None) -> Charter:
    """Replace an open quote by a new revision (its trip, itinerary, vehicles, amenities and promo code, with
    `changes` to the trip details applied), priced again; the old quote becomes final history."""
    old = find_for_change(session, actor, charter_id)
    check_priceable(old)
    changes = dict(changes or {})
    unknown = set(changes) - charter_rows.TRIP_FIELDS
    if unknown:
        raise TypeError(f"unknown charter fields: {sorted(unknown)}")
    now = clock.now()
    new = Charter(**{key: getattr(old, key) for key in COPIED_FIELDS}, status="quote",
                  revision_number=old.revision_number + 1, parent_quote_id=old.id, created_by=actor.user_id,
                  cancellation_fee_paid=False, created_at=now, updated_at=now)
    session.add(new)
    session.flush()
    _copy_parts(session, actor, old, new)
    _move_promo(session, old, new)
    before = snapshot(old)
    old.superseded_by_id, old.superseded_at = new.id, now
    session.flush()
    audit.record(session, actor, entity_type="charter", entity_id=old.id, action="revise", old=before,
                 new=snapshot(old))
    audit.record(session, actor, entity_type="charter", entity_id=new.id, action="create",
                 new={**snapshot(new), "revises": old.id})
    if changes:
        charter_rows.update_charter(session, actor, new.id, **changes)
    if old.priced_at is not None:
        reprice(session, actor, new)
    return new


def _chain_ids(session: Session, charter: Charter) -> list[int]:
    """Ids of every revision of the quote charter belongs to, first to last."""
    first = charter
    seen = {charter.id}
    while first.parent_quote_id is not None and len(seen) < MAX_REVISIONS:
        parent = session.get(Charter, first.parent_quote_id)
        if parent is None or parent.id in seen:
            break
        seen.add(parent.id)
        first = parent
    ids, current = [first.id], first
    while current.superseded_by_id is not None and len(ids) < MAX_REVISIONS:
        following = session.get(Charter, current.superseded_by_id)
        if following is None or following.id in ids:
            break
        ids.append(following.id)
        current = following
    return ids


def revision_history(session: Session, actor: Actor, charter_id: int) -> list[dict[str, Any]]:
    """Every revision of a quote the actor may see, oldest first: number, price, status and when."""
    require(actor, "charters:read")
    charter = find(session, actor, charter_id)
    ids = _chain_ids(session, charter)
    rows = session.scalars(readable(actor).where(Charter.id.in_(ids))
                           .order_by(Charter.revision_number, Charter.id))
    return [{"id": row.id, "revision_number": row.revision_number, "quoted_price": row.quoted_price,
             "status": row.status, "created_at": row.created_at, "superseded_at": row.superseded_at}
            for row in rows]
