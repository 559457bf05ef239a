"""Clients that go away mid-request, send slowly or send large files all at once: one log
line each, a bounded time held, a bounded number read at once.

Over raw sockets against a real rebalance service, reading its log. The stack is this
module's own, with one worker reading one large upload at a time and short timeouts,
so that a test waits seconds, not minutes.
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
HEAD_SECONDS = 1  # HEADER_TIMEOUT_SECONDS of this module's stack
BODY_SECONDS = 2  # BODY_TIMEOUT_SECONDS
SLACK = 1.5  # seconds a loaded machine may add before a timeout is seen to act


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
    env = {
        "TOKENS_PER_CLIENT": "1000000",
        "LARGE_UPLOADS_PER_WORKER": "1",
        "HEADER_TIMEOUT_SECONDS": str(HEAD_SECONDS),
        "BODY_TIMEOUT_SECONDS": str(BODY_SECONDS),
    }
    with Stack(root / "data", log_dir=root, extra_env=env) as running:
        yield running


@pytest.fixture(scope="module")
def token(stack: Stack) -> str:
    found: str = httpx.get(f"{stack.url}/api/v1/token").json()["token"]
    return found


@pytest.fixture
def log(stack: Stack, token: str) -> Log:  # the token first, so that its line is before the mark
    assert stack.rebalance.log_path is not None
    found = Log(stack.rebalance.log_path)
    found.set_mark()
    return found


def connect(stack: Stack) -> socket.socket:
    return socket.create_connection(("127.0.0.1", stack.rebalance.port), timeout=30)


def upload_request(
    token: str, size: int, path: str = "/api/v1/portfolio", extra: str = ""
) -> tuple[bytes, bytes]:
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
        f"Content-Length: {len(body)}\r\n{extra}\r\n"
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


def answer_of(client: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body of the one response on a connection that then closes."""
    received = b""
    while chunk := client.recv(65536):
        received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode().split("\r\n")
    headers = dict(line.lower().split(": ", 1) for line in header_lines)
    return int(status_line.split()[1]), headers, body


def test_a_large_upload_past_the_workers_cap_gets_503_with_retry_after(
    stack: Stack, token: str
) -> None:
    head, body = upload_request(token, 2 * 1024 * 1024)
    with connect(stack) as first:
        first.sendall(head + body[:100_000])  # holds the worker's one slot
        time.sleep(0.5)
        with connect(stack) as second:
            second.sendall(head + body)
            status, headers, answer = answer_of(second)
        assert status == 503
        assert headers["retry-after"] == "2"
        assert "large files" in answer.decode()
        # one waiting for "100 Continue" is told before it sends its body
        expecting, _ = upload_request(token, 2 * 1024 * 1024, extra="Expect: 100-continue\r\n")
        with connect(stack) as third:
            third.sendall(expecting)
            assert answer_of(third)[0] == 503
        # small files are not held back by a large one
        small = httpx.post(
            f"{stack.url}/api/v1/portfolio",
            files=[("positions", ("p.csv", b"x,y\n1,2\n", "text/csv"))],
            headers={"Authorization": f"Bearer {token}"},
        )
        assert small.status_code == 422
        first.sendall(body[100_000:])
        assert answer_of(first)[0] == 200
    large = httpx.post(
        f"{stack.url}/api/v1/portfolio",
        content=body,
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
        },
        timeout=60,
    )
    assert large.status_code == 200


def seconds_until_closed(client: socket.socket, started: float) -> float:
    """Read until the server closes the connection; the seconds since `started`."""
    client.settimeout(30)
    while client.recv(65536):
        pass
    return time.monotonic() - started


@pytest.mark.parametrize(
    "sent",
    [b"", b"GET /healthz HTTP/1.1\r\n", b"POST /api/v1/portfolio HTTP/1.1\r\nHost: x\r\n"],
    ids=["nothing", "a request line", "half the headers"],
)
def test_a_connection_whose_request_head_does_not_arrive_in_time_is_closed(
    stack: Stack, log: Log, sent: bytes
) -> None:
    with connect(stack) as client:
        started = time.monotonic()
        client.sendall(sent)
        held = seconds_until_closed(client, started)
    assert HEAD_SECONDS - 0.2 < held < HEAD_SECONDS + SLACK
    assert "request head not complete within 1 s" in log.wait_for("connection closed")[-1]


def test_a_head_sent_a_byte_at_a_time_is_closed_at_the_same_deadline(stack: Stack) -> None:
    head = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Padding: " + b"a" * 100
    with connect(stack) as client:
        started = time.monotonic()
        try:
            for byte in head:
                client.sendall(bytes([byte]))
                time.sleep(0.1)
                if time.monotonic() - started > HEAD_SECONDS + SLACK + 1:
                    break
        except OSError:
            pass  # closed under us, as it should be
        held = seconds_until_closed(client, started)
    assert held < HEAD_SECONDS + SLACK


def test_the_next_request_on_a_kept_alive_connection_has_the_same_deadline(stack: Stack) -> None:
    with connect(stack) as client:
        client.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        assert client.recv(65536).startswith(b"HTTP/1.1 200")
        started = time.monotonic()
        client.sendall(b"GET /healthz HTTP/1.1\r\n")
        held = seconds_until_closed(client, started)
    assert HEAD_SECONDS - 0.2 < held < HEAD_SECONDS + SLACK


def test_a_body_that_stalls_is_closed_and_logged_as_a_client_gone(
    stack: Stack, token: str, log: Log
) -> None:
    head, body = upload_request(token, 200_000)
    with connect(stack) as client:
        client.sendall(head + body[:50_000])
        started = time.monotonic()
        held = seconds_until_closed(client, started)
    assert BODY_SECONDS - 0.2 < held < BODY_SECONDS + SLACK
    lines = log.wait_for("POST /api/v1/portfolio")
    assert "request body stalled" in lines[0]
    assert "POST /api/v1/portfolio 499" in lines[1]
    assert len(lines) == 2


def test_a_body_trickled_a_few_bytes_at_a_time_is_closed_as_if_it_stalled(
    stack: Stack, token: str
) -> None:
    head, body = upload_request(token, 200_000)
    with connect(stack) as client:
        client.sendall(head)
        started = time.monotonic()
        try:
            for offset in range(0, len(body), 10):
                client.sendall(body[offset : offset + 10])
                time.sleep(0.2)
                if time.monotonic() - started > BODY_SECONDS + SLACK + 1:
                    break
        except OSError:
            pass
        held = seconds_until_closed(client, started)
    assert held < BODY_SECONDS + SLACK


def test_a_body_sent_slowly_but_steadily_past_the_timeout_is_read_and_answered(
    stack: Stack, token: str
) -> None:
    head, body = upload_request(token, 240_000)  # 3 s at 80 KiB/s
    with connect(stack) as client:
        client.sendall(head)
        started = time.monotonic()
        for offset in range(0, len(body), 8192):
            client.sendall(body[offset : offset + 8192])
            time.sleep(0.1)
        assert time.monotonic() - started > BODY_SECONDS
        client.sendall(b"")
        answer = client.recv(65536)
    assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
