"""Built-in securities catalogue, version 1: the data the first data migration seeds.

Asset groups, asset classes, the common index funds, ETFs and money-market funds of
Vanguard, Fidelity, Schwab and iShares (plus a few widely held others) mapped to
those classes, the default Bogleheads-style targets, and the default tax-efficient
placement order for each tax group.

This module is frozen data. The Alembic migration that imports it must seed the
same rows on every database, now and in future, so once released this module must
NEVER change: not a symbol, not a flag, not the order. Later changes to the
built-in catalogue go in a new module (catalogue_v2) applied by a new migration.
It therefore imports nothing and holds only plain strings, booleans, tuples and
dicts; numbers are strings so the migration can turn them into exact decimals.

Securities rows are (symbol, asset class, fractional, default). Fractional is True
for mutual funds and money-market funds, which can be bought in fractional shares,
and False for ETFs. Each asset class has exactly one default security, the one
bought when an account holds nothing of that class yet; the defaults are ETFs
because ETFs trade at every brokerage.
"""

from __future__ import annotations

ASSET_GROUPS: tuple[str, ...] = ("Stocks", "Bonds", "Cash")

# (name, asset group)
ASSET_CLASSES: tuple[tuple[str, str], ...] = (
    ("US TSM", "Stocks"),  # US total stock market
    ("US LC", "Stocks"),  # US large cap, S&P 500
    ("US SC", "Stocks"),  # US small cap, including small value
    ("ex-US TSM", "Stocks"),  # international total market and developed markets
    ("EM", "Stocks"),  # emerging markets
    ("REIT", "Stocks"),  # real estate investment trusts
    ("US TBM", "Bonds"),  # US total bond market, aggregate
    ("ex-US TBM", "Bonds"),  # international bonds
    ("LTB", "Bonds"),  # long-term Treasury and long-term bond
    ("ST Treasury", "Bonds"),  # short-term Treasury, including Treasury bills
    ("TIPS", "Bonds"),  # Treasury inflation-protected securities
    ("Cash", "Cash"),  # money-market funds and brokerage sweep positions
)

