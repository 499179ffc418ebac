"""The transactional outbox: messages live and die with their transaction, retry with backoff, then fail."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from coachway.config import get_settings
from coachway.core import clock, db, outbox
from coachway.core.models import OutboxMessage
from coachway.core.outbox import PermanentFailure, handles

T0 = datetime(2030, 5, 1, 9, 0, tzinfo=UTC)


class Calls:
    """What a test handler was given, and what it should do next."""

    def __init__(self) -> None:
        self.payloads: list[dict] = []
        self.fail_with: Exception | None = None


def _private_handlers(monkeypatch) -> None:
    # The real handlers first, so that the copy has them and test topics vanish with it.
    outbox.load_handlers()
    monkeypatch.setattr(outbox, "_handlers", dict(outbox._handlers))


@pytest.fixture
def calls(monkeypatch):
    """A `test.note` topic whose handler records its payloads (and raises calls.fail_with when set)."""
    _private_handlers(monkeypatch)
    recorded = Calls()

    @handles("test.note")
    def deliver_note(session, payload):
        recorded.payloads.append(payload)
        if recorded.fail_with is not None:
            raise recorded.fail_with

    return recorded


@pytest.fixture
def frozen():
    """The clock stands at T0 until the test moves it."""
    now = {"t": T0}
    clock.set_clock(lambda: now["t"])
    return now


def _enqueue(topic="test.note", **payload) -> int:
    with db.transaction() as s:
        return outbox.enqueue(s, topic, payload or {"n": 1}).id


def _message(message_id: int) -> OutboxMessage:
    with db.transaction() as s:
        return s.get(OutboxMessage, message_id)


def _count() -> int:
    with db.transaction() as s:
        return s.scalar(select(func.count()).select_from(OutboxMessage))


def test_enqueued_message_is_delivered_once_with_its_outbox_id(calls, frozen):
    message_id = _enqueue(n=7)
    assert outbox.deliver_due() == 1
    msg = _message(message_id)
    assert (msg.status, msg.attempts, msg.sent_at, msg.last_error) == ("sent", 1, T0, None)
    assert calls.payloads == [{"n": 7, "outbox_id": message_id}]
    assert outbox.deliver_due() == 0


def test_message_enqueued_in_a_rolled_back_transaction_never_exists(calls):
    with pytest.raises(RuntimeError), db.transaction() as s:
        outbox.enqueue(s, "test.note", {"n": 1})
        raise RuntimeError("the change failed")
    assert _count() == 0
    assert outbox.deliver_due() == 0
    assert calls.payloads == []


def test_handler_writes_roll_back_when_it_fails(monkeypatch, frozen):
    _private_handlers(monkeypatch)

    @handles("test.writes_then_fails")
    def write_then_fail(session, payload):
        outbox.enqueue(session, "test.follow_up", {})
        raise RuntimeError("gateway down")

    message_id = _enqueue("test.writes_then_fails")
    outbox.deliver_one()
    assert _count() == 1  # the follow-up written before the failure is gone
    assert _message(message_id).last_error == "RuntimeError: gateway down"


def test_failing_handler_retries_with_growing_backoff_then_fails_with_its_error(calls, frozen, monkeypatch):
    monkeypatch.setenv("COACHWAY_OUTBOX_MAX_ATTEMPTS", "4")
    get_settings.cache_clear()
    calls.fail_with = ConnectionError("smtp.example.com refused the connection")
    message_id = _enqueue()

    waits = []
    for attempt in (1, 2, 3):
        assert outbox.deliver_one() is True
        msg = _message(message_id)
        assert (msg.status, msg.attempts) == ("pending", attempt)
        assert msg.last_error == "ConnectionError: smtp.example.com refused the connection"
        waits.append(msg.next_attempt_at - frozen["t"])
        assert outbox.deliver_one() is False  # not due again before the backoff has passed
        frozen["t"] = msg.next_attempt_at
    assert waits == [timedelta(seconds=30), timedelta(seconds=60), timedelta(seconds=120)]

    assert outbox.deliver_one() is True
    msg = _message(message_id)
    assert (msg.status, msg.attempts, msg.sent_at) == ("failed", 4, None)
    assert "refused the connection" in msg.last_error
    frozen["t"] += timedelta(days=1)
    assert outbox.deliver_one() is False  # a failed message is never tried again by itself
    assert len(calls.payloads) == 4


def test_message_that_fails_then_succeeds_is_sent_and_its_error_cleared(calls, frozen):
    calls.fail_with = TimeoutError("timed out")
    message_id = _enqueue()
    outbox.deliver_one()
    calls.fail_with = None
    frozen["t"] += timedelta(seconds=30)
    outbox.deliver_one()
    msg = _message(message_id)
    assert (msg.status, msg.attempts, msg.last_error) == ("sent", 2, None)


def test_permanent_failure_fails_at_once(calls, frozen):
    calls.fail_with = PermanentFailure("no such mailbox")
    message_id = _enqueue()
    outbox.deliver_one()
    msg = _message(message_id)
    assert (msg.status, msg.attempts, msg.last_error) == ("failed", 1, "PermanentFailure: no such mailbox")


def test_message_of_an_unknown_topic_fails_at_once(frozen):
    message_id = _enqueue("test.nobody_handles_this")
    outbox.deliver_one()
    msg = _message(message_id)
    assert msg.status == "failed"
    assert msg.last_error == "PermanentFailure: no handler for topic 'test.nobody_handles_this'"


def test_resending_a_failed_message_delivers_it_with_fresh_attempts(calls, frozen):
    calls.fail_with = PermanentFailure("mailbox full")
    message_id = _enqueue()
    outbox.deliver_one()
    calls.fail_with = None
    frozen["t"] += timedelta(hours=2)
    with db.transaction() as s:
        msg = outbox.retry(s, message_id)
        assert (msg.status, msg.attempts, msg.next_attempt_at) == ("pending", 0, frozen["t"])
    assert outbox.deliver_due() == 1
    msg = _message(message_id)
    assert (msg.status, msg.attempts, msg.sent_at) == ("sent", 1, frozen["t"])
    assert len(calls.payloads) == 2


def test_resending_a_sent_message_sends_it_again(calls, frozen):
    message_id = _enqueue()
    outbox.deliver_due()
    with db.transaction() as s:
        outbox.retry(s, message_id)
    assert outbox.deliver_due() == 1
    assert [p["outbox_id"] for p in calls.payloads] == [message_id, message_id]


def test_resending_a_missing_message_finds_nothing():
    with db.transaction() as s:
        assert outbox.retry(s, 999_999) is None


def test_due_messages_go_out_oldest_first(calls, frozen):
    first = _enqueue(n=1)
    frozen["t"] += timedelta(seconds=1)
    second = _enqueue(n=2)
    outbox.deliver_due()
    assert [p["outbox_id"] for p in calls.payloads] == [first, second]


def test_deliver_due_stops_at_its_limit(calls, frozen):
    for n in range(3):
        _enqueue(n=n)
    assert outbox.deliver_due(limit=2) == 2
    assert outbox.deliver_due() == 1


def test_backoff_doubles_and_is_capped_at_six_hours():
    assert [outbox.backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert outbox.backoff(40) == timedelta(hours=6)


def test_queued_email_without_a_valid_address_fails_at_once(frozen):
    message_id = _enqueue("email.send", to="not-an-address", subject="Hi", text="Hello")
    outbox.deliver_one()
    msg = _message(message_id)
    assert msg.status == "failed" and "not an email address" in msg.last_error


def test_queued_email_without_a_subject_fails_at_once(frozen):
    message_id = _enqueue("email.send", to="pat@example.com", text="Hello")
    outbox.deliver_one()
    msg = _message(message_id)
    assert msg.status == "failed" and msg.last_error == "PermanentFailure: email message lacks subject"


def test_queued_email_is_kept_as_sent_by_the_offline_backend(frozen):
    message_id = _enqueue("email.send", to="pat@example.com", subject="Hi", text="Hello")
    outbox.deliver_due()
    assert _message(message_id).status == "sent"
