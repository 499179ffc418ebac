"""Charters, their vehicles and itinerary, routes, vehicle recommendations and DOT checks over HTTP."""

from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Path, Query, Response

from coachway.charters import service
from coachway.charters.schemas import (
    AssignAgent,
    CancelCharter,
    CharterCreate,
    CharterDetail,
    CharterRead,
    CharterStatus,
    CharterUpdate,
    CharterVehicleCreate,
    CharterVehicleRead,
    CharterVehiclesReplace,
    CharterVehicleUpdate,
    DotCheckRequest,
    DotCheckResponse,
    DotRegulationRead,
    DotRegulationUpdate,
    GeocodeResponse,
    MixRead,
    RecommendationRequest,
    ReorderStops,
    RouteRead,
    StopCreate,
    StopRead,
    StopUpdate,
    TripDate,
    TripType,
)
from coachway.core.deps import CurrentActor, PageDep, SessionDep
from coachway.core.fields import MAX_ID
from coachway.core.pagination import Page
from coachway.core.permissions import Actor
from coachway.payments import service as payments_service

router = APIRouter(prefix="/api/v1", tags=["charters"])
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
RefFilter = Annotated[int | None, Query(ge=1, le=MAX_ID)]


# ---------------------------------------------------------------- shaping

def _charter_data(actor: Actor, charter, label: service.CharterLabels | None) -> dict[str, Any]:
    data = CharterRead.model_validate(charter).model_dump()
    timezone = label.timezone if label else "UTC"
    zone = ZoneInfo(timezone)
    data |= {
        "client_name": label.client_name if label else None, "hub_code": label.hub_code if label else None,
        "timezone": timezone, "sales_agent_name": label.sales_agent_name if label else None,
        "allowed_actions": service.allowed_actions(actor, charter),
        "start_local": charter.start_datetime.astimezone(zone) if charter.start_datetime else None,
        "end_local": charter.end_datetime.astimezone(zone) if charter.end_datetime else None,
    }
    return service.visible_fields(actor, data)


def _shape(actor: Actor, session, charter) -> CharterRead:
    # Built from a dict so that hidden fields stay unset and exclude_unset leaves them out.
    label = service.labels(session, [charter]).get(charter.id)
    days = service.day_labels(session, [charter])
    return CharterRead.model_validate(_charter_data(actor, charter, label) | _day(days, charter))


def _day(days: dict, charter) -> dict[str, Any]:
    return {"day_label": days[charter.id]["label"]} if charter.id in days else {}


def _page(actor: Actor, session, items: list, total: int, page) -> Page[CharterRead]:
    labels = service.labels(session, items)
    days = service.day_labels(session, items)
    return Page(items=[CharterRead.model_validate(_charter_data(actor, c, labels.get(c.id)) | _day(days, c))
                       for c in items], total=total, limit=page.limit, offset=page.offset)


def _detail(actor: Actor, session, charter_id: int) -> CharterDetail:
    charter, lines, stops = service.get_charter_parts(session, actor, charter_id)
    label = service.labels(session, [charter]).get(charter.id)
    data = _charter_data(actor, charter, label) | _day(service.day_labels(session, [charter]), charter)
    data |= {"vehicles": lines, "stops": [StopRead.model_validate(s).model_dump() for s in stops]}
    data |= service.visible_fields(actor, {"price_breakdown": charter.price_breakdown})
    return CharterDetail.model_validate(data)


def _mixes(actor: Actor, mixes: list[dict[str, Any]]) -> list[MixRead]:
    return [MixRead.model_validate(service.visible_fields(actor, mix)) for mix in mixes]


# ---------------------------------------------------------------- charters

