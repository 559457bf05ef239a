"""Vanguard `OfxDownload.csv`: a holdings block, then a transactions block.

    Account Number,Investment Name,Symbol,Shares,Share Price,Total Value,
    12345678,VANGUARD TOTAL STOCK MARKET INDEX ADMIRAL,VTSAX,100.5,110.00,11055.00,
    12345678,VANGUARD FEDERAL MONEY MARKET FUND,VMFXX,500,1.00,500.00,

    Account Number,Trade Date,Settlement Date,Transaction Type,Transaction Description,...

Quirks handled:

- Every row ends with a trailing comma. Blank lines may separate accounts within
  the holdings block, and some files repeat the holdings header per account.
- The first header that is not the holdings header (the transactions block, with
  `Trade Date`) ends the holdings: transactions are not read at all.
- The file names no accounts and carries no download date: `name` is "" and the
  statement's date comes from other files, if any.
- `VMFXX`, the Vanguard Federal Money Market Fund, is the brokerage account's
  settlement fund, the account's cash, and is read as cash like Fidelity's core
  position. Any other money-market fund is a holding.
- Numbers are plain (`1234.56`), sometimes quoted with thousands separators.
"""

from __future__ import annotations

from rebalancer.statement import Holding, HoldingKind

from .privacy import clip
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

BROKERAGE = "Vanguard"
SETTLEMENT_FUNDS = frozenset({"VMFXX"})

_ALIASES: dict[str, tuple[str, ...]] = {
    "number": ("account number",),
    "name": ("investment name",),
    "symbol": ("symbol",),
    "quantity": ("shares",),
    "price": ("share price",),
    "value": ("total value",),
}
_REQUIRED = {"number": "Account Number", "quantity": "Shares", "value": "Total Value"}


def parse(source: str, records: Records, header_at: int) -> FileResult:
    """Read the holdings block whose header is record `header_at`."""
    result = FileResult(source)
    header_line, header = records.at(header_at)
    columns = find_columns(header, _ALIASES)
    missing = [name for key, name in _REQUIRED.items() if key not in columns.index]
    if missing:
        names = ", ".join(f'"{name}"' for name in missing)
        result.problem(header_line, f"this Vanguard holdings header has no {names} column")
        return result
    builders: dict[str, AccountBuilder] = {}
    holdings_header = [normalise(cell) for cell in header if cell.strip()]
    for line, fields in records.rest(header_at + 1):
        if is_blank(fields) or is_text_line(fields):
            continue  # separators between accounts, notes
        account = cell(fields, columns.index["number"])
        if normalise(account) == "account number":
            if [normalise(c) for c in fields if c.strip()] == holdings_header:
                continue  # the holdings header repeated for the next account
            break  # the transactions block: holdings end here
        if not account:
            result.problem(line, "this holding has no account number")
            continue
        builder = builders.get(account)
        if builder is None:
            builder = builders[account] = AccountBuilder(account, "", BROKERAGE, line)
        _row(result, columns, builder, fields, line)
    if not builders and not result.problems:
        result.problem(None, "this Vanguard export lists no holdings")
    return result.finish(builders.values())


def _row(
    result: FileResult, columns: Columns, builder: AccountBuilder, fields: list[str], line: int
) -> None:
    """One holding row: the settlement fund is cash, anything else a holding."""
    labels = columns.label
    before = len(result.problems)
    quantity = result.number(cell(fields, columns.at("quantity")), labels["quantity"], line)
    price = result.number(cell(fields, columns.at("price")), labels.get("price", ""), line)
    value = result.number(cell(fields, columns.at("value")), labels["value"], line)
    if len(result.problems) != before:
        return
    symbol = cell(fields, columns.at("symbol")).upper()
    description = " ".join(cell(fields, columns.at("name")).split())
    if symbol in SETTLEMENT_FUNDS:
        builder.cash += value if value is not None else quantity or 0
        return
    if not symbol:
        if not description:
            if quantity is not None or value:
                result.problem(line, "this holding has neither a symbol nor an investment name")
            return
        symbol = description.upper()
        result.warn(line, f'"{clip(description)}" has no symbol; it is identified by its name')
    if quantity is None or value is None:
        result.incomplete(
            line, symbol, quantity, value, labels=(labels["quantity"], labels["value"])
        )
        return
    builder.holdings.append(
        Holding(symbol, description, quantity, price, value, None, HoldingKind.SECURITY, line)
    )
