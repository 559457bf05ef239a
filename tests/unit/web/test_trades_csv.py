"""The trades CSV: what a spreadsheet opens, without running anything."""

from __future__ import annotations

import csv
import io
from urllib.parse import unquote

import pytest

from rebalance_service.web.trades_csv import data_url, safe_cell, trades_csv

TRADE = {
    "account": "...0746",
    "description": "Joint brokerage",
    "tax_group": "taxable",
    "action": "buy",
    "symbol": "BND",
    "asset_class": "US TBM",
    "shares": None,
    "price": None,
    "amount": "8125.11",
    "reason": "US TBM is 30.0 points under target",
}


@pytest.mark.parametrize(
    "cell",
    ['=HYPERLINK("http://x")', "+1+2", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd", "-", "=1"],
)
def test_a_cell_that_a_spreadsheet_would_run_gets_a_leading_quote(cell: str) -> None:
    assert safe_cell(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["-5.00", "+12", "-0.5", "1234.56", "...0746", "US TSM", ""])
def test_plain_numbers_and_ordinary_text_stay_as_they_are(cell: str) -> None:
    assert safe_cell(cell) == cell


def test_a_missing_value_is_an_empty_cell() -> None:
    assert safe_cell(None) == ""


def test_the_csv_has_a_header_and_one_row_per_trade_in_order() -> None:
    sell = {**TRADE, "action": "sell", "symbol": "FXAIX", "shares": "15.439", "price": "203.50"}
    rows = list(csv.reader(io.StringIO(trades_csv([sell, TRADE]))))
    assert rows[0][:4] == ["Account", "Description", "Tax group", "Action"]
    assert [r[4] for r in rows[1:]] == ["FXAIX", "BND"]
    assert rows[2][6:9] == ["", "", "8125.11"]


def test_a_sale_carries_its_estimated_gain_and_a_loss_stays_a_number() -> None:
    sale = {**TRADE, "action": "sell", "tax_group": "taxable", "estimated_gain": "-30.50"}
    header, sold, bought = csv.reader(io.StringIO(trades_csv([sale, TRADE])))
    column = header.index("Estimated gain")
    assert header[column - 1 : column + 2] == ["Amount", "Estimated gain", "Reason"]
    assert (sold[column], bought[column]) == ("-30.50", "")


def test_a_description_written_as_a_formula_is_defused_in_the_file() -> None:
    text = trades_csv([{**TRADE, "description": "=cmd|' /C calc'!A0"}])
    row = list(csv.reader(io.StringIO(text)))[1]
    assert row[1] == "'=cmd|' /C calc'!A0"


def test_the_data_url_holds_the_file_with_a_byte_order_mark() -> None:
    url = data_url("a,b\r\n1,2\r\n")
    assert url.startswith("data:text/csv;charset=utf-8,")
    assert unquote(url.split(",", 1)[1]) == "\ufeffa,b\r\n1,2\r\n"
    assert " " not in url
    assert "#" not in url
