"""The core flow without JavaScript, and what JavaScript adds: dropping files, rows in place."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from browser.browser_pages import (
    choose_sample,
    open_home_with_new_token,
    screenshot,
    set_targets,
    set_up_accounts,
)
from stack import Stack
from support.samples import FIDELITY_2025

pytest_plugins = ["browser.browser_fixtures"]
pytestmark = pytest.mark.e2e


def test_the_whole_flow_works_without_javascript(
    page_without_javascript: Page, shared_stack: Stack
) -> None:
    page = page_without_javascript
    page.goto(shared_stack.url + "/")
    page.get_by_role("link", name="Get a token").first.click()
    token = page.inner_text("#new-token")
    assert len(token) == 64
    page.get_by_role("link", name="Back to the rebalancer").click()
    page.fill("#token", token)
    choose_sample(page)
    page.get_by_role("button", name="Configure").click()

    page.get_by_role("button", name="Add a class").click()  # a round trip to the server
    expect(page.locator("#target-rows tr")).to_have_count(4)
    expect(page.locator("#target-3-class")).to_be_focused()
    page.locator("#target-rows tr").nth(3).get_by_role("button", name="Remove").click()
    expect(page.locator("#target-rows tr")).to_have_count(3)
    page.get_by_role("button", name="Move US TSM up in Taxable").click()
    expect(page.locator("#affinities-taxable li").first).to_contain_text("US TSM")
    expect(page.get_by_role("button", name="Move US TSM up in Taxable")).to_be_focused()

    set_up_accounts(page)
    set_targets(page, {"US TSM": "50", "ex-US TSM": "20", "US TBM": "30"})
    page.get_by_label("Asset class of 84679P504").select_option("US LC")
    page.get_by_role("button", name="Save settings").first.click()
    expect(page.get_by_role("status").filter(has_text="Settings saved")).to_be_visible()

    choose_sample(page)
    page.get_by_label("Full", exact=True).check()
    page.get_by_role("button", name="Rebalance").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your trades")
    expect(page.locator("table.trades td.symbol", has_text="BND").first).to_be_visible()
    expect(page.locator("svg#chart-allocation")).to_be_visible()
    screenshot(page, "09-results-without-javascript")


def test_a_csv_dropped_on_the_page_is_the_one_sent(page: Page, shared_stack: Stack) -> None:
    open_home_with_new_token(page, shared_stack.url)
    transfer = page.evaluate_handle(
        """(text) => {
            const transfer = new DataTransfer();
            transfer.items.add(new File([text], "dropped.csv", {type: "text/csv"}));
            return transfer;
        }""",
        FIDELITY_2025.read_text(encoding="utf-8-sig"),
    )
    page.dispatch_event("#dropzone", "dragover", {"dataTransfer": transfer})
    expect(page.locator("#dropzone")).to_have_class("field dropzone dragging")
    page.dispatch_event("#dropzone", "drop", {"dataTransfer": transfer})
    expect(page.locator("#positions-list")).to_contain_text("dropped.csv")
    assert page.eval_on_selector("#positions", "input => input.files.length") == 1
    page.get_by_role("button", name="Configure").click()
    expect(page.locator("#accounts-section")).to_contain_text("...0746")


def test_targets_are_added_and_removed_in_place_with_a_live_total(
    page: Page, shared_stack: Stack
) -> None:
    open_home_with_new_token(page, shared_stack.url)
    page.get_by_role("button", name="Configure").click()  # no CSV: targets only
    expect(page.locator("#accounts-section")).to_contain_text("No CSV was chosen")
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.method))
    page.get_by_role("button", name="Add a class").click()
    row = page.locator("#target-rows tr").last
    expect(row.get_by_label("Asset class")).to_be_focused()
    row.get_by_label("Asset class").select_option("EM")
    row.get_by_label("Target value").fill("5.5")
    expect(page.locator("#targets-sum")).to_have_text("105.5")
    expect(page.locator("#targets-live-error")).to_have_text(
        "percent targets add up to 105.5; they must add up to 100"
    )
    row.get_by_label("Kind of target").select_option("dollars")
    expect(page.locator("#targets-sum")).to_have_text("100")
    expect(page.locator("#targets-live-error")).to_be_hidden()
    row.get_by_role("button", name="Remove").click()
    expect(page.locator("#target-rows tr")).to_have_count(3)
    expect(page.get_by_role("button", name="Add a class")).to_be_focused()
    page.get_by_role("button", name="Move Cash down in Taxable").click()
    expect(page.get_by_role("button", name="Move Cash down in Taxable")).to_be_focused()
    expect(page.locator("#affinities-taxable li").nth(6)).to_contain_text("Cash")
    assert requests == [], "editing rows in place went to the server"


def test_the_forms_work_from_the_keyboard(page: Page, shared_stack: Stack) -> None:
    page.goto(shared_stack.url + "/")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to the content")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()

    open_home_with_new_token(page, shared_stack.url)
    page.get_by_label("Tax-free", exact=True).focus()
    page.keyboard.type("250")
    page.keyboard.press("Enter")  # submits with the first button: Rebalance, not Configure
    expect(page.get_by_role("alert")).to_contain_text("upload at least one positions CSV file")
    expect(page.get_by_label("Tax-free", exact=True)).to_have_value("250")
