"""Putting a quote in front of the client: what it shows, its signed link, its PDF, the quote email, and the
client opening and accepting it through the link (no sign-in: the signature is the credential).
"""

import dataclasses
import hmac
import secrets
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from coachway.auth import service as auth_service
from coachway.charters import quote_pdf as pdf_builder
from coachway.charters import securelink
from coachway.charters.models import Charter
from coachway.charters.service import itinerary, transitions
from coachway.charters.service import vehicles as charter_vehicles
from coachway.charters.service._common import find, find_for_change, hub_of, snapshot
from coachway.charters.service.quoting import (
    amenities_of,
    check_priceable,
    client_quote,
    sees_internal,
)
from coachway.charters.service.revisions import revision_history
from coachway.clients import service as clients_service
from coachway.config import get_settings
from coachway.core import audit, clock
from coachway.core.errors import Conflict, DomainError, Invalid, NotFound
from coachway.core.permissions import SYSTEM, Actor, require
from coachway.documents import service as documents_service
from coachway.notifications import service as notifications_service
from coachway.pricing import service as pricing_service

SEND_PERMISSION = "charters:send_quote"
MAX_USER_AGENT = 500
MAX_IP = 64
MAX_NAME = 200
NOT_PRICED = "Calculate the quote's price before sending it."


class QuoteLinkError(DomainError):
    """A quote link that cannot be used: reason is invalid (404), or expired, superseded or cancelled (410).

    A superseded link carries the number (and id) of the revision that replaced the quote.
    """

    MESSAGES = {
        "invalid": "This quote link is not valid. Check that the whole link was copied, or ask us for a new "
                   "one.",
        "expired": "This quote link has expired. Ask us for a new quote.",
        "superseded": "This quote was replaced by a newer revision.",
        "cancelled": "This quote was cancelled.",
    }

    def __init__(self, reason: str, *, newer_revision: int | None = None,
                 newer_charter_id: int | None = None):
        detail = self.MESSAGES[reason]
        if reason == "superseded" and newer_revision is not None:
            detail = f"This quote was replaced by revision {newer_revision}; ask us for its link."
        super().__init__(detail, errors=[{"field": "token", "message": detail}])
        self.reason = reason
        self.status, self.title = (404, "Not found") if reason == "invalid" else (410, "Gone")
        self.newer_revision = newer_revision
        self.newer_charter_id = newer_charter_id


# ---------------------------------------------------------------- what a quote shows

def quote_number(charter: Charter) -> str:
    """The number a client quotes back to us: Q-{charter id}-R{revision}."""
    return f"Q-{charter.id}-R{charter.revision_number}"


def _company() -> dict[str, str]:
    settings = get_settings()
    return {"name": settings.company_name, "address": settings.company_address,
            "phone": settings.company_phone, "email": settings.company_email}


def _agent(session: Session, charter: Charter) -> dict[str, Any] | None:
    if charter.assigned_sales_agent_id is None:
        return None
    try:
        user = auth_service.get_user(session, SYSTEM, charter.assigned_sales_agent_id)
    except NotFound:
        return None
    return {"name": user.full_name or user.email, "email": user.email, "phone": user.phone}


def _local(value: datetime | None, zone: ZoneInfo) -> datetime | None:
    return value.astimezone(zone) if value is not None else None


def _stops(session: Session, charter: Charter, zone: ZoneInfo) -> list[dict[str, Any]]:
    return [{"sequence": s.sequence, "stop_type": s.stop_type, "location_name": s.location_name,
             "address": s.address, "dwell_minutes": s.dwell_minutes, "notes": s.notes,
             "scheduled_time": _local(s.scheduled_time, zone), "arrival": _local(s.estimated_arrival, zone),
             "departure": _local(s.estimated_departure, zone)}
            for s in itinerary.stops_of(session, charter.id)]


def _vehicles(session: Session, charter: Charter) -> list[dict[str, Any]]:
    lines = charter_vehicles.describe_vehicles(session, charter_vehicles.lines_of(session, charter.id))
    return [{"vehicle_type_id": v["vehicle_type_id"], "code": v["vehicle_type_code"],
             "name": v["vehicle_type_name"], "capacity": v["capacity"], "quantity": v["quantity"]}
            for v in lines]


