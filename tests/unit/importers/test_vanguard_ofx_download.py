from __future__ import annotations

from decimal import Decimal

import pytest

from rebalance_service.importers import read_statement
from rebalancer.statement import Statement, StatementError

HOLDINGS_HEADER = "Account Number,Investment Name,Symbol,Shares,Share Price,Total Value,"
TRANSACTIONS_HEADER = (
    "Account Number,Trade Date,Settlement Date,Transaction Type,Transaction Description,"
    "Investment Name,Symbol,Shares,Share Price,Principal Amount,Commissions and Fees,"
    "Net Amount,Accrued Interest,Account Type,"
)
FIRST = [
    "88881111,VANGUARD TOTAL STOCK MARKET INDEX ADMIRAL,VTSAX,100.5,110.00,11055.00,",
    "88881111,VANGUARD FEDERAL MONEY MARKET FUND,VMFXX,500,1.00,500.00,",
]
SECOND = [
    '88882222,VANGUARD TOTAL BOND MARKET ETF,BND,20,72.50,"1,450.00",',
    "88882222,VANGUARD TARGET RETIREMENT 2050 TRUST,,12.5,40.00,500.00,",
]
TRANSACTIONS = [
    TRANSACTIONS_HEADER,
    "88881111,2026-09-01,2026-09-02,Buy,Buy,VANGUARD TOTAL STOCK MARKET INDEX ADMIRAL,VTSAX,"
    "10,108.00,-1080.00,0.0,-1080.00,0.0,CASH,",
    "88881111,2026-09-03,2026-09-03,Funds Received,x,y,z,not-a-number,?,?,?,?,?,CASH,",
]


def read(lines: list[str]) -> Statement:
    return read_statement([("OfxDownload.csv", ("\n".join(lines) + "\n").encode())])


def test_holdings_block_is_read_per_account_and_transactions_ignored() -> None:
    statement = read([HOLDINGS_HEADER, *FIRST, "", *SECOND, "", "", *TRANSACTIONS])
    first, second = statement.accounts
    assert (first.number, first.brokerage, first.name) == ("88881111", "Vanguard", "")
    assert [(h.symbol, h.shares, h.price, h.value) for h in first.holdings] == [
        ("VTSAX", Decimal("100.5"), Decimal("110.00"), Decimal("11055.00"))
    ]
    assert second.value == Decimal("1950.00")
    assert statement.downloaded is None


def test_the_settlement_fund_is_the_accounts_cash() -> None:
    first = read([HOLDINGS_HEADER, *FIRST]).accounts[0]
    assert first.cash == Decimal("500.00")
    assert "VMFXX" not in {h.symbol for h in first.holdings}


def test_a_holding_without_a_symbol_is_named_by_its_investment_name() -> None:
    statement = read([HOLDINGS_HEADER, *SECOND])
    assert statement.accounts[0].holdings[1].symbol == "VANGUARD TARGET RETIREMENT 2050 TRUST"
    assert any("has no symbol" in w for w in statement.warnings)


def test_a_holdings_header_repeated_per_account_is_skipped() -> None:
    statement = read([HOLDINGS_HEADER, *FIRST, "", HOLDINGS_HEADER, *SECOND, "", *TRANSACTIONS])
    assert [a.number for a in statement.accounts] == ["88881111", "88882222"]


def test_a_transactions_only_download_is_refused_as_an_activity_export() -> None:
    with pytest.raises(StatementError) as raised:
        read(TRANSACTIONS)
    (problem,) = raised.value.problems
    assert problem.message == (
        "this is an activity export; upload the Vanguard positions export instead"
    )


def test_a_bad_share_count_names_the_file_line_and_column() -> None:
    with pytest.raises(StatementError) as raised:
        read([HOLDINGS_HEADER, FIRST[0].replace("100.5", "12..5")])
    assert [str(p) for p in raised.value.problems] == [
        'OfxDownload.csv line 2: Shares "12..5" is not a number'
    ]
