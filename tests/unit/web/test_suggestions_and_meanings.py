"""A class suggested from a fund's description, and the plain meaning of class names."""

from __future__ import annotations

import pytest

from rebalance_service.web.class_names import meaning
from rebalance_service.web.suggestions import suggest_class

CLASSES = ["US TSM", "US LC", "US SC", "ex-US TSM", "EM", "REIT", "US TBM", "ex-US TBM", "LTB",
           "ST Treasury", "TIPS", "Cash"]  # fmt: skip


@pytest.mark.parametrize(
    ("description", "expected"),
    [
        ("SP 500 INDEX PL CL E", "US LC"),
        ("FID BLUE CHIP GR K6", "US LC"),
        ("FIDELITY TOTAL MARKET INDEX FUND", "US TSM"),
        ("FIDELITY INTERNATL INDEX FUND", "ex-US TSM"),
        ("VANGUARD EMERGING MKTS STOCK INDEX", "EM"),
        ("FID US BOND INDEX", "US TBM"),
        ("VANGUARD TOTAL INTL BOND INDEX", "ex-US TBM"),
        ("FID EXTENDED MKT INDEX", "US SC"),
        ("FIDELITY EQUITY INCOME", "US LC"),
        ("VANGUARD TARGET RETIREMENT 2045", ""),  # a mix of classes: no guess
        ("SOMETHING ELSE ENTIRELY", ""),
    ],
)
def test_a_fund_description_suggests_its_class(description: str, expected: str) -> None:
    assert suggest_class(description, CLASSES) == expected


def test_a_class_the_user_does_not_have_is_never_suggested() -> None:
    assert suggest_class("SP 500 INDEX PL CL E", ["US TSM", "US TBM"]) == ""


def test_class_names_have_plain_meanings_and_unknown_ones_none() -> None:
    assert meaning("US TSM") == "US total stock market"
    assert meaning("LTB") == "Long-term Treasuries and bonds"
    assert meaning("My own class") == ""
