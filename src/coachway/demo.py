"""Demo data: a believable small charter company, or N times more of it for benchmarks."""

import random
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from tqdm import tqdm

from coachway.auth.models import User
from coachway.auth.schemas import UserCreate
from coachway.auth.service import create_user
from coachway.charters import demo as charters_demo
from coachway.clients.schemas import ClientCreate
from coachway.clients.service import create_client, import_clients
from coachway.core import audit, clock, security
from coachway.core.db import transaction
from coachway.core.permissions import SYSTEM
from coachway.documents.demo import add_demo_documents
from coachway.fleet.schemas import HubCreate, VehicleCreate, VehicleTypeCreate
from coachway.fleet.service import create_hub, create_vehicle_type, import_vehicles
from coachway.payments import demo as payments_demo
from coachway.pricing import demo as pricing_demo
from coachway.sales import demo as sales_demo

DEMO_PASSWORD = "coachway-demo"
STAFF = [
    ("admin", "admin@coachway.demo", "Avery Admin"),
    ("manager", "manager@coachway.demo", "Morgan Manager"),
    ("sales_agent", "sales@coachway.demo", "Sam Sales"),
    ("sales_support", "support@coachway.demo", "Sasha Support"),
    ("dispatcher", "dispatch@coachway.demo", "Dana Dispatch"),
    ("accounting", "accounting@coachway.demo", "Alex Accounts"),
]
VENDOR = ("vendor", "vendor@coachway.demo", "Victor Vendor")
CLIENT_USER = ("client", "client@coachway.demo", "Claire Client")
CLIENT_USER_CLIENT = "Grace Fellowship Church"
# (email, name, hub, CDL number, days until the CDL expires, phone): one soon, one lapsed, for the filters.
DRIVERS = [
    ("driver@coachway.demo", "Devon Brooks", "ATL", "054218763", 410, "(404) 555-0161"),
    ("driver2@coachway.demo", "Marisol Vega", "ATL", "061734529", 21, "(678) 555-0162"),
    ("driver3@coachway.demo", "Terrence Hall", "BNA", "112847365", 730, "(615) 555-0163"),
    ("driver4@coachway.demo", "Kayla Nguyen", "BNA", "109563218", -12, "(629) 555-0164"),
]

HUBS = [
    {"code": "ATL", "name": "Atlanta", "address": "1200 Virginia Ave", "city": "Hapeville", "state": "GA",
     "postal_code": "30354", "latitude": Decimal("33.6601"), "longitude": Decimal("-84.4102"),
     "timezone": "America/New_York"},
    {"code": "BNA", "name": "Nashville", "address": "700 Murfreesboro Pike", "city": "Nashville",
     "state": "TN", "postal_code": "37210", "latitude": Decimal("36.1430"), "longitude": Decimal("-86.7424"),
     "timezone": "America/Chicago"},
]
VEHICLE_TYPES = [
    ("sedan", "Executive Sedan", 3, "Black car for airport runs and executives."),
    ("suv", "SUV", 6, "Full-size SUV with room for luggage."),
    ("sprinter", "Sprinter Van", 14, "Executive Sprinter with leather seats and USB power."),
    ("minibus", "Minibus", 28, "Mid-size coach for weddings and small groups."),
    ("school_bus", "School Bus", 44, "Yellow school bus for field trips and campus shuttles."),
    ("motorcoach", "Motorcoach", 56, "Full-size coach with restroom, Wi-Fi and under-floor luggage."),
]
# (type, make, model, year, VIN maker prefix, status); unit numbers follow the order per hub.
FLEET = {
    "ATL": [("motorcoach", "MCI", "J4500", 2019, "2M93JMPA", "active"),
            ("motorcoach", "MCI", "J4500", 2021, "2M93JMPA", "active"),
            ("motorcoach", "MCI", "J4500", 2022, "2M93JMPA", "active"),
            ("motorcoach", "Prevost", "H3-45", 2018, "2PCH3349", "maintenance"),
            ("motorcoach", "Van Hool", "CX45", 2023, "YE2XC45B", "active"),
            ("school_bus", "Blue Bird", "Vision", 2017, "1BAKGCPA", "active"),
            ("minibus", "Ford", "E-450 Glaval Titan", 2020, "1FDFE4FS", "active"),
            ("minibus", "Freightliner", "M2 Grech GM33", 2021, "3ALACWFC", "active"),
            ("sprinter", "Mercedes-Benz", "Sprinter 3500", 2022, "W1X8ED3Y", "active"),
            ("sprinter", "Mercedes-Benz", "Sprinter 3500", 2023, "W1X8ED3Y", "active"),
            ("suv", "Chevrolet", "Suburban", 2023, "1GNSKEKD", "active"),
            ("sedan", "Lincoln", "Continental", 2020, "1LN6L9RP", "active")],
    "BNA": [("motorcoach", "MCI", "J4500", 2020, "2M93JMPA", "active"),
            ("motorcoach", "MCI", "J4500", 2022, "2M93JMPA", "active"),
            ("motorcoach", "Prevost", "H3-45", 2021, "2PCH3349", "active"),
            ("school_bus", "Thomas", "Saf-T-Liner C2", 2016, "4UZABRDT", "out_of_service"),
            ("minibus", "Ford", "E-450 Glaval Titan", 2019, "1FDFE4FS", "active"),
            ("sprinter", "Mercedes-Benz", "Sprinter 3500", 2021, "W1X8ED3Y", "active"),
            ("suv", "Cadillac", "Escalade ESV", 2022, "1GYS4KKL", "active"),
            ("sedan", "Cadillac", "CT6", 2019, "1G6KB5RS", "active")],
}
PLATE_PREFIX = {"ATL": "CWA", "BNA": "CWN"}

