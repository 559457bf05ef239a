"""Parse throughput of the brokerage import layer, in rows per second.

Generates a 50,000-row Fidelity positions file in the 2023-on layout (BOM, CRLF,
a cash row and a pending-activity row per account, quoted thousands, a footer)
and reads it with `read_statement` several times, reporting the best run.

    .venv/bin/python bench/parse_bench.py
"""

from __future__ import annotations

import random
import sys
import time

from rebalance_service.importers import read_statement

ROWS = 50_000
RUNS = 5
HEADER = (
    "Account Number,Account Name,Symbol,Description,Quantity,Last Price,Last Price Change,"
    "Current Value,Today's Gain/Loss Dollar,Today's Gain/Loss Percent,Total Gain/Loss Dollar,"
    "Total Gain/Loss Percent,Percent Of Account,Cost Basis Total,Average Cost Basis,Type"
)
FOOTER = (
    '\r\n"The data and information in this spreadsheet is provided to you solely for your use '
    'and is not for distribution."\r\n\r\n"Date downloaded Mar-04-2025 at 2:53 p.m ET"\r\n'
)


def generate(rows: int, seed: int = 4) -> bytes:
    """A positions file of `rows` data rows, accounts of 50 rows, formatted as Fidelity does.

    Fidelity writes money without thousands separators (`$79187.13`); one row in ten
    is written the way Excel re-saves it (`"$79,187.13"`) so the slower forms count too.
    """
    rng = random.Random(seed)
    lines = [HEADER]
    for index in range(rows):
        account = f"Z{10_000_000 + index // 50}"
        position = index % 50
        if position == 0:
            value = f"${rng.randint(100, 99_999)}.{rng.randint(0, 99):02d}"
            lines.append(
                f"{account},Individual,SPAXX**,HELD IN MONEY MARKET,,,,{value},,,,,7.56%,,,Cash"
            )
        elif position == 1:
            lines.append(f"{account},Individual,Pending Activity,,,,,-$78.20,,,,,,,,")
        elif position == 2:
            lines.append(
                f"{account},Individual,912797KJ5,UNITED STATES TREAS BILLS ZERO CPN 0.00000% "
                "03/20/2025,50000,$99.811,+$0.011,$49905.50,$0.00,0.00%,+$247.32,+0.50%,"
                "4.73%,$49658.18,--,Cash"
            )
        else:
            shares = rng.randint(1, 2_000)
            price = rng.randint(100, 50_000)
            cents = shares * price
            value = f"${cents // 100}.{cents % 100:02d}"
            cost = f"${cents * 9 // 1000}.{cents * 9 // 10 % 100:02d}"
            if index % 10 == 0:
                value = f'"${cents // 100:,}.{cents % 100:02d}"'
            lines.append(
                f"{account},Individual,SYM{position},SOME FUND {position},{shares},"
                f"${price // 100}.{price % 100:02d},+$0.56,{value},+$5.60,+0.27%,+$1105.80,"
                f"+116.40%,0.20%,{cost},$95.00,Cash"
            )
    return ("\ufeff" + "\r\n".join(lines) + "\r\n" + FOOTER).encode()


def main() -> int:
    data = generate(ROWS)
    best = float("inf")
    for _ in range(RUNS):
        started = time.perf_counter()
        statement = read_statement([("Portfolio_Positions_Mar-04-2025.csv", data)])
        best = min(best, time.perf_counter() - started)
    holdings = sum(len(account.holdings) for account in statement.accounts)
    print(
        f"{ROWS:,} rows ({len(data) / 1e6:.1f} MB, {len(statement.accounts):,} accounts, "
        f"{holdings:,} holdings) in {best * 1000:.0f} ms: {ROWS / best:,.0f} rows per second"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