@router.get("/charters", response_model=Page[CharterRead], response_model_exclude_unset=True)
def list_charters(actor: CurrentActor, session: SessionDep, page: PageDep,
                  status: CharterStatus | None = None,
                  date_from: Annotated[TripDate | None, Query()] = None,
                  date_to: Annotated[TripDate | None, Query()] = None,
                  agent_id: RefFilter = None, client_id: RefFilter = None, hub_id: RefFilter = None,
                  trip_type: TripType | None = None, q: Annotated[str | None, Query(max_length=100)] = None,
                  include_superseded: bool = False):
    """Charters the caller may see, latest trip first; filter by status, trip dates, agent, client, hub,
    trip type, or search the client's name (q). Quotes replaced by a revision only with include_superseded."""
    items, total = service.list_charters(session, actor, status=status, date_from=date_from, date_to=date_to,
                                         agent_id=agent_id, client_id=client_id, hub_id=hub_id,
                                         trip_type=trip_type, q=q, include_superseded=include_superseded,
                                         limit=page.limit, offset=page.offset)
    return _page(actor, session, items, total, page)


@router.get("/charters/my-quotes", response_model=Page[CharterRead], response_model_exclude_unset=True)
def my_quotes(actor: CurrentActor, session: SessionDep, page: PageDep,
              days: Annotated[int | None, Query(ge=0, le=3650)] = None):
    """The caller's own open quotes, soonest trip first; days keeps those within the next days days."""
    items, total = service.list_my_quotes(session, actor, days=days, limit=page.limit, offset=page.offset)
    return _page(actor, session, items, total, page)


@router.post("/charters", response_model=CharterDetail, status_code=201, response_model_exclude_unset=True)
def create_charter(body: CharterCreate, actor: CurrentActor, session: SessionDep):
    """Open a quote (optionally with its stops and vehicles); an agent's quote is its own."""
    fields = body.model_dump(exclude={"stops", "vehicles"})
    charter = service.create_charter(session, actor, **fields,
                                     stops=[s.model_dump(exclude={"position"}) for s in body.stops],
                                     vehicles=[v.model_dump() for v in body.vehicles])
    return _detail(actor, session, charter.id)


@router.get("/charters/{charter_id}", response_model=CharterDetail, response_model_exclude_unset=True)
def get_charter(charter_id: Id, actor: CurrentActor, session: SessionDep):
    """One charter with its vehicles and itinerary."""
    return _detail(actor, session, charter_id)


@router.put("/charters/{charter_id}", response_model=CharterRead, response_model_exclude_unset=True)
def update_charter(charter_id: Id, body: CharterUpdate, actor: CurrentActor, session: SessionDep):
    """Change a charter's trip details; only the fields sent change (completed or cancelled: 409)."""
    charter = service.update_charter(session, actor, charter_id, **body.model_dump(exclude_unset=True))
    return _shape(actor, session, charter)


def _step(action: str):
    def take(charter_id: Id, actor: CurrentActor, session: SessionDep):
        return _shape(actor, session, service.change_status(session, actor, charter_id, action))
    return take


for _action, _summary in (("book", "The client accepted: the quote becomes a booking."),
                          ("confirm", "Confirm a booking."),
                          ("start", "The trip is under way."),
                          ("complete", "The trip is over.")):
    router.add_api_route(f"/charters/{{charter_id}}/{_action}", _step(_action), methods=["POST"],
                         response_model=CharterRead, response_model_exclude_unset=True,
                         name=f"{_action}_charter", summary=f"{_action.capitalize()} a charter",
                         description=f"{_summary} Refused with 409 unless the workflow allows it.")


@router.post("/charters/{charter_id}/cancel", response_model=CharterRead, response_model_exclude_unset=True)
def cancel_charter(charter_id: Id, body: CancelCharter, actor: CurrentActor, session: SessionDep):
    """Cancel a quote, booking or confirmed trip with a reason (a trip under way: 409). The fee is the
    cancellation policy's unless given; it becomes what the client owes, and what they paid beyond it goes
    back to them (refund_overpayment, for staff who may refund)."""
    data = body.model_dump()
    charter, _refunds = payments_service.cancel(session, actor, charter_id,
                                                cancellation_reason=data["cancellation_reason"],
                                                cancellation_fee=data["cancellation_fee"],
                                                refund=data["refund_overpayment"])
    return _shape(actor, session, charter)


