"""Where a rebalance request's time goes, stage by stage, from py-spy on the real workers.

Run from the repository root (as root, or where ptrace is allowed):

    .venv/bin/python bench/profile_stages.py [--requests 200] [--rate 997]

It starts both services as `bench/stack_bench.py` does (one rebalance worker, so
each sample is one request's), stores the bench's typical household, and posts its
file to `POST /api/v1/rebalance` (`mode=full`) one request after another, twice:
warm (one token, its derived keys cached, as the pages of one visit go) and cold
(`KEY_CACHE_SECONDS=0`, every request pays the key derivation). Meanwhile
`py-spy record --format raw` samples the rebalance worker and the config service.

Each sample goes to the stage its stack shows (the key derivation, the config
service round trip, decrypting, reading the upload, parsing, building the problem,
the solve, the proof, the cost report, assembling the plan, encoding the answer,
or the HTTP framework and event loop), and the samples become milliseconds of CPU
per request. What the worker spends waiting (on the config
service, on a thread) is not CPU: the wall-clock p50 beside the CPU total shows it.
"""

from __future__ import annotations

import argparse
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO)]

from bench import stack_bench  # noqa: E402  (it puts scripts/ on the path)

from stack import Stack  # noqa: E402

# (stage, fragments of a frame's "function (file:line)" text that place a sample there).
# A sample goes to the first stage here that any frame of its stack matches, so a stage
# that runs inside another comes before it: the cost report and the proof call the
# solver, parsing runs inside the upload's reading, everything under the framework.
STAGES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("key derivation", ("argon2", "hash_secret_raw", "Argon2", "from_token", "derive_key")),
    ("decrypting", ("AESGCM", "aead", "/storage.py", "unseal", "open_record")),
    ("the cost report", ("/engine/costs.py",)),
    ("the proof", ("/engine/proof.py",)),
    ("assembling the plan", ("/engine/assemble.py", "/engine/reasons.py")),
    ("the solve", ("/engine/", "highspy")),
    ("parsing", ("/importers/", "/rebalancer/instruments.py", "/rebalancer/statement.py")),
    ("building the problem", ("/household.py",)),
    ("encoding the answer", ("/documents.py", "/rebalancer/wire.py", "json/", "/web/")),
    ("config service round trip", ("/config_store.py", "httpx/", "httpcore/")),
    ("reading the upload", ("multipart", "/edge/uploads.py", "/edge/large_uploads.py")),
    ("HTTP and the event loop", ("uvicorn/", "starlette/", "h11/", "httptools", "anyio/")),
)
OTHER = "other"
WAITING = "waiting (not CPU)"
# Innermost frames of a thread that is blocked, which py-spy's --nonblocking mode may
# still count as running: they are waiting, and stay out of the CPU figures.
BLOCKED = (
    "Selector.select (selectors.py",
    "Condition.wait (threading.py",
    "Event.wait (threading.py",
)


@dataclass(frozen=True)
class Profile:
    label: str
    requests: int
    p50_ms: float
    worker_ms: dict[str, float]  # CPU per request, by stage
    config_ms: float  # the config service's own CPU per request
    heaviest: list[tuple[str, float]]  # with --show: that stage's innermost frames, ms


def stage_of(stack_text: str) -> str:
    innermost = stack_text.rsplit(";", 1)[-1]
    if any(blocked in innermost for blocked in BLOCKED):
        return WAITING
    for stage, fragments in STAGES:
        if any(fragment in stack_text for fragment in fragments):
            return stage
    return OTHER


def stacks(raw: Path) -> Iterator[tuple[str, int]]:
    for line in raw.read_text(errors="replace").splitlines():
        stack_text, _, count = line.rpartition(" ")
        if stack_text and count.isdigit():
            yield stack_text, int(count)


def samples_by_stage(raw: Path) -> Counter[str]:
    counts: Counter[str] = Counter()
    for stack_text, count in stacks(raw):
        counts[stage_of(stack_text)] += count
    return counts


