"""Name a file's layout from its content, never from its file name.

Users rename files, browsers append ` (1)`, and Schwab's and Vanguard's names say
little, so the header row decides. The first header-like record within the first
`_SCAN` non-blank records (and `_SCAN_RECORDS` in all) is matched against each
layout's tell-tale columns:

- Fidelity positions: `Symbol` and `Current Value`.
- Schwab positions: `Symbol`, `Quantity`/`Qty (Quantity)` and
  `Market Value`/`Mkt Val (Market Value)`; a `Positions for ...` title and
  account-name lines come before it.
- Vanguard `OfxDownload.csv`: `Shares` and `Total Value` (holdings block first).
- Activity exports, refused: Fidelity account history (`Run Date`, `Action`),
  Vanguard transactions (`Trade Date`, `Transaction Type`), Schwab transactions
  (`Action`, `Fees & Comm`, `Amount`, or a `Transactions for account` title).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .rows import Records, is_blank, is_text_line, normalise

_SCAN = 60  # non-blank records examined for a header
# Records examined in all, blank ones included: `Records.head` keeps each one it
# reads, so a file of a million `,` lines must not be read whole looking for one.
_SCAN_RECORDS = 1000

QUANTITY = ("quantity", "qty (quantity)", "qty")
MARKET_VALUE = ("market value", "mkt val (market value)", "mkt val")


class Layout(StrEnum):
    FIDELITY = "Fidelity"
    SCHWAB = "Schwab"
    VANGUARD = "Vanguard"


@dataclass(frozen=True, slots=True)
class Positions:
    layout: Layout
    header_at: int  # index of the header record among the file's records


@dataclass(frozen=True, slots=True)
class Activity:
    brokerage: str  # whose activity export it is, for the message
    line: int


def detect(records: Records) -> Positions | Activity | None:
    """Find the header that names the layout; None when nothing here is recognised."""
    seen = 0
    for at, (line, fields) in records.head():
        if at >= _SCAN_RECORDS:
            break
        if is_blank(fields):
            continue
        seen += 1
        if seen > _SCAN:
            break
        if is_text_line(fields):
            if normalise(fields[0]).startswith("transactions for account"):
                return Activity("Schwab", line)
            continue
        cells = {normalise(cell) for cell in fields}
        found = _positions(cells)
        if found is not None:
            return Positions(found, at)
        brokerage = _activity(cells)
        if brokerage is not None:
            return Activity(brokerage, line)
    return None


def _positions(cells: set[str]) -> Layout | None:
    if "symbol" in cells and "current value" in cells:
        return Layout.FIDELITY
    if "symbol" in cells and cells.intersection(MARKET_VALUE) and cells.intersection(QUANTITY):
        return Layout.SCHWAB
    if "shares" in cells and "total value" in cells:
        return Layout.VANGUARD
    return None


def _activity(cells: set[str]) -> str | None:
    if "run date" in cells and "action" in cells:
        return "Fidelity"
    if "trade date" in cells and "transaction type" in cells:
        return "Vanguard"
    if "action" in cells and any(cell.startswith("amount") for cell in cells):
        return "Schwab" if "fees & comm" in cells else "brokerage"
    return None
