"""Issue 14 in a real browser, at 1200 px and at 390 px: what the user's rules cost,
in words, on the results of the real Fidelity sample with a lock set."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from browser.browser_pages import choose_sample, open_home_with_new_token, screenshot
from browser.test_browser_page_for_people import (
    assert_no_sideways_scroll,
    configure_with_bulk_mapping,
    rebalance,
)
from stack import Stack

pytest_plugins = ["browser.browser_fixtures"]
pytestmark = pytest.mark.e2e


def test_a_lock_that_binds_is_said_in_words_under_what_your_rules_cost(
    any_page: Page, shared_stack: Stack
) -> None:
    page = any_page
    width = "phone" if page.viewport_size and page.viewport_size["width"] < 500 else "desktop"
    open_home_with_new_token(page, shared_stack.url)
    choose_sample(page)
    configure_with_bulk_mapping(page)
    # Keep the taxable account's S&P 500 fund (FXAIX, sold at a gain in Full mode).
    page.get_by_label("Never sell US LC in Taxable").check()
    page.get_by_role("button", name="Save settings").first.click()
    expect(page.get_by_role("status").filter(has_text="Settings saved")).to_be_visible()
    rebalance(page)

    section = page.get_by_role("region", name="What your rules cost")
    expect(section).to_be_visible()
    lock = section.locator("li.rule-cost").filter(has_text="Locking US LC in taxable")
    expect(lock).to_contain_text("further from target and avoids an estimated $")
    expect(lock).to_contain_text("US LC: US large companies (S&P 500)")
    expect(section).to_contain_text("Measured as if fractional shares could be traded")
    expect(section).not_to_contain_text("/api/")
    expect(section).not_to_contain_text("relaxed")
    expect(section.locator("#rule-costs-cut-short")).to_have_count(0)
    assert_no_sideways_scroll(page)
    screenshot(page, f"14-rule-costs-{width}")

    page.emulate_media(media="print")
    expect(lock).to_be_visible()
    assert section.evaluate("s => getComputedStyle(s).breakInside") == "avoid"
