"""The sales jobs: the morning follow-up reminder (once a day per agent) and the nightly re-score."""

from datetime import timedelta

from sqlalchemy import select

from coachway.core import clock
from coachway.core.db import transaction
from coachway.core.jobs import run_job
from coachway.notifications.models import Notification
from coachway.sales.models import Lead
from tests.factories_domain import seed_templates
from tests.factories_sales import in_days, make_agent, make_lead


def _reminders():
    with transaction() as session:
        return session.scalars(
            select(Notification)
            .where(Notification.template_key == "follow_up_reminder")
            .order_by(Notification.id)
        ).all()


def test_each_agent_with_follow_ups_due_gets_one_reminder_a_day():
    seed_templates()
    first, _ = make_agent()
    second, _ = make_agent()
    now = clock.now()
    overdue, due, later, other = make_lead(), make_lead(), make_lead(), make_lead()
    with transaction() as session:
        session.get(Lead, overdue.id).next_follow_up = now - timedelta(days=3)
        session.get(Lead, due.id).next_follow_up = now + timedelta(minutes=5)
        session.get(Lead, later.id).next_follow_up = now + timedelta(days=4)
        lost = session.get(Lead, other.id)
        lost.next_follow_up, lost.status, lost.lost_reason = now - timedelta(days=1), "lost", "x"
    owners = {overdue.id: overdue.assigned_to, due.id: due.assigned_to}
    assert run_job("sales.remind_follow_ups") == len(set(owners.values()))
    sent = _reminders()
    assert {n.user_id for n in sent} == set(owners.values())
    body = "\n".join(n.body_text for n in sent)
    assert f"/admin/leads/{overdue.id}" in body and f"/admin/leads/{due.id}" in body
    assert f"/admin/leads/{later.id}" not in body and f"/admin/leads/{other.id}" not in body
    assert {first.id, second.id} >= {n.user_id for n in sent}
    assert run_job("sales.remind_follow_ups") == 0  # not twice the same day
    assert len(_reminders()) == len(sent)


def test_nightly_rescore_lets_old_leads_cool_down():
    make_agent()
    lead = make_lead(trip_date=in_days(5))
    with transaction() as session:
        start = session.get(Lead, lead.id).lead_score
    later = clock.now() + timedelta(days=20)
    clock.set_clock(lambda: later)
    assert run_job("sales.rescore_leads") == 1
    with transaction() as session:
        assert session.get(Lead, lead.id).lead_score < start
    assert run_job("sales.rescore_leads") == 0