def heaviest_frames(raw: Path, stage: str, most: int = 12) -> list[tuple[str, int]]:
    """The innermost frames of one stage's samples, heaviest first: where to look next."""
    counts: Counter[str] = Counter()
    for stack_text, count in stacks(raw):
        if stage_of(stack_text) == stage:
            counts[stack_text.rsplit(";", 1)[-1]] += count
    return counts.most_common(most)


def py_spy(pid: int, out: Path, rate: int) -> subprocess.Popen[bytes]:
    command = [
        str(Path(sys.executable).with_name("py-spy")),
        "record",
        "--pid",
        str(pid),
        "--format",
        "raw",
        "--rate",
        str(rate),
        "--subprocesses",
        "--nonblocking",
        "--output",
        str(out),
    ]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def stop(recorder: subprocess.Popen[bytes]) -> None:
    recorder.send_signal(signal.SIGINT)  # py-spy writes its file on SIGINT
    try:
        recorder.wait(timeout=30)
    except subprocess.TimeoutExpired:
        recorder.kill()
        recorder.wait()


def profile(
    label: str, root: Path, args: argparse.Namespace, csv: bytes, env: dict[str, str]
) -> Profile:
    root.mkdir()
    with Stack(root / "data", log_dir=root, workers=1, extra_env=env) as stack:
        token = stack_bench.set_up_user(stack.url)
        bench = stack_bench.Rebalancer(stack.url, token, csv)
        with bench.client() as client:
            bench.warm_up(client, stack_bench.WARMUP)
            assert stack.rebalance.process is not None
            assert stack.config.process is not None
            worker_raw, config_raw = root / "worker.txt", root / "config.txt"
            recorders = [
                py_spy(stack.rebalance.process.pid, worker_raw, args.rate),
                py_spy(stack.config.process.pid, config_raw, args.rate),
            ]
            time.sleep(1.0)  # py-spy attaches
            for _ in range(args.requests):
                bench.timed(client)
            for recorder in recorders:
                stop(recorder)
    if bench.failures:
        raise SystemExit(f"profile: {len(bench.failures)} requests failed: {bench.failures[0]}")
    per_request = 1000 / args.rate / args.requests  # ms of CPU that one sample stands for
    counts = samples_by_stage(worker_raw)
    return Profile(
        label,
        args.requests,
        statistics.median(bench.latencies_ms),
        {stage: n * per_request for stage, n in counts.items() if stage != WAITING},
        sum(n for stage, n in samples_by_stage(config_raw).items() if stage != WAITING)
        * per_request,
        [(frame, n * per_request) for frame, n in heaviest_frames(worker_raw, args.show)],
    )


def report(profiles: list[Profile]) -> None:
    stages = [stage for stage, _ in STAGES] + [OTHER]  # WAITING is left out: not CPU
    print(f"{'CPU per request, ms':<32}" + "".join(f"{p.label:>12}" for p in profiles))
    for stage in stages:
        cells = "".join(f"{p.worker_ms.get(stage, 0.0):>12.2f}" for p in profiles)
        print(f"  {stage:<30}{cells}")
    print(
        f"  {'total in the worker':<30}"
        + "".join(f"{sum(p.worker_ms.values()):>12.2f}" for p in profiles)
    )
    print(
        f"  {'the config service itself':<30}" + "".join(f"{p.config_ms:>12.2f}" for p in profiles)
    )
    print(f"{'wall-clock p50, ms':<32}" + "".join(f"{p.p50_ms:>12.2f}" for p in profiles))
    for p in profiles:
        for frame, ms in p.heaviest:
            print(f"  {p.label} {ms:8.2f}  {frame}")
    print("(CPU samples: the gap to the wall clock is waiting, on the config service or a thread)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--rate", type=int, default=997, help="samples per second")
    parser.add_argument("--show", default="", help="list this stage's heaviest frames")
    args = parser.parse_args()
    csv = stack_bench.positions_csv()
    with tempfile.TemporaryDirectory(prefix="profile-stages-") as tmp:
        profiles = [
            profile("warm", Path(tmp) / "warm", args, csv, {}),
            profile("cold", Path(tmp) / "cold", args, csv, {"KEY_CACHE_SECONDS": "0"}),
        ]
    report(profiles)
    return 0


if __name__ == "__main__":
    sys.exit(main())
