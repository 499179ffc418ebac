"""Demo charters: a handful of quotes and bookings around the Atlanta and Nashville hubs.

Each has a multi-stop itinerary geocoded offline, a vehicle mix, its route and DOT check; between them they
show every status, several trip types and one trip long enough to need a second driver.
"""

from dataclasses import dataclass, field
from datetime import date, time, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from coachway.auth.service import actor_for, get_user
from coachway.charters.models import Charter
from coachway.charters.service import (
    add_charter_amenity,
    calculate_charter,
    change_status,
    create_charter,
    geocode_stops,
)
from coachway.charters.service._common import local_start
from coachway.core.permissions import SYSTEM
from coachway.fleet.service import get_hub, update_vehicle_type
from coachway.pricing import service as pricing_service

# Multi-day trips are back at the garage by this local time on their last day.
RETURN_BY = time(20, 0)
# Luggage pieces each type holds and what an hour of it costs (ranks vehicle recommendations).
TYPE_TERMS = {"sedan": (3, "75.00"), "suv": (6, "95.00"), "sprinter": (14, "115.00"),
              "minibus": (20, "135.00"), "school_bus": (0, "110.00"), "motorcoach": (56, "165.00")}


@dataclass
class DemoCharter:
    """One demo charter: who, where from, when (days from today), what and which steps it has taken."""

    client: str
    hub: str
    trip_type: str
    passengers: int
    days_from_today: int
    pickup: time
    stops: list[tuple[str, str, int]]  # (stop type, address, minutes there)
    vehicles: list[tuple[str, int]]
    steps: list[str] = field(default_factory=list)
    nights: int = 0
    luggage: int = 0
    notes: str | None = None
    internal_notes: str | None = None
    cancellation: tuple[str, str] | None = None  # (reason, fee)


CHARTERS = [
    DemoCharter("Grace Fellowship Church", "ATL", "multi_day", 80, 45, time(7, 30), [
        ("pickup", "Grace Fellowship Church, 2450 Mount Zion Pkwy, Stockbridge, GA 30281", 30),
        ("stop", "Lunch stop, Chattanooga, TN", 60),
        ("dropoff", "Camp lodge, Gatlinburg, TN", 1080),
        ("pickup", "Dollywood, Pigeon Forge, TN", 30),
        ("dropoff", "Grace Fellowship Church, 2450 Mount Zion Pkwy, Stockbridge, GA 30281", 15),
    ], [("motorcoach", 1), ("minibus", 1)], ["book", "confirm"], nights=1, luggage=80,
        notes="Youth retreat; two coaches as every July.", internal_notes="Deposit received by check."),
    DemoCharter("Georgia Institute of Technology Athletics", "ATL", "round_trip", 52, 20, time(6, 0), [
        ("pickup", "Bobby Dodd Stadium, 150 Bobby Dodd Way NW, Atlanta, GA 30332", 30),
        ("dropoff", "Vanderbilt Stadium, 2601 Jess Neely Dr, Nashville, TN 37212", 240),
        ("dropoff", "Bobby Dodd Stadium, 150 Bobby Dodd Way NW, Atlanta, GA 30332", 15),
    ], [("motorcoach", 1)], ["book"], luggage=60, notes="Team bus; equipment under the floor.",
        internal_notes="COI naming the university must go out a week ahead."),
    DemoCharter("Maria Alvarez", "ATL", "event", 45, 60, time(14, 0), [
        ("pickup", "Wedding hotel, 812 Highland Ave NE, Atlanta, GA 30306", 20),
        ("stop", "Ceremony, Roswell, GA", 90),
        ("dropoff", "Reception, Lenox Square, Atlanta, GA 30326", 240),
        ("dropoff", "Wedding hotel, 812 Highland Ave NE, Atlanta, GA 30306", 10),
    ], [("minibus", 1), ("sprinter", 1)], notes="Daughter's wedding; white ribbons on the doors."),
    DemoCharter("Music City Convention Partners", "BNA", "shuttle", 120, 30, time(7, 0), [
        ("pickup", "BNA Airport, Nashville, TN 37214", 20),
        ("stop", "Music City Center, 201 5th Ave S, Nashville, TN 37203", 30),
        ("stop", "Opryland hotel, Nashville, TN 37214", 30),
        ("dropoff", "Music City Center, 201 5th Ave S, Nashville, TN 37203", 15),
    ], [("motorcoach", 2), ("minibus", 1)], notes="Convention loop; ask for the loop map."),
    DemoCharter("Nashville SC Supporters Group", "BNA", "event", 56, 75, time(8, 0), [
        ("pickup", "Supporters pub, 501 Benton Ave, Nashville, TN 37204", 20),
        ("pickup", "Park and ride, Franklin, TN", 15),
        ("dropoff", "Mercedes-Benz Stadium, 1 AMB Dr NW, Atlanta, GA 30313", 120),
        ("dropoff", "Park and ride, Franklin, TN", 10),
        ("dropoff", "Supporters pub, 501 Benton Ave, Nashville, TN 37204", 10),
    ], [("motorcoach", 1)], notes="Away day; needs cooler space.",
        internal_notes="Same-day return: the DOT check asks for a second driver."),
    DemoCharter("Marietta High School Band", "ATL", "one_way", 48, 100, time(5, 30), [
        ("pickup", "Marietta High School, 1171 Whitlock Ave NW, Marietta, GA 30064", 45),
        ("stop", "Lunch, Macon, GA", 45),
        ("dropoff", "Band competition, Orlando, FL", 30),
    ], [("motorcoach", 1)], luggage=70, notes="Instruments in the bays; chaperones ride along."),
    DemoCharter("Peachtree Rotary Club", "ATL", "round_trip", 38, -25, time(8, 0), [
        ("pickup", "Peachtree Rotary Club, 1355 Peachtree St NE, Atlanta, GA 30309", 20),
        ("stop", "Historic district tour, Savannah, GA", 240),
        ("dropoff", "Tybee Island, GA", 120),
        ("dropoff", "Peachtree Rotary Club, 1355 Peachtree St NE, Atlanta, GA 30309", 10),
    ], [("motorcoach", 1)], ["book", "confirm", "start", "complete"], notes="Annual Savannah outing."),
    DemoCharter("Emily Chen", "BNA", "local", 14, 12, time(19, 0), [
        ("pickup", "1808 Division St, Nashville, TN 37203", 10),
        ("stop", "Broadway, Nashville, TN 37203", 180),
        ("dropoff", "1808 Division St, Nashville, TN 37203", 5),
    ], [("sprinter", 1)], ["book", "cancel"], cancellation=("Party moved to Memphis.", "75.00")),
]


