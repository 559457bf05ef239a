"""Households of three funds (VTI, VXUS, BND) for the engine's unit and property tests."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from hypothesis import strategies as st

from rebalancer.catalogue import AssetClass, Catalogue, Security, TaxGroup
from rebalancer.problem import Account, Mode, Position, Problem
from rebalancer.targets import Target, TargetKind

D = Decimal
TAXABLE, DEFERRED, FREE = TaxGroup.TAXABLE, TaxGroup.TAX_DEFERRED, TaxGroup.TAX_FREE
CLASSES = {"US TSM": "Stocks", "ex-US TSM": "Stocks", "US TBM": "Bonds", "Cash": "Cash"}
FUNDS = {"VTI": "US TSM", "VXUS": "ex-US TSM", "BND": "US TBM"}
AFFINITIES = {
    TAXABLE: ("ex-US TSM", "US TSM"),
    DEFERRED: ("US TBM", "US TSM", "ex-US TSM"),
    FREE: ("US TSM", "ex-US TSM", "US TBM"),
}
TARGETS = (
    Target("US TSM", TargetKind.PERCENT, D(40)),
    Target("ex-US TSM", TargetKind.PERCENT, D(20)),
    Target("US TBM", TargetKind.PERCENT, D(40)),
)


def household(
    prices: dict[str, Decimal], accounts: Sequence[Account], mode: Mode = Mode.FULL
) -> Problem:
    """The accounts, with each fund its class's default at these prices."""
    catalogue = Catalogue.of(
        [AssetClass(name, group) for name, group in CLASSES.items()],
        [Security(s, c, default=True, price=prices[s]) for s, c in FUNDS.items()],
    )
    return Problem(
        accounts=tuple(accounts),
        catalogue=catalogue,
        targets=TARGETS,
        affinities=AFFINITIES,
        mode=mode,
    )


def held(symbol: str, shares: int, price: Decimal, basis: str) -> Position:
    return Position(symbol, FUNDS[symbol], D(shares), price, shares * price, D(basis))


prices = st.integers(min_value=500, max_value=40_000).map(lambda c: Decimal(c) / 100)


@st.composite
def households(
    draw: st.DrawFn, most_accounts: int = 3, modes: Sequence[Mode] = (Mode.FULL,)
) -> Problem:
    """Up to `most_accounts` accounts in any tax group, each holding some of the funds."""
    price_of = {symbol: draw(prices) for symbol in FUNDS}
    accounts = []
    for index in range(draw(st.integers(min_value=1, max_value=most_accounts))):
        symbols = draw(st.lists(st.sampled_from(sorted(FUNDS)), max_size=3, unique=True))
        positions = tuple(
            held(s, draw(st.integers(1, 400)), price_of[s], str(draw(st.integers(0, 90_000))))
            for s in symbols
        )
        cash = D(draw(st.integers(0, 3_000_000))) / 100
        group = draw(st.sampled_from((TAXABLE, DEFERRED, FREE)))
        accounts.append(Account(f"acct-{index}", group, cash, positions))
    mode = draw(st.sampled_from(modes)) if len(modes) > 1 else modes[0]
    return household(price_of, accounts, mode)
