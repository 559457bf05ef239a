"""Exact money and quantities.

Every amount, price, share count and percentage in the system is a `Decimal`
("never use floating-point in an accounting system"). Floats exist only inside
the solver and are converted back, exactly, at its boundary.

Brokerages write numbers in many ways: `$1,234.56`, `+$5.60`, `-$78.20`,
`(12.00)`, `12.5%`, and `--`, `n/a` or nothing for "no value". `parse_decimal`
is the one parser for all of them.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_EVEN, Decimal

CENT = Decimal("0.01")
ZERO = Decimal(0)
HUNDRED = Decimal(100)

# Text a brokerage writes where a number has no value.
_PLACEHOLDERS = frozenset({"", "--", "-", "n/a", "na", "none", "null", "nan"})
# "(12.00)", "-$78.20", "$-5.00", "+5.60%", "1,234.5": one sign at most, before or after "$".
_BROKERAGE_NUMBER = re.compile(
    r"(?P<open>\()?\s*(?P<sign>[+-])?\s*\$?\s*(?P<sign_after>[+-])?"
    r"(?P<digits>\d{1,3}(?:,\d{3})+(?:\.\d*)?|\d+(?:\.\d*)?|\.\d+)"
    r"\s*%?\s*(?P<close>\))?"
)


class NotANumber(ValueError):
    """The text is neither a number nor a recognised placeholder."""

    def __init__(self, text: str) -> None:
        super().__init__(f'"{text}" is not a number')
        self.text = text


def parse_decimal(text: str) -> Decimal | None:
    """Read a brokerage number: None for a placeholder, else an exact Decimal.

    >>> parse_decimal("$1,234.56"), parse_decimal("(12.00)"), parse_decimal("--")
    (Decimal('1234.56'), Decimal('-12.00'), None)
    """
    raw = text.strip().strip('"').strip()
    if raw.lower() in _PLACEHOLDERS:
        return None
    match = _BROKERAGE_NUMBER.fullmatch(raw)
    if match is None or (match["open"] is None) != (match["close"] is None):
        raise NotANumber(text.strip())
    if match["sign"] and match["sign_after"]:
        raise NotANumber(text.strip())
    value = Decimal(match["digits"].replace(",", ""))
    negative = "-" in (match["sign"] or "", match["sign_after"] or "") or bool(match["open"])
    return -value if negative else value


def parse_plain_decimal(text: str) -> Decimal:
    """Read a decimal as the API writes it (`"1234.56"`, `"-5"`): finite, no symbols.

    ASCII digits only: `\\d` would also match other scripts' digits ("٣"), which
    Decimal reads as numbers but no client means as one.
    """
    if not re.fullmatch(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)", text.strip()):
        raise NotANumber(text)
    return Decimal(text.strip())


def cents(amount: Decimal) -> Decimal:
    """Round to the cent, banker's rounding as in accounting."""
    return amount.quantize(CENT, rounding=ROUND_HALF_EVEN)


def format_decimal(value: Decimal) -> str:
    """Print a Decimal as plain positional text with no exponent: `1E+2` -> `"100"`."""
    return format(abs(value) if value == 0 else value, "f")  # no "-0"


def format_money(amount: Decimal) -> str:
    """Print an amount of dollars to the cent: `Decimal("3.1")` -> `"3.10"`."""
    return format(cents(amount), "f")


def percent(part: Decimal, whole: Decimal, places: int = 2) -> Decimal:
    """`part` as a percentage of `whole`, to `places` decimals; 0 when whole is 0."""
    if whole == 0:
        return ZERO.quantize(Decimal(1).scaleb(-places))
    return (part * HUNDRED / whole).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)