def _set_fleet_terms(session: Session, types: dict[str, int]) -> None:
    for code, (luggage, rate) in TYPE_TERMS.items():
        if code in types:
            update_vehicle_type(session, SYSTEM, types[code], luggage_capacity=luggage,
                                default_hourly_rate=Decimal(rate))


def load(session: Session, *, hubs: dict[str, int], types: dict[str, int], client_ids: dict[str, int],
         agent_id: int, today: date) -> list[Charter]:
    """Create the demo charters as the sales agent (agent_id), in the caller's transaction."""
    _set_fleet_terms(session, types)
    agent = actor_for(session, get_user(session, SYSTEM, agent_id))
    amenities = pricing_service.list_amenities(session, SYSTEM, active_only=True)
    created = []
    for demo in CHARTERS:
        trip_date = today + timedelta(days=demo.days_from_today)
        end = None
        if demo.nights:
            timezone = get_hub(session, SYSTEM, hubs[demo.hub]).timezone
            end = local_start(trip_date + timedelta(days=demo.nights), RETURN_BY, timezone)
        charter = create_charter(
            session, agent, client_id=client_ids[demo.client], hub_id=hubs[demo.hub],
            trip_type=demo.trip_type, passenger_count=demo.passengers, luggage_pieces=demo.luggage,
            trip_date=trip_date, pickup_time=demo.pickup, end_datetime=end, notes=demo.notes,
            internal_notes=demo.internal_notes,
            stops=[{"stop_type": kind, "address": address, "dwell_minutes": minutes}
                   for kind, address, minutes in demo.stops],
            vehicles=[{"vehicle_type_id": types[code], "quantity": quantity}
                      for code, quantity in demo.vehicles])
        geocode_stops(session, agent, charter.id)
        # Every demo quote is priced (with the first amenities on every other one) before it moves on.
        for amenity in amenities[:2] if len(created) % 2 == 0 else []:
            add_charter_amenity(session, agent, charter.id, amenity.id)
        calculate_charter(session, agent, charter.id)
        for action in demo.steps:
            extra = {}
            if action == "cancel" and demo.cancellation:
                extra = {"cancellation_reason": demo.cancellation[0],
                         "cancellation_fee": Decimal(demo.cancellation[1])}
            change_status(session, agent, charter.id, action, **extra)
        created.append(charter)
    return created
