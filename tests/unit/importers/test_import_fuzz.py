"""Nothing an upload contains may crash the importers: a Statement or a StatementError.

The mutated samples carry real account numbers, so a crash is reported by its type
and place only, and no message may contain a full account number.
"""

from __future__ import annotations

import csv
import io
import traceback
from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rebalance_service.importers import read_statement
from rebalancer.statement import Statement, StatementError

HEADERS = [
    "Account Number,Account Name,Symbol,Description,Quantity,Last Price,Last Price Change,"
    "Current Value,Today's Gain/Loss Dollar,Today's Gain/Loss Percent,Total Gain/Loss Dollar,"
    "Total Gain/Loss Percent,Percent Of Account,Cost Basis Total,Average Cost Basis,Type",
    "Account Name/Number,Symbol,Description,Quantity,Last Price,Current Value,Cost Basis,Type,",
    "SYMBOL,CURRENT VALUE,QUANTITY",
    '"Positions for All-Accounts as of 06:04 PM ET, 11/15/2020"\n\n"Brokerage XXXX-1234"\n'
    '"Symbol","Description","Quantity","Price","Market Value","Cost Basis","Security Type",',
    '"Symbol","Description","Qty (Quantity)","Price","Mkt Val (Market Value)","Asset Type",',
    "Account Number,Investment Name,Symbol,Shares,Share Price,Total Value,",
    "Run Date,Account,Action,Symbol,Amount ($)",
    "",
]
TOKENS = [
    "",
    "--",
    "n/a",
    "**",
    "SPAXX**",
    "Pending Activity",
    "Cash & Cash Investments",
    "Account Total",
    "Date downloaded Mar-04-2025 at 2:53 p.m ET",
    "$1,234.56",
    "+$5.60",
    "-$78.20",
    "(12.00)",
    "12..5",
    "1e5",
    "NaN",
    "Infinity",
    "١٢٣",
    "²",
    "1_000",
    " -AAPL250117C200",
    "AAPL 12/20/2024 150.00 C",
    "912797KJ5",
    "VMFXX",
    "Account Number",
    "Symbol",
    '"',
    "\r",
    "\n",
]
CELLS = st.one_of(st.sampled_from(TOKENS), st.text(max_size=12))


@st.composite
def csv_files(draw: st.DrawFn) -> bytes:
    buffer = io.StringIO()
    buffer.write(draw(st.sampled_from(HEADERS)) + draw(st.sampled_from(["\r\n", "\n"])))
    writer = csv.writer(buffer, lineterminator=draw(st.sampled_from(["\r\n", "\n", "\r"])))
    writer.writerows(draw(st.lists(st.lists(CELLS, max_size=18), max_size=25)))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16", "latin-1"]))
    return buffer.getvalue().encode(encoding, errors="replace")


Mutation = tuple[str, int, bytes]
MUTATIONS = st.lists(
    st.tuples(
        st.sampled_from(["flip", "delete", "insert", "cell", "copy line", "drop line", "cut"]),
        st.integers(min_value=0, max_value=1 << 20),
        st.one_of(st.binary(max_size=6), st.sampled_from([t.encode() for t in TOKENS])),
    ),
    min_size=1,
    max_size=6,
)


def mutate(data: bytes, mutations: Sequence[Mutation]) -> bytes:
    for kind, where, payload in mutations:
        if not data:
            return payload
        at = where % len(data)
        lines = data.split(b"\n")
        line = at % len(lines)
        if kind == "flip":
            data = data[:at] + bytes([data[at] ^ (payload[:1] or b"\xff")[0]]) + data[at + 1 :]
        elif kind == "delete":
            data = data[:at] + data[at + 1 + len(payload) :]
        elif kind == "insert":
            data = data[:at] + payload + data[at:]
        elif kind == "cell":
            cells = lines[line].split(b",")
            cells[at % len(cells)] = payload
            lines[line] = b",".join(cells)
            data = b"\n".join(lines)
        elif kind == "copy line":
            data = b"\n".join([*lines[: line + 1], lines[at % len(lines)], *lines[line + 1 :]])
        elif kind == "drop line":
            data = b"\n".join(lines[:line] + lines[line + 1 :])
        else:
            data = data[:at]
    return data


