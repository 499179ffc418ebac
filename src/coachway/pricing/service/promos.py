"""Promo codes: creating and changing them, checking one against a trip, and counting their uses.

uses_count never passes max_uses: a redemption is one guarded UPDATE (see redeem_promo), so concurrent
bookings cannot use a code more often than allowed.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from coachway.charters.models import TRIP_TYPES
from coachway.core import audit, clock
from coachway.core.errors import Conflict, Invalid, NotFound
from coachway.core.money import to_money
from coachway.core.pagination import paginate
from coachway.core.permissions import SYSTEM, Actor, require
from coachway.fleet import service as fleet_service
from coachway.pricing import engine
from coachway.pricing.models import DISCOUNT_TYPES, PromoCode, PromoCodeUsage
from coachway.pricing.service._common import checked, flush_unique, record_change, require_any, taken

CODE_PATTERN = re.compile(r"^[A-Z0-9_-]{3,50}$")
PROMO_FIELDS = {"code", "description", "discount_type", "discount_value", "valid_from", "valid_until",
                "max_uses", "min_purchase_amount", "applicable_vehicle_types", "applicable_trip_types",
                "is_active"}
NOT_NULL = {"code", "discount_type", "discount_value", "is_active"}
DECIMAL_FIELDS = {"discount_value", "min_purchase_amount"}
MAX_FIXED = Decimal(1_000_000)
MAX_USES = 10_000_000


def normalise_code(code: str) -> str:
    """A code as stored: trimmed, upper case."""
    return (code or "").strip().upper()


def _money_text(value: Decimal) -> str:
    return f"${Decimal(value):,.2f}"


# ---------------------------------------------------------------- reading

def list_promo_codes(session: Session, actor: Actor, *, q: str | None = None, is_active: bool | None = None,
                     limit: int = 50, offset: int = 0) -> tuple[list[PromoCode], int]:
    """Promo codes, active first, by code; q searches the code and description."""
    require(actor, "pricing:read")
    stmt = select(PromoCode).order_by(PromoCode.is_active.desc(), PromoCode.code)
    if q and q.strip():
        text = q.strip().lower()
        stmt = stmt.where(or_(func.lower(PromoCode.code).contains(text, autoescape=True),
                              func.lower(PromoCode.description).contains(text, autoescape=True)))
    if is_active is not None:
        stmt = stmt.where(PromoCode.is_active.is_(is_active))
    return paginate(session, stmt, limit=limit, offset=offset)


def get_promo_code(session: Session, actor: Actor, promo_id: int) -> PromoCode:
    """One promo code."""
    require(actor, "pricing:read")
    promo = session.get(PromoCode, promo_id)
    if promo is None:
        raise NotFound(f"No promo code {promo_id}.")
    return promo


# ---------------------------------------------------------------- changing

def _clean(session: Session, fields: dict[str, Any]) -> dict[str, Any]:
    """Normalise the given fields: code upper case, empty lists and text as None, known types only."""
    if "code" in fields:
        fields["code"] = normalise_code(fields["code"])
        if not CODE_PATTERN.match(fields["code"]):
            raise Invalid.field("code", "Use 3 to 50 letters, digits, - or _, like SPRING10.")
    if "description" in fields:
        fields["description"] = fields["description"] or None
    if "applicable_vehicle_types" in fields:
        codes = list(dict.fromkeys(c.strip().lower() for c in fields["applicable_vehicle_types"] or ()))
        known = {t.code for t in fleet_service.list_vehicle_types(session, SYSTEM)}
        unknown = [c for c in codes if c not in known]
        if unknown:
            raise Invalid.field("applicable_vehicle_types", f"There is no vehicle type {unknown[0]}.")
        fields["applicable_vehicle_types"] = codes or None
    if "applicable_trip_types" in fields:
        kinds = list(dict.fromkeys(fields["applicable_trip_types"] or ()))
        unknown = [k for k in kinds if k not in TRIP_TYPES]
        if unknown:
            raise Invalid.field("applicable_trip_types", f"{unknown[0]} is not a trip type; choose from "
                                f"{', '.join(TRIP_TYPES)}.")
        fields["applicable_trip_types"] = kinds or None
    return fields


def _check(promo: dict[str, Any]) -> None:
    """Rules on a promo code's values taken together (as they will be after the change)."""
    if promo["discount_type"] not in DISCOUNT_TYPES:
        raise Invalid.field("discount_type", f"Choose one of: {', '.join(DISCOUNT_TYPES)}.")
    value = Decimal(promo["discount_value"])
    if promo["discount_type"] == "percentage" and not Decimal(0) < value <= Decimal(100):
        raise Invalid.field("discount_value", "A percentage discount is more than 0 and at most 100.")
    if promo["discount_type"] == "fixed_amount" and not Decimal(0) < value <= MAX_FIXED:
        raise Invalid.field("discount_value", "A fixed discount is more than $0 and at most $1,000,000.")
    start, end = promo.get("valid_from"), promo.get("valid_until")
    if start is not None and end is not None and start > end:
        raise Invalid.field("valid_until", "The last valid day cannot be before the first.")
    uses = promo.get("max_uses")
    if uses is not None and not 1 <= uses <= MAX_USES:
        raise Invalid.field("max_uses", "Allow at least 1 use (leave it empty for no limit).")
    minimum = promo.get("min_purchase_amount")
    if minimum is not None and not Decimal(0) <= Decimal(minimum) <= Decimal(10_000_000):
        raise Invalid.field("min_purchase_amount", "Give a minimum from 0 to 10,000,000.")


