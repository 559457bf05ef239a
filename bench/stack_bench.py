"""End-to-end latency, throughput and memory of both services as real processes.

Run from the repository root:

    .venv/bin/python bench/stack_bench.py [--requests 200] [--clients 8] [--workers 2]
                                          [--phase-seconds 240]

It starts the config service and the rebalance service (`scripts/stack.py`, real
uvicorn processes on free loopback ports, a temporary data directory), gets a token,
stores a configuration for a typical household (6 accounts over the three tax
groups; targets US TSM 40, ex-US TSM 20, US SC 10, US TBM 30 percent), and posts a
seeded, generated Fidelity `Portfolio_Positions` file (30 positions of built-in
catalogue funds, plus a `SPAXX**` core position per account) to
`POST /api/v1/rebalance` with `mode=full`:

- sequentially, over one keep-alive client: p50, p95, mean and requests per second;
- from N concurrent clients (threads, one client each), the same number of
  requests in total: p50, p95 and throughput;
- `GET /healthz` on one keep-alive connection, the floor under every request;
- the token's key derivation alone, in process (`UserKeys.from_token`, Argon2id
  over 19 MiB, which every request pays once): p50 and mean;
- the peak resident memory of each service, sampled from `/proc` every 50 ms for
  the whole run (for the rebalance service the sum over the master and its
  workers, and the largest single worker), and each process's VmHWM at the end.

Warm-up requests are not counted. A load phase stops early after `--phase-seconds`
(and says so), so a slow build still reports within ten minutes.

All of that twice: warm, as the pages of one visit go (one token, its derived keys
kept by the worker), and cold, on a stack started with `KEY_CACHE_SECONDS=0`, where
every request pays the key derivation. The floor under a request is the key
derivation plus the engine's own time on the same household, in process (reading
the file, joining it with the settings, planning and measuring what each rule
costs, as every request does); a cold request's p50 should be at most 5 ms above
it, a warm one's at most 5 ms above the engine alone. With 8 clients,
cold throughput is held against what the cores can do at that floor (cores / floor),
warm against three times the 20 requests per second measured before the cache.

It prints the figures against those goals and exits 0 whether or not they are met,
or 1 if any request failed.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "scripts"), str(REPO / "tests")]

from rebalance_service.engine import CostBudget, optimize  # noqa: E402
from rebalance_service.household import assemble, build_problem  # noqa: E402
from rebalance_service.importers import read_statement  # noqa: E402
from rebalance_service.keys import ARGON2_MEMORY_KIB, UserKeys, check_token  # noqa: E402
from rebalance_service.use_cases import SolveLimits  # noqa: E402
from rebalancer.configuration import EffectiveSettings  # noqa: E402
from rebalancer.problem import Mode  # noqa: E402
from rebalancer.wire import decode_config_document  # noqa: E402
from stack import Stack  # noqa: E402
from support.households import builtin_defaults  # noqa: E402

SEED = 2025
WARMUP = 5
KDF_RUNS = 50
HEALTHZ_RUNS = 50
SAMPLE_SECONDS = 0.05
PHASE_SECONDS = 240.0  # each load phase, at most: the whole run stays under 10 minutes
ABOVE_FLOOR_GOAL_MS = 5.0
COLD_SHARE_GOAL = 0.9  # of what the cores can do at the floor
WARM_THROUGHPUT_GOAL = 60.0  # three times the 20 requests per second before the key cache
ENGINE_RUNS = 30
STEADY_SECONDS = 3.0  # idle time before the steady memory is read
CENT = Decimal("0.01")
REQUEST_COSTS = CostBudget(clock=time.perf_counter)  # as `use_cases` asks every plan for it
HEADER = (
    "Account Number,Account Name,Symbol,Description,Quantity,Last Price,Last Price Change,"
    "Current Value,Today's Gain/Loss Dollar,Today's Gain/Loss Percent,Total Gain/Loss Dollar,"
    "Total Gain/Loss Percent,Percent Of Account,Cost Basis Total,Average Cost Basis,Type"
)
FOOTER = (
    '"The data and information in this spreadsheet is provided to you solely for your use '
    'and is not for distribution."',
    "",
    '"Date downloaded Mar-04-2025 at 2:53 p.m ET"',
)
FILE_NAME = "Portfolio_Positions_Mar-04-2025.csv"

# (symbol, description, fractional, price): funds of the built-in catalogue.
FUNDS: tuple[tuple[str, str, bool, str], ...] = (
    ("VTI", "VANGUARD INDEX FDS VANGUARD TOTAL STK MKT ETF", False, "281.37"),
    ("VTSAX", "VANGUARD TOTAL STOCK MARKET INDEX FUND ADMIRAL CL", True, "144.12"),
    ("FSKAX", "FIDELITY TOTAL MARKET INDEX FUND", True, "158.23"),
    ("ITOT", "ISHARES TR CORE S&P TTL STK", False, "125.80"),
    ("SCHB", "SCHWAB STRATEGIC TR US BRD MKT ETF", False, "23.41"),
    ("VXUS", "VANGUARD STAR FDS VG TL INTL STK F", False, "63.18"),
    ("FTIHX", "FIDELITY TOTAL INTERNATIONAL INDEX FUND", True, "15.62"),
    ("IXUS", "ISHARES TR CORE MSCI TOTAL", False, "70.02"),
    ("BND", "VANGUARD BD INDEX FDS TOTAL BND MRKT", False, "72.54"),
    ("FXNAX", "FIDELITY U.S. BOND INDEX FUND", True, "10.42"),
    ("AGG", "ISHARES TR CORE US AGGBD ET", False, "98.12"),
    ("SCHZ", "SCHWAB STRATEGIC TR US AGGREGATE BD", False, "23.35"),
    ("VB", "VANGUARD INDEX FDS SMALL CP ETF", False, "236.90"),
    ("VNQ", "VANGUARD INDEX FDS REAL ESTATE ETF", False, "91.63"),
    ("BNDX", "VANGUARD CHARLOTTE FDS TOTAL INTL BD", False, "49.25"),
    ("VGLT", "VANGUARD SCOTTSDALE FDS LONG TERM TREAS", False, "57.31"),
    ("VTIP", "VANGUARD MALVERN FDS STRM INFPROIDX", False, "48.96"),
)

# (number, name, tax group, credit default): two accounts per tax group.
ACCOUNTS: tuple[tuple[str, str, str, bool], ...] = (
    ("X10000001", "Individual", "taxable", True),
    ("X10000002", "Joint WROS", "taxable", False),
    ("X10000003", "Traditional IRA", "tax_deferred", True),
    ("X10000004", "Rollover IRA", "tax_deferred", False),
    ("X10000005", "ROTH IRA", "tax_free", True),
    ("X10000006", "Spouse ROTH IRA", "tax_free", False),
)
POSITIONS = 30
TARGETS = (("US TSM", "40"), ("ex-US TSM", "20"), ("US SC", "10"), ("US TBM", "30"))


class BenchAborted(SystemExit):
    """The stack could not be set up; the message says which step failed."""


# --- the household -------------------------------------------------------------------


def _money(amount: Decimal, signed: bool = False) -> str:
    sign = "-" if amount < 0 else "+" if signed and amount > 0 else ""
    return f"{sign}${abs(amount).quantize(CENT, ROUND_HALF_UP)}"


def _percent(value: Decimal, signed: bool = False) -> str:
    sign = "-" if value < 0 else "+" if signed and value > 0 else ""
    return f"{sign}{abs(value).quantize(CENT, ROUND_HALF_UP)}%"


def _security_cells(rng: random.Random, fund: tuple[str, str, bool, str]) -> list[Decimal]:
    """Quantity, price, day change, value, cost basis total of one position."""
    _, _, fractional, list_price = fund
    price = (Decimal(list_price) * Decimal(rng.randint(970, 1030)) / 1000).quantize(CENT)
    if fractional:
        quantity = (Decimal(rng.randint(10_000, 900_000)) / 1000).quantize(Decimal("0.001"))
    else:
        quantity = Decimal(rng.randint(5, 400))
    change = (price * Decimal(rng.randint(-25, 25)) / 1000).quantize(CENT)
    value = (quantity * price).quantize(CENT, ROUND_HALF_UP)
    cost = (value * Decimal(rng.randint(55, 125)) / 100).quantize(CENT)
    return [quantity, price, change, value, cost]


def _security_row(
    number: str,
    name: str,
    fund: tuple[str, str, bool, str],
    cells: list[Decimal],
    account_value: Decimal,
) -> str:
    quantity, price, change, value, cost = cells
    day = (quantity * change).quantize(CENT, ROUND_HALF_UP)
    gain = value - cost
    return ",".join(
        (
            number,
            name,
            fund[0],
            fund[1],
            str(quantity),
            _money(price),
            _money(change, True),
            _money(value),
            _money(day, True),
            _percent(day * 100 / (value - day), True),
            _money(gain, True),
            _percent(gain * 100 / cost, True),
            _percent(value * 100 / account_value),
            _money(cost),
            _money((cost / quantity).quantize(CENT, ROUND_HALF_UP)),
            "Cash",
        )
    )


def positions_csv(seed: int = SEED) -> bytes:
    """A Fidelity positions export: POSITIONS funds spread over ACCOUNTS, a core row each."""
    rng = random.Random(seed)
    per_account = [POSITIONS // len(ACCOUNTS)] * len(ACCOUNTS)
    for index in range(POSITIONS % len(ACCOUNTS)):
        per_account[index] += 1
    lines = [HEADER]
    for (number, name, _, _), count in zip(ACCOUNTS, per_account, strict=True):
        funds = rng.sample(FUNDS, count)
        cells = [_security_cells(rng, fund) for fund in funds]
        cash = Decimal(rng.randint(20_000, 2_000_000)) / 100
        total = cash + sum((c[3] for c in cells), Decimal(0))
        lines.append(f"{number},{name},SPAXX**,HELD IN MONEY MARKET,,,,{_money(cash)},,,,,,,,")
        lines.extend(
            _security_row(number, name, f, c, total) for f, c in zip(funds, cells, strict=True)
        )
    lines.extend(("", *FOOTER))
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode()


def household_config() -> dict[str, object]:
    accounts: list[dict[str, object]] = []
    for number, name, tax_group, credit_default in ACCOUNTS:
        account: dict[str, object] = {
            "number": number,
            "tax_group": tax_group,
            "description": name,
        }
        if credit_default:
            account["credit_default"] = True
        accounts.append(account)
    targets = [{"asset_class": c, "kind": "percent", "value": v} for c, v in TARGETS]
    return {"accounts": accounts, "targets": targets}


# --- HTTP ----------------------------------------------------------------------------


def _errors(response: httpx.Response) -> str:
    """The response's `errors`, never its other content (which may echo the request)."""
    try:
        errors = response.json().get("errors")
    except ValueError:
        errors = None
    return f"status {response.status_code}: {errors if errors else '(no errors field)'}"


