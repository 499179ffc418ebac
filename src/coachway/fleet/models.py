"""Hubs (garages), vehicle types and vehicles."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Boolean, ForeignKey, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from coachway.core import clock
from coachway.core.db import Base

VEHICLE_STATUSES = ("active", "maintenance", "out_of_service", "retired")


class Hub(Base):
    """A garage coaches leave from and return to; trip times are local to its timezone."""

    __tablename__ = "hubs"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(10), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    address: Mapped[str | None] = mapped_column(String(255))
    city: Mapped[str | None] = mapped_column(String(100))
    state: Mapped[str | None] = mapped_column(String(50))
    postal_code: Mapped[str | None] = mapped_column(String(20))
    latitude: Mapped[Decimal | None] = mapped_column(Numeric(10, 7))
    longitude: Mapped[Decimal | None] = mapped_column(Numeric(10, 7))
    timezone: Mapped[str] = mapped_column(String(64), default="America/New_York")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now, onupdate=clock.now)


class VehicleType(Base):
    """A kind of vehicle with its seating capacity (sedan ... motorcoach)."""

    __tablename__ = "vehicle_types"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(30), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    capacity: Mapped[int]
    # Bags it carries (under-floor bays), and the hourly cost used to rank vehicle recommendations until the
    # pricing rate matrix exists; both optional.
    luggage_capacity: Mapped[int | None]
    default_hourly_rate: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    description: Mapped[str | None] = mapped_column(Text)
    sort_order: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)


class Vehicle(Base):
    """One unit of the fleet."""

    __tablename__ = "vehicles"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_number: Mapped[str] = mapped_column(String(30), unique=True)
    hub_id: Mapped[int] = mapped_column(ForeignKey("hubs.id"), index=True)
    vehicle_type_id: Mapped[int] = mapped_column(ForeignKey("vehicle_types.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="active")
    make: Mapped[str | None] = mapped_column(String(50))
    model: Mapped[str | None] = mapped_column(String(50))
    year: Mapped[int | None]
    vin: Mapped[str | None] = mapped_column(String(17), unique=True)
    license_plate: Mapped[str | None] = mapped_column(String(20))
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now, onupdate=clock.now)