def _code_taken(session: Session, code: str, except_id: int | None = None) -> bool:
    stmt = select(PromoCode.id).where(PromoCode.code == code)
    if except_id is not None:
        stmt = stmt.where(PromoCode.id != except_id)
    return session.scalar(stmt) is not None


def create_promo_code(session: Session, actor: Actor, **fields) -> PromoCode:
    """Add a promo code (stored in upper case); audited."""
    require(actor, "pricing:manage")
    fields = _clean(session, checked(fields, PROMO_FIELDS - {"is_active"}, NOT_NULL, DECIMAL_FIELDS))
    for key in ("code", "discount_type", "discount_value"):
        if key not in fields:
            raise Invalid.field(key, "This field is required.")
    _check(fields)
    if _code_taken(session, fields["code"]):
        raise taken("code", f"Promo code {fields['code']} already exists.")
    promo = PromoCode(**fields, uses_count=0, is_active=True, created_by=actor.user_id)
    session.add(promo)
    flush_unique(session, "code", f"Promo code {fields['code']} already exists.")
    audit.record(session, actor, entity_type="promo_code", entity_id=promo.id, action="create",
                 new=audit.snapshot(promo))
    return promo


def update_promo_code(session: Session, actor: Actor, promo_id: int, **changes) -> PromoCode:
    """Change a promo code; only the given fields change; max_uses may not fall below the uses so far (409);
    audited."""
    require(actor, "pricing:manage")
    promo = get_promo_code(session, actor, promo_id)
    changes = _clean(session, checked(changes, PROMO_FIELDS, NOT_NULL, DECIMAL_FIELDS))
    merged = {key: getattr(promo, key) for key in PROMO_FIELDS} | changes
    _check(merged)
    if changes.get("max_uses") is not None and changes["max_uses"] < promo.uses_count:
        used = f"It has been used {promo.uses_count} times already."
        raise Conflict(f"Promo code {promo.code} cannot allow fewer uses than it has had. {used}",
                       errors=[{"field": "max_uses", "message": used}])
    if "code" in changes and _code_taken(session, changes["code"], promo.id):
        raise taken("code", f"Promo code {changes['code']} already exists.")
    old = audit.snapshot(promo)
    for key, value in changes.items():
        setattr(promo, key, value)
    flush_unique(session, "code", f"Promo code {changes.get('code')} already exists.")
    record_change(session, actor, promo, old, entity_type="promo_code")
    return promo


def deactivate_promo_code(session: Session, actor: Actor, promo_id: int) -> PromoCode:
    """Stop a promo code from being used (it stays, with its uses)."""
    return update_promo_code(session, actor, promo_id, is_active=False)


# ---------------------------------------------------------------- checking a code

@dataclass(frozen=True)
class PromoCheck:
    """Whether a code can be used, and if not why (a sentence for the user)."""

    valid: bool
    code: str
    reason: str | None = None
    promo: engine.Promo | None = None  # set when the code exists, is active, in its dates and has uses left
    discount_type: str | None = None
    discount_value: Decimal | None = None
    discount_amount: Decimal | None = None  # when an amount was given and the code applies


