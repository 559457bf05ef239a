"""Settings stored under a weak token, as an installation stored them before saving
needed a strong one: written straight to a running config service, with the service
credential, through the rebalance service's own storage adapter."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import anyio
import httpx

from rebalance_service.config_store import ConfigStore
from rebalance_service.keys import UserKeys, check_token
from rebalancer.wire import decode_config_document
from stack import Stack


def store_under_any_token(stack: Stack, token: str, document: object) -> None:
    decoded = decode_config_document(document)
    accounts = {entry.number: entry.settings for entry in decoded.accounts}
    credential = (stack.data_dir / "service.credential").read_text().strip()
    keys = UserKeys.from_token(check_token(token))

    async def save() -> None:
        async with httpx.AsyncClient(timeout=30) as client:
            store = ConfigStore(client, stack.config.url, credential)
            stored = await store.load(keys, list(accounts))
            await store.save(keys, stored, decoded.settings, accounts)

    with ThreadPoolExecutor(1) as thread:  # a loop of its own: Playwright's may hold this one
        thread.submit(anyio.run, save).result()