# name, type, email, phone, street, city, state, zip, contacts (name, title, email, phone), sms, notes
CLIENTS = [
    ("Peachtree Rotary Club", "nonprofit", "trips@peachtreerotary.example", "(404) 555-0101",
     "1355 Peachtree St NE, Suite 200", "Atlanta", "GA", "30309",
     [("Linda Haskins", "Trip Chair", "lhaskins@peachtreerotary.example", "(404) 555-0121")], False, None),
    ("Grace Fellowship Church", "church", "office@gracefellowship.example", "(770) 555-0102",
     "2450 Mount Zion Pkwy", "Stockbridge", "GA", "30281",
     [("Pastor James Whitfield", "Senior Pastor", "jwhitfield@gracefellowship.example", "(770) 555-0122"),
      ("Denise Carter", "Church Administrator", "dcarter@gracefellowship.example", "(770) 555-0123")],
     True, "Youth retreat every July; always books two coaches."),
    ("Southern Pines Manufacturing", "corporate", "travel@southernpines.example", "(678) 555-0103",
     "4800 Royal Dr", "Kennesaw", "GA", "30144",
     [("Rachel Kim", "HR Events Coordinator", "rkim@southernpines.example", "(678) 555-0124"),
      ("Accounts Payable", None, "ap@southernpines.example", "(678) 555-0125")], False, "Net 30 on PO."),
    ("Marietta High School Band", "school", "band@mariettahs.example", "(770) 555-0104",
     "1171 Whitlock Ave NW", "Marietta", "GA", "30064",
     [("Tom Alvarez", "Band Director", "talvarez@mariettahs.example", "(770) 555-0126")], True, None),
    ("Georgia Institute of Technology Athletics", "university", "teamtravel@gtathletics.example",
     "(404) 555-0105", "150 Bobby Dodd Way NW", "Atlanta", "GA", "30332",
     [("Chris Donovan", "Director of Team Travel", "cdonovan@gtathletics.example", "(404) 555-0127")], False,
     "Needs COI naming the university on every trip."),
    ("Atlanta Thunder 14U Baseball", "sports_team", "coach@atlthunder.example", "(678) 555-0106",
     "3400 Old Milton Pkwy", "Alpharetta", "GA", "30005",
     [("Mike Sullivan", "Head Coach", "coach@atlthunder.example", "(678) 555-0128")], True, None),
    ("Fulton County Parks & Recreation", "government", "recreation@fultoncounty.example", "(404) 555-0107",
     "141 Pryor St SW", "Atlanta", "GA", "30303",
     [("Angela Brooks", "Program Manager", "abrooks@fultoncounty.example", "(404) 555-0129")], False,
     "Government PO required before dispatch."),
    ("Magnolia Heritage Tours", "tour_operator", "bookings@magnoliatours.example", "(912) 555-0108",
     "22 Bull St", "Savannah", "GA", "31401",
     [("Evelyn Price", "Operations", "eprice@magnoliatours.example", "(912) 555-0130")], False,
     "Wholesale rate; books Savannah and Charleston loops."),
    ("Maria Alvarez", "individual", "maria.alvarez@mail.example", "(404) 555-0109",
     "812 Highland Ave NE", "Atlanta", "GA", "30306", [], True, "Daughter's wedding, October."),
    ("Buckhead Law Group", "corporate", "events@buckheadlaw.example", "(404) 555-0110",
     "3399 Peachtree Rd NE, Suite 1600", "Atlanta", "GA", "30326",
     [("Olivia Grant", "Office Manager", "ogrant@buckheadlaw.example", "(404) 555-0131")], False, None),
    ("Decatur First Baptist Church", "church", "info@decaturfbc.example", "(404) 555-0111",
     "308 Clairemont Ave", "Decatur", "GA", "30030",
     [("Harold Jenkins", "Senior Adults Minister", "hjenkins@decaturfbc.example", "(404) 555-0132")],
     False, None),
    ("Emory University Student Activities", "university", "studentlife@emory.example", "(404) 555-0112",
     "605 Asbury Cir", "Atlanta", "GA", "30322",
     [("Priya Patel", "Student Programs Coordinator", "ppatel@emory.example", "(404) 555-0133")], False,
     None),
    ("Gwinnett Youth Soccer Association", "sports_team", "travel@gwinnettsoccer.example", "(770) 555-0113",
     "2020 Clean Water Dr", "Buford", "GA", "30519",
     [("Luis Moreno", "Travel Coordinator", "lmoreno@gwinnettsoccer.example", "(770) 555-0134")], True, None),
    ("Hartwell Logistics", "corporate", "admin@hartwelllogistics.example", "(770) 555-0114",
     "5500 Frontage Rd", "Forest Park", "GA", "30297", [], False, None),
    ("Athens Academy Seniors", "school", "seniortrip@athensacademy.example", "(706) 555-0115",
     "1281 Spartan Ln", "Watkinsville", "GA", "30677",
     [("Karen Holt", "Senior Class Sponsor", "kholt@athensacademy.example", "(706) 555-0135")], False, None),
    ("Big Brothers Big Sisters of Metro Atlanta", "nonprofit", "events@bbbsatl.example", "(404) 555-0116",
     "3175 Washington Rd", "East Point", "GA", "30344",
     [("Tanya Reed", "Events Lead", "treed@bbbsatl.example", "(404) 555-0136")], False,
     "Nonprofit discount approved by manager."),
    ("Derek Washington", "individual", "derek.washington@mail.example", "(678) 555-0117",
     "455 Glenwood Ave SE", "Atlanta", "GA", "30312", [], True, None),
    ("Chattanooga Choo Choo Events", "tour_operator", "groups@choochooevents.example", "(423) 555-0118",
     "1400 Market St", "Chattanooga", "TN", "37402",
     [("Wendy Harper", "Group Sales", "wharper@choochooevents.example", "(423) 555-0137")], False, None),
    ("Music City Convention Partners", "corporate", "transport@musiccitycp.example", "(615) 555-0140",
     "201 5th Ave S", "Nashville", "TN", "37203",
     [("Brandon Scott", "Transportation Manager", "bscott@musiccitycp.example", "(615) 555-0141"),
      ("Billing", None, "billing@musiccitycp.example", "(615) 555-0142")], False,
     "Shuttles for every convention week; ask for the loop map."),
    ("Vanderbilt University Athletics", "university", "travel@vucommodores.example", "(615) 555-0143",
     "2601 Jess Neely Dr", "Nashville", "TN", "37212",
     [("Allison Ford", "Team Operations", "aford@vucommodores.example", "(615) 555-0144")], False, None),
    ("Brentwood Baptist Church", "church", "missions@brentwoodbaptist.example", "(615) 555-0145",
     "7777 Concord Rd", "Brentwood", "TN", "37027",
     [("Gary Lyle", "Missions Pastor", "glyle@brentwoodbaptist.example", "(615) 555-0146")], True, None),
    ("Franklin High School Athletics", "school", "athletics@franklinhs.example", "(615) 555-0147",
     "810 Hillsboro Rd", "Franklin", "TN", "37064",
     [("Coach Ray Dalton", "Athletic Director", "rdalton@franklinhs.example", "(615) 555-0148")], False,
     None),
    ("Nashville SC Supporters Group", "sports_team", "awaydays@nashsupporters.example", "(629) 555-0149",
     "501 Benton Ave", "Nashville", "TN", "37204",
     [("Jess Coleman", "Away Travel Captain", "jcoleman@nashsupporters.example", "(629) 555-0150")], True,
     "Away-day coaches; needs cooler space."),
    ("Metro Nashville Parks", "government", "seniorprograms@nashville.example", "(615) 555-0151",
     "2565 Park Plaza", "Nashville", "TN", "37203",
     [("Doris Evans", "Senior Programs", "devans@nashville.example", "(615) 555-0152")], False, None),
    ("Murfreesboro Chamber of Commerce", "nonprofit", "events@rutherfordchamber.example", "(615) 555-0153",
     "3050 Medical Center Pkwy", "Murfreesboro", "TN", "37129",
     [("Paula Lin", "Events Director", "plin@rutherfordchamber.example", "(615) 555-0154")], False, None),
    ("Cumberland Health Systems", "corporate", "facilities@cumberlandhealth.example", "(615) 555-0155",
     "4000 Centennial Blvd", "Nashville", "TN", "37209",
     [("Aaron Michaels", "Facilities Manager", "amichaels@cumberlandhealth.example", "(615) 555-0156")],
     False, "Staff shuttle during garage construction."),
    ("Emily Chen", "individual", "emily.chen@mail.example", "(615) 555-0157",
     "1808 Division St", "Nashville", "TN", "37203", [], True, "Bachelorette party, Broadway bar crawl."),
    ("Clarksville Academy", "school", "office@clarksvilleacademy.example", "(931) 555-0158",
     "710 N 2nd St", "Clarksville", "TN", "37040",
     [("Nancy Byers", "Head of School", "nbyers@clarksvilleacademy.example", "(931) 555-0159")], False, None),
    ("Birmingham Southern Travel Club", "nonprofit", "club@bhamtravelclub.example", "(205) 555-0160",
     "2100 1st Ave N", "Birmingham", "AL", "35203",
     [("Walter Price", "Club President", "wprice@bhamtravelclub.example", "(205) 555-0165")], False, None),
    ("Huntsville Aerospace Partners", "corporate", "events@hsvaero.example", "(256) 555-0166",
     "6000 Technology Dr NW", "Huntsville", "AL", "35805",
     [("Sandra Wu", "Executive Assistant", "swu@hsvaero.example", "(256) 555-0167")], False, None),
    ("Knoxville Catholic High School", "school", "trips@knoxcatholic.example", "(865) 555-0168",
     "9245 Fox Lonas Rd", "Knoxville", "TN", "37923",
     [("Father Michael O'Neil", "Campus Minister", "moneil@knoxcatholic.example", "(865) 555-0169")], False,
     None),
    ("Memphis Blues Heritage Tours", "tour_operator", "hello@bluesheritage.example", "(901) 555-0170",
     "126 Beale St", "Memphis", "TN", "38103",
     [("Curtis Lane", "Owner", "clane@bluesheritage.example", "(901) 555-0171")], False, None),
    ("Robert Ellison", "individual", "r.ellison@mail.example", "(770) 555-0172",
     "3021 Lenox Rd NE", "Atlanta", "GA", "30324", [], False, "Family reunion, Gatlinburg."),
    ("Macon Symphony Guild", "nonprofit", "guild@maconsymphony.example", "(478) 555-0173",
     "651 Mulberry St", "Macon", "GA", "31201",
     [("Beverly Hughes", "Guild Chair", "bhughes@maconsymphony.example", "(478) 555-0174")], False, None),
    ("Cobb County Senior Services", "government", "seniors@cobbcounty.example", "(770) 555-0175",
     "1150 Powder Springs St", "Marietta", "GA", "30064",
     [("Gloria Simmons", "Trip Coordinator", "gsimmons@cobbcounty.example", "(770) 555-0176")], False, None),
    ("Sweetwater Brewing Company", "corporate", "taproom@sweetwaterbrew.example", "(404) 555-0177",
     "195 Ottley Dr NE", "Atlanta", "GA", "30324",
     [("Jake Morrison", "Marketing Manager", "jmorrison@sweetwaterbrew.example", "(404) 555-0178")], True,
     None),
]

