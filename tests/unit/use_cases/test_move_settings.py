"""Moving a user's settings and accounts from one token to another, in memory."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import anyio
import pytest

from rebalance_service import use_cases
from rebalance_service.keys import Token, UserKeys, check_token
from rebalance_service.storage import StoredConfig
from rebalance_service.use_cases import AlreadyStored, NothingStored
from rebalancer.configuration import UserSettings
from rebalancer.field_errors import InvalidInput
from rebalancer.wire import decode_config_document
from support.memory_storage import MemoryStorage
from support.samples import CASH_MANAGEMENT, EMPLOYER_401K, HSA, INDIVIDUAL, fidelity_2025_config

WEAK = check_token("password12345678")
NEW = check_token("9d1c3e0b6a4f4e2f8b7a65d4c3b2a1f00e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b")
OTHER = check_token("0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9")
NUMBERS = [INDIVIDUAL, EMPLOYER_401K, HSA, CASH_MANAGEMENT]
T = TypeVar("T")


def run(call: Callable[[], Awaitable[T]]) -> T:
    """On a loop of its own thread, as in test_use_cases: Playwright's may hold this one."""
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(anyio.run, call).result()


def _store_under(store: MemoryStorage, token: Token, document: object) -> None:
    """Settings under any token, as an installation stored them before the strong-token rule."""
    decoded = decode_config_document(document)
    accounts = {entry.number: entry.settings for entry in decoded.accounts}
    empty = StoredConfig(0, UserSettings(), {})
    run(lambda: store.save(UserKeys.from_token(token), empty, decoded.settings, accounts))


def _read(store: MemoryStorage, token: Token) -> StoredConfig:
    return run(lambda: store.load(UserKeys.from_token(token), NUMBERS))


def test_a_move_leaves_the_settings_and_accounts_under_the_new_token_alone() -> None:
    store = MemoryStorage()
    _store_under(store, WEAK, fidelity_2025_config())
    before = _read(store, WEAK)

    moved = run(lambda: use_cases.move_settings(store, WEAK, NEW, NUMBERS))

    assert moved.accounts == 4
    after = _read(store, NEW)
    assert (after.settings, after.accounts) == (before.settings, before.accounts)
    assert _read(store, WEAK).version == 0
    assert use_cases.KEY_CACHE.cached(WEAK) is None
    assert use_cases.KEY_CACHE.cached(NEW) is None


def test_a_move_to_a_token_too_easy_to_guess_is_refused_on_new_token() -> None:
    store = MemoryStorage()
    _store_under(store, WEAK, fidelity_2025_config())
    with pytest.raises(InvalidInput) as refused:
        run(lambda: use_cases.move_settings(store, WEAK, check_token("a" * 20), NUMBERS))
    assert [e.field for e in refused.value.errors] == ["new_token"]
    assert "too easy to guess" in refused.value.errors[0].message
    assert _read(store, WEAK).version == 1


def test_a_move_never_writes_over_settings_stored_under_the_new_token() -> None:
    store = MemoryStorage()
    _store_under(store, WEAK, fidelity_2025_config())
    _store_under(
        store, NEW, {"targets": [{"asset_class": "US TSM", "kind": "percent", "value": "100"}]}
    )
    theirs = _read(store, NEW)
    with pytest.raises(AlreadyStored):
        run(lambda: use_cases.move_settings(store, WEAK, NEW, NUMBERS))
    assert _read(store, NEW) == theirs
    assert _read(store, WEAK).version == 1


def test_a_token_with_nothing_stored_has_nothing_to_move() -> None:
    with pytest.raises(NothingStored):
        run(lambda: use_cases.move_settings(MemoryStorage(), OTHER, NEW, NUMBERS))


def test_a_move_that_would_leave_an_account_behind_is_refused_and_moves_nothing() -> None:
    store = MemoryStorage()
    _store_under(store, WEAK, fidelity_2025_config())
    with pytest.raises(InvalidInput) as refused:
        run(lambda: use_cases.move_settings(store, WEAK, NEW, [INDIVIDUAL, HSA]))
    assert [e.field for e in refused.value.errors] == ["account_numbers"]
    assert "2 stored accounts are not among" in refused.value.errors[0].message
    assert (_read(store, WEAK).version, _read(store, NEW).version) == (1, 0)


def test_a_move_cut_off_before_the_erase_finishes_when_tried_again() -> None:
    store = MemoryStorage()
    _store_under(store, WEAK, fidelity_2025_config())
    erase = store.erase

    async def cut_off(keys: UserKeys) -> None:
        raise ConnectionError("the config service went away")

    store.erase = cut_off  # type: ignore[method-assign]
    with pytest.raises(ConnectionError):
        run(lambda: use_cases.move_settings(store, WEAK, NEW, NUMBERS))
    assert (_read(store, WEAK).version, _read(store, NEW).version) == (1, 1)  # nothing lost

    store.erase = erase  # type: ignore[method-assign]
    moved = run(lambda: use_cases.move_settings(store, WEAK, NEW, NUMBERS))
    assert moved.accounts == 4
    assert (_read(store, WEAK).version, _read(store, NEW).version) == (0, 1)
