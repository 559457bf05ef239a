from __future__ import annotations

from decimal import Decimal

from rebalancer.bands import Bands, out_of_band

D = Decimal
RULE = Bands(D(5), D(25))


def test_a_large_class_has_the_absolute_band_and_a_small_one_the_relative_band() -> None:
    total = D(100_000)
    assert RULE.width(D(40_000), total) == D(5000)  # 5 points of 40 %
    assert RULE.width(D(10_000), total) == D(2500)  # 25 % of 10 %: 2.5 points


def test_a_class_is_out_of_band_only_past_its_band() -> None:
    targets = {"US TSM": D(40_000), "EM": D(10_000), "US TBM": D(50_000)}
    values = {"US TSM": D(45_000), "EM": D(7_400), "US TBM": D(47_600)}
    assert out_of_band(values, targets, D(100_000), RULE) == {"EM"}


def test_a_class_held_without_a_target_is_always_out_of_band_and_cash_never() -> None:
    values = {"US TSM": D(99_000), "US LC": D(1), "Cash": D(999)}
    assert out_of_band(values, {"US TSM": D(100_000)}, D(100_000), RULE) == {"US LC"}
