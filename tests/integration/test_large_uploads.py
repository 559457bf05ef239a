"""Large uploads in process: read in memory, never spooled to disk, and their memory
handed back once the last one is done."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from rebalance_service.app import create_app
from rebalance_service.edge import large_uploads
from rebalance_service.settings import Settings
from support.memory_storage import MemoryStorage

AUTH = {"Authorization": f"Bearer {'0123456789abcdef' * 4}"}
HEADER = b"Account Number,Account Name,Symbol,Description,Quantity,Last Price,Current Value\n"
ROW = b"Z90000001,Individual,VTI,FUND,1,1,1\n"


def positions(mib: float) -> list[tuple[str, tuple[str, bytes, str]]]:
    data = HEADER + ROW * int(mib * 1024 * 1024 / len(ROW))
    return [("positions", ("positions.csv", data, "text/csv"))]


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(create_app(Settings.from_env({}), storage=MemoryStorage())) as client:
        yield client


def test_an_upload_near_the_limit_never_rolls_over_to_a_file_on_disk(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    rolled: list[object] = []
    monkeypatch.setattr(tempfile.SpooledTemporaryFile, "rollover", rolled.append)
    answer = client.post("/api/v1/portfolio", files=positions(4.8), headers=AUTH)
    assert answer.status_code == 200
    assert rolled == []


def test_memory_is_handed_back_after_a_large_upload_and_not_after_a_small_one(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[None] = []
    monkeypatch.setattr(large_uploads, "hand_back", lambda: calls.append(None))
    assert client.post("/api/v1/portfolio", files=positions(0.1), headers=AUTH).is_success
    assert calls == []
    assert client.post("/api/v1/portfolio", files=positions(1.5), headers=AUTH).is_success
    assert calls == [None]
