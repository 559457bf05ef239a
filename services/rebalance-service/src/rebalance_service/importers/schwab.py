"""Schwab positions export, single-account or "All-Accounts".

A title line, then one block per account; a single-account file names its account
in the title and has a single block:

    "Positions for All-Accounts as of 06:04 PM ET, 11/15/2020"          (or)
    "Positions for account Individual ...456 as of 08:00 PM ET, 2024/12/20"

    "Brokerage XXXX-1234"                       <- account line (All-Accounts only)
    "Symbol","Description","Quantity","Price",...,"Market Value",...,"Security Type",
    "FNDA","SCHWAB FUNDAMENTAL US SMALL COM ETF","100","$38.30",...
    "Cash & Cash Investments","--","--","--",...,"$2,000.00",...
    "Account Total","--","--","--",...,"$13,727.00",...

Quirks handled:

- Header names changed around 2022: `Quantity` -> `Qty (Quantity)`, `Market Value`
  -> `Mkt Val (Market Value)`, `Security Type` -> `Asset Type`, and `Account Total`
  -> `Positions Total`. Columns are found by name in each block's own header.
- Every field is quoted and rows end with a trailing comma, but row widths vary
  within a block (the total row is shorter; a hand-edited row may be unquoted).
- The account line is `<name> <number>` where the number is already masked by
  Schwab (`XXXX-1234`, `...456`); it is kept exactly as written.
- `Cash & Cash Investments` is cash. The total row is not a holding: it is checked
  against the block's rows and a mismatch is a warning, since the rows are what
  the rebalancer acts on (the sample's hand-added option row is one such case).
- Options (`Security Type` "Option", or a symbol like `AAPL 12/20/2024 150.00 C`)
  are kept as `HoldingKind.OPTION`, never traded.
- Purchased money-market funds (`SWVXX`) are ordinary holdings: unlike the cash
  row they must be sold before the money can be used.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal

from rebalancer.statement import Holding, HoldingKind

from .dates import find_date
from .detect import MARKET_VALUE, QUANTITY
from .privacy import clip, mask
from .rows import (
    AccountBuilder,
    Columns,
    FileResult,
    Records,
    cell,
    find_columns,
    is_blank,
    is_text_line,
    normalise,
)

BROKERAGE = "Schwab"

_ALIASES: dict[str, tuple[str, ...]] = {
    "symbol": ("symbol",),
    "description": ("description", "name"),
    "quantity": QUANTITY,
    "price": ("price",),
    "value": MARKET_VALUE,
    "cost": ("cost basis",),
    "type": ("security type", "asset type"),
}
_REQUIRED = ("symbol", "quantity", "value")
_TOTALS = frozenset({"account total", "positions total", "total"})
_OPTION = re.compile(r"\S+ \d{1,2}/\d{1,2}/\d{4} \d+(?:\.\d+)? [CP]")
_TITLE_ACCOUNT = re.compile(r"positions for account\s+(.+?)\s+as of\b", re.IGNORECASE)


def parse(source: str, records: Records, header_at: int) -> FileResult:
    """Read every account block; the title and account lines before `header_at` count too."""
    reader = _Reader(FileResult(source))
    for line, fields in records.rest(0):
        if is_blank(fields):
            continue
        if is_text_line(fields):
            reader.text_line(fields[0], line)
        elif normalise(fields[0]) == "symbol" or (reader.columns is None and _is_header(fields)):
            if not reader.header(fields, line):
                return reader.result
        else:
            reader.row(fields, line)
    return reader.finish()


class _Reader:
    """The blocks read so far, and the account and header of the current one."""

    def __init__(self, result: FileResult) -> None:
        self.result = result
        self.builders: dict[str, AccountBuilder] = {}
        self.totals: dict[str, tuple[Decimal, str, int]] = {}  # number -> total, its row, line
        self.next_account: tuple[str, str] | None = None  # (number, name) of the next block
        self.builder: AccountBuilder | None = None
        self.columns: Columns | None = None

    def text_line(self, text: str, line: int) -> None:
        """The title (its date; the account of a one-account file) or an account line."""
        text = " ".join(text.split())
        if normalise(text).startswith("positions for"):
            self.result.downloaded = find_date(text) or self.result.downloaded
            if found := _TITLE_ACCOUNT.search(text):
                self.next_account = _split(found[1])
        else:
            self.next_account = _split(text)  # "Brokerage XXXX-1234" opens the next block

    def header(self, fields: list[str], line: int) -> bool:
        """Start a block; False if the header lacks a column every block needs."""
        columns = find_columns(fields, _ALIASES)
        missing = [key for key in _REQUIRED if key not in columns.index]
        if missing:
            names = ", ".join(f'"{key.title()}"' for key in missing)
            self.result.problem(line, f"this Schwab positions header has no {names} column")
            return False
        self.columns = columns
        if self.next_account is None:
            self.result.warn(line, "no account name precedes this block; it is listed unnamed")
        number, name = self.next_account or ("", "")
        self.builder = self.builders.get(number)
        if self.builder is None:
            self.builder = AccountBuilder(number, name, BROKERAGE, line)
            self.builders[number] = self.builder
        return True

    def row(self, fields: list[str], line: int) -> None:
        """A position, the cash row, or the total row of the current block."""
        builder, columns, result = self.builder, self.columns, self.result
        if builder is None or columns is None:
            result.problem(line, "this row comes before the Schwab header row")
            return
        symbol = " ".join(cell(fields, columns.at("symbol")).split())
        label = symbol.casefold()
        before = len(result.problems)
        value = result.number(cell(fields, columns.at("value")), columns.label["value"], line)
        if label.startswith(("cash & ", "cash and ")):
            if value is not None:
                builder.cash += value
        elif label in _TOTALS:
            if value is not None:
                self.totals[builder.number] = (value, symbol, line)
        else:
            holding = _holding(result, columns, fields, line, value=value, before=before)
            if holding is not None:
                builder.holdings.append(holding)

    def finish(self) -> FileResult:
        """Check each block against its total row, then hand the accounts over."""
        result = self.result
        for number, (total, label, line) in self.totals.items():
            built = self.builders[number]
            rows_sum = built.cash + sum((h.value for h in built.holdings), Decimal(0))
            if rows_sum != total and not result.problems:
                result.warn(
                    line,
                    f"the rows of account {mask(number)} add up to ${rows_sum:,} "
                    f"but its {label} row says ${total:,}",
                )
        if not self.builders and not result.problems:
            result.problem(None, "this Schwab positions export lists no accounts")
        return result.finish(self.builders.values())


def _is_header(fields: Sequence[str]) -> bool:
    cells = {normalise(cell) for cell in fields}
    return "symbol" in cells and bool(cells.intersection(MARKET_VALUE))


def _holding(
    result: FileResult,
    columns: Columns,
    fields: list[str],
    line: int,
    *,
    value: Decimal | None,
    before: int,  # the count of problems before this row's
) -> Holding | None:
    """A security or option row; None, with a problem or warning, if it cannot be held."""
    labels = columns.label
    quantity = result.number(cell(fields, columns.at("quantity")), labels["quantity"], line)
    price = result.number(cell(fields, columns.at("price")), labels.get("price", ""), line)
    cost = result.number(cell(fields, columns.at("cost")), labels.get("cost", ""), line)
    if len(result.problems) != before:
        return None
    symbol = " ".join(cell(fields, columns.at("symbol")).split()).upper()
    description = " ".join(cell(fields, columns.at("description")).split())
    description = "" if description in ("--", "-") else description  # Schwab's "none"
    if not symbol:
        if not description:
            if quantity is not None or value:
                result.problem(line, "this position has neither a symbol nor a description")
            return None
        symbol = description.upper()
        result.warn(
            line, f'"{clip(description)}" has no symbol; it is identified by its description'
        )
    if quantity is None or value is None:
        result.incomplete(
            line, symbol, quantity, value, labels=(labels["quantity"], labels["value"])
        )
        return None
    kind = HoldingKind.SECURITY
    if normalise(cell(fields, columns.at("type"))) in ("option", "options") or _OPTION.fullmatch(
        symbol
    ):
        kind = HoldingKind.OPTION
        result.warn(line, f"option {symbol} is kept as a holding but never traded")
    return Holding(symbol, description, quantity, price, value, cost, kind, line)


def _split(text: str) -> tuple[str, str]:
    """`Brokerage XXXX-1234` -> (`XXXX-1234`, `Brokerage`); text with no number is both."""
    text = " ".join(text.split())
    parts = text.rsplit(" ", 1)
    if len(parts) == 2 and any(character.isdigit() for character in parts[1]):
        return parts[1], parts[0]
    return text, text
