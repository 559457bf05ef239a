"""Each trade as a person places it at the brokerage, and what the plan adds up to.

A bond, bill or CD is ordered by its face amount at a price per $100 of face,
as the brokerage quotes it (`price`); `shares` is the face, `amount` the dollars
it costs or raises. The page says so on the line itself ("face $173,000",
"$99.977 per $100"), so nobody orders 173,000 bonds at $99.98. Prices keep every
place the plan gives them: an order is typed as shown.

The estimated realized gain of a plan is the sum of each sale's `estimated_gain`,
the figure its reason states ("realizes an estimated $1,234.56 gain"), so the
total at the top and the lines below can never disagree. A taxable sale without
a known cost basis carries none; like its reason and the engine's gains level,
the total counts all of it as gain, and the page says how many such sales there are.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from rebalance_service.web.formatting import money_text, percent_text, to_decimal

JSON = Mapping[str, Any]
ZERO = Decimal(0)


@dataclass(frozen=True)
class TradeLine:
    action: str  # "buy" or "sell"
    symbol: str
    asset_class: str
    quantity: str  # "12", "face $173,000", "" when ordered by amount
    price: str  # "$72.50", "$99.977 per $100", "" when unknown
    amount: str  # "$1,234.56"
    reason: str
    face: bool  # a bond, bill or CD: quantity is face, price per 100 of face
    unpriced: bool  # no price known: order the amount


def _d(value: object) -> Decimal:
    return to_decimal(value) or ZERO


def exact_price(value: Decimal) -> str:
    """`72.5` -> `$72.50`; `99.977` -> `$99.977`: cents at least, every place given."""
    places = max(2, -value.normalize().as_tuple().exponent)  # type: ignore[operator]
    return f"${value:,.{places}f}"


def _face(value: Decimal) -> str:
    whole = value == value.to_integral_value()
    return f"${value:,.0f}" if whole else f"${value:,.2f}"


def trade_line(trade: JSON) -> TradeLine:
    shares, price = to_decimal(trade.get("shares")), to_decimal(trade.get("price"))
    unit = to_decimal(trade.get("unit_price"))
    # Quoted per 100 of face: the quote is a hundred times the unit value (to rounding).
    face = bool(price and unit) and abs(price / unit - 100) < 1  # type: ignore[operator]
    if shares is None:
        quantity = ""
    elif face:
        quantity = f"face {_face(shares)}"
    else:
        quantity = str(trade["shares"])
    if price is None:
        price_text = ""
    elif face:
        price_text = f"{exact_price(price)} per $100"
    else:
        price_text = exact_price(price)
    return TradeLine(
        action=trade["action"],
        symbol=trade["symbol"],
        asset_class=trade["asset_class"],
        quantity=quantity,
        price=price_text,
        amount=money_text(trade["amount"]),
        reason=trade["reason"],
        face=face,
        unpriced=shares is None,
    )


@dataclass(frozen=True)
class Summary:
    """The plan in one line a person can read aloud."""

    trades: int
    sold: Decimal
    bought: Decimal
    gains: Decimal  # estimated, realized in taxable accounts; negative for a net loss
    unknown_basis: int  # sales counted as all gain
    off_before: Decimal  # percent of the portfolio away from target
    off_after: Decimal

    def sentence(self) -> str:
        if not self.trades:
            return f"No trades. {percent_text(self.off_before)} of the portfolio is off target."
        if not self.sold:
            gains = "no sales, so no realized gains"
        elif self.gains >= 0:
            gains = f"estimated realized gains {money_text(self.gains)}"
        else:
            gains = f"an estimated realized loss of {money_text(-self.gains)}"
        sides = [f"sell {money_text(self.sold)}"] if self.sold else []
        if self.bought:
            sides.append(f"buy {money_text(self.bought)}")
        plural = "" if self.trades == 1 else "s"
        return (
            f"{self.trades} trade{plural}: {', '.join(sides)}; {gains}; "
            f"{percent_text(self.off_before)} of the portfolio is off target before, "
            f"{percent_text(self.off_after)} after."
        )


def _unknown_basis(trade: JSON) -> bool:
    """A taxable sale whose gain the engine could not estimate (an account without
    settings, `tax_group` null, is planned as taxable)."""
    return (
        trade["action"] == "sell"
        and trade.get("tax_group") in ("taxable", None)
        and trade.get("estimated_gain") is None
    )


def estimated_gain(trade: JSON) -> Decimal | None:
    """What a sale realizes as the total counts it; None for a buy or an untaxed sale."""
    if _unknown_basis(trade):
        return _d(trade["amount"])
    return to_decimal(trade.get("estimated_gain"))


def off_target(lines: Iterable[JSON]) -> Decimal:
    """The share of the portfolio that would have to move to reach every target."""
    return sum((abs(_d(c["percent"]) - _d(c.get("target_percent"))) for c in lines), ZERO) / 2


def summary(plan: JSON) -> Summary:
    trades = plan["trades"]
    sales = [t for t in trades if t["action"] == "sell"]
    gains = [estimated_gain(t) for t in sales]
    return Summary(
        trades=len(trades),
        sold=sum((_d(t["amount"]) for t in sales), ZERO),
        bought=sum((_d(t["amount"]) for t in trades if t["action"] == "buy"), ZERO),
        gains=sum((g for g in gains if g is not None), ZERO),
        unknown_basis=sum(1 for t in sales if _unknown_basis(t)),
        off_before=off_target(plan["allocation_before"]),
        off_after=off_target(plan["allocation_after"]),
    )
