"""Quoting a charter over HTTP: amenities, promo code, price, the quote, its link, PDF, email and revisions;
and the client's public quote link (no sign-in: the signed token is the credential).

Included into the charters router (charters/api.py), which adds the /api/v1 prefix.
"""

from typing import Annotated

from fastapi import APIRouter, Body, Path, Request, Response
from fastapi.responses import JSONResponse

from coachway.charters import service
from coachway.charters.schemas import CharterDetail, CharterUpdate
from coachway.charters.schemas_quotes import (
    AcceptanceRead,
    AcceptQuote,
    CalculationRead,
    CharterAmenityAdd,
    CharterAmenityRead,
    PromoCodeResult,
    PromoCodeSet,
    QuoteDocumentRead,
    QuoteViewRead,
    RevisionRead,
    SecureLinkRead,
    SendQuote,
    SendQuoteResult,
)
from coachway.core.deps import CurrentActor, SessionDep, client_ip
from coachway.core.errors import PROBLEM_JSON
from coachway.core.fields import MAX_ID

router = APIRouter(tags=["charters"])
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
Token = Annotated[str, Path(description="The token of a quote link (the part after /q/)")]
LINK_REFUSED = {404: {"description": "Not a valid quote link"},
                410: {"description": "The link expired, or its quote was revised or cancelled (see reason)"}}


def _refused(request: Request, session, exc: service.QuoteLinkError) -> JSONResponse:
    """A refused quote link as problem details naming the reason (and the newer revision, if any)."""
    session.rollback()
    body = {"type": "about:blank", "title": exc.title, "status": exc.status, "detail": exc.detail,
            "instance": request.url.path, "reason": exc.reason, "errors": exc.errors}
    if exc.newer_revision is not None:
        body["newer_revision"] = exc.newer_revision
    return JSONResponse(body, status_code=exc.status, media_type=PROBLEM_JSON)


# ---------------------------------------------------------------- amenities and promo code

@router.get("/charters/{charter_id}/amenities", response_model=list[CharterAmenityRead])
def list_amenities(charter_id: Id, actor: CurrentActor, session: SessionDep):
    """The amenities on the charter, with their prices as last calculated."""
    return service.list_charter_amenities(session, actor, charter_id)


@router.post("/charters/{charter_id}/amenities", response_model=CharterAmenityRead, status_code=201)
def add_amenity(charter_id: Id, body: CharterAmenityAdd, actor: CurrentActor, session: SessionDep):
    """Put an amenity on the quote (one already there takes the new quantity); the quote is priced again."""
    return service.add_charter_amenity(session, actor, charter_id, body.amenity_id, body.quantity)


@router.delete("/charters/{charter_id}/amenities/{amenity_id}", status_code=204)
def remove_amenity(charter_id: Id, amenity_id: Id, actor: CurrentActor, session: SessionDep):
    """Take an amenity off the quote; the quote is priced again."""
    service.remove_charter_amenity(session, actor, charter_id, amenity_id)
    return Response(status_code=204)


@router.put("/charters/{charter_id}/promo-code", response_model=PromoCodeResult,
            response_model_exclude_unset=True)
def set_promo_code(charter_id: Id, body: PromoCodeSet, actor: CurrentActor, session: SessionDep):
    """Apply a promo code to the quote (null removes it): invalid for this trip 422, no uses left 409."""
    return service.set_charter_promo(session, actor, charter_id, body.code)


# ---------------------------------------------------------------- price and quote

@router.post("/charters/{charter_id}/calculate", response_model=CalculationRead,
             response_model_exclude_unset=True)
def calculate(charter_id: Id, actor: CurrentActor, session: SessionDep):
    """Price the quote from its trip, route, vehicles, amenities and promo code, and save the price."""
    return service.calculate_charter(session, actor, charter_id)


@router.get("/charters/{charter_id}/quote", response_model=QuoteViewRead, response_model_exclude_unset=True)
def get_quote(charter_id: Id, actor: CurrentActor, session: SessionDep):
    """The quote as the client sees it (staff also see vendor cost, margin and internal notes)."""
    return service.quote_view(session, actor, charter_id)


@router.get("/charters/{charter_id}/secure-link", response_model=SecureLinkRead)
def secure_link(charter_id: Id, actor: CurrentActor, session: SessionDep):
    """A signed link for the client to open and accept the priced quote."""
    return service.secure_link(session, actor, charter_id)


@router.post("/charters/{charter_id}/quote-pdf", response_model=QuoteDocumentRead, status_code=201)
def quote_pdf(charter_id: Id, actor: CurrentActor, session: SessionDep):
    """Make the quote's PDF and file it with the charter's documents."""
    return service.quote_pdf(session, actor, charter_id)


@router.post("/charters/{charter_id}/send-quote", response_model=SendQuoteResult)
def send_quote(charter_id: Id, actor: CurrentActor, session: SessionDep,
               body: Annotated[SendQuote | None, Body()] = None):
    """Email the quote with its link (to the client's address unless `to` is given); sending again resends."""
    return service.send_quote(session, actor, charter_id, to=body.to if body else None)


# ---------------------------------------------------------------- revisions

@router.post("/charters/{charter_id}/revise", response_model=CharterDetail, status_code=201,
             response_model_exclude_unset=True)
def revise(charter_id: Id, actor: CurrentActor, session: SessionDep,
           body: Annotated[CharterUpdate | None, Body()] = None):
    """Replace the quote with a new revision (changes to its trip details optional), priced again."""
    from coachway.charters.api import _detail  # imported here: that module includes this router

    changes = body.model_dump(exclude_unset=True) if body else {}
    charter = service.revise_quote(session, actor, charter_id, changes=changes)
    return _detail(actor, session, charter.id)


@router.get("/charters/{charter_id}/revisions", response_model=list[RevisionRead])
def revisions(charter_id: Id, actor: CurrentActor, session: SessionDep):
    """Every revision of the quote, oldest first."""
    return service.revision_history(session, actor, charter_id)


# ---------------------------------------------------------------- the client's link

@router.get("/quotes/{token}", response_model=QuoteViewRead, response_model_exclude_unset=True,
            responses=LINK_REFUSED)
def open_quote(token: Token, request: Request, session: SessionDep):
    """The quote a link shows (public). 404 for a link that is not ours; 410 when it expired or its quote was
    revised or cancelled (reason says which)."""
    try:
        return service.open_quote(session, token)
    except service.QuoteLinkError as exc:
        return _refused(request, session, exc)


@router.post("/quotes/{token}/accept", response_model=AcceptanceRead, responses=LINK_REFUSED)
def accept_quote(token: Token, request: Request, session: SessionDep,
                 body: Annotated[AcceptQuote | None, Body()] = None):
    """Accept the quote through its link (public): the time, address and browser are recorded and the
    charter is booked. Accepting again returns the same acceptance."""
    try:
        return service.accept_quote(session, token, ip=client_ip(request),
                                    user_agent=request.headers.get("user-agent"),
                                    name=body.name if body else None)
    except service.QuoteLinkError as exc:
        return _refused(request, session, exc)
