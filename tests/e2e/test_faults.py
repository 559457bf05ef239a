"""Faults: the config service killed mid-write, stopped, or frozen.

The config service is the only process that holds state, so it is the one these
tests hurt. The rebalance service stays up throughout and must recover by itself.

SIGKILL is a process crash: what the process had written reaches the file through
the operating system even without fsync. A power cut (which synchronous=FULL guards
against) is not something a test on one machine can make.
"""

from __future__ import annotations

import random
import signal
import sqlite3
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from stack import Stack
from support.api_client import ApiClient
from support.samples import FIDELITY_2025, HSA, INDIVIDUAL, fidelity_2025_config

pytestmark = pytest.mark.e2e

TIMEOUT_MS = 1000  # CONFIG_TIMEOUT_MS for these stacks: each call to the config service
CRASH_ROUNDS = 12
WRITERS = 3  # users writing at once, each under a token of their own
SEED = 20250611  # the kill points are random, but the same on every run


def _sqlite_env(data_dir: Path) -> dict[str, str]:
    """The SQLite file in data_dir, whatever DATABASE_URL the shell holds; tokens without limit."""
    return {
        "DATABASE_URL": f"sqlite:///{data_dir / 'config.sqlite3'}",
        "TOKENS_PER_CLIENT": "1000000",
    }


# --- crash safety -----------------------------------------------------------------


def _round_document(n: int) -> dict[str, object]:
    """A configuration whose settings blob and two account blobs all say "round n".

    The settings carry n twice (a dollar target and a manual price) and each account's
    description carries it, so a read-back that mixes two writes shows as disagreeing
    numbers.
    """
    return {
        "accounts": [
            {"number": INDIVIDUAL, "tax_group": "taxable", "description": f"round {n}"},
            {"number": HSA, "tax_group": "tax_free", "description": f"round {n}"},
        ],
        "targets": [
            {"asset_class": "US TSM", "kind": "dollars", "value": str(n)},
            {"asset_class": "US TBM", "kind": "percent", "value": "100"},
        ],
        "securities": [
            {"symbol": "ROUND", "asset_class": "US TSM", "fractional": True, "price": f"{n}.00"}
        ],
    }


def _masked(number: str) -> str:
    return "..." + number[-4:]


def _rounds_read_back(api: ApiClient) -> dict[str, int]:
    """The round number each stored part of a writer's configuration carries; 0 if unset."""
    settings = api.json(api.get_config())
    dollars = [
        t["value"]
        for t in settings["targets"]
        if t["kind"] == "dollars" and t["asset_class"] == "US TSM"
    ]
    prices = [s["price"] for s in settings["securities"] if s["symbol"] == "ROUND"]
    rounds = {
        "target": int(dollars[0]) if dollars else 0,
        "price": int(prices[0].split(".")[0]) if prices else 0,
    }
    accounts = {a["number"]: a for a in api.json(api.portfolio([FIDELITY_2025]))["accounts"]}
    for name, number in (("account 1", INDIVIDUAL), ("account 2", HSA)):
        account = accounts[_masked(number)]
        configured = account["configured"] and account["description"].startswith("round ")
        rounds[name] = int(account["description"].split()[1]) if configured else 0
    return rounds


def _new_user(stack: Stack) -> ApiClient:
    api = ApiClient(stack.url)
    api.token = api.new_token()
    return api


@dataclass
class Writer:
    """One user writing configurations in a loop; counts the writes acknowledged."""

    api: ApiClient
    attempted: int = 0  # the newest round sent
    acknowledged: int = 0  # the newest round answered 200
    unavailable: int = 0  # answers 503 (expected while the config service is down)
    unexpected: list[str] = field(default_factory=list)

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            self.attempted += 1
            try:
                response = self.api.put_config(_round_document(self.attempted))
            except httpx.HTTPError as error:
                self.unexpected.append(f"round {self.attempted}: {type(error).__name__}")
                continue
            if response.status_code == 200:
                self.acknowledged = self.attempted
            elif response.status_code == 503 and _says_try_again(response):
                self.unavailable += 1
                time.sleep(0.05)
            else:
                self.unexpected.append(
                    f"round {self.attempted}: {response.status_code} {response.text[:200]}"
                )


