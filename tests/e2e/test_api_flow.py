"""A user's script drives the API: token, configuration, portfolio, rebalance."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from stack import Stack
from support.api_client import ApiClient
from support.flows import account_in, check_users_with_the_same_accounts_stay_apart
from support.samples import (
    EMPLOYER_401K,
    FIDELITY_2025,
    HSA,
    INDIVIDUAL,
    fidelity_2025_config,
)

pytestmark = pytest.mark.e2e


def test_a_new_token_is_256_random_bits_in_hex_and_never_repeats(client: ApiClient) -> None:
    tokens = {client.new_token() for _ in range(5)}
    assert len(tokens) == 5
    assert all(re.fullmatch(r"[0-9a-f]{64}", t) for t in tokens)


def test_a_user_without_configuration_gets_the_installation_defaults(client: ApiClient) -> None:
    settings = client.json(client.get_config())
    percents = sum(Decimal(t["value"]) for t in settings["targets"] if t["kind"] == "percent")
    assert percents == 100
    assert "US TBM" in settings["affinities"]["tax_deferred"]
    assert settings["no_sell"] == []
    assert "accounts" not in settings


def test_saved_settings_read_back_without_the_accounts(client: ApiClient) -> None:
    document = fidelity_2025_config()
    client.json(client.put_config(document))
    settings = client.json(client.get_config())
    assert settings["targets"] == document["targets"]
    assert settings["securities"][0]["symbol"] == "84679P504"
    assert "accounts" not in settings


def test_fields_left_out_keep_their_previous_value(client: ApiClient) -> None:
    client.json(client.put_config(fidelity_2025_config()))
    locks = [{"tax_group": "taxable", "asset_class": "US TSM"}]
    client.json(client.put_config({"no_sell": locks}))
    settings = client.json(client.get_config())
    assert settings["no_sell"] == locks
    assert settings["targets"] == fidelity_2025_config()["targets"]


def test_an_invalid_configuration_stores_nothing_and_names_the_field(client: ApiClient) -> None:
    client.json(client.put_config(fidelity_2025_config()))
    bad = {
        "targets": [
            {"asset_class": "US TSM", "kind": "percent", "value": "49.5"},
            {"asset_class": "US TBM", "kind": "percent", "value": "50"},
        ],
        "accounts": [{"number": HSA, "tax_group": "taxable", "description": "changed"}],
    }
    errors = client.json(client.put_config(bad), 422)["errors"]
    assert {
        "field": "targets",
        "message": "percent targets add up to 99.5; they must add up to 100",
    } in errors
    settings = client.json(client.get_config())
    assert settings["targets"] == fidelity_2025_config()["targets"]
    hsa = account_in(client.json(client.portfolio([FIDELITY_2025])), HSA)
    assert hsa["tax_group"] == "tax_free"
    assert hsa["description"] == "Health savings"


def test_the_portfolio_masks_account_numbers_and_shows_their_settings(client: ApiClient) -> None:
    client.json(client.put_config(fidelity_2025_config()))
    portfolio = client.json(client.portfolio([FIDELITY_2025]))
    numbers = [a["number"] for a in portfolio["accounts"]]
    assert all(n.startswith("...") and len(n) == 7 for n in numbers)
    individual = account_in(portfolio, INDIVIDUAL)
    assert individual["tax_group"] == "taxable"
    assert individual["description"] == "Joint brokerage"
    assert individual["configured"] is True
    assert Decimal(individual["cash"]) == Decimal("79187.13") + Decimal("24500.00")
    assert "AAPL" in portfolio["unknown_symbols"]
    assert INDIVIDUAL not in str(portfolio)


def test_accounts_not_listed_keep_their_settings(client: ApiClient) -> None:
    client.json(client.put_config(fidelity_2025_config()))
    client.json(
        client.put_config(
            {"accounts": [{"number": HSA, "tax_group": "tax_free", "description": "HSA 2"}]}
        )
    )
    portfolio = client.json(client.portfolio([FIDELITY_2025]))
    assert account_in(portfolio, HSA)["description"] == "HSA 2"
    assert account_in(portfolio, EMPLOYER_401K)["description"] == "Employer 401k"


def test_an_unconfigured_household_is_shown_but_not_traded(client: ApiClient) -> None:
    portfolio = client.json(client.portfolio([FIDELITY_2025]))
    assert all(a["configured"] is False for a in portfolio["accounts"])
    assert any("not configured" in w for w in portfolio["warnings"])
    plan = client.json(client.rebalance([FIDELITY_2025]))
    assert plan["trades"] == []


NO_SETTINGS = "None of these accounts has settings under this token"


def test_files_with_no_settings_under_the_token_say_so_first(client: ApiClient) -> None:
    portfolio = client.json(client.portfolio([FIDELITY_2025]))
    plan = client.json(client.rebalance([FIDELITY_2025], mode="full"))
    for document in (portfolio, plan):
        assert document["settings_found"] is False
        assert document["warnings"][0].startswith(NO_SETTINGS)


def test_a_mistyped_token_reads_exactly_like_a_new_one(client: ApiClient) -> None:
    client.json(client.put_config(fidelity_2025_config()))
    configured = client.json(client.rebalance([FIDELITY_2025]))
    assert configured["settings_found"] is True
    assert not configured["warnings"] or not configured["warnings"][0].startswith(NO_SETTINGS)
    assert client.token is not None
    typo = "1" if client.token.endswith("0") else "0"
    mistyped = ApiClient(str(client.http.base_url), token=client.token[:-1] + typo)
    new = ApiClient(str(client.http.base_url), token=client.new_token())
    try:
        answers = [api.rebalance([FIDELITY_2025]) for api in (mistyped, new)]
        assert [a.status_code for a in answers] == [200, 200]
        assert answers[0].json() == answers[1].json()
        assert answers[0].json()["settings_found"] is False
    finally:
        mistyped.close()
        new.close()


@pytest.mark.parametrize("mode", ["buy_only", "no_sell_taxable", "full", "relocate"])
def test_every_mode_rebalances_the_sample_within_its_rules(client: ApiClient, mode: str) -> None:
    client.json(client.put_config(fidelity_2025_config()))
    plan = client.json(client.rebalance([FIDELITY_2025], mode=mode))
    assert plan["mode"] == mode
    sells = [t for t in plan["trades"] if t["action"] == "sell"]
    if mode == "buy_only":
        assert sells == []
    if mode == "no_sell_taxable":
        assert all(t["tax_group"] != "taxable" for t in sells)
    for account in plan["accounts"]:
        assert Decimal(account["cash_after"]) >= 0
    for trade in plan["trades"]:
        assert trade["account"].startswith("...")
        assert trade["reason"]
        if trade["shares"] is not None and trade["symbol"] in {"VTI", "VXUS", "BND"}:
            assert Decimal(trade["shares"]) == Decimal(trade["shares"]).to_integral_value()


def test_buy_only_invests_the_cash_in_the_classes_that_are_under_target(client: ApiClient) -> None:
    client.json(client.put_config(fidelity_2025_config()))
    plan = client.json(client.rebalance([FIDELITY_2025], mode="buy_only"))
    bought = {t["asset_class"] for t in plan["trades"] if t["action"] == "buy"}
    assert bought
    before = {a["asset_class"]: a for a in plan["allocation_before"]}
    for asset_class in bought:
        assert Decimal(before[asset_class]["percent"]) < Decimal(
            before[asset_class]["target_percent"]
        )


def test_sells_come_before_buys_within_eachaccount_in(client: ApiClient) -> None:
    client.json(client.put_config(fidelity_2025_config()))
    plan = client.json(client.rebalance([FIDELITY_2025], mode="full"))
    for account in {t["account"] for t in plan["trades"]}:
        actions = [t["action"] for t in plan["trades"] if t["account"] == account]
        assert actions == sorted(actions, key=lambda a: a != "sell")


def test_full_mode_gives_each_taxable_sale_of_the_sample_its_estimated_gain(
    client: ApiClient,
) -> None:
    client.json(client.put_config(fidelity_2025_config()))
    plan = client.json(client.rebalance([FIDELITY_2025], mode="full"))
    assert all("estimated_gain" in t for t in plan["trades"])
    taxable_sales = [
        t for t in plan["trades"] if (t["action"], t["tax_group"]) == ("sell", "taxable")
    ]
    assert taxable_sales, "full mode sells in the sample's taxable account"
    for trade in taxable_sales:
        gain = Decimal(trade["estimated_gain"])
        assert gain == gain.quantize(Decimal("0.01"))
        word = "gain" if gain >= 0 else "loss"
        assert f"realizes an estimated ${abs(gain):,.2f} {word}" in trade["reason"]
    others = [t for t in plan["trades"] if t not in taxable_sales]
    assert others
    assert all(t["estimated_gain"] is None for t in others)


def test_a_credit_lands_in_the_credit_defaultaccount_in(client: ApiClient) -> None:
    client.json(client.put_config(fidelity_2025_config()))
    without = client.json(client.rebalance([FIDELITY_2025]))
    with_credit = client.json(client.rebalance([FIDELITY_2025], credit_taxable="10000"))
    before = {a["account"]: Decimal(a["cash_before"]) for a in without["accounts"]}
    after = {a["account"]: Decimal(a["cash_before"]) for a in with_credit["accounts"]}
    assert after["...0746"] - before["...0746"] == Decimal(10000)


def test_two_users_with_the_same_accounts_never_see_each_other(shared_stack: Stack) -> None:
    check_users_with_the_same_accounts_stay_apart(shared_stack.url)


OBJECTIVES = [
    "group_deviation",
    "class_deviation",
    "location",
    "estimated_gains",
    "trades",
    "cash_left_over",
]


def test_every_plan_says_how_far_it_is_proven_the_best(client: ApiClient) -> None:
    client.json(client.put_config(fidelity_2025_config()))
    proof = client.json(client.rebalance([FIDELITY_2025], mode="full"))["proof"]
    assert [level["objective"] for level in proof["levels"]] == OBJECTIVES
    assert proof["proven"] == all(level["proven"] for level in proof["levels"])
    assert proof["method"] in {"exact", "fast"}
    assert proof["provable"] is True
    assert Decimal(proof["window"]) > 0


def test_prove_searches_until_every_level_is_proven(client: ApiClient) -> None:
    client.json(client.put_config(fidelity_2025_config()))
    plan = client.json(client.rebalance([FIDELITY_2025], mode="full", prove="true"))
    assert plan["proof"]["method"] == "exact"
    assert plan["proof"]["proven"] is True
    assert not any("not proven" in w for w in plan["warnings"])


def test_prove_must_be_true_or_false(client: ApiClient) -> None:
    client.json(client.put_config(fidelity_2025_config()))
    response = client.rebalance([FIDELITY_2025], prove="maybe")
    assert client.json(response, 422)["errors"] == [
        {"field": "prove", "message": "must be true or false"}
    ]


def test_a_household_too_large_to_prove_is_told_so_and_still_rebalances(
    client: ApiClient, tmp_path: Path
) -> None:
    """16 accounts of 8 funds each: far past what a proof can take in seconds."""
    funds = {"VTI": 281, "SCHB": 23, "ITOT": 120, "VOO": 512, "IVV": 560, "VB": 236}
    funds |= {"VXUS": 63, "BND": 72}
    numbers = [f"Z{90000100 + i}" for i in range(16)]
    rows = ["Account Number,Account Name,Symbol,Description,Quantity,Last Price,Current Value"]
    for number in numbers:
        for symbol, price in funds.items():
            rows.append(f"{number},Brokerage,{symbol},FUND,10,${price}.00,${price * 10}.00")
    csv_file = tmp_path / "Portfolio_Positions.csv"
    csv_file.write_text("\n".join(rows) + "\n")
    groups = ["taxable", "tax_deferred", "tax_free"]
    accounts = [{"number": n, "tax_group": groups[i % 3]} for i, n in enumerate(numbers)]
    client.json(client.put_config({"accounts": accounts}))
    [error] = client.json(client.rebalance([csv_file], mode="full", prove="true"), 422)["errors"]
    assert error["field"] == "prove"
    assert re.search(r"this household has \d+ whole-share trade candidates", error["message"])
    plan = client.json(client.rebalance([csv_file], mode="full"))
    assert plan["proof"]["method"] == "fast"
    assert plan["proof"]["provable"] is False
    assert plan["trades"]
