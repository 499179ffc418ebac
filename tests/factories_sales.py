"""Test data of the sales domain: agents in the round-robin queue, and leads made through the service."""

from datetime import timedelta

from coachway.core import clock
from coachway.core.db import transaction
from coachway.core.permissions import SYSTEM
from tests.factories import login, make_user

_n = iter(range(1, 1_000_000))


def make_agent(
    client=None,
    *,
    in_queue: bool = True,
    cap: int | None = None,
    active: bool = True,
    role: str = "sales_agent",
):
    """A sales agent (and, by default, its place at the end of the round robin); returns (user, headers)
    where headers is None without a test client."""
    from sqlalchemy import func, select

    from coachway.sales.models import LeadAssignmentQueue

    user = make_user(role=role)
    if in_queue:
        with transaction() as session:
            last = session.scalar(select(func.max(LeadAssignmentQueue.position))) or 0
            session.add(
                LeadAssignmentQueue(
                    user_id=user.id,
                    position=last + 1,
                    is_active=active,
                    max_daily_leads=cap,
                    leads_assigned_today=0,
                    created_at=clock.now(),
                )
            )
    return user, (login(client, user.email) if client is not None else None)


def make_lead(*, source: str = "phone", **kw):
    """A lead entered by the system (so routed like any other); returns the row (detached)."""
    from coachway.sales.service import create_lead

    n = next(_n)
    kw.setdefault("first_name", "Dana")
    kw.setdefault("last_name", f"Lead{n}")
    kw.setdefault("email", f"lead{n}@example.org")
    with transaction() as session:
        lead = create_lead(session, SYSTEM, source=source, **kw)
        session.flush()
        session.expunge(lead)
    return lead


def in_days(days: int):
    """A local date some days from today (company time)."""
    from coachway.sales.service import today

    return today() + timedelta(days=days)


def lead_body(**kw) -> dict:
    """A valid POST /api/v1/leads body."""
    n = next(_n)
    body = {
        "source": "phone",
        "first_name": "Avery",
        "last_name": f"Stone{n}",
        "email": f"avery{n}@example.org",
        "phone": f"(404) 555-01{n % 100:02d}",
        "company": "Northside Choir",
        "origin": "Atlanta, GA",
        "destination": "Savannah, GA",
        "passenger_count": 40,
        "trip_date": str(in_days(30)),
    }
    body.update(kw)
    return body
