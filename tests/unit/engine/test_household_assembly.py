"""The household: the uploaded statement joined with the user's settings."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from rebalance_service.household import assemble, engine_account
from rebalance_service.importers import read_statement
from rebalancer.catalogue import Security, TaxGroup
from rebalancer.configuration import AccountSettings, EffectiveSettings, UserSettings
from rebalancer.statement import Statement
from support.households import builtin_defaults
from support.samples import FIDELITY_2025, INDIVIDUAL

BILLS = ("912797KJ5", "912797PJ0", "912797MM6", "912797NB9", "912797ND5", "912797PT8")
TAXABLE = {INDIVIDUAL: AccountSettings(TaxGroup.TAXABLE)}


def _sample() -> Statement:
    return read_statement([(FIDELITY_2025.name, FIDELITY_2025.read_bytes())])


def test_the_samples_treasury_bills_are_short_term_treasuries_without_a_mapping() -> None:
    settings = EffectiveSettings.of(UserSettings(), builtin_defaults())
    household = assemble(_sample(), TAXABLE, settings)
    assert not set(BILLS) & set(household.unknown_symbols)
    for bill in BILLS:
        security = household.settings.catalogue.security(bill)
        assert security is not None
        assert security.asset_class == "ST Treasury"


def test_a_users_own_mapping_of_a_treasury_wins() -> None:
    user = UserSettings(securities=(Security("912797MM6", "US TBM"),))
    household = assemble(_sample(), TAXABLE, EffectiveSettings.of(user, builtin_defaults()))
    security = household.settings.catalogue.security("912797MM6")
    assert security is not None
    assert security.asset_class == "US TBM"


def test_recognised_bills_trade_in_thousands_of_face_at_their_unit_value() -> None:
    settings = EffectiveSettings.of(UserSettings(), builtin_defaults())
    household = assemble(_sample(), TAXABLE, settings, today=date(2025, 3, 4))
    [individual] = [a for a in household.accounts if a.label.endswith(INDIVIDUAL[-4:])]
    account = engine_account(individual, household.settings.catalogue)
    [bill] = [p for p in account.positions if p.symbol == "912797MM6"]
    assert bill.asset_class == "ST Treasury"
    assert str(bill.price) == "0.99977"
    assert str(bill.quote) == "99.977"
    assert bill.increment == 1000


def test_cash_that_includes_pending_activity_says_how_much_is_pending() -> None:
    statement = _sample()
    [individual] = [a for a in statement.accounts if a.number == INDIVIDUAL]
    assert individual.pending == Decimal("24500.00")
    assert individual.cash == Decimal("79187.13") + Decimal("24500.00")
    settings = EffectiveSettings.of(UserSettings(), builtin_defaults())
    household = assemble(statement, TAXABLE, settings)
    assert f"cash in account ...{INDIVIDUAL[-4:]} includes $24,500.00 pending" in household.warnings


def test_symbols_outside_the_catalogue_are_named_in_one_sentence_that_says_what_to_do() -> None:
    settings = EffectiveSettings.of(UserSettings(), builtin_defaults())
    household = assemble(_sample(), TAXABLE, settings)
    unknown = [w for w in household.warnings if "not in the catalogue" in w]
    assert unknown == [
        "84679P504, AAPL, AMZN, AXP, BRKB, COKE, FBCGX, GOOGL, JPM, KHC, MCD, MSFT, NKE, NVDA, "
        "PEP, SBUX, TSLA and VZ are not in the catalogue: they are held as they are and left out "
        "of the targets until you give them a class on the Configure page"
    ]
    mapped = UserSettings(
        securities=tuple(Security(s, "US LC") for s in household.unknown_symbols[1:])
    )
    alone = assemble(_sample(), TAXABLE, EffectiveSettings.of(mapped, builtin_defaults()))
    assert [w for w in alone.warnings if "not in the catalogue" in w] == [
        "84679P504 is not in the catalogue: it is held as it is and left out of the targets "
        "until you give it a class on the Configure page"
    ]