def _newest(session: Session, charter: Charter) -> Charter:
    """The revision that replaced charter last (charter itself when it is current)."""
    current, seen = charter, {charter.id}
    while current.superseded_by_id is not None and current.superseded_by_id not in seen:
        following = session.get(Charter, current.superseded_by_id)
        if following is None:
            break
        seen.add(following.id)
        current = following
    return current


def _valid_until(session: Session, charter: Charter) -> datetime | None:
    if charter.quote_sent_at is None:
        return None
    days = pricing_service.get_config(session, SYSTEM).quote_valid_days
    return charter.quote_sent_at + timedelta(days=days)


def _view(session: Session, charter: Charter, *, internal: bool, actor: Actor = SYSTEM,
          link: securelink.QuoteLink | None = None) -> dict[str, Any]:
    """Everything a quote shows, staff view (internal) or the client's."""
    hub = hub_of(session, charter.hub_id)
    zone = ZoneInfo(hub.timezone)
    client = clients_service.get_client(session, SYSTEM, charter.client_id)
    config = pricing_service.get_config(session, SYSTEM)
    breakdown = (charter.price_breakdown or {}).get("quote")
    newer = _newest(session, charter) if charter.superseded_by_id is not None else None
    valid_until = link.expires_at if link is not None else _valid_until(session, charter)
    expired = valid_until is not None and clock.now() >= valid_until
    accepted = None
    if charter.quote_accepted_at is not None:
        accepted = {"at": charter.quote_accepted_at}
        if internal:
            accepted |= {"ip": charter.quote_accepted_ip, "user_agent": charter.quote_accepted_user_agent}
    view = {
        "charter_id": charter.id, "quote_number": quote_number(charter), "status": charter.status,
        "revision_number": charter.revision_number, "parent_quote_id": charter.parent_quote_id,
        "superseded_by_id": charter.superseded_by_id, "superseded_at": charter.superseded_at,
        "newer_revision": newer.revision_number if newer is not None else None,
        "trip_type": charter.trip_type, "event_type": charter.event_type,
        "passenger_count": charter.passenger_count, "luggage_pieces": charter.luggage_pieces,
        "trip_date": charter.trip_date, "pickup_time": charter.pickup_time,
        "start_local": _local(charter.start_datetime, zone), "end_local": _local(charter.end_datetime, zone),
        "notes": charter.notes,
        "requires_second_driver": charter.requires_second_driver, "total_miles": charter.total_miles,
        "total_hours": charter.total_hours,
        "client": {"id": client.id, "name": client.name, "email": client.email},
        "hub": {"id": hub.id, "code": hub.code, "name": hub.name, "timezone": hub.timezone},
        "agent": _agent(session, charter), "company": _company(),
        "stops": _stops(session, charter, zone), "vehicles": _vehicles(session, charter),
        "amenities": amenities_of(session, charter.id),
        "breakdown": breakdown if internal else client_quote(breakdown),
        "priced_at": charter.priced_at, "quoted_price": charter.quoted_price,
        "deposit_amount": charter.deposit_amount, "balance_amount": charter.balance_amount,
        "terms": config.quote_terms, "valid_days": config.quote_valid_days, "valid_until": valid_until,
        "revisions": revision_history(session, actor, charter.id),
        "link": {"created": bool(charter.quote_secure_token), "sent_at": charter.quote_sent_at,
                 "valid_until": valid_until, "expired": expired},
        "accepted": accepted,
        "can_accept": (charter.status == "quote" and charter.superseded_by_id is None
                       and charter.priced_at is not None and charter.quote_accepted_at is None
                       and not expired),
    }
    if internal:
        view |= {"internal_notes": charter.internal_notes,
                 "estimated_vendor_cost": charter.estimated_vendor_cost}
    return view


def quote_view(session: Session, actor: Actor, charter_id: int) -> dict[str, Any]:
    """What the quote panel and the PDF show: trip, client, stops in hub time, vehicles, amenities, the saved
    breakdown (vendor cost and margin for staff only), deposit and balance, revisions, link and acceptance."""
    require(actor, "charters:read")
    charter = find(session, actor, charter_id)
    return _view(session, charter, internal=sees_internal(actor), actor=actor)


# ---------------------------------------------------------------- the signed link

