"""A bounded load test of the running stack: a realistic mix from many clients at once.

Run from the repository root:

    .venv/bin/python bench/load_bench.py [--seconds 60] [--clients 32]
                                         [--max-requests 20000] [--workers 2]

It starts the config service and the rebalance service (`scripts/stack.py`, real
uvicorn processes on free loopback ports, a temporary data directory, the
token-guessing limit raised since every client comes from 127.0.0.1). Each client
is a thread with its own keep-alive connection and its own token; clients share
one of a few generated Fidelity households (`bench/stack_bench.py`'s generator).
Each stores its household's configuration, then loops for `--seconds` over a
weighted mix of requests:

    10 %  GET  /api/v1/token
    20 %  POST /api/v1/portfolio
    20 %  GET  /api/v1/config
    15 %  PUT  /api/v1/config     (a per-client write counter encoded in a target
                                   value and in an account's description)
    35 %  POST /api/v1/rebalance  (mode=full)

The run stops at `--seconds` or after `--max-requests` requests in all, whichever
comes first. Every read of a client's own configuration (GET config, and the
account descriptions in a portfolio) must show that client's last acknowledged
write, since no one else writes under its token: a read that does not is stale.
At the end each client's configuration is read back once more; one that differs
from its last acknowledged write is a lost write.

It prints the requests, errors (by endpoint and status), throughput and p50, p95
and p99 latency overall and per endpoint, stale reads and lost writes, and exits
1 if there was any error, stale read or lost write.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import re
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import httpx

# The repository root, for bench.stack_bench (which puts scripts/ on the path for stack).
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.stack_bench import ACCOUNTS, FILE_NAME, SEED, household_config, positions_csv

from stack import Stack

SECONDS = 60.0
CLIENTS = 32
MAX_REQUESTS = 20_000
WORKERS = 2
HOUSEHOLDS = 4  # distinct positions files; clients share them round-robin
TIMEOUT = 120.0  # seconds, per request: far above any latency seen, so a hang shows as an error
TOKEN = re.compile(r"[0-9a-f]{64}")
# The account whose description carries the write counter, and the two targets that do.
MARKED_ACCOUNT = ACCOUNTS[0][0]
RAISED, LOWERED = "US TSM", "US TBM"

TOKEN_EP = "GET /api/v1/token"
PORTFOLIO_EP = "POST /api/v1/portfolio"
GET_CONFIG_EP = "GET /api/v1/config"
PUT_CONFIG_EP = "PUT /api/v1/config"
REBALANCE_EP = "POST /api/v1/rebalance"
MIX: tuple[tuple[str, int], ...] = (
    (TOKEN_EP, 10),
    (PORTFOLIO_EP, 20),
    (GET_CONFIG_EP, 20),
    (PUT_CONFIG_EP, 15),
    (REBALANCE_EP, 35),
)
ENDPOINTS = tuple(name for name, _ in MIX)


class LoadAborted(SystemExit):
    """The stack or a client could not be set up; the message says which step failed."""


# --- what each client writes and expects back --------------------------------------


def written_config(client: int, counter: int) -> dict[str, object]:
    """The household's configuration with `counter` encoded in two targets and a description.

    US TSM gets 40 + counter/10000 percent and US TBM 30 - counter/10000, so the
    targets still add up to 100 and every write differs from the one before it.
    """
    config = household_config()
    shift = Decimal(counter % 100_000) / 10_000
    targets = config["targets"]
    accounts = config["accounts"]
    assert isinstance(targets, list)
    assert isinstance(accounts, list)
    for target in targets:
        if target["asset_class"] == RAISED:
            target["value"] = str(Decimal(target["value"]) + shift)
        elif target["asset_class"] == LOWERED:
            target["value"] = str(Decimal(target["value"]) - shift)
    for account in accounts:
        if account["number"] == MARKED_ACCOUNT:
            account["description"] = description(client, counter)
    return config


def description(client: int, counter: int) -> str:
    return f"load client {client} write {counter}"


def expected_targets(config: dict[str, object]) -> dict[str, Decimal]:
    targets = config["targets"]
    assert isinstance(targets, list)
    return {t["asset_class"]: Decimal(t["value"]) for t in targets}


def read_targets(document: object) -> dict[str, Decimal] | None:
    """The targets of a GET /api/v1/config answer, or None if it has no readable ones."""
    if not isinstance(document, dict) or not isinstance(document.get("targets"), list):
        return None
    found: dict[str, Decimal] = {}
    for target in document["targets"]:
        try:
            found[str(target["asset_class"])] = Decimal(str(target["value"]))
        except (KeyError, TypeError, InvalidOperation):
            return None
    return found


def marked_description(document: object) -> str | None:
    """The description of the marked account in a POST /api/v1/portfolio answer."""
    masked = "..." + MARKED_ACCOUNT[-4:]
    if not isinstance(document, dict) or not isinstance(document.get("accounts"), list):
        return None
    for account in document["accounts"]:
        if isinstance(account, dict) and account.get("number") == masked:
            value = account.get("description")
            return value if isinstance(value, str) else None
    return None


# --- the clients --------------------------------------------------------------------


@dataclass
class Budget:
    """The shared cap on requests and the deadline, for all clients together."""

    max_requests: int
    deadline: float = math.inf
    sent: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self) -> bool:
        if time.perf_counter() >= self.deadline:
            return False
        with self.lock:
            if self.sent >= self.max_requests:
                return False
            self.sent += 1
            return True


@dataclass
class Sample:
    endpoint: str
    status: int  # 0: no HTTP answer (the error's type is in `failure`)
    ms: float
    failure: str = ""


@dataclass
class LoadClient:
    """One simulated user: a token, a household file, a connection and a write counter."""

    index: int
    url: str
    csv: bytes
    rng: random.Random
    token: str = ""
    counter: int = 0  # the last acknowledged write
    uncertain: bool = False  # a write failed: its outcome is unknown, skip freshness checks
    samples: list[Sample] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    http: httpx.Client | None = None

    @property
    def client(self) -> httpx.Client:
        if self.http is None:
            self.http = httpx.Client(base_url=self.url, timeout=TIMEOUT)
        return self.http

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def close(self) -> None:
        if self.http is not None:
            self.http.close()

    def set_up(self) -> None:
        """A token and the first write (counter 0), outside the measured run."""
        response = self.client.get("/api/v1/token")
        if response.status_code != 200:
            raise LoadAborted(f"load bench: client {self.index}: {TOKEN_EP} -> {_errors(response)}")
        self.token = response.json()["token"]
        response = self.client.put(
            "/api/v1/config", json=written_config(self.index, 0), headers=self.auth
        )
        if response.status_code != 200:
            raise LoadAborted(
                f"load bench: client {self.index}: {PUT_CONFIG_EP} -> {_errors(response)}"
            )

    def _files(self) -> list[tuple[str, tuple[str, bytes, str]]]:
        return [("positions", (FILE_NAME, self.csv, "text/csv"))]

    def timed(self, endpoint: str, send: Callable[[], httpx.Response]) -> httpx.Response | None:
        start = time.perf_counter()
        try:
            response = send()
        except httpx.HTTPError as error:
            ms = (time.perf_counter() - start) * 1000
            self.samples.append(Sample(endpoint, 0, ms, type(error).__name__))
            return None
        ms = (time.perf_counter() - start) * 1000
        failure = "" if response.status_code == 200 else _errors(response)
        self.samples.append(Sample(endpoint, response.status_code, ms, failure))
        return response if response.status_code == 200 else None

    def fail(self, why: str) -> None:
        """A 200 whose body is not what the API promises counts as an error too."""
        self.samples[-1].status, self.samples[-1].failure = -1, why

    # The five kinds of request.

    def get_token(self) -> None:
        response = self.timed(TOKEN_EP, lambda: self.client.get("/api/v1/token"))
        if response is not None and not TOKEN.fullmatch(str(response.json().get("token"))):
            self.fail("no 64-hex token in the answer")

    def post_portfolio(self) -> None:
        response = self.timed(
            PORTFOLIO_EP,
            lambda: self.client.post("/api/v1/portfolio", files=self._files(), headers=self.auth),
        )
        if response is None:
            return
        seen = marked_description(response.json())
        if seen is None:
            self.fail("no marked account in the answer")
        elif not self.uncertain and seen != description(self.index, self.counter):
            self.stale.append(f"{PORTFOLIO_EP}: description {seen!r}, wrote {self.counter}")

    def get_config(self) -> None:
        response = self.timed(
            GET_CONFIG_EP, lambda: self.client.get("/api/v1/config", headers=self.auth)
        )
        if response is None:
            return
        seen = read_targets(response.json())
        wanted = expected_targets(written_config(self.index, self.counter))
        if seen is None:
            self.fail("no targets in the answer")
        elif not self.uncertain and seen != wanted:
            self.stale.append(f"{GET_CONFIG_EP}: targets differ from write {self.counter}")

    def put_config(self) -> None:
        counter = self.counter + 1
        body = written_config(self.index, counter)
        response = self.timed(
            PUT_CONFIG_EP, lambda: self.client.put("/api/v1/config", json=body, headers=self.auth)
        )
        if response is None:
            self.uncertain = True
            return
        self.counter, self.uncertain = counter, False

    def post_rebalance(self) -> None:
        response = self.timed(
            REBALANCE_EP,
            lambda: self.client.post(
                "/api/v1/rebalance", files=self._files(), data={"mode": "full"}, headers=self.auth
            ),
        )
        if response is not None and not isinstance(response.json().get("trades"), list):
            self.fail("no trades list in the answer")

    def run(self, budget: Budget) -> None:
        actions: dict[str, Callable[[], None]] = {
            TOKEN_EP: self.get_token,
            PORTFOLIO_EP: self.post_portfolio,
            GET_CONFIG_EP: self.get_config,
            PUT_CONFIG_EP: self.put_config,
            REBALANCE_EP: self.post_rebalance,
        }
        names, weights = zip(*MIX, strict=True)
        while budget.take():
            actions[self.rng.choices(names, weights)[0]]()

    def lost_write(self) -> str | None:
        """Read the configuration back once more; a description of what is lost, or None."""
        with httpx.Client(base_url=self.url, timeout=TIMEOUT, headers=self.auth) as fresh:
            config = fresh.get("/api/v1/config")
            portfolio = fresh.post("/api/v1/portfolio", files=self._files())
        if config.status_code != 200 or portfolio.status_code != 200:
            return (
                f"client {self.index}: read-back failed ({GET_CONFIG_EP} {config.status_code}, "
                f"{PORTFOLIO_EP} {portfolio.status_code})"
            )
        targets = read_targets(config.json())
        seen = marked_description(portfolio.json())
        wanted = written_config(self.index, self.counter)
        candidates = {self.counter, self.counter + 1} if self.uncertain else {self.counter}
        if any(
            targets == expected_targets(written_config(self.index, n))
            and seen == description(self.index, n)
            for n in candidates
        ):
            return None
        return (
            f"client {self.index}: last acknowledged write {self.counter}, read back "
            f"targets {'match' if targets == expected_targets(wanted) else 'differ'}, "
            f"description {seen!r}"
        )


def _errors(response: httpx.Response) -> str:
    """The response's `errors`, never its other content (which may echo the request)."""
    try:
        document = response.json()
        errors = document.get("errors") if isinstance(document, dict) else None
    except ValueError:
        errors = None
    return f"status {response.status_code}: {errors if errors else '(no errors field)'}"


