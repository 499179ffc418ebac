"""Charters (quotes and bookings), their vehicles, their itinerary stops, and the DOT hours rules."""

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coachway.core import clock
from coachway.core.db import Base, Money

CHARTER_STATUSES = ("quote", "booked", "confirmed", "in_progress", "completed", "cancelled")
TRIP_TYPES = ("one_way", "round_trip", "overnight", "multi_day", "local", "shuttle", "event")
STOP_TYPES = ("pickup", "dropoff", "waypoint", "stop")
# ok: found by the geocoder; manual: coordinates typed in; pending: not looked up yet.
GEOCODE_STATUSES = ("pending", "ok", "manual", "not_found", "unavailable")


class Charter(Base):
    """A trip for a client: a quote until booked, then confirmed, run and completed (or cancelled).

    trip_date and pickup_time are local to the hub; start_datetime and end_datetime are aware UTC (the hub's
    timezone turns them back into local times for display).
    """

    __tablename__ = "charters"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    hub_id: Mapped[int] = mapped_column(ForeignKey("hubs.id"), index=True)
    assigned_sales_agent_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    assigned_at: Mapped[datetime | None]
    assigned_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(20), default="quote", index=True)
    trip_type: Mapped[str] = mapped_column(String(50), default="one_way")
    passenger_count: Mapped[int]
    luggage_pieces: Mapped[int] = mapped_column(default=0)
    trip_date: Mapped[date] = mapped_column(index=True)
    pickup_time: Mapped[time | None]
    start_datetime: Mapped[datetime | None]
    end_datetime: Mapped[datetime | None]
    notes: Mapped[str | None] = mapped_column(Text)
    internal_notes: Mapped[str | None] = mapped_column(Text)
    requires_second_driver: Mapped[bool] = mapped_column(Boolean, default=False)
    vehicle_count: Mapped[int] = mapped_column(default=0)
    revision_number: Mapped[int] = mapped_column(default=1)
    parent_quote_id: Mapped[int | None] = mapped_column(ForeignKey("charters.id", ondelete="SET NULL"))
    quote_secure_token: Mapped[str | None] = mapped_column(String(255), unique=True)
    cancellation_date: Mapped[datetime | None]
    cancellation_reason: Mapped[str | None] = mapped_column(Text)
    cancellation_fee: Mapped[Money | None]
    cancellation_fee_paid: Mapped[bool] = mapped_column(Boolean, default=False)
    cancelled_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The event a trip is for (concert, wedding, game ...), matched by event_based pricing modifiers.
    event_type: Mapped[str | None] = mapped_column(String(50))
    # The price as last calculated, with the breakdown and every input it used (rates, amenities,
    # modifiers, promo, policy), so an issued quote never changes when rates change later.
    quoted_price: Mapped[Money | None]
    deposit_amount: Mapped[Money | None]
    balance_amount: Mapped[Money | None]
    estimated_vendor_cost: Mapped[Money | None]
    price_breakdown: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    priced_at: Mapped[datetime | None]
    promo_code_id: Mapped[int | None] = mapped_column(ForeignKey("promo_codes.id", ondelete="SET NULL"))
    quote_sent_at: Mapped[datetime | None]
    quote_accepted_at: Mapped[datetime | None]
    quote_accepted_ip: Mapped[str | None] = mapped_column(String(64))
    quote_accepted_user_agent: Mapped[str | None] = mapped_column(String(500))
    # A revision replaces its quote: the old row stays as history, points at its successor and is final.
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("charters.id", ondelete="SET NULL"))
    superseded_at: Mapped[datetime | None]
    # Clones and recurring series: a clone remembers its source; an instance of a series points at the
    # series and its master (the charter the series was made from), with a stable instance_number and
    # series_total = the series' running instances.
    cloned_from_charter_id: Mapped[int | None] = mapped_column(
        ForeignKey("charters.id", ondelete="SET NULL"), index=True)
    series_id: Mapped[int | None] = mapped_column(ForeignKey("charter_series.id", ondelete="SET NULL"),
                                                  index=True)
    recurrence_rule: Mapped[str | None] = mapped_column(Text)
    parent_charter_id: Mapped[int | None] = mapped_column(ForeignKey("charters.id", ondelete="SET NULL"),
                                                          index=True)
    instance_number: Mapped[int | None]
    series_total: Mapped[int | None]
    is_series_master: Mapped[bool] = mapped_column(Boolean, default=False)
    removed_from_series_at: Mapped[datetime | None]
    total_miles: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    deadhead_miles: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    total_hours: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    # The last DOT hours-of-service check of the itinerary (see charters.dot).
    dot_result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    booked_at: Mapped[datetime | None]
    confirmed_at: Mapped[datetime | None]
    started_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now, onupdate=clock.now)

    vehicles: Mapped[list["CharterVehicle"]] = relationship(
        back_populates="charter", cascade="all, delete-orphan", order_by="CharterVehicle.id", lazy="raise")
    stops: Mapped[list["ItineraryStop"]] = relationship(
        back_populates="charter", cascade="all, delete-orphan", order_by="ItineraryStop.sequence",
        lazy="raise")


