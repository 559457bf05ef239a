"""The configure form as the user's stored settings and the uploaded files fill it.

With files, each account offers the symbols it holds for its menu, each symbol
the catalogue does not know comes with its description and kind (a stock, a
fund, ...) so stocks can be mapped at once and funds get a suggested class, and
the classes held without a target are named before the user rebalances.
"""

from __future__ import annotations

from rebalance_service.household import Household, HouseholdAccount, engine_account
from rebalance_service.web.configure_form import (
    AccountRow,
    AffinityRow,
    ConfigureForm,
    SecurityRow,
    SleeveRow,
    TargetRow,
)
from rebalance_service.web.formatting import INVESTABLE
from rebalance_service.web.suggestions import suggest_class
from rebalancer.catalogue import CASH_CLASS, Mix, Security, TaxGroup
from rebalancer.configuration import EffectiveSettings
from rebalancer.instruments import Instrument
from rebalancer.money import format_decimal, format_money
from rebalancer.statement import Holding, HoldingKind
from rebalancer.untargeted import no_target_warnings


def prefilled_form(
    token: str, household: Household | None, settings: EffectiveSettings
) -> ConfigureForm:
    """The form as the user's stored settings (or the installation defaults) fill it."""
    named = [
        *(t.asset_class for t in settings.targets),
        *(c for names in settings.affinities.values() for c in names),
        *(lock.asset_class for lock in settings.no_sell),
        *(s.asset_class for s in settings.securities if not s.mix),
        *(sleeve.asset_class for s in settings.securities for sleeve in s.mix),
    ]
    options = list(dict.fromkeys([*settings.catalogue.asset_classes, *named]))
    stored = settings.bands  # zero-wide bands are how a blank form cleared them
    bands = stored if stored and (stored.absolute or stored.relative) else None
    form = ConfigureForm(
        token=token,
        class_options=options,
        catalogue_defaults=sorted(
            s.symbol for s in settings.catalogue.securities.values() if s.default
        ),
        min_trade=format_decimal(settings.min_trade),
        band_absolute="" if bands is None else format_decimal(bands.absolute),
        band_relative="" if bands is None else format_decimal(bands.relative),
        had_bands=bands is not None,
    )
    for i, account in enumerate(household.accounts if household else ()):
        form.accounts.append(_account_row(i, account, settings))
    form.targets = [
        TargetRow(i, t.asset_class, t.kind.value, format_decimal(t.value))
        for i, t in enumerate(settings.targets)
    ]
    for group in INVESTABLE:
        listed = list(dict.fromkeys(settings.affinities.get(TaxGroup(group), ())))
        form.affinities[group] = [
            AffinityRow(c, options.index(c), c in listed)
            for c in [*listed, *(c for c in options if c not in listed)]
        ]
    form.no_sell = {(lock.tax_group.value, lock.asset_class) for lock in settings.no_sell}
    form.securities = [_saved_row(i, s) for i, s in enumerate(settings.securities)]
    if household is not None:
        form.securities += _builtin_mix_rows(household, len(form.securities), settings)
        form.securities += _unknown_rows(household, len(form.securities), options)
        form.untargeted = _untargeted(household, settings)
    return form


def _saved_row(i: int, security: Security) -> SecurityRow:
    row = SecurityRow(
        i,
        "saved",
        security.symbol,
        "" if security.mix else security.asset_class,
        security.fractional,
        security.default,
        "" if security.price is None else format_decimal(security.price),
    )
    if security.mix:
        row.kind, row.mix = "mix", _sleeve_rows(security.mix)
    return row


def _sleeve_rows(mix: Mix) -> list[SleeveRow]:
    return [SleeveRow(j, s.asset_class, format_decimal(s.percent)) for j, s in enumerate(mix)]


def _builtin_mix_rows(
    household: Household, start: int, settings: EffectiveSettings
) -> list[SecurityRow]:
    """The catalogue's mix funds the uploads hold and the user has no mix of their own for:
    shown with the published mix, for the user to correct as the fund glides."""
    own = {s.symbol.upper() for s in settings.securities}
    held = dict.fromkeys(h.symbol.upper() for a in household.accounts for h in a.statement.holdings)
    rows: list[SecurityRow] = []
    for symbol in held:
        security = settings.catalogue.security(symbol)
        if security is None or not security.mix or symbol in own:
            continue
        mix = _sleeve_rows(security.mix)
        row = SecurityRow(start + len(rows), "builtin", symbol, fractional=security.fractional)
        row.kind, row.mix = "mix", mix
        row.published = row.as_published()
        row.published_on = settings.catalogue.published.get(symbol, "")
        rows.append(row)
    return rows


def _account_row(i: int, account: HouseholdAccount, settings: EffectiveSettings) -> AccountRow:
    stored = account.settings
    held = [h.symbol for h in account.statement.holdings if _offered(h, settings)]
    held = list(dict.fromkeys(held))
    menu = list(stored.menu) if stored else []
    return AccountRow(
        i,
        account.statement.number,
        account.label,
        account.statement.name,
        account.statement.brokerage,
        format_money(account.statement.value),
        stored.tax_group.value if stored else "",
        stored.description if stored else "",
        stored.credit_default if stored else False,
        held,
        [s for s in menu if s in held],
        ", ".join(s for s in menu if s not in held),
    )


def _offered(holding: Holding, settings: EffectiveSettings) -> bool:
    """A held security an account might buy more of: not cash, an option or a bond."""
    if holding.kind != HoldingKind.SECURITY or holding.instrument.per_hundred:
        return False
    security = settings.catalogue.security(holding.symbol)
    return security is None or security.asset_class != CASH_CLASS


def _unknown_rows(household: Household, start: int, options: list[str]) -> list[SecurityRow]:
    holdings = {
        h.symbol: h for a in household.accounts for h in a.statement.holdings if h.description
    }
    rows = []
    for i, symbol in enumerate(household.unknown_symbols):
        holding = holdings.get(symbol)
        instrument = holding.instrument if holding else Instrument.FUND
        description = holding.description if holding else ""
        suggestion = suggest_class(description, options) if instrument == Instrument.FUND else ""
        rows.append(
            SecurityRow(
                start + i,
                "csv",
                symbol,
                description=description,
                instrument=instrument.value,
                suggestion=suggestion,
            )
        )
    return rows


def _untargeted(household: Household, settings: EffectiveSettings) -> list[str]:
    """The plan's "no target" warnings, said here before any plan is made."""
    accounts = [engine_account(a, settings.catalogue) for a in household.accounts if a.counted]
    locks = frozenset((lock.tax_group, lock.asset_class) for lock in settings.no_sell)
    return no_target_warnings(accounts, settings.targets, locks)