# --- report -------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(len(ordered) * fraction) - 1)]


def _line(label: str, values: list[float], elapsed: float) -> str:
    if not values:
        return f"{label:<24} {0:>6}"
    return (
        f"{label:<24} {len(values):>6} {len(values) / elapsed:>8.1f} "
        f"{statistics.median(values):>9.1f} {percentile(values, 0.95):>9.1f} "
        f"{percentile(values, 0.99):>9.1f} {max(values):>9.1f}"
    )


@dataclass(frozen=True)
class Outcome:
    samples: list[Sample]
    elapsed: float
    stale: list[str]
    lost: list[str]
    writes: int
    load: tuple[float, float]


def report(outcome: Outcome, args: argparse.Namespace, budget: Budget) -> int:
    samples, elapsed = outcome.samples, outcome.elapsed
    stop = "request cap" if budget.sent >= budget.max_requests else "time"
    print(
        f"\nload bench: {args.clients} clients, {HOUSEHOLDS} households "
        f"({len(ACCOUNTS)} accounts, 30 positions each), {args.workers} rebalance workers, "
        f"{len(os.sched_getaffinity(0))} cores (load average {outcome.load[0]:.1f} before, "
        f"{outcome.load[1]:.1f} after)"
    )
    print(
        f"ran {elapsed:.1f} s (limits {args.seconds:g} s, {args.max_requests} requests; "
        f"stopped by {stop})\n"
    )
    header = f"{'endpoint':<24} {'count':>6} {'req/s':>8} {'p50 ms':>9} {'p95 ms':>9} "
    print(header + f"{'p99 ms':>9} {'max ms':>9}")
    for endpoint in ENDPOINTS:
        values = [s.ms for s in samples if s.endpoint == endpoint]
        print(_line(endpoint, values, elapsed))
    print(_line("all", [s.ms for s in samples], elapsed))
    errors = Counter((s.endpoint, s.status, s.failure) for s in samples if s.status != 200)
    total_errors = sum(errors.values())
    print(f"\nrequests {len(samples)}, errors {total_errors}")
    for (endpoint, status, failure), count in sorted(errors.items()):
        shown = "no answer" if status == 0 else "bad body" if status == -1 else str(status)
        print(f"  {count} x {endpoint} -> {shown}: {failure}")
    print(f"acknowledged writes {outcome.writes} (besides each client's first)")
    print(f"stale reads {len(outcome.stale)}")
    for stale in sorted(set(outcome.stale))[:10]:
        print(f"  {outcome.stale.count(stale)} x {stale}")
    print(f"lost writes {len(outcome.lost)}")
    for lost in outcome.lost:
        print(f"  {lost}")
    failed = bool(total_errors or outcome.stale or outcome.lost)
    print("result:", "FAILED" if failed else "passed (no errors, no stale reads, no lost writes)")
    return 1 if failed else 0


