"""Sales: leads and their routing, the pipeline, activities and follow-ups, conversion to quotes, the
hot-lead score, and the sales dashboard; the rules the API, the pages, the public calculator and jobs
share.

One module per concern; everything callers use is re-exported here.
"""

from coachway.sales.service._common import day_bounds, sees_all, today, zone
from coachway.sales.service.assignment import (
    LEAD_TAKER_ROLES,
    METHOD_WORDS,
    QueueEntry,
    assign_leads,
    get_queue,
    queue_candidates,
    update_queue,
)
from coachway.sales.service.conversion import convert_lead, existing_client_id
from coachway.sales.service.leads import (
    SORTS,
    SOURCE_WORDS,
    STATUS_WORDS,
    TRANSITIONS,
    Stage,
    create_lead,
    follow_ups,
    get_lead,
    hub_zone,
    lead_score,
    list_activities,
    list_leads,
    log_activity,
    move_lead,
    my_leads,
    names_of,
    pipeline,
    send_follow_up,
    update_lead,
)
from coachway.sales.service.scoring import HOT_THRESHOLD, Score, is_hot, rescore, score, scores_of

__all__ = [
    "day_bounds",
    "sees_all",
    "today",
    "zone",
    "LEAD_TAKER_ROLES",
    "METHOD_WORDS",
    "QueueEntry",
    "assign_leads",
    "get_queue",
    "queue_candidates",
    "update_queue",
    "convert_lead", "existing_client_id",
    "SORTS",
    "SOURCE_WORDS",
    "STATUS_WORDS",
    "TRANSITIONS",
    "Stage",
    "create_lead",
    "follow_ups",
    "get_lead",
    "hub_zone",
    "lead_score",
    "list_activities",
    "list_leads",
    "log_activity",
    "move_lead",
    "my_leads",
    "names_of",
    "pipeline",
    "send_follow_up",
    "update_lead",
    "HOT_THRESHOLD",
    "Score",
    "is_hot",
    "rescore",
    "score",
    "scores_of",
]
