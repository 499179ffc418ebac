"""Pricing tables: the rate matrix and pricing policy, amenities (and a charter's chosen ones), promo codes
and their use, and pricing modifiers. Table and column names follow the spec; its TEXT[] columns are JSON
lists here so SQLite and PostgreSQL share one schema."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from coachway.core import clock
from coachway.core.db import Base, Money

PRICE_RULES = ("greater_of", "time_only", "mileage_only")
DEADHEAD_POLICIES = ("none", "all", "beyond_free_miles")
AMENITY_CATEGORIES = ("refreshments", "entertainment", "comfort", "accessibility")
AMENITY_PRICING_TYPES = ("flat_fee", "per_passenger", "per_hour", "per_day")
DISCOUNT_TYPES = ("percentage", "fixed_amount")
MODIFIER_TYPES = ("day_of_week", "event_based", "hub_based", "asap", "peak_season", "holiday")
Percent = Numeric(5, 2)


class PricingConfig(Base):
    """The company-wide pricing policy: one row (id 1).

    price_rule says how a vehicle's base price is found: the greater of the time-based price (hourly rate x
    hours, at least minimum_hours) and the mileage-based price (per-mile rate x live miles), or one of them
    alone. deadhead_policy says which empty miles (garage to first pickup and last drop-off back) are billed.
    """

    __tablename__ = "pricing_config"

    id: Mapped[int] = mapped_column(primary_key=True)
    price_rule: Mapped[str] = mapped_column(String(20), default="greater_of")
    deadhead_policy: Mapped[str] = mapped_column(String(20), default="beyond_free_miles")
    deadhead_free_miles: Mapped[Decimal] = mapped_column(Numeric(10, 2), default=Decimal(50))
    fuel_surcharge_pct: Mapped[Decimal] = mapped_column(Percent, default=Decimal(0))
    default_gratuity_pct: Mapped[Decimal] = mapped_column(Percent, default=Decimal(0))
    quote_valid_days: Mapped[int] = mapped_column(default=14)
    quote_terms: Mapped[str | None] = mapped_column(Text)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=clock.now, onupdate=clock.now)


class PricingRate(Base):
    """One cell of the rate matrix: what a vehicle type costs the client (and roughly costs us) at a hub.

    hub_id None is the company default for the vehicle type, used by hubs without their own row.
    """

    __tablename__ = "pricing_rates"
    __table_args__ = (UniqueConstraint("hub_id", "vehicle_type_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int | None] = mapped_column(ForeignKey("hubs.id", ondelete="CASCADE"), index=True)
    vehicle_type_id: Mapped[int] = mapped_column(ForeignKey("vehicle_types.id", ondelete="CASCADE"),
                                                 index=True)
    hourly_rate: Mapped[Money]
    minimum_hours: Mapped[Decimal] = mapped_column(Numeric(6, 2), default=Decimal(5))
    per_mile_rate: Mapped[Money]
    daily_rate: Mapped[Money | None]
    deadhead_per_mile: Mapped[Money] = mapped_column(default=Decimal(0))
    second_driver_hourly: Mapped[Money] = mapped_column(default=Decimal(0))
    driver_hotel_per_night: Mapped[Money] = mapped_column(default=Decimal(0))
    driver_meals_per_night: Mapped[Money] = mapped_column(default=Decimal(0))
    # The estimated vendor (operator) cost of the vehicle, for margin: the same rule on these rates.
    vendor_hourly_cost: Mapped[Money] = mapped_column(default=Decimal(0))
    vendor_per_mile_cost: Mapped[Money] = mapped_column(default=Decimal(0))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=clock.now, onupdate=clock.now)


class Amenity(Base):
    """Something extra a client can add to a trip (Wi-Fi, refreshments, a wheelchair lift ...)."""

    __tablename__ = "amenities"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(String(50))
    base_price: Mapped[Money]
    pricing_type: Mapped[str] = mapped_column(String(20), default="flat_fee")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    display_order: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)


class CharterAmenity(Base):
    """An amenity on a charter; price_per_unit and total_price are as last calculated."""

    __tablename__ = "charter_amenities"
    __table_args__ = (UniqueConstraint("charter_id", "amenity_id"),
                      CheckConstraint("quantity >= 1", name="quantity_positive"))

    id: Mapped[int] = mapped_column(primary_key=True)
    charter_id: Mapped[int] = mapped_column(ForeignKey("charters.id", ondelete="CASCADE"), index=True)
    amenity_id: Mapped[int] = mapped_column(ForeignKey("amenities.id"), index=True)
    quantity: Mapped[int] = mapped_column(default=1)
    price_per_unit: Mapped[Money | None]
    total_price: Mapped[Money | None]
    added_at: Mapped[datetime] = mapped_column(default=clock.now)


class PromoCode(Base):
    """A discount code. uses_count never passes max_uses: redemption is one guarded UPDATE."""

    __tablename__ = "promo_codes"
    __table_args__ = (CheckConstraint("max_uses IS NULL OR uses_count <= max_uses", name="uses_within_max"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(50), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    discount_type: Mapped[str] = mapped_column(String(20))
    discount_value: Mapped[Money]
    valid_from: Mapped[date | None]
    valid_until: Mapped[date | None]
    max_uses: Mapped[int | None]
    uses_count: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    min_purchase_amount: Mapped[Money | None]
    applicable_vehicle_types: Mapped[list[str] | None] = mapped_column(JSON)  # vehicle type codes
    applicable_trip_types: Mapped[list[str] | None] = mapped_column(JSON)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)


class PromoCodeUsage(Base):
    """One redemption of a promo code, by a charter (a charter redeems a code at most once)."""

    __tablename__ = "promo_code_usage"
    __table_args__ = (UniqueConstraint("promo_code_id", "charter_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    promo_code_id: Mapped[int] = mapped_column(ForeignKey("promo_codes.id"), index=True)
    charter_id: Mapped[int | None] = mapped_column(ForeignKey("charters.id", ondelete="SET NULL"), index=True)
    client_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id", ondelete="SET NULL"), index=True)
    discount_amount: Mapped[Money | None]
    used_at: Mapped[datetime] = mapped_column(default=clock.now)


class PricingModifier(Base):
    """A rule that raises or lowers a price when its conditions hold (weekend, event, hub, short notice,
    peak season, holiday). Modifiers apply in priority order, highest first, each to the running amount."""

    __tablename__ = "pricing_modifiers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    modifier_type: Mapped[str] = mapped_column(String(50))
    adjustment_type: Mapped[str] = mapped_column(String(20))
    adjustment_value: Mapped[Money]
    applicable_days: Mapped[list[str] | None] = mapped_column(JSON)  # ["saturday", "sunday"]
    applicable_hubs: Mapped[list[str] | None] = mapped_column(JSON)  # hub codes
    event_types: Mapped[list[str] | None] = mapped_column(JSON)
    date_ranges: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)  # [{"start": .., "end": ..}]
    # asap: applies when the pickup is at most this many hours away when the price is calculated.
    lead_time_hours: Mapped[int | None]
    priority: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
