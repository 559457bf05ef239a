from __future__ import annotations

from decimal import Decimal

import pytest

from rebalance_service.importers import read_statement
from rebalancer.statement import ImportProblem, Statement, StatementError
from support.samples import FIDELITY_2024, FIDELITY_2025

HEADER = (
    "Account Number,Account Name,Symbol,Description,Quantity,Last Price,Current Value,"
    "Cost Basis Total,Average Cost Basis,Type"
)


def row(quantity: str = "10", price: str = "$5.00", value: str = "$50.00", **cells: str) -> str:
    fields = {"number": "Z11111111", "name": "Individual", "symbol": "AAPL", "description": "APPLE"}
    fields |= cells
    return (
        f"{fields['number']},{fields['name']},{fields['symbol']},{fields['description']},"
        f"{quantity},{price},{value},$40.00,$4.00,Cash"
    )


def fidelity(*rows: str) -> bytes:
    return "\r\n".join([HEADER, *rows]).encode()


def problems(*files: tuple[str, bytes]) -> list[str]:
    with pytest.raises(StatementError) as raised:
        read_statement(list(files))
    assert str(raised.value) == "; ".join(str(p) for p in raised.value.problems)
    return [str(problem) for problem in raised.value.problems]


def read(data: bytes, name: str = "Portfolio_Positions.csv") -> Statement:
    return read_statement([(name, data)])


def test_a_bad_quantity_names_the_file_the_line_and_the_text() -> None:
    rows = [row(symbol=f"S{n}") for n in range(12)] + [row(quantity="12..5")]
    assert problems(("Portfolio_Positions.csv", fidelity(*rows))) == [
        'Portfolio_Positions.csv line 14: Quantity "12..5" is not a number'
    ]


def test_every_bad_row_and_cell_is_listed_not_just_the_first() -> None:
    data = fidelity(row(), row(quantity="ten"), row(), row(price="$5.0.0", value="$$50"))
    assert problems(("p.csv", data)) == [
        'p.csv line 3: Quantity "ten" is not a number',
        'p.csv line 5: Current Value "$$50" is not a number',
        'p.csv line 5: Last Price "$5.0.0" is not a number',
    ]


def test_a_bad_cost_basis_is_reported_once() -> None:
    data = fidelity(row().replace("$40.00", "4O.00"))
    assert problems(("p.csv", data)) == ['p.csv line 2: Cost Basis Total "4O.00" is not a number']


def test_problems_in_every_file_of_an_upload_are_reported_together() -> None:
    bad = fidelity(row(quantity="x"))
    other = fidelity(row(number="X22222222", value="y"))
    assert problems(("a.csv", bad), ("b.csv", other)) == [
        'a.csv line 2: Quantity "x" is not a number',
        'b.csv line 2: Current Value "y" is not a number',
    ]


def test_the_column_name_in_a_message_is_the_files_own() -> None:
    data = fidelity(row(quantity="?")).replace(b"Quantity", b"QUANTITY", 1)
    assert problems(("p.csv", data)) == ['p.csv line 2: QUANTITY "?" is not a number']


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "is empty"),
        (b"  \r\n\r\n", "is empty"),
        (b"name,age\nbob,3\n", "is not a positions export this tool can read"),
        (b"Symbol,Description\x00\x01\x02", "is not a text file"),
        (bytes(range(1, 256)) * 20, "is not a text file"),
        (b"PK\x03\x04\x14\x00\x06\x00", "is an Excel workbook or another zip archive"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "is an old-style Excel workbook (.xls)"),
        (b"%PDF-1.7\n", "is a PDF document, not a CSV file"),
    ],
)
def test_a_file_that_is_no_positions_export_is_refused_as_a_whole(
    data: bytes, message: str
) -> None:
    (problem,) = problems(("upload.csv", data))
    assert problem.startswith(f"upload.csv: {message}")


def test_no_files_at_all_is_a_problem() -> None:
    assert problems() == ["upload: no file was uploaded"]


def test_a_header_without_a_positions_row_is_a_problem() -> None:
    assert problems(("p.csv", fidelity())) == [
        "p.csv: this Fidelity positions export lists no positions"
    ]


def test_a_header_missing_a_needed_column_names_it() -> None:
    data = b"Account Number,Account Name,Symbol,Last Price,Current Value\nZ1,I,AAPL,$1,$1\n"
    assert problems(("p.csv", data)) == [
        'p.csv line 1: this Fidelity positions header has no "Quantity" column'
    ]


@pytest.mark.parametrize(
    ("header", "brokerage"),
    [
        (
            '"Date","Action","Symbol","Description","Quantity","Price","Fees & Comm","Amount"',
            "Schwab",
        ),
        (
            "Run Date,Account,Action,Symbol,Description,Type,Quantity,Price ($),Amount ($)",
            "Fidelity",
        ),
    ],
)
def test_an_activity_export_is_refused_with_what_to_upload_instead(
    header: str, brokerage: str
) -> None:
    assert problems(("history.csv", f"\n\n{header}\n".encode())) == [
        f"history.csv line 3: this is an activity export; upload the {brokerage} positions "
        "export instead"
    ]


def test_a_schwab_transactions_title_is_enough_to_refuse_it() -> None:
    data = b'"Transactions  for account Individual ...456 as of 09/26/2026 10:00 PM ET"\n'
    assert problems(("t.csv", data))[0].startswith("t.csv line 1: this is an activity export")


