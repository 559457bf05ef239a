"""The rebalance service's app in process: every route over the storage port in memory,
lifespan on, no config service. The e2e tests run the same behaviour as real processes."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlencode

import pytest
from starlette.testclient import TestClient

from rebalance_service.app import create_app
from rebalance_service.edge.rate_limit import CountedHere
from rebalance_service.settings import Settings
from support.html_forms import form_fields
from support.memory_storage import MemoryStorage
from support.samples import FIDELITY_2025, fidelity_2025_config, upload

TOKEN = "f53fb5f81bab10f0a7e3caaa172c95ff6927792425dce1c2b16a391908577c03"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def storage() -> MemoryStorage:
    return MemoryStorage()


@pytest.fixture
def client(storage: MemoryStorage) -> Iterator[TestClient]:
    app = create_app(Settings.from_env({}), storage=storage, tokens=CountedHere(limit=3))
    with TestClient(app) as client:
        yield client


def test_the_app_serves_its_health_and_its_description(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/openapi.json").json()["info"]["title"]


def test_settings_put_through_the_api_are_stored_and_echoed(
    client: TestClient, storage: MemoryStorage
) -> None:
    put = client.put("/api/v1/config", json=fidelity_2025_config(), headers=AUTH)
    assert put.status_code == 200
    assert put.headers["cache-control"] == "no-store"
    (user,) = storage.users.values()
    assert len(user.accounts) == 4
    assert client.get("/api/v1/config", headers=AUTH).json() == put.json()


def test_a_rebalance_plans_over_the_stored_settings(client: TestClient) -> None:
    client.put("/api/v1/config", json=fidelity_2025_config(), headers=AUTH)
    files = [("positions", upload(FIDELITY_2025))]
    plan = client.post("/api/v1/rebalance", files=files, data={"mode": "full"}, headers=AUTH)
    assert plan.status_code == 200
    assert plan.json()["mode"] == "full"
    assert plan.json()["trades"]


def test_bad_settings_get_a_422_naming_the_field_and_store_nothing(
    client: TestClient, storage: MemoryStorage
) -> None:
    bad = {"targets": [{"asset_class": "US TSM", "kind": "percent", "value": "lots"}]}
    response = client.put("/api/v1/config", json=bad, headers=AUTH)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"].startswith("targets")
    assert storage.users == {}


def test_too_many_tokens_from_one_address_are_refused_before_their_files_are_read(
    client: TestClient,
) -> None:
    for n in range(3):
        assert client.get(
            "/api/v1/config", headers={"Authorization": f"Bearer {n:064x}"}
        ).is_success
    not_a_csv = [("positions", ("x.csv", b"\x00\x01", "text/csv"))]
    refused = client.post(
        "/api/v1/portfolio", files=not_a_csv, headers={"Authorization": f"Bearer {9:064x}"}
    )
    assert refused.status_code == 429
    assert refused.json()["errors"][0]["field"] == "token"


def test_the_page_shows_the_plan_for_a_token_and_files(client: TestClient) -> None:
    client.put("/api/v1/config", json=fidelity_2025_config(), headers=AUTH)
    files = [("positions", upload(FIDELITY_2025))]
    page = client.post("/results", files=files, data={"token": TOKEN, "mode": "buy_only"})
    assert page.status_code == 200
    assert "Your trades" in page.text


def test_the_page_saves_the_configure_form_as_it_was_filled(
    client: TestClient, storage: MemoryStorage
) -> None:
    files = [("positions", upload(FIDELITY_2025))]
    form = client.post("/configure", files=files, data={"token": TOKEN})
    assert form.status_code == 200
    fields = form_fields(form.text, "configure-form")
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    saved = client.post("/configure/save", content=urlencode(fields), headers=headers)
    assert saved.status_code == 200
    assert "Settings saved" in saved.text
    (user,) = storage.users.values()
    assert user.version == 1


def test_a_weak_token_gets_a_422_on_token_from_the_api_and_the_page(
    client: TestClient, storage: MemoryStorage
) -> None:
    weak = "password12345678"
    put = client.put(
        "/api/v1/config", json=fidelity_2025_config(), headers={"Authorization": f"Bearer {weak}"}
    )
    assert put.status_code == 422
    assert put.json()["errors"][0]["field"] == "token"
    page = client.post("/configure/save", data={"token": weak, "action": "save"})
    assert page.status_code == 422
    assert "too easy to guess" in page.text
    assert storage.users == {}
