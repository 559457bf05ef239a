"""Start both services as real processes: for `make run`, the tests and the benchmarks.

`python scripts/stack.py` is what `make run` runs: it starts the config service
(which migrates the database), waits until it is healthy, starts the rebalance
service, prints the address, and stops both on Ctrl-C.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO

import httpx

STARTUP_SECONDS = 60


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Service:
    name: str
    command: list[str]
    env: dict[str, str]
    port: int
    log_path: Path | None = None
    process: subprocess.Popen[bytes] | None = None
    _log: IO[bytes] | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        output: IO[bytes] | None = None
        if self.log_path is not None:
            self._log = output = self.log_path.open("ab")
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            self.command, env=self.env, stdout=output, stderr=subprocess.STDOUT
        )

    def wait_healthy(self, seconds: float = STARTUP_SECONDS) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with status {self.process.returncode}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} was not healthy within {seconds} s")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._log is not None:
            self._log.close()
            self._log = None


class Stack:
    """Both services on free (or given) loopback ports, sharing one data directory."""

    def __init__(
        self,
        data_dir: Path,
        *,
        config_port: int | None = None,
        rebalance_port: int | None = None,
        log_dir: Path | None = None,
        extra_env: Mapping[str, str] | None = None,
        workers: int = 1,
    ) -> None:
        base = {
            **os.environ,
            "DATA_DIR": str(data_dir),
            "PYTHONUNBUFFERED": "1",
            **(extra_env or {}),
        }
        config_port = config_port or free_port()
        rebalance_port = rebalance_port or free_port()
        self.data_dir = data_dir
        self.config = Service(
            "config service",
            [sys.executable, "-m", "config_service"],
            {**base, "CONFIG_PORT": str(config_port)},
            config_port,
            log_dir / "config.log" if log_dir else None,
        )
        self.rebalance = Service(
            "rebalance service",
            [sys.executable, "-m", "rebalance_service"],
            {
                **base,
                "REBALANCE_PORT": str(rebalance_port),
                "REBALANCE_WORKERS": str(workers),
                "CONFIG_URL": f"http://127.0.0.1:{config_port}",
            },
            rebalance_port,
            log_dir / "rebalance.log" if log_dir else None,
        )

    @property
    def url(self) -> str:
        return self.rebalance.url

    def start(self) -> Stack:
        try:
            self.config.start()
            self.config.wait_healthy()
            self.rebalance.start()
            self.rebalance.wait_healthy()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        self.rebalance.stop()
        self.config.stop()

    def __enter__(self) -> Stack:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def main() -> None:
    data_dir = Path(os.environ.get("DATA_DIR", "./data"))
    stack = Stack(
        data_dir,
        config_port=int(os.environ.get("CONFIG_PORT", "8091")),
        rebalance_port=int(os.environ.get("REBALANCE_PORT", "8090")),
        workers=int(os.environ.get("REBALANCE_WORKERS", "2")),
    )
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with stack:
        bind = os.environ.get("REBALANCE_BIND", "127.0.0.1")
        print(
            f"\nRebalancer is running: http://{bind}:{stack.rebalance.port}/  (Ctrl-C stops it)\n"
        )
        try:
            while all(
                s.process and s.process.poll() is None for s in (stack.config, stack.rebalance)
            ):
                time.sleep(0.5)
            print("a service stopped; stopping the other", file=sys.stderr)
        except KeyboardInterrupt:
            print("\nstopping")


if __name__ == "__main__":
    main()