def test_the_same_account_in_two_files_is_a_problem_naming_both() -> None:
    data = fidelity(row())
    assert problems(("a.csv", data), ("b.csv", data)) == [
        "b.csv line 2: holds the same account ...1111 as a.csv: upload one of them"
    ]


def test_two_exports_of_the_same_accounts_are_one_problem_that_names_the_newer_file() -> None:
    older = FIDELITY_2024.read_bytes()
    newer = FIDELITY_2025.read_bytes()
    found = problems((FIDELITY_2024.name, older), (FIDELITY_2025.name, newer))
    assert len(found) == 1
    assert found[0].startswith(f"{FIDELITY_2025.name} line ")
    assert f"as {FIDELITY_2024.name}" in found[0]
    assert "...6964" in found[0]  # masked as every page shows it
    assert f"{FIDELITY_2025.name} is the newer, downloaded 2025-03-04" in found[0]


def test_a_value_without_a_quantity_is_a_problem() -> None:
    assert problems(("p.csv", fidelity(row(quantity="--")))) == [
        "p.csv line 2: Quantity is empty for AAPL, which has a value"
    ]


def test_a_quantity_without_a_value_is_a_problem() -> None:
    assert problems(("p.csv", fidelity(row(value="n/a")))) == [
        "p.csv line 2: Current Value is empty for AAPL"
    ]


def test_a_position_with_neither_quantity_nor_value_is_left_out_with_a_warning() -> None:
    statement = read(fidelity(row(), row(symbol="GONE", quantity="", value="--")))
    assert [h.symbol for h in statement.accounts[0].holdings] == ["AAPL"]
    assert statement.warnings == (
        "Portfolio_Positions.csv line 3: GONE has no quantity or value; it is left out",
    )


def test_a_row_without_an_account_number_is_a_problem() -> None:
    assert problems(("p.csv", fidelity(row(), row(number="")))) == [
        "p.csv line 3: this position row has no account number"
    ]


def test_a_field_too_large_for_csv_is_reported_at_its_line() -> None:
    data = fidelity(row(), '"' + "x" * 200_000)
    assert problems(("p.csv", data)) == [
        "p.csv line 3: cannot be read as CSV (field larger than field limit (131072))"
    ]


def test_line_numbers_count_physical_lines_past_a_quoted_line_break() -> None:
    data = fidelity(row(description='"APPLE\nINC"'), row(quantity="bad"))
    assert problems(("p.csv", data)) == ['p.csv line 4: Quantity "bad" is not a number']


def test_an_account_number_in_a_bad_cell_is_masked_in_the_message() -> None:
    (problem,) = problems(("p.csv", fidelity(row(quantity="Z98765432"))))
    assert problem == 'p.csv line 2: Quantity "...5432" is not a number'


def test_an_account_number_in_the_file_name_is_masked() -> None:
    with pytest.raises(StatementError) as raised:
        read_statement([("Z11111111-positions.csv", fidelity(row(quantity="?")))])
    assert raised.value.problems == (
        ImportProblem("...1111-positions.csv", 2, 'Quantity "?" is not a number'),
    )


def test_a_windows_1252_file_is_read_with_a_warning() -> None:
    data = fidelity(row(description="CAFÉ ‘ROAST’ CO")).decode().encode("cp1252")
    statement = read(data)
    assert statement.accounts[0].holdings[0].description == "CAFÉ ‘ROAST’ CO"
    assert statement.warnings == (
        "Portfolio_Positions.csv: is not UTF-8; it was read as Windows-1252 text",
    )


def test_bytes_windows_1252_leaves_undefined_are_read_as_latin_1() -> None:
    data = fidelity(row(description="A\x81B")).decode().encode("latin-1")
    assert read(data).accounts[0].holdings[0].description == "A\x81B"


def test_a_utf16_file_with_a_byte_order_mark_is_read() -> None:
    data = fidelity(row()).decode().encode("utf-16")
    assert read(data).accounts[0].holdings[0].value == Decimal("50.00")


def test_an_unreadable_download_date_is_a_warning() -> None:
    statement = read(fidelity(row(), "", '"Date downloaded sometime last week"'))
    assert statement.downloaded is None
    assert statement.warnings == (
        "Portfolio_Positions.csv line 4: the download date could not be read",
    )


def test_money_in_every_brokerage_form_is_read_exactly() -> None:
    values = ['"$1,234.56"', "+$5.60", "-$78.20", "(12.00)", "$-20.00", "1234.5"]
    data = fidelity(*(row(symbol=f"S{n}", value=v) for n, v in enumerate(values)))
    holdings = read(data).accounts[0].holdings
    assert [h.value for h in holdings] == [
        Decimal("1234.56"),
        Decimal("5.60"),
        Decimal("-78.20"),
        Decimal("-12.00"),
        Decimal("-20.00"),
        Decimal("1234.5"),
    ]


def test_placeholders_read_as_no_value() -> None:
    data = fidelity(*(row(symbol=f"S{n}", price=p) for n, p in enumerate(["--", "n/a", "", "N/A"])))
    assert {h.price for h in read(data).accounts[0].holdings} == {None}


def test_symbols_are_upper_case_and_account_numbers_kept_as_written() -> None:
    (account,) = read(fidelity(row(number="x-1234-5", symbol=" vti "))).accounts
    assert (account.number, account.holdings[0].symbol) == ("x-1234-5", "VTI")
