"""The charts: valid SVG that the CSP allows, labelled so they read without colour."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from decimal import Decimal

from rebalance_service.web.charts import ClassBars, Placement, allocation_chart, placement_chart

SVG = "{http://www.w3.org/2000/svg}"
ROWS = [
    ClassBars("US TSM", Decimal("27.28"), Decimal("51.28"), Decimal("50.00")),
    ClassBars("US TBM", Decimal("0.00"), Decimal("3.44"), Decimal("30.00")),
    ClassBars("<Bonds & more>", Decimal("1"), Decimal("2"), Decimal("3")),
]
PLACES = [
    Placement(
        "US TSM",
        {"taxable": Decimal("104243.06")},
        {"taxable": Decimal("150000"), "tax_free": Decimal("45965.69")},
    ),
    Placement("US TBM", {}, {"tax_deferred": Decimal("8125.11")}),
]


def _texts(svg: str) -> list[str]:
    return [t.text or "" for t in ET.fromstring(svg).iter(f"{SVG}text")]


def test_the_allocation_chart_labels_every_bar_with_its_series_and_value() -> None:
    svg = str(allocation_chart(ROWS))
    texts = _texts(svg)
    assert texts.count("before") == texts.count("after") == texts.count("target") == 3
    assert {"Before", "After", "Target", "US TSM", "27.3 %", "51.3 %", "50.0 %"} <= set(texts)


def test_chart_text_is_escaped() -> None:
    svg = str(allocation_chart(ROWS))
    assert "<Bonds & more>" in _texts(svg)
    assert "&lt;Bonds &amp; more&gt;" in svg


def test_a_chart_carries_no_inline_style_for_the_csp_to_block() -> None:
    for svg in (str(allocation_chart(ROWS)), str(placement_chart(PLACES))):
        assert "style=" not in svg
        assert "<style" not in svg
        assert "<script" not in svg


def test_a_chart_is_an_image_named_by_its_title_and_summarised_in_its_description() -> None:
    root = ET.fromstring(str(allocation_chart(ROWS, "c1")))
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "c1-title c1-desc"
    desc = root.find(f"{SVG}desc")
    assert desc is not None
    assert "US TSM: 27.3 % before, 51.3 % after, target 50.0 %" in (desc.text or "")


def test_series_differ_by_pattern_as_well_as_by_colour() -> None:
    svg = str(placement_chart(PLACES, "p"))
    fills = set(re.findall(r'fill="(url\(#[^)]+\))"', svg))
    assert fills == {"url(#p-hatch-green)", "url(#p-dots-pink)"}
    assert {"Taxable", "Tax-deferred", "Tax-free"} <= set(_texts(svg))


def test_the_placement_chart_labels_each_bar_with_its_total_and_split_bars_by_part() -> None:
    texts = _texts(str(placement_chart(PLACES)))
    assert "$104k" in texts  # the single-part bar: its total only
    assert texts.count("$104k") == 1
    assert {"$150k", "$46k", "$196k", "$8.1k"} <= set(texts)


def test_charts_of_two_kinds_on_one_page_use_distinct_ids() -> None:
    a, b = str(allocation_chart(ROWS)), str(placement_chart(PLACES))
    ids_a = set(re.findall(r'id="([^"]+)"', a))
    ids_b = set(re.findall(r'id="([^"]+)"', b))
    assert not ids_a & ids_b


def test_an_empty_portfolio_still_draws_a_chart() -> None:
    assert ET.fromstring(str(placement_chart([]))).find(f"{SVG}desc") is not None
    assert ET.fromstring(str(allocation_chart([]))).get("role") == "img"


def test_the_narrow_chart_puts_names_above_the_bars_so_its_text_stays_full_size() -> None:
    from rebalance_service.web.charts import NARROW

    root = ET.fromstring(str(placement_chart(PLACES, "c-narrow", NARROW)))
    assert root.get("viewBox", "").startswith("0 0 360 ")
    assert "narrow" in (root.get("class") or "")
    names = [t for t in root.iter(f"{SVG}text") if t.get("class") == "name"]
    assert [float(t.get("x", "-1")) for t in names] == [0.0, 0.0]


def test_a_label_is_drawn_inside_a_bar_only_where_it_fits() -> None:
    from rebalance_service.web.charts import fits_inside

    assert fits_inside("$104k", 60)
    assert not fits_inside("$104k", 40)
