from __future__ import annotations

from datetime import date

from rebalancer.fixed_income import maturity, recognise

MARCH_2025 = date(2025, 3, 4)


def test_a_treasury_bill_is_short_term_whatever_its_date() -> None:
    bill = "UNITED STATES TREAS BILLS ZERO CPN 0.00000% 03/20/2025"
    assert recognise("912797KJ5", bill, MARCH_2025) == "ST Treasury"


def test_a_treasury_note_is_classed_by_the_years_left_to_its_maturity() -> None:
    note = "UNITED STATES TREAS NTS 4.25000% {} "
    assert recognise("91282CJL6", note.format("11/30/2026"), MARCH_2025) == "ST Treasury"
    assert recognise("91282CJL6", note.format("11/15/2033"), MARCH_2025) == "US TBM"
    assert recognise("912810TM0", note.format("05/15/2053"), MARCH_2025) == "LTB"


def test_the_same_note_moves_to_short_term_as_its_maturity_nears() -> None:
    note = "UNITED STATES TREAS NTS 4.25000% 11/15/2029"
    assert recognise("91282CJL6", note, date(2025, 3, 4)) == "US TBM"
    assert recognise("91282CJL6", note, date(2027, 3, 4)) == "ST Treasury"


def test_a_treasury_is_known_by_its_cusip_prefix_or_by_its_description() -> None:
    assert recognise("912828ZZ1", "", MARCH_2025) == "US TBM"  # no date: intermediate
    assert recognise("XYZ", "US TREASURY NOTE MAT 05/15/2025", MARCH_2025) == "ST Treasury"


def test_tips_are_tips() -> None:
    tips = "UNITED STATES TREAS INFLATION INDEXED 0.12500% 01/15/2032"
    assert recognise("91282CDX6", tips, MARCH_2025) == "TIPS"


def test_a_brokered_cd_is_short_term() -> None:
    cd = "GOLDMAN SACHS BK USA CD 4.55000% 06/10/2027 FDIC INS"
    assert recognise("38150VAB5", cd, MARCH_2025) == "ST Treasury"


def test_funds_and_stocks_are_not_recognised() -> None:
    assert recognise("84679P504", "SP 500 INDEX PL CL E", MARCH_2025) is None
    assert recognise("AAPL", "APPLE INC", MARCH_2025) is None


def test_the_maturity_is_the_last_date_in_the_description() -> None:
    assert maturity("CD 4.55000% 06/10/2025 FDIC INS") == date(2025, 6, 10)
    assert maturity("US TREAS BILL 0% 05/15/25") == date(2025, 5, 15)
    assert maturity("NO DATE HERE") is None
