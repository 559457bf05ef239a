"""A fund of several classes on the configure page: the mix is typed in rows with a live
total, refused on its row when it misses 100 %, kept once saved, and counted by its
sleeves in the plan. The real Fidelity sample holds no target-date or balanced fund,
so its 401(k)'s S&P 500 fund is given a mix, as a user would for a fund of their own."""

from __future__ import annotations

import pytest
from playwright.sync_api import Locator, Page, expect

from browser.browser_pages import (
    choose_sample,
    open_home_with_new_token,
    screenshot,
    set_targets,
    set_up_accounts,
)
from browser.test_browser_page_for_people import (
    TARGETS,
    assert_no_sideways_scroll,
    map_in_bulk,
    rebalance,
)
from stack import Stack

pytest_plugins = ["browser.browser_fixtures"]
pytestmark = pytest.mark.e2e

FUND = "84679P504"


def _fund_row(page: Page) -> Locator:
    return page.locator("#security-rows tr").filter(has=page.get_by_text(FUND, exact=True))


def _fill_sleeve(row: Locator, n: int, asset_class: str, percent: str) -> None:
    row.get_by_label(f"Class {n} in the mix of {FUND}").select_option(asset_class)
    row.get_by_label(f"Percent of {FUND} in class {n}").fill(percent)


def test_a_mix_is_typed_refused_on_its_row_saved_kept_and_counted_by_its_sleeves(
    any_page: Page, shared_stack: Stack
) -> None:
    page = any_page
    width = "phone" if page.viewport_size and page.viewport_size["width"] < 500 else "desktop"
    open_home_with_new_token(page, shared_stack.url)
    choose_sample(page)
    page.get_by_role("button", name="Configure").click()
    set_up_accounts(page)
    set_targets(page, TARGETS)
    map_in_bulk(page)

    row = _fund_row(page)
    mix = row.locator(".mix")
    expect(mix).to_be_hidden()  # one class until a mix is chosen
    row.get_by_label("A mix of classes").check()
    expect(mix).to_be_visible()
    expect(row.get_by_label(f"Asset class of {FUND}")).to_be_hidden()
    expect(mix).to_contain_text("US total bond market")  # class names in plain words

    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    _fill_sleeve(row, 1, "US LC", "60")
    _fill_sleeve(row, 2, "US TBM", "35")
    expect(mix.locator("output")).to_have_text("95")
    expect(mix.locator(".mix-live-error")).to_have_text(
        f"{FUND}: the mix adds up to 95 %, not 100 %"
    )
    row.get_by_role("button", name=f"Add another class to the mix of {FUND}").click()
    expect(mix.locator("li.sleeve")).to_have_count(4)
    expect(row.get_by_label(f"Class 4 in the mix of {FUND}")).to_be_focused()
    row.get_by_role("button", name=f"Remove class 3 from the mix of {FUND}").click()
    expect(mix.locator("li.sleeve")).to_have_count(3)
    expect(row.get_by_label(f"Class 3 in the mix of {FUND}")).to_have_value("")  # renumbered
    expect(row.get_by_role("button", name="Add another class")).to_be_focused()
    assert requests == [], "editing the mix went to the server"
    assert_no_sideways_scroll(page)
    screenshot(page, f"15-mix-editor-{width}")

    page.get_by_role("button", name="Save settings").first.click()
    expect(page.get_by_role("alert")).to_contain_text(f"{FUND}: the mix adds up to 95 %, not 100 %")
    row = _fund_row(page)
    expect(row.locator(".field-error").first).to_contain_text("adds up to 95 %")
    expect(row.get_by_label(f"Percent of {FUND} in class 2")).to_have_value("35")  # kept
    expect(row.get_by_label("A mix of classes")).to_be_checked()
    row.get_by_label(f"Percent of {FUND} in class 2").fill("40")
    expect(row.locator(".mix-live-error")).to_be_hidden()
    page.get_by_role("button", name="Save settings").first.click()
    expect(page.get_by_role("status").filter(has_text="Settings saved")).to_be_visible()

    choose_sample(page)
    page.get_by_role("button", name="Configure").click()  # back again: the mix is kept
    row = _fund_row(page)
    expect(row.get_by_label("A mix of classes")).to_be_checked()
    expect(row.get_by_label(f"Class 1 in the mix of {FUND}")).to_have_value("US LC")
    expect(row.get_by_label(f"Percent of {FUND} in class 1")).to_have_value("60")
    expect(row.get_by_label(f"Class 2 in the mix of {FUND}")).to_have_value("US TBM")
    expect(row.get_by_label(f"Percent of {FUND} in class 2")).to_have_value("40")
    assert_no_sideways_scroll(page)

    page.goto(shared_stack.url + "/")
    rebalance(page)
    expect(page.locator("td.reason").filter(has_text=FUND).first).to_contain_text(
        f"{FUND}, 60 % US LC and 40 % US TBM,"
    )
    assert_no_sideways_scroll(page)


def test_without_javascript_a_mix_is_typed_in_the_rows_shown_and_rows_added_by_a_round_trip(
    page_without_javascript: Page, shared_stack: Stack
) -> None:
    page = page_without_javascript
    page.goto(shared_stack.url + "/")
    page.fill("#token", "c" * 64)
    choose_sample(page)
    page.get_by_role("button", name="Configure").click()
    row = _fund_row(page)
    expect(row.locator("li.sleeve")).to_have_count(3)  # blank rows, to type into
    _fill_sleeve(row, 1, "US LC", "60")
    row.get_by_role("button", name=f"Add another class to the mix of {FUND}").click()
    row = _fund_row(page)
    expect(row.locator("li.sleeve")).to_have_count(4)
    expect(row.get_by_label(f"Class 4 in the mix of {FUND}")).to_be_focused()
    expect(row.get_by_label("A mix of classes")).to_be_checked()
    expect(row.get_by_label(f"Percent of {FUND} in class 1")).to_have_value("60")
    expect(row.locator(".mix-live-error")).to_have_text(
        f"{FUND}: the mix adds up to 60 %, not 100 %"
    )
