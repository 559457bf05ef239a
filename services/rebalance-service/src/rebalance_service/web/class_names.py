"""What the catalogue's short class names mean, in words a person knows.

The names (`US TSM`, `LTB`) are the Bogleheads' shorthand and stay the keys the
settings and the API use; the page shows each with its meaning beside it. A
class the user added, or one this table does not know, is shown as it is.
"""

from __future__ import annotations

MEANINGS: dict[str, str] = {
    "US TSM": "US total stock market",
    "US LC": "US large companies (S&P 500)",
    "US SC": "US small companies",
    "ex-US TSM": "International stocks, outside the US",
    "EM": "Emerging-market stocks",
    "REIT": "Real estate (REITs)",
    "US TBM": "US total bond market",
    "ex-US TBM": "International bonds",
    "LTB": "Long-term Treasuries and bonds",
    "ST Treasury": "Short-term Treasuries and T-bills",
    "TIPS": "Inflation-protected Treasuries (TIPS)",
    "Cash": "Cash and money-market funds",
}


def meaning(name: object) -> str:
    """`"US TSM"` -> `"US total stock market"`; "" for a name without one."""
    return MEANINGS.get(str(name), "")
