"""The bad paths in a real browser: each message is shown where the user looks for it."""

from __future__ import annotations

import pytest
from playwright.sync_api import FilePayload, Page, expect

from browser.browser_pages import choose_sample, open_home_with_new_token, screenshot, set_targets
from stack import Stack
from support.api_client import ApiClient
from support.samples import FIDELITY_2025

pytest_plugins = ["browser.browser_fixtures"]
pytestmark = pytest.mark.e2e


def test_targets_adding_up_to_99_are_refused_beside_the_total_and_nothing_is_stored(
    page: Page, shared_stack: Stack
) -> None:
    token = open_home_with_new_token(page, shared_stack.url)
    choose_sample(page)
    page.get_by_role("button", name="Configure").click()
    page.get_by_label("Tax group of ...0746").select_option("taxable")
    set_targets(page, {"US TSM": "50", "ex-US TSM": "20", "US TBM": "29"})
    live = page.locator("#targets-live-error")
    expect(page.locator("#targets-sum")).to_have_text("99")
    expect(live).to_have_text("percent targets add up to 99; they must add up to 100")

    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Save settings").first.click()
    response = navigation.value
    assert response is not None
    assert response.status == 422
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("percent targets add up to 99; they must add up to 100")
    expect(summary.get_by_role("link", name="Targets")).to_have_attribute("href", "#targets-total")
    expect(page.locator("#targets-total-error")).to_have_text(
        "percent targets add up to 99; they must add up to 100"
    )
    expect(page.locator("#target-2-value")).to_have_value("29")
    expect(page.get_by_label("Tax group of ...0746")).to_have_value("taxable")
    screenshot(page, "06-configure-targets-99")

    api = ApiClient(shared_stack.url, token)
    stored = api.json(api.get_config())
    portfolio = api.json(api.portfolio([FIDELITY_2025]))
    api.close()
    assert [t["value"] for t in stored["targets"]] == ["42", "18", "40"]
    assert not any(a["configured"] for a in portfolio["accounts"])

    page.locator("#target-2-value").fill("30")
    expect(live).to_be_hidden()
    expect(page.locator("#targets-total-error")).to_be_hidden()
    page.get_by_role("button", name="Save settings").first.click()
    expect(page.get_by_role("status").filter(has_text="Settings saved")).to_be_visible()


def test_a_file_that_is_not_a_csv_is_refused_beside_the_file_input(
    page: Page, shared_stack: Stack
) -> None:
    token = open_home_with_new_token(page, shared_stack.url)
    pdf: FilePayload = {
        "name": "statement.pdf",
        "mimeType": "application/pdf",
        "buffer": b"%PDF-1.7",
    }
    page.set_input_files("#positions", files=[pdf])
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Rebalance").click()
    response = navigation.value
    assert response is not None
    assert response.status == 415
    expect(page.get_by_role("alert")).to_contain_text("statement.pdf is not a CSV file")
    expect(page.locator("#positions-error")).to_have_text("statement.pdf is not a CSV file")
    expect(page.locator("#positions")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#token")).to_have_value(token)
    screenshot(page, "07-home-not-a-csv")


def test_a_missing_token_is_asked_for_beside_the_token_field(
    page: Page, shared_stack: Stack
) -> None:
    page.goto(shared_stack.url + "/")
    choose_sample(page)
    page.get_by_role("button", name="Rebalance").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("a token is required")
    expect(summary.get_by_role("link", name="Token")).to_have_attribute("href", "#token")
    expect(page.locator("#token-error")).to_contain_text("a token is required")
    expect(page.locator("#error-summary")).to_be_focused()
    screenshot(page, "08-home-missing-token")


def test_a_token_that_is_too_short_is_refused_not_written_back_but_kept_by_the_tab_to_fix(
    page: Page, shared_stack: Stack
) -> None:
    page.goto(shared_stack.url + "/")
    page.fill("#token", "short")
    choose_sample(page)
    page.get_by_role("button", name="Configure").click()
    expect(page.locator("#token-error")).to_contain_text("at least 16")
    expect(page.locator("#token")).to_have_attribute("value", "")  # the server wrote nothing
    expect(page.locator("#token")).to_have_value("short")  # the tab kept what was typed