# --- main ---------------------------------------------------------------------------


def run_load(url: str, args: argparse.Namespace, budget: Budget) -> Outcome:
    csvs = [positions_csv(SEED + n) for n in range(HOUSEHOLDS)]
    clients = [
        LoadClient(i, url, csvs[i % HOUSEHOLDS], random.Random(SEED * 1000 + i))
        for i in range(args.clients)
    ]
    started: list[float] = []

    def begin() -> None:
        started.append(time.perf_counter())
        budget.deadline = started[0] + args.seconds

    ready = threading.Barrier(args.clients, action=begin)

    def worker(client: LoadClient) -> None:
        try:
            client.set_up()
        except BaseException:
            ready.abort()  # release the others rather than leave them waiting
            raise
        ready.wait()
        client.run(budget)

    load_before = os.getloadavg()[0]
    try:
        with ThreadPoolExecutor(max_workers=args.clients) as pool:
            for future in [pool.submit(worker, c) for c in clients]:
                future.result()
            elapsed = time.perf_counter() - started[0]
    finally:
        for client in clients:
            client.close()
    load_after = os.getloadavg()[0]
    with ThreadPoolExecutor(max_workers=8) as pool:
        lost = [found for found in pool.map(LoadClient.lost_write, clients) if found]
    return Outcome(
        samples=[s for c in clients for s in c.samples],
        elapsed=elapsed,
        stale=[s for c in clients for s in c.stale],
        lost=lost,
        writes=sum(c.counter for c in clients),
        load=(load_before, load_after),
    )


