"""Leads, their activities and follow-ups, the pipeline, assignment and its queue, and conversion to a
quote, over HTTP (/api/v1/leads...)."""

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query

from coachway.core.deps import CurrentActor, PageDep, SessionDep
from coachway.core.errors import Invalid
from coachway.core.fields import MAX_ID
from coachway.core.pagination import Page
from coachway.sales import service
from coachway.sales.models import LEAD_SOURCES, OPEN_LEAD_STATUSES, Lead
from coachway.sales.schemas import (
    CLEARABLE,
    ActivityCreate,
    ActivityRead,
    AssignRequest,
    ConvertRead,
    ConvertRequest,
    FollowUpEmail,
    FollowUpEmailRead,
    FollowUpsRead,
    LeadCreate,
    LeadRead,
    LeadUpdate,
    PipelineRead,
    QueueEntryRead,
    QueueUpdate,
    ScoreRead,
)

router = APIRouter(prefix="/api/v1", tags=["sales"])
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
RefFilter = Annotated[int | None, Query(ge=1, le=MAX_ID)]
StatusFilter = Literal["open", "new", "contacted", "qualified", "quoted", "converted", "lost"]
SourceFilter = Literal[LEAD_SOURCES]
SortFilter = Literal[tuple(service.SORTS)]
FollowUpFilter = Literal["today", "overdue", "due"]


def lead_read(lead: Lead, names: dict[int, str] | None = None) -> LeadRead:
    """The API shape of a lead (names: agent names by id, to avoid a query per lead)."""
    data = LeadRead.model_validate(lead)
    data.is_hot = service.is_hot(lead)
    if lead.assigned_to is not None and names is not None:
        data.assigned_to_name = names.get(lead.assigned_to)
    return data


def _reads(session, leads: list[Lead]) -> list[LeadRead]:
    names = service.names_of(session, leads)
    return [lead_read(lead, names) for lead in leads]


def _one(session, lead: Lead) -> LeadRead:
    return _reads(session, [lead])[0]


# ---------------------------------------------------------------- collections (before /leads/{id})

@router.post("/leads", response_model=LeadRead, status_code=201)
def create_lead(body: LeadCreate, actor: CurrentActor, session: SessionDep):
    """Enter a lead. It is assigned at once: to the agent of the client whose email or phone it is, else
    to the next agent of the round robin under today's cap; a manager may name the agent instead."""
    lead = service.create_lead(session, actor, **body.model_dump())
    return _one(session, lead)


@router.get("/leads", response_model=Page[LeadRead])
def list_leads(actor: CurrentActor, session: SessionDep, page: PageDep, status: StatusFilter | None = None,
               assigned_to: RefFilter = None, unassigned: bool = False, source: SourceFilter | None = None,
               date_from: date | None = None, date_to: date | None = None, recent: bool = False,
               q: Annotated[str | None, Query(max_length=100)] = None, hot: bool = False,
               follow_up: FollowUpFilter | None = None, sort: SortFilter = "newest"):
    """Leads you may see. recent=true keeps the last 30 days; date_from/date_to filter the day received
    (company time); status=open keeps new, contacted, qualified and quoted; hot=true keeps hot leads;
    follow_up=today|overdue|due keeps open leads with a follow-up then."""
    rows, total = service.list_leads(session, actor, status=status, assigned_to=assigned_to,
                                     unassigned=unassigned, source=source, date_from=date_from,
                                     date_to=date_to, recent=recent, q=q, hot=hot, follow_up=follow_up,
                                     sort=sort, limit=page.limit, offset=page.offset)
    return Page(items=_reads(session, rows), total=total, limit=page.limit, offset=page.offset)


@router.get("/leads/my-leads", response_model=Page[LeadRead])
def my_leads(actor: CurrentActor, session: SessionDep, page: PageDep, status: StatusFilter | None = "open",
             sort: SortFilter = "follow_up"):
    """Your own leads: open ones by default, next follow-up first."""
    rows, total = service.my_leads(session, actor, status=status, sort=sort, limit=page.limit,
                                   offset=page.offset)
    return Page(items=_reads(session, rows), total=total, limit=page.limit, offset=page.offset)


@router.get("/leads/pipeline", response_model=PipelineRead)
def pipeline(actor: CurrentActor, session: SessionDep, assigned_to: RefFilter = None):
    """Leads grouped by status: count, estimated value and (up to 100, hottest first) the leads."""
    stages = service.pipeline(session, actor, assigned_to=assigned_to)
    names = service.names_of(session, [lead for s in stages for lead in s.leads])
    return PipelineRead(stages=[{"status": s.status, "label": s.label, "count": s.count,
                                 "estimated_value": s.estimated_value,
                                 "leads": [lead_read(lead, names) for lead in s.leads]} for s in stages])


@router.get("/leads/follow-ups", response_model=FollowUpsRead)
def follow_ups(actor: CurrentActor, session: SessionDep, assigned_to: RefFilter = None):
    """Open leads with a follow-up due today, and those overdue."""
    lists = service.follow_ups(session, actor, assigned_to=assigned_to)
    return FollowUpsRead(overdue=_reads(session, lists["overdue"]), today=_reads(session, lists["today"]))


