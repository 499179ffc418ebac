"""Request and response models of quoting a charter: amenities, promo code, price, link, revisions, email."""

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from coachway.core.fields import Email, Line, RefId

AmenityQuantity = Field(default=1, ge=1, le=100)


class CharterAmenityAdd(BaseModel):
    """An amenity to put on the quote; one already there takes this quantity."""

    model_config = ConfigDict(extra="forbid")

    amenity_id: RefId
    quantity: int = AmenityQuantity


class CharterAmenityRead(BaseModel):
    """An amenity on a charter; the prices are as last calculated (empty until then)."""

    amenity_id: int
    name: str
    category: str | None
    pricing_type: str
    quantity: int
    price_per_unit: Decimal | None
    total_price: Decimal | None


class PromoCodeSet(BaseModel):
    """The promo code to apply; null (or empty) removes the one applied."""

    model_config = ConfigDict(extra="forbid")

    code: Line(50) | None


class QuoteLineRead(BaseModel):
    """One line of the price; discounts are negative."""

    kind: str
    label: str
    detail: str = ""
    amount: Decimal
    ref_id: int | None = None


class QuoteRead(BaseModel):
    """A calculated price: the lines add up to the total exactly. Vendor cost and margin are staff-only."""

    lines: list[QuoteLineRead]
    subtotal: Decimal
    total: Decimal
    deposit: Decimal
    balance: Decimal
    promo_code: str | None = None
    promo_problem: str | None = None
    notes: list[str] = []
    estimated_vendor_cost: Decimal | None = None
    margin: Decimal | None = None


class CalculationRead(BaseModel):
    """A quote's price with what it was calculated from (inputs: staff only); priced_at when it was saved."""

    quote: QuoteRead | None
    inputs: dict[str, Any] | None = None
    priced_at: datetime | None = None


class PromoCodeResult(CalculationRead):
    promo_code: str | None
    discount_amount: Decimal | None = None


class SecureLinkRead(BaseModel):
    """The link the client opens the quote with, and until when it works."""

    url: str
    token: str
    expires_at: datetime


class RevisionRead(BaseModel):
    id: int
    revision_number: int
    quoted_price: Decimal | None
    status: str
    created_at: datetime
    superseded_at: datetime | None


class SendQuote(BaseModel):
    """Whom to send to: the client's email on file unless `to` is given."""

    model_config = ConfigDict(extra="forbid")

    to: Email | None = None


class SendQuoteResult(BaseModel):
    """What was sent: status queued, or suppressed by the client's preferences (with the reason)."""

    notification_id: int
    status: str
    suppressed: bool
    suppressed_reason: str | None
    recipient: str
    url: str
    expires_at: datetime
    document_id: int
    quote_sent_at: datetime | None


class QuoteDocumentRead(BaseModel):
    """The quote's PDF, filed with the charter's documents."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    charter_id: int | None
    client_id: int | None
    document_category: str
    file_name: str
    content_type: str
    file_size: int
    uploaded_at: datetime


class AcceptQuote(BaseModel):
    """Who accepts (optional, kept in the audit log)."""

    model_config = ConfigDict(extra="forbid")

    name: Line(200) | None = None


class AcceptanceRead(BaseModel):
    charter_id: int
    quote_number: str
    status: str
    quote_accepted_at: datetime
    booked_at: datetime | None


# ---------------------------------------------------------------- the quote as shown

class QuoteClientRead(BaseModel):
    id: int
    name: str
    email: str | None = None


class QuoteHubRead(BaseModel):
    id: int
    code: str
    name: str
    timezone: str


class QuotePersonRead(BaseModel):
    name: str
    email: str | None = None
    phone: str | None = None


class QuoteCompanyRead(BaseModel):
    name: str
    address: str
    phone: str
    email: str


class QuoteStopRead(BaseModel):
    """A stop with its times in the hub's timezone."""

    sequence: int
    stop_type: str
    location_name: str | None
    address: str | None
    dwell_minutes: int
    notes: str | None
    scheduled_time: datetime | None
    arrival: datetime | None
    departure: datetime | None


class QuoteVehicleRead(BaseModel):
    vehicle_type_id: int
    code: str | None
    name: str | None
    capacity: int | None
    quantity: int


class QuoteLinkStatus(BaseModel):
    created: bool
    sent_at: datetime | None
    valid_until: datetime | None
    expired: bool


class QuoteAcceptedRead(BaseModel):
    at: datetime
    ip: str | None = None
    user_agent: str | None = None


class QuoteViewRead(BaseModel):
    """A quote as the quote panel, the PDF and the client's link show it (internal fields: staff only)."""

    charter_id: int
    quote_number: str
    status: str
    revision_number: int
    parent_quote_id: int | None
    superseded_by_id: int | None
    superseded_at: datetime | None
    newer_revision: int | None
    trip_type: str
    event_type: str | None
    passenger_count: int
    luggage_pieces: int
    trip_date: date
    pickup_time: time | None
    start_local: datetime | None
    end_local: datetime | None
    notes: str | None
    internal_notes: str | None = None
    requires_second_driver: bool
    total_miles: Decimal | None
    total_hours: Decimal | None
    client: QuoteClientRead
    hub: QuoteHubRead
    agent: QuotePersonRead | None
    company: QuoteCompanyRead
    stops: list[QuoteStopRead]
    vehicles: list[QuoteVehicleRead]
    amenities: list[CharterAmenityRead]
    breakdown: QuoteRead | None
    priced_at: datetime | None
    quoted_price: Decimal | None
    deposit_amount: Decimal | None
    balance_amount: Decimal | None
    estimated_vendor_cost: Decimal | None = None
    terms: str | None
    valid_days: int
    valid_until: datetime | None
    revisions: list[RevisionRead]
    link: QuoteLinkStatus
    accepted: QuoteAcceptedRead | None
    can_accept: bool
