"""Issue 15 in a real browser, at 1200 px and at 390 px: erasing the settings from the
page after a confirmation, and moving a weak token's settings to a new one."""

from __future__ import annotations

import itertools
import re

import pytest
from playwright.sync_api import Page, expect

from browser.browser_pages import SCREENSHOTS, choose_sample, open_home_with_new_token, screenshot
from stack import Stack
from support.api_client import ApiClient
from support.earlier_settings import store_under_any_token
from support.samples import FIDELITY_2025, fidelity_2025_config

pytest_plugins = ["browser.browser_fixtures"]
pytestmark = pytest.mark.e2e

_WEAK_USERS = itertools.count(1)
_KEPT = "[sessionStorage.getItem('rebalancer.token'), localStorage.getItem('rebalancer.token')]"


def _width(page: Page) -> str:
    return "phone" if page.viewport_size and page.viewport_size["width"] < 500 else "desktop"


def assert_no_sideways_scroll(page: Page) -> None:
    scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll <= inner, f"{page.url} is {scroll} px wide in a {inner} px window"


def _settings_found(url: str, token: str) -> bool:
    api = ApiClient(url, token)
    try:
        found: bool = api.json(api.portfolio([FIDELITY_2025]))["settings_found"]
        return found
    finally:
        api.close()


def _configure(page: Page) -> None:
    choose_sample(page)
    page.get_by_role("button", name="Configure").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Configure your accounts and targets")


def test_erasing_asks_first_and_cancelling_keeps_the_settings(
    any_page: Page, shared_stack: Stack
) -> None:
    page = any_page
    token = open_home_with_new_token(page, shared_stack.url)
    _save_under(shared_stack.url, token)
    page.get_by_label("Remember the token on this device").check()
    _configure(page)

    page.get_by_role("button", name="Erase my settings").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Erase your settings?")
    what = page.locator("#erase-what")
    expect(what).to_contain_text("everything stored under this token")
    expect(what).to_contain_text("cannot be undone")
    expect(what).to_contain_text("CSV files were never stored")
    assert_no_sideways_scroll(page)
    screenshot(page, f"15-erase-confirm-{_width(page)}")

    page.get_by_role("link", name="Cancel, keep my settings").click()
    expect(page.locator("#token")).to_have_value(token)
    assert _settings_found(shared_stack.url, token)

    _configure(page)
    page.get_by_role("button", name="Erase my settings").click()
    page.get_by_role("button", name="Erase everything").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your settings are erased")
    expect(page.locator("#erased")).to_contain_text("This browser has forgotten the token too")
    assert page.evaluate(_KEPT) == [None, None]
    assert_no_sideways_scroll(page)
    screenshot(page, f"15-erased-{_width(page)}")
    assert not _settings_found(shared_stack.url, token)

    page.get_by_role("link", name="Back to the rebalancer").click()
    expect(page.locator("#token")).to_have_value("")


def test_the_home_page_erases_too_with_no_file_chosen(page: Page, shared_stack: Stack) -> None:
    token = open_home_with_new_token(page, shared_stack.url)
    _save_under(shared_stack.url, token)
    page.get_by_role("button", name="Erase my settings").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Erase your settings?")
    page.get_by_role("button", name="Erase everything").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your settings are erased")
    assert not _settings_found(shared_stack.url, token)


def _save_under(url: str, token: str) -> None:
    api = ApiClient(url, token)
    try:
        api.json(api.put_config(fidelity_2025_config()))
    finally:
        api.close()


def test_a_weak_token_moves_its_settings_to_a_new_one_and_saves_under_it(
    any_page: Page, shared_stack: Stack
) -> None:
    page = any_page
    weak = f"iloveyou{next(_WEAK_USERS):08d}"  # apart from the e2e tests' weak users
    store_under_any_token(shared_stack, weak, fidelity_2025_config())
    page.goto(shared_stack.url + "/")
    page.fill("#token", weak)
    _configure(page)
    page.get_by_label("Description of ...0746").fill("Joint brokerage, renamed")
    page.get_by_role("button", name="Save settings").first.click()
    expect(page.locator("#error-summary")).to_contain_text("too easy to guess")
    move = page.locator("#move-settings")
    expect(move).to_contain_text("Settings stored under it still read")
    assert_no_sideways_scroll(page)

    page.get_by_role("button", name="Move my settings to a new token").click()
    expect(page.locator("#move-status")).to_contain_text("Moved")
    new = page.inner_text("#moved-token").strip()
    assert re.fullmatch("[0-9a-f]{64}", new)
    expect(move.get_by_role("button", name="Copy the new token")).to_be_visible()
    expect(move).to_contain_text("cannot be recovered")
    assert page.evaluate(_KEPT)[0] == new
    assert_no_sideways_scroll(page)
    move.screenshot(path=SCREENSHOTS / f"15-moved-{_width(page)}.png")
    assert _settings_found(shared_stack.url, new)
    assert not _settings_found(shared_stack.url, weak)

    page.get_by_role("button", name="Save settings").first.click()
    expect(page.get_by_role("status").filter(has_text="Settings saved")).to_be_visible()
    expect(page.locator("#token")).to_have_value(new)
    api = ApiClient(shared_stack.url, new)
    try:
        accounts = api.json(api.portfolio([FIDELITY_2025]))["accounts"]
    finally:
        api.close()
    assert "Joint brokerage, renamed" in [a["description"] for a in accounts]


def test_a_move_from_a_token_with_nothing_stored_says_what_to_do(
    page: Page, shared_stack: Stack
) -> None:
    page.goto(shared_stack.url + "/")
    page.fill("#token", f"iloveyou{next(_WEAK_USERS):08d}")
    _configure(page)
    page.get_by_role("button", name="Move my settings to a new token").click()
    expect(page.locator("#move-status")).to_contain_text(
        "Not moved: nothing is stored under this token yet"
    )
    expect(page.locator("#moved")).to_be_hidden()
