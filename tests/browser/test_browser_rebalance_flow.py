"""A user's whole visit in a real browser: token, upload, configure, rebalance, read the results."""

from __future__ import annotations

import csv
import io
import re

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
from support.api_client import ApiClient
from support.samples import FIDELITY_2025, INDIVIDUAL

pytest_plugins = ["browser.browser_fixtures"]
pytestmark = pytest.mark.e2e

TARGETS = {"US TSM": "50", "ex-US TSM": "20", "US TBM": "30"}


def configure_household(page: Page) -> None:
    """From the home page with a token and the sample chosen: the whole configure form."""
    page.get_by_role("button", name="Configure").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Configure your accounts and targets")
    set_up_accounts(page)
    set_targets(page, TARGETS)
    page.get_by_label("Asset class of 84679P504").select_option("US LC")
    page.get_by_label("84679P504 trades in fractional shares").check()


def test_a_new_user_configures_the_household_and_sees_the_trades_and_the_charts(
    page: Page, shared_stack: Stack
) -> None:
    token = open_home_with_new_token(page, shared_stack.url)
    choose_sample(page)
    expect(page.locator("#positions-list")).to_contain_text(FIDELITY_2025.name)
    screenshot(page, "01-home")

    configure_household(page)
    visible = page.inner_text("body")
    leaked = INDIVIDUAL in visible
    assert not leaked, "a full account number is visible on the configure page"
    expect(page.locator("#accounts-section")).to_contain_text("Fidelity · Individual")
    expect(page.locator("#targets-sum")).to_have_text("100")
    expect(page.locator("#targets-live-error")).to_be_hidden()
    page.get_by_role("button", name="Move US TSM up in Taxable").click()
    expect(page.locator("#affinities-taxable li").first).to_contain_text("US TSM")
    page.get_by_label("Never sell US LC in Taxable").check()
    screenshot(page, "02-configure")

    page.get_by_role("button", name="Save settings").first.click()
    expect(page.get_by_role("status").filter(has_text="Settings saved")).to_be_visible()
    expect(page.locator("#token")).to_have_value(token)
    screenshot(page, "03-saved")

    choose_sample(page)
    page.get_by_label("Full", exact=True).check()
    page.get_by_label("Taxable", exact=True).fill("1000")
    page.get_by_label("Prove it").check()
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Rebalance").click()
    response = navigation.value
    assert response is not None
    assert response.status == 200, page.inner_text("main")[:600]
    assert response.headers["cache-control"] == "no-store"
    expect(page.get_by_role("heading", level=1)).to_have_text("Your trades")
    expect(page.locator("#proof")).to_contain_text("Proven the best plan")
    screenshot(page, "04-results")
    page.emulate_media(media="print")
    screenshot(page, "04-results-print")
    page.emulate_media(media="screen")

    account = page.locator("section.account").filter(has_text="...6964 · Employer 401k")
    actions = account.locator("tbody tr td:first-child").all_inner_texts()
    assert actions == sorted(actions, key=lambda a: "Buy" in a), "sells come before buys"
    bond = account.locator("tr", has_text="BND")
    expect(bond).to_contain_text("by dollar amount")
    expect(bond).to_contain_text("no price known")
    expect(page.locator("#unpriced-note")).to_contain_text("without a known price")
    expect(page.locator("section.account").first).to_contain_text("Cash: $104,687.13 before")
    expect(page.locator("table.totals")).to_contain_text("Portfolio after")

    chart = page.locator("svg#chart-allocation")
    expect(chart.locator("title")).to_have_text(
        "Allocation by asset class: before, after and target"
    )
    labels = chart.locator("text").all_text_contents()
    assert {"US TSM", "ex-US TSM", "US TBM", "before", "after", "target"} <= set(labels)
    assert "50.0 %" in labels
    placement = page.locator("svg#chart-placement").locator("text").all_text_contents()
    assert {"Taxable", "Tax-deferred", "Tax-free", "US TBM"} <= set(placement)
    expect(page.locator("#allocation-by-group")).to_contain_text("Bonds")
    expect(page.locator("#allocation-by-tax-group")).to_contain_text("Tax-deferred")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download trades as CSV").click()
    download = download_info.value
    assert download.suggested_filename == "rebalance-trades-2025-03-04-full.csv"
    text = download.path().read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    on_page = page.locator("table.trades td.symbol").all_inner_texts()
    assert [r["Symbol"] for r in rows] == on_page
    assert "BND" in on_page
    assert all(re.fullmatch(r"\.\.\.\d{4}", r["Account"]) for r in rows)
    assert next(r for r in rows if r["Symbol"] == "BND")["Shares"] == ""

    api = ApiClient(shared_stack.url, token)
    stored = api.json(api.get_config())
    api.close()
    assert stored["targets"][0] == {"asset_class": "US TSM", "kind": "percent", "value": "50"}
    assert stored["affinities"]["taxable"][0] == "US TSM"
    assert stored["no_sell"] == [{"tax_group": "taxable", "asset_class": "US LC"}]


def test_a_manual_price_turns_a_dollar_amount_into_shares(page: Page, shared_stack: Stack) -> None:
    open_home_with_new_token(page, shared_stack.url)
    choose_sample(page)
    configure_household(page)
    page.get_by_role("button", name="Add a security").click()
    row = page.locator("#security-rows tr").last
    row.get_by_label("Symbol").fill("BND")
    row.get_by_label("Asset class of the new security").select_option("US TBM")
    row.get_by_label("Price of the new security").fill("72.50")
    page.get_by_role("button", name="Save settings").first.click()
    expect(page.get_by_role("status").filter(has_text="Settings saved")).to_be_visible()

    choose_sample(page)
    page.get_by_label("Full", exact=True).check()
    page.get_by_role("button", name="Rebalance").click()
    for account in ("...6964", "...2439"):
        bond = page.locator("section.account", has_text=account).locator("tr", has_text="BND")
        expect(bond).to_contain_text("$72.50")
        expect(bond).not_to_contain_text("by dollar amount")
        shares = bond.locator("td").nth(3).inner_text()
        assert shares.isdigit(), "BND is bought in whole shares at the manual price"
    screenshot(page, "05-results-with-manual-price")


def test_rebalancing_before_configuring_says_so_and_opens_the_configure_step(
    page: Page, shared_stack: Stack
) -> None:
    token = open_home_with_new_token(page, shared_stack.url)
    choose_sample(page)
    page.get_by_role("button", name="Rebalance").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Configure your accounts and targets")
    expect(page.locator("#no-settings")).to_contain_text(
        "None of these accounts has settings under this token"
    )
    expect(page.locator("#accounts-section")).to_contain_text("Fidelity · Individual")
    expect(page.locator("#configure-form input[name=token]")).to_have_value(token)
    body = page.inner_text("body")
    assert "Your trades" not in body
    assert "Proven" not in body
    assert page.locator("svg").count() == 0  # no charts of a $0 portfolio
    screenshot(page, "05-no-settings")

    set_up_accounts(page)
    set_targets(page, TARGETS)
    page.get_by_role("button", name="Save settings").first.click()
    expect(page.get_by_role("status").filter(has_text="Settings saved")).to_be_visible()
