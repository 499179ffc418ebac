"""Message templates, sent notifications, email open/click tracking and clients' email preferences."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from coachway.core import clock
from coachway.core.db import Base

CHANNELS = ("email", "sms")
# What a message is, for the preference check: transactional messages always go (password reset,
# receipts, booking confirmations); the others obey client_email_preferences and the clients' flags.
CATEGORIES = ("transactional", "quotes", "reminders", "followups", "marketing")


class NotificationTemplate(Base):
    """A Jinja2 template (rendered in a sandbox) for one kind of message on one channel."""

    __tablename__ = "notification_templates"
    __table_args__ = (UniqueConstraint("key", "channel"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), index=True)
    channel: Mapped[str] = mapped_column(String(10), default="email")
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(20), default="transactional")
    subject: Mapped[str] = mapped_column(String(500), default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    body_text: Mapped[str] = mapped_column(Text, default="")
    # Example values for every variable the template uses: the admin preview renders with them.
    sample_context: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now, onupdate=clock.now)


class EmailTracking(Base):
    """Spec `email_tracking`: one row per email sent, with its open and first click.

    `tracking_token` is the unguessable id in the open pixel and click links; `links` holds the URLs the
    message contained, the only ones the click redirect will go to.
    """

    __tablename__ = "email_tracking"

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("leads.id", ondelete="SET NULL"), index=True)
    charter_id: Mapped[int | None] = mapped_column(ForeignKey("charters.id", ondelete="SET NULL"), index=True)
    client_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id", ondelete="SET NULL"), index=True)
    email_type: Mapped[str] = mapped_column(String(50))
    recipient_email: Mapped[str] = mapped_column(String(255))
    subject: Mapped[str | None] = mapped_column(String(500))
    sent_at: Mapped[datetime | None]
    opened_at: Mapped[datetime | None]
    clicked_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(20), default="sent")  # queued, sent, opened, clicked, failed
    sendgrid_message_id: Mapped[str | None] = mapped_column(String(255))
    tracking_token: Mapped[str] = mapped_column(String(64), unique=True)
    links: Mapped[list[str]] = mapped_column(JSON, default=list)
    open_count: Mapped[int] = mapped_column(default=0)
    click_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)


class Notification(Base):
    """One message CoachWay decided to send (or, by the recipient's preferences, not to send).

    Delivery itself is the outbox message's business: its status, attempts and last error are the
    notification's delivery state.
    """

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(10))
    template_key: Mapped[str | None] = mapped_column(String(80), index=True)
    category: Mapped[str] = mapped_column(String(20))
    recipient: Mapped[str] = mapped_column(String(255), index=True)
    subject: Mapped[str | None] = mapped_column(String(500))
    body_text: Mapped[str] = mapped_column(Text, default="")
    client_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id", ondelete="SET NULL"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    charter_id: Mapped[int | None] = mapped_column(ForeignKey("charters.id", ondelete="SET NULL"), index=True)
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("leads.id", ondelete="SET NULL"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="queued")  # queued, suppressed
    suppressed_reason: Mapped[str | None] = mapped_column(String(255))
    outbox_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox_messages.id", ondelete="SET NULL"), index=True)
    email_tracking_id: Mapped[int | None] = mapped_column(
        ForeignKey("email_tracking.id", ondelete="SET NULL"))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now, index=True)


class ClientEmailPreferences(Base):
    """Spec `client_email_preferences`: which automated emails a client receives (no row: all on)."""

    __tablename__ = "client_email_preferences"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"), unique=True)
    automated_quotes_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    automated_reminders_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    automated_followups_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    marketing_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now, onupdate=clock.now)
