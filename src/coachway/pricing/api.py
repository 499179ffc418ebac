"""The pricing policy and rate matrix, amenities, promo codes, modifiers and quote calculation over HTTP."""

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response

from coachway.core.deps import CurrentActor, PageDep, SessionDep
from coachway.core.fields import MAX_ID
from coachway.core.pagination import Page
from coachway.core.permissions import Actor
from coachway.pricing import service
from coachway.pricing.schemas import (
    AmenityCreate,
    AmenityOrder,
    AmenityRead,
    AmenityUpdate,
    MatrixRowRead,
    ModifierCreate,
    ModifierRead,
    ModifierUpdate,
    PricingConfigRead,
    PricingConfigUpdate,
    PromoCheckRead,
    PromoCheckRequest,
    PromoCodeCreate,
    PromoCodeRead,
    PromoCodeUpdate,
    QuoteRead,
    QuoteRequest,
    RateRead,
    RateUpdate,
    RateUpsert,
)

router = APIRouter(prefix="/api/v1", tags=["pricing"])
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
RefFilter = Annotated[int | None, Query(ge=1, le=MAX_ID)]


# ---------------------------------------------------------------- shaping

def _rate(actor: Actor, rate) -> RateRead:
    # Built from a dict so that hidden vendor costs stay unset and exclude_unset leaves them out.
    return RateRead.model_validate(service.rate_data(actor, rate))


def _config(actor: Actor, session) -> PricingConfigRead:
    config = service.get_config(session, actor)
    data: dict[str, Any] = {key: getattr(config, key) for key in PricingConfigRead.model_fields
                            if key not in ("deposit_percentage", "rates")}
    data["deposit_percentage"] = service.deposit_percentage(session)
    data["rates"] = [_rate(actor, r) for r in service.list_rates(session, actor)]
    return PricingConfigRead.model_validate(data)


def _promo_check(check: service.PromoCheck) -> PromoCheckRead:
    return PromoCheckRead(valid=check.valid, reason=check.reason, code=check.code,
                          discount_type=check.discount_type, discount_value=check.discount_value,
                          discount_amount=check.discount_amount)


# ---------------------------------------------------------------- policy and rate matrix

@router.get("/pricing-config", response_model=PricingConfigRead, response_model_exclude_unset=True)
def get_pricing_config(actor: CurrentActor, session: SessionDep):
    """The pricing policy, the deposit percentage and every rate of the matrix."""
    return _config(actor, session)


@router.put("/pricing-config", response_model=PricingConfigRead, response_model_exclude_unset=True)
def update_pricing_config(body: PricingConfigUpdate, actor: CurrentActor, session: SessionDep):
    """Change the pricing policy and deposit percentage; only the fields sent change."""
    service.update_config(session, actor, **body.model_dump(exclude_unset=True))
    return _config(actor, session)


@router.get("/pricing-config/rates", response_model=list[RateRead], response_model_exclude_unset=True)
def list_rates(actor: CurrentActor, session: SessionDep, hub_id: RefFilter = None):
    """Rates of the matrix, company defaults (hub_id null) first; hub_id keeps one hub's own."""
    return [_rate(actor, r) for r in service.list_rates(session, actor, hub_id=hub_id)]


@router.put("/pricing-config/rates", response_model=RateRead, response_model_exclude_unset=True)
def upsert_rate(body: RateUpsert, actor: CurrentActor, session: SessionDep):
    """Set the rate of a vehicle type at a hub (hub_id null: the company default), adding it if missing."""
    fields = body.model_dump(exclude_unset=True, exclude={"hub_id", "vehicle_type_id"})
    rate = service.upsert_rate(session, actor, hub_id=body.hub_id, vehicle_type_id=body.vehicle_type_id,
                               **fields)
    return _rate(actor, rate)


@router.get("/pricing-config/rate-matrix", response_model=list[MatrixRowRead],
            response_model_exclude_unset=True)
