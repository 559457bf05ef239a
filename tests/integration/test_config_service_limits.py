"""The config service's two counts, in process: tokens per client address (the guessing
limit of the whole installation) and users named per window. Both live in memory only."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from config_service.app import create_app
from config_service.database import migrate
from config_service.settings import Settings

ADMIT = "/internal/v1/tokens/admit"
READ = "/internal/v1/users/read"
WRITE = "/internal/v1/users/write"


def _service(tmp_path: Path, **env: str) -> TestClient:
    settings = Settings.from_env({"DATA_DIR": str(tmp_path), **env})
    migrate(settings.database_url)
    client = TestClient(create_app(settings))
    client.headers["Authorization"] = (
        f"Bearer {settings.service_credential_file.read_text().strip()}"
    )
    return client


@pytest.fixture
def service(tmp_path: Path) -> Iterator[TestClient]:
    env = {"TOKENS_PER_CLIENT": "3", "USERS_PER_WINDOW": "3", "USER_WINDOW_SECONDS": "600"}
    with _service(tmp_path, **env) as client:
        yield client


def _admit(service: TestClient, client: str, n: int) -> dict[str, object]:
    response = service.post(ADMIT, json={"client": client, "fingerprint": f"{n:032x}"})
    assert response.status_code == 200, response.text
    answer: dict[str, object] = response.json()
    return answer


def _user(n: int) -> str:
    return f"{n:064x}"


def test_a_client_is_admitted_its_limit_of_tokens_then_told_how_long_to_wait(
    service: TestClient,
) -> None:
    assert [_admit(service, "10.0.0.1", n)["admitted"] for n in range(3)] == [True] * 3
    refused = _admit(service, "10.0.0.1", 3)
    assert refused["admitted"] is False
    assert isinstance(refused["retry_after"], int)
    assert 0 < refused["retry_after"] <= 601
    assert _admit(service, "10.0.0.1", 0) == {"admitted": True, "retry_after": 0}
    assert _admit(service, "10.0.0.2", 3)["admitted"] is True


@pytest.mark.parametrize(
    "body",
    [
        {"client": "10.0.0.1", "fingerprint": "0" * 64},  # a token's length, not a fingerprint
        {"client": "10.0.0.1", "fingerprint": "G" * 32},
        {"client": "", "fingerprint": "0" * 32},
        {"client": "x" * 101, "fingerprint": "0" * 32},
        {"fingerprint": "0" * 32},
    ],
)
def test_an_admission_request_that_is_not_an_address_and_a_fingerprint_gets_400(
    service: TestClient, body: dict[str, str]
) -> None:
    assert service.post(ADMIT, json=body).status_code == 400


def test_reads_of_more_different_users_than_the_bound_get_429_known_users_or_not(
    service: TestClient,
) -> None:
    written = service.post(
        WRITE, json={"user_id": _user(0), "expected_version": 0, "settings": "", "accounts": {}}
    )
    assert written.status_code == 200
    for n in (0, 1, 2):
        assert service.post(READ, json={"user_id": _user(n)}).status_code == 200
    refused = service.post(READ, json={"user_id": _user(3)})
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) > 0
    assert refused.json()["errors"][0]["field"] == "user_id"
    again = service.post(READ, json={"user_id": _user(0)})  # read this window: still served
    assert again.status_code == 200
    write = service.post(
        WRITE, json={"user_id": _user(4), "expected_version": 0, "settings": "", "accounts": {}}
    )
    assert write.status_code == 429


def test_nothing_of_the_counts_reaches_the_database(tmp_path: Path) -> None:
    with _service(tmp_path) as service:
        fingerprint = "5eed" * 8
        admitted = service.post(ADMIT, json={"client": "198.51.100.7", "fingerprint": fingerprint})
        assert admitted.status_code == 200
        assert service.post(READ, json={"user_id": _user(7)}).status_code == 200
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("config.sqlite3*"))
    assert stored
    for secret in (fingerprint.encode(), bytes.fromhex(fingerprint), b"198.51.100.7"):
        assert secret not in stored
    assert base64.b64encode(bytes.fromhex(fingerprint)) not in stored