def _says_try_again(response: httpx.Response) -> bool:
    errors = response.json()["errors"]
    return bool(errors) and errors[0]["field"] == "config" and "try again" in errors[0]["message"]


def _integrity(database: Path) -> tuple[list[str], list[object]]:
    """PRAGMA integrity_check and foreign_key_check, on a read-only connection."""
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30)
    try:
        integrity = [row[0] for row in connection.execute("PRAGMA integrity_check")]
        foreign_keys = list(connection.execute("PRAGMA foreign_key_check"))
    finally:
        connection.close()
    return integrity, foreign_keys


@pytest.fixture
def fault_stack(tmp_path: Path) -> Iterator[Stack]:
    env = {**_sqlite_env(tmp_path / "data"), "CONFIG_TIMEOUT_MS": str(TIMEOUT_MS)}
    with Stack(tmp_path / "data", log_dir=tmp_path, extra_env=env, workers=2) as stack:
        yield stack


def test_killing_the_config_service_mid_write_never_loses_an_acknowledged_write_or_mixes_two(
    fault_stack: Stack,
) -> None:
    rng = random.Random(SEED)
    writers = [Writer(_new_user(fault_stack)) for _ in range(WRITERS)]
    database = fault_stack.data_dir / "config.sqlite3"
    rebalance_pid = fault_stack.rebalance.process.pid if fault_stack.rebalance.process else None
    kills_with_a_write_in_flight = 0  # some writer had sent a round not yet answered
    committed_but_unanswered = 0  # a round stored although its writer never saw the 200
    started = time.monotonic()
    try:
        for crash in range(CRASH_ROUNDS):
            stop = threading.Event()
            threads = [threading.Thread(target=w.run, args=(stop,)) for w in writers]
            for thread in threads:
                thread.start()
            try:
                time.sleep(rng.uniform(0.2, 1.2))
                in_flight = [w.attempted > w.acknowledged for w in writers]
                fault_stack.config.stop(signal.SIGKILL)
            finally:
                stop.set()
                for thread in threads:
                    thread.join(timeout=30)
            assert not any(t.is_alive() for t in threads), "a writer hung after the kill"
            kills_with_a_write_in_flight += any(in_flight)

            fault_stack.config.start()
            fault_stack.config.wait_healthy()
            integrity, foreign_keys = _integrity(database)
            assert integrity == ["ok"], f"after kill {crash + 1}: {integrity}"
            assert foreign_keys == [], f"after kill {crash + 1}"
            for number, writer in enumerate(writers, start=1):
                assert writer.unexpected == [], f"writer {number}: {writer.unexpected}"
                rounds = _rounds_read_back(writer.api)
                assert len(set(rounds.values())) == 1, (
                    f"after kill {crash + 1}, writer {number} reads a mix of writes: {rounds}"
                )
                stored = rounds["target"]
                assert writer.acknowledged <= stored <= writer.attempted, (
                    f"after kill {crash + 1}, writer {number} reads round {stored}; "
                    f"acknowledged {writer.acknowledged}, attempted {writer.attempted}"
                )
                committed_but_unanswered += stored > writer.acknowledged
    finally:
        for writer in writers:
            writer.api.close()
    elapsed = time.monotonic() - started
    assert fault_stack.rebalance.process is not None
    assert fault_stack.rebalance.process.pid == rebalance_pid  # never restarted
    assert fault_stack.rebalance.process.poll() is None
    assert sum(w.acknowledged for w in writers) >= CRASH_ROUNDS  # the writes did go through
    assert kills_with_a_write_in_flight >= CRASH_ROUNDS // 2  # the kills did land mid-stream
    print(
        f"\n{CRASH_ROUNDS} kills in {elapsed:.1f} s, {kills_with_a_write_in_flight} with a write "
        f"in flight, {committed_but_unanswered} writes stored but never answered; "
        f"acknowledged {[w.acknowledged for w in writers]}, "
        f"attempted {[w.attempted for w in writers]}, 503s {[w.unavailable for w in writers]}"
    )


