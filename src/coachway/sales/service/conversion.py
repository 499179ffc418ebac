"""Converting a lead into a quote in one step."""

import math
from datetime import time
from typing import Any

from sqlalchemy.orm import Session

from coachway.auth import service as auth_service
from coachway.charters import service as charters_service
from coachway.clients import service as clients_service
from coachway.core import audit, clock
from coachway.core.errors import Conflict, DomainError, Invalid
from coachway.core.permissions import SYSTEM, Actor, require
from coachway.fleet import service as fleet_service
from coachway.sales.models import Lead
from coachway.sales.service._common import add_activity, find, record_change


def existing_client_id(session: Session, lead: Lead) -> int | None:
    """The client converting the lead uses when none is named: the one it matched when it came in, else one
    whose email or phone it is now; None when a new client would be made from the lead."""
    if lead.client_id is not None:
        return lead.client_id
    match = clients_service.match_client(session, email=lead.email, phone=lead.phone)
    return match.id if match is not None else None


def _client_for(session: Session, actor: Actor, lead: Lead, client_id: int | None) -> tuple[int, bool]:
    """The client the quote is for: the one named, the one the lead matched, one whose email or phone it
    is, or a new one made from the lead's contact. Returns (client id, created)."""
    if client_id is not None:
        clients_service.get_client(session, actor, client_id)  # 404 for one the actor may not see
        return client_id, False
    existing = existing_client_id(session, lead)
    if existing is not None:
        return existing, False
    person = f"{lead.first_name} {lead.last_name}".strip()
    agent = (
        auth_service.users_by_ids(session, [lead.assigned_to]).get(lead.assigned_to)
        if lead.assigned_to
        else None
    )
    fields: dict[str, Any] = {"phone": lead.phone}
    if agent is not None and agent.is_active and agent.role == "sales_agent":
        fields["assigned_sales_agent_id"] = agent.id
    if lead.company:
        client = clients_service.create_client(
            session,
            actor,
            name=lead.company,
            client_type="corporate",
            email=lead.email,
            contacts=[{"name": person, "email": lead.email, "phone": lead.phone, "is_primary": True}],
            **fields,
        )
    else:
        client = clients_service.create_client(
            session, actor, name=person, client_type="individual", email=lead.email, **fields
        )
    return client.id, True


def _hub_for(session: Session, lead: Lead, hub_id: int | None) -> int:
    if hub_id is not None:
        return hub_id
    if lead.hub_id is not None:
        return lead.hub_id
    hubs = fleet_service.list_hubs(session, SYSTEM, is_active=True)
    if len(hubs) == 1:
        return hubs[0].id
    raise Invalid.field("hub_id", "Choose the hub the trip leaves from.")


def _vehicle_type_for(session: Session, lead: Lead, vehicle_type_id: int | None):
    """The vehicle type named, else the one whose name or code the lead's vehicle_type text is."""
    types = fleet_service.list_vehicle_types(session, SYSTEM, is_active=True)
    if vehicle_type_id is not None:
        for vt in types:
            if vt.id == vehicle_type_id:
                return vt
        raise Invalid.field("vehicle_type_id", f"There is no active vehicle type {vehicle_type_id}.")
    wanted = (lead.vehicle_type or "").strip().lower()
    if not wanted:
        return None
    for vt in types:
        if wanted in (vt.name.lower(), vt.code.lower()):
            return vt
    return None


def convert_lead(
    session: Session,
    actor: Actor,
    lead_id: int,
    *,
    client_id: int | None = None,
    hub_id: int | None = None,
    trip_date=None,
    pickup_time: time | None = None,
    passenger_count: int | None = None,
    trip_type: str | None = None,
    vehicle_type_id: int | None = None,
) -> dict[str, Any]:
    """Turn an open lead into a quote: the client (found or created from the lead's contact), the trip
    details, an itinerary started from origin to destination, vehicles of the requested type (enough for
    the group), assigned to the lead's agent and priced when it can be. The lead becomes converted and
    points at the charter. Anything given here overrides what the lead says.

    Returns {"lead", "charter", "client_created", "priced", "pricing_note"}."""
    require(actor, "leads:convert")
    lead = find(session, actor, lead_id, lock=True)
    if lead.status == "converted":
        raise Conflict(f"Lead {lead.id} was already converted to charter {lead.converted_to_charter_id}.")
    if lead.status == "lost":
        raise Conflict(f"Lead {lead.id} is lost; reopen it before converting it.")
    trip_date = trip_date or lead.trip_date
    if trip_date is None:
        raise Invalid.field("trip_date", "Give the trip date: the lead has none.")
    passengers = passenger_count or lead.passenger_count
    if not passengers:
        raise Invalid.field("passenger_count", "Give the number of passengers: the lead has none.")
    hub = _hub_for(session, lead, hub_id)
    vehicle_type = _vehicle_type_for(session, lead, vehicle_type_id)
    cid, created = _client_for(session, actor, lead, client_id)
    stops = []
    if lead.origin:
        stops.append({"stop_type": "pickup", "address": lead.origin})
    if lead.destination:
        stops.append({"stop_type": "dropoff", "address": lead.destination})
    vehicles = []
    if vehicle_type is not None:
        vehicles.append(
            {
                "vehicle_type_id": vehicle_type.id,
                "quantity": max(1, math.ceil(passengers / max(vehicle_type.capacity, 1))),
            }
        )
    agent = (
        auth_service.users_by_ids(session, [lead.assigned_to]).get(lead.assigned_to)
        if lead.assigned_to
        else None
    )
    agent_id = agent.id if agent is not None and agent.is_active and agent.role == "sales_agent" else None
    if (
        agent_id is not None
        and agent_id != actor.user_id
        and not ("*" in actor.permissions or actor.can("charters:assign"))
    ):
        agent_id = None  # the charters domain gives the quote to its creator
    notes = f"From lead #{lead.id} ({lead.first_name} {lead.last_name}, {lead.email})."
    if lead.notes:
        notes += "\n" + lead.notes
    charter = charters_service.create_charter(
        session,
        actor,
        client_id=cid,
        hub_id=hub,
        passenger_count=passengers,
        trip_type=trip_type or lead.trip_type or "one_way",
        trip_date=trip_date,
        pickup_time=pickup_time,
        notes=notes[:5000],
        assigned_sales_agent_id=agent_id,
        stops=stops,
        vehicles=vehicles,
    )
    priced, note = False, None
    if stops:
        charters_service.geocode_stops(session, actor, charter.id)
    if vehicles and len(stops) >= 2:
        try:
            with session.begin_nested():
                charters_service.calculate_charter(session, actor, charter.id)
            priced = True
        except DomainError as exc:
            note = exc.detail
    else:
        note = "Add the itinerary and vehicles, then price the quote."
    old = audit.snapshot(lead)
    lead.status, lead.converted_to_charter_id, lead.converted_at = "converted", charter.id, clock.now()
    lead.client_id, lead.next_follow_up, lead.updated_at = cid, None, clock.now()
    add_activity(
        session,
        actor,
        lead,
        "converted",
        f"Converted to quote {charter.id}" + (" for a new client." if created else "."),
    )
    session.flush()
    record_change(session, actor, lead, old, action="convert")
    return {
        "lead": lead,
        "charter": charter,
        "client_created": created,
        "priced": priced,
        "pricing_note": note,
    }
