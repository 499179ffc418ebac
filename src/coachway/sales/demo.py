"""Demo leads: a second sales agent, both agents in the round robin, and leads at every pipeline stage with
calls, notes and follow-ups, so the lead list, pipeline and sales dashboard have something to show."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from coachway.auth.service import create_user
from coachway.core import clock
from coachway.core.permissions import SYSTEM
from coachway.sales.models import LeadAssignmentQueue
from coachway.sales.service import convert_lead, create_lead, log_activity, update_lead, zone

SECOND_AGENT = ("sales2@coachway.demo", "Riley Rivera")
# first, last, email, company, source, origin, destination, passengers, vehicle, days out, value, stage
LEADS = [
    ("Hannah", "Cole", "hcole@peachtreeprep.example", "Peachtree Prep Band", "online", "Atlanta, GA",
     "Orlando, FL", 96, "Motorcoach", 12, "9800", "new"),
    ("Marcus", "Lee", "mlee@lakesidegolf.example", "Lakeside Golf Club", "phone", "Nashville, TN",
     "Chattanooga, TN", 24, "Minibus", 40, "2100", "new"),
    ("Priya", "Shah", "priya.shah@example.org", None, "online", "Atlanta, GA", "Savannah, GA", 50,
     "Motorcoach", 8, "4300", "contacted"),
    ("Tom", "Baker", "tbaker@riverbendumc.example", "Riverbend UMC", "referral", "Nashville, TN",
     "Gatlinburg, TN", 45, "Motorcoach", 65, "5200", "contacted"),
    ("Elena", "Ruiz", "eruiz@summitlogistics.example", "Summit Logistics", "email", "Atlanta, GA",
     "Hartsfield-Jackson Airport, GA", 12, "Sprinter Van", 5, "850", "qualified"),
    ("Jamal", "Wright", "jwright@gsu-athletics.example", "GSU Athletics", "phone", "Atlanta, GA",
     "Athens, GA", 52, "Motorcoach", 20, "2600", "qualified"),
    ("Grace", "Kim", "grace.kim@example.org", None, "walk_in", "Nashville, TN", "Memphis, TN", 30,
     "Minibus", 33, "3900", "quoted"),
    ("Owen", "Price", "oprice@harborbank.example", "Harbor Bank", "email", "Atlanta, GA", "Macon, GA", 40,
     "Motorcoach", 90, "3100", "lost"),
    ("Lucia", "Moreno", "lmoreno@eastsidewedding.example", "Eastside Weddings", "referral", "Atlanta, GA",
     "Roswell, GA", 26, "Minibus", 25, "1800", "converted"),
    ("Noah", "Fischer", "noah.fischer@example.org", None, "online", "Nashville, TN", "Louisville, KY", 55,
     "Motorcoach", 45, "6100", "new"),
]

# Leads converted to quotes: each adds a charter and (its company being new) a client.
CONVERTED = sum(1 for row in LEADS if row[-1] == "converted")


def _hub_for(origin: str, hubs: dict[str, int]) -> int:
    return hubs["BNA"] if origin.endswith("TN") else hubs["ATL"]


def load(session: Session, *, hubs: dict[str, int], agent_id: int, today: date) -> None:
    """The demo leads (routed through the round robin like real ones)."""
    email, name = SECOND_AGENT
    second = create_user(session, SYSTEM, email=email, full_name=name, password="coachway-demo",
                         role="sales_agent", hub_id=hubs["ATL"])
    session.add_all([LeadAssignmentQueue(user_id=agent_id, position=1, is_active=True, max_daily_leads=25,
                                         leads_assigned_today=0, created_at=clock.now()),
                     LeadAssignmentQueue(user_id=second.id, position=2, is_active=True, max_daily_leads=None,
                                         leads_assigned_today=0, created_at=clock.now())])
    session.flush()
    tomorrow_ten = datetime.combine(today + timedelta(days=1), time(10), tzinfo=zone())
    for index, (first, last, mail, company, source, origin, destination, people, vehicle, days, value,
                stage) in enumerate(LEADS):
        lead = create_lead(session, SYSTEM, source=source, first_name=first, last_name=last, email=mail,
                           company=company, origin=origin, destination=destination, passenger_count=people,
                           vehicle_type=vehicle, trip_date=today + timedelta(days=days),
                           hub_id=_hub_for(origin, hubs), estimated_value=Decimal(value),
                           phone=f"(404) 555-02{index:02d}",
                           trip_type="round_trip" if days > 30 else "one_way")
        if stage == "new":
            continue
        log_activity(session, SYSTEM, lead.id, activity_type="call",
                     description="Talked through dates and group size.",
                     next_follow_up=tomorrow_ten if stage in ("contacted", "qualified") else None)
        if stage in ("qualified", "quoted"):
            update_lead(session, SYSTEM, lead.id, status="qualified")
        if stage == "quoted":
            update_lead(session, SYSTEM, lead.id, status="quoted")
        if stage == "lost":
            update_lead(session, SYSTEM, lead.id, status="lost", lost_reason="Chose to drive themselves.")
        if stage == "converted":
            convert_lead(session, SYSTEM, lead.id, pickup_time=time(9, 0))
