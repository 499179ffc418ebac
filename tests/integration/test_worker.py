"""`coachway worker` as it runs in production: concurrent workers, a killed worker, a graceful stop."""

import collections
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from coachway.core import db, outbox
from coachway.core.models import OutboxMessage
from coachway.core.outbox import handles

pytestmark = pytest.mark.integration

# `coachway worker` with one more topic, test.slow: its handler notes each call in $CALLS_FILE (one line
# per call: the outbox id), then sleeps $SLOW_SECONDS, so a test can act while a delivery is under way.
WORKER_WITH_SLOW_TOPIC = """
import os, sys, time
from coachway.core.outbox import handles

@handles("test.slow")
def deliver_slowly(session, payload):
    with open(os.environ["CALLS_FILE"], "a") as f:
        f.write(f"{payload['outbox_id']}\\n")
    time.sleep(float(os.environ["SLOW_SECONDS"]))

from coachway.cli import app
app()
"""


def _start_worker(calls_file: Path, slow_seconds: float, *args: str) -> subprocess.Popen:
    env = {**os.environ, "CALLS_FILE": str(calls_file), "SLOW_SECONDS": str(slow_seconds)}
    return subprocess.Popen([sys.executable, "-c", WORKER_WITH_SLOW_TOPIC, "worker", "--poll", "0.1", *args],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _calls(calls_file: Path) -> list[int]:
    return [int(line) for line in calls_file.read_text().split()] if calls_file.exists() else []


def _wait_for(condition, timeout: float = 30.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def _enqueue(topic: str, **payload) -> int:
    with db.transaction() as s:
        return outbox.enqueue(s, topic, payload).id


def _statuses() -> dict[int, tuple[str, int]]:
    with db.transaction() as s:
        return {m.id: (m.status, m.attempts) for m in s.scalars(select(OutboxMessage))}


def test_worker_killed_mid_delivery_loses_nothing_and_the_next_worker_delivers(tmp_path):
    calls_file = tmp_path / "calls"
    message_id = _enqueue("test.slow", n=1)
    worker = _start_worker(calls_file, 60)
    try:
        _wait_for(lambda: _calls(calls_file) == [message_id], what="the slow delivery to start")
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        worker.kill()
    assert _statuses() == {message_id: ("pending", 0)}  # the attempt died with its transaction

    restarted = _start_worker(calls_file, 0)
    try:
        _wait_for(lambda: _statuses()[message_id][0] == "sent", what="the restarted worker to deliver")
    finally:
        restarted.send_signal(signal.SIGTERM)
        restarted.wait(timeout=10)
    assert _calls(calls_file) == [message_id, message_id]  # at least once: the killed try, then the real one
    assert _statuses() == {message_id: ("sent", 1)}


def test_worker_stopped_with_sigterm_finishes_the_current_message_then_exits(tmp_path):
    calls_file = tmp_path / "calls"
    first = _enqueue("test.slow", n=1)
    second = _enqueue("test.slow", n=2)
    worker = _start_worker(calls_file, 2)
    try:
        _wait_for(lambda: _calls(calls_file) == [first], what="the first delivery to start")
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=20)
    finally:
        worker.kill()
    assert worker.returncode == 0, output
    assert "SIGTERM received" in output and "outbox worker stopped" in output
    assert _statuses() == {first: ("sent", 1), second: ("pending", 0)}


def test_worker_once_delivers_what_is_due_and_exits(tmp_path):
    calls_file = tmp_path / "calls"
    ids = [_enqueue("test.slow", n=n) for n in range(3)]
    worker = _start_worker(calls_file, 0, "--once")
    output, _ = worker.communicate(timeout=60)
    assert worker.returncode == 0, output
    assert "Delivered 3 message(s)." in output
    assert sorted(_calls(calls_file)) == ids


def test_worker_thread_stops_when_asked():
    stop = threading.Event()
    worker = threading.Thread(target=outbox.run_worker, kwargs={"poll_seconds": 0.05, "stop": stop})
    worker.start()
    message_id = _enqueue("email.send", to="pat@example.com", subject="Hi", text="Hello")
    _wait_for(lambda: _statuses()[message_id][0] == "sent", what="delivery")
    stop.set()
    worker.join(timeout=5)
    assert not worker.is_alive()


@pytest.mark.postgres
def test_concurrent_workers_deliver_each_message_exactly_once(database_url, monkeypatch):
    if not database_url.startswith("postgresql"):
        pytest.skip("concurrent workers need PostgreSQL row locks (FOR UPDATE SKIP LOCKED); "
                    "SQLite runs one worker")
    outbox.load_handlers()
    monkeypatch.setattr(outbox, "_handlers", dict(outbox._handlers))
    calls: collections.Counter[int] = collections.Counter()
    in_flight: set[int] = set()
    overlaps: list[int] = []
    lock = threading.Lock()

    @handles("test.count")
    def count_delivery(session, payload):
        message_id = payload["outbox_id"]
        with lock:
            if message_id in in_flight:
                overlaps.append(message_id)
            in_flight.add(message_id)
            calls[message_id] += 1
        time.sleep(0.002)  # long enough that workers meet on the same rows if locking were broken
        with lock:
            in_flight.discard(message_id)

    with db.transaction() as s:
        ids = [outbox.enqueue(s, "test.count", {"n": n}).id for n in range(200)]

    stop = threading.Event()
    workers = [threading.Thread(target=outbox.run_worker,
                                kwargs={"poll_seconds": 0.01, "stop": stop, "handle_signals": False})
               for _ in range(4)]
    for w in workers:
        w.start()
    try:
        _wait_for(lambda: all(status == "sent" for status, _ in _statuses().values()), timeout=120,
                  what="all 200 messages to be sent")
    finally:
        stop.set()
        for w in workers:
            w.join(timeout=10)
    assert overlaps == []
    assert sorted(calls) == ids
    assert set(calls.values()) == {1}
    assert {attempts for _, attempts in _statuses().values()} == {1}