# (symbol, asset class, fractional, default)
SECURITIES: tuple[tuple[str, str, bool, bool], ...] = (
    # US TSM
    ("VTI", "US TSM", False, True),  # Vanguard Total Stock Market ETF
    ("VTSAX", "US TSM", True, False),  # Vanguard Total Stock Market Index Admiral
    ("VTSMX", "US TSM", True, False),  # Vanguard Total Stock Market Index Investor
    ("VITSX", "US TSM", True, False),  # Vanguard Total Stock Market Index Institutional
    ("VSMPX", "US TSM", True, False),  # Vanguard Total Stock Market Index Institutional Plus
    ("VTHR", "US TSM", False, False),  # Vanguard Russell 3000 ETF
    ("FSKAX", "US TSM", True, False),  # Fidelity Total Market Index
    ("FZROX", "US TSM", True, False),  # Fidelity ZERO Total Market Index
    ("SWTSX", "US TSM", True, False),  # Schwab Total Stock Market Index
    ("SCHB", "US TSM", False, False),  # Schwab U.S. Broad Market ETF
    ("ITOT", "US TSM", False, False),  # iShares Core S&P Total U.S. Stock Market ETF
    ("IWV", "US TSM", False, False),  # iShares Russell 3000 ETF
    # US LC
    ("VOO", "US LC", False, True),  # Vanguard S&P 500 ETF
    ("VFIAX", "US LC", True, False),  # Vanguard 500 Index Admiral
    ("VFINX", "US LC", True, False),  # Vanguard 500 Index Investor
    ("VINIX", "US LC", True, False),  # Vanguard Institutional Index Institutional
    ("VIIIX", "US LC", True, False),  # Vanguard Institutional Index Institutional Plus
    ("VV", "US LC", False, False),  # Vanguard Large-Cap ETF
    ("VLCAX", "US LC", True, False),  # Vanguard Large-Cap Index Admiral
    ("VONE", "US LC", False, False),  # Vanguard Russell 1000 ETF
    ("FXAIX", "US LC", True, False),  # Fidelity 500 Index
    ("FNILX", "US LC", True, False),  # Fidelity ZERO Large Cap Index
    ("SWPPX", "US LC", True, False),  # Schwab S&P 500 Index
    ("SNXFX", "US LC", True, False),  # Schwab 1000 Index
    ("SCHX", "US LC", False, False),  # Schwab U.S. Large-Cap ETF
    ("SCHK", "US LC", False, False),  # Schwab 1000 Index ETF
    ("IVV", "US LC", False, False),  # iShares Core S&P 500 ETF
    ("IWB", "US LC", False, False),  # iShares Russell 1000 ETF
    ("SPY", "US LC", False, False),  # SPDR S&P 500 ETF Trust
    # US SC
    ("VB", "US SC", False, True),  # Vanguard Small-Cap ETF
    ("VSMAX", "US SC", True, False),  # Vanguard Small-Cap Index Admiral
    ("NAESX", "US SC", True, False),  # Vanguard Small-Cap Index Investor
    ("VSCIX", "US SC", True, False),  # Vanguard Small-Cap Index Institutional
    ("VBR", "US SC", False, False),  # Vanguard Small-Cap Value ETF
    ("VSIAX", "US SC", True, False),  # Vanguard Small-Cap Value Index Admiral
    ("VISVX", "US SC", True, False),  # Vanguard Small-Cap Value Index Investor
    ("VBK", "US SC", False, False),  # Vanguard Small-Cap Growth ETF
    ("VSGAX", "US SC", True, False),  # Vanguard Small-Cap Growth Index Admiral
    ("VTWO", "US SC", False, False),  # Vanguard Russell 2000 ETF
    ("VIOO", "US SC", False, False),  # Vanguard S&P Small-Cap 600 ETF
    ("VIOV", "US SC", False, False),  # Vanguard S&P Small-Cap 600 Value ETF
    ("FSSNX", "US SC", True, False),  # Fidelity Small Cap Index
    ("FISVX", "US SC", True, False),  # Fidelity Small Cap Value Index
    ("SWSSX", "US SC", True, False),  # Schwab Small-Cap Index
    ("SCHA", "US SC", False, False),  # Schwab U.S. Small-Cap ETF
    ("IJR", "US SC", False, False),  # iShares Core S&P Small-Cap ETF
    ("IJS", "US SC", False, False),  # iShares S&P Small-Cap 600 Value ETF
    ("IWM", "US SC", False, False),  # iShares Russell 2000 ETF
    ("IWN", "US SC", False, False),  # iShares Russell 2000 Value ETF
    ("AVUV", "US SC", False, False),  # Avantis U.S. Small Cap Value ETF
    # ex-US TSM (total international, developed markets, international small cap)
    ("VXUS", "ex-US TSM", False, True),  # Vanguard Total International Stock ETF
    ("VTIAX", "ex-US TSM", True, False),  # Vanguard Total International Stock Index Admiral
    ("VGTSX", "ex-US TSM", True, False),  # Vanguard Total International Stock Index Investor
    ("VTSNX", "ex-US TSM", True, False),  # Vanguard Total Intl Stock Index Institutional
    ("VEU", "ex-US TSM", False, False),  # Vanguard FTSE All-World ex-US ETF
    ("VFWAX", "ex-US TSM", True, False),  # Vanguard FTSE All-World ex-US Index Admiral
    ("VEA", "ex-US TSM", False, False),  # Vanguard FTSE Developed Markets ETF
    ("VTMGX", "ex-US TSM", True, False),  # Vanguard Developed Markets Index Admiral
    ("VDVIX", "ex-US TSM", True, False),  # Vanguard Developed Markets Index Investor
    ("VSS", "ex-US TSM", False, False),  # Vanguard FTSE All-World ex-US Small-Cap ETF
    ("VFSAX", "ex-US TSM", True, False),  # Vanguard FTSE All-World ex-US Small-Cap Admiral
    ("FTIHX", "ex-US TSM", True, False),  # Fidelity Total International Index
    ("FZILX", "ex-US TSM", True, False),  # Fidelity ZERO International Index
    ("FSPSX", "ex-US TSM", True, False),  # Fidelity International Index
    ("FSGGX", "ex-US TSM", True, False),  # Fidelity Global ex U.S. Index
    ("SWISX", "ex-US TSM", True, False),  # Schwab International Index
    ("SCHF", "ex-US TSM", False, False),  # Schwab International Equity ETF
    ("SCHC", "ex-US TSM", False, False),  # Schwab International Small-Cap Equity ETF
    ("IXUS", "ex-US TSM", False, False),  # iShares Core MSCI Total International Stock ETF
    ("IEFA", "ex-US TSM", False, False),  # iShares Core MSCI EAFE ETF
    ("EFA", "ex-US TSM", False, False),  # iShares MSCI EAFE ETF
    ("ACWX", "ex-US TSM", False, False),  # iShares MSCI ACWI ex U.S. ETF
    ("IDEV", "ex-US TSM", False, False),  # iShares Core MSCI International Developed Mkts ETF
    ("SCZ", "ex-US TSM", False, False),  # iShares MSCI EAFE Small-Cap ETF
    ("AVDV", "ex-US TSM", False, False),  # Avantis International Small Cap Value ETF
    # EM
    ("VWO", "EM", False, True),  # Vanguard FTSE Emerging Markets ETF
    ("VEMAX", "EM", True, False),  # Vanguard Emerging Markets Stock Index Admiral
    ("VEIEX", "EM", True, False),  # Vanguard Emerging Markets Stock Index Investor
    ("VEMIX", "EM", True, False),  # Vanguard Emerging Markets Stock Index Institutional
    ("FPADX", "EM", True, False),  # Fidelity Emerging Markets Index
    ("SCHE", "EM", False, False),  # Schwab Emerging Markets Equity ETF
    ("IEMG", "EM", False, False),  # iShares Core MSCI Emerging Markets ETF
    ("EEM", "EM", False, False),  # iShares MSCI Emerging Markets ETF
    ("AVEM", "EM", False, False),  # Avantis Emerging Markets Equity ETF
    # REIT
    ("VNQ", "REIT", False, True),  # Vanguard Real Estate ETF
    ("VGSLX", "REIT", True, False),  # Vanguard Real Estate Index Admiral
    ("VGSIX", "REIT", True, False),  # Vanguard Real Estate Index Investor
    ("VGSNX", "REIT", True, False),  # Vanguard Real Estate Index Institutional
    ("VNQI", "REIT", False, False),  # Vanguard Global ex-U.S. Real Estate ETF
    ("FSRNX", "REIT", True, False),  # Fidelity Real Estate Index
    ("FREL", "REIT", False, False),  # Fidelity MSCI Real Estate Index ETF
    ("SCHH", "REIT", False, False),  # Schwab U.S. REIT ETF
    ("USRT", "REIT", False, False),  # iShares Core U.S. REIT ETF
    ("IYR", "REIT", False, False),  # iShares U.S. Real Estate ETF
    # US TBM
    ("BND", "US TBM", False, True),  # Vanguard Total Bond Market ETF
    ("VBTLX", "US TBM", True, False),  # Vanguard Total Bond Market Index Admiral
    ("VBMFX", "US TBM", True, False),  # Vanguard Total Bond Market Index Investor
    ("VBTIX", "US TBM", True, False),  # Vanguard Total Bond Market Index Institutional
    ("FXNAX", "US TBM", True, False),  # Fidelity U.S. Bond Index
    ("SWAGX", "US TBM", True, False),  # Schwab U.S. Aggregate Bond Index
    ("SCHZ", "US TBM", False, False),  # Schwab U.S. Aggregate Bond ETF
    ("AGG", "US TBM", False, False),  # iShares Core U.S. Aggregate Bond ETF
    ("IUSB", "US TBM", False, False),  # iShares Core Total USD Bond Market ETF
    # ex-US TBM
    ("BNDX", "ex-US TBM", False, True),  # Vanguard Total International Bond ETF
    ("VTABX", "ex-US TBM", True, False),  # Vanguard Total International Bond Index Admiral
    ("VTIFX", "ex-US TBM", True, False),  # Vanguard Total Intl Bond Index Institutional
    ("FBIIX", "ex-US TBM", True, False),  # Fidelity International Bond Index
    ("IAGG", "ex-US TBM", False, False),  # iShares Core International Aggregate Bond ETF
    # LTB
    ("VGLT", "LTB", False, True),  # Vanguard Long-Term Treasury ETF
    ("VLGSX", "LTB", True, False),  # Vanguard Long-Term Treasury Index Admiral
    ("VUSUX", "LTB", True, False),  # Vanguard Long-Term Treasury Admiral
    ("VUSTX", "LTB", True, False),  # Vanguard Long-Term Treasury Investor
    ("EDV", "LTB", False, False),  # Vanguard Extended Duration Treasury ETF
    ("BLV", "LTB", False, False),  # Vanguard Long-Term Bond ETF
    ("VBLAX", "LTB", True, False),  # Vanguard Long-Term Bond Index Admiral
    ("VBLTX", "LTB", True, False),  # Vanguard Long-Term Bond Index Investor
    ("FNBGX", "LTB", True, False),  # Fidelity Long-Term Treasury Bond Index
    ("SCHQ", "LTB", False, False),  # Schwab Long-Term U.S. Treasury ETF
    ("TLT", "LTB", False, False),  # iShares 20+ Year Treasury Bond ETF
    ("GOVZ", "LTB", False, False),  # iShares 25+ Year Treasury STRIPS Bond ETF
    ("SPTL", "LTB", False, False),  # SPDR Portfolio Long Term Treasury ETF
    # ST Treasury
    ("VGSH", "ST Treasury", False, True),  # Vanguard Short-Term Treasury ETF
    ("VSBSX", "ST Treasury", True, False),  # Vanguard Short-Term Treasury Index Admiral
    ("VFIRX", "ST Treasury", True, False),  # Vanguard Short-Term Treasury Admiral
    ("VFISX", "ST Treasury", True, False),  # Vanguard Short-Term Treasury Investor
    ("FUMBX", "ST Treasury", True, False),  # Fidelity Short-Term Treasury Bond Index
    ("SCHO", "ST Treasury", False, False),  # Schwab Short-Term U.S. Treasury ETF
    ("SHY", "ST Treasury", False, False),  # iShares 1-3 Year Treasury Bond ETF
    ("SHV", "ST Treasury", False, False),  # iShares Short Treasury Bond ETF
    ("SGOV", "ST Treasury", False, False),  # iShares 0-3 Month Treasury Bond ETF
    ("SPTS", "ST Treasury", False, False),  # SPDR Portfolio Short Term Treasury ETF
    # TIPS
    ("VTIP", "TIPS", False, True),  # Vanguard Short-Term Inflation-Protected Securities ETF
    ("VTAPX", "TIPS", True, False),  # Vanguard Short-Term Inflation-Protected Admiral
    ("VAIPX", "TIPS", True, False),  # Vanguard Inflation-Protected Securities Admiral
    ("VIPSX", "TIPS", True, False),  # Vanguard Inflation-Protected Securities Investor
    ("FIPDX", "TIPS", True, False),  # Fidelity Inflation-Protected Bond Index
    ("SWRSX", "TIPS", True, False),  # Schwab Treasury Inflation Protected Securities Index
    ("SCHP", "TIPS", False, False),  # Schwab U.S. TIPS ETF
    ("TIP", "TIPS", False, False),  # iShares TIPS Bond ETF
    ("STIP", "TIPS", False, False),  # iShares 0-5 Year TIPS Bond ETF
    # Cash
    ("SPAXX", "Cash", True, True),  # Fidelity Government Money Market
    ("FDRXX", "Cash", True, False),  # Fidelity Government Cash Reserves
    ("FZFXX", "Cash", True, False),  # Fidelity Treasury Money Market
    ("FDLXX", "Cash", True, False),  # Fidelity Treasury Only Money Market
    ("SPRXX", "Cash", True, False),  # Fidelity Money Market
    ("FZDXX", "Cash", True, False),  # Fidelity Money Market Premium
    ("FCASH", "Cash", True, False),  # Fidelity uninvested cash position
    ("VMFXX", "Cash", True, False),  # Vanguard Federal Money Market
    ("VMRXX", "Cash", True, False),  # Vanguard Cash Reserves Federal Money Market Admiral
    ("VMMXX", "Cash", True, False),  # Vanguard Prime Money Market
    ("VUSXX", "Cash", True, False),  # Vanguard Treasury Money Market
    ("SWVXX", "Cash", True, False),  # Schwab Value Advantage Money Fund Investor
    ("SNVXX", "Cash", True, False),  # Schwab Government Money Fund Investor
    ("SNSXX", "Cash", True, False),  # Schwab U.S. Treasury Money Fund Investor
    ("SNOXX", "Cash", True, False),  # Schwab Treasury Obligations Money Fund Investor
)