class CharterVehicle(Base):
    """Vehicles of one type a charter needs (quantity), optionally the unit dispatch chose."""

    __tablename__ = "charter_vehicles"
    __table_args__ = (CheckConstraint("quantity >= 1", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    charter_id: Mapped[int] = mapped_column(ForeignKey("charters.id", ondelete="CASCADE"), index=True)
    vehicle_type_id: Mapped[int] = mapped_column(ForeignKey("vehicle_types.id"), index=True)
    quantity: Mapped[int] = mapped_column(default=1)
    vehicle_id: Mapped[int | None] = mapped_column(ForeignKey("vehicles.id", ondelete="SET NULL"), index=True)
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    charter: Mapped[Charter] = relationship(back_populates="vehicles")


class ItineraryStop(Base):
    """One stop of a charter's itinerary; sequence runs 1..n without gaps.

    estimated_arrival / estimated_departure are full aware timestamps (not times of day as in the spec's
    sketch) because a multi-day trip needs the date too.
    """

    __tablename__ = "itinerary_stops"
    # The unique index also serves lookups by charter (its first column).
    __table_args__ = (UniqueConstraint("charter_id", "sequence"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    charter_id: Mapped[int] = mapped_column(ForeignKey("charters.id", ondelete="CASCADE"))
    sequence: Mapped[int]
    stop_type: Mapped[str] = mapped_column(String(20), default="stop")
    location_name: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(500))
    latitude: Mapped[Decimal | None] = mapped_column(Numeric(10, 7))
    longitude: Mapped[Decimal | None] = mapped_column(Numeric(10, 7))
    geocoded_address: Mapped[str | None] = mapped_column(Text)
    geocode_status: Mapped[str] = mapped_column(String(20), default="pending")
    geocode_error: Mapped[str | None] = mapped_column(Text)
    dwell_minutes: Mapped[int] = mapped_column(default=0)
    scheduled_time: Mapped[datetime | None]
    estimated_arrival: Mapped[datetime | None]
    estimated_departure: Mapped[datetime | None]
    actual_arrival: Mapped[datetime | None]
    actual_departure: Mapped[datetime | None]
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now, onupdate=clock.now)

    charter: Mapped[Charter] = relationship(back_populates="stops")


class DotRegulation(Base):
    """One FMCSA hours-of-service limit the DOT check applies (seeded from 49 CFR 395.5; admins tune them)."""

    __tablename__ = "dot_regulations"

    id: Mapped[int] = mapped_column(primary_key=True)
    regulation_name: Mapped[str] = mapped_column(String(100), unique=True)
    regulation_type: Mapped[str | None] = mapped_column(String(50))
    threshold_value: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    threshold_unit: Mapped[str | None] = mapped_column(String(20))
    requires_second_driver: Mapped[bool] = mapped_column(Boolean, default=False)
    description: Mapped[str | None] = mapped_column(Text)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now, onupdate=clock.now)


class CharterSeries(Base):
    """A recurring trip: the rule, its dates, the master charter it was made from, and how many of its
    instances are still running (active_instances) out of those made (total_instances)."""

    __tablename__ = "charter_series"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    recurrence_rule: Mapped[str] = mapped_column(Text)
    start_date: Mapped[date]
    end_date: Mapped[date | None]
    exclude_dates: Mapped[list[str] | None] = mapped_column(JSON)
    master_charter_id: Mapped[int | None] = mapped_column(
        ForeignKey("charters.id", ondelete="SET NULL", use_alter=True, name="fk_charter_series_master"))
    total_instances: Mapped[int] = mapped_column(default=0)
    active_instances: Mapped[int] = mapped_column(default=0)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