def _expect_ok(step: str, response: httpx.Response) -> httpx.Response:
    if response.status_code != 200:
        raise BenchAborted(f"stack bench: {step} failed, {_errors(response)}")
    return response


def set_up_user(url: str) -> str:
    """A fresh token with the household's configuration stored under it."""
    with httpx.Client(base_url=url, timeout=60) as client:
        token: str = _expect_ok("GET /api/v1/token", client.get("/api/v1/token")).json()["token"]
        auth = {"Authorization": f"Bearer {token}"}
        _expect_ok(
            "PUT /api/v1/config",
            client.put("/api/v1/config", json=household_config(), headers=auth),
        )
    return token


@dataclass
class Rebalancer:
    """Posts the household's file to /api/v1/rebalance and times each request."""

    url: str
    token: str
    csv: bytes
    latencies_ms: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def client(self) -> httpx.Client:
        auth = {"Authorization": f"Bearer {self.token}"}
        return httpx.Client(base_url=self.url, headers=auth, timeout=60)

    def post(self, client: httpx.Client) -> httpx.Response:
        request = client.build_request(
            "POST",
            "/api/v1/rebalance",
            files=[("positions", (FILE_NAME, self.csv, "text/csv"))],
            data={"mode": "full"},
        )
        # The same bytes, written at once as a browser or curl would: httpx writes each
        # multipart piece with its own send, ten per request, which costs this client's
        # CPU and wakes the server for every piece, on the cores it is measured on.
        request.read()
        return client.send(request)

    def timed(self, client: httpx.Client) -> None:
        start = time.perf_counter()
        try:
            response = self.post(client)
        except httpx.HTTPError as error:
            self.failures.append(f"{type(error).__name__}: {error}")
            return
        elapsed = (time.perf_counter() - start) * 1000
        if response.status_code == 200:
            self.latencies_ms.append(elapsed)
        else:
            self.failures.append(_errors(response))

    def warm_up(self, client: httpx.Client, count: int) -> None:
        for _ in range(count):
            _expect_ok("warm-up POST /api/v1/rebalance", self.post(client))


