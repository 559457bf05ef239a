"""The plan's trades as a CSV file that a spreadsheet opens safely.

A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` (and some read a
leading tab or carriage return the same way) as a formula. Every such cell gets
a leading `'`, unless it is a plain number: `-5.00` stays a number.
The file travels inside a `data:` link, so the download needs neither
JavaScript nor another request, and nothing is kept on the server.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from datetime import date
from urllib.parse import quote

COLUMNS = (
    ("account", "Account"),
    ("description", "Description"),
    ("tax_group", "Tax group"),
    ("action", "Action"),
    ("symbol", "Symbol"),
    ("asset_class", "Asset class"),
    ("shares", "Shares"),
    ("price", "Price"),
    ("amount", "Amount"),
    ("estimated_gain", "Estimated gain"),
    ("reason", "Reason"),
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")


def safe_cell(value: object) -> str:
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def trades_csv(trades: Iterable[Mapping[str, object]]) -> str:
    """One row per trade, with a header; a buy without a price leaves shares and price empty."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([title for _, title in COLUMNS])
    for trade in trades:
        writer.writerow([safe_cell(trade.get(key)) for key, _ in COLUMNS])
    return out.getvalue()


def data_url(text: str) -> str:
    """A `data:` URL holding the CSV, with a byte-order mark so spreadsheets read UTF-8."""
    return "data:text/csv;charset=utf-8," + quote("\ufeff" + text, safe="")


def file_name(as_of: date | None, mode: str) -> str:
    """`rebalance-trades-2025-03-04-full.csv`: the export's date (else none) and the mode."""
    day = f"-{as_of.isoformat()}" if as_of else ""
    return f"rebalance-trades{day}-{mode.replace('_', '-')}.csv"
