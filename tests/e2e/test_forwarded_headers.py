"""X-Forwarded-For is believed only from the proxies FORWARDED_ALLOW_IPS names.

uvicorn on its own believes it from 127.0.0.1, so anyone on the machine could give
every guess an address of its own and never meet the token-guessing limit.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from stack import Stack

pytestmark = pytest.mark.e2e

LIMIT = 50  # TOKENS_PER_CLIENT's default
GUESSES = 60


def _answers_to_forged_guesses(stack: Stack) -> list[int]:
    """Status of GET /api/v1/config for 60 distinct tokens, each claiming its own address."""
    statuses = []
    with httpx.Client(base_url=stack.url, timeout=60) as http:
        for n in range(GUESSES):
            response = http.get(
                "/api/v1/config",
                headers={
                    "Authorization": f"Bearer {n:064x}",
                    "X-Forwarded-For": f"203.0.113.{n + 1}",
                },
            )
            statuses.append(response.status_code)
    return statuses


def test_forged_forwarded_addresses_from_loopback_still_meet_the_guessing_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Unset, not empty: uvicorn reads the same name, and empty would be its "trust none".
    monkeypatch.delenv("FORWARDED_ALLOW_IPS", raising=False)
    with Stack(tmp_path / "data", log_dir=tmp_path) as stack:
        statuses = _answers_to_forged_guesses(stack)
    assert statuses[:LIMIT] == [200] * LIMIT
    assert statuses[LIMIT:] == [429] * (GUESSES - LIMIT)


def test_a_named_proxy_has_its_forwarded_addresses_believed(tmp_path: Path) -> None:
    with Stack(
        tmp_path / "data", log_dir=tmp_path, extra_env={"FORWARDED_ALLOW_IPS": "127.0.0.1"}
    ) as stack:
        statuses = _answers_to_forged_guesses(stack)
    assert statuses == [200] * GUESSES
