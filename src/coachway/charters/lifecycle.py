"""The charter workflow: one table of the allowed status changes.

quote -> booked -> confirmed -> in_progress -> completed; a quote, booking or confirmed trip can be
cancelled. A trip under way cannot be cancelled, and completed and cancelled charters are final.
"""

from coachway.core.errors import Conflict

# action -> (statuses it may start from, status it leads to)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "book": (frozenset({"quote"}), "booked"),
    "confirm": (frozenset({"booked"}), "confirmed"),
    "start": (frozenset({"confirmed"}), "in_progress"),
    "complete": (frozenset({"in_progress"}), "completed"),
    "cancel": (frozenset({"quote", "booked", "confirmed"}), "cancelled"),
}
FINAL_STATUSES = frozenset({"completed", "cancelled"})
# The column stamped with the time a charter reached each status.
STAMPS = {"booked": "booked_at", "confirmed": "confirmed_at", "in_progress": "started_at",
          "completed": "completed_at", "cancelled": "cancellation_date"}
_VERBS = {"book": "booked", "confirm": "confirmed", "start": "started", "complete": "completed",
          "cancel": "cancelled"}
_LABELS = {"quote": "a quote", "booked": "a booked charter", "confirmed": "a confirmed charter",
           "in_progress": "a trip in progress", "completed": "a completed charter",
           "cancelled": "a cancelled charter"}


def allowed_actions(status: str) -> list[str]:
    """The actions that may be taken on a charter in status, in workflow order."""
    return [action for action, (sources, _) in TRANSITIONS.items() if status in sources]


def next_status(status: str, action: str) -> str:
    """The status action leads to from status; Conflict (409) when the workflow does not allow it."""
    if action not in TRANSITIONS:
        raise ValueError(f"unknown charter action {action!r}")
    sources, target = TRANSITIONS[action]
    if status not in sources:
        labels = [_LABELS[s] for s in sorted(sources, key=list(_LABELS).index)]
        can = labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} or {labels[-1]}"
        raise Conflict(f"{_LABELS.get(status, status).capitalize()} cannot be {_VERBS[action]}; only "
                       f"{can} can.", errors=[{"field": "status", "message": f"The charter is {status}."}])
    return target
