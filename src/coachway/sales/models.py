"""Sales tables: leads, the round-robin assignment queue, and each lead's activity timeline.

Column names follow the spec's `leads`, `lead_assignment_queue` and `lead_activities`. Beyond the spec,
a lead may name the hub it is for (whose timezone defines "today" for daily caps and whose rates price
it), the client it matched, its trip type and an estimated trip value (from the public calculator or
the agent), which the hot-lead score uses. The queue keeps the local date its `leads_assigned_today`
counts (`leads_assigned_on`), so the counter restarts by itself on a new day.
"""

from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from coachway.core import clock
from coachway.core.db import Base, Money

LEAD_SOURCES = ("online", "phone", "email", "referral", "walk_in")
LEAD_STATUSES = ("new", "contacted", "qualified", "quoted", "converted", "lost")
OPEN_LEAD_STATUSES = ("new", "contacted", "qualified", "quoted")
ASSIGNMENT_METHODS = ("round_robin", "manual", "existing_client")
# What people log by hand, and the events the system records on the timeline.
ACTIVITY_TYPES = ("email", "call", "meeting", "note")
SYSTEM_ACTIVITY_TYPES = ("created", "lead_assigned", "status_change", "converted", "email_sent")
CONTACT_ACTIVITY_TYPES = ("email", "call", "meeting")


class Lead(Base):
    """Someone who asked about a trip: their contact details, the trip, who works it and where it stands."""

    __tablename__ = "leads"
    __table_args__ = (
        CheckConstraint("status IN ('new','contacted','qualified','quoted','converted','lost')",
                        name="status"),
        CheckConstraint("contact_count >= 0", name="contact_count"),
        # Today's count of each agent (daily caps) is a range scan of this index.
        Index("ix_leads_assigned_to_assigned_at", "assigned_to", "assigned_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(50))
    status: Mapped[str] = mapped_column(String(20), default="new", index=True)
    lead_score: Mapped[int] = mapped_column(default=0, index=True)

    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(255), index=True)
    phone: Mapped[str | None] = mapped_column(String(40))
    company: Mapped[str | None] = mapped_column(String(255))

    trip_date: Mapped[date | None]
    origin: Mapped[str | None] = mapped_column(String(255))
    destination: Mapped[str | None] = mapped_column(String(255))
    passenger_count: Mapped[int | None]
    vehicle_type: Mapped[str | None] = mapped_column(String(50))
    trip_type: Mapped[str | None] = mapped_column(String(20))
    hub_id: Mapped[int | None] = mapped_column(ForeignKey("hubs.id", ondelete="SET NULL"), index=True)
    estimated_value: Mapped[Money | None]
    notes: Mapped[str | None] = mapped_column(Text)
    client_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id", ondelete="SET NULL"), index=True)

    assigned_to: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    assigned_at: Mapped[datetime | None]
    assignment_method: Mapped[str | None] = mapped_column(String(20))

    last_contact_date: Mapped[datetime | None]
    next_follow_up: Mapped[datetime | None] = mapped_column(index=True)
    contact_count: Mapped[int] = mapped_column(default=0)

    converted_to_charter_id: Mapped[int | None] = mapped_column(
        ForeignKey("charters.id", ondelete="SET NULL"), index=True)
    converted_at: Mapped[datetime | None]
    lost_reason: Mapped[str | None] = mapped_column(Text)

    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now, onupdate=clock.now)


class LeadAssignmentQueue(Base):
    """One sales agent's place in the round robin: order, whether they take leads now, and a daily cap."""

    __tablename__ = "lead_assignment_queue"
    __table_args__ = (
        CheckConstraint("max_daily_leads IS NULL OR max_daily_leads >= 0", name="max_daily_leads"),
        CheckConstraint("leads_assigned_today >= 0", name="leads_assigned_today"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    position: Mapped[int]
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    max_daily_leads: Mapped[int | None]
    leads_assigned_today: Mapped[int] = mapped_column(default=0)
    leads_assigned_on: Mapped[date | None]
    last_assigned_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=clock.now)


class LeadActivity(Base):
    """An entry on a lead's timeline: a call, email, meeting or note by a person, or a system event."""

    __tablename__ = "lead_activities"

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    activity_type: Mapped[str] = mapped_column(String(50))
    description: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now, index=True)
