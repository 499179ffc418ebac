"""The company-wide pricing policy (pricing_config, one row) and the deposit percentage it quotes with."""

from decimal import Decimal
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from coachway.core import audit
from coachway.core.errors import Invalid
from coachway.core.permissions import Actor, require
from coachway.payments import service as payments_service
from coachway.pricing import engine
from coachway.pricing.models import DEADHEAD_POLICIES, PRICE_RULES, PricingConfig
from coachway.pricing.service._common import checked, hundredths, record_change, require_any

CONFIG_ID = 1
CONFIG_FIELDS = {"price_rule", "deadhead_policy", "deadhead_free_miles", "fuel_surcharge_pct",
                 "default_gratuity_pct", "quote_valid_days", "quote_terms"}
NOT_NULL = CONFIG_FIELDS - {"quote_terms"}
DECIMAL_FIELDS = {"deadhead_free_miles", "fuel_surcharge_pct", "default_gratuity_pct"}
MAX_FREE_MILES = Decimal(100_000)
MAX_TERMS = 10_000
PRICE_RULE_WORDS = {
    "greater_of": "the greater of time and mileage",
    "time_only": "time only (hourly rate x hours, at least the minimum hours)",
    "mileage_only": "mileage only (per-mile rate x live miles)",
}
DEADHEAD_WORDS = {
    "none": "not billed",
    "all": "every empty mile billed",
    "beyond_free_miles": "only the miles beyond the free miles billed",
}


def ensure_config(session: Session) -> PricingConfig:
    """Row 1 of pricing_config, created with the defaults when missing (no permission check)."""
    row = session.get(PricingConfig, CONFIG_ID)
    if row is not None:
        return row
    try:
        # A savepoint: when another request adds the row first, only this insert is undone.
        with session.begin_nested():
            row = PricingConfig(id=CONFIG_ID)
            session.add(row)
        session.expire(row)  # read back as stored (amounts with their two decimals)
        return row
    except IntegrityError:
        return session.get(PricingConfig, CONFIG_ID, populate_existing=True)


def seed_pricing_defaults(session: Session) -> None:
    """Create the pricing policy row and the "default" payment terms when they are missing."""
    ensure_config(session)
    payments_service.get_payment_configuration(session)
    session.flush()


def get_config(session: Session, actor: Actor) -> PricingConfig:
    """The pricing policy (anyone who may read pricing or calculate quotes: it holds the quote terms)."""
    require_any(actor, "pricing:read", "pricing:quote")
    return ensure_config(session)


def deposit_percentage(session: Session) -> Decimal:
    """The share of a quote's total due as the deposit, from the default payment terms."""
    return payments_service.get_payment_configuration(session).deposit_percentage


def pricing_policy(session: Session) -> engine.Policy:
    """The policy the calculation applies: pricing_config and the default deposit percentage."""
    row = ensure_config(session)
    return engine.Policy(price_rule=row.price_rule, deadhead_policy=row.deadhead_policy,
                         deadhead_free_miles=Decimal(row.deadhead_free_miles),
                         fuel_surcharge_pct=Decimal(row.fuel_surcharge_pct),
                         gratuity_pct=Decimal(row.default_gratuity_pct),
                         deposit_pct=Decimal(deposit_percentage(session)))


def _percent(fields: dict[str, Any], key: str) -> None:
    if key in fields and not Decimal(0) <= Decimal(fields[key]) <= Decimal(100):
        raise Invalid.field(key, "Give a percentage from 0 to 100.")


def _check_config(fields: dict[str, Any]) -> None:
    if "price_rule" in fields and fields["price_rule"] not in PRICE_RULES:
        raise Invalid.field("price_rule", f"Choose one of: {', '.join(PRICE_RULES)}.")
    if "deadhead_policy" in fields and fields["deadhead_policy"] not in DEADHEAD_POLICIES:
        raise Invalid.field("deadhead_policy", f"Choose one of: {', '.join(DEADHEAD_POLICIES)}.")
    if "deadhead_free_miles" in fields and not 0 <= Decimal(fields["deadhead_free_miles"]) <= MAX_FREE_MILES:
        raise Invalid.field("deadhead_free_miles", "Free miles are 0 to 100,000.")
    for key in ("fuel_surcharge_pct", "default_gratuity_pct", "deposit_percentage"):
        _percent(fields, key)
    if "quote_valid_days" in fields and not 1 <= int(fields["quote_valid_days"]) <= 365:
        raise Invalid.field("quote_valid_days", "A quote is valid for 1 to 365 days.")
    if fields.get("quote_terms") is not None and len(fields["quote_terms"]) > MAX_TERMS:
        raise Invalid.field("quote_terms", f"Keep the terms under {MAX_TERMS:,} characters.")


def update_config(session: Session, actor: Actor, **changes) -> PricingConfig:
    """Change the pricing policy (and the deposit percentage with it); only the given fields change;
    audited."""
    require(actor, "pricing:manage")
    deposit = changes.pop("deposit_percentage", None)
    changes = checked(changes, CONFIG_FIELDS, NOT_NULL, DECIMAL_FIELDS)
    if deposit is not None:
        deposit = hundredths(deposit, "deposit_percentage")
    if "quote_terms" in changes:
        changes["quote_terms"] = changes["quote_terms"] or None
    _check_config({**changes, **({"deposit_percentage": deposit} if deposit is not None else {})})
    row = ensure_config(session)
    old = audit.snapshot(row)
    dirty = {key: value for key, value in changes.items() if getattr(row, key) != value}
    for key, value in dirty.items():
        setattr(row, key, value)
    if dirty:
        row.updated_by = actor.user_id
    session.flush()
    record_change(session, actor, row, old, entity_type="pricing_config")
    if deposit is not None:
        payments_service.update_deposit_percentage(session, actor, deposit)
    return row
