"""`coachway scheduler` starts with every scheduled job and stops cleanly when systemd stops it."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

COACHWAY = str(Path(sys.executable).with_name("coachway"))


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_scheduler_starts_and_stops_cleanly_on_a_signal(tmp_path, database_url, signum):
    log_file = tmp_path / "scheduler.log"
    with log_file.open("w") as log:
        scheduler = subprocess.Popen([COACHWAY, "scheduler"], stdout=log, stderr=subprocess.STDOUT,
                                     env={**os.environ, "COACHWAY_DATABASE_URL": database_url})
    try:
        deadline = time.monotonic() + 30
        while "scheduler started" not in log_file.read_text():
            assert scheduler.poll() is None, log_file.read_text()
            assert time.monotonic() < deadline, "the scheduler did not start: " + log_file.read_text()
            time.sleep(0.05)
        scheduler.send_signal(signum)
        scheduler.wait(timeout=20)
    finally:
        scheduler.kill()
    output = log_file.read_text()
    assert scheduler.returncode == 0, output
    assert "scheduled outbox.deliver" in output and "scheduled auth.purge_expired" in output
    assert "scheduler stopped" in output
    assert "Traceback" not in output
