"""Cloning charters to new dates and recurring series over HTTP (spec section 4)."""

from typing import Annotated

from fastapi import APIRouter, Path, Query

from coachway.charters import service
from coachway.charters.schemas_series import (
    CloneOneRequest,
    CloneRequest,
    RecurrencePreview,
    RecurrencePreviewRequest,
    RecurringCreate,
    SeriesEdit,
    SeriesEditResult,
    SeriesInstance,
    SeriesRead,
)
from coachway.core.deps import CurrentActor, SessionDep
from coachway.core.errors import Invalid
from coachway.core.fields import MAX_ID, Text
from coachway.core.permissions import Actor, require

router = APIRouter()  # included by charters/api.py under its /api/v1 prefix
Id = Annotated[int, Path(ge=1, le=MAX_ID)]


def _clones(session, charters) -> dict:
    return {"count": len(charters), "charters": [
        {"id": c.id, "trip_date": c.trip_date, "status": c.status, "quoted_price": c.quoted_price,
         "cloned_from_charter_id": c.cloned_from_charter_id} for c in charters]}


def _series(session, actor: Actor, series_id: int) -> SeriesRead:
    found = service.get_series(session, actor, series_id)
    series, labels = found["series"], found["labels"]
    instances = [SeriesInstance(id=c.id, instance_number=c.instance_number, trip_date=c.trip_date,
                                status=c.status, quoted_price=c.quoted_price,
                                removed_from_series_at=c.removed_from_series_at,
                                day_label=labels.get(c.id, {}).get("label")) for c in found["instances"]]
    return SeriesRead.model_validate(
        {**{k: getattr(series, k) for k in SeriesRead.model_fields if k != "instances"},
         "instances": instances})


@router.post("/charters/{charter_id}/clone", status_code=201)
def clone_charter(charter_id: Id, body: CloneOneRequest, actor: CurrentActor, session: SessionDep):
    """A copy of the charter on new_date, as a new quote (itinerary, vehicles and amenities; the price for
    the new date when adjust_pricing)."""
    made = service.clone_charter(session, actor, charter_id, new_dates=[body.new_date],
                                 adjust_pricing=body.adjust_pricing, copy_documents=body.copy_documents,
                                 copy_vendor_assignment=body.copy_vendor_assignment)
    return _clones(session, made)["charters"][0]


@router.post("/charters/{charter_id}/clone-multiple", status_code=201)
def clone_multiple(charter_id: Id, body: CloneRequest, actor: CurrentActor, session: SessionDep):
    """Copies on every date of new_dates, all or none (a duplicate or past date refuses the lot)."""
    if body.charter_id is not None and body.charter_id != charter_id:
        raise Invalid.field("charter_id", "Does not match the charter in the address.")
    made = service.clone_charter(session, actor, charter_id, new_dates=body.new_dates,
                                 adjust_pricing=body.adjust_pricing, copy_documents=body.copy_documents,
                                 copy_vendor_assignment=body.copy_vendor_assignment)
    return _clones(session, made)


@router.post("/charters/recurrence-preview", response_model=RecurrencePreview)
def preview(body: RecurrencePreviewRequest, actor: CurrentActor):
    """The dates a recurrence rule gives from start_date (to end_date, without exclude_dates)."""
    require(actor, "charters:create")
    return service.preview_recurrence(body.recurrence_rule, body.start_date, body.end_date,
                                      body.exclude_dates)


@router.post("/charters/create-recurring", response_model=SeriesRead, status_code=201)
def create_recurring(body: RecurringCreate, actor: CurrentActor, session: SessionDep):
    """A series of quotes copying base_charter_id on each date of recurrence_rule (RFC 5545)."""
    series = service.create_recurring(
        session, actor, base_charter_id=body.base_charter_id, series_name=body.series_name,
        recurrence_rule=body.recurrence_rule, start_date=body.start_date, end_date=body.end_date,
        exclude_dates=body.exclude_dates, adjust_pricing_per_instance=body.adjust_pricing_per_instance,
        description=body.description)
    return _series(session, actor, series.id)


@router.get("/charters/series/{series_id}", response_model=SeriesRead)
def get_series(series_id: Id, actor: CurrentActor, session: SessionDep):
    """A series and its instances (running and removed), each with Day X of Y."""
    return _series(session, actor, series_id)


@router.delete("/charters/{charter_id}/from-series", response_model=SeriesRead)
def remove_from_series(charter_id: Id, actor: CurrentActor, session: SessionDep,
                       reason: Annotated[Text(500) | None, Query()] = None):
    """Take one instance out of its series (cancelled, kept); the others keep their numbers."""
    series = service.remove_from_series(session, actor, charter_id, reason)
    return _series(session, actor, series.id)


@router.put("/charters/{charter_id}/series-edit", response_model=SeriesEditResult)
def edit_series(charter_id: Id, body: SeriesEdit, actor: CurrentActor, session: SessionDep):
    """Change this instance, this and the following ones, or the whole series."""
    changes = body.changes.model_dump(exclude_unset=True)
    # Sent as null, vehicles and reprice mean "no change"; notes and the pickup time null clear them.
    for key in ("vehicles", "reprice"):
        if not changes.get(key, True):
            changes.pop(key)
    if "vehicles" in changes:
        changes["vehicles"] = [v.model_dump() for v in body.changes.vehicles]
    return service.edit_series(session, actor, charter_id, scope=body.scope, changes=changes)
