"""The hot-lead score: 0 to 100, four parts of up to 25 points each.

- **Recency** (25): 25 on the day of the lead's latest sign of life (created, or last contacted), falling
  in a straight line to 0 at 30 days.
- **Trip value** (25): the estimated trip value in proportion to $10,000 (a typical full-day coach
  charter earns the full 25). No estimate, no points.
- **Trip date** (25): 25 when the trip is within 14 days; from there falling in a straight line to 0 at
  120 days out. No date, or a date already past, no points.
- **Engagement** (25): 5 for each of our emails the lead opened, 8 more for each one they clicked through,
  and 6 for each conversation logged (call, meeting or email exchange), capped at 25.

A lead is **hot** when it is still open (new, contacted, qualified or quoted) and scores at least 60.
Scores are stored on `leads.lead_score` (so lists sort by it in SQL): they are recomputed whenever the
lead or its timeline changes, when an email to it is opened or clicked (at the next recompute), and every
night for all open leads by the `sales.rescore_leads` job, since recency and trip date move with time.
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from coachway.core import clock
from coachway.notifications import service as notifications_service
from coachway.sales.models import CONTACT_ACTIVITY_TYPES, OPEN_LEAD_STATUSES, Lead, LeadActivity

HOT_THRESHOLD = 60
PART = 25
RECENCY_DAYS = 30
FULL_VALUE = Decimal(10_000)
NEAR_DAYS, FAR_DAYS = 14, 120
OPEN_POINTS, CLICK_POINTS, CONVERSATION_POINTS = 5, 8, 6


@dataclass(frozen=True)
class Score:
    """A lead's score and its four parts."""

    recency: int
    value: int
    trip_date: int
    engagement: int

    @property
    def total(self) -> int:
        return self.recency + self.value + self.trip_date + self.engagement

    def as_dict(self) -> dict[str, int]:
        return {
            "recency": self.recency,
            "value": self.value,
            "trip_date": self.trip_date,
            "engagement": self.engagement,
            "total": self.total,
        }


def _half_up(points) -> int:
    return int(Decimal(str(points)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def score(
    *,
    now: datetime,
    today: date,
    last_activity: datetime,
    estimated_value: Decimal | None,
    trip_date: date | None,
    opened: int = 0,
    clicked: int = 0,
    conversations: int = 0,
) -> Score:
    """The score of one lead from its facts (pure, so the rule is tested without a database)."""
    idle_days = max(0.0, (now - last_activity).total_seconds() / 86400)
    recency = _half_up(PART * max(0.0, 1 - idle_days / RECENCY_DAYS))
    value = 0
    if estimated_value is not None and estimated_value > 0:
        value = _half_up(PART * min(Decimal(1), estimated_value / FULL_VALUE))
    proximity = 0
    if trip_date is not None and trip_date >= today:
        days_out = (trip_date - today).days
        if days_out <= NEAR_DAYS:
            proximity = PART
        elif days_out < FAR_DAYS:
            proximity = _half_up(PART * (FAR_DAYS - days_out) / (FAR_DAYS - NEAR_DAYS))
    engagement = min(
        PART, OPEN_POINTS * opened + CLICK_POINTS * clicked + CONVERSATION_POINTS * conversations
    )
    return Score(recency=recency, value=value, trip_date=proximity, engagement=engagement)


def is_hot(lead: Lead) -> bool:
    """True for an open lead scoring at least HOT_THRESHOLD."""
    return lead.status in OPEN_LEAD_STATUSES and lead.lead_score >= HOT_THRESHOLD


def _conversations(session: Session, lead_ids: list[int]) -> dict[int, int]:
    rows = session.execute(
        select(LeadActivity.lead_id, func.count())
        .where(LeadActivity.lead_id.in_(lead_ids), LeadActivity.activity_type.in_(CONTACT_ACTIVITY_TYPES))
        .group_by(LeadActivity.lead_id)
    )
    return {key: value for key, value in rows}


def _today() -> date:
    from coachway.sales.service._common import today

    return today()


def scores_of(session: Session, leads: list[Lead]) -> dict[int, Score]:
    """The current score of each lead (two queries for the lot)."""
    if not leads:
        return {}
    ids = [lead.id for lead in leads]
    engagement = notifications_service.lead_engagement(session, ids)
    conversations = _conversations(session, ids)
    now, today = clock.now(), _today()
    result = {}
    for lead in leads:
        opened, clicked = engagement.get(lead.id, (0, 0))
        last = max(lead.created_at, lead.last_contact_date or lead.created_at)
        result[lead.id] = score(
            now=now,
            today=today,
            last_activity=last,
            estimated_value=lead.estimated_value,
            trip_date=lead.trip_date,
            opened=opened,
            clicked=clicked,
            conversations=conversations.get(lead.id, 0),
        )
    return result


def rescore(session: Session, leads: list[Lead]) -> int:
    """Store each lead's current score; returns how many changed."""
    changed = 0
    scores = scores_of(session, leads)
    for lead in leads:
        total = scores[lead.id].total
        if lead.lead_score != total:
            lead.lead_score = total
            changed += 1
    return changed
