"""Whole user flows more than one test tier runs (SQLite and PostgreSQL stacks alike)."""

from __future__ import annotations

from typing import Any

from support.api_client import ApiClient
from support.samples import FIDELITY_2025, HSA, INDIVIDUAL, fidelity_2025_config


def account_in(portfolio: dict[str, Any], number: str) -> dict[str, Any]:
    """The portfolio's one account whose masked number ends like `number`."""
    accounts = portfolio["accounts"]
    assert isinstance(accounts, list)
    (found,) = [a for a in accounts if a["number"] == "..." + number[-4:]]
    assert isinstance(found, dict)
    return found


def check_users_with_the_same_accounts_stay_apart(base_url: str) -> None:
    """Alice and Bob configure one account number differently; a stranger sees neither."""
    alice, bob, stranger = ApiClient(base_url), ApiClient(base_url), ApiClient(base_url)
    try:
        for api in (alice, bob, stranger):
            api.token = api.new_token()
        alice.json(alice.put_config(fidelity_2025_config()))
        bob.json(
            bob.put_config(
                {
                    "accounts": [
                        {"number": INDIVIDUAL, "tax_group": "tax_free", "description": "Bob"}
                    ]
                }
            )
        )
        alices = account_in(alice.json(alice.portfolio([FIDELITY_2025])), INDIVIDUAL)
        assert (alices["description"], alices["tax_group"]) == ("Joint brokerage", "taxable")
        bobs = bob.json(bob.portfolio([FIDELITY_2025]))
        assert (
            account_in(bobs, INDIVIDUAL)["description"],
            account_in(bobs, INDIVIDUAL)["tax_group"],
        ) == ("Bob", "tax_free")
        assert account_in(bobs, HSA)["configured"] is False
        strangers = stranger.json(stranger.portfolio([FIDELITY_2025]))["accounts"]
        assert all(a["configured"] is False for a in strangers)
    finally:
        for api in (alice, bob, stranger):
            api.close()
