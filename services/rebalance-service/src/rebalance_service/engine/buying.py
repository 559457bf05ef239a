"""Which security buys each asset class in each account: the buy order.

An account buys a class through one security, the first of:

1. a security of that class on the account's menu (the funds a 401(k) or HSA
   offers), those held there first, then those priced in the uploads, then in
   menu order. A menu with nothing of the class means the class is not bought
   there at all;
2. with no menu, one of that class already held there;
3. one of that class whose price is known from the uploads (FSKAX, held in
   another Fidelity account, rather than VTI with no price);
4. the class's default.

Individual stocks, bonds and CDs never stand for a class in steps 2 and 3: one
is bought only where the user put it on the menu or made it the class's default.
"""

from __future__ import annotations

from collections.abc import Mapping

from rebalancer.catalogue import Catalogue
from rebalancer.problem import Account, Position


def buy_choice(
    catalogue: Catalogue,
    account: Account,
    asset_class: str,
    known: Mapping[str, Position],
) -> str | None:
    """The symbol (upper case) the account buys the class with, or None for none."""
    default = catalogue.default_security(asset_class)
    default_symbol = default.symbol.upper() if default is not None else None

    def of_class(symbol: str) -> bool:
        security = catalogue.security(symbol)
        return security is not None and security.asset_class == asset_class

    held = [
        p.symbol.upper()
        for p in account.positions
        if p.asset_class == asset_class and p.tradable and p.shares > 0
    ]
    if account.menu:
        offered = [s.upper() for s in account.menu if of_class(s)]
        ranked = sorted(offered, key=lambda s: (s not in held, s not in known))
        return ranked[0] if ranked else None

    def stands_for_class(symbol: str, position: Position) -> bool:
        return not position.instrument.individual or symbol == default_symbol

    by_symbol = {p.symbol.upper(): p for p in account.positions}
    for symbol in held:
        if stands_for_class(symbol, by_symbol[symbol]):
            return symbol
    for symbol, position in known.items():
        if of_class(symbol) and stands_for_class(symbol, position):
            return symbol
    return default_symbol
