"""What every brokerage layout shares: records with line numbers, headers, numbers, footers.

Python's `csv` module reads the CSV grammar (quoting, embedded commas and newlines,
CRLF or LF); everything here is about what the records mean.

- A record is `(line, fields)`: `line` is the 1-based physical line the record
  starts on, so a message points at the line a user sees in a text editor even
  when a quoted field spans several lines.
- Headers are matched case- and spacing-insensitively against each layout's known
  names, so `CURRENT VALUE`, `Current value` and `Current  Value` are one column.
- Numbers go through `rebalancer.money.parse_decimal`, the one parser for brokerage
  money, behind a fast path for the plain `1234.56` / `$1234.56` forms that make up
  most of a file (`FileResult.number`).
- Footers and title lines are records with text in the first field only; Excel pads
  them with empty fields to the width of the table when it re-saves a file.
- Account numbers never appear in full in a message (`privacy`), and download dates
  are read by `dates`.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from rebalancer.money import NotANumber, parse_decimal
from rebalancer.statement import AccountStatement, Holding, ImportProblem

from .privacy import clip

Record = tuple[int, list[str]]  # (1-based line the record starts on, its fields)

# Fast-path forms for FileResult.number; each reads exactly as parse_decimal reads it.
_EMPTY = frozenset({"", "--", "n/a", "N/A"})  # placeholders parse_decimal maps to None
_GROUPED = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?")  # 1,234.56 (an ASCII-only pattern)


class Records:
    """A file's CSV records, each with the line it starts on, read as they are needed.

    Detection looks at the first few (`head`, which remembers them); the layout's
    reader then takes the rest as they come (`rest`). A large file is never held as
    a list of rows, which also spares the garbage collector from walking them all.
    A CSV error (a field past `csv.field_size_limit()`) ends the records; `error`
    then says where and why.
    """

    def __init__(self, text: str) -> None:
        self._reader = csv.reader(io.StringIO(text, newline=""))
        self._seen: list[Record] = []
        self._previous = 0  # the line the last record read ends on
        self.error: tuple[int, str] | None = None

    def head(self) -> Iterator[tuple[int, Record]]:
        """(index, record) from the first record on, remembered for `rest`."""
        index = 0
        while True:
            if index == len(self._seen):
                record = self._read()
                if record is None:
                    return
                self._seen.append(record)
            yield index, self._seen[index]
            index += 1

    def at(self, index: int) -> Record:
        """A record `head` has already yielded."""
        return self._seen[index]

    def rest(self, start: int) -> Iterator[Record]:
        """The records from index `start` on: those remembered, then the file's rest."""
        yield from self._seen[start:]
        del self._seen[:]  # nothing reads them again
        reader, previous = self._reader, self._previous
        try:
            for fields in reader:
                yield previous + 1, fields
                previous = reader.line_num
        except csv.Error as error:
            self.error = (previous + 1, f"cannot be read as CSV ({error})")

    def _read(self) -> Record | None:
        if self.error is not None:
            return None
        try:
            fields = next(self._reader)
        except StopIteration:
            return None
        except csv.Error as error:
            self.error = (self._previous + 1, f"cannot be read as CSV ({error})")
            return None
        record = (self._previous + 1, fields)
        self._previous = self._reader.line_num
        return record


def normalise(cell: str) -> str:
    """A header cell as compared: no BOM, quotes or extra spaces, case-folded."""
    return " ".join(cell.replace("\ufeff", "").strip().strip('"').split()).casefold()


@dataclass(frozen=True, slots=True)
class Columns:
    """Where each column a layout knows sits in one header, and its text there."""

    index: Mapping[str, int]
    label: Mapping[str, str]

    def at(self, key: str) -> int:
        """The column's index, or -1 where the header lacks it (a cell never read)."""
        return self.index.get(key, -1)


def find_columns(header: Sequence[str], aliases: Mapping[str, tuple[str, ...]]) -> Columns:
    """Map each key to the first header cell matching one of its aliases."""
    names = [normalise(cell) for cell in header]
    index: dict[str, int] = {}
    label: dict[str, str] = {}
    for key, options in aliases.items():
        for position, name in enumerate(names):
            if name in options:
                index[key] = position
                label[key] = " ".join(header[position].replace("\ufeff", "").split())
                break
    return Columns(index, label)


