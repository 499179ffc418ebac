"""Keyword-argument helpers that build pricing data (rates, amenities, promo codes, modifiers) through the
service."""

import itertools
from decimal import Decimal

from coachway.core.db import transaction
from coachway.core.permissions import SYSTEM

_seq = itertools.count(1)


def _money(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def make_rate(*, vehicle_type_id: int, hub_id: int | None = None, hourly_rate="100.00", per_mile_rate="4.00",
              minimum_hours="5", **kw):
    """A rate of the matrix (hub_id None: the company default), committed."""
    from coachway.pricing.service import upsert_rate

    fields = {k: _money(v) if k != "is_active" else v for k, v in kw.items()}
    with transaction() as session:
        return upsert_rate(session, SYSTEM, hub_id=hub_id, vehicle_type_id=vehicle_type_id,
                           hourly_rate=_money(hourly_rate), per_mile_rate=_money(per_mile_rate),
                           minimum_hours=_money(minimum_hours), **fields)


def make_amenity(*, name: str | None = None, category: str = "refreshments", base_price="25.00",
                 pricing_type: str = "flat_fee", is_active: bool = True, **kw):
    """An amenity (deactivated after creation when is_active is False), committed."""
    from coachway.pricing.service import create_amenity, deactivate_amenity

    n = next(_seq)
    with transaction() as session:
        amenity = create_amenity(session, SYSTEM, name=name or f"Amenity {n}", category=category,
                                 base_price=_money(base_price), pricing_type=pricing_type, **kw)
        if not is_active:
            deactivate_amenity(session, SYSTEM, amenity.id)
    return amenity


def make_promo(*, code: str | None = None, discount_type: str = "percentage", discount_value="10", **kw):
    """A promo code, committed."""
    from coachway.pricing.service import create_promo_code

    n = next(_seq)
    for key in ("min_purchase_amount",):
        if key in kw:
            kw[key] = _money(kw[key])
    with transaction() as session:
        return create_promo_code(session, SYSTEM, code=code or f"PROMO{n}", discount_type=discount_type,
                                 discount_value=_money(discount_value), **kw)


def make_modifier(*, name: str | None = None, modifier_type: str = "day_of_week",
                  adjustment_type: str = "percentage", adjustment_value="10", **kw):
    """A pricing modifier (a weekend +10 % unless told otherwise), committed."""
    from coachway.pricing.service import create_modifier

    n = next(_seq)
    if modifier_type == "day_of_week":
        kw.setdefault("applicable_days", ["saturday", "sunday"])
    with transaction() as session:
        return create_modifier(session, SYSTEM, name=name or f"Modifier {n}", modifier_type=modifier_type,
                               adjustment_type=adjustment_type, adjustment_value=_money(adjustment_value),
                               **kw)


def set_policy(**changes):
    """Change the pricing policy (and deposit percentage), committed."""
    from coachway.pricing.service import update_config

    with transaction() as session:
        return update_config(session, SYSTEM, **changes)


def priced_setup(*, hourly_rate="100.00", per_mile_rate="4.00", minimum_hours="5", **rate_kw):
    """A hub (with coordinates) and a motorcoach type with a company default rate: (hub, vehicle type)."""
    from tests.factories_domain import ATL_HUB, make_hub, make_vehicle_type

    hub = make_hub(**{**ATL_HUB, "code": f"A{next(_seq)}"})
    vtype = make_vehicle_type(code=f"coach_{next(_seq)}", name="Motorcoach", capacity=56)
    make_rate(vehicle_type_id=vtype.id, hourly_rate=hourly_rate, per_mile_rate=per_mile_rate,
              minimum_hours=minimum_hours, **rate_kw)
    return hub, vtype
