"""A real headless browser for the page: Debian's chromium, driven by Playwright's sync API.

A plugin that each browser test module loads with `pytest_plugins`, rather than a
conftest.py, whose module name would shadow the root conftest's for other tests.

Playwright cannot download its own browser here, so the tests use the system's.
Each test gets a fresh context; any Content-Security-Policy violation or script
error a page reports fails the test.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Error, Page, Playwright, sync_playwright

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
_CLIENT_ERROR = "Failed to load resource: the server responded with a status of 4"


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} is not installed (apt-get install chromium)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI must run the browser tests: {message}", pytrace=False)
        pytest.skip(message)
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
    yield chromium
    chromium.close()


class PageProblems:
    def __init__(self) -> None:
        self.messages: list[str] = []

    def console(self, message: ConsoleMessage) -> None:
        # A 4xx answer is what the bad-path tests ask for; Chromium logs each one.
        if message.type == "error" and not message.text.startswith(_CLIENT_ERROR):
            self.messages.append(message.text)

    def page_error(self, error: Error) -> None:
        self.messages.append(error.message)


DESKTOP = {"width": 1200, "height": 900}
PHONE = {"width": 390, "height": 844}


def _open_page(
    browser: Browser, javascript: bool, viewport: dict[str, int] = DESKTOP
) -> Iterator[Page]:
    context = browser.new_context(
        viewport={"width": viewport["width"], "height": viewport["height"]},
        java_script_enabled=javascript,
        accept_downloads=True,
        permissions=["clipboard-read", "clipboard-write"],
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    problems = PageProblems()
    page.on("console", problems.console)
    page.on("pageerror", problems.page_error)
    yield page
    context.close()
    # Chromium reports a blocked inline script or style as a console error.
    assert problems.messages == [], "the page reported errors (CSP violations or script errors)"


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    yield from _open_page(browser, javascript=True)


@pytest.fixture
def page_without_javascript(browser: Browser) -> Iterator[Page]:
    yield from _open_page(browser, javascript=False)


@pytest.fixture
def phone_page(browser: Browser) -> Iterator[Page]:
    """A 390 px wide phone screen."""
    yield from _open_page(browser, javascript=True, viewport=PHONE)


@pytest.fixture(params=["desktop", "phone"])
def any_page(request: pytest.FixtureRequest, browser: Browser) -> Iterator[Page]:
    """The same test at 1200 px and at 390 px."""
    yield from _open_page(browser, True, DESKTOP if request.param == "desktop" else PHONE)
