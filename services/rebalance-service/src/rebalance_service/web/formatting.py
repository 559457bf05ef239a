"""How the page writes numbers and names: exact decimals in, readable text out.

Amounts arrive as the decimal strings of `plan_document`; they are formatted
through `Decimal`, never through float, so what the page shows is exactly what
the engine decided.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from rebalancer.catalogue import INVESTABLE_TAX_GROUPS, TaxGroup
from rebalancer.problem import Mode
from rebalancer.targets import TargetKind

# Keyed by the domain's enums; as StrEnums they also find the plain strings of a
# JSON document ("taxable") and print as them in a template.
TAX_GROUP_LABELS: dict[str, str] = {
    TaxGroup.TAXABLE: "Taxable",
    TaxGroup.TAX_DEFERRED: "Tax-deferred",
    TaxGroup.TAX_FREE: "Tax-free",
    TaxGroup.IGNORE: "Ignore",
}
INVESTABLE: tuple[str, ...] = INVESTABLE_TAX_GROUPS  # the form and documents speak strings
KIND_LABELS: dict[str, str] = {
    TargetKind.PERCENT: "Percent",
    TargetKind.DOLLARS: "Dollars",
    TargetKind.PERCENT_OF_REMAINDER: "Percent of remainder",
}
# Each mode's name on the page, and what it does in a line.
MODE_TEXT: dict[Mode, tuple[str, str]] = {
    Mode.BUY_ONLY: ("Buy only", "Spend cash and credits; sell nothing."),
    Mode.NO_SELL_TAXABLE: ("No taxable sales", "Sell only in tax-advantaged accounts."),
    Mode.FULL: ("Full", "Sell anywhere to reach the targets; may realize gains."),
    Mode.RELOCATE: ("Relocate", "Keep today's mix; move classes to where they are taxed least."),
}
MODE_LABELS: dict[str, str] = {mode: name for mode, (name, _) in MODE_TEXT.items()}


def to_decimal(text: object) -> Decimal | None:
    if isinstance(text, Decimal):
        return text
    if isinstance(text, int) and not isinstance(text, bool):
        return Decimal(text)
    if not isinstance(text, str):
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def money_text(text: object) -> str:
    """`"91722.6"` -> `"$91,722.60"`; `"-5"` -> `"-$5.00"`; anything else as it came."""
    value = to_decimal(text)
    if value is None:
        return "" if text is None else str(text)
    cents = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)
    sign = "-" if cents < 0 else ""
    return f"{sign}${abs(cents):,.2f}"


def percent_text(text: object, places: int = 1) -> str:
    """`"27.28"` -> `"27.3 %"`."""
    value = to_decimal(text)
    if value is None:
        return ""
    rounded = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)
    return f"{abs(rounded) if rounded == 0 else rounded} %"


def short_money(value: Decimal) -> str:
    """A compact amount for a chart label: `$812`, `$96.6k`, `$1.05M`."""
    sign = "-" if value < 0 else ""
    size = abs(value)
    if size >= 1_000_000:
        scaled, suffix = size / 1_000_000, "M"
    elif size >= 1_000:
        scaled, suffix = size / 1_000, "k"
    else:
        return f"{sign}${size.quantize(Decimal(1), rounding=ROUND_HALF_EVEN):,}"
    places = Decimal("0.1") if scaled < 100 else Decimal(1)
    shown = scaled.quantize(places, rounding=ROUND_HALF_EVEN)
    if shown == shown.to_integral_value():
        shown = shown.quantize(Decimal(1))
    return f"{sign}${shown}{suffix}"


def tax_group_text(value: object) -> str:
    return TAX_GROUP_LABELS.get(str(value), "Not configured" if value is None else str(value))