@router.put("/charters/{charter_id}/assign-agent", response_model=CharterRead,
            response_model_exclude_unset=True)
def assign_agent(charter_id: Id, body: AssignAgent, actor: CurrentActor, session: SessionDep):
    """Hand the charter to another active sales agent (managers: any charter; agents: their own)."""
    charter = service.assign_agent(session, actor, charter_id, sales_agent_id=body.sales_agent_id)
    return _shape(actor, session, charter)


# ---------------------------------------------------------------- vehicles

@router.get("/charters/{charter_id}/vehicles", response_model=list[CharterVehicleRead])
def list_vehicles(charter_id: Id, actor: CurrentActor, session: SessionDep):
    """The charter's vehicle lines (type, quantity, unit chosen)."""
    return service.describe_vehicles(session, service.list_charter_vehicles(session, actor, charter_id))


@router.post("/charters/{charter_id}/vehicles", response_model=CharterVehicleRead, status_code=201)
def add_vehicle(charter_id: Id, body: CharterVehicleCreate, actor: CurrentActor, session: SessionDep):
    """Add vehicles of one type to the charter (vehicle_count follows)."""
    line = service.add_charter_vehicle(session, actor, charter_id, **body.model_dump())
    return service.describe_vehicles(session, [line])[0]


@router.put("/charters/{charter_id}/vehicles", response_model=list[CharterVehicleRead])
def replace_vehicles(charter_id: Id, body: CharterVehiclesReplace, actor: CurrentActor, session: SessionDep):
    """Set the charter's whole vehicle mix (a chosen recommendation or a manual override)."""
    lines = service.replace_charter_vehicles(session, actor, charter_id,
                                             [v.model_dump() for v in body.vehicles])
    return service.describe_vehicles(session, lines)


@router.put("/charters/{charter_id}/vehicles/{line_id}", response_model=CharterVehicleRead)
def update_vehicle(charter_id: Id, line_id: Id, body: CharterVehicleUpdate, actor: CurrentActor,
                   session: SessionDep):
    """Change a vehicle line; only the fields sent change."""
    line = service.update_charter_vehicle(session, actor, charter_id, line_id,
                                          **body.model_dump(exclude_unset=True))
    return service.describe_vehicles(session, [line])[0]


@router.delete("/charters/{charter_id}/vehicles/{line_id}", status_code=204)
def remove_vehicle(charter_id: Id, line_id: Id, actor: CurrentActor, session: SessionDep):
    """Take a vehicle line off the charter."""
    service.remove_charter_vehicle(session, actor, charter_id, line_id)
    return Response(status_code=204)


@router.get("/charters/{charter_id}/vehicle-recommendations", response_model=list[MixRead],
            response_model_exclude_unset=True)
def charter_recommendations(charter_id: Id, actor: CurrentActor, session: SessionDep):
    """Vehicle mixes that carry the charter's group, cheapest first."""
    return _mixes(actor, service.recommend_for_charter(session, actor, charter_id))


@router.post("/vehicle-recommendations", response_model=list[MixRead], response_model_exclude_unset=True)
def recommendations(body: RecommendationRequest, actor: CurrentActor, session: SessionDep):
    """Vehicle mixes for an ad-hoc group (passengers, luggage, trip type, hours), cheapest first."""
    return _mixes(actor, service.recommend_vehicles(session, actor, **body.model_dump()))


# ---------------------------------------------------------------- itinerary

@router.get("/charters/{charter_id}/stops", response_model=list[StopRead])
def list_stops(charter_id: Id, actor: CurrentActor, session: SessionDep):
    """The charter's stops in order, with estimated arrival and departure."""
    return service.list_stops(session, actor, charter_id)


