"""Request and response models of cloning charters and recurring series."""

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from coachway.charters.recurrence import MAX_INSTANCES, MAX_RULE_LENGTH
from coachway.charters.schemas import CharterVehicleCreate, LocalTime, Passengers, TripDate
from coachway.charters.service.series import MAX_CLONE_DATES, MAX_SERIES_NAME
from coachway.core.fields import RefId, Text

Rule = Text(MAX_RULE_LENGTH, 1)


class CloneRequest(BaseModel):
    """Copies of a charter on new dates (the spec's clone request; charter_id, when sent, must be the one in
    the path)."""

    model_config = ConfigDict(extra="forbid")

    charter_id: RefId | None = None
    new_dates: list[TripDate] = Field(min_length=1, max_length=MAX_CLONE_DATES)
    adjust_pricing: bool = True
    copy_documents: bool = False
    copy_vendor_assignment: bool = False


class CloneOneRequest(BaseModel):
    """One copy of a charter on a new date."""

    model_config = ConfigDict(extra="forbid")

    new_date: TripDate
    adjust_pricing: bool = True
    copy_documents: bool = False
    copy_vendor_assignment: bool = False


class RecurrencePreviewRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    recurrence_rule: Rule
    start_date: TripDate
    end_date: TripDate | None = None
    exclude_dates: list[TripDate] = Field(default_factory=list, max_length=MAX_INSTANCES)


class RecurrencePreview(BaseModel):
    recurrence_rule: str
    dates: list[date]
    count: int
    summary: str


class RecurringCreate(RecurrencePreviewRequest):
    """The spec's recurring request: a series made from base_charter_id on each date of the rule."""

    base_charter_id: RefId
    series_name: Text(MAX_SERIES_NAME, 1)
    adjust_pricing_per_instance: bool = False
    description: Text(2000) | None = None


class SeriesInstance(BaseModel):
    id: int
    instance_number: int | None
    trip_date: date
    status: str
    quoted_price: Decimal | None = None
    removed_from_series_at: datetime | None = None
    day_label: str | None = None


class SeriesRead(BaseModel):
    id: int
    name: str
    description: str | None
    recurrence_rule: str
    start_date: date
    end_date: date | None
    exclude_dates: list[date] | None = None
    master_charter_id: int | None
    total_instances: int
    active_instances: int
    created_by: int | None
    created_at: datetime
    instances: list[SeriesInstance] = Field(default_factory=list)


class SeriesChanges(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pickup_time: LocalTime | None = None
    passenger_count: Passengers | None = None
    notes: Text(5000) | None = None
    internal_notes: Text(5000) | None = None
    vehicles: list[CharterVehicleCreate] | None = Field(default=None, min_length=1, max_length=20)
    reprice: bool = False


class SeriesEdit(BaseModel):
    """Change "this" instance, "following" (this and every later one), or "all" running instances."""

    model_config = ConfigDict(extra="forbid")

    scope: str = Field(pattern="^(this|following|all)$")
    changes: SeriesChanges


class SeriesEditResult(BaseModel):
    scope: str
    edited: list[int]
    skipped: list[dict]
