"""Request and response models of leads, their activities, the assignment queue and conversion."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from coachway.charters.models import TRIP_TYPES
from coachway.charters.schemas import LocalTime, Passengers, TripDate, When
from coachway.core.fields import Email, Line, Phone, RefId, Text
from coachway.core.money import to_money
from coachway.sales.models import ACTIVITY_TYPES, LEAD_SOURCES, LEAD_STATUSES

Source = Literal[LEAD_SOURCES]
Status = Literal[LEAD_STATUSES]
ActivityType = Literal[ACTIVITY_TYPES]
TripType = Literal[TRIP_TYPES]
Value = Annotated[Decimal, Field(ge=0, le=Decimal("9999999.99"), max_digits=12, decimal_places=2),
                  AfterValidator(to_money)]
Name = Line(100, min_length=1)
Cap = Annotated[int, Field(ge=0, le=10_000)]


class LeadCreate(BaseModel):
    """A new lead; it is assigned at once unless a manager names the agent."""

    model_config = ConfigDict(extra="forbid")

    source: Source
    first_name: Name
    last_name: Name
    email: Email
    phone: Phone | None = None
    company: Line(255) | None = None
    trip_date: TripDate | None = None
    origin: Line(255) | None = None
    destination: Line(255) | None = None
    passenger_count: Passengers | None = None
    vehicle_type: Line(50) | None = None
    trip_type: TripType | None = None
    hub_id: RefId | None = None
    estimated_value: Value | None = None
    notes: Text(5000) | None = None
    next_follow_up: When | None = None
    assigned_to: RefId | None = None


class LeadUpdate(BaseModel):
    """Only the fields sent change; status moves within the allowed transitions (lost needs lost_reason)."""

    model_config = ConfigDict(extra="forbid")

    source: Source | None = None
    first_name: Name | None = None
    last_name: Name | None = None
    email: Email | None = None
    phone: Phone | None = None
    company: Line(255) | None = None
    trip_date: TripDate | None = None
    origin: Line(255) | None = None
    destination: Line(255) | None = None
    passenger_count: Passengers | None = None
    vehicle_type: Line(50) | None = None
    trip_type: TripType | None = None
    hub_id: RefId | None = None
    estimated_value: Value | None = None
    notes: Text(5000) | None = None
    next_follow_up: When | None = None
    status: Status | None = None
    lost_reason: Text(2000) | None = None


# Fields a PUT may clear by sending null (the others ignore null: they are required or have a default).
CLEARABLE = {"phone", "company", "trip_date", "origin", "destination", "passenger_count", "vehicle_type",
             "trip_type", "hub_id", "estimated_value", "notes", "next_follow_up"}


class LeadRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    source: str
    status: str
    lead_score: int
    is_hot: bool = False
    first_name: str
    last_name: str
    email: str
    phone: str | None
    company: str | None
    trip_date: date | None
    origin: str | None
    destination: str | None
    passenger_count: int | None
    vehicle_type: str | None
    trip_type: str | None
    hub_id: int | None
    estimated_value: Decimal | None
    notes: str | None
    client_id: int | None
    assigned_to: int | None
    assigned_to_name: str | None = None
    assigned_at: datetime | None
    assignment_method: str | None
    last_contact_date: datetime | None
    next_follow_up: datetime | None
    contact_count: int
    converted_to_charter_id: int | None
    converted_at: datetime | None
    lost_reason: str | None
    created_by: int | None
    created_at: datetime
    updated_at: datetime


class ActivityCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    activity_type: ActivityType
    description: Text(5000) | None = None
    next_follow_up: When | None = None


class ActivityRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    lead_id: int
    activity_type: str
    description: str | None
    created_by: int | None
    created_at: datetime


class FollowUpEmail(BaseModel):
    model_config = ConfigDict(extra="forbid")

    subject: Line(200, min_length=1)
    message: Text(5000, min_length=1)
    next_follow_up: When | None = None


class FollowUpEmailRead(BaseModel):
    sent: bool
    reason: str | None
    notification_id: int


class ScoreRead(BaseModel):
    recency: int
    value: int
    trip_date: int
    engagement: int
    total: int
    hot: bool


class AssignRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lead_ids: list[RefId] = Field(min_length=1, max_length=100)
    assigned_to: RefId
    note: Line(500) | None = None


class QueueEntryUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user_id: RefId
    is_active: bool = True
    max_daily_leads: Cap | None = None


class QueueUpdate(BaseModel):
    """The whole queue in turn order; people left out leave it."""

    model_config = ConfigDict(extra="forbid")

    entries: list[QueueEntryUpdate] = Field(max_length=200)


class QueueEntryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    user_id: int
    full_name: str
    email: str
    user_active: bool
    position: int
    is_active: bool
    max_daily_leads: int | None
    leads_assigned_today: int
    last_assigned_at: datetime | None
    at_cap: bool
    next_up: bool


class ConvertRequest(BaseModel):
    """What to put on the quote beyond what the lead says (each overrides the lead's value)."""

    model_config = ConfigDict(extra="forbid")

    client_id: RefId | None = None
    hub_id: RefId | None = None
    trip_date: TripDate | None = None
    pickup_time: LocalTime | None = None
    passenger_count: Passengers | None = None
    trip_type: TripType | None = None
    vehicle_type_id: RefId | None = None


class ConvertRead(BaseModel):
    lead: LeadRead
    charter_id: int
    client_id: int
    client_created: bool
    priced: bool
    quoted_price: Decimal | None
    pricing_note: str | None


class StageRead(BaseModel):
    status: str
    label: str
    count: int
    estimated_value: Decimal
    leads: list[LeadRead]


class PipelineRead(BaseModel):
    stages: list[StageRead]


class FollowUpsRead(BaseModel):
    overdue: list[LeadRead]
    today: list[LeadRead]

