"""Amenities: the extras a client can add to a trip, their price and the order they are offered in."""

from decimal import Decimal

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from coachway.core import audit
from coachway.core.errors import Invalid, NotFound
from coachway.core.permissions import Actor, require
from coachway.pricing.models import AMENITY_CATEGORIES, AMENITY_PRICING_TYPES, Amenity
from coachway.pricing.service._common import checked, flush_unique, manages, record_change, require_any, taken

AMENITY_FIELDS = {"name", "description", "category", "base_price", "pricing_type", "is_active"}
NOT_NULL = {"name", "category", "base_price", "pricing_type", "is_active"}
MAX_PRICE = Decimal(100_000)
MAX_NAME = 100


def readable(actor: Actor) -> Select[tuple[Amenity]]:
    """The amenities an actor may see: pricing managers every one, anyone else the active ones."""
    stmt = select(Amenity)
    return stmt if manages(actor) else stmt.where(Amenity.is_active.is_(True))


def list_amenities(session: Session, actor: Actor, *, active_only: bool = False) -> list[Amenity]:
    """Amenities in the order they are offered (anyone who quotes sees the active ones)."""
    require_any(actor, "pricing:quote", "pricing:read")
    stmt = readable(actor).order_by(Amenity.display_order, Amenity.id)
    if active_only:
        stmt = stmt.where(Amenity.is_active.is_(True))
    return list(session.scalars(stmt))


def get_amenity(session: Session, actor: Actor, amenity_id: int) -> Amenity:
    """One amenity (an inactive one only for pricing managers)."""
    require_any(actor, "pricing:quote", "pricing:read")
    amenity = session.scalar(readable(actor).where(Amenity.id == amenity_id))
    if amenity is None:
        raise NotFound(f"No amenity {amenity_id}.")
    return amenity


def _check(session: Session, fields: dict, except_id: int | None = None) -> None:
    if "name" in fields:
        if not fields["name"] or len(fields["name"]) > MAX_NAME:
            raise Invalid.field("name", f"Give a name of 1 to {MAX_NAME} characters.")
        stmt = select(Amenity.id).where(func.lower(Amenity.name) == fields["name"].lower())
        if except_id is not None:
            stmt = stmt.where(Amenity.id != except_id)
        if session.scalar(stmt) is not None:
            raise taken("name", f"An amenity named {fields['name']} already exists.")
    if "category" in fields and fields["category"] not in AMENITY_CATEGORIES:
        raise Invalid.field("category", f"Choose one of: {', '.join(AMENITY_CATEGORIES)}.")
    if "pricing_type" in fields and fields["pricing_type"] not in AMENITY_PRICING_TYPES:
        raise Invalid.field("pricing_type", f"Choose one of: {', '.join(AMENITY_PRICING_TYPES)}.")
    if "base_price" in fields and not Decimal(0) <= Decimal(fields["base_price"]) <= MAX_PRICE:
        raise Invalid.field("base_price", "Give a price from 0 to 100,000.")
    if fields.get("description") == "":
        fields["description"] = None


def create_amenity(session: Session, actor: Actor, **fields) -> Amenity:
    """Offer a new amenity, last in the list; audited."""
    require(actor, "pricing:manage")
    fields = checked(fields, AMENITY_FIELDS - {"is_active"}, NOT_NULL, {"base_price"})
    fields.setdefault("pricing_type", "flat_fee")
    for key in ("name", "category", "base_price"):
        if key not in fields:
            raise Invalid.field(key, "This field is required.")
    _check(session, fields)
    last = session.scalar(select(func.max(Amenity.display_order))) or 0
    amenity = Amenity(**fields, is_active=True, display_order=last + 1)
    session.add(amenity)
    flush_unique(session, "name", f"An amenity named {fields['name']} already exists.")
    audit.record(session, actor, entity_type="amenity", entity_id=amenity.id, action="create",
                 new=audit.snapshot(amenity))
    return amenity


def update_amenity(session: Session, actor: Actor, amenity_id: int, **changes) -> Amenity:
    """Change an amenity; only the given fields change (its price on saved quotes stays); audited."""
    require(actor, "pricing:manage")
    amenity = get_amenity(session, actor, amenity_id)
    changes = checked(changes, AMENITY_FIELDS, NOT_NULL, {"base_price"})
    _check(session, changes, amenity.id)
    old = audit.snapshot(amenity)
    for key, value in changes.items():
        setattr(amenity, key, value)
    flush_unique(session, "name", f"An amenity named {changes.get('name')} already exists.")
    record_change(session, actor, amenity, old, entity_type="amenity")
    return amenity


def deactivate_amenity(session: Session, actor: Actor, amenity_id: int) -> Amenity:
    """Stop offering an amenity (kept, with the charters that have it)."""
    return update_amenity(session, actor, amenity_id, is_active=False)


def activate_amenity(session: Session, actor: Actor, amenity_id: int) -> Amenity:
    """Offer an amenity again."""
    return update_amenity(session, actor, amenity_id, is_active=True)


def reorder_amenities(session: Session, actor: Actor, amenity_ids: list[int]) -> list[Amenity]:
    """Put the amenities in this order (every amenity's id, each once); audited."""
    require(actor, "pricing:manage")
    amenities = list_amenities(session, actor)
    known = {a.id: a for a in amenities}
    if len(set(amenity_ids)) != len(amenity_ids):
        raise Invalid.field("amenity_ids", "An amenity appears twice in the new order.")
    if set(amenity_ids) != set(known):
        unknown = sorted(set(amenity_ids) - set(known))
        message = (f"There is no amenity {unknown[0]}." if unknown
                   else "Give every amenity's id: the new order is missing some.")
        raise Invalid.field("amenity_ids", message)
    old = [a.id for a in amenities]
    for position, amenity_id in enumerate(amenity_ids, start=1):
        known[amenity_id].display_order = position
    session.flush()
    if old != list(amenity_ids):
        audit.record(session, actor, entity_type="amenity", entity_id="order", action="reorder",
                     old={"amenity_ids": old}, new={"amenity_ids": list(amenity_ids)})
    return [known[i] for i in amenity_ids]
