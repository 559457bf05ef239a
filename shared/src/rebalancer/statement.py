"""What a brokerage export says a household holds, as the importers read it.

The importers turn the files a user uploads into one `Statement`, or raise
`StatementError` carrying every problem found, each with its file and line.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from rebalancer.instruments import Instrument, classify, quote_factor, unit_price


class HoldingKind(StrEnum):
    SECURITY = "security"  # a fund, ETF, stock or bond the engine may trade
    OPTION = "option"  # kept as a holding of its own, never traded


@dataclass(frozen=True, slots=True)
class Holding:
    symbol: str  # upper case; a CUSIP where the brokerage gives no ticker
    description: str
    shares: Decimal
    price: Decimal | None  # as the brokerage quotes it (bonds: per 100 of face); None if absent
    value: Decimal  # market value in dollars, as the file states it
    cost_basis: Decimal | None = None  # total cost basis, where the file has it
    kind: HoldingKind = HoldingKind.SECURITY
    line: int = 0  # 1-based line in its file, for messages

    @property
    def instrument(self) -> Instrument:
        return classify(self.symbol, self.description, option=self.kind == HoldingKind.OPTION)

    @property
    def quote_factor(self) -> Decimal | None:
        """Dollars per unit over the quoted price: 1, 0.01 (per 100 of face) or 100."""
        return quote_factor(self.shares, self.price, self.value, self.instrument)

    @property
    def unit_price(self) -> Decimal | None:
        """What one unit of `shares` is worth (see `rebalancer.instruments`)."""
        return unit_price(self.shares, self.price, self.value, self.instrument)

    @property
    def average_cost(self) -> Decimal | None:
        """Cost basis per share, where the file gives the basis."""
        if self.cost_basis is None or not self.shares:
            return None
        return self.cost_basis / self.shares


@dataclass(frozen=True, slots=True)
class AccountStatement:
    number: str  # exactly as the brokerage writes it
    name: str  # the brokerage's name for it ("Individual", "ROTH IRA")
    brokerage: str  # "Fidelity", "Schwab", "Vanguard"
    cash: Decimal  # core/sweep cash and pending activity
    holdings: tuple[Holding, ...]
    investable: bool = True  # False for linked external accounts: shown, skipped
    pending: Decimal = Decimal(0)  # of `cash`, what pending activity rows add (may be < 0)

    @property
    def value(self) -> Decimal:
        return self.cash + sum((h.value for h in self.holdings), Decimal(0))


@dataclass(frozen=True, slots=True)
class Statement:
    accounts: tuple[AccountStatement, ...]
    warnings: tuple[str, ...] = ()
    downloaded: date | None = None


@dataclass(frozen=True, slots=True)
class ImportProblem:
    source: str  # the uploaded file's name
    line: int | None  # 1-based, None for a problem with the file as a whole
    message: str

    def __str__(self) -> str:
        where = f"{self.source} line {self.line}" if self.line else self.source
        return f"{where}: {self.message}"


class StatementError(Exception):
    """The upload could not be read; `problems` lists every reason found."""

    def __init__(self, problems: list[ImportProblem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = tuple(problems)
