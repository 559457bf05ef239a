"""The configure page's mix editor in process, over the storage port in memory: a fund
of several classes is shown with the catalogue's mix as published, and a mix of the
user's own is saved through the same form, or refused on its row."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode

import pytest
from starlette.testclient import TestClient

from rebalance_service.app import create_app
from rebalance_service.edge.rate_limit import CountedHere
from rebalance_service.settings import Settings
from rebalancer.catalogue import Sleeve
from support.html_forms import form_fields
from support.memory_storage import MemoryStorage
from support.samples import FIDELITY_2025, upload

TOKEN = "f53fb5f81bab10f0a7e3caaa172c95ff6927792425dce1c2b16a391908577c03"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
# A target-date fund in the sample's 401(k), beside what it holds there.
VFIFX = (
    "86964,ERNST & YOUNG 401(K),VFIFX,VANGUARD TARGET RETIREMENT 2050,10,$50.00,,$500.00,,,,,,,,"
)


@pytest.fixture
def storage() -> MemoryStorage:
    return MemoryStorage()


@pytest.fixture
def client(storage: MemoryStorage) -> Iterator[TestClient]:
    app = create_app(Settings.from_env({}), storage=storage, tokens=CountedHere(limit=3))
    with TestClient(app) as client:
        yield client


@pytest.fixture
def positions(tmp_path: Path) -> Path:
    lines = FIDELITY_2025.read_text(encoding="utf-8-sig").splitlines()
    path = tmp_path / FIDELITY_2025.name
    path.write_text("\n".join([*lines[:2], VFIFX, *lines[2:]]) + "\n")
    return path


def _replaced(fields: list[tuple[str, str]], **values: str) -> list[tuple[str, str]]:
    """The fields with these (dashes written as underscores) set as a user would set them."""
    named = {k.replace("_", "-"): v for k, v in values.items()}
    kept = [(k, v) for k, v in fields if k not in named]
    return [*kept, *named.items(), ("action", "save")]


def test_a_held_target_date_fund_shows_the_catalogues_mix_as_published_and_is_not_copied(
    client: TestClient, storage: MemoryStorage, positions: Path
) -> None:
    page = client.post(
        "/configure", files=[("positions", upload(positions))], data={"token": TOKEN}
    )
    assert "The catalogue's mix, as published on 2025-06-30" in page.text
    fields = form_fields(page.text, "configure-form")
    (row,) = [k.split("-")[1] for k, v in fields if k.endswith("-symbol") and v == "VFIFX"]
    assert (f"security-{row}-kind", "mix") in fields
    assert (f"security-{row}-mix-0-class", "US TSM") in fields
    assert (f"security-{row}-mix-0-percent", "54") in fields
    saved = client.post("/configure/save", content=urlencode(fields), headers=FORM)
    assert "Settings saved" in saved.text
    (user,) = storage.users.values()
    assert user.settings.securities == ()  # the catalogue's mix stays the catalogue's


def test_a_mix_that_adds_up_to_95_is_refused_on_its_row_and_kept_then_saved_once_right(
    client: TestClient, storage: MemoryStorage
) -> None:
    page = client.post(
        "/configure", files=[("positions", upload(FIDELITY_2025))], data={"token": TOKEN}
    )
    fields = form_fields(page.text, "configure-form")
    (row,) = [k.split("-")[1] for k, v in fields if k.endswith("-symbol") and v == "84679P504"]
    p = f"security_{row}_"
    mix = {
        p + "kind": "mix",
        p + "mix_0_class": "US LC",
        p + "mix_0_percent": "60",
        p + "mix_1_class": "US TBM",
        p + "mix_1_percent": "35",
    }
    refused = client.post(
        "/configure/save", content=urlencode(_replaced(fields, **mix)), headers=FORM
    )
    assert refused.status_code == 422
    assert "84679P504: the mix adds up to 95 %, not 100 %" in refused.text
    assert f'id="security-{row}-mix-total-error"' in refused.text
    kept = form_fields(refused.text, "configure-form")
    assert (f"security-{row}-mix-1-percent", "35") in kept
    assert (f"security-{row}-kind", "mix") in kept
    assert storage.users == {}

    mix[p + "mix_1_percent"] = "40"
    saved = client.post("/configure/save", content=urlencode(_replaced(kept, **mix)), headers=FORM)
    assert "Settings saved" in saved.text
    (user,) = storage.users.values()
    (fund,) = [s for s in user.settings.securities or () if s.symbol == "84679P504"]
    assert fund.mix == (Sleeve("US LC", Decimal(60)), Sleeve("US TBM", Decimal(40)))
