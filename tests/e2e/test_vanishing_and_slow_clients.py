"""Clients that go away mid-request, or send slowly: one log line each, bounded time held.

Over raw sockets against a real rebalance service, reading its log. The stack is this
module's own, with short timeouts, so that a test waits seconds, not minutes.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from stack import Stack

pytestmark = pytest.mark.e2e

BOUNDARY = "vanishing-client-boundary"


class Log:
    """The rebalance service's log, from a mark on."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.mark = 0

    def set_mark(self) -> None:
        self.mark = self.path.stat().st_size

    def since_mark(self) -> list[str]:
        with self.path.open("rb") as log:
            log.seek(self.mark)
            return [line for line in log.read().decode(errors="replace").splitlines() if line]

    def wait_for(self, text: str, seconds: float = 15) -> list[str]:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            lines = self.since_mark()
            if any(text in line for line in lines):
                time.sleep(0.3)  # anything logged right after it, a traceback say
                return self.since_mark()
            time.sleep(0.05)
        raise AssertionError(f"no {text!r} in the log within {seconds} s: {self.since_mark()}")


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    root = tmp_path_factory.mktemp("vanishing")
    env = {"TOKENS_PER_CLIENT": "1000000"}
    with Stack(root / "data", log_dir=root, extra_env=env) as running:
        yield running


@pytest.fixture(scope="module")
def token(stack: Stack) -> str:
    found: str = httpx.get(f"{stack.url}/api/v1/token").json()["token"]
    return found


@pytest.fixture
def log(stack: Stack) -> Log:
    assert stack.rebalance.log_path is not None
    found = Log(stack.rebalance.log_path)
    found.set_mark()
    return found


def connect(stack: Stack) -> socket.socket:
    return socket.create_connection(("127.0.0.1", stack.rebalance.port), timeout=30)


def upload_request(token: str, size: int, path: str = "/api/v1/portfolio") -> tuple[bytes, bytes]:
    """The head and the whole multipart body of an upload of one CSV of about `size` bytes."""
    rows = b"Z90000001,Individual,VTI,FUND,1,1,1\n" * (size // 36)
    body = (
        f"--{BOUNDARY}\r\n"
        'Content-Disposition: form-data; name="positions"; filename="positions.csv"\r\n'
        "Content-Type: text/csv\r\n\r\n"
    ).encode()
    body += b"Account Number,Account Name,Symbol,Description,Quantity,Last Price,Current Value\n"
    body += rows + f"\r\n--{BOUNDARY}--\r\n".encode()
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: Bearer {token}\r\n"
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    return head, body


def test_a_client_that_goes_away_mid_upload_is_one_log_line_not_a_500(
    stack: Stack, token: str, log: Log
) -> None:
    head, body = upload_request(token, 400_000)
    with connect(stack) as client:
        client.sendall(head + body[: len(body) // 2])
        time.sleep(0.5)
    lines = log.wait_for("POST /api/v1/portfolio")
    assert not [line for line in lines if "Traceback" in line or "unhandled" in line]
    assert len(lines) == 1, lines
    assert "POST /api/v1/portfolio 499" in lines[0]
    assert httpx.get(f"{stack.url}/healthz").status_code == 200


def test_a_page_upload_abandoned_halfway_is_one_log_line_too(
    stack: Stack, token: str, log: Log
) -> None:
    head, body = upload_request(token, 400_000, path="/results")
    with connect(stack) as client:
        client.sendall(head + body[: len(body) // 3])
        time.sleep(0.5)
    lines = log.wait_for("POST /results")
    assert len(lines) == 1, lines
    assert "POST /results 499" in lines[0]
