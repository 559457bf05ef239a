"""A small client for the public API, as a user's script would use it."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx

from support.samples import upload


class ApiClient:
    def __init__(self, base_url: str, token: str | None = None) -> None:
        self.http = httpx.Client(base_url=base_url, timeout=60)
        self.token = token

    def close(self) -> None:
        self.http.close()

    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def new_token(self) -> str:
        response = self.http.get("/api/v1/token")
        response.raise_for_status()
        token: str = response.json()["token"]
        return token

    def put_config(self, document: object) -> httpx.Response:
        return self.http.put("/api/v1/config", json=document, headers=self._auth())

    def get_config(self) -> httpx.Response:
        return self.http.get("/api/v1/config", headers=self._auth())

    def portfolio(self, files: Sequence[Path]) -> httpx.Response:
        return self.http.post(
            "/api/v1/portfolio",
            files=[("positions", upload(f)) for f in files],
            headers=self._auth(),
        )

    def rebalance(self, files: Sequence[Path], **fields: str) -> httpx.Response:
        return self.http.post(
            "/api/v1/rebalance",
            files=[("positions", upload(f)) for f in files],
            data=fields,
            headers=self._auth(),
        )

    def json(self, response: httpx.Response, status: int = 200) -> Any:
        assert response.status_code == status, response.text
        return response.json()
