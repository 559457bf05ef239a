"""Steps on the page that the browser tests share, and their screenshots.

Screenshots go to tests/artifacts/screenshots/ (git-ignored),
for a person to look at. Accounts are found by their masked numbers only.
"""

from __future__ import annotations

from playwright.sync_api import Page, expect

from support.samples import FIDELITY_2025, REPO

SCREENSHOTS = REPO / "tests" / "artifacts" / "screenshots"

# The accounts of FIDELITY_2025 as the page shows them, with the settings of
# support.samples.fidelity_2025_config().
ACCOUNTS = (
    ("...0746", "taxable", "Joint brokerage", True),
    ("...6964", "tax_deferred", "Employer 401k", False),
    ("...2439", "tax_free", "Health savings", False),
    ("...2898", "ignore", "Checking", False),
)


def screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)


def open_home_with_new_token(page: Page, url: str) -> str:
    """The home page, with a token fetched by its "Get a token" button."""
    page.goto(url + "/")
    page.click("#get-token")
    expect(page.locator("#token-new")).to_contain_text("cannot be recovered")
    token = page.input_value("#token")
    assert len(token) == 64
    return token


def choose_sample(page: Page) -> None:
    page.set_input_files("#positions", FIDELITY_2025)


def set_up_accounts(page: Page) -> None:
    for label, group, description, credit in ACCOUNTS:
        page.get_by_label(f"Tax group of {label}").select_option(group)
        page.get_by_label(f"Description of {label}").fill(description)
        page.get_by_label(f"{label} gets its tax group's credit").set_checked(credit)


def set_targets(page: Page, values: dict[str, str]) -> None:
    """Give the target rows these classes and values, in order, adding rows as needed."""
    rows = page.locator("#target-rows tr")
    for i, (asset_class, value) in enumerate(values.items()):
        if rows.count() <= i:
            page.get_by_role("button", name="Add a class").click()
        row = rows.nth(i)
        row.get_by_label("Asset class").select_option(asset_class)
        row.get_by_label("Kind of target").select_option("percent")
        row.get_by_label("Target value").fill(value)