def is_blank(fields: Sequence[str]) -> bool:
    """True for an empty line or a row of empty cells (Excel writes `,,,,` for one)."""
    return not any(cell.strip() for cell in fields)


def is_text_line(fields: Sequence[str]) -> bool:
    """True for a title, account-name or footer line: text in the first field only."""
    return bool(fields) and not any(cell.strip() for cell in fields[1:])


def cell(fields: Sequence[str], at: int) -> str:
    """The stripped cell at `at`; "" past the end of a short row or for a missing column (-1)."""
    return fields[at].strip() if 0 <= at < len(fields) else ""


@dataclass(slots=True)
class AccountBuilder:
    """One account as its rows are read: cash accumulates, holdings append."""

    number: str
    name: str
    brokerage: str
    line: int  # where the account first appears, for a duplicate-account message
    cash: Decimal = Decimal(0)
    holdings: list[Holding] = field(default_factory=list)
    investable: bool = True
    pending: Decimal = Decimal(0)  # of `cash`, from pending activity rows

    def build(self) -> AccountStatement:
        return AccountStatement(
            number=self.number,
            name=self.name,
            brokerage=self.brokerage,
            cash=self.cash,
            holdings=tuple(self.holdings),
            investable=self.investable,
            pending=self.pending,
        )


@dataclass(slots=True)
class FileResult:
    """What one file yielded: accounts, warnings, problems, its date, its account numbers."""

    source: str
    accounts: list[tuple[AccountStatement, int]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)
    downloaded: date | None = None
    secrets: set[str] = field(default_factory=set)  # account numbers to keep out of messages

    def problem(self, line: int | None, message: str) -> None:
        self.problems.append(ImportProblem(self.source, line, message))

    def warn(self, line: int | None, message: str) -> None:
        where = f"{self.source} line {line}" if line else self.source
        self.warnings.append(f"{where}: {message}")

    def number(self, text: str, label: str, line: int) -> Decimal | None:
        """Read one numeric cell; a bad one is recorded as a problem and read as None.

        `parse_decimal` reads every form, behind a fast path for the plain digits and
        `$digits` that make up most cells (ASCII digits with at most one point, or in
        groups of three), and the commonest placeholders; for these `Decimal` gives
        exactly what `parse_decimal` would. Signs, parentheses and anything unusual go
        the long way.
        """
        body = text[1:] if text[:1] == "$" else text
        # isascii() first: str.isdigit() accepts "²", which Decimal refuses.
        if body.isascii() and body.replace(".", "", 1).isdigit():
            return Decimal(body)
        if text in _EMPTY:
            return None
        if "," in body and (grouped := _GROUPED.fullmatch(body)):
            return Decimal(grouped[0].replace(",", ""))
        try:
            return parse_decimal(text)
        except NotANumber:
            self.problem(line, f'{label} "{clip(text)}" is not a number')
            return None

    def incomplete(
        self,
        line: int,
        symbol: str,
        quantity: Decimal | None,
        value: Decimal | None,
        *,
        labels: tuple[str, str],  # the file's names for the quantity and value columns
    ) -> None:
        """A security row lacking its quantity or value: left out if it is worth nothing.

        With a value but no quantity, or a quantity but no value, the row cannot be
        placed without guessing, so it is a problem rather than a silent omission.
        """
        quantity_label, value_label = labels
        if quantity is None and not value:
            self.warn(line, f"{symbol} has no quantity or value; it is left out")
        elif quantity is None:
            self.problem(line, f"{quantity_label} is empty for {symbol}, which has a value")
        else:
            self.problem(line, f"{value_label} is empty for {symbol}")

    def finish(self, builders: Iterable[AccountBuilder]) -> FileResult:
        """Add the accounts read, remembering their numbers so messages can be scrubbed."""
        for builder in builders:
            self.secrets.add(builder.number)
            self.accounts.append((builder.build(), builder.line))
        return self
