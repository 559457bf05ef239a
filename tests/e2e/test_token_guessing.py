"""Guessing tokens from one address is cut off with a clear 429, by one count for the whole
installation: every worker and every replica asks the config service."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from stack import Service, Stack, free_port
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


def _second_rebalance_service(stack: Stack, log_dir: Path) -> Service:
    port = free_port()
    env = {**stack.rebalance.env, "REBALANCE_PORT": str(port), "REBALANCE_WORKERS": "1"}
    return Service("second rebalance service", stack.rebalance.command, env, port, log_dir)


def _status(url: str, token: str) -> int:
    # A connection of its own each time, so the kernel may hand it to any worker.
    with httpx.Client(base_url=url, timeout=30) as client:
        answer = client.get("/api/v1/config", headers={"Authorization": f"Bearer {token}"})
        return answer.status_code


def test_the_limit_holds_across_two_workers_and_a_second_replica(tmp_path: Path) -> None:
    env = {"TOKENS_PER_CLIENT": "3"}
    with Stack(tmp_path / "data", log_dir=tmp_path, extra_env=env, workers=2) as stack:
        second = _second_rebalance_service(stack, tmp_path / "rebalance-2.log")
        second.start()
        try:
            second.wait_healthy()
            urls = [stack.url, second.url]
            statuses = [_status(urls[n % 2], f"{n:064x}") for n in range(12)]
            assert statuses == [200] * 3 + [429] * 9
            # the tokens admitted first are still welcome, on either replica
            assert {_status(url, f"{n:064x}") for url in urls for n in range(3)} == {200}
        finally:
            second.stop()


def test_with_the_count_out_of_reach_a_token_gets_503_not_a_free_pass(tmp_path: Path) -> None:
    env = {"TOKENS_PER_CLIENT": "3", "CONFIG_TIMEOUT_MS": "1000"}
    with Stack(tmp_path / "data", log_dir=tmp_path, extra_env=env) as stack:
        assert _status(stack.url, "1" * 64) == 200
        stack.config.stop()
        for n in range(5):
            assert _status(stack.url, f"{n + 10:064x}") == 503