def engine_promo(row: PromoCode) -> engine.Promo:
    """A promo code row as the calculation takes it."""
    return engine.Promo(id=row.id, code=row.code, discount_type=row.discount_type,
                        discount_value=row.discount_value, min_purchase_amount=row.min_purchase_amount,
                        applicable_vehicle_types=tuple(row.applicable_vehicle_types or ()),
                        applicable_trip_types=tuple(row.applicable_trip_types or ()))


def _standing(row: PromoCode, code: str, on: date) -> str | None:
    """Why the code cannot be used at all on the day, or None."""
    if not row.is_active:
        return f"Promo code {code} is no longer active."
    if row.valid_from is not None and on < row.valid_from:
        return f"Promo code {code} is not valid until {row.valid_from.isoformat()}."
    if row.valid_until is not None and on > row.valid_until:
        return f"Promo code {code} expired on {row.valid_until.isoformat()}."
    if row.max_uses is not None and row.uses_count >= row.max_uses:
        return f"Promo code {code} has been used up."
    return None


def _restriction(row: PromoCode, code: str, trip_type: str | None, vehicle_type_codes: Sequence[str],
                 amount: Decimal | None) -> str | None:
    """Why the code does not apply to this trip (the engine's rules, in words), or None."""
    if trip_type and row.applicable_trip_types and trip_type not in row.applicable_trip_types:
        return f"Promo code {code} is not for {trip_type.replace('_', ' ')} trips."
    if vehicle_type_codes and row.applicable_vehicle_types and not any(
            c in row.applicable_vehicle_types for c in vehicle_type_codes):
        return f"Promo code {code} is not for these vehicles."
    if amount is not None and row.min_purchase_amount is not None and amount < row.min_purchase_amount:
        return f"Promo code {code} needs a trip of at least {_money_text(row.min_purchase_amount)}."
    return None


def check_promo(session: Session, code: str, *, on: date, trip_type: str | None = None,
                vehicle_type_codes: Sequence[str] = (), amount: Decimal | None = None) -> PromoCheck:
    """Can code be used for a trip on the day on (its validity dates are trip dates)? No permission check.

    With an amount, also says the discount it gives: a percentage of the amount rounded half-up to cents, or
    the fixed sum, never more than the amount (the calculation's own rule).
    """
    code = normalise_code(code)
    row = session.scalar(select(PromoCode).where(PromoCode.code == code)) if code else None
    if row is None:
        return PromoCheck(False, code, f"There is no promo code {code}." if code else "Enter a promo code.")
    terms = {"discount_type": row.discount_type, "discount_value": row.discount_value}
    problem = _standing(row, code, on)
    if problem:
        return PromoCheck(False, code, problem, **terms)
    promo = engine_promo(row)
    problem = _restriction(row, code, trip_type, vehicle_type_codes, amount)
    if problem:
        return PromoCheck(False, code, problem, promo=promo, **terms)
    discount = engine.promo_discount(promo, to_money(amount)) if amount is not None else None
    return PromoCheck(True, code, None, promo=promo, discount_amount=discount, **terms)


def validate_promo_code(session: Session, actor: Actor, *, code: str, trip_type: str | None = None,
                        vehicle_type_ids: Sequence[int] | None = None, amount: Decimal | None = None,
                        trip_date: date | None = None) -> PromoCheck:
    """Check a code for someone quoting a trip: its dates against trip_date (default today), its trip and
    vehicle types, and its minimum against amount."""
    require(actor, "pricing:quote")
    codes = []
    for i, type_id in enumerate(vehicle_type_ids or ()):
        try:
            codes.append(fleet_service.get_vehicle_type(session, SYSTEM, type_id).code)
        except NotFound:
            raise Invalid.field(f"vehicle_type_ids.{i}", f"There is no vehicle type {type_id}.") from None
    if trip_type is not None and trip_type not in TRIP_TYPES:
        raise Invalid.field("trip_type", f"Choose one of: {', '.join(TRIP_TYPES)}.")
    return check_promo(session, code, on=trip_date or clock.now().date(), trip_type=trip_type,
                       vehicle_type_codes=codes, amount=amount)