def rate_matrix(actor: CurrentActor, session: SessionDep):
    """Hubs (the company default first) x vehicle types: each cell's rate and where it comes from."""
    matrix = service.rate_matrix(session, actor)
    return [MatrixRowRead.model_validate({
        "hub_id": row.hub.id if row.hub else None, "hub_code": row.hub.code if row.hub else None,
        "cells": [{"vehicle_type_id": c.vehicle_type.id, "vehicle_type_code": c.vehicle_type.code,
                   "source": c.source, "rate": _rate(actor, c.effective) if c.effective else None,
                   "effective_hourly_rate": c.effective.hourly_rate if c.effective else c.fallback_hourly}
                  for c in row.cells]}) for row in matrix.rows]


@router.get("/pricing-config/rates/{rate_id}", response_model=RateRead, response_model_exclude_unset=True)
def get_rate(rate_id: Id, actor: CurrentActor, session: SessionDep):
    """One rate of the matrix."""
    return _rate(actor, service.get_rate(session, actor, rate_id))


@router.put("/pricing-config/rates/{rate_id}", response_model=RateRead, response_model_exclude_unset=True)
def update_rate(rate_id: Id, body: RateUpdate, actor: CurrentActor, session: SessionDep):
    """Change one rate; only the fields sent change."""
    return _rate(actor, service.update_rate(session, actor, rate_id, **body.model_dump(exclude_unset=True)))


@router.delete("/pricing-config/rates/{rate_id}", status_code=204)
def delete_rate(rate_id: Id, actor: CurrentActor, session: SessionDep):
    """Remove a rate: the hub falls back to the company default for that vehicle type."""
    service.delete_rate(session, actor, rate_id)
    return Response(status_code=204)


# ---------------------------------------------------------------- amenities

@router.get("/amenities", response_model=list[AmenityRead])
def list_amenities(actor: CurrentActor, session: SessionDep, active_only: bool = False):
    """Amenities in the order they are offered (only active ones unless you manage pricing)."""
    return service.list_amenities(session, actor, active_only=active_only)


@router.post("/amenities", response_model=AmenityRead, status_code=201)
def create_amenity(body: AmenityCreate, actor: CurrentActor, session: SessionDep):
    """Offer a new amenity (last in the list)."""
    return service.create_amenity(session, actor, **body.model_dump())


@router.put("/amenities/order", response_model=list[AmenityRead])
def reorder_amenities(body: AmenityOrder, actor: CurrentActor, session: SessionDep):
    """Put the amenities in this order (every amenity's id, each once)."""
    return service.reorder_amenities(session, actor, body.amenity_ids)


@router.get("/amenities/{amenity_id}", response_model=AmenityRead)
def get_amenity(amenity_id: Id, actor: CurrentActor, session: SessionDep):
    """One amenity."""
    return service.get_amenity(session, actor, amenity_id)


@router.put("/amenities/{amenity_id}", response_model=AmenityRead)
def update_amenity(amenity_id: Id, body: AmenityUpdate, actor: CurrentActor, session: SessionDep):
    """Change an amenity; only the fields sent change."""
    return service.update_amenity(session, actor, amenity_id, **body.model_dump(exclude_unset=True))


@router.delete("/amenities/{amenity_id}", status_code=204)
def deactivate_amenity(amenity_id: Id, actor: CurrentActor, session: SessionDep):
    """Stop offering an amenity (nothing is deleted)."""
    service.deactivate_amenity(session, actor, amenity_id)
    return Response(status_code=204)


# ---------------------------------------------------------------- promo codes

@router.get("/promo-codes", response_model=Page[PromoCodeRead])
def list_promo_codes(actor: CurrentActor, session: SessionDep, page: PageDep,
                     q: Annotated[str | None, Query(max_length=100)] = None, is_active: bool | None = None):
    """Promo codes, active first; q searches code and description."""
    items, total = service.list_promo_codes(session, actor, q=q, is_active=is_active, limit=page.limit,
                                            offset=page.offset)
    return Page(items=[PromoCodeRead.model_validate(p) for p in items], total=total, limit=page.limit,
                offset=page.offset)


