"""One household written as every kind of Schwab positions export must read the same."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest

from rebalance_service.importers import read_statement
from rebalancer.statement import AccountStatement, Holding, HoldingKind

OLD_HEADER = ["Symbol", "Description", "Quantity", "Price", "Price Change $", "Price Change %"]
OLD_HEADER += ["Market Value", "Day Change $", "Day Change %", "Cost Basis", "Gain/Loss $"]
OLD_HEADER += ["Gain/Loss %", "Reinvest Dividends?", "Capital Gains?", "% Of Account"]
OLD_HEADER += ["Security Type"]
NEW_HEADER = ["Symbol", "Description", "Qty (Quantity)", "Price", "Price Chng $ (Price Change $)"]
NEW_HEADER += ["Price Chng % (Price Change %)", "Mkt Val (Market Value)"]
NEW_HEADER += ["Day Chng $ (Day Change $)", "Day Chng % (Day Change %)", "Cost Basis"]
NEW_HEADER += ["Gain $ (Gain/Loss $)", "Gain % (Gain/Loss %)", "Reinvest?"]
NEW_HEADER += ["Reinvest Capital Gains?", "% of Acct (% of Account)", "Asset Type"]

# Per account line: its rows as (symbol, description, quantity, price, market value,
# cost basis, security type).
POSITIONS: dict[str, list[list[str]]] = {
    account: list(csv.reader(io.StringIO(rows)))
    for account, rows in {
        "Individual ...456": """\
VTI,VANGUARD TOTAL STOCK MARKET ETF,100,$200.00,"$20,000.00","$15,000.00",ETFs & Closed End Funds
AAPL 12/20/2024 150.00 C,CALL APPLE INC $150 EXP 12/20/24,1,$5.00,$500.00,$300.00,Option
SWVXX,SCHWAB VALUE ADVANTAGE MONEY INV,"1,000",$1.00,"$1,000.00","$1,000.00",Money Market Fund
Cash & Cash Investments,--,--,--,"$2,000.00",--,Cash and Money Market
""",
        "Roth IRA ...789": """\
