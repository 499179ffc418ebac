"""Lead assignment under parallel requests on PostgreSQL: 200 leads posted by 20 clients at once are each
assigned exactly once, none is lost, the round robin stays even (within one) and no daily cap is passed."""

from collections import Counter

import pytest
from sqlalchemy import func, select

from coachway.core.db import transaction
from coachway.sales.models import Lead, LeadActivity
from tests.factories import user_headers
from tests.factories_sales import lead_body, make_agent
from tests.integration.parallel import allow_threads, in_parallel

pytestmark = pytest.mark.postgres

WORKERS = 20
PER_WORKER = 10
CAP = 12


@pytest.fixture(autouse=True)
def postgres_only(is_postgres):
    if not is_postgres:
        pytest.skip("needs PostgreSQL row locks; set COACHWAY_TEST_DATABASE_URL")


@pytest.fixture
def server_threads(client):
    """Threads enough for every request at once."""
    allow_threads(client, 4 * WORKERS)


def test_two_hundred_leads_from_twenty_parallel_clients(client, server_threads):
    manager = user_headers(client, "manager")
    uncapped = [make_agent()[0] for _ in range(5)]
    capped, _ = make_agent(cap=CAP)
    make_agent(active=False)
    bodies = [[lead_body() for _ in range(PER_WORKER)] for _ in range(WORKERS)]

    def worker(batch):
        return lambda: [client.post("/api/v1/leads", json=body, headers=manager) for body in batch]

    results = [r for batch in in_parallel([worker(b) for b in bodies]) for r in batch]
    assert Counter(r.status_code for r in results) == {201: WORKERS * PER_WORKER}

    with transaction() as session:
        leads = session.execute(select(Lead.id, Lead.email, Lead.assigned_to, Lead.assignment_method)).all()
        assignments = Counter(
            session.scalars(select(LeadActivity.lead_id).where(LeadActivity.activity_type == "lead_assigned"))
        )
        total = session.scalar(select(func.count()).select_from(Lead))
    assert total == WORKERS * PER_WORKER
    sent = {body["email"] for batch in bodies for body in batch}
    assert {row.email for row in leads} == sent  # none lost, none made twice
    assert all(row.assigned_to is not None and row.assignment_method == "round_robin" for row in leads)
    assert set(assignments.values()) == {1} and len(assignments) == total  # each assigned exactly once
    per_agent = Counter(row.assigned_to for row in leads)
    assert per_agent[capped.id] == CAP  # filled its cap, never more
    spread = [per_agent[a.id] for a in uncapped]
    assert sum(spread) + CAP == total
    assert max(spread) - min(spread) <= 1, spread
