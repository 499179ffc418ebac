"""Request and response models of clients and their contacts."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from coachway.clients.models import CLIENT_TYPES
from coachway.core.fields import MAX_ID, Email, Line, Phone, Text

ClientType = Literal[CLIENT_TYPES]
Country = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]


class ContactCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Line(200, 1)
    title: Line(100) | None = None
    email: Email | None = None
    phone: Phone | None = None
    is_primary: bool = False


class ContactUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Line(200, 1) | None = None
    title: Line(100) | None = None
    email: Email | None = None
    phone: Phone | None = None
    is_primary: bool | None = None


class ContactRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    client_id: int
    name: str
    title: str | None
    email: str | None
    phone: str | None
    is_primary: bool


class ClientCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Line(200, 1)
    client_type: ClientType = "individual"
    email: Email | None = None
    phone: Phone | None = None
    billing_address_line1: Line(200) | None = None
    billing_address_line2: Line(200) | None = None
    billing_city: Line(100) | None = None
    billing_state: Line(50) | None = None
    billing_postal_code: Line(20) | None = None
    billing_country: Country = "US"
    notes: Text(5000) | None = None
    assigned_sales_agent_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    sms_notifications_enabled: bool = False
    email_notifications_enabled: bool = True
    contacts: list[ContactCreate] = Field(default_factory=list, max_length=20)


class ClientUpdate(BaseModel):
    """Only the fields sent are changed; is_active needs clients:delete."""

    model_config = ConfigDict(extra="forbid")

    name: Line(200, 1) | None = None
    client_type: ClientType | None = None
    email: Email | None = None
    phone: Phone | None = None
    billing_address_line1: Line(200) | None = None
    billing_address_line2: Line(200) | None = None
    billing_city: Line(100) | None = None
    billing_state: Line(50) | None = None
    billing_postal_code: Line(20) | None = None
    billing_country: Country | None = None
    notes: Text(5000) | None = None
    assigned_sales_agent_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    sms_notifications_enabled: bool | None = None
    email_notifications_enabled: bool | None = None
    is_active: bool | None = None


class ClientRead(BaseModel):
    """A client as the reader may see it: the internal fields are absent without clients:read_internal."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    client_type: str
    email: str | None
    phone: str | None
    billing_address_line1: str | None
    billing_address_line2: str | None
    billing_city: str | None
    billing_state: str | None
    billing_postal_code: str | None
    billing_country: str
    sms_notifications_enabled: bool
    email_notifications_enabled: bool
    is_active: bool
    created_at: datetime
    updated_at: datetime
    contacts: list[ContactRead]
    notes: str | None = None
    stripe_customer_id: str | None = None
    assigned_sales_agent_id: int | None = None
