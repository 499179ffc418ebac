"""Real-browser tests: the app served by uvicorn in a thread, driven by Debian's headless Chromium.

Browsers are never downloaded. Without /usr/bin/chromium these tests fail when CI=true and are skipped
otherwise. Helpers for the tests themselves are in tests/e2e/helpers.py.
"""

import os
import socket
import threading
import time
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(database_url):
    """The whole app on a free 127.0.0.1 port, on the test database, for the whole run."""
    import uvicorn

    from coachway.app import create_app

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning",
                                           access_log=False))
    thread = threading.Thread(target=server.run, name="live-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the live server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium from the system (never a downloaded browser)."""
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: install Debian's chromium package to run the browser tests"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _page(browser, live_server, **context_options):
    context = browser.new_context(base_url=live_server, **context_options)
    page = context.new_page()
    page.set_default_timeout(10_000)
    problems: list[str] = []
    # CSP violations and script errors show up here; a page that logs one is broken for someone.
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.console_problems = problems
    return context, page


@pytest.fixture
def page(browser, live_server):
    """A fresh desktop browser tab (1280 wide), its own cookies."""
    context, tab = _page(browser, live_server, viewport=DESKTOP)
    yield tab
    context.close()


@pytest.fixture
def phone_page(browser, live_server):
    """A fresh phone-sized tab (390 wide, touch)."""
    context, tab = _page(browser, live_server, viewport=PHONE, device_scale_factor=2, is_mobile=True,
                         has_touch=True)
    yield tab
    context.close()