# (asset class, kind, value): a three-fund 60/40 portfolio, 30% of stocks international.
DEFAULT_TARGETS: tuple[tuple[str, str, str], ...] = (
    ("US TSM", "percent", "42"),
    ("ex-US TSM", "percent", "18"),
    ("US TBM", "percent", "40"),
)

# Tax-efficient fund placement: for each tax group, the asset classes best placed
# there, best first. A class left out of a group's list is never placed there.
DEFAULT_AFFINITIES: dict[str, tuple[str, ...]] = {
    # Tax-efficient stock funds; international first for the foreign tax credit.
    # Bonds and REITs, whose income is taxed as ordinary income, stay out.
    "taxable": ("ex-US TSM", "US TSM", "US LC", "US SC", "EM", "Cash"),
    # Tax-inefficient holdings first: taxable bond interest, TIPS, then REITs.
    "tax_deferred": (
        "US TBM",
        "ex-US TBM",
        "LTB",
        "TIPS",
        "ST Treasury",
        "REIT",
        "US SC",
        "US TSM",
        "US LC",
        "ex-US TSM",
        "EM",
        "Cash",
    ),
    # Highest expected growth first, so that growth is never taxed.
    "tax_free": (
        "US SC",
        "EM",
        "REIT",
        "US TSM",
        "US LC",
        "ex-US TSM",
        "US TBM",
        "LTB",
        "TIPS",
        "ex-US TBM",
        "ST Treasury",
        "Cash",
    ),
}
