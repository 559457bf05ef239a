"""Form posts from another site are refused before they are read, and echo nothing back."""

from __future__ import annotations

import httpx
import pytest

from stack import Stack
from support.api_client import ApiClient
from support.samples import FIDELITY_2025, fidelity_2025_config, upload

pytestmark = pytest.mark.e2e

ATTACKER = "9c4d1f0e7b3a25c8e6f1d0b9a7c3e5f2d4b6a8c0e1f3d5b7a9c2e4f6a8b0d1c3"


def _save_form(token: str) -> dict[str, str]:
    return {
        "token": token,
        "action": "save",
        "target_row": "0",
        "target-0-class": "US TSM",
        "target-0-kind": "percent",
        "target-0-value": "100",
    }


@pytest.mark.parametrize(
    "came_from",
    [
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
        {"Origin": "https://evil.example"},
    ],
    ids=["fetch-site-cross", "fetch-site-same-site", "origin-elsewhere"],
)
def test_a_configure_form_posted_from_another_site_is_refused_and_stores_nothing(
    shared_stack: Stack, came_from: dict[str, str]
) -> None:
    refused = httpx.post(
        shared_stack.url + "/configure/save", data=_save_form(ATTACKER), headers=came_from
    )
    assert refused.status_code == 403
    assert ATTACKER not in refused.text
    assert refused.headers["cache-control"] == "no-store"
    attacker = ApiClient(shared_stack.url, token=ATTACKER)
    try:
        targets = attacker.json(attacker.get_config())["targets"]
        assert [t["asset_class"] for t in targets] != ["US TSM"]  # still the defaults
    finally:
        attacker.close()


def test_a_rebalance_posted_from_another_site_is_refused(client: ApiClient) -> None:
    assert client.token is not None
    client.json(client.put_config(fidelity_2025_config()))
    refused = client.http.post(
        "/results",
        data={"token": client.token, "mode": "full"},
        files=[("positions", upload(FIDELITY_2025))],
        headers={"Sec-Fetch-Site": "cross-site"},
    )
    assert refused.status_code == 403
    assert client.token not in refused.text


@pytest.mark.parametrize(
    "came_from",
    [{"Sec-Fetch-Site": "same-origin"}, {"Sec-Fetch-Site": "none"}, {"Origin": "null"}, {}],
    ids=["same-origin", "typed", "origin-null", "a-script"],
)
def test_our_own_pages_and_scripts_still_post(
    shared_stack: Stack, came_from: dict[str, str]
) -> None:
    token = httpx.get(shared_stack.url + "/api/v1/token").json()["token"]
    saved = httpx.post(
        shared_stack.url + "/configure/save", data=_save_form(token), headers=came_from
    )
    assert saved.status_code in {200, 422}  # the form's own verdict, not a refusal
    assert saved.status_code != 403


def test_the_api_takes_a_bearer_token_whatever_the_origin(client: ApiClient) -> None:
    answer = client.http.put(
        "/api/v1/config",
        json=fidelity_2025_config(),
        headers={**client._auth(), "Origin": "https://elsewhere.example"},
    )
    assert answer.status_code == 200
