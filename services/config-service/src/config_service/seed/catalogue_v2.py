"""Built-in securities catalogue, version 2: the common funds that hold several classes.

Target-date, LifeStrategy, balanced and allocation funds, each with its *mix*: the
percent of the fund in each asset class of catalogue v1. The mixes are
APPROXIMATIONS of the allocations the fund companies published around `MIXES_AS_OF`,
rounded to whole percents and mapped onto our classes (a fund's short-term TIPS
count as TIPS, its money-market sliver as the bond sleeve beside it). Target-date
funds glide toward bonds every year, so these drift: to update a mix, add a later
module (catalogue_v3) and a migration that rewrites those funds' sleeves (see the
README); a user's own `securities` entry for a symbol always wins over this one.

Left out for want of a ticker we could vouch for: the Schwab Target Index funds
(SWY..) and the Fidelity Freedom Index 2065 and 2070 funds. A user adds any of them
with their own `mix`.

Like catalogue_v1, this module is frozen data once released: migration 0003 seeds
exactly these rows, so it must never change. Numbers are strings, for exact decimals.
"""

from __future__ import annotations

MIXES_AS_OF = "2025-06-30"  # when the published allocations were approximated

_TSM, _EXUS, _TBM, _EXUS_TBM, _TIPS, _LC = (
    "US TSM",
    "ex-US TSM",
    "US TBM",
    "ex-US TBM",
    "TIPS",
    "US LC",
)


Sleeves = tuple[tuple[str, str], ...]  # (asset class, percent)


def _sleeves(us: str, ex_us: str, tbm: str, ex_us_tbm: str, tips: str = "0") -> Sleeves:
    """The four-fund mix (and TIPS) most of these funds are built from; 0 % left out."""
    return tuple(
        (name, percent)
        for name, percent in (
            (_TSM, us),
            (_EXUS, ex_us),
            (_TBM, tbm),
            (_EXUS_TBM, ex_us_tbm),
            (_TIPS, tips),
        )
        if percent != "0"
    )


# (symbol, fractional, ((asset class, percent), ...)); percents add up to 100.
MIX_FUNDS: tuple[tuple[str, bool, Sleeves], ...] = (
    # Vanguard Target Retirement (Investor shares): Total Stock Market, Total
    # International Stock, Total Bond Market II, Total International Bond II and,
    # near retirement, Short-Term Inflation-Protected Securities.
    ("VTINX", True, _sleeves("18", "12", "37", "16", "17")),  # Income
    ("VTWNX", True, _sleeves("24", "16", "33", "14", "13")),  # 2020
    ("VTTVX", True, _sleeves("32", "21", "30", "12", "5")),  # 2025
    ("VTHRX", True, _sleeves("38", "25", "26", "11")),  # 2030
    ("VTTHX", True, _sleeves("42", "28", "21", "9")),  # 2035
    ("VFORX", True, _sleeves("47", "31", "15", "7")),  # 2040
    ("VTIVX", True, _sleeves("51", "34", "10", "5")),  # 2045
    ("VFIFX", True, _sleeves("54", "36", "7", "3")),  # 2050
    ("VFFVX", True, _sleeves("54", "36", "7", "3")),  # 2055
    ("VTTSX", True, _sleeves("54", "36", "7", "3")),  # 2060
    ("VLXVX", True, _sleeves("54", "36", "7", "3")),  # 2065
    ("VSVNX", True, _sleeves("54", "36", "7", "3")),  # 2070
    # Vanguard LifeStrategy: stocks 60/40 US/international, bonds 70/30 US/international.
    ("VASIX", True, _sleeves("12", "8", "56", "24")),  # Income, 20 % stocks
    ("VSCGX", True, _sleeves("24", "16", "42", "18")),  # Conservative Growth, 40 %
    ("VSMGX", True, _sleeves("36", "24", "28", "12")),  # Moderate Growth, 60 %
    ("VASGX", True, _sleeves("48", "32", "14", "6")),  # Growth, 80 %
    # Vanguard Balanced Index: 60 % CRSP US Total Market, 40 % US aggregate bonds.
    ("VBIAX", True, ((_TSM, "60"), (_TBM, "40"))),  # Admiral
    ("VBINX", True, ((_TSM, "60"), (_TBM, "40"))),  # Investor
    # Vanguard Wellington (about two thirds dividend-paying large caps, some abroad)
    # and Wellesley Income (about two fifths stocks); their bonds are investment grade.
    ("VWELX", True, ((_LC, "60"), (_EXUS, "5"), (_TBM, "35"))),  # Wellington Investor
    ("VWENX", True, ((_LC, "60"), (_EXUS, "5"), (_TBM, "35"))),  # Wellington Admiral
    ("VWINX", True, ((_LC, "34"), (_EXUS, "4"), (_TBM, "62"))),  # Wellesley Investor
    ("VWIAX", True, ((_LC, "34"), (_EXUS, "4"), (_TBM, "62"))),  # Wellesley Admiral
    # Fidelity Freedom Index (Investor class): US total market, international,
    # aggregate bonds, inflation-protected and short-term Treasury near retirement.
    (
        "FIKFX",
        True,
        ((_TSM, "12"), (_EXUS, "8"), (_TBM, "50"), (_TIPS, "20"), ("ST Treasury", "10")),
    ),  # Income
    (
        "FPIFX",
        True,
        ((_TSM, "24"), (_EXUS, "16"), (_TBM, "42"), (_TIPS, "12"), ("ST Treasury", "6")),
    ),  # 2020
    ("FQIFX", True, ((_TSM, "31"), (_EXUS, "21"), (_TBM, "38"), (_TIPS, "10"))),  # 2025
    ("FXIFX", True, ((_TSM, "36"), (_EXUS, "25"), (_TBM, "33"), (_TIPS, "6"))),  # 2030
    ("FIHFX", True, ((_TSM, "43"), (_EXUS, "29"), (_TBM, "26"), (_TIPS, "2"))),  # 2035
    ("FBIFX", True, ((_TSM, "49"), (_EXUS, "33"), (_TBM, "18"))),  # 2040
    ("FIOFX", True, ((_TSM, "53"), (_EXUS, "35"), (_TBM, "12"))),  # 2045
    ("FIPFX", True, ((_TSM, "54"), (_EXUS, "36"), (_TBM, "10"))),  # 2050
    ("FDEWX", True, ((_TSM, "54"), (_EXUS, "36"), (_TBM, "10"))),  # 2055
    ("FDKLX", True, ((_TSM, "54"), (_EXUS, "36"), (_TBM, "10"))),  # 2060
    # iShares Core allocation ETFs (whole shares): US and international stock ETFs,
    # US and international aggregate bond ETFs.
    ("AOK", False, _sleeves("18", "12", "56", "14")),  # conservative, 30 % stocks
    ("AOM", False, _sleeves("24", "16", "48", "12")),  # moderate, 40 %
    ("AOR", False, _sleeves("36", "24", "32", "8")),  # growth, 60 %
    ("AOA", False, _sleeves("48", "32", "16", "4")),  # aggressive, 80 %
)
