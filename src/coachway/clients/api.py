"""Clients and their contacts over HTTP (/api/v1/clients)."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from coachway.clients import service
from coachway.clients.schemas import (
    ClientCreate,
    ClientRead,
    ClientType,
    ClientUpdate,
    ContactCreate,
    ContactRead,
    ContactUpdate,
)
from coachway.core.deps import CurrentActor, PageDep, SessionDep
from coachway.core.fields import MAX_ID
from coachway.core.pagination import Page
from coachway.core.permissions import Actor

router = APIRouter(prefix="/api/v1", tags=["clients"])
Id = Annotated[int, Path(ge=1, le=MAX_ID)]


def _shape(actor: Actor, client) -> ClientRead:
    # Built from a dict so that hidden fields stay unset and exclude_unset leaves them out.
    data = ClientRead.model_validate(client).model_dump()
    return ClientRead.model_validate(service.visible_fields(actor, data))


@router.get("/clients", response_model=Page[ClientRead], response_model_exclude_unset=True)
def list_clients(actor: CurrentActor, session: SessionDep, page: PageDep,
                 q: Annotated[str | None, Query(max_length=100)] = None,
                 client_type: ClientType | None = None, is_active: bool | None = None,
                 assigned_sales_agent_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None):
    """Clients, searched by name, email or phone and filtered."""
    items, total = service.list_clients(session, actor, q=q, client_type=client_type, is_active=is_active,
                                        assigned_sales_agent_id=assigned_sales_agent_id,
                                        limit=page.limit, offset=page.offset)
    return Page(items=[_shape(actor, c) for c in items], total=total, limit=page.limit, offset=page.offset)


@router.post("/clients", response_model=ClientRead, status_code=201, response_model_exclude_unset=True)
def create_client(body: ClientCreate, actor: CurrentActor, session: SessionDep):
    """Open a client account."""
    return _shape(actor, service.create_client(session, actor, **body.model_dump()))


@router.get("/clients/{client_id}", response_model=ClientRead, response_model_exclude_unset=True)
def get_client(client_id: Id, actor: CurrentActor, session: SessionDep):
    """One client."""
    return _shape(actor, service.get_client(session, actor, client_id))


@router.patch("/clients/{client_id}", response_model=ClientRead, response_model_exclude_unset=True)
def update_client(client_id: Id, body: ClientUpdate, actor: CurrentActor, session: SessionDep):
    """Change a client; only the fields sent change."""
    return _shape(actor, service.update_client(session, actor, client_id,
                                               **body.model_dump(exclude_unset=True)))


@router.delete("/clients/{client_id}", status_code=204)
def deactivate_client(client_id: Id, actor: CurrentActor, session: SessionDep):
    """Deactivate a client (nothing is deleted)."""
    service.deactivate_client(session, actor, client_id)
    return Response(status_code=204)


@router.get("/clients/{client_id}/contacts", response_model=list[ContactRead])
def list_contacts(client_id: Id, actor: CurrentActor, session: SessionDep):
    """A client's contacts, primary first."""
    return service.list_contacts(session, actor, client_id)


@router.post("/clients/{client_id}/contacts", response_model=ContactRead, status_code=201)
def add_contact(client_id: Id, body: ContactCreate, actor: CurrentActor, session: SessionDep):
    """Add a contact to a client."""
    return service.add_contact(session, actor, client_id, **body.model_dump())


@router.patch("/clients/{client_id}/contacts/{contact_id}", response_model=ContactRead)
def update_contact(client_id: Id, contact_id: Id, body: ContactUpdate, actor: CurrentActor,
                   session: SessionDep):
    """Change a contact; is_primary true makes it the client's primary contact."""
    changes = body.model_dump(exclude_unset=True)
    return service.update_contact(session, actor, client_id, contact_id, **changes)


@router.delete("/clients/{client_id}/contacts/{contact_id}", status_code=204)
def remove_contact(client_id: Id, contact_id: Id, actor: CurrentActor, session: SessionDep):
    """Remove a contact."""
    service.remove_contact(session, actor, client_id, contact_id)
    return Response(status_code=204)
