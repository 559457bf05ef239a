"""Trades as a person places them, and the plan's one-line summary."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from rebalance_service.web.trade_lines import estimated_gain, exact_price, summary, trade_line
from rebalance_service.web.trades_csv import file_name


def _trade(**fields: object) -> dict[str, object]:
    base: dict[str, object] = {
        "action": "sell",
        "symbol": "VTI",
        "asset_class": "US TSM",
        "shares": "10",
        "price": "72.5",
        "unit_price": "72.5",
        "amount": "725.00",
        "reason": "US TSM is trimmed to its target",
        "tax_group": "tax_deferred",
        "estimated_gain": None,
    }
    return {**base, **fields}


def test_a_bill_is_shown_by_face_amount_at_its_price_per_100_of_face() -> None:
    line = trade_line(
        _trade(
            symbol="912797MM6",
            asset_class="ST Treasury",
            shares="173000",
            price="99.977",
            unit_price="0.99977",
            amount="172960.21",
        )
    )
    assert (line.face, line.quantity, line.price, line.amount) == (
        True,
        "face $173,000",
        "$99.977 per $100",
        "$172,960.21",
    )


def test_a_fund_keeps_its_shares_and_every_place_of_its_price() -> None:
    line = trade_line(_trade(shares="12.345", price="172.325", unit_price="172.325"))
    assert (line.face, line.quantity, line.price) == (False, "12.345", "$172.325")
    assert exact_price(Decimal("72.5")) == "$72.50"


def test_a_buy_without_a_price_is_ordered_by_its_amount() -> None:
    line = trade_line(_trade(action="buy", shares=None, price=None, unit_price=None))
    assert (line.unpriced, line.quantity, line.price) == (True, "", "")


def test_the_estimated_gain_is_the_figure_each_sale_carries() -> None:
    assert estimated_gain(_trade(tax_group="taxable", estimated_gain="1105.80")) == Decimal(
        "1105.80"
    )
    assert estimated_gain(_trade(tax_group="taxable", estimated_gain="-0.98")) == Decimal("-0.98")
    assert estimated_gain(_trade(tax_group="tax_free")) is None
    assert estimated_gain(_trade(action="buy", tax_group="taxable")) is None


def test_a_taxable_sale_without_a_known_basis_counts_as_all_gain() -> None:
    assert estimated_gain(_trade(tax_group="taxable")) == Decimal("725.00")
    assert estimated_gain(_trade(tax_group=None)) == Decimal("725.00")  # planned as taxable


def test_the_total_gain_never_reads_the_reason_text() -> None:
    trade = _trade(
        tax_group="taxable", estimated_gain="12.00", reason="realizes an estimated $99.00 gain"
    )
    assert estimated_gain(trade) == Decimal("12.00")


def test_the_summary_totals_trades_gains_and_the_distance_from_target() -> None:
    plan = {
        "trades": [
            _trade(tax_group="taxable", estimated_gain="100.00"),
            _trade(tax_group="taxable", estimated_gain="-30.50", amount="50.00"),
            _trade(action="buy", amount="700.00"),
        ],
        "allocation_before": [
            {"percent": "60", "target_percent": "50"},
            {"percent": "40", "target_percent": "50"},
        ],
        "allocation_after": [
            {"percent": "51", "target_percent": "50"},
            {"percent": "49", "target_percent": "50"},
        ],
    }
    found = summary(plan)
    assert (found.trades, found.sold, found.bought, found.gains, found.unknown_basis) == (
        3,
        Decimal("775.00"),
        Decimal("700.00"),
        Decimal("69.50"),
        0,
    )
    assert found.sentence() == (
        "3 trades: sell $775.00, buy $700.00; estimated realized gains $69.50; "
        "10.0 % of the portfolio is off target before, 1.0 % after."
    )


def test_a_plan_that_only_buys_says_so_rather_than_sell_nothing_for_no_gain() -> None:
    plan = {
        "trades": [{**_trade(), "action": "buy", "estimated_gain": None}],
        "allocation_before": [{"percent": "100", "target_percent": "0"}],
        "allocation_after": [{"percent": "80", "target_percent": "0"}],
    }
    assert summary(plan).sentence() == (
        "1 trade: buy $725.00; no sales, so no realized gains; "
        "50.0 % of the portfolio is off target before, 40.0 % after."
    )


def test_the_summary_counts_the_sales_without_a_known_basis() -> None:
    plan = {
        "trades": [_trade(tax_group="taxable"), _trade(tax_group="taxable", estimated_gain="5")],
        "allocation_before": [],
        "allocation_after": [],
    }
    found = summary(plan)
    assert (found.gains, found.unknown_basis) == (Decimal("730.00"), 1)


def test_the_download_is_named_for_the_exports_date_and_the_mode() -> None:
    assert file_name(date(2025, 3, 4), "full") == "rebalance-trades-2025-03-04-full.csv"
    assert file_name(date(2025, 3, 4), "buy_only") == "rebalance-trades-2025-03-04-buy-only.csv"
