from __future__ import annotations

from decimal import Decimal

from rebalancer.instruments import Instrument, classify, quote_factor, unit_price
from rebalancer.statement import Holding, HoldingKind


def test_a_t_bill_row_is_quoted_per_100_of_face_and_worth_its_value_per_face_dollar() -> None:
    bill = Holding(
        "912797MM6",
        "UNITED STATES TREAS BILLS ZERO CPN 0.00000% 03/06/2025",
        Decimal(100000),
        Decimal("99.977"),
        Decimal("99977.00"),
    )
    assert bill.instrument == Instrument.BOND
    assert bill.quote_factor == Decimal("0.01")
    assert bill.unit_price == Decimal("0.99977")
    assert bill.unit_price * bill.shares == bill.value


def test_an_option_contract_is_worth_a_hundred_times_its_quote() -> None:
    option = Holding(
        "-AAPL250117C200", "CALL APPLE", Decimal(2), Decimal("2.50"), Decimal(500), None,
        HoldingKind.OPTION,
    )  # fmt: skip
    assert option.instrument == Instrument.OPTION
    assert option.unit_price == Decimal(250)


def test_a_fund_is_worth_its_quote_per_share() -> None:
    fund = Holding("FXAIX", "FIDELITY 500 INDEX FUND", Decimal("474.74"), Decimal("203.50"),
                   Decimal("96609.59"))  # fmt: skip
    assert fund.instrument == Instrument.FUND
    assert fund.quote_factor == 1
    assert fund.unit_price == Decimal("203.50")


def test_the_rows_own_arithmetic_wins_over_the_kind_of_instrument() -> None:
    # A CUSIP a 401(k) quotes per unit is not a bond for being a CUSIP.
    assert quote_factor(Decimal(10), Decimal("274.85"), Decimal("2748.50"), Instrument.BOND) == 1


def test_a_row_whose_figures_fit_no_factor_is_worth_its_value_over_its_quantity() -> None:
    shares, price, value = Decimal(3), Decimal(7), Decimal(100)
    assert quote_factor(shares, price, value, Instrument.FUND) is None
    assert unit_price(shares, price, value, Instrument.FUND) == value / shares


def test_a_bond_row_without_a_value_takes_the_per_100_factor_of_its_kind() -> None:
    assert unit_price(Decimal(1000), Decimal(98), Decimal(0), Instrument.BOND) == Decimal("0.98")


def test_stocks_funds_bonds_and_cds_are_told_apart_by_their_description() -> None:
    assert classify("AMZN", "AMAZON.COM INC") == Instrument.STOCK
    assert classify("GOOGL", "ALPHABET INC CAP STK CL A") == Instrument.STOCK
    assert classify("JPM", "JPMORGAN CHASE &CO. COM") == Instrument.STOCK
    assert classify("SPY", "SPDR S&P 500 ETF TRUST") == Instrument.FUND
    assert classify("FBCGX", "FID BLUE CHIP GR K6") == Instrument.FUND
    assert classify("84679P504", "SP 500 INDEX PL CL E") == Instrument.FUND
    assert classify("VTI", "") == Instrument.FUND
    assert classify("38150VAB5", "GOLDMAN SACHS BK USA CD 4.55000% 06/10/2025 FDIC INS") == (
        Instrument.CD
    )
    assert classify("91282CJL6", "UNITED STATES TREAS SER AY-2026 4.87500% 11/30/2026") == (
        Instrument.BOND
    )
    assert classify("-AAPL250117C200", "CALL (AAPL) APPLE INC", option=True) == Instrument.OPTION
