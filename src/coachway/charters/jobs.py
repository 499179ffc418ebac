"""Jobs of the charters domain."""

from sqlalchemy import select

from coachway.charters.models import Charter
from coachway.charters.service.itinerary import replan
from coachway.core import clock
from coachway.core.db import transaction
from coachway.core.jobs import job

OPEN_STATUSES = ("quote", "booked", "confirmed")
BATCH = 200


@job("charters.recheck_dot", cron="40 2 * * *")
def recheck_dot() -> int:
    """Re-run the hours-of-service check of every open charter from today on, so that an edited or switched
    DOT rule reaches charters saved before the edit; returns how many changed their second-driver flag."""
    changed, last_id = 0, 0
    today = clock.now().date()
    while True:
        with transaction() as session:
            batch = session.scalars(
                select(Charter).where(Charter.status.in_(OPEN_STATUSES), Charter.trip_date >= today,
                                      Charter.id > last_id)
                .order_by(Charter.id).limit(BATCH).with_for_update(skip_locked=True)).all()
            if not batch:
                return changed
            for charter in batch:
                before = charter.requires_second_driver
                replan(session, charter)
                changed += charter.requires_second_driver != before
            last_id = batch[-1].id
