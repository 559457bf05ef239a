from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from rebalance_service.importers import read_statement
from rebalancer.money import parse_decimal
from rebalancer.statement import AccountStatement, HoldingKind, Statement, StatementError

FIDELITY_MARCH = "yifan-lee__Portfolio_Positions_Mar-04-2025.csv"
FIDELITY_NOVEMBER = "yifan-lee__Portfolio_Positions_Nov-12-2024.csv"
SCHWAB_ALL_ACCOUNTS = "jbms__All-Accounts-Positions-2020-11-15.csv"

# Per account name: (holdings, cash, investable), as read off each file by hand.
EXPECTED: dict[str, dict[str, tuple[int, str, bool]]] = {
    FIDELITY_MARCH: {
        "Individual": (25, "103687.13", True),  # FZFXX** 79187.13 + Pending Activity 24500.00
        "ERNST & YOUNG 401(K)": (2, "0", True),
        "Cash Management (Individual)": (0, "106.27", True),
        "Health Savings Account": (1, "1863.08", True),
    },
    FIDELITY_NOVEMBER: {
        "Individual": (23, "53946.02", True),
        "ERNST & YOUNG 401(K)": (2, "0", True),
        "Cash Management (Individual)": (0, "105.49", True),
        "Health Savings Account": (1, "548.26", True),
        "360 Checking": (0, "709.00", False),
    },
    SCHWAB_ALL_ACCOUNTS: {
        "Brokerage": (0, "0.00", True),
        "Intelligent": (3, "2000.00", True),
    },
}


def read(path: Path) -> Statement:
    return read_statement([(path.name, path.read_bytes())])


def by_name(statement: Statement) -> dict[str, AccountStatement]:
    return {account.name: account for account in statement.accounts}


def fidelity_column_sums(path: Path) -> dict[str, tuple[str, Decimal]]:
    """Per account name: (its number, the sum of its Current Value cells), read naively."""
    text = path.read_bytes().decode("utf-8-sig")
    sums: dict[str, Decimal] = defaultdict(Decimal)
    numbers: dict[str, str] = {}
    for row in csv.DictReader(io.StringIO(text)):
        name, value = row.get("Account Name"), row.get("Current Value")
        if name and value:
            numbers[name] = row["Account Number"]
            sums[name] += parse_decimal(value) or Decimal(0)
    return {name: (numbers[name], total) for name, total in sums.items()}


def test_every_sample_is_read_or_refused_as_an_activity_export(sample_file: Path) -> None:
    if "History" in sample_file.name:
        with pytest.raises(StatementError) as raised:
            read(sample_file)
        (problem,) = raised.value.problems
        assert problem.source == sample_file.name
        assert "this is an activity export; upload the Fidelity positions export" in problem.message
    else:
        statement = read(sample_file)
        assert statement.accounts
        assert statement.downloaded is not None


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_sample_account_has_the_expected_holdings_and_cash(samples: Path, name: str) -> None:
    expected = EXPECTED[name]
    accounts = by_name(read(samples / name))
    assert sorted(accounts) == sorted(expected)
    for account_name, (holdings, cash, investable) in expected.items():
        account = accounts[account_name]
        assert len(account.holdings) == holdings, account_name
        assert account.cash == Decimal(cash), account_name
        assert account.investable is investable, account_name


@pytest.mark.parametrize("name", [FIDELITY_MARCH, FIDELITY_NOVEMBER])
def test_fidelity_account_values_match_the_current_value_column_to_the_cent(
    samples: Path, name: str
) -> None:
    path = samples / name
    accounts = by_name(read(path))
    sums = fidelity_column_sums(path)
    assert sorted(accounts) == sorted(sums)
    for account_name, (number, total) in sums.items():
        account = accounts[account_name]
        assert account.value == total, account_name
        same_number = account.number == number  # compared, never printed
        assert same_number, f"the account number of {account_name} is not the file's"


def test_fidelity_sample_dates_come_from_the_date_downloaded_footer(samples: Path) -> None:
    assert read(samples / FIDELITY_MARCH).downloaded == date(2025, 3, 4)
    assert read(samples / FIDELITY_NOVEMBER).downloaded == date(2024, 11, 12)


