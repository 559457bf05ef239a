"""A 401(k) that offers only a target-date fund, through the real services: the fund
counts in each class of its mix, the plan buys it there with the account's cash, the
reason names its sleeves, and the plan says what the menu costs."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from support.api_client import ApiClient

pytestmark = pytest.mark.e2e

HEADER = (
    "Account Number,Account Name,Symbol,Description,Quantity,Last Price,Last Price Change,"
    "Current Value,Today's Gain/Loss Dollar,Today's Gain/Loss Percent,Total Gain/Loss Dollar,"
    "Total Gain/Loss Percent,Percent Of Account,Cost Basis Total,Average Cost Basis,Type"
)
ROWS = (
    "Z11112222,Individual,VTI,VANGUARD TOTAL STOCK MKT ETF,200,$250.00,,$50000.00,,,,,,"
    "$40000.00,$200.00,Cash",
    "Z11112222,Individual,SPAXX**,HELD IN MONEY MARKET,,,,$0.00,,,,,,,,Cash",
    "55501,ACME 401(K),VFIFX,VANGUARD TARGET RETIREMENT 2050,500,$50.00,,$25000.00,,,,,,"
    "$20000.00,$40.00,",
    "55501,ACME 401(K),CORE**,HELD IN MONEY MARKET,,,,$10000.00,,,,,,,,",
)


@pytest.fixture
def positions(tmp_path: Path) -> Path:
    path = tmp_path / "Portfolio_Positions_Jun-30-2025.csv"
    path.write_text("\n".join([HEADER, *ROWS]) + "\n")
    return path


def _configure(client: ApiClient) -> None:
    client.json(
        client.put_config(
            {
                "accounts": [
                    {"number": "Z11112222", "tax_group": "taxable", "description": "Brokerage"},
                    {
                        "number": "55501",
                        "tax_group": "tax_deferred",
                        "description": "401(k)",
                        "menu": ["VFIFX"],
                    },
                ],
                "targets": [
                    {"asset_class": "US TSM", "kind": "percent", "value": "50"},
                    {"asset_class": "ex-US TSM", "kind": "percent", "value": "20"},
                    {"asset_class": "US TBM", "kind": "percent", "value": "30"},
                ],
                "affinities": {
                    "taxable": ["ex-US TSM", "US TSM"],
                    "tax_deferred": ["US TBM", "ex-US TBM", "US TSM", "ex-US TSM"],
                    "tax_free": ["US TSM"],
                },
            }
        )
    )


def test_a_target_date_fund_in_a_401k_whose_menu_offers_nothing_else_is_bought_there(
    client: ApiClient, positions: Path
) -> None:
    _configure(client)
    portfolio = client.json(client.portfolio([positions]))
    (fund,) = [h for h in portfolio["holdings"] if h["symbol"] == "VFIFX"]
    assert [s["asset_class"] for s in fund["mix"]] == ["US TSM", "ex-US TSM", "US TBM",
                                                      "ex-US TBM"]  # fmt: skip
    by_class = {line["asset_class"]: Decimal(line["value"]) for line in portfolio["allocation"]}
    assert by_class["US TSM"] == Decimal(50000) + Decimal(25000) * Decimal("0.54")
    assert by_class["US TBM"] == Decimal(25000) * Decimal("0.07")

    plan = client.json(client.rebalance([positions], mode="buy_only"))
    (trade,) = plan["trades"]
    assert (trade["symbol"], trade["action"], trade["tax_group"]) == (
        "VFIFX",
        "buy",
        "tax_deferred",
    )
    assert Decimal(trade["amount"]) == Decimal(10000)
    assert trade["mix"][0] == {"asset_class": "US TSM", "percent": "54"}
    assert trade["reason"].startswith(
        "VFIFX, 54 % US TSM, 36 % ex-US TSM, 7 % US TBM and 3 % ex-US TBM, "
        "is this account's only fund"
    )
    located = {(line["tax_group"], line["asset_class"]): Decimal(line["value"])
               for line in plan["locations_after"]}  # fmt: skip
    assert located[("tax_deferred", "US TBM")] == Decimal(35000) * Decimal("0.07")
    menu = [c for c in plan["constraint_costs"] if c["rule"] == "menu"]
    assert menu
    assert menu[0]["account"] == "...5501"
    assert Decimal(menu[0]["deviation_cost"]) > 0
    assert plan["constraint_costs_complete"] is True


def test_a_users_own_mix_for_a_built_in_fund_wins(client: ApiClient, positions: Path) -> None:
    _configure(client)
    mine = [{"asset_class": "US TSM", "percent": "50"}, {"asset_class": "US TBM", "percent": "50"}]
    client.json(client.put_config({"securities": [{"symbol": "VFIFX", "fractional": True,
                                                   "mix": mine}]}))  # fmt: skip
    assert client.json(client.get_config())["securities"] == [
        {"symbol": "VFIFX", "mix": mine, "fractional": True, "default": False, "price": None}
    ]
    portfolio = client.json(client.portfolio([positions]))
    by_class = {line["asset_class"]: Decimal(line["value"]) for line in portfolio["allocation"]}
    assert by_class["US TBM"] == Decimal(12500)
    bad = {"securities": [{"symbol": "X", "mix": mine[:1]}]}
    assert client.json(client.put_config(bad), 422)["errors"] == [
        {"field": "securities[0].mix", "message": "percents add up to 50; they must add up to 100"}
    ]
