"""Uploads built to hurt: the importers' answer stays bounded in time, memory and size."""

from __future__ import annotations

import time
import tracemalloc

import pytest

from rebalance_service.importers import MAX_ACCOUNTS, MAX_LISTED, read_statement
from rebalancer.statement import Statement, StatementError

HEADER = "Account Number,Account Name,Symbol,Description,Quantity,Last Price,Current Value"


def refused(data: bytes, name: str = "p.csv") -> list[str]:
    with pytest.raises(StatementError) as raised:
        read_statement([(name, data)])
    return [str(problem) for problem in raised.value.problems]


def test_a_file_of_blank_lines_is_not_kept_whole_while_looking_for_a_header() -> None:
    data = b",\n" * 500_000  # every line a record; none a header
    tracemalloc.start()
    try:
        problems = refused(data)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert problems == [
        "p.csv: is not a positions export this tool can read "
        "(expected a Fidelity, Schwab or Vanguard positions CSV)"
    ]
    assert peak < 20 * 1024 * 1024, f"{peak / 2**20:.0f} MiB to refuse a 1 MB file"


def test_a_problem_on_every_row_lists_the_first_hundred_and_counts_the_rest() -> None:
    rows = [f"Z{n % 900:08d},Individual,VTI,V,ten,1,1" for n in range(20_000)]
    started = time.perf_counter()
    problems = refused("\n".join([HEADER, *rows]).encode())
    assert time.perf_counter() - started < 10
    assert len(problems) == MAX_LISTED + 1
    assert problems[0] == 'p.csv line 2: Quantity "ten" is not a number'
    assert problems[-1] == f"upload: {20_000 - MAX_LISTED} more problems are not listed"


def test_more_accounts_than_the_config_service_can_look_up_are_refused_at_once() -> None:
    rows = [f"Z{n:08d},Individual,VTI,V,bad,1,1" for n in range(50_000)]
    started = time.perf_counter()
    assert refused("\n".join([HEADER, *rows]).encode()) == [
        f"upload: the files hold 50000 accounts; at most {MAX_ACCOUNTS} can be read"
    ]
    assert time.perf_counter() - started < 10


def test_a_household_of_exactly_the_most_accounts_is_read() -> None:
    rows = [f"Z{n:08d},Individual,VTI,V,1,1,1" for n in range(MAX_ACCOUNTS)]
    statement = read_statement([("p.csv", "\n".join([HEADER, *rows]).encode())])
    assert len(statement.accounts) == MAX_ACCOUNTS


def test_a_warning_on_every_row_lists_the_first_hundred_and_counts_the_rest() -> None:
    rows = [f"Z00000001,Individual,S{n},V,,,--" for n in range(5_000)]  # left out, each warned
    statement: Statement = read_statement([("p.csv", "\n".join([HEADER, *rows]).encode())])
    assert len(statement.warnings) == MAX_LISTED
    assert statement.warnings[0] == "p.csv line 2: S0 has no quantity or value; it is left out"
    assert statement.warnings[-1] == f"{5_000 - MAX_LISTED + 1} more warnings are not listed"


def test_a_stray_bad_byte_in_a_utf8_file_with_a_byte_order_mark_keeps_it_utf8() -> None:
    text = f"{HEADER}\nZ00000001,Individual,VTI,CAFÉ \xff,1,1,1\n".encode()
    data = b"\xef\xbb\xbf" + text.replace("\xff".encode(), b"\xff")
    statement = read_statement([("p.csv", data)])
    (account,) = statement.accounts
    assert account.holdings[0].description == "CAFÉ \ufffd"
    assert statement.warnings == (
        "p.csv: is not valid UTF-8; the bytes that are not were replaced by \ufffd",
    )
