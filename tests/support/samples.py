"""The real brokerage exports in the team folder beside the repository."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO.parent / "shared" / "samples"

FIDELITY_2025 = SAMPLES / "yifan-lee__Portfolio_Positions_Mar-04-2025.csv"
FIDELITY_2024 = SAMPLES / "yifan-lee__Portfolio_Positions_Nov-12-2024.csv"
SCHWAB_2020 = SAMPLES / "jbms__All-Accounts-Positions-2020-11-15.csv"
FIDELITY_HISTORY = SAMPLES / "mcdphd__Accounts_History.csv"

# The accounts of FIDELITY_2025, as the file writes their numbers.
INDIVIDUAL = "Z23390746"
EMPLOYER_401K = "86964"
CASH_MANAGEMENT = "Z06872898"
HSA = "241802439"


def upload(path: Path) -> tuple[str, bytes, str]:
    return (path.name, path.read_bytes(), "text/csv")


def fidelity_2025_config() -> dict[str, object]:
    """A household configuration for FIDELITY_2025: one account per tax group, plus one ignored."""
    return {
        "accounts": [
            {
                "number": INDIVIDUAL,
                "tax_group": "taxable",
                "description": "Joint brokerage",
                "credit_default": True,
            },
            {"number": EMPLOYER_401K, "tax_group": "tax_deferred", "description": "Employer 401k"},
            {"number": HSA, "tax_group": "tax_free", "description": "Health savings"},
            {"number": CASH_MANAGEMENT, "tax_group": "ignore", "description": "Checking"},
        ],
        "targets": [
            {"asset_class": "US TSM", "kind": "percent", "value": "50"},
            {"asset_class": "ex-US TSM", "kind": "percent", "value": "20"},
            {"asset_class": "US TBM", "kind": "percent", "value": "30"},
        ],
        "securities": [
            {"symbol": "84679P504", "asset_class": "US LC", "fractional": True},
        ],
    }