def _check_priced(charter: Charter) -> None:
    if charter.priced_at is None or charter.quoted_price is None:
        raise Invalid.field("quoted_price", NOT_PRICED)


def _link_for(session: Session, actor: Actor, charter: Charter) -> dict[str, Any]:
    if not charter.quote_secure_token:
        charter.quote_secure_token = secrets.token_urlsafe(32)
        session.flush()
        audit.record(session, actor, entity_type="charter", entity_id=charter.id, action="secure_link",
                     new={"quote_secure_token": "***"})
    days = pricing_service.get_config(session, SYSTEM).quote_valid_days
    expires_at = (clock.now() + timedelta(days=days)).replace(microsecond=0)
    token = securelink.sign(charter_id=charter.id, revision=charter.revision_number,
                            nonce=charter.quote_secure_token, expires_at=expires_at)
    url = f"{get_settings().base_url.rstrip('/')}/q/{token}"
    return {"url": url, "token": token, "expires_at": expires_at}


def _sendable(session: Session, actor: Actor, charter_id: int) -> Charter:
    charter = find_for_change(session, actor, charter_id, SEND_PERMISSION)
    check_priceable(charter)
    _check_priced(charter)
    return charter


def secure_link(session: Session, actor: Actor, charter_id: int) -> dict[str, Any]:
    """A signed link the client opens the priced quote with, valid for the configured days:
    {url, token, expires_at}. Every link of a revision stops working once it is revised."""
    return _link_for(session, actor, _sendable(session, actor, charter_id))


def _resolve(session: Session, token: str, *, lock: bool = False) -> tuple[Charter, securelink.QuoteLink]:
    try:
        link = securelink.read(token)
    except securelink.LinkInvalid:
        raise QuoteLinkError("invalid") from None
    stmt = select(Charter).where(Charter.id == link.charter_id)
    charter = session.scalar(stmt.with_for_update() if lock else stmt)
    if charter is None or not charter.quote_secure_token or charter.revision_number != link.revision \
            or not hmac.compare_digest(charter.quote_secure_token.encode(), link.nonce.encode()):
        raise QuoteLinkError("invalid")
    return charter, link


def _check_open(session: Session, charter: Charter, link: securelink.QuoteLink) -> None:
    if charter.status == "cancelled":
        raise QuoteLinkError("cancelled")
    if charter.superseded_by_id is not None:
        newer = _newest(session, charter)
        raise QuoteLinkError("superseded", newer_revision=newer.revision_number, newer_charter_id=newer.id)
    if link.expired:
        raise QuoteLinkError("expired")


def open_quote(session: Session, token: str) -> dict[str, Any]:
    """The quote a link shows the client (no vendor cost, margin or internal notes); QuoteLinkError when the
    link is invalid, expired, superseded or cancelled. An accepted quote stays readable through its link."""
    charter, link = _resolve(session, token)
    if charter.quote_accepted_at is None or charter.status == "cancelled":
        _check_open(session, charter, link)
    return _view(session, charter, internal=False, link=link)


def _acceptance(charter: Charter) -> dict[str, Any]:
    return {"charter_id": charter.id, "quote_number": quote_number(charter), "status": charter.status,
            "quote_accepted_at": charter.quote_accepted_at, "booked_at": charter.booked_at}


def _clean(text: str | None, limit: int) -> str | None:
    if text is None:
        return None
    text = "".join(ch for ch in str(text) if ch.isprintable()).strip()
    return text[:limit] or None


def accept_quote(session: Session, token: str, *, ip: str | None, user_agent: str | None,
                 name: str | None = None) -> dict[str, Any]:
    """The client accepts the quote through its link: the time, address and browser are recorded and the
    quote is booked. Accepting again returns the same acceptance."""
    charter, link = _resolve(session, token, lock=True)
    if charter.status == "cancelled":
        raise QuoteLinkError("cancelled")
    if charter.quote_accepted_at is not None:
        return _acceptance(charter)
    _check_open(session, charter, link)
    if charter.priced_at is None:
        raise Conflict("This quote has no price yet; ask us to finish it.")
    actor = dataclasses.replace(SYSTEM, ip=_clean(ip, MAX_IP), name="quote link")
    old = snapshot(charter)
    charter.quote_accepted_at = clock.now()
    charter.quote_accepted_ip = _clean(ip, MAX_IP)
    charter.quote_accepted_user_agent = _clean(user_agent, MAX_USER_AGENT)
    session.flush()
    audit.record(session, actor, entity_type="charter", entity_id=charter.id, action="accept_quote", old=old,
                 new={**snapshot(charter), "accepted_by_name": _clean(name, MAX_NAME)})
    if charter.status == "quote":
        transitions.book_charter(session, actor, charter.id)
    return _acceptance(charter)


