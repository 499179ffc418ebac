"""What the pricing modules share: permission checks, field checks, audit of changes, other domains' rows."""

from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from coachway.core import audit
from coachway.core.errors import Conflict, Forbidden, Invalid, NotFound
from coachway.core.money import to_money
from coachway.core.permissions import SYSTEM, Actor, require
from coachway.fleet import service as fleet_service


def require_any(actor: Actor, *permissions: str) -> None:
    """Forbidden unless the actor holds at least one of the permissions."""
    if "*" in actor.permissions or any(actor.can(p) for p in permissions):
        return
    raise Forbidden(f"Your role ({actor.role}) may not do this ({' or '.join(permissions)}).")


def manages(actor: Actor) -> bool:
    """True when the actor may change pricing (and so sees inactive amenities)."""
    return "*" in actor.permissions or actor.can("pricing:manage")


def sees_internal(actor: Actor) -> bool:
    """True when the actor may read vendor costs and margins."""
    return "*" in actor.permissions or actor.can("pricing:read_internal")


def checked(fields: dict[str, Any], allowed: set[str], not_null: set[str] = frozenset(),
            decimals: set[str] = frozenset()) -> dict[str, Any]:
    """fields without unknown keys (a programming error) or empty required ones; text trimmed; the decimals
    fields as Decimal rounded half-up to hundredths (as the columns store them)."""
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    for key in not_null & set(fields):
        if fields[key] is None:
            raise Invalid.field(key, f"{key} cannot be empty.")
    out = {k: v.strip() if isinstance(v, str) else v for k, v in fields.items()}
    for key in decimals & set(out):
        if out[key] is not None:
            out[key] = hundredths(out[key], key)
    return out


def hundredths(value: Any, field: str) -> Decimal:
    """A number as Decimal rounded half-up to hundredths (Invalid on field when it is not a number)."""
    if isinstance(value, float | bool):
        raise Invalid.field(field, "Give a number as text or a whole number, not a float.")
    try:
        number = Decimal(str(value).strip()) if isinstance(value, str) else Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise Invalid.field(field, f"{value!r} is not a number.") from None
    if not number.is_finite():
        raise Invalid.field(field, "Give a finite number.")
    return to_money(number)


def taken(field: str, message: str) -> Conflict:
    """A duplicate, reported on the field that holds it (forms show it there)."""
    return Conflict(message, errors=[{"field": field, "message": message}])


def flush_unique(session: Session, field: str, message: str) -> None:
    """Flush; a unique index refusing the row (a race past the duplicate check) is a 409 on field."""
    try:
        session.flush()
    except IntegrityError as exc:
        raise taken(field, message) from exc


def record_change(session: Session, actor: Actor, row, old: dict[str, Any], *, entity_type: str,
                  action: str = "update") -> None:
    """Audit a change of row since the snapshot old, if anything changed."""
    new = audit.snapshot(row)
    if any(old.get(k) != new.get(k) for k in new if k != "updated_at"):
        audit.record(session, actor, entity_type=entity_type, entity_id=row.id, action=action, old=old,
                     new=new)


def hub_of(session: Session, hub_id: int, field: str = "hub_id"):
    """The hub (Invalid on field when there is none)."""
    try:
        return fleet_service.get_hub(session, SYSTEM, hub_id)
    except NotFound:
        raise Invalid.field(field, f"There is no hub {hub_id}.") from None


def vehicle_type_of(session: Session, type_id: int, field: str = "vehicle_type_id"):
    """The vehicle type (Invalid on field when there is none)."""
    try:
        return fleet_service.get_vehicle_type(session, SYSTEM, type_id)
    except NotFound:
        raise Invalid.field(field, f"There is no vehicle type {type_id}.") from None


def require_manage(actor: Actor) -> None:
    """Forbidden unless the actor may change pricing."""
    require(actor, "pricing:manage")
