"""A worker stopped or killed in the middle of an SMTP conversation: every queued email arrives once.

The SMTP server below holds one chosen message at RCPT TO (the worker is mid-conversation, its message row
claimed in an open transaction) until the test has stopped or killed the worker. Then it lets go.
"""

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from coachway.config import get_settings
from coachway.core import db, outbox
from coachway.core.models import OutboxMessage
from tests.integration.test_worker_email import Inbox, _free_port

pytestmark = pytest.mark.integration

COACHWAY = str(Path(sys.executable).with_name("coachway"))


class HoldingInbox(Inbox):
    """Keeps what it receives; the first conversation for `hold_for` waits at RCPT until released."""

    def __init__(self, hold_for: str) -> None:
        super().__init__()
        self.hold_for = hold_for
        self.holding = threading.Event()
        self.release = threading.Event()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == self.hold_for and not self.holding.is_set():
            self.holding.set()
            while not self.release.is_set():
                await asyncio.sleep(0.02)
        return await super().handle_RCPT(server, session, envelope, address, rcpt_options)


@pytest.fixture
def holding_smtp(monkeypatch):
    inbox = HoldingInbox(hold_for="third@example.com")
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("COACHWAY_EMAIL_BACKEND", "smtp")
    monkeypatch.setenv("COACHWAY_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("COACHWAY_SMTP_PORT", str(port))
    get_settings.cache_clear()
    yield inbox
    inbox.release.set()
    controller.stop()
    get_settings.cache_clear()


RECIPIENTS = ["first@example.com", "second@example.com", "third@example.com", "fourth@example.com",
              "fifth@example.com"]


def _queue_five() -> list[int]:
    with db.transaction() as s:
        return [outbox.enqueue(s, "email.send", {"to": to, "subject": f"Trip details for {to}",
                                                 "text": "Your coach leaves at 8:00.\n"}).id
                for to in RECIPIENTS]


def _worker(database_url: str) -> subprocess.Popen:
    env = {**os.environ, "COACHWAY_DATABASE_URL": database_url}
    return subprocess.Popen([COACHWAY, "worker", "--poll", "0.1"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def _wait(condition, what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def _statuses(ids: list[int]) -> list[str]:
    with db.transaction() as s:
        return [s.get(OutboxMessage, i).status for i in ids]


def _assert_each_arrived_once(inbox: Inbox, ids: list[int]) -> None:
    received = Counter(mail["Message-ID"] for mail in inbox.messages)
    assert received == Counter({f"<outbox-{i}@coachway>": 1 for i in ids})
    assert sorted(rcpt for _, [rcpt] in inbox.envelopes) == sorted(RECIPIENTS)


def test_a_killed_worker_leaves_its_message_to_the_next_one_which_delivers_each_email_once(
        holding_smtp, database_url):
    ids = _queue_five()
    first = _worker(database_url)
    try:
        _wait(holding_smtp.holding.is_set, "the worker to reach the third email")
        first.kill()  # SIGKILL: no cleanup, the open transaction dies with the process
        first.wait(timeout=30)
    finally:
        holding_smtp.release.set()
    assert len(holding_smtp.messages) == 2
    assert _statuses(ids) == ["sent", "sent", "pending", "pending", "pending"]

    second = _worker(database_url)
    try:
        _wait(lambda: _statuses(ids) == ["sent"] * 5, "the restarted worker to deliver the rest")
    finally:
        second.terminate()
        second.wait(timeout=30)
    _assert_each_arrived_once(holding_smtp, ids)


def test_a_worker_told_to_stop_finishes_the_email_in_hand_and_the_next_worker_sends_the_rest(
        holding_smtp, database_url):
    ids = _queue_five()
    first = _worker(database_url)
    try:
        _wait(holding_smtp.holding.is_set, "the worker to reach the third email")
        first.send_signal(signal.SIGTERM)
        time.sleep(0.3)  # the signal lands while the SMTP conversation is still held
        holding_smtp.release.set()
        output, _ = first.communicate(timeout=30)
    finally:
        holding_smtp.release.set()
        if first.poll() is None:
            first.kill()
    assert first.returncode == 0, output
    assert "finishing the current message" in output
    assert _statuses(ids) == ["sent", "sent", "sent", "pending", "pending"]

    second = _worker(database_url)
    try:
        _wait(lambda: _statuses(ids) == ["sent"] * 5, "the restarted worker to deliver the rest")
    finally:
        second.terminate()
        second.wait(timeout=30)
    _assert_each_arrived_once(holding_smtp, ids)