# For --scale copies: believable generated names.
FIRST = ["James", "Mary", "Robert", "Patricia", "Michael", "Jennifer", "William", "Linda", "David", "Barbara",
         "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Charles", "Karen", "Andre", "Keisha",
         "Carlos", "Ana", "Kevin", "Tiffany", "Brian", "Ashley", "Marcus", "Latoya", "Wei", "Priya"]
LAST = ["Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Wilson",
        "Anderson", "Taylor", "Thomas", "Moore", "Jackson", "Martin", "Lee", "Thompson", "White", "Harris",
        "Clark", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott", "Green"]
# city, state, ZIP, area code
CITIES = [("Atlanta", "GA", "30308", "404"), ("Marietta", "GA", "30060", "770"),
          ("Roswell", "GA", "30075", "770"), ("Alpharetta", "GA", "30009", "678"),
          ("Athens", "GA", "30601", "706"), ("Macon", "GA", "31201", "478"),
          ("Savannah", "GA", "31401", "912"), ("Columbus", "GA", "31901", "706"),
          ("Nashville", "TN", "37203", "615"), ("Franklin", "TN", "37064", "615"),
          ("Murfreesboro", "TN", "37130", "615"), ("Chattanooga", "TN", "37402", "423"),
          ("Knoxville", "TN", "37902", "865"), ("Clarksville", "TN", "37040", "931"),
          ("Birmingham", "AL", "35203", "205"), ("Huntsville", "AL", "35801", "256")]
STREETS = ["Main St", "Oak St", "Church St", "Peachtree Rd", "Broad St", "Maple Ave", "Park Ave", "Elm St",
           "Washington St", "Jefferson Ave", "Lakeview Dr", "College Ave", "Riverside Dr", "Magnolia Ln"]
ORG_NAMES = {
    "corporate": ["{last} & {last2} Associates", "{city} Logistics Group", "{last} Engineering",
                  "{city} Medical Partners", "{last} Insurance Agency"],
    "school": ["{city} High School", "{city} Middle School Band", "{city} Christian Academy"],
    "university": ["{city} State University Athletics", "{city} Community College"],
    "church": ["{city} First Baptist Church", "St. {first}'s Catholic Church",
               "{city} United Methodist Church"],
    "sports_team": ["{city} Youth Soccer Club", "{city} 12U Travel Baseball", "{city} Select Volleyball"],
    "nonprofit": ["{city} Rotary Club", "{city} Boys & Girls Club", "Friends of the {city} Library"],
    "government": ["{city} Parks & Recreation", "{city} Senior Center"],
    "tour_operator": ["{last} Group Tours", "{city} Heritage Tours"],
}
TYPE_MIX = ["individual"] * 6 + ["corporate"] * 6 + ["school"] * 4 + ["church"] * 4 + ["sports_team"] * 3 + [
    "nonprofit"] * 3 + ["university", "government", "tour_operator"]
BATCH = 500
DRIVER_AUDIT_FIELDS = ("email", "full_name", "phone", "role", "is_active", "hub_id", "cdl_number",
                       "cdl_expiry")


def _slug(text: str) -> str:
    return "".join(c for c in text.lower() if c.isalnum())[:30] or "client"


def _phone(rng: random.Random, area: str) -> str:
    return f"({area}) 555-{rng.randint(100, 199):04d}"  # 555-0100..0199 are reserved for fiction


def _base_client(row) -> ClientCreate:
    name, ctype, email, phone, street, city, state, zipcode, contacts, sms, notes = row
    return ClientCreate(name=name, client_type=ctype, email=email, phone=phone, billing_address_line1=street,
                        billing_city=city, billing_state=state, billing_postal_code=zipcode, notes=notes,
                        sms_notifications_enabled=sms,
                        contacts=[{"name": n, "title": t, "email": e, "phone": p} for n, t, e, p in contacts])


def _generated_client(rng: random.Random, serial: int, agent_id: int) -> ClientCreate:
    ctype = rng.choice(TYPE_MIX)
    city, state, zipcode, area = rng.choice(CITIES)
    first, last = rng.choice(FIRST), rng.choice(LAST)
    if ctype == "individual":
        name = f"{first} {last}"
        email = f"{first}.{last}{serial}@mail.example".lower()
        contacts = []
    else:
        name = rng.choice(ORG_NAMES[ctype]).format(city=city, first=first, last=last, last2=rng.choice(LAST))
        email = f"office{serial}@{_slug(name)}.example"
        contact_first, contact_last = rng.choice(FIRST), rng.choice(LAST)
        contacts = [{"name": f"{contact_first} {contact_last}", "title": "Trip Organizer",
                     "email": f"{contact_first[0]}{contact_last}{serial}@{_slug(name)}.example".lower(),
                     "phone": _phone(rng, area)}]
    return ClientCreate(name=name, client_type=ctype, email=email, phone=_phone(rng, area),
                        billing_address_line1=f"{rng.randint(100, 9999)} {rng.choice(STREETS)}",
                        billing_city=city, billing_state=state, billing_postal_code=zipcode,
                        sms_notifications_enabled=rng.random() < 0.3, assigned_sales_agent_id=agent_id,
                        contacts=contacts)


def _vehicles(copy: int, hubs: dict[str, int], types: dict[str, int]) -> list[VehicleCreate]:
    """One copy of the fleet; unit numbers run ATL-101.. for copy 1, ATL-201.. for copy 2, and so on."""
    rows = []
    for hub, units in FLEET.items():
        for i, (vtype, make, model, year, wmi, status) in enumerate(units, start=1):
            number = copy * 100 + i
            serial = copy * 1000 + (0 if hub == "ATL" else 500) + i
            rows.append(VehicleCreate(unit_number=f"{hub}-{number}", hub_id=hubs[hub],
                                      vehicle_type_id=types[vtype], status=status, make=make, model=model,
                                      year=year,
                                      vin=f"{wmi}{serial:09d}", license_plate=f"{PLATE_PREFIX[hub]}{serial}"))
    return rows


def _bulk_drivers(session: Session, rows: list[UserCreate], password_hash: str) -> None:
    """Scaled-up driver accounts: validated like any user, sharing one password hash (argon2 is slow)."""
    emails = [r.email.lower() for r in rows]
    if session.scalar(select(User.id).where(User.email.in_(emails)).limit(1)) is not None:
        raise ValueError("demo driver emails already taken")
    users = [User(email=r.email.lower(), full_name=r.full_name, phone=r.phone, password_hash=password_hash,
                  role="driver", is_active=True, mfa_enabled=False, hub_id=r.hub_id, cdl_number=r.cdl_number,
                  cdl_expiry=r.cdl_expiry) for r in rows]
    session.add_all(users)
    session.flush()
    for user in users:
        audit.record(session, SYSTEM, entity_type="user", entity_id=user.id, action="create",
                     new={k: audit.snapshot(user)[k] for k in DRIVER_AUDIT_FIELDS})


def _generated_drivers(rng: random.Random, copy: int, hubs: dict[str, int], today: date) -> list[UserCreate]:
    rows = []
    for i, hub in enumerate(["ATL", "ATL", "BNA", "BNA"], start=1):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        rows.append(UserCreate(email=f"driver{copy}-{i}@coachway.demo", full_name=f"{first} {last}",
                               password=DEMO_PASSWORD, role="driver",
                               phone=_phone(rng, "404" if hub == "ATL" else "615"),
                               hub_id=hubs[hub], cdl_number=f"{rng.randint(10**8, 10**9 - 1)}",
                               cdl_expiry=today + timedelta(days=rng.randint(-30, 1200))))
    return rows


def load(*, scale: int = 1, only_if_empty: bool = False) -> bool:
    """Create the demo company; False when only_if_empty and data already exists."""
    with transaction() as session:
        if only_if_empty and (session.scalar(select(func.count()).select_from(User)) or 0) > 0:
            return False
        today = clock.now().date()
        hubs = {h["code"]: create_hub(session, SYSTEM, **HubCreate(**h).model_dump()).id for h in HUBS}
        types = {}
        for order, (code, name, capacity, description) in enumerate(VEHICLE_TYPES, start=1):
            row = VehicleTypeCreate(code=code, name=name, capacity=capacity, description=description,
                                    sort_order=order * 10)
            types[code] = create_vehicle_type(session, SYSTEM, **row.model_dump()).id
        users = {}
        for role, email, name in STAFF:
            users[role] = create_user(session, SYSTEM, email=email, full_name=name, password=DEMO_PASSWORD,
                                      role=role, hub_id=hubs["ATL"])
        agent_id = users["sales_agent"].id
        client_ids = {}
        for row in CLIENTS:
            data = _base_client(row).model_dump()
            data["assigned_sales_agent_id"] = agent_id
            client_ids[row[0]] = create_client(session, SYSTEM, **data).id
        role, email, name = VENDOR
        create_user(session, SYSTEM, email=email, full_name=name, password=DEMO_PASSWORD, role=role)
        role, email, name = CLIENT_USER
        create_user(session, SYSTEM, email=email, full_name=name, password=DEMO_PASSWORD, role=role,
                    client_id=client_ids[CLIENT_USER_CLIENT])
        for email, name, hub, cdl, days, phone in DRIVERS:
            create_user(session, SYSTEM, email=email, full_name=name, password=DEMO_PASSWORD, role="driver",
                        phone=phone, hub_id=hubs[hub], cdl_number=cdl,
                        cdl_expiry=today + timedelta(days=days))
        import_vehicles(session, SYSTEM, _vehicles(1, hubs, types))
        pricing_demo.load(session, hubs=hubs, types=types, today=today)
        charters_demo.load(session, hubs=hubs, types=types, client_ids=client_ids, agent_id=agent_id,
                           today=today)
        add_demo_documents(session)
        sales_demo.load(session, hubs=hubs, agent_id=agent_id, today=today)
        payments_demo.load(session, today=today)
        if scale > 1:
            _load_copies(session, scale, hubs, types, agent_id, today)
            payments_demo.load_scale(session, scale=scale, today=today)
    return True


def _load_copies(session: Session, scale: int, hubs: dict[str, int], types: dict[str, int], agent_id: int,
                 today: date) -> None:
    """Copies 2..scale of the clients, fleet and drivers, inserted in batches."""
    rng = random.Random(20240601)
    password_hash = security.hash_password(DEMO_PASSWORD)
    serial = 0
    clients: list[ClientCreate] = []
    vehicles: list[VehicleCreate] = []
    drivers: list[UserCreate] = []
    for copy in tqdm(range(2, scale + 1), desc="demo data", unit="copy", disable=None):
        for _ in CLIENTS:
            serial += 1
            clients.append(_generated_client(rng, serial, agent_id))
        vehicles += _vehicles(copy, hubs, types)
        drivers += _generated_drivers(rng, copy, hubs, today)
        if len(clients) >= BATCH or copy == scale:
            import_clients(session, SYSTEM, clients)
            import_vehicles(session, SYSTEM, vehicles)
            _bulk_drivers(session, drivers, password_hash)
            clients, vehicles, drivers = [], [], []


def sign_in_help() -> str:
    """The demo sign-ins, for printing."""
    lines = [f"Demo sign-ins (password: {DEMO_PASSWORD}):"]
    lines += [f"  {role:14} {email}" for role, email, _ in STAFF]
    lines += [f"  {'sales_agent':14} {sales_demo.SECOND_AGENT[0]}  (second agent of the lead round robin)"]
    lines += [f"  {'driver':14} {DRIVERS[0][0]}", f"  {VENDOR[0]:14} {VENDOR[1]}",
              f"  {CLIENT_USER[0]:14} {CLIENT_USER[1]}  ({CLIENT_USER_CLIENT})"]
    return "\n".join(lines)