def read_or_refuse(files: list[tuple[str, bytes]]) -> list[str]:
    """Every message the upload produced; fails, printing no file content, on a crash."""
    try:
        statement = read_statement(files)
    except StatementError as error:
        problems = [str(problem) for problem in error.problems]
        assert problems, "a StatementError must say what was wrong"
        return problems
    except Exception as error:  # a crash: say where, never what the data was
        where = traceback.extract_tb(error.__traceback__)[-1]
        raise AssertionError(
            f"{type(error).__name__} at {Path(where.filename).name}:{where.lineno}"
        ) from None
    assert isinstance(statement, Statement)
    for account in statement.accounts:
        assert account.value == account.cash + sum(h.value for h in account.holdings)
    return list(statement.warnings)


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=3000))
def test_random_bytes_never_crash_the_importers(data: bytes) -> None:
    read_or_refuse([("upload.csv", data)])


@settings(max_examples=150, deadline=None)
@given(csv_files())
def test_random_csv_under_any_known_header_never_crashes_the_importers(data: bytes) -> None:
    read_or_refuse([("upload.csv", data)])


SYNTHETIC = [  # layouts with no real sample, to mutate alongside the real ones
    b"Account Number,Investment Name,Symbol,Shares,Share Price,Total Value,\n"
    b"88881111,VANGUARD TOTAL STOCK MARKET INDEX ADMIRAL,VTSAX,100.5,110.00,11055.00,\n"
    b"88881111,VANGUARD FEDERAL MONEY MARKET FUND,VMFXX,500,1.00,500.00,\n\n\n"
    b"Account Number,Trade Date,Settlement Date,Transaction Type,Transaction Description,\n"
    b"88881111,2026-09-01,2026-09-02,Buy,Buy,\n",
    b'"Positions for account Individual ...456 as of 08:00 PM ET, 2024/12/20"\r\n\r\n'
    b'"Symbol","Description","Qty (Quantity)","Price","Mkt Val (Market Value)","Cost Basis",'
    b'"Asset Type",\r\n"VTI","VANGUARD TOTAL","100","$200.00","$20,000.00","$15,000.00","ETFs",'
    b'\r\n"Cash & Cash Investments","--","--","--","$2,000.00","--","Cash and Money Market",\r\n'
    b'"Positions Total","--","--","--","$22,000.00","--",\r\n',
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pick=st.integers(min_value=0, max_value=63), mutations=MUTATIONS)
def test_mutated_real_files_never_crash_or_leak_an_account_number(
    samples: Path, pick: int, mutations: list[Mutation]
) -> None:
    originals = [path.read_bytes() for path in sorted(samples.glob("*.csv"))] + SYNTHETIC
    messages = read_or_refuse([("upload.csv", mutate(originals[pick % len(originals)], mutations))])
    numbers = _account_numbers(samples)
    leaks = sum(number in message for number in numbers for message in messages)
    assert leaks == 0


_NUMBERS: set[str] = set()


def _account_numbers(samples: Path) -> set[str]:
    """Every account number the positions samples hold (read once)."""
    if not _NUMBERS:
        for path in samples.glob("*Positions*.csv"):
            statement = read_statement([(path.name, path.read_bytes())])
            _NUMBERS.update(a.number for a in statement.accounts if len(a.number) >= 5)
    return _NUMBERS


@pytest.mark.parametrize("header", HEADERS)
def test_a_known_header_alone_is_refused_or_read_cleanly(header: str) -> None:
    read_or_refuse([("upload.csv", header.encode())])
