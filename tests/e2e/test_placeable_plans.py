"""Every plan made from an export can be placed as shown: end to end, in every mode.

For each trade: `amount` is `shares` times the holding's unit value (its value over its
quantity, as the export states both) to the cent; a sale never exceeds what is held;
bonds, bills and CDs trade in $1,000 of face unless the whole holding goes; the price
is the brokerage's own quote; and no account's cash ends below zero.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from support.api_client import ApiClient
from support.samples import FIDELITY_2024, FIDELITY_2025, SCHWAB_2020, fidelity_2025_config

pytestmark = pytest.mark.e2e

MODES = ["buy_only", "no_sell_taxable", "full", "relocate"]
CENT = Decimal("0.01")
FACE_INCREMENT = Decimal(1000)

# A Fidelity export, in the format of the real one beside it, of a household holding
# Treasury notes, a long bond, TIPS and a brokered CD in taxable and in an IRA.
HEADER = (
    "Account Number,Account Name,Symbol,Description,Quantity,Last Price,Last Price Change,"
    "Current Value,Today's Gain/Loss Dollar,Today's Gain/Loss Percent,Total Gain/Loss Dollar,"
    "Total Gain/Loss Percent,Percent Of Account,Cost Basis Total,Average Cost Basis,Type"
)
BOND_ROWS = [
    ("X11112222", "Individual", "SPAXX**", "HELD IN MONEY MARKET", "", "", "$15230.41", ""),
    (
        "X11112222",
        "Individual",
        "FSKAX",
        "FIDELITY TOTAL MARKET INDEX FUND",
        "300.5",
        "$160.03",
        "$48089.02",
        "$41000.00",
    ),
    (
        "X11112222",
        "Individual",
        "91282CJL6",
        "UNITED STATES TREAS NTS 4.87500% 11/30/2026",
        "25000",
        "$100.418",
        "$25104.50",
        "$24980.00",
    ),
    (
        "X11112222",
        "Individual",
        "912810TV0",
        "UNITED STATES TREAS BDS 4.75000% 11/15/2053",
        "40000",
        "$96.152",
        "$38460.80",
        "$41200.00",
    ),
    (
        "X11112222",
        "Individual",
        "38150VAB5",
        "GOLDMAN SACHS BK USA CD 4.55000% 06/10/2027 FDIC INS",
        "12000",
        "$100.215",
        "$12025.80",
        "$12000.00",
    ),
    ("Y33334444", "ROLLOVER IRA", "SPAXX**", "HELD IN MONEY MARKET", "", "", "$2210.17", ""),
    (
        "Y33334444",
        "ROLLOVER IRA",
        "91282CGK1",
        "UNITED STATES TREAS NTS 4.00000% 02/29/2028",
        "30000",
        "$99.602",
        "$29880.60",
        "$30150.00",
    ),
    (
        "Y33334444",
        "ROLLOVER IRA",
        "912828Z37",
        "UNITED STATES TREAS NTS 0.12500% 01/15/2030 TIPS",
        "20000",
        "$112.331",
        "$22466.20",
        "$21400.00",
    ),
    (
        "Y33334444",
        "ROLLOVER IRA",
        "FXNAX",
        "FIDELITY US BOND INDEX",
        "1500.25",
        "$10.37",
        "$15557.59",
        "$16100.00",
    ),
]
BOND_CONFIG: dict[str, object] = {
    "accounts": [
        {"number": "X11112222", "tax_group": "taxable", "description": "Brokerage"},
        {"number": "Y33334444", "tax_group": "tax_deferred", "description": "Rollover IRA"},
    ],
    "targets": [
        {"asset_class": "US TSM", "kind": "percent", "value": "60"},
        {"asset_class": "US TBM", "kind": "percent", "value": "40"},
    ],
}
SCHWAB_CONFIG: dict[str, object] = {
    "accounts": [
        {"number": "XXXX-1234", "tax_group": "taxable"},
        {"number": "XXXX-4321", "tax_group": "tax_free"},
    ],
    "targets": [
        {"asset_class": "US TSM", "kind": "percent", "value": "70"},
        {"asset_class": "US TBM", "kind": "percent", "value": "30"},
    ],
}


def bond_export(folder: Path) -> Path:
    """The bond household as its brokerage would export it (gain columns left blank)."""
    lines = [HEADER]
    for number, name, symbol, description, quantity, price, value, basis in BOND_ROWS:
        lines.append(
            f"{number},{name},{symbol},{description},{quantity},{price},,{value},,,,,,{basis},,Cash"
        )
    lines += ["", '"Date downloaded Dec-01-2025 at 9:12 a.m ET"']
    path = folder / "Portfolio_Positions_Dec-01-2025.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def placement_problems(portfolio: dict[str, Any], plan: dict[str, Any]) -> list[str]:
    """Every way a trade of the plan cannot be placed exactly as shown."""
    held: dict[tuple[str, str], dict[str, Any]] = {
        (h["account"], h["symbol"]): h for h in portfolio["holdings"]
    }
    found = []
    for t in plan["trades"]:
        name = f"{t['account']} {t['action']} {t['symbol']} {t['shares']} = {t['amount']}"
        if t["shares"] is None:
            continue  # a buy by dollar amount, of a fund whose price no upload shows
        shares, amount = Decimal(t["shares"]), Decimal(t["amount"])
        unit = Decimal(t["unit_price"])
        if (shares * unit).quantize(CENT) != amount:
            found.append(f"{name}: not {shares} x {unit}")
        holding = held.get((t["account"], t["symbol"]))
        quoted_per_100 = holding is not None and Decimal(holding["price"]) / unit > 50
        if holding is not None and Decimal(t["price"]) != Decimal(holding["price"]):
            found.append(f"{name}: price {t['price']} is not the export's {holding['price']}")
        if t["action"] == "sell":
            assert holding is not None, f"{name}: sells what the account does not hold"
            if shares > Decimal(holding["shares"]):
                found.append(f"{name}: sells more than the {holding['shares']} held")
            if amount > Decimal(holding["value"]) + CENT:
                found.append(f"{name}: sells more than the {holding['value']} held")
        whole_holding = holding is not None and shares == Decimal(holding["shares"])
        if quoted_per_100 and shares % FACE_INCREMENT and not whole_holding:
            found.append(f"{name}: not in ${FACE_INCREMENT} of face")
    for account in plan["accounts"]:
        if Decimal(account["cash_after"]) < 0:
            found.append(f"{account['account']} ends with cash {account['cash_after']}")
    return found


HOUSEHOLDS = {
    "fidelity-2025": ([FIDELITY_2025], fidelity_2025_config()),
    "fidelity-2024": ([FIDELITY_2024], fidelity_2025_config()),
    "schwab-2020": ([SCHWAB_2020], SCHWAB_CONFIG),
}


@pytest.mark.parametrize("fractional", ["false", "true"])
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("household", sorted(HOUSEHOLDS))
def test_every_trade_of_a_real_export_can_be_placed_as_shown(
    client: ApiClient, household: str, mode: str, fractional: str
) -> None:
    files, config = HOUSEHOLDS[household]
    client.json(client.put_config(config))
    portfolio = client.json(client.portfolio(files))
    plan = client.json(client.rebalance(files, mode=mode, fractional=fractional))
    assert placement_problems(portfolio, plan) == []


@pytest.mark.parametrize("mode", MODES)
def test_notes_bonds_tips_and_cds_trade_at_their_true_value_in_every_mode(
    client: ApiClient, tmp_path: Path, mode: str
) -> None:
    export = bond_export(tmp_path)
    client.json(client.put_config(BOND_CONFIG))
    portfolio = client.json(client.portfolio([export]))
    assert portfolio["unknown_symbols"] == []
    classes = {h["symbol"]: h["asset_class"] for h in portfolio["holdings"]}
    assert classes["91282CJL6"] == "ST Treasury"  # a note maturing within three years
    assert classes["912810TV0"] == "LTB"
    assert classes["912828Z37"] == "TIPS"
    assert classes["38150VAB5"] == "ST Treasury"  # a brokered CD
    total = sum(Decimal(a["value"]) for a in portfolio["accounts"])
    assert total == Decimal("209025.09")
    plan = client.json(client.rebalance([export], mode=mode))
    assert placement_problems(portfolio, plan) == []
    assert Decimal(plan["total_after"]) == Decimal(plan["total_before"])