SCHB,SCHWAB US BROAD MARKET ETF,50,$50.00,"$2,500.00","$2,000.00",ETFs & Closed End Funds
Cash & Cash Investments,--,--,--,$100.00,--,Cash and Money Market
""",
    }.items()
}
TOTALS = {"Individual ...456": "$23,500.00", "Roth IRA ...789": "$2,600.00"}


def quoted(cells: list[str]) -> str:
    """A Schwab row: every field quoted, and a trailing comma."""
    return ",".join(f'"{cell}"' for cell in cells) + ","


def block(account: str, header: list[str], total_label: str) -> list[str]:
    lines = [quoted(header)]
    for symbol, description, quantity, price, value, cost, kind in POSITIONS[account]:
        cells = dict.fromkeys(header, "--")
        cells |= {header[0]: symbol, header[1]: description, header[2]: quantity}
        cells |= {header[3]: price, header[6]: value, header[9]: cost, header[-1]: kind}
        lines.append(quoted([cells[name] for name in header]))
    total = [total_label, "--", "--", "--", "--", "--", TOTALS[account]] + ["--"] * 15
    lines.append(quoted(total))  # shorter than the header, as Schwab writes it
    return lines


def all_accounts(header: list[str], total_label: str, stamp: str) -> bytes:
    lines = [f'"Positions for All-Accounts as of 06:04 PM ET, {stamp}"', ""]
    for account in POSITIONS:
        lines += [f'"{account}"', *block(account, header, total_label), "", ""]
    return "\r\n".join(lines).encode()


def one_account(account: str, header: list[str], total_label: str, stamp: str) -> bytes:
    title = f'"Positions for account {account} as of 08:00 PM ET, {stamp}"'
    return "\r\n".join([title, "", *block(account, header, total_label)]).encode()


def holding(symbol: str, description: str, numbers: str) -> Holding:
    """A security from its quantity, price, value and cost basis, written "100 200 20000 15000"."""
    shares, price, value, cost = (Decimal(n) for n in numbers.split())
    return Holding(symbol, description, shares, price, value, cost)


HOUSEHOLD = (
    AccountStatement(
        "...456",
        "Individual",
        "Schwab",
        Decimal("2000.00"),
        (
            holding("VTI", "VANGUARD TOTAL STOCK MARKET ETF", "100 200 20000 15000"),
            Holding(
                "AAPL 12/20/2024 150.00 C",
                "CALL APPLE INC $150 EXP 12/20/24",
                Decimal(1),
                Decimal(5),
                Decimal(500),
                Decimal(300),
                HoldingKind.OPTION,
            ),
            holding("SWVXX", "SCHWAB VALUE ADVANTAGE MONEY INV", "1000 1 1000 1000"),
        ),
    ),
    AccountStatement(
        "...789",
        "Roth IRA",
        "Schwab",
        Decimal("100.00"),
        (holding("SCHB", "SCHWAB US BROAD MARKET ETF", "50 50 2500 2000"),),
    ),
)


def household(accounts: tuple[AccountStatement, ...]) -> tuple[tuple[object, ...], ...]:
    return tuple(
        (
            a.number,
            a.name,
            a.brokerage,
            a.cash,
            a.investable,
            tuple(
                (h.symbol, h.description, h.shares, h.price, h.value, h.cost_basis, h.kind)
                for h in a.holdings
            ),
        )
        for a in accounts
    )


EXPORTS: dict[str, list[tuple[str, bytes]]] = {
    "all accounts, before 2022": [
        (
            "All-Accounts-Positions-2020-11-15.CSV",
            all_accounts(OLD_HEADER, "Account Total", "11/15/2020"),
        )
    ],
    "all accounts, since 2022": [
        (
            "All-Accounts-Positions-2020-11-15.csv",
            all_accounts(NEW_HEADER, "Positions Total", "2020/11/15"),
        )
    ],
    "one file per account, before 2022": [
        (
            f"{account[:4]}-Positions.csv",
            one_account(account, OLD_HEADER, "Account Total", "11/15/2020"),
        )
        for account in POSITIONS
    ],
    "one file per account, since 2022": [
        (
            f"{account[:4]}-Positions.csv",
            one_account(account, NEW_HEADER, "Positions Total", "2020/11/15"),
        )
        for account in POSITIONS
    ],
}


@pytest.mark.parametrize("export", sorted(EXPORTS))
def test_every_schwab_export_reads_as_the_same_household(export: str) -> None:
    statement = read_statement(EXPORTS[export])
    assert household(statement.accounts) == household(HOUSEHOLD)
    assert statement.downloaded == date(2020, 11, 15)


@pytest.mark.parametrize("export", sorted(EXPORTS))
def test_schwab_totals_that_match_their_rows_raise_no_warning(export: str) -> None:
    warnings = read_statement(EXPORTS[export]).warnings
    assert [w for w in warnings if "add up to" in w] == []
    assert [w.split(": ", 1)[1] for w in warnings] == [
        "option AAPL 12/20/2024 150.00 C is kept as a holding but never traded"
    ]


def test_cash_and_cash_investments_is_cash_not_a_holding() -> None:
    statement = read_statement(EXPORTS["all accounts, since 2022"])
    assert [a.cash for a in statement.accounts] == [Decimal("2000.00"), Decimal("100.00")]
    symbols = {h.symbol for a in statement.accounts for h in a.holdings}
    assert not any("CASH" in symbol for symbol in symbols)


def test_a_total_row_that_disagrees_with_the_rows_is_a_warning() -> None:
    data = all_accounts(NEW_HEADER, "Positions Total", "2020/11/15")
    data = data.replace(b"$2,600.00", b"$2,700.00")
    statement = read_statement([("positions.csv", data)])
    assert any(
        "the rows of account ...789 add up to $2,600.00 but its Positions Total row says "
        "$2,700.00" in warning
        for warning in statement.warnings
    )


def test_a_block_with_no_account_line_is_read_unnamed_with_a_warning() -> None:
    data = "\r\n".join([quoted(NEW_HEADER), quoted(["VTI", "X", "1", "$1", "--", "--", "$1"])])
    statement = read_statement([("positions.csv", data.encode())])
    (account,) = statement.accounts
    assert (account.number, account.name, len(account.holdings)) == ("", "", 1)
    assert any("no account name precedes this block" in w for w in statement.warnings)
