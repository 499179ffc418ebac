"""Demo documents: terms, contracts, certificates of insurance (one expiring soon, one lapsed), a driver's
medical card and a trip roster, uploaded through the service like any other file.

`add_demo_documents(session)` runs after the demo users and clients exist (coachway.demo.load).
"""

from datetime import date, timedelta

from sqlalchemy.orm import Session

from coachway.auth import service as auth_service
from coachway.clients import service as clients_service
from coachway.core import clock
from coachway.core.permissions import SYSTEM, Actor
from coachway.documents.pdf import text_pdf
from coachway.documents.service import upload_document

COMPANY = "CoachWay Charter Lines"
# (client name, file name, category, title, lines, days until it expires or None, description)
CLIENT_DOCUMENTS = [
    ("Grace Fellowship Church", "Youth-retreat-charter-agreement.pdf", "contract", "Charter Agreement",
     ["Client: Grace Fellowship Church", "Trip: Youth retreat, Stockbridge GA to Lake Junaluska NC",
      "Vehicles: two 56-passenger motorcoaches", "Deposit: 25% on signing, balance 14 days before travel",
      f"Operator: {COMPANY}"], 240, "Signed by Pastor James Whitfield."),
    ("Grace Fellowship Church", "Retreat-passenger-roster.csv", "client_document", None, None, None,
     "Passenger roster for the youth retreat."),
    ("Georgia Institute of Technology Athletics", "GT-Athletics-COI-request.pdf", "client_document",
     "Certificate Holder Request", ["Certificate holder: Georgia Institute of Technology",
                                    "150 Bobby Dodd Way NW, Atlanta, GA 30332",
                                    "Additional insured on every team trip.",
                                    "Auto liability at least $5,000,000 combined single limit."], None,
     "What the university needs on our certificates."),
    ("Fulton County Parks & Recreation", "Fulton-PO-2025-0418.pdf", "invoice", "Purchase Order",
     ["Fulton County Parks & Recreation", "PO 2025-0418: senior outings, spring season",
      "Not to exceed: $18,400.00", "Net 30 from invoice."], 120, "Government PO; dispatch only against it."),
]
ROSTER = ("name,role,phone\nJordan Mills,Chaperone,(770) 555-0190\nAvery Cole,Chaperone,(770) 555-0191\n"
          "Sam Ortiz,Student,\nRiley Brooks,Student,\n")


def _client_ids(session: Session) -> dict[str, int]:
    names = {row[0] for row in CLIENT_DOCUMENTS}
    clients, _ = clients_service.list_clients(session, SYSTEM, limit=1000)
    return {c.name: c.id for c in clients if c.name in names}


def _staff_actor(session: Session) -> Actor:
    agents = auth_service.users_by_role(session, "sales_agent")
    return auth_service.actor_for(session, agents[0]) if agents else SYSTEM


def _upload_pdf(session: Session, actor: Actor, file_name: str, title: str, lines: list[str], **fields):
    return upload_document(session, actor, content=text_pdf(title, lines), file_name=file_name, **fields)


def _expiry(today: date, days: int | None) -> date | None:
    return None if days is None else today + timedelta(days=days)


def _company_documents(session: Session, actor: Actor, today: date) -> int:
    count = 0
    for vendor in auth_service.users_by_role(session, "vendor")[:1]:
        for days, label in ((18, "2025-2026"), (-9, "2024-2025")):
            _upload_pdf(session, actor, f"COI-{vendor.full_name.replace(' ', '-')}-{label}.pdf",
                        "Certificate of Liability Insurance",
                        [f"Insured: {vendor.full_name}", f"Policy period: {label}",
                         "Auto liability: $5,000,000 combined single limit",
                         f"Certificate holder: {COMPANY}"],
                        document_category="coi", vendor_id=vendor.id, expires_at=_expiry(today, days),
                        description="Vendor's certificate of insurance.")
        _upload_pdf(session, actor, "Vendor-rate-notes.pdf", "Rate Notes (internal)",
                    [f"Vendor: {vendor.full_name}", "Our cost per 56-seat coach-day: negotiated annually."],
                    document_category="vendor_bid", vendor_id=vendor.id, is_internal=True,
                    description="Cost notes: staff only.")
        count += 3
    for driver in auth_service.users_by_role(session, "driver")[:2]:
        _upload_pdf(session, actor, f"DOT-medical-card-{driver.full_name.replace(' ', '-')}.pdf",
                    "Medical Examiner's Certificate", [f"Driver: {driver.full_name}",
                                                       "Qualified under 49 CFR 391.41"],
                    document_category="other", user_id=driver.id, expires_at=_expiry(today, 300),
                    description="DOT medical card.")
        count += 1
    return count


def add_demo_documents(session: Session) -> int:
    """Upload the demo documents (clients by their demo names, the first vendor and drivers); returns how
    many were added."""
    today = clock.now().date()
    actor = _staff_actor(session)
    clients = _client_ids(session)
    count = 0
    for client_name, file_name, category, title, lines, days, description in CLIENT_DOCUMENTS:
        if client_name not in clients:
            continue
        fields = {"document_category": category, "client_id": clients[client_name],
                  "expires_at": _expiry(today, days), "description": description}
        if title is None:
            upload_document(session, actor, content=ROSTER.encode(), file_name=file_name, **fields)
        else:
            _upload_pdf(session, actor, file_name, title, lines, **fields)
        count += 1
    return count + _company_documents(session, actor, today)
