"""Request and response models of notifications, message templates and clients' email preferences."""

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StringConstraints

from coachway.core.fields import NO_CONTROL, NO_CONTROL_BUT_LINE_BREAKS, Line, RefId
from coachway.notifications.models import CATEGORIES, CHANNELS

Channel = Literal[CHANNELS]
Category = Literal[CATEGORIES]
# What a list of notifications can be filtered by: the decision (queued, suppressed), the outbox's
# delivery (pending, sent, failed) or the recipient's reaction (opened, clicked).
StatusFilter = Literal["queued", "suppressed", "pending", "sent", "failed", "opened", "clicked"]
TemplateKey = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,79}$")]
VarName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")]
# Template sources may hold any text a person types, line breaks included (not NUL and the like).
Source = Annotated[str, StringConstraints(max_length=100_000, pattern=NO_CONTROL_BUT_LINE_BREAKS)]
Context = Annotated[dict[VarName, Any], Field(max_length=200)]
Recipient = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=255,
                                             pattern=NO_CONTROL)]


# ---------------------------------------------------------------- templates

class TemplateRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    key: str
    channel: str
    name: str
    description: str | None
    category: str
    subject: str
    body_html: str
    body_text: str
    sample_context: dict[str, Any]
    is_active: bool
    updated_at: datetime


class TemplateUpdate(BaseModel):
    """Only the fields sent change; the result must render with its sample_context."""

    model_config = ConfigDict(extra="forbid")

    name: Line(200, 1) | None = None
    description: Annotated[str, StringConstraints(max_length=2000)] | None = None
    category: Category | None = None
    subject: Annotated[str, StringConstraints(max_length=500, pattern=NO_CONTROL)] | None = None
    body_html: Source | None = None
    body_text: Source | None = None
    sample_context: Context | None = None
    is_active: StrictBool | None = None


class PreviewRequest(BaseModel):
    """Render a template without sending: with its sample data or the context given, and optionally with
    unsaved versions of its parts."""

    model_config = ConfigDict(extra="forbid")

    context: Context | None = None
    subject: Annotated[str, StringConstraints(max_length=500, pattern=NO_CONTROL)] | None = None
    body_html: Source | None = None
    body_text: Source | None = None


class PreviewRead(BaseModel):
    subject: str
    html: str
    text: str


# ---------------------------------------------------------------- notifications

class SendRequest(BaseModel):
    """Send a message from a template to an address, a client or a user."""

    model_config = ConfigDict(extra="forbid")

    template_key: TemplateKey
    channel: Channel = "email"
    to: Recipient | None = None
    client_id: RefId | None = None
    user_id: RefId | None = None
    charter_id: RefId | None = None
    lead_id: RefId | None = None
    context: Context = Field(default_factory=dict)


class NotificationRead(BaseModel):
    """A message decided on, with its delivery (the outbox message) and, for email, opens and clicks."""

    id: int
    channel: str
    template_key: str | None
    category: str
    recipient: str
    subject: str | None
    status: str
    suppressed_reason: str | None
    client_id: int | None
    user_id: int | None
    charter_id: int | None
    lead_id: int | None
    created_by: int | None
    created_at: datetime
    outbox_message_id: int | None
    delivery_status: str | None
    delivery_attempts: int | None
    delivery_error: str | None
    delivered_at: datetime | None
    tracking_status: str | None
    opened_at: datetime | None
    clicked_at: datetime | None
    open_count: int
    click_count: int
    body_text: str | None = None


# ---------------------------------------------------------------- email preferences

class PreferencesRead(BaseModel):
    """Which messages a client receives: per kind of automated email, and the client's two switches."""

    client_id: int
    client_name: str
    automated_quotes_enabled: bool
    automated_reminders_enabled: bool
    automated_followups_enabled: bool
    marketing_enabled: bool
    email_notifications_enabled: bool
    sms_notifications_enabled: bool
    updated_at: datetime | None


class PreferencesUpdate(BaseModel):
    """Only the fields sent change."""

    model_config = ConfigDict(extra="forbid")

    automated_quotes_enabled: StrictBool | None = None
    automated_reminders_enabled: StrictBool | None = None
    automated_followups_enabled: StrictBool | None = None
    marketing_enabled: StrictBool | None = None
    email_notifications_enabled: StrictBool | None = None
    sms_notifications_enabled: StrictBool | None = None

