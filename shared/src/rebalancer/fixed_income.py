"""Treasuries and brokered CDs, classified by the built-in catalogue without a mapping.

A household holding a ladder of bills should not have to map each CUSIP by hand.
A Treasury (by CUSIP prefix or by a description such as "UNITED STATES TREAS
BILLS ...") or a brokered CD ("... CD ... FDIC INS") takes the asset class its
remaining term implies, counted from the export's date:

- TIPS (the description says so): `TIPS`;
- maturing within three years, and every bill: `ST Treasury`;
- within ten years: `US TBM`, the seeded intermediate bond class;
- later: `LTB`;
- brokered CDs, whatever their term: `ST Treasury` (FDIC-insured deposits that
  behave like short Treasuries);
- a note or bond whose maturity cannot be read: `US TBM`.

The maturity is the last date written in the description ("0.00000% 05/15/2025",
"MAT 05/15/2025", "11/30/26"). A user's own mapping of the symbol always wins:
`recognise` is only asked about symbols the catalogue does not know.
"""

from __future__ import annotations

import re
from datetime import date

from rebalancer.instruments import is_cd, is_treasury

SHORT_TERM = "ST Treasury"
INTERMEDIATE = "US TBM"
LONG_TERM = "LTB"
INFLATION_PROTECTED = "TIPS"

_SHORT_YEARS = 3
_INTERMEDIATE_YEARS = 10
_DATE = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})\b")
_TIPS = re.compile(r"\b(TIPS|INFLATION|INFL(ATION)? (IDX|INDEXED|PROTECTED)|TII)\b")
_BILL = re.compile(r"\b(T-)?BILLS?\b")
_BILL_PREFIXES = ("912796", "912797")


def maturity(description: str) -> date | None:
    """The last date the description writes, as month/day/year."""
    for month, day, year in reversed(_DATE.findall(description)):
        full = int(year) + 2000 if len(year) == 2 else int(year)
        try:
            return date(full, int(month), int(day))
        except ValueError:
            continue
    return None


def recognise(symbol: str, description: str, as_of: date) -> str | None:
    """The built-in asset class of a Treasury or brokered CD, or None for anything else."""
    text = " ".join(description.upper().split())
    if is_cd(text):
        return SHORT_TERM
    if not is_treasury(symbol, text):
        return None
    if _TIPS.search(text):
        return INFLATION_PROTECTED
    if symbol.upper().startswith(_BILL_PREFIXES) or _BILL.search(text):
        return SHORT_TERM
    return _by_term(maturity(text), as_of)


def _by_term(matures: date | None, as_of: date) -> str:
    if matures is None:
        return INTERMEDIATE
    years = (matures - as_of).days / 365.25
    if years <= _SHORT_YEARS:
        return SHORT_TERM
    return INTERMEDIATE if years <= _INTERMEDIATE_YEARS else LONG_TERM
