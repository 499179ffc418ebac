"""Clients (people and organisations who charter coaches) and their contacts."""

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coachway.core import clock
from coachway.core.db import Base

CLIENT_TYPES = ("individual", "corporate", "government", "school", "university", "church", "nonprofit",
                "sports_team", "tour_operator", "other")


class Client(Base):
    """A customer account: an organisation or a private person."""

    __tablename__ = "clients"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    client_type: Mapped[str] = mapped_column(String(30), default="individual")
    email: Mapped[str | None] = mapped_column(String(255), unique=True)
    phone: Mapped[str | None] = mapped_column(String(40), index=True)
    billing_address_line1: Mapped[str | None] = mapped_column(String(200))
    billing_address_line2: Mapped[str | None] = mapped_column(String(200))
    billing_city: Mapped[str | None] = mapped_column(String(100))
    billing_state: Mapped[str | None] = mapped_column(String(50))
    billing_postal_code: Mapped[str | None] = mapped_column(String(20))
    billing_country: Mapped[str] = mapped_column(String(2), default="US")
    notes: Mapped[str | None] = mapped_column(Text)
    # users also refers to clients, so this key is created after both tables (see migration 0001).
    assigned_sales_agent_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL", use_alter=True), index=True)
    sms_notifications_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    email_notifications_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    stripe_customer_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    auto_pay_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    preferred_payment_method_id: Mapped[int | None]
    portal_password_set: Mapped[bool] = mapped_column(Boolean, default=False)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now, onupdate=clock.now)

    contacts: Mapped[list["ClientContact"]] = relationship(
        back_populates="client", cascade="all, delete-orphan", order_by="ClientContact.id", lazy="selectin")


class ClientContact(Base):
    """A person to talk to at a client (trip organiser, billing contact...)."""

    __tablename__ = "client_contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str | None] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(255))
    phone: Mapped[str | None] = mapped_column(String(40))
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)

    client: Mapped[Client] = relationship(back_populates="contacts")