@router.post("/charters/{charter_id}/stops", response_model=StopRead, status_code=201)
def add_stop(charter_id: Id, body: StopCreate, actor: CurrentActor, session: SessionDep,
             geocode: bool = False):
    """Add a stop (at position, shifting the later ones; default last); geocode=true looks it up now."""
    return service.add_stop(session, actor, charter_id, geocode=geocode, **body.model_dump())


@router.put("/charters/{charter_id}/stops/{stop_id}", response_model=StopRead)
def update_stop(charter_id: Id, stop_id: Id, body: StopUpdate, actor: CurrentActor, session: SessionDep,
                geocode: bool = False):
    """Change a stop; only the fields sent change. A new address without coordinates is looked up again."""
    return service.update_stop(session, actor, charter_id, stop_id, geocode=geocode,
                               **body.model_dump(exclude_unset=True))


@router.delete("/charters/{charter_id}/stops/{stop_id}", status_code=204)
def remove_stop(charter_id: Id, stop_id: Id, actor: CurrentActor, session: SessionDep):
    """Take a stop off the itinerary; the later ones move up."""
    service.remove_stop(session, actor, charter_id, stop_id)
    return Response(status_code=204)


@router.put("/charters/{charter_id}/reorder-stops", response_model=list[StopRead])
def reorder_stops(charter_id: Id, body: ReorderStops, actor: CurrentActor, session: SessionDep):
    """Put the stops in a new order: stop_ids lists every stop of the charter once."""
    return service.reorder_stops(session, actor, charter_id, body.stop_ids)


@router.post("/charters/{charter_id}/geocode-stops", response_model=GeocodeResponse)
def geocode_stops(charter_id: Id, actor: CurrentActor, session: SessionDep, force: bool = False):
    """Look up coordinates of the stops lacking them (all with force=true); failures are reported per stop."""
    results = service.geocode_stops(session, actor, charter_id, force=force)
    return {"results": results, "route": service.get_route(session, actor, charter_id)}


@router.get("/charters/{charter_id}/route", response_model=RouteRead)
def get_route(charter_id: Id, actor: CurrentActor, session: SessionDep):
    """The route garage to garage: legs, times per stop, totals and the DOT check."""
    return service.get_route(session, actor, charter_id)


# ---------------------------------------------------------------- DOT

@router.post("/check-dot-compliance", response_model=DotCheckResponse)
def check_dot_compliance(body: DotCheckRequest, actor: CurrentActor, session: SessionDep):
    """Check a charter (charter_id) or an ad-hoc trip (stops, start, trip_days, hub_id) against the DOT
    hours-of-service rules: which rules one driver would break, and whether a second driver is needed."""
    stops = None if body.stops is None else [s.model_dump() for s in body.stops]
    return service.check_dot_compliance(session, actor, charter_id=body.charter_id, stops=stops,
                                        start=body.start, trip_days=body.trip_days, hub_id=body.hub_id)


@router.get("/dot-regulations", response_model=list[DotRegulationRead])
def list_dot_regulations(actor: CurrentActor, session: SessionDep):
    """The DOT hours-of-service rules, active or not."""
    return service.list_dot_regulations(session, actor)


@router.put("/dot-regulations/{regulation_id}", response_model=DotRegulationRead)
def update_dot_regulation(regulation_id: Id, body: DotRegulationUpdate, actor: CurrentActor,
                          session: SessionDep):
    """Tune a DOT rule (limit, second-driver flag, wording, on or off)."""
    return service.update_dot_regulation(session, actor, regulation_id, **body.model_dump(exclude_unset=True))


from coachway.charters.api_quotes import router as _quotes_router  # noqa: E402 - its routes use _detail

router.include_router(_quotes_router)
from coachway.charters.api_series import router as _series_router  # noqa: E402

router.include_router(_series_router)