@router.post("/leads/assign", response_model=list[LeadRead])
def assign(body: AssignRequest, actor: CurrentActor, session: SessionDep):
    """Assign leads to someone by hand (managers)."""
    leads = service.assign_leads(session, actor, body.lead_ids, assigned_to=body.assigned_to, note=body.note)
    return _reads(session, leads)


@router.get("/leads/assignment-queue", response_model=list[QueueEntryRead])
def get_queue(actor: CurrentActor, session: SessionDep):
    """The round robin in turn order: who takes leads, their caps, today's counts and who is next."""
    return [QueueEntryRead.model_validate(e) for e in service.get_queue(session, actor)]


@router.put("/leads/assignment-queue", response_model=list[QueueEntryRead])
def update_queue(body: QueueUpdate, actor: CurrentActor, session: SessionDep):
    """Set the whole queue: entries in turn order with is_active and max_daily_leads; people left out
    leave the queue."""
    entries = service.update_queue(session, actor, [e.model_dump() for e in body.entries])
    return [QueueEntryRead.model_validate(e) for e in entries]


# ---------------------------------------------------------------- one lead

@router.get("/leads/{lead_id}", response_model=LeadRead)
def get_lead(lead_id: Id, actor: CurrentActor, session: SessionDep):
    """One lead."""
    return _one(session, service.get_lead(session, actor, lead_id))


def _changes(body: LeadUpdate) -> dict:
    sent = body.model_dump(exclude_unset=True)
    for key, value in sent.items():
        if value is None and key not in CLEARABLE and key not in ("status", "lost_reason"):
            raise Invalid.field(key, "This cannot be empty.")
    return {k: v for k, v in sent.items() if not (v is None and k in ("status", "lost_reason"))}


@router.put("/leads/{lead_id}", response_model=LeadRead)
def update_lead(lead_id: Id, body: LeadUpdate, actor: CurrentActor, session: SessionDep):
    """Change a lead; only the fields sent change. status moves new → contacted → qualified → quoted, or
    to lost (with lost_reason), or back from lost; converted comes from POST .../convert."""
    return _one(session, service.update_lead(session, actor, lead_id, **_changes(body)))


@router.post("/leads/{lead_id}/convert", response_model=ConvertRead, status_code=201)
def convert(lead_id: Id, actor: CurrentActor, session: SessionDep, body: ConvertRequest | None = None):
    """Turn the lead into a quote in one step: the client found or created from the lead, the trip, an
    itinerary from origin to destination and vehicles of the requested type; priced when it can be."""
    result = service.convert_lead(session, actor, lead_id, **(body.model_dump() if body else {}))
    charter = result["charter"]
    return ConvertRead(lead=_one(session, result["lead"]), charter_id=charter.id, client_id=charter.client_id,
                       client_created=result["client_created"], priced=result["priced"],
                       quoted_price=charter.quoted_price, pricing_note=result["pricing_note"])


@router.post("/leads/{lead_id}/activities", response_model=ActivityRead, status_code=201)
def log_activity(lead_id: Id, body: ActivityCreate, actor: CurrentActor, session: SessionDep):
    """Log a call, email, meeting or note; optionally schedule the next follow-up."""
    return service.log_activity(session, actor, lead_id, **body.model_dump())


@router.get("/leads/{lead_id}/activities", response_model=list[ActivityRead])
def list_activities(lead_id: Id, actor: CurrentActor, session: SessionDep):
    """The lead's timeline, newest first (what people logged and what the system did)."""
    return service.list_activities(session, actor, lead_id)


@router.post("/leads/{lead_id}/follow-up-email", response_model=FollowUpEmailRead)
def follow_up_email(lead_id: Id, body: FollowUpEmail, actor: CurrentActor, session: SessionDep):
    """Email the lead (tracked, and only if the client's email preferences allow follow-ups)."""
    return service.send_follow_up(session, actor, lead_id, **body.model_dump())


@router.get("/leads/{lead_id}/score", response_model=ScoreRead)
def lead_score(lead_id: Id, actor: CurrentActor, session: SessionDep):
    """How the lead's hot-lead score is made up right now (see the README for the rule)."""
    parts = service.lead_score(session, actor, lead_id)
    lead = service.get_lead(session, actor, lead_id)
    hot = parts["total"] >= service.HOT_THRESHOLD and lead.status in OPEN_LEAD_STATUSES
    return ScoreRead(**parts, hot=hot)


# ---------------------------------------------------------------- the sales dashboard and reports

def _include_dashboard() -> None:
    from pathlib import Path

    if (Path(__file__).parent / "api_dashboard.py").exists():
        from coachway.sales import api_dashboard

        router.include_router(api_dashboard.router)


_include_dashboard()


# ---------------------------------------------------------------- the public calculator's JSON twin

def _include_public() -> None:
    from coachway.sales import public

    router.include_router(public.api_router)


_include_public()
