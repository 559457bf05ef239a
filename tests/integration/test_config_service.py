"""The config service in process: a blind store behind a service credential.

Every test runs on SQLite and on PostgreSQL (see conftest.py).
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from config_service.app import create_app
from config_service.database import migrate
from config_service.settings import Settings
from rebalance_service.config_store import decode_defaults
from support.households import builtin_defaults

USER = "1" * 64
OTHER_USER = "2" * 64
ACCOUNT = "a" * 64


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    settings = Settings.from_env({"DATA_DIR": str(tmp_path), "DATABASE_URL": database_url})
    migrate(settings.database_url)
    return settings


@pytest.fixture
def service(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as client:
        client.headers["Authorization"] = (
            f"Bearer {settings.service_credential_file.read_text().strip()}"
        )
        yield client


def _write(
    service: TestClient, user: str, version: int, settings: bytes, accounts: dict[str, bytes]
) -> int:
    response = service.post(
        "/internal/v1/users/write",
        json={
            "user_id": user,
            "expected_version": version,
            "settings": _b64(settings),
            "accounts": {k: _b64(v) for k, v in accounts.items()},
        },
    )
    if response.status_code == 409:
        return -1
    assert response.status_code == 200, response.text
    new_version: int = response.json()["version"]
    return new_version


def _read(service: TestClient, user: str, accounts: list[str]) -> dict[str, object]:
    response = service.post(
        "/internal/v1/users/read", json={"user_id": user, "account_ids": accounts}
    )
    assert response.status_code == 200, response.text
    answer: dict[str, object] = response.json()
    return answer


def test_a_user_never_seen_reads_as_version_zero_with_nothing_stored(service: TestClient) -> None:
    answer = _read(service, USER, [ACCOUNT])
    assert answer["version"] == 0
    assert answer["settings"] is None
    assert answer["accounts"] == {}


def test_what_is_written_reads_back_by_the_same_identifiers(service: TestClient) -> None:
    assert _write(service, USER, 0, b"sealed settings", {ACCOUNT: b"sealed account"}) == 1
    answer = _read(service, USER, [ACCOUNT, "b" * 64])
    assert answer["version"] == 1
    assert answer["settings"] == _b64(b"sealed settings")
    assert answer["accounts"] == {ACCOUNT: _b64(b"sealed account")}
    assert _read(service, OTHER_USER, [ACCOUNT])["accounts"] == {}


def test_each_user_gets_a_stable_server_key_of_their_own(service: TestClient) -> None:
    first = _read(service, USER, [])["server_key"]
    assert first == _read(service, USER, [])["server_key"]
    assert first != _read(service, OTHER_USER, [])["server_key"]


def test_a_write_based_on_a_stale_version_is_refused_and_stores_nothing(
    service: TestClient,
) -> None:
    assert _write(service, USER, 0, b"v1", {}) == 1
    assert _write(service, USER, 1, b"v2", {}) == 2
    assert _write(service, USER, 1, b"stale", {ACCOUNT: b"stale"}) == -1
    answer = _read(service, USER, [ACCOUNT])
    assert answer["settings"] == _b64(b"v2")
    assert answer["accounts"] == {}


def test_concurrent_writers_of_one_version_see_exactly_one_succeed(service: TestClient) -> None:
    _write(service, USER, 0, b"v1", {})
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda i: _write(service, USER, 1, f"w{i}".encode(), {}), range(8)))
    assert sorted(results) == [-1] * 7 + [2]


def test_concurrent_first_writers_of_a_new_user_see_exactly_one_succeed(
    service: TestClient,
) -> None:
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda i: _write(service, USER, 0, f"w{i}".encode(), {}), range(8)))
    assert sorted(results) == [-1] * 7 + [1]
    (winner,) = [i for i, version in enumerate(results) if version == 1]
    assert _read(service, USER, [])["settings"] == _b64(f"w{winner}".encode())


def test_a_refused_write_leaves_the_store_ready_for_the_next_one(service: TestClient) -> None:
    assert _write(service, USER, 0, b"v1", {ACCOUNT: b"a1"}) == 1
    assert _write(service, USER, 0, b"again", {ACCOUNT: b"again"}) == -1  # the user exists
    assert _write(service, USER, 5, b"ahead", {}) == -1  # no such version
    assert _write(service, USER, 1, b"v2", {ACCOUNT: b"a2", "b" * 64: b"b2"}) == 2
    answer = _read(service, USER, [ACCOUNT, "b" * 64])
    assert answer["version"] == 2
    assert answer["settings"] == _b64(b"v2")
    assert answer["accounts"] == {ACCOUNT: _b64(b"a2"), "b" * 64: _b64(b"b2")}


def test_every_call_but_the_health_check_needs_the_service_credential(settings: Settings) -> None:
    with TestClient(create_app(settings)) as anonymous:
        assert anonymous.get("/healthz").status_code == 200
        assert anonymous.get("/internal/v1/catalogue").status_code == 401
        refused = anonymous.post("/internal/v1/users/read", json={"user_id": USER})
        assert refused.status_code == 401
        assert refused.json()["errors"][0]["field"] == "authorization"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"user_id": "not hex"}, "user_id"),
        ({"user_id": USER, "account_ids": ["x"]}, "account_ids"),
        ({"user_id": USER, "expected_version": -1, "settings": ""}, "expected_version"),
        ({"user_id": USER, "expected_version": 0, "settings": "not base64!"}, "settings"),
    ],
)
def test_malformed_calls_get_400_naming_the_field(
    service: TestClient, body: dict[str, object], field: str
) -> None:
    path = "/internal/v1/users/write" if "expected_version" in body else "/internal/v1/users/read"
    response = service.post(path, json=body)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == field


def test_the_catalogue_has_every_class_a_household_needs_with_one_default_each(
    service: TestClient,
) -> None:
    catalogue = service.get("/internal/v1/catalogue").json()
    classes = {c["name"] for c in catalogue["asset_classes"]}
    assert {"US TSM", "US SC", "ex-US TSM", "US TBM", "ex-US TBM", "LTB", "Cash"} <= classes
    for asset_class in classes:
        defaults = [
            s
            for s in catalogue["securities"]
            if s.get("asset_class") == asset_class and s["default"]
        ]
        assert len(defaults) == 1, asset_class
    by_symbol = {s["symbol"]: s for s in catalogue["securities"]}
    assert by_symbol["VTSAX"]["fractional"] is True
    assert by_symbol["VTI"]["fractional"] is False
    assert by_symbol["SPAXX"]["asset_class"] == "Cash"
    assert {"taxable", "tax_deferred", "tax_free"} == set(catalogue["affinities"])


def test_the_catalogue_carries_the_built_in_mix_funds_and_the_rebalancer_reads_them(
    service: TestClient,
) -> None:
    document = service.get("/internal/v1/catalogue").json()
    by_symbol = {s["symbol"]: s for s in document["securities"]}
    assert by_symbol["VFIFX"] == {
        "symbol": "VFIFX",
        "mix": [
            {"asset_class": "US TSM", "percent": "54"},
            {"asset_class": "ex-US TSM", "percent": "36"},
            {"asset_class": "US TBM", "percent": "7"},
            {"asset_class": "ex-US TBM", "percent": "3"},
        ],
        "fractional": True,
        "default": False,
        "price": None,
    }
    assert by_symbol["AOR"]["fractional"] is False
    catalogue = decode_defaults(document).catalogue
    vbiax = catalogue.security("VBIAX")
    assert vbiax is not None
    assert [(s.asset_class, s.percent) for s in vbiax.mix] == [
        ("US TSM", Decimal(60)),
        ("US TBM", Decimal(40)),
    ]
    assert catalogue.default_security("US TSM") == catalogue.security("VTI")
    # The page says which published allocation each built-in mix follows.
    assert catalogue.published["VFIFX"] == document["mixes_published"]["VFIFX"] == "2025-06-30"
    assert set(catalogue.published) == {s.symbol for s in catalogue.securities.values() if s.mix}
    assert catalogue == builtin_defaults().catalogue  # the in-process tests' copy is in step


def test_the_catalogue_lists_symbols_and_tax_groups_in_code_point_order(
    service: TestClient,
) -> None:
    # Not in the database's collation order, which differs between servers.
    catalogue = service.get("/internal/v1/catalogue").json()
    symbols = [s["symbol"] for s in catalogue["securities"]]
    assert symbols == sorted(symbols)
    assert list(catalogue["affinities"]) == sorted(catalogue["affinities"])