# ---------------------------------------------------------------- using a code

def _find_for_use(session: Session, code_or_id: str | int) -> PromoCode:
    if isinstance(code_or_id, int):
        row = session.get(PromoCode, code_or_id)
        label = str(code_or_id)
    else:
        label = normalise_code(code_or_id)
        row = session.scalar(select(PromoCode).where(PromoCode.code == label))
    if row is None:
        raise Invalid.field("promo_code", f"There is no promo code {label}.")
    return row


def _usage(session: Session, promo_id: int, charter_id: int) -> PromoCodeUsage | None:
    return session.scalar(select(PromoCodeUsage).where(PromoCodeUsage.promo_code_id == promo_id,
                                                       PromoCodeUsage.charter_id == charter_id))


def redeem_promo(session: Session, actor: Actor, code_or_id: str | int, *, charter_id: int,
                 client_id: int | None, discount_amount: Decimal | None) -> PromoCodeUsage:
    """Count one use of a promo code by a charter (once per charter: again returns the same use).

    The count goes up in one guarded statement, so concurrent bookings never use a code more often than
    max_uses: Conflict when it is inactive or used up. The caller checks dates and restrictions first
    (check_promo).
    """
    require_any(actor, "pricing:quote", "pricing:manage")
    promo = _find_for_use(session, code_or_id)
    existing = _usage(session, promo.id, charter_id)
    if existing is not None:
        return existing
    amount = to_money(discount_amount) if discount_amount is not None else None
    try:
        with session.begin_nested():  # the count and the use row stand or fall together
            counted = session.execute(
                update(PromoCode)
                .where(PromoCode.id == promo.id, PromoCode.is_active.is_(True),
                       or_(PromoCode.max_uses.is_(None), PromoCode.uses_count < PromoCode.max_uses))
                .values(uses_count=PromoCode.uses_count + 1)
                .execution_options(synchronize_session=False))
            if counted.rowcount == 0:
                session.expire(promo)
                state = "is no longer active" if not promo.is_active else "has been used up"
                message = f"Promo code {promo.code} {state}."
                raise Conflict(message, errors=[{"field": "promo_code", "message": message}])
            usage = PromoCodeUsage(promo_code_id=promo.id, charter_id=charter_id, client_id=client_id,
                                   discount_amount=amount)
            session.add(usage)
            session.flush()
    except IntegrityError:
        # The same charter redeemed the code at the same moment (the other use stands), or the charter or
        # client does not exist.
        existing = _usage(session, promo.id, charter_id)
        if existing is not None:
            return existing
        raise Invalid.field("charter_id",
                            f"There is no charter {charter_id} (or client {client_id}).") from None
    session.expire(promo, ["uses_count"])
    audit.record(session, actor, entity_type="promo_code", entity_id=promo.id, action="redeem",
                 new={"charter_id": charter_id, "client_id": client_id,
                      "discount_amount": str(amount) if amount is not None else None})
    return usage


def release_promo(session: Session, actor: Actor, promo_code_id: int, charter_id: int) -> bool:
    """Give back a charter's use of a promo code (the code was taken off, or the booking undone).

    False when the charter had not used it. The count goes down in one guarded statement, never below 0.
    """
    require_any(actor, "pricing:quote", "pricing:manage")
    usage = _usage(session, promo_code_id, charter_id)
    if usage is None:
        return False
    session.delete(usage)
    session.flush()
    session.execute(update(PromoCode)
                    .where(PromoCode.id == promo_code_id, PromoCode.uses_count > 0)
                    .values(uses_count=PromoCode.uses_count - 1)
                    .execution_options(synchronize_session=False))
    promo = session.get(PromoCode, promo_code_id)
    if promo is not None:
        session.expire(promo, ["uses_count"])
    audit.record(session, actor, entity_type="promo_code", entity_id=promo_code_id, action="release",
                 old={"charter_id": charter_id, "discount_amount": str(usage.discount_amount)
                      if usage.discount_amount is not None else None})
    return True


def usage_count(session: Session, promo_id: int) -> int:
    """How many charters use the code (rows of promo_code_usage)."""
    return session.scalar(select(func.count()).select_from(PromoCodeUsage)
                          .where(PromoCodeUsage.promo_code_id == promo_id)) or 0
