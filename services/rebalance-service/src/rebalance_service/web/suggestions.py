"""A class to suggest for a fund the catalogue does not know, from its description.

401(k) plans name their funds by CUSIP ("84679P504") with a description such as
"SP 500 INDEX PL CL E". The words say enough to suggest a class, which the user
confirms: nothing is mapped until they choose it and save. The rules go from the
most specific words to the most general; a target-date or balanced fund mixes
classes, so it gets no suggestion rather than a wrong one.
"""

from __future__ import annotations

import re
from collections.abc import Collection

_RULES: tuple[tuple[str, str], ...] = (
    (r"\bTARGET\b|FREEDOM|LIFEPATH|BALANCED|\bBAL\b|ASSET ALLOC|\b20[2-7][05]\b", ""),
    (r"MONEY MARKET|\bMMKT\b|\bMM\b|CASH RESERVE|STABLE VALUE", "Cash"),
    (r"EMERGING|\bEMRG\b|\bEM MKT", "EM"),
    (r"\bREIT\b|REAL ESTATE", "REIT"),
    (r"\bTIPS\b|INFLATION", "TIPS"),
    (r"(INT(ERNA)?T?L|INTERNATIONAL|EX[- ]?US|GLOBAL|WORLD).*(BOND|\bBD\b|FIXED)", "ex-US TBM"),
    (r"INT(ERNA)?T?L|INTERNATIONAL|EX[- ]?US|DEVELOPED|\bEAFE\b|FOREIGN|OVERSEAS", "ex-US TSM"),
    (r"(SHORT|\bST\b|\bSH\b).*(TREAS|GOV)|(TREAS|GOV).*(SHORT|\bST\b|BILL)", "ST Treasury"),
    (r"(LONG|\bLT\b).*(TREAS|GOV|BOND|\bBD\b)", "LTB"),
    (r"BOND|\bBD\b|\bAGG|FIXED INC|(?<!EQUITY )INCOME|TREAS|\bGOV", "US TBM"),
    (r"SMALL|\bSM\b|\bSML\b|EXTENDED|\bEXT\b|COMPLETION|MID ?CAP|RUSSELL 2000|\b2000\b", "US SC"),
    (r"TOTAL (STOCK )?MARKET|TOTAL MKT|\bTOT MKT|\bTOT STK|BROAD MARKET|RUSSELL 3000|\bTSM\b",
     "US TSM"),
    (r"\b500\b|S&P|LARGE|\bLG\b|\bLRG\b|BLUE CHIP|GROWTH|\bGR\b|VALUE|CONTRAFUND|DIVIDEND|"
     r"EQUITY|STOCK|\bINDEX\b|\bIDX\b", "US LC"),
)  # fmt: skip
_COMPILED = tuple((re.compile(pattern), name) for pattern, name in _RULES)


def suggest_class(description: str, classes: Collection[str]) -> str:
    """The class the description points to, if the user's classes have it; else ""."""
    text = " ".join(description.upper().split())
    for pattern, name in _COMPILED:
        if pattern.search(text):
            return name if name in classes else ""
    return ""
