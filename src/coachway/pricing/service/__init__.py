"""Pricing: the policy and rate matrix, amenities, promo codes, modifiers and pricing a trip; the rules the
API, the pages and other domains share.

One module per concern; everything callers use is re-exported here, so `service.build_inputs(...)` reads
the same from the API, the pages and the charters domain.
"""

from coachway.pricing.service._common import manages, sees_internal
from coachway.pricing.service.amenities import (
    activate_amenity,
    create_amenity,
    deactivate_amenity,
    get_amenity,
    list_amenities,
    reorder_amenities,
    update_amenity,
)
from coachway.pricing.service.calculation import (
    PricingInputs,
    build_inputs,
    calculate_quote,
    lead_time,
    price,
    trip_days,
)
from coachway.pricing.service.config import (
    DEADHEAD_WORDS,
    PRICE_RULE_WORDS,
    deposit_percentage,
    ensure_config,
    get_config,
    pricing_policy,
    seed_pricing_defaults,
    update_config,
)
from coachway.pricing.service.modifiers import (
    active_modifiers,
    create_modifier,
    delete_modifier,
    engine_modifier,
    get_modifier,
    list_modifiers,
    update_modifier,
)
from coachway.pricing.service.promos import (
    PromoCheck,
    check_promo,
    create_promo_code,
    deactivate_promo_code,
    engine_promo,
    get_promo_code,
    list_promo_codes,
    normalise_code,
    redeem_promo,
    release_promo,
    update_promo_code,
    usage_count,
    validate_promo_code,
)
from coachway.pricing.service.rates import (
    MatrixCell,
    MatrixRow,
    RateMatrix,
    delete_rate,
    get_rate,
    list_rates,
    rate_data,
    rate_matrix,
    resolve_rate,
    update_rate,
    upsert_rate,
)

__all__ = [
    "DEADHEAD_WORDS", "MatrixCell", "MatrixRow", "PRICE_RULE_WORDS", "PricingInputs", "PromoCheck",
    "RateMatrix", "activate_amenity", "active_modifiers", "build_inputs", "calculate_quote", "check_promo",
    "create_amenity", "create_modifier", "create_promo_code", "deactivate_amenity", "deactivate_promo_code",
    "delete_modifier", "delete_rate", "deposit_percentage", "engine_modifier", "engine_promo",
    "ensure_config", "get_amenity", "get_config", "get_modifier", "get_promo_code", "get_rate", "lead_time",
    "list_amenities", "list_modifiers", "list_promo_codes", "list_rates", "manages", "normalise_code",
    "price", "pricing_policy", "rate_data", "rate_matrix", "redeem_promo", "release_promo",
    "reorder_amenities", "resolve_rate", "sees_internal", "seed_pricing_defaults", "trip_days",
    "update_amenity", "update_config", "update_modifier", "update_promo_code", "update_rate", "upsert_rate",
    "usage_count", "validate_promo_code",
]
