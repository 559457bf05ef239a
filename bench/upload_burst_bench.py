"""Memory of the running stack before, at the peak of and after a burst of large uploads.

Run from the repository root:

    .venv/bin/python bench/upload_burst_bench.py [--uploads 20] [--mib 4.8] [--workers 2]

It starts both services (`scripts/stack.py`, real processes, a temporary data
directory), gets a token, and sends `--uploads` concurrent `POST /api/v1/portfolio`
requests, each one positions file of `--mib` MiB (a Fidelity export of hundreds of
thousands of one-share rows, as `tests/e2e/test_hostile_inputs.py` sends). A request
refused with 503 (the rebalance service reads only a few large uploads per worker at
once) is sent again after its `Retry-After`, so every upload is answered in the end.

It prints the resident memory of the whole stack (the config service, the rebalance
service's master and its workers), sampled from `/proc` every 50 ms: before the burst
(after a few small uploads, so that each worker has loaded what every request needs),
at its peak, just after it and once the stack has been idle for a few seconds; how
many answers were 503 before each upload got its 200; and exits 1 if any upload
failed otherwise.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.stack_bench import MemorySampler, _status_kib, descendants

from stack import Stack

UPLOADS = 20
MIB = 4.8
WORKERS = 2
IDLE_SECONDS = 5.0
TIMEOUT = 300.0
HEADER = b"Account Number,Account Name,Symbol,Description,Quantity,Last Price,Current Value\n"
ROW = b"Z90000001,Individual,VTI,FUND,1,1,1\n"


def large_csv(mib: float) -> bytes:
    """A positions file of about `mib` MiB, every row a holding of one share at $1."""
    rows = (int(mib * 1024 * 1024) - len(HEADER)) // len(ROW)
    return HEADER + ROW * rows


def stack_kib(sampler: MemorySampler) -> int:
    """The resident memory of every process of the stack now, in KiB."""
    pids = [sampler.config_pid, sampler.rebalance_pid, *descendants(sampler.rebalance_pid)]
    return sum(_status_kib(pid, "VmRSS") or 0 for pid in pids)


class PeakSampler(MemorySampler):
    """MemorySampler, also keeping the peak of the whole stack's sum."""

    stack_peak = 0

    def sample(self) -> None:
        super().sample()
        self.stack_peak = max(self.stack_peak, stack_kib(self))


def upload_until_answered(url: str, token: str, data: bytes, start: threading.Barrier) -> list[int]:
    """Every status the upload got, the last one not a 503."""
    statuses: list[int] = []
    with httpx.Client(base_url=url, timeout=TIMEOUT) as client:
        start.wait()
        while True:
            response = client.post(
                "/api/v1/portfolio",
                files=[("positions", ("positions.csv", data, "text/csv"))],
                headers={"Authorization": f"Bearer {token}"},
            )
            statuses.append(response.status_code)
            if response.status_code != 503:
                return statuses
            time.sleep(float(response.headers.get("retry-after", "1")))


def warm_up(url: str, token: str, workers: int) -> None:
    """A small upload or two on fresh connections, so that each worker has imported and
    cached what any request needs before "before" is measured."""
    small = large_csv(0.01)
    for _ in range(4 * workers):
        with httpx.Client(base_url=url, timeout=TIMEOUT) as client:
            response = client.post(
                "/api/v1/portfolio",
                files=[("positions", ("positions.csv", small, "text/csv"))],
                headers={"Authorization": f"Bearer {token}"},
            )
            response.raise_for_status()


def _mib(kib: int) -> str:
    return f"{kib / 1024:.0f} MiB"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--uploads", type=int, default=UPLOADS)
    parser.add_argument("--mib", type=float, default=MIB)
    parser.add_argument("--workers", type=int, default=WORKERS)
    args = parser.parse_args()
    data = large_csv(args.mib)
    with tempfile.TemporaryDirectory(prefix="burst-bench-") as tmp:
        root = Path(tmp)
        with Stack(root / "data", log_dir=root, workers=args.workers) as stack:
            token = httpx.get(f"{stack.url}/api/v1/token").json()["token"]
            warm_up(stack.url, token, args.workers)
            assert stack.config.process is not None
            assert stack.rebalance.process is not None
            sampler = PeakSampler(stack.config.process.pid, stack.rebalance.process.pid)
            with sampler:
                time.sleep(1)
                before = stack_kib(sampler)
                start = threading.Barrier(args.uploads)
                began = time.perf_counter()
                with ThreadPoolExecutor(max_workers=args.uploads) as pool:
                    futures = [
                        pool.submit(upload_until_answered, stack.url, token, data, start)
                        for _ in range(args.uploads)
                    ]
                    answers = [f.result() for f in futures]
                seconds = time.perf_counter() - began
                just_after = stack_kib(sampler)
                time.sleep(IDLE_SECONDS)
                idle = stack_kib(sampler)
    statuses = Counter(s for answer in answers for s in answer)
    final = Counter(answer[-1] for answer in answers)
    print(
        f"\nupload burst: {args.uploads} concurrent uploads of {len(data) / 2**20:.1f} MiB "
        f"to POST /api/v1/portfolio, {args.workers} rebalance workers\n"
    )
    print(f"stack memory before          {_mib(before)}")
    print(f"stack memory at peak         {_mib(sampler.stack_peak)}")
    print(f"stack memory just after      {_mib(just_after)}")
    print(f"stack memory {IDLE_SECONDS:g} s later       {_mib(idle)}")
    print(f"largest worker at peak       {_mib(sampler.worker_peak)}")
    print(f"\nall answered in {seconds:.1f} s; answers by status: {dict(sorted(statuses.items()))}")
    failed = set(final) != {200}
    print("result:", "FAILED" if failed else "passed (every upload answered 200 in the end)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