# ---------------------------------------------------------------- PDF and email

def _pdf_for(session: Session, actor: Actor, charter: Charter):
    number = quote_number(charter)
    content = pdf_builder.build(_view(session, charter, internal=False))
    return documents_service.upload_document(
        session, actor, content=content, file_name=f"quote-{number}.pdf", document_category="quote",
        charter_id=charter.id, client_id=charter.client_id, description=f"Quote {number}", is_internal=False)


def quote_pdf(session: Session, actor: Actor, charter_id: int):
    """Make the quote's PDF and file it with the charter's and client's documents (category quote)."""
    charter = find_for_change(session, actor, charter_id, SEND_PERMISSION)
    _check_priced(charter)
    return _pdf_for(session, actor, charter)


def _long_date(value: date) -> str:
    return f"{value:%A, %B} {value.day}, {value.year}"


def _place(stop: dict[str, Any] | None) -> str:
    if stop is None:
        return "To be confirmed"
    return stop["location_name"] or stop["address"] or "To be confirmed"


def _email_context(view: dict[str, Any], link: dict[str, Any]) -> dict[str, Any]:
    stops, company = view["stops"], view["company"]
    agent = view["agent"] or {}
    destination = _place(stops[-1]) if len(stops) > 1 else "To be confirmed"
    kind = view["trip_type"].replace("_", " ").capitalize()
    trip_name = f"{kind} to {destination}" if len(stops) > 1 else f"{kind} charter"
    vehicles = ", ".join(f"{v['quantity']} x {v['name']}" if v["quantity"] != 1 else v["name"]
                         for v in view["vehicles"])
    valid_until = link["expires_at"].astimezone(ZoneInfo(view["hub"]["timezone"])).date()
    return {
        "client_name": view["client"]["name"], "quote_number": view["quote_number"], "trip_name": trip_name,
        "trip_date": _long_date(view["trip_date"]), "pickup_location": _place(stops[0] if stops else None),
        "destination": destination, "passenger_count": view["passenger_count"], "vehicle_type": vehicles,
        "total_price": str(view["quoted_price"]), "deposit_amount": str(view["deposit_amount"]),
        "balance_amount": str(view["balance_amount"]), "quote_valid_until": _long_date(valid_until),
        "quote_url": link["url"], "agent_name": agent.get("name") or company["name"],
        "agent_email": agent.get("email") or company["email"],
        "agent_phone": agent.get("phone") or company["phone"], "company_name": company["name"],
    }


def send_quote(session: Session, actor: Actor, charter_id: int, *, to: str | None = None) -> dict[str, Any]:
    """Email the quote to the client (or to `to`): a signed link to review and accept it, with its PDF filed
    on the charter. Sending again sends again (the same quote, never a new charter). The client's email
    preferences may suppress it: the result says so."""
    charter = _sendable(session, actor, charter_id)
    link = _link_for(session, actor, charter)
    document = _pdf_for(session, actor, charter)
    context = _email_context(_view(session, charter, internal=False, link=None), link)
    note = notifications_service.send(session, actor, template_key="quote_sent", to=to,
                                      client_id=charter.client_id, charter_id=charter.id, context=context)
    suppressed = note.status == "suppressed"
    old = snapshot(charter)
    if not suppressed:
        charter.quote_sent_at = clock.now()
    session.flush()
    audit.record(session, actor, entity_type="charter", entity_id=charter.id, action="send_quote", old=old,
                 new={**snapshot(charter), "notification_id": note.id, "recipient": note.recipient,
                      "document_id": document.id, "suppressed_reason": note.suppressed_reason})
    return {"notification_id": note.id, "status": note.status, "suppressed": suppressed,
            "suppressed_reason": note.suppressed_reason, "recipient": note.recipient, "url": link["url"],
            "expires_at": link["expires_at"], "document_id": document.id,
            "quote_sent_at": charter.quote_sent_at}