def _log_tails(log_dir: Path, lines: int = 15) -> None:
    for log in sorted(log_dir.glob("*.log")):
        tail = log.read_text(errors="replace").splitlines()[-lines:]
        print(f"--- last lines of {log.name} ---", *tail, sep="\n", file=sys.stderr)


def _count(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {text}")
    return value


def _seconds(text: str) -> float:
    value = float(text)
    if not 0 < value < math.inf:
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds, not {text}")
    return value


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=_seconds, default=SECONDS)
    parser.add_argument("--clients", type=_count, default=CLIENTS)
    parser.add_argument("--max-requests", type=_count, default=MAX_REQUESTS)
    parser.add_argument("--workers", type=_count, default=WORKERS)
    args = parser.parse_args()
    budget = Budget(args.max_requests)
    # Every client connects from 127.0.0.1: the per-address limit on distinct tokens would
    # otherwise refuse the 51st token of the run (and GET /api/v1/token mints one each time).
    extra_env = {"TOKENS_PER_CLIENT": "1000000"}
    with tempfile.TemporaryDirectory(prefix="load-bench-") as tmp:
        root = Path(tmp)
        try:
            with Stack(
                root / "data", log_dir=root, extra_env=extra_env, workers=args.workers
            ) as stack:
                outcome = run_load(stack.url, args, budget)
        except LoadAborted:
            _log_tails(root)
            raise
        except (RuntimeError, threading.BrokenBarrierError) as error:
            _log_tails(root)
            raise LoadAborted(f"load bench: the stack did not start: {error}") from error
    return report(outcome, args, budget)


if __name__ == "__main__":
    sys.exit(main())
