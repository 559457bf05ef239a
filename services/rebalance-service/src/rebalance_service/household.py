"""A household: the uploaded statement joined with the user's settings.

Pure functions: from a `Statement`, the stored account settings and the user's
effective settings to the engine's `Problem`, or to the view of the portfolio.
Accounts are named by their masked number (`...5678`) from here on, so nothing
downstream, error messages included, can leak a full account number.

Treasuries and brokered CDs the catalogue does not name are added to the
household's catalogue under the class their term implies (`fixed_income`), dated
from the export (else today), so they are never "unknown symbols".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from rebalancer.allocation import class_values, measure_allocation
from rebalancer.catalogue import CASH_CLASS, Catalogue, Security, TaxGroup
from rebalancer.configuration import AccountSettings, EffectiveSettings
from rebalancer.fixed_income import recognise
from rebalancer.money import cents
from rebalancer.plan import Allocation
from rebalancer.problem import Account, Mode, Position, Problem
from rebalancer.prose import listed
from rebalancer.statement import AccountStatement, Holding, HoldingKind, Statement
from rebalancer.targets import resolve_targets


def _dollars(amount: Decimal) -> str:
    return f"{'-' if amount < 0 else ''}${abs(cents(amount)):,.2f}"


def mask(number: str) -> str:
    return "..." + number[-4:]


@dataclass(frozen=True)
class HouseholdAccount:
    label: str  # the masked number, made unique within the household
    statement: AccountStatement
    settings: AccountSettings | None  # None until the user configures it

    @property
    def counted(self) -> bool:
        """Whether the portfolio's allocation counts this account: every investable one
        the user has not told us to ignore, configured or not (as taxable until it is)."""
        ignored = self.settings is not None and self.settings.tax_group == TaxGroup.IGNORE
        return self.statement.investable and not ignored

    @property
    def takes_part(self) -> bool:
        """Whether the rebalance may use this account: a counted one with settings."""
        return self.counted and self.settings is not None


# Said first when no uploaded account has settings. A mistyped token and a new one
# must read alike: nothing may tell a guesser which tokens hold data.
NO_SETTINGS = (
    "None of these accounts has settings under this token. If you configured them "
    "before, check the token; otherwise configure them now"
)


@dataclass(frozen=True)
class Household:
    accounts: tuple[HouseholdAccount, ...]
    settings: EffectiveSettings
    warnings: tuple[str, ...]
    unknown_symbols: tuple[str, ...]
    downloaded: date | None = None  # the latest date the files state they were exported

    @property
    def settings_found(self) -> bool:
        """Whether any account of the uploads has settings under this token."""
        return any(a.settings is not None for a in self.accounts)


def assemble(
    statement: Statement,
    stored_accounts: Mapping[str, AccountSettings],
    settings: EffectiveSettings,
    today: date | None = None,
) -> Household:
    settings = _with_recognised(statement, settings, today)
    labels: dict[str, int] = {}
    accounts = []
    warnings = list(statement.warnings)
    for account in statement.accounts:
        label = mask(account.number)
        labels[label] = labels.get(label, 0) + 1
        if labels[label] > 1:
            label = f"{label} ({labels[label]})"
        account_settings = stored_accounts.get(account.number)
        if account_settings is None and account.investable:
            warnings.append(f"account {label} is not configured: give it a tax group to include it")
        if account.pending:
            warnings.append(f"cash in account {label} includes {_dollars(account.pending)} pending")
        accounts.append(HouseholdAccount(label, account, account_settings))
    unknown = sorted(
        {
            h.symbol
            for a in statement.accounts
            for h in a.holdings
            if h.kind == HoldingKind.SECURITY and settings.catalogue.security(h.symbol) is None
        }
    )
    if unknown:
        warnings.append(_unknown_warning(unknown))
    return Household(
        tuple(accounts), settings, tuple(warnings), tuple(unknown), statement.downloaded
    )


def _unknown_warning(symbols: Sequence[str]) -> str:
    if len(symbols) == 1:
        return (
            f"{symbols[0]} is not in the catalogue: it is held as it is and left out of the "
            "targets until you give it a class on the Configure page"
        )
    return (
        f"{listed(symbols)} are not in the catalogue: they are held as they are and left out "
        "of the targets until you give them a class on the Configure page"
    )


def _with_recognised(
    statement: Statement, settings: EffectiveSettings, today: date | None
) -> EffectiveSettings:
    """The settings, their catalogue knowing the Treasuries and CDs held."""
    as_of = statement.downloaded or today or date.today()  # a file without a date: now
    catalogue = settings.catalogue
    found: dict[str, Security] = {}
    for account in statement.accounts:
        for h in account.holdings:
            if h.kind != HoldingKind.SECURITY or catalogue.security(h.symbol) is not None:
                continue  # the user's own mapping, or the catalogue's, wins
            asset_class = recognise(h.symbol, h.description, as_of)
            if asset_class is not None and catalogue.group_of(asset_class) is not None:
                found.setdefault(h.symbol.upper(), Security(h.symbol.upper(), asset_class))
    if not found:
        return settings
    return replace(settings, catalogue=catalogue.with_additions((), found.values()))


def engine_account(account: HouseholdAccount, catalogue: Catalogue) -> Account:
    tax_group = account.settings.tax_group if account.settings else TaxGroup.TAXABLE
    return Account(
        key=account.label,
        tax_group=tax_group,
        cash=account.statement.cash,
        positions=tuple(_position(holding, catalogue) for holding in account.statement.holdings),
        credit_default=bool(account.settings and account.settings.credit_default),
        menu=account.settings.menu if account.settings else (),
    )


def _position(holding: Holding, catalogue: Catalogue) -> Position:
    security = catalogue.security(holding.symbol) if holding.kind == HoldingKind.SECURITY else None
    asset_class = security.asset_class if security else None
    # The engine trades at the unit value; the plan shows the brokerage's quote.
    per_unit = holding.quote_factor == 1
    return Position(
        symbol=holding.symbol,
        asset_class=asset_class,
        shares=holding.shares,
        price=holding.unit_price,
        value=holding.value,
        cost_basis=holding.cost_basis,
        tradable=asset_class is not None and asset_class != CASH_CLASS,
        quote=None if per_unit else holding.price,
        instrument=holding.instrument,
        increment=(security.increment if security else None) or holding.instrument.increment,
        mix=security.mix if security else (),
    )


def portfolio_allocation(household: Household) -> Allocation:
    """Today's allocation of the counted accounts, against the user's targets."""
    catalogue = household.settings.catalogue
    counted = [engine_account(a, catalogue) for a in household.accounts if a.counted]
    total = sum(class_values(counted).values(), Decimal(0))
    targets = resolve_targets(household.settings.targets, total)
    return measure_allocation(counted, catalogue, targets)


def build_problem(
    household: Household,
    mode: Mode,
    fractional: bool,
    credits: Mapping[TaxGroup, Decimal],
) -> Problem:
    settings = household.settings
    return Problem(
        accounts=tuple(
            engine_account(a, settings.catalogue) for a in household.accounts if a.takes_part
        ),
        catalogue=settings.catalogue,
        targets=settings.targets,
        affinities=settings.affinities,
        no_sell=frozenset((lock.tax_group, lock.asset_class) for lock in settings.no_sell),
        mode=mode,
        fractional=fractional,
        credits=credits,
        min_trade=settings.min_trade,
        bands=settings.bands,
    )