@dataclass(frozen=True)
class Phase:
    """One load phase: the latencies of the requests that succeeded, and the rate of all."""

    name: str
    requested: int
    sent: int
    latencies_ms: list[float]
    rate: float

    @property
    def label(self) -> str:
        if self.sent == self.requested:
            return f"{self.name} ({self.sent})"
        return f"{self.name} ({self.sent} of {self.requested}, time cap)"


def run_sequential(bench: Rebalancer, requests: int, budget: float) -> Phase:
    """`requests` posts one after the other on one keep-alive connection."""
    with bench.client() as client:
        plan = _expect_ok("first POST /api/v1/rebalance", bench.post(client)).json()
        print(f"plan: {len(plan['trades'])} trades, {len(plan['warnings'])} warnings")
        bench.warm_up(client, WARMUP)
        start = time.perf_counter()
        deadline = start + budget
        sent = 0
        while sent < requests and time.perf_counter() < deadline:
            bench.timed(client)
            sent += 1
        elapsed = time.perf_counter() - start
    return Phase("rebalance, sequential", requests, sent, bench.latencies_ms, sent / elapsed)


def run_concurrent(bench: Rebalancer, requests: int, clients: int, budget: float) -> Phase:
    """`requests` posts in total from `clients` threads, each with its own connection."""
    shares = [requests // clients + (i < requests % clients) for i in range(clients)]
    parts = [Rebalancer(bench.url, bench.token, bench.csv) for _ in range(clients)]
    started: list[float] = []
    ready = threading.Barrier(clients, action=lambda: started.append(time.perf_counter()))

    def worker(part: Rebalancer, count: int) -> int:
        with part.client() as client:
            try:
                part.warm_up(client, 1)
            except BaseException:
                ready.abort()  # release the others rather than leave them waiting
                raise
            ready.wait()
            deadline, sent = started[0] + budget, 0
            while sent < count and time.perf_counter() < deadline:
                part.timed(client)
                sent += 1
            return sent

    with ThreadPoolExecutor(max_workers=clients) as pool:
        futures = [pool.submit(worker, p, n) for p, n in zip(parts, shares, strict=True)]
        sent = sum(future.result() for future in futures)
        elapsed = time.perf_counter() - started[0]
    for part in parts:
        bench.latencies_ms.extend(part.latencies_ms)
        bench.failures.extend(part.failures)
    name = f"rebalance, {clients} concurrent"
    return Phase(name, requests, sent, bench.latencies_ms, sent / elapsed)


def healthz_ms(url: str, runs: int = HEALTHZ_RUNS) -> list[float]:
    """Round trips of GET /healthz on one keep-alive connection: the transport's floor."""
    times: list[float] = []
    with httpx.Client(base_url=url, timeout=10) as client:
        _expect_ok("GET /healthz", client.get("/healthz"))
        for _ in range(runs):
            start = time.perf_counter()
            _expect_ok("GET /healthz", client.get("/healthz"))
            times.append((time.perf_counter() - start) * 1000)
    return times


def key_derivation_ms(raw_token: str, runs: int = KDF_RUNS) -> list[float]:
    token = check_token(raw_token)
    UserKeys.from_token(token)
    times: list[float] = []
    for _ in range(runs):
        start = time.perf_counter()
        UserKeys.from_token(token)
        times.append((time.perf_counter() - start) * 1000)
    return times


def engine_ms(csv: bytes, runs: int = ENGINE_RUNS) -> list[float]:
    """The engine's own time on the household, in process, as a request pays it: the file
    read, joined with the settings and the built-in catalogue, the plan solved with the
    report of what each rule costs, under the same budget and time limit."""
    document = decode_config_document(household_config())
    accounts = {entry.number: entry.settings for entry in document.accounts}
    settings = EffectiveSettings.of(document.settings, builtin_defaults())
    times: list[float] = []
    for _ in range(runs + 1):
        start = time.perf_counter()
        statement = read_statement([(FILE_NAME, csv)])
        problem = build_problem(assemble(statement, accounts, settings), Mode.FULL, False, {})
        optimize(problem, costs=REQUEST_COSTS, seconds=SolveLimits().plan)
        times.append((time.perf_counter() - start) * 1000)
    return times[1:]  # the first pays for imports and caches


# --- memory --------------------------------------------------------------------------


def _status_kib(pid: int, key: str) -> int | None:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith(f"{key}:"):
            return int(line.split()[1])
    return None


def descendants(root: int) -> list[int]:
    """Every process below `root`, from the parent field of each `/proc/<pid>/stat`."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            after_name = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        children.setdefault(int(after_name[1]), []).append(int(stat.parent.name))
    found: list[int] = []
    pending = list(children.get(root, []))
    while pending:
        pid = pending.pop()
        found.append(pid)
        pending.extend(children.get(pid, []))
    return sorted(found)


def _role(pid: int) -> str:
    """What a process below the rebalance service is: a uvicorn worker or a helper."""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return "gone"
    return "resource tracker" if b"resource_tracker" in command else "worker"


class MemorySampler:
    """Peak VmRSS (KiB) of the config service and of the rebalance service's process tree."""

    def __init__(self, config_pid: int, rebalance_pid: int) -> None:
        self.config_pid, self.rebalance_pid = config_pid, rebalance_pid
        self.config_peak = self.rebalance_peak = self.worker_peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(SAMPLE_SECONDS)

    def sample(self) -> None:
        config = _status_kib(self.config_pid, "VmRSS") or 0
        below = {pid: _status_kib(pid, "VmRSS") or 0 for pid in descendants(self.rebalance_pid)}
        master = _status_kib(self.rebalance_pid, "VmRSS") or 0
        workers = [kib for pid, kib in below.items() if _role(pid) == "worker"]
        self.config_peak = max(self.config_peak, config)
        self.rebalance_peak = max(self.rebalance_peak, master + sum(below.values()))
        self.worker_peak = max(self.worker_peak, *workers, 0)

    def steady(self) -> str:
        """Each live process's VmRSS now: read after the load, once the stack has idled."""
        return self._per_process("VmRSS")

    def high_water_marks(self) -> str:
        """Each live process's VmHWM, read while the stack still runs."""
        return self._per_process("VmHWM")

    def _per_process(self, key: str) -> str:
        config = _status_kib(self.config_pid, key)
        master = _status_kib(self.rebalance_pid, key)
        below = descendants(self.rebalance_pid)
        shown = [f"{_role(pid)} {_mib(_status_kib(pid, key))}" for pid in below]
        return f"config {_mib(config)}   rebalance master {_mib(master)}   " + ", ".join(shown)


def _mib(kib: int | None) -> str:
    return "n/a" if kib is None else f"{kib / 1024:.1f} MiB"


# --- report --------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(len(ordered) * fraction) - 1)]


@dataclass(frozen=True)
class Run:
    """The load phases of one stack, and its processes' memory."""

    sequential: Phase
    concurrent: Phase
    peak: str
    steady: str
    high_water: str


@dataclass(frozen=True)
class Figures:
    kdf_ms: list[float]
    engine_ms: list[float]
    healthz_ms: list[float]
    warm: Run
    cold: Run
    load: tuple[float, float]  # the 1-minute load average before and after: others' work skews


def _met(ok: bool) -> str:
    return "met" if ok else "not met"


def _phase_line(phase: Phase, mean: bool) -> str:
    values = phase.latencies_ms
    if not values:
        return f"{phase.label:<36} no successful requests"
    line = f"{phase.label:<36} p50 {statistics.median(values):6.1f} ms   "
    line += f"p95 {percentile(values, 0.95):6.1f} ms   "
    if mean:
        line += f"mean {statistics.fmean(values):6.1f} ms   "
    return line + f"{phase.rate:5.1f} req/s"


def report(figures: Figures, args: argparse.Namespace) -> None:
    kdf = statistics.median(figures.kdf_ms)
    engine = statistics.median(figures.engine_ms)
    floor = kdf + engine
    cores = len(os.sched_getaffinity(0))
    print(
        f"\nstack bench: typical household ({len(ACCOUNTS)} accounts, {POSITIONS} positions), "
        f"full mode, {args.workers} rebalance workers, {cores} cores "
        f"(load average {figures.load[0]:.1f} before, {figures.load[1]:.1f} after)"
    )
    kdf_label = f"key derivation (Argon2id, {ARGON2_MEMORY_KIB // 1024} MiB)"
    print(f"{kdf_label:<40} p50 {kdf:6.1f} ms")
    print(f"{'engine alone, in process':<40} p50 {engine:6.1f} ms   (read, join, plan, its costs)")
    print(f"{'floor: key derivation + engine':<40}     {floor:6.1f} ms")
    print(
        f"{f'GET /healthz, keep-alive ({len(figures.healthz_ms)})':<40} "
        f"p50 {statistics.median(figures.healthz_ms):6.1f} ms   (the transport's own floor)"
    )
    for name, run, below in (("cold", figures.cold, floor), ("warm", figures.warm, engine)):
        print(f"-- {name}: {_KINDS[name]}")
        print(_phase_line(run.sequential, mean=True))
        print(_phase_line(run.concurrent, mean=False))
        values = run.sequential.latencies_ms
        above = statistics.median(values) - below if values else math.inf
        what = "the floor" if name == "cold" else "the engine alone"
        print(
            f"{f'p50 above {what}':<40} {above:6.1f} ms   "
            f"(goal: <= {ABOVE_FLOOR_GOAL_MS:.0f} ms): {_met(above <= ABOVE_FLOOR_GOAL_MS)}"
        )
        rate = run.concurrent.rate
        if name == "cold":
            limit = cores * 1000 / floor
            print(
                f"{f'{args.clients} clients against the cores':<40} {rate:6.1f} of "
                f"{limit:.1f} req/s ({cores} cores / {floor:.1f} ms) = {rate / limit:.0%}   "
                f"(goal: >= {COLD_SHARE_GOAL:.0%}): {_met(rate >= COLD_SHARE_GOAL * limit)}"
            )
        else:
            print(
                f"{f'{args.clients} clients':<40} {rate:6.1f} req/s   (goal: >= "
                f"{WARM_THROUGHPUT_GOAL:.0f}): {_met(rate >= WARM_THROUGHPUT_GOAL)}"
            )
        print(f"{'peak RSS':<40} {run.peak}")
        print(f"{f'steady RSS ({STEADY_SECONDS:.0f} s idle after)':<40} {run.steady}")
        print(f"{'VmHWM':<40} {run.high_water}")


_KINDS = {
    "cold": "KEY_CACHE_SECONDS=0, every request derives its key",
    "warm": "one token, its keys kept by the worker, as the pages of one visit",
}


# --- main ----------------------------------------------------------------------------


def _log_tails(log_dir: Path, lines: int = 15) -> None:
    for log in sorted(log_dir.glob("*.log")):
        tail = log.read_text(errors="replace").splitlines()[-lines:]
        print(f"--- last lines of {log.name} ---", *tail, sep="\n", file=sys.stderr)


def _pid(process: subprocess.Popen[bytes] | None) -> int:
    if process is None:
        raise BenchAborted("stack bench: a service process did not start")
    return process.pid


def measure(stack: Stack, args: argparse.Namespace, csv: bytes) -> tuple[Run, list[str]]:
    token = set_up_user(stack.url)
    pids = _pid(stack.config.process), _pid(stack.rebalance.process)
    with MemorySampler(*pids) as memory:
        sequential = Rebalancer(stack.url, token, csv)
        one_by_one = run_sequential(sequential, args.requests, args.phase_seconds)
        concurrent = Rebalancer(stack.url, token, csv)
        together = run_concurrent(concurrent, args.requests, args.clients, args.phase_seconds)
        memory.sample()
    time.sleep(STEADY_SECONDS)
    peak = (
        f"config service {_mib(memory.config_peak)}   rebalance service (all processes) "
        f"{_mib(memory.rebalance_peak)} (largest worker {_mib(memory.worker_peak)})"
    )
    run = Run(one_by_one, together, peak, memory.steady(), memory.high_water_marks())
    return run, sequential.failures + concurrent.failures


def _stack_run(
    root: Path, args: argparse.Namespace, csv: bytes, env: dict[str, str]
) -> tuple[Run, list[float], list[str]]:
    root.mkdir()
    try:
        with Stack(root / "data", log_dir=root, workers=args.workers, extra_env=env) as stack:
            run, failures = measure(stack, args, csv)
            healthz = healthz_ms(stack.url)
    except BenchAborted:
        _log_tails(root)
        raise
    except RuntimeError as error:  # what Stack raises when a service does not come up
        _log_tails(root)
        raise BenchAborted(f"stack bench: the stack did not start: {error}") from error
    return run, healthz, failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--phase-seconds",
        type=float,
        default=PHASE_SECONDS,
        help="stop a load phase after this long, so a slow build still reports",
    )
    args = parser.parse_args()
    csv = positions_csv()
    load_before = os.getloadavg()[0]
    kdf = key_derivation_ms(secrets_token())
    engine = engine_ms(csv)
    with tempfile.TemporaryDirectory(prefix="stack-bench-") as tmp:
        warm, healthz, warm_failures = _stack_run(Path(tmp) / "warm", args, csv, {})
        cold, _, cold_failures = _stack_run(
            Path(tmp) / "cold", args, csv, {"KEY_CACHE_SECONDS": "0"}
        )
    figures = Figures(kdf, engine, healthz, warm, cold, (load_before, os.getloadavg()[0]))
    report(figures, args)
    failures = warm_failures + cold_failures
    print(f"{'failed requests':<40} {len(failures)}")
    for failure in sorted(set(failures)):
        print(f"  {failures.count(failure)} x {failure}")
    return 1 if failures else 0


def secrets_token() -> str:
    """A token like those GET /api/v1/token makes."""
    return os.urandom(32).hex()


if __name__ == "__main__":
    sys.exit(main())