def test_treasury_bills_keep_face_quantity_and_price_per_hundred(samples: Path) -> None:
    individual = by_name(read(samples / FIDELITY_MARCH))["Individual"]
    bills = [h for h in individual.holdings if "TREAS BILLS" in h.description]
    assert len(bills) == 6
    for bill in bills:
        assert len(bill.symbol) == 9  # a CUSIP, no ticker
        assert bill.price is not None
        assert bill.price < 100
        assert bill.value == (bill.shares * bill.price / 100).quantize(Decimal("0.01"))
        assert bill.cost_basis is not None  # the average is "--", the total is there


def test_fidelity_sample_keeps_cost_basis_totals(samples: Path) -> None:
    individual = by_name(read(samples / FIDELITY_MARCH))["Individual"]
    apple = next(h for h in individual.holdings if h.symbol == "AAPL")
    assert (apple.shares, apple.price, apple.value, apple.cost_basis) == (
        Decimal(70),
        Decimal("238.08"),
        Decimal("16665.60"),
        Decimal("10759.99"),
    )
    assert apple.line == 7


def test_fidelity_401k_fund_with_a_cusip_symbol_is_a_holding(samples: Path) -> None:
    plan = by_name(read(samples / FIDELITY_MARCH))["ERNST & YOUNG 401(K)"]
    assert [h.symbol for h in plan.holdings] == ["84679P504", "FBCGX"]
    assert plan.holdings[0].cost_basis == Decimal("7645.17")
    assert plan.cash == 0


def test_linked_external_account_is_shown_not_invested_and_warned_about(samples: Path) -> None:
    statement = read(samples / FIDELITY_NOVEMBER)
    checking = by_name(statement)["360 Checking"]
    assert checking.holdings == ()
    assert checking.value == Decimal("709.00")
    assert not checking.investable
    (warning,) = statement.warnings
    assert "360 Checking" in warning
    assert "linked from another institution" in warning
    assert f"...{checking.number[-4:]}" in warning


def test_schwab_sample_accounts_add_up_to_their_account_total_rows(samples: Path) -> None:
    accounts = by_name(read(samples / SCHWAB_ALL_ACCOUNTS))
    assert accounts["Brokerage"].value == 0
    intelligent = accounts["Intelligent"]
    securities = [h for h in intelligent.holdings if h.kind is HoldingKind.SECURITY]
    # The option row was added to this fixture by hand without updating the total.
    assert intelligent.cash + sum(h.value for h in securities) == Decimal("13727.00")
    assert [h.symbol for h in securities] == ["FNDA", "SCHA"]
    assert securities[1].value == Decimal("7897.00")
    assert securities[1].cost_basis == Decimal("7000.00")


def test_schwab_sample_option_row_is_an_option_and_its_total_mismatch_a_warning(
    samples: Path,
) -> None:
    statement = read(samples / SCHWAB_ALL_ACCOUNTS)
    option = by_name(statement)["Intelligent"].holdings[2]
    assert option.kind is HoldingKind.OPTION
    assert (option.symbol, option.shares, option.value) == (
        "SMAL 04/01/2020 32.00 P",
        Decimal(1),
        Decimal(1253),
    )
    assert statement.downloaded == date(2020, 11, 15)
    assert any("kept as a holding but never traded" in w for w in statement.warnings)
    assert any("Account Total row says $13,727.00" in w for w in statement.warnings)


def test_schwab_account_numbers_are_kept_as_the_file_writes_them(samples: Path) -> None:
    numbers = {account.number for account in read(samples / SCHWAB_ALL_ACCOUNTS).accounts}
    assert numbers == {"XXXX-1234", "XXXX-4321"}  # already masked by Schwab


def test_all_samples_together_make_one_household(samples: Path) -> None:
    names = (FIDELITY_MARCH, SCHWAB_ALL_ACCOUNTS)
    statement = read_statement([(name, (samples / name).read_bytes()) for name in names])
    assert [a.brokerage for a in statement.accounts] == ["Fidelity"] * 4 + ["Schwab"] * 2
    assert statement.downloaded == date(2025, 3, 4)
    assert any("downloaded on different days" in w for w in statement.warnings)


def test_no_warning_or_problem_carries_a_full_sample_account_number(samples: Path) -> None:
    numbers: set[str] = set()
    messages: list[str] = []
    for path in sorted(samples.glob("*.csv")):
        if "Positions_" in path.name:
            numbers |= {number for number, _ in fidelity_column_sums(path).values()}
        try:
            messages += read(path).warnings
        except StatementError as error:
            messages += [str(problem) for problem in error.problems]
    assert len(numbers) >= 5
    leaks = sum(number in message for number in numbers for message in messages)
    assert leaks == 0
