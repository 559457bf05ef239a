"""Dates as brokerages write them in titles and footers.

Fidelity's footer says `Date downloaded Mar-04-2025 at 2:53 p.m ET` (2023-2025) or
`Date downloaded 07/20/2026 07:04 am` (2026); Schwab's title says `as of 06:04 PM
ET, 11/15/2020` (before 2022) or `as of 08:00 PM ET, 2024/12/20`. The first date in
any of these forms is the one meant.
"""

from __future__ import annotations

import re
from datetime import date

_MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
        start=1,
    )
}
_DATE_MONTH_NAME = re.compile(
    r"\b([A-Za-z]{3})[A-Za-z]*[-/ ]+(\d{1,2})(?:st|nd|rd|th)?[-/, ]+(\d{4})\b"
)
_DATE_YMD = re.compile(r"\b(\d{4})[-/](\d{1,2})[-/](\d{1,2})\b")
_DATE_MDY = re.compile(r"\b(\d{1,2})[-/](\d{1,2})[-/](\d{4}|\d{2})\b")
_DOWNLOADED = re.compile(r"^\s*date\s+downloaded\b[\s:]*(.*)$", re.IGNORECASE | re.DOTALL)


def find_date(text: str) -> date | None:
    """The first date written as `Mar-04-2025`, `2024/12/20` or `11/15/2020` in text."""
    candidates: list[tuple[int, int, int, int]] = []  # (position, year, month, day)
    if found := _DATE_MONTH_NAME.search(text):
        month = _MONTHS.get(found[1].casefold())
        if month is not None:
            candidates.append((found.start(), int(found[3]), month, int(found[2])))
    if found := _DATE_YMD.search(text):
        candidates.append((found.start(), int(found[1]), int(found[2]), int(found[3])))
    if found := _DATE_MDY.search(text):
        year = int(found[3])
        year = year + 2000 if year < 100 else year
        candidates.append((found.start(), year, int(found[1]), int(found[2])))
    for _, year, month, day in sorted(candidates):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    return None


def downloaded_line(text: str) -> str | None:
    """The rest of a `Date downloaded ...` footer line, or None if it is not one."""
    found = _DOWNLOADED.match(text.strip().strip('"'))
    return found[1] if found else None
