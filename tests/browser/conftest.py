"""Browser journeys: Debian's Chromium driven by Playwright against a live server (tests/livestack.py)."""
from __future__ import annotations

import pytest

from tests.livestack import LiveStack

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"]


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    """A migrated, content-synced platform with web + worker, and an instructor account."""
    stack = LiveStack(tmp_path_factory.mktemp("live"))
    stack.prepare()
    stack.cli("users", "create", "--email", "teacher@example.com", "--password", "password123",
              "--role", "instructor", "--name", "Teacher")
    stack.start_web()
    stack.start_worker()
    yield stack
    stack.stop()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()
