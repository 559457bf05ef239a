"""What kind of instrument a holding is, and what one unit of it is worth.

Brokerages quote most securities per share, but bonds, bills, notes and brokered
CDs per 100 of face (Quantity is the face amount, Last Price the percent of par),
and options per share of the 100 a contract covers. So a row's quantity times its
quoted price is its value only after a *quote factor*:

    value = quantity x price x factor,  factor in {1, 0.01, 100}

The factor is read from the row itself where it states all three (the row's own
arithmetic cannot be wrong about its units), else from the kind of instrument. The
true unit value, what one unit of `quantity` is worth and trades at, is then
price x factor: Current Value / Quantity, to within the file's rounding of the value.

Individual stocks, bonds and CDs are told apart from funds by their description,
because the plan must never buy one to stand for a whole asset class (72 shares of
AMZN are not "US large cap").
"""

from __future__ import annotations

import re
from decimal import Decimal
from enum import StrEnum

ONE = Decimal(1)
PER_HUNDRED = Decimal("0.01")  # a price per 100 of face
CONTRACT = Decimal(100)  # an option contract covers 100 shares
# Treasuries, bonds and brokered CDs trade in $1,000 of face at every brokerage.
FACE_INCREMENT = Decimal(1000)
FACTORS = (ONE, PER_HUNDRED, CONTRACT)
# How far a row's own value may sit from quantity x price x factor: quotes are
# rounded (a bill at $99.977) and some files round values to the dollar.
_CLOSE = Decimal("0.02")

# Treasury bills, notes, bonds, TIPS and STRIPS by CUSIP prefix.
TREASURY_PREFIXES = ("912796", "912797", "912803", "912810", "912828", "91282C")
_CUSIP = re.compile(r"[0-9]{3}[0-9A-Z]{5}[0-9]")
_TREASURY_WORDS = re.compile(
    r"\b(UNITED STATES TREAS|US TREAS|U S TREAS|TREASURY (BILL|NOTE|BOND))"
)
_BOND_WORDS = re.compile(
    r"\b(BDS?|BONDS?|NOTES?|DEBS?|DEBENTURES?|MTN|CPN|ZERO CPN|REV|GO|MUNI|FRN)\b"
    r"|\b\d{1,2}\.\d{2,5}% +\d{1,2}/\d{1,2}/\d{2,4}\b"
)
_CD_WORDS = re.compile(r"\bCDS?\b.*\bFDIC\b|\bFDIC INS|\bCERT(IFICATE)? OF DEP")
_FUND_WORDS = re.compile(
    r"\b(FUNDS?|FD|FDS|FID|INDEX|IDX|ETFS?|TRUST|TR|PORTFOLIO|MONEY MARKET|MMKT|ISHARES|SPDR|"
    r"TARGET|RETIREMENT|INSTL|ADMIRAL|K6|POOL|COLLECTIVE)\b"
)
_STOCK_WORDS = re.compile(
    r"\b(INC|CORP|CORPORATION|CO|COM|COMPANY|LTD|PLC|AG|SA|NV|HLDGS?|HOLDINGS?|GROUP|"
    r"CLASS [A-Z]|CL [A-Z]|CAP STK|ORD|ADR|ADS|SPONSORED|USD\d*(\.\d+)?|NPV)\b"
)
_MUTUAL_FUND_SYMBOL = re.compile(r"[A-Z]{4}X")


class Instrument(StrEnum):
    FUND = "fund"  # a mutual fund, ETF or collective trust: stands for its class
    STOCK = "stock"  # one company's shares
    BOND = "bond"  # quoted per 100 of face: Treasuries, agencies, munis, corporates
    CD = "cd"  # a brokered certificate of deposit, quoted per 100 of face
    OPTION = "option"  # a contract on 100 shares; held, never traded

    @property
    def individual(self) -> bool:
        """One issuer's security, bought for a class only where the user chose it."""
        return self in (Instrument.STOCK, Instrument.BOND, Instrument.CD)

    @property
    def per_hundred(self) -> bool:
        return self in (Instrument.BOND, Instrument.CD)

    @property
    def increment(self) -> Decimal:
        """The units it trades in, unless a setting says otherwise."""
        return FACE_INCREMENT if self.per_hundred else ONE


def is_treasury(symbol: str, description: str = "") -> bool:
    symbol = symbol.strip().upper()
    if _CUSIP.fullmatch(symbol) and symbol.startswith(TREASURY_PREFIXES):
        return True
    return bool(_TREASURY_WORDS.search(" ".join(description.upper().split())))


def is_cd(description: str) -> bool:
    return bool(_CD_WORDS.search(" ".join(description.upper().split())))


def classify(symbol: str, description: str, *, option: bool = False) -> Instrument:
    """The kind of instrument a row holds, from its symbol and description.

    Unknown descriptions count as funds: that keeps today's plans for the funds
    the catalogue names, whose rows often carry no description at all.
    """
    if option:
        return Instrument.OPTION
    text = " ".join(description.upper().split())
    cusip = bool(_CUSIP.fullmatch(symbol.upper()))
    tests = (
        (Instrument.CD, is_cd(text)),
        (Instrument.BOND, is_treasury(symbol, text) or (cusip and _BOND_WORDS.search(text))),
        (
            Instrument.FUND,
            _MUTUAL_FUND_SYMBOL.fullmatch(symbol.upper()) or _FUND_WORDS.search(text),
        ),
        (Instrument.STOCK, _STOCK_WORDS.search(text)),
    )
    return next((kind for kind, found in tests if found), Instrument.FUND)


def quote_factor(
    shares: Decimal, price: Decimal | None, value: Decimal, instrument: Instrument
) -> Decimal | None:
    """value / (shares x price), as one of FACTORS; None when the row's own figures
    fit none of them (then only value / shares says what a unit is worth).

    A row without the three figures takes the factor its kind implies.
    """
    if price is not None and price != 0 and shares != 0 and value != 0:
        ratio = value / (shares * price)
        for factor in FACTORS:
            if abs(ratio / factor - ONE) <= _CLOSE:
                return factor
        return None
    if instrument.per_hundred:
        return PER_HUNDRED
    if instrument == Instrument.OPTION:
        return CONTRACT
    return ONE


def unit_price(
    shares: Decimal, price: Decimal | None, value: Decimal, instrument: Instrument
) -> Decimal | None:
    """Dollars one unit of `shares` is worth; None where nothing says."""
    factor = quote_factor(shares, price, value, instrument)
    if factor is not None and price is not None and price > 0:
        return price * factor
    if shares > 0 and value > 0:
        return value / shares
    return None