# --- the config service down or slow ----------------------------------------------


@pytest.fixture
def configured_user(fault_stack: Stack) -> Iterator[ApiClient]:
    api = _new_user(fault_stack)
    api.json(api.put_config(fidelity_2025_config()))
    yield api
    api.close()


def _timed(call: Any) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    response: httpx.Response = call()
    return response, time.monotonic() - started


def _every_kind_of_request(api: ApiClient) -> dict[str, Any]:
    return {
        "GET /api/v1/config": api.get_config,
        "PUT /api/v1/config": lambda: api.put_config({"no_sell": []}),
        "POST /api/v1/portfolio": lambda: api.portfolio([FIDELITY_2025]),
        "POST /api/v1/rebalance": lambda: api.rebalance([FIDELITY_2025], mode="full"),
    }


def _assert_unavailable(response: httpx.Response, what: str) -> str:
    assert response.status_code == 503, f"{what}: {response.status_code} {response.text[:300]}"
    errors = response.json()["errors"]
    assert len(errors) == 1
    assert errors[0]["field"] == "config"
    message: str = errors[0]["message"]
    assert message.endswith("try again shortly"), message
    return message


def _assert_recovered(api: ApiClient) -> None:
    settings = api.json(api.get_config())
    assert settings["targets"] == fidelity_2025_config()["targets"]
    accounts = api.json(api.portfolio([FIDELITY_2025]))["accounts"]
    descriptions = {a["number"]: a["description"] for a in accounts}
    assert descriptions[_masked(HSA)] == "Health savings"
    api.json(api.rebalance([FIDELITY_2025], mode="full"))
    api.json(api.put_config({"no_sell": []}))


def test_a_stopped_config_service_gives_a_quick_503_and_its_return_needs_no_restart(
    fault_stack: Stack, configured_user: ApiClient
) -> None:
    api = configured_user
    rebalance = fault_stack.rebalance.process
    fault_stack.config.stop()
    try:
        for what, call in _every_kind_of_request(api).items():
            response, seconds = _timed(call)
            message = _assert_unavailable(response, what)
            assert "cannot be reached" in message
            # Refused connections: three quick attempts, far less than one timeout.
            assert seconds < TIMEOUT_MS / 1000, f"{what} took {seconds:.2f} s"
            print(f"\n{what} with the config service stopped: 503 in {seconds:.2f} s")
    finally:
        fault_stack.config.start()
        fault_stack.config.wait_healthy()
    _assert_recovered(api)
    assert fault_stack.rebalance.process is rebalance
    assert rebalance is not None
    assert rebalance.poll() is None


def test_a_frozen_config_service_gives_a_503_within_the_timeout_and_recovers_when_it_thaws(
    fault_stack: Stack, configured_user: ApiClient
) -> None:
    api = configured_user
    config = fault_stack.config.process
    assert config is not None
    rebalance = fault_stack.rebalance.process
    config.send_signal(signal.SIGSTOP)
    try:
        for what, call in _every_kind_of_request(api).items():
            response, seconds = _timed(call)
            message = _assert_unavailable(response, what)
            assert "did not answer in time" in message
            # One timeout, not the timeout times the attempts: a hung store is not retried.
            assert TIMEOUT_MS / 1000 * 0.9 <= seconds < TIMEOUT_MS / 1000 + 1.0, (
                f"{what} took {seconds:.2f} s"
            )
            print(f"\n{what} with the config service frozen: 503 in {seconds:.2f} s")
    finally:
        config.send_signal(signal.SIGCONT)
    _assert_recovered(api)
    assert fault_stack.config.process is config  # the same processes throughout
    assert fault_stack.rebalance.process is rebalance