@router.post("/promo-codes", response_model=PromoCodeRead, status_code=201)
def create_promo_code(body: PromoCodeCreate, actor: CurrentActor, session: SessionDep):
    """Add a promo code (stored in upper case)."""
    return service.create_promo_code(session, actor, **body.model_dump())


@router.get("/promo-codes/{promo_id}", response_model=PromoCodeRead)
def get_promo_code(promo_id: Id, actor: CurrentActor, session: SessionDep):
    """One promo code, with how often it has been used."""
    return service.get_promo_code(session, actor, promo_id)


@router.put("/promo-codes/{promo_id}", response_model=PromoCodeRead)
def update_promo_code(promo_id: Id, body: PromoCodeUpdate, actor: CurrentActor, session: SessionDep):
    """Change a promo code; only the fields sent change."""
    return service.update_promo_code(session, actor, promo_id, **body.model_dump(exclude_unset=True))


@router.delete("/promo-codes/{promo_id}", status_code=204)
def deactivate_promo_code(promo_id: Id, actor: CurrentActor, session: SessionDep):
    """Deactivate a promo code (it is kept, with its uses)."""
    service.deactivate_promo_code(session, actor, promo_id)
    return Response(status_code=204)


@router.post("/validate-promo-code", response_model=PromoCheckRead)
def validate_promo_code(body: PromoCheckRequest, actor: CurrentActor, session: SessionDep):
    """Whether a promo code can be used (for a trip type, vehicles, trip date and amount), and if not why."""
    return _promo_check(service.validate_promo_code(session, actor, **body.model_dump()))


# ---------------------------------------------------------------- modifiers

@router.get("/pricing-modifiers", response_model=list[ModifierRead])
def list_modifiers(actor: CurrentActor, session: SessionDep, active_only: bool = False):
    """Modifiers in the order they apply: highest priority first."""
    return service.list_modifiers(session, actor, active_only=active_only)


@router.post("/pricing-modifiers", response_model=ModifierRead, status_code=201)
def create_modifier(body: ModifierCreate, actor: CurrentActor, session: SessionDep):
    """Add a pricing modifier."""
    return service.create_modifier(session, actor, **body.model_dump(exclude_none=True))


@router.get("/pricing-modifiers/{modifier_id}", response_model=ModifierRead)
def get_modifier(modifier_id: Id, actor: CurrentActor, session: SessionDep):
    """One pricing modifier."""
    return service.get_modifier(session, actor, modifier_id)


@router.put("/pricing-modifiers/{modifier_id}", response_model=ModifierRead)
def update_modifier(modifier_id: Id, body: ModifierUpdate, actor: CurrentActor, session: SessionDep):
    """Change a modifier; only the fields sent change."""
    return service.update_modifier(session, actor, modifier_id, **body.model_dump(exclude_unset=True))


@router.delete("/pricing-modifiers/{modifier_id}", status_code=204)
def delete_modifier(modifier_id: Id, actor: CurrentActor, session: SessionDep):
    """Delete a modifier (quotes already calculated keep what it added)."""
    service.delete_modifier(session, actor, modifier_id)
    return Response(status_code=204)


# ---------------------------------------------------------------- quotes

@router.post("/calculate-quote", response_model=QuoteRead, response_model_exclude_unset=True)
def calculate_quote(body: QuoteRequest, actor: CurrentActor, session: SessionDep):
    """Price a trip: the breakdown, total, deposit and balance (vendor cost and margin for staff who may see
    them). Give the live miles and hours, or the stops (looked up and routed from the hub)."""
    return QuoteRead.model_validate(service.calculate_quote(session, actor, body))
