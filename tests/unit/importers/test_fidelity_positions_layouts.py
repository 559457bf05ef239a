"""One household written in every Fidelity positions layout and dialect must read the same."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rebalance_service.importers import read_statement
from rebalancer.statement import AccountStatement, Holding, HoldingKind, Statement

# The household, one row per line, its cells in ROLES order; every layout writes them its way.
ROLES = ["number", "name", "symbol", "description", "quantity", "price", "change", "value"]
ROLES += ["cost", "average", "type"]
LINKED = "6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f"
CANONICAL = f"""\
Z11111111,Individual - TOD,SPAXX**,HELD IN MONEY MARKET,,,,$1234.56,,,Cash
Z11111111,Individual - TOD,AAPL,APPLE INC,10,$205.58,+$0.56,$2055.80,$950.00,$95.00,Cash
Z11111111,Individual - TOD,FXAIX,FIDELITY 500 INDEX FUND,474.74,$203.50,-$3.63,"$96,609.59",\
"$90,752.62",$191.16,Cash
Z11111111,Individual - TOD,912797KJ5,UNITED STATES TREAS BILLS ZERO CPN 0.00000%,200000,$99.811,\
+$0.011,$199622.00,$198429.86,--,Cash
Z11111111,Individual - TOD, -AAPL250117C200,AAPL JAN 17 2025 $200 CALL,-1,$5.10,n/a,-$510.00,\
$400.00,$4.00,Margin
Z11111111,Individual - TOD,Pending activity,,,,,-$78.20,,,
234567890,ROTH IRA,FZFXX**,HELD IN MONEY MARKET,,,,$50.00,,,Cash
234567890,ROTH IRA,VTI,VANGUARD TOTAL STOCK MKT ETF,5,$250.00,+$1.00,$1250.00,$1100.00,$220.00,Cash
234567890,ROTH IRA,PENDING ACTIVITY,,,,,(12.00),,,
12345,ACME CORP 401(K),84679P504,SP 500 INDEX PL CL E,29.562,$274.85,-$4.90,$8125.12,$7645.17,\
$258.61,
12345,ACME CORP 401(K),,STABLE VALUE FUND,100,n/a,--,$1000.00,--,--,
{LINKED},360 Checking,**,,--,--,--,$709.00,--,--,
"""
ROWS = list(csv.reader(io.StringIO(CANONICAL)))
GAINS = {  # the columns no layout needs, filled as Fidelity fills them
    "Today's Gain/Loss Dollar": "+$5.60",
    "Today's Gain/Loss Percent": "+0.27%",
    "Total Gain/Loss Dollar": "+$1105.80",
    "Total Gain/Loss Percent": "+116.40%",
    "Percent Of Account": "0.20%",
    "Ex-Date": "03/14/2025",
    "Dividend Yield": "1.21%",
}
TAIL = ["Today's Gain/Loss Dollar", "Today's Gain/Loss Percent", "Total Gain/Loss Dollar"]
TAIL += ["Total Gain/Loss Percent", "Percent Of Account"]
PRICES = ["Quantity", "Last Price", "Last Price Change", "Current Value"]
LAYOUTS: dict[str, list[str]] = {
    # before ~2022: one combined account column, "Cost Basis" is the total
    "account name/number": [
        *["Account Name/Number", "Symbol", "Description", *PRICES, *TAIL],
        *["Cost Basis", "Cost Basis Per Share", "Type"],
    ],
    "number and name, cost basis": [
        *["Account Number", "Account Name", "Symbol", "Description", *PRICES, *TAIL],
        *["Cost Basis", "Cost Basis Per Share", "Type"],
    ],
    "number and name, cost basis total": [
        *["Account Number", "Account Name", "Symbol", "Description", *PRICES, *TAIL],
        *["Cost Basis Total", "Average Cost Basis", "Type"],
    ],
    # a user-chosen view: columns reordered, some missing, some added
    "custom view": [
        *["Symbol", "Account Name", "Account Number", "Ex-Date", "Description", "Current Value"],
        *["Last Price", "Quantity", "Cost Basis Total", "Dividend Yield", "Type"],
    ],
}
COLUMN_ROLE = {
    "Account Number": "number",
    "Account Name": "name",
    "Symbol": "symbol",
    "Description": "description",
    "Quantity": "quantity",
    "Last Price": "price",
    "Last Price Change": "change",
    "Current Value": "value",
    "Cost Basis": "cost",
    "Cost Basis Total": "cost",
    "Cost Basis Per Share": "average",
    "Average Cost Basis": "average",
    "Type": "type",
}
DISCLAIMER = (
    "The data and information in this spreadsheet is provided to you solely for your use and "
    "is not for distribution. For more information, go to Fidelity.com."
)
BROKERAGE = "Brokerage services are provided by Fidelity Brokerage Services LLC (FBS), RI 02917."
FOOTERS: dict[str, list[str]] = {  # raw lines after the table
    "none": [],
    "2025, quoted": [
        "",
        f'"{DISCLAIMER}"',
        "",
        f'"{BROKERAGE}"',
        "",
        '"Date downloaded Mar-04-2025 at 2:53 p.m ET"',
    ],
    "2026, split over lines": [
        "",
        '"The data and information in this spreadsheet is provided for"',
        '"informational purposes only."',
        "",
        f'"{BROKERAGE}"',
        "",
        "Date downloaded 03/04/2025 02:53 pm",
    ],
    "one quoted field over three lines": [
        "",
        f'"{DISCLAIMER}',
        "",
        f'{BROKERAGE}"',
        '"Date downloaded 03/04/2025 2:53 PM ET"',
    ],
    "padded by Excel": [
        "",
        f'"{DISCLAIMER}"' + "," * 10,
        "," * 10,
        "Date downloaded Mar-04-2025 at 2:53 p.m ET" + "," * 10,
    ],
}


@dataclass(frozen=True)
class Dialect:
    """How a file is written, apart from its layout."""

    bom: bool = True
    newline: str = "\r\n"
    trailing_comma: bool = False
    trim_rows: bool = False  # drop the empty cells that end a row, as cash rows do
    footer: str = "2025, quoted"
    header_case: str = "as is"


def render(layout: str, dialect: Dialect = Dialect()) -> bytes:
    """The canonical rows as a Fidelity positions file in `layout`."""
    header = LAYOUTS[layout]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=dialect.newline)
    trailer = [""] if dialect.trailing_comma else []
    cased = {"as is": header, "upper": [h.upper() for h in header]}
    cased["lower"] = [h.lower() for h in header]
    writer.writerow(cased[dialect.header_case] + trailer)
    for row in ROWS:
        cells = dict(zip(ROLES, row, strict=True))
        out = []
        for column in header:
            if column == "Account Name/Number":
                out.append(f"{cells['name']} {cells['number']}")
            elif column in COLUMN_ROLE:
                out.append(cells[COLUMN_ROLE[column]])
            else:
                out.append("" if cells["symbol"].endswith("**") else GAINS[column])
        while dialect.trim_rows and out and not out[-1]:
            out.pop()
        writer.writerow(out + trailer)
    footer = "".join(line + dialect.newline for line in FOOTERS[dialect.footer])
    return (("\ufeff" if dialect.bom else "") + buffer.getvalue() + footer).encode()


def security(symbol: str, description: str, numbers: str) -> Holding:
    """A security from its quantity, price, value and cost basis ("-": none in the file)."""
    shares, price, value, cost = (None if n == "-" else Decimal(n) for n in numbers.split())
    assert shares is not None
    assert value is not None
    return Holding(symbol, description, shares, price, value, cost)


HOUSEHOLD = (
    AccountStatement(
        "Z11111111",
        "Individual - TOD",
        "Fidelity",
        Decimal("1156.36"),  # SPAXX** 1234.56, pending -78.20
        (
            security("AAPL", "APPLE INC", "10 205.58 2055.80 950.00"),
            security("FXAIX", "FIDELITY 500 INDEX FUND", "474.74 203.50 96609.59 90752.62"),
            security(
                "912797KJ5",
                "UNITED STATES TREAS BILLS ZERO CPN 0.00000%",
                "200000 99.811 199622.00 198429.86",  # priced per 100 of face value
            ),
            Holding(
                "-AAPL250117C200",
                "AAPL JAN 17 2025 $200 CALL",
                Decimal(-1),
                Decimal("5.10"),
                Decimal("-510.00"),
                Decimal("400.00"),
                HoldingKind.OPTION,
            ),
        ),
    ),
    AccountStatement(
        "234567890",
        "ROTH IRA",
        "Fidelity",
        Decimal("38.00"),  # FZFXX** 50.00, pending (12.00)
        (security("VTI", "VANGUARD TOTAL STOCK MKT ETF", "5 250.00 1250.00 1100.00"),),
    ),
    AccountStatement(
        "12345",
        "ACME CORP 401(K)",
        "Fidelity",
        Decimal(0),
        (
            security("84679P504", "SP 500 INDEX PL CL E", "29.562 274.85 8125.12 7645.17"),
            security("STABLE VALUE FUND", "STABLE VALUE FUND", "100 - 1000.00 -"),
        ),
    ),
    AccountStatement(LINKED, "360 Checking", "Fidelity", Decimal("709.00"), (), investable=False),
)

Household = tuple[tuple[object, ...], ...]


def household(accounts: tuple[AccountStatement, ...]) -> Household:
    """Accounts as comparable values, without the line numbers that differ by layout."""
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


def read(data: bytes) -> Statement:
    return read_statement([("Portfolio_Positions_Mar-04-2025.csv", data)])


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_every_fidelity_layout_reads_as_the_same_household(layout: str) -> None:
    statement = read(render(layout))
    assert household(statement.accounts) == household(HOUSEHOLD)
    assert statement.downloaded == date(2025, 3, 4)


@pytest.mark.parametrize("footer", sorted(FOOTERS))
def test_every_footer_form_is_skipped_and_its_date_kept(footer: str) -> None:
    statement = read(render("number and name, cost basis total", Dialect(footer=footer)))
    assert household(statement.accounts) == household(HOUSEHOLD)
    assert statement.downloaded == (None if footer == "none" else date(2025, 3, 4))


DIALECTS = st.builds(
    Dialect,
    bom=st.booleans(),
    newline=st.sampled_from(["\r\n", "\n"]),
    trailing_comma=st.booleans(),
    trim_rows=st.booleans(),
    footer=st.sampled_from(sorted(FOOTERS)),
    header_case=st.sampled_from(["as is", "upper", "lower"]),
)


@settings(max_examples=60, deadline=None)
@given(layout=st.sampled_from(sorted(LAYOUTS)), dialect=DIALECTS)
def test_any_mix_of_layout_and_dialect_reads_as_the_same_household(
    layout: str, dialect: Dialect
) -> None:
    assert household(read(render(layout, dialect)).accounts) == household(HOUSEHOLD)


def test_pending_activity_counts_as_cash_whatever_its_sign_or_case() -> None:
    accounts = read(render("number and name, cost basis total")).accounts
    assert accounts[0].cash == Decimal("1234.56") - Decimal("78.20")
    assert accounts[1].cash == Decimal("50.00") - Decimal("12.00")


def test_options_are_kept_as_holdings_of_their_own_kind_and_warned_about() -> None:
    statement = read(render("number and name, cost basis total"))
    options = [h for a in statement.accounts for h in a.holdings if h.kind is HoldingKind.OPTION]
    assert [o.symbol for o in options] == ["-AAPL250117C200"]
    assert any("option -AAPL250117C200" in w for w in statement.warnings)


def test_a_fund_without_a_symbol_is_named_by_its_description_with_a_warning() -> None:
    statement = read(render("number and name, cost basis total"))
    assert statement.accounts[2].holdings[1].symbol == "STABLE VALUE FUND"
    assert any('"STABLE VALUE FUND" has no symbol' in w for w in statement.warnings)


def test_linked_account_warning_masks_its_number() -> None:
    statement = read(render("account name/number"))
    linked = [w for w in statement.warnings if "linked from another institution" in w]
    assert linked == [
        "Portfolio_Positions_Mar-04-2025.csv line 13: account ...4e5f (360 Checking) "
        "is linked from another institution; it is shown but not rebalanced"
    ]


def test_holdings_remember_their_line_in_the_file() -> None:
    statement = read(render("number and name, cost basis total", Dialect(footer="none")))
    lines = [h.line for a in statement.accounts for h in a.holdings]
    assert lines == [3, 4, 5, 6, 9, 11, 12]


def test_a_view_with_only_the_average_cost_gives_the_total_it_implies() -> None:
    header = "Account Number,Account Name,Symbol,Quantity,Current Value,Average Cost Basis\n"
    row = "Z11111111,Individual,AAPL,10,$2055.80,$95.00\n"
    (account,) = read((header + row).encode()).accounts
    assert account.holdings[0].cost_basis == Decimal("950.00")


def test_a_view_without_prices_or_cost_reads_them_as_absent() -> None:
    header = "Account Number,Account Name,Symbol,Quantity,Current Value\n"
    row = "Z11111111,Individual,AAPL,10,$2055.80\n"
    (account,) = read((header + row).encode()).accounts
    (apple,) = account.holdings
    assert (apple.price, apple.cost_basis, apple.description) == (None, None, "")


def test_rows_longer_than_the_header_keep_missing_columns_empty() -> None:
    header = "Account Number,Account Name,Symbol,Quantity,Current Value\n"
    row = "Z11111111,Individual,AAPL,10,$2055.80,$999.00,surplus\n"
    (account,) = read((header + row).encode()).accounts
    assert account.holdings[0].price is None


def test_a_repeated_header_row_is_skipped() -> None:
    data = render("number and name, cost basis total", Dialect(bom=False, footer="none"))
    header = data.split(b"\r\n", 1)[0] + b"\r\n"
    statement = read(data + header)
    assert household(statement.accounts) == household(HOUSEHOLD)


def test_rows_of_one_account_anywhere_in_the_file_gather_into_it() -> None:
    header = "Account Number,Account Name,Symbol,Quantity,Current Value\n"
    rows = "Z1111,Individual,AAPL,1,$1.00\nX2222,IRA,VTI,1,$2.00\nZ1111,Individual,MSFT,1,$3.00\n"
    accounts = read((header + rows).encode()).accounts
    assert [[h.symbol for h in a.holdings] for a in accounts] == [["AAPL", "MSFT"], ["VTI"]]


BROKERAGELINK_HEADER = (
    "Account Number,Account Name,Symbol,Description,Quantity,Last Price,Current Value"
)
PLAN_ROWS = [
    "12366,ACME 401(K),,BROKERAGELINK,1500.00,$1.00,$1500.00",
    "12366,ACME 401(K),84679P504,SP 500 INDEX PL CL E,2,$250.00,$500.00",
]
WINDOW_ROW = "653239878,BrokerageLink,VTI,VANGUARD TOTAL STOCK MKT ETF,5,$300.00,$1500.00"


def test_a_brokeragelink_row_is_left_out_when_its_account_is_itemized() -> None:
    statement = read("\n".join([BROKERAGELINK_HEADER, *PLAN_ROWS, WINDOW_ROW]).encode())
    plan, window = statement.accounts
    assert [h.symbol for h in plan.holdings] == ["84679P504"]
    assert window.value == Decimal("1500.00")
    assert statement.warnings == (
        "Portfolio_Positions_Mar-04-2025.csv line 2: BROKERAGELINK in account ...2366 is the "
        "BrokerageLink account listed on its own; it is left out so it is not counted twice",
    )


def test_a_brokeragelink_row_without_its_account_is_kept() -> None:
    statement = read("\n".join([BROKERAGELINK_HEADER, *PLAN_ROWS]).encode())
    (plan,) = statement.accounts
    assert [h.symbol for h in plan.holdings] == ["BROKERAGELINK", "84679P504"]
    assert plan.value == Decimal("2000.00")
