"""Guessing tokens from one address is cut off with a clear 429."""

from __future__ import annotations

from pathlib import Path

import pytest

from stack import Stack
from support.api_client import ApiClient

pytestmark = pytest.mark.e2e


def test_one_address_trying_many_tokens_gets_429_but_its_own_token_still_works(
    tmp_path: Path,
) -> None:
    with Stack(tmp_path / "data", log_dir=tmp_path, extra_env={"TOKENS_PER_CLIENT": "3"}) as stack:
        api = ApiClient(stack.url)
        own = api.new_token()
        for guess in [own, "1" * 64, "2" * 64]:
            api.token = guess
            api.json(api.get_config())
        api.token = "3" * 64
        refused = api.get_config()
        assert refused.status_code == 429
        assert "too many different tokens" in refused.json()["errors"][0]["message"]
        assert int(refused.headers["retry-after"]) > 0
        api.token = own
        api.json(api.get_config())
        api.close()
