"""Fidelity positions export (`Portfolio_Positions_<Mon-DD-YYYY>.csv`).

One table, one row per position, every account of the login in one file:

    Account Number,Account Name,Symbol,Description,Quantity,Last Price,Last Price Change,
    Current Value,Today's Gain/Loss Dollar,Today's Gain/Loss Percent,Total Gain/Loss Dollar,
    Total Gain/Loss Percent,Percent Of Account,Cost Basis Total,Average Cost Basis,Type

Layouts seen in the wild, all read by the same code because columns are found by
name (any letter case, any order, extra columns ignored):

- before ~2022: one `Account Name/Number` column (`INDIVIDUAL - TOD X12345678`,
  `ROTH IRA 123456789`, or just the number), then `Symbol,...`, with `Cost Basis`
  (the total) and `Cost Basis Per Share`, and a trailing comma on every row;
- 2022-2023: `Account Number,Account Name,...` with `Cost Basis,Cost Basis Per Share`;
- 2023 on: the same with `Cost Basis Total,Average Cost Basis` (the samples);
- user-chosen views drop or add columns. Required: an account column, `Symbol`,
  `Quantity`, `Current Value`. Optional: `Description`, `Last Price`, cost basis.

Rows and what they become:

- `SPAXX**`, `FZFXX**`, `FDRXX**`, `CORE**`, `FCASH**`, ...: the core position or
  money-market sweep. Cash, valued at Current Value (Quantity when that is empty).
- `Pending Activity` (any letter case): a cash amount, possibly negative, in
  Current Value; counted as cash, and also as the account's `pending`.
- `**` alone with `--` in nearly every column: a linked account at another
  institution (the account number is a UUID). Shown, with its balance as cash, but
  `investable=False` and a warning.
- A symbol that starts with `-` (` -AAPL250117C200`) or has the option pattern:
  an option, `HoldingKind.OPTION`, kept but never traded; a warning says so.
- CUSIP symbols (`912797KJ5`): Treasury bills and bonds. Quantity is face value and
  Last Price is per 100 of face, so Current Value is taken as stated, never derived.
- 401(k) funds: numeric account numbers, a CUSIP or no symbol at all, empty Type.
  With no symbol the description identifies the fund (upper-cased) and a warning
  says so. A plan's `BROKERAGELINK` row is the balance of its BrokerageLink
  window; when that window is itemized as an account of its own in the same file,
  the row is left out (with a warning) so the money is not counted twice.
- Placeholders `--`, `n/a` and empty cells mean "no value". Money is written
  `$1,234.56`, `+$5.60`, `-$78.20`, `$-20.00` or `(12.00)`.

Around the table: an optional UTF-8 BOM, CRLF or LF, rows shorter than the header
(missing trailing cells are empty), blank lines, and a footer of quoted disclaimer
lines (one long line each, or split over several lines) ending in
`Date downloaded Mar-04-2025 at 2:53 p.m ET` or `Date downloaded 07/20/2026 07:04 am`,
quoted or not, padded with commas once Excel has saved the file. Footer and other
text-only lines are skipped; the download date is kept.

A security without a value and quantity is left out with a warning; one with a
value but no quantity, or with a quantity but no value, is a problem, because
guessing would put money in the wrong place.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from rebalancer.statement import Holding, HoldingKind

from .dates import downloaded_line, find_date
from .privacy import clip, mask
from .rows import AccountBuilder, FileResult, Record, Records, find_columns, is_text_line

BROKERAGE = "Fidelity"

_ALIASES: dict[str, tuple[str, ...]] = {
    "number": ("account number", "account #", "account no.", "account no"),
    "name": ("account name", "account nickname"),
    "combined": ("account name/number", "account name / number"),
    "symbol": ("symbol",),
    "description": ("description", "security description"),
    "quantity": ("quantity", "qty"),
    "price": ("last price", "price"),
    "value": ("current value",),
    "cost": ("cost basis total", "cost basis", "total cost basis"),
    "average": ("average cost basis", "cost basis per share", "avg cost basis"),
}
_REQUIRED = {"symbol": "Symbol", "quantity": "Quantity", "value": "Current Value"}
# Fidelity's option symbols: -AAPL250117C200, -SPY240621P500.5 (the "-" may be lost).
_OPTION = re.compile(r"-?[A-Z]{1,6}\d{6}[CP]\d+(?:\.\d+)?")
_PENDING = "PENDING ACTIVITY"
_BROKERAGELINK = "BROKERAGELINK"
_CENT = Decimal("0.01")


def parse(source: str, records: Records, header_at: int) -> FileResult:
    """Read the positions table whose header is record `header_at`."""
    result = FileResult(source)
    header_line, header = records.at(header_at)
    layout = _Layout.of(result, header, header_line)
    if layout is None:
        return result
    builders = _Reader(result, layout).rows(records.rest(header_at + 1))
    if not builders and not result.problems:
        result.problem(None, "this Fidelity positions export lists no positions")
    return result.finish(builders.values())


@dataclass(frozen=True, slots=True)
class _Layout:
    """Where one header puts each column, and the header's own name for each.

    A column the header lacks reads the cell just past the header; rows too short
    for the columns read are padded with empty cells. So the per-row path indexes
    cells directly, and the usual full-width row is never copied.
    """

    width: int  # cells in the header
    need: int  # cells a row must have for every index below to be valid
    combined: bool  # one "Account Name/Number" column rather than two
    derive_cost: bool  # no cost basis total: derive it from the average, if there is one
    account: int
    name: int
    symbol: int
    description: int
    numbers: tuple[int, int, int, int, int]  # quantity, value, price, cost, average
    labels: tuple[str, str, str, str, str]
    header_account: str  # the account heading, to skip a repeated header row

    @staticmethod
    def of(result: FileResult, header: list[str], line: int) -> _Layout | None:
        columns = find_columns(header, _ALIASES)
        index, width = columns.index, len(header)
        missing = [name for key, name in _REQUIRED.items() if key not in index]
        combined = "number" not in index
        if combined and "combined" not in index:
            missing.insert(0, "Account Number")
        if missing:
            names = ", ".join(f'"{name}"' for name in missing)
            result.problem(line, f"this Fidelity positions header has no {names} column")
            return None
        keys = ("quantity", "value", "price", "cost", "average")
        numbers = tuple(index.get(key, width) for key in keys)
        if "cost" in index:
            # The total is there, so the average is never read: point it at the total
            # rather than past the header, which would make every row need padding.
            numbers = (*numbers[:4], index["cost"])
        account = index["combined" if combined else "number"]
        # The combined column carries the name too: never read a name column then.
        positions = (account, account if combined else index.get("name", width), index["symbol"])
        description = index.get("description", width)
        return _Layout(
            width=width,
            need=max((*positions, description, *numbers)) + 1,
            combined=combined,
            derive_cost="cost" not in index and "average" in index,
            account=account,
            name=positions[1],
            symbol=positions[2],
            description=description,
            numbers=(numbers[0], numbers[1], numbers[2], numbers[3], numbers[4]),
            labels=(
                columns.label["quantity"],
                columns.label["value"],
                columns.label.get("price", ""),
                columns.label.get("cost", ""),
                columns.label.get("average", ""),
            ),
            header_account=header[account].strip(),
        )

    def fit(self, fields: list[str]) -> list[str]:
        """The row with exactly the cells the indexes reach, extra cells blanked."""
        if len(fields) < self.need:
            return fields + [""] * (self.need - len(fields))
        if self.need > self.width and fields[self.width]:
            # A cell past the header stands in for missing columns; it must read empty.
            return fields[: self.width] + [""] * (self.need - self.width)
        return fields


class _Reader:
    """Reads a file's rows into accounts; the per-row path is kept lean for big files."""

    __slots__ = ("builders", "layout", "result", "splits", "wrappers")

    def __init__(self, result: FileResult, layout: _Layout) -> None:
        self.result = result
        self.layout = layout
        self.builders: dict[str, AccountBuilder] = {}
        self.splits: dict[str, tuple[str, str]] = {}  # "Account Name/Number" text, split
        self.wrappers: list[tuple[AccountBuilder, Holding]] = []  # BROKERAGELINK rows

    def rows(self, records: Iterable[Record]) -> dict[str, AccountBuilder]:
        layout, result = self.layout, self.result
        need, symbol_at = layout.need, layout.symbol
        padded = need > layout.width
        for line, row in records:
            # Blank, title and footer lines have nothing after the first field.
            if len(row) < 2 or (not row[1] and is_text_line(row)):
                _text_line(result, row, line)
                continue
            fields = layout.fit(row) if padded or len(row) < need else row
            builder = self.account(fields, line)
            if builder is None:
                continue
            symbol = fields[symbol_at].strip().upper()
            if symbol.endswith("**") or (symbol.startswith("PENDING") and _is_pending(symbol)):
                self.cash(builder, symbol, fields, line)
                continue
            holding = self.holding(symbol, fields, line)
            if holding is not None:
                builder.holdings.append(holding)
                if holding.symbol == _BROKERAGELINK:
                    self.wrappers.append((builder, holding))
        self.settle_brokeragelink()
        return self.builders

    def settle_brokeragelink(self) -> None:
        """Drop a 401(k)'s BROKERAGELINK row when its BrokerageLink account is itemized.

        The row (no symbol, description `BROKERAGELINK`, priced at $1.00) is the
        balance of the plan's BrokerageLink window, which Fidelity also lists as an
        account of its own, position by position: counting both would count that
        money twice. Without the itemized account the row is all there is, and stays.
        """
        itemized = any(
            "brokeragelink" in "".join(builder.name.split()).casefold()
            for builder in self.builders.values()
        )
        for builder, holding in self.wrappers:
            if itemized:
                builder.holdings.remove(holding)
                self.result.warn(
                    holding.line,
                    f"BROKERAGELINK in account {mask(builder.number)} is the BrokerageLink "
                    "account listed on its own; it is left out so it is not counted twice",
                )
            else:
                self.result.warn(
                    holding.line, "BROKERAGELINK has no symbol; it is identified by its description"
                )

    def account(self, fields: list[str], line: int) -> AccountBuilder | None:
        """The account a row belongs to, opened on its first row; None to skip the row."""
        layout = self.layout
        raw = fields[layout.account].strip()
        if not raw or raw == layout.header_account:
            if not raw:
                self.result.problem(line, "this position row has no account number")
            return None  # a header row again, as when two exports are pasted together
        if layout.combined:
            # "INDIVIDUAL - TOD X12345678": split once per distinct text, not per row.
            split = self.splits.get(raw)
            if split is None:
                split = self.splits[raw] = _split(raw)
            number, name = split
        else:
            number, name = raw, ""
        builder = self.builders.get(number)
        if builder is None:
            if not layout.combined:
                name = fields[layout.name].strip()
            builder = self.builders[number] = AccountBuilder(number, name, BROKERAGE, line)
        return builder

    def cash(self, builder: AccountBuilder, symbol: str, fields: list[str], line: int) -> None:
        """A core/sweep, pending-activity or linked-account row: money, not a holding."""
        result = self.result
        quantity_at, value_at = self.layout.numbers[:2]
        quantity_label, value_label = self.layout.labels[:2]
        before = len(result.problems)
        value = result.number(fields[value_at], value_label, line)
        if value is None and symbol != "**":
            value = result.number(fields[quantity_at], quantity_label, line)
        if len(result.problems) != before:
            return
        if symbol == "**" and builder.investable:
            # A linked account held elsewhere: its balance is shown, never traded.
            builder.investable = False
            name = f" ({builder.name})" if builder.name else ""
            result.warn(
                line,
                f"account {mask(builder.number)}{name} is linked from another institution; "
                "it is shown but not rebalanced",
            )
        if value is not None:
            builder.cash += value
            if symbol.startswith("PENDING"):
                builder.pending += value  # the plan says how much of the cash is pending

    def holding(self, symbol: str, fields: list[str], line: int) -> Holding | None:
        """A security or option row as a Holding; None, with a problem or warning, if not."""
        result, layout = self.result, self.layout
        quantity_at, value_at, price_at, cost_at, average_at = layout.numbers
        quantity_label, value_label, price_label, cost_label, average_label = layout.labels
        number = result.number
        before = len(result.problems)
        quantity = number(fields[quantity_at], quantity_label, line)
        value = number(fields[value_at], value_label, line)
        price = number(fields[price_at], price_label, line)
        cost = number(fields[cost_at], cost_label, line)
        if layout.derive_cost and quantity is not None:
            # A view with the average but not the total: the total it implies.
            average = number(fields[average_at], average_label, line)
            cost = None if average is None else (average * quantity).quantize(_CENT)
        if len(result.problems) != before:
            return None
        description = fields[layout.description].strip()
        if not symbol:
            if not description:
                if value is not None or quantity is not None:
                    result.problem(line, "this position has neither a symbol nor a description")
                return None  # or a row of placeholders: nothing to hold
            symbol = " ".join(description.split()).upper()
            if symbol != _BROKERAGELINK:  # that one is settled once the file is read
                result.warn(
                    line,
                    f'"{clip(description)}" has no symbol; it is identified by its description',
                )
        if quantity is None or value is None:
            result.incomplete(line, symbol, quantity, value, labels=(quantity_label, value_label))
            return None
        # Option symbols are at least nine characters and end in a strike price.
        if symbol[0] == "-" or (
            len(symbol) > 8 and symbol[-1].isdigit() and _OPTION.fullmatch(symbol)
        ):
            result.warn(line, f"option {symbol} is kept as a holding but never traded")
            return Holding(
                symbol, description, quantity, price, value, cost, HoldingKind.OPTION, line
            )
        return Holding(
            symbol, description, quantity, price, value, cost, HoldingKind.SECURITY, line
        )


def _is_pending(symbol: str) -> bool:
    return " ".join(symbol.split()) == _PENDING


def _split(text: str) -> tuple[str, str]:
    """`INDIVIDUAL - TOD X12345678` -> (`X12345678`, `INDIVIDUAL - TOD`); a bare number alone."""
    parts = text.rsplit(None, 1)
    if len(parts) == 2 and any(character.isdigit() for character in parts[1]):
        return parts[1], parts[0].rstrip(" -–:").strip()
    return text, ""


def _text_line(result: FileResult, fields: list[str], line: int) -> None:
    """A blank, footer or note line: keep the download date, skip the rest."""
    rest = downloaded_line(fields[0]) if fields else None
    if rest is None:
        return
    found = find_date(rest)
    if found is None:
        result.warn(line, "the download date could not be read")
    else:
        result.downloaded = found
