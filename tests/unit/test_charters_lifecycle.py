"""The charter workflow table, exhaustively: every action from every status is allowed or refused."""

import pytest

from coachway.charters.lifecycle import FINAL_STATUSES, STAMPS, TRANSITIONS, allowed_actions, next_status
from coachway.charters.models import CHARTER_STATUSES
from coachway.core.errors import Conflict

ALLOWED = {
    ("quote", "book"): "booked",
    ("booked", "confirm"): "confirmed",
    ("confirmed", "start"): "in_progress",
    ("in_progress", "complete"): "completed",
    ("quote", "cancel"): "cancelled",
    ("booked", "cancel"): "cancelled",
    ("confirmed", "cancel"): "cancelled",
}


@pytest.mark.parametrize("status", CHARTER_STATUSES)
@pytest.mark.parametrize("action", list(TRANSITIONS))
def test_every_action_from_every_status(status, action):
    if (status, action) in ALLOWED:
        assert next_status(status, action) == ALLOWED[(status, action)]
    else:
        with pytest.raises(Conflict):
            next_status(status, action)


def test_final_statuses_allow_nothing_and_a_trip_under_way_cannot_be_cancelled():
    assert all(allowed_actions(status) == [] for status in FINAL_STATUSES)
    assert allowed_actions("in_progress") == ["complete"]
    assert allowed_actions("quote") == ["book", "cancel"]


def test_refusal_says_what_the_charter_is_and_what_could_be_done():
    with pytest.raises(Conflict) as refused:
        next_status("in_progress", "cancel")
    assert refused.value.detail == ("A trip in progress cannot be cancelled; only a quote, a booked "
                                    "charter or a confirmed charter can.")


def test_every_target_status_has_a_timestamp_column():
    assert {target for _, target in TRANSITIONS.values()} == set(STAMPS)


def test_unknown_action_is_a_programming_error():
    with pytest.raises(ValueError):
        next_status("quote", "teleport")
