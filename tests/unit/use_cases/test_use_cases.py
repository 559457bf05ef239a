"""The use cases against the storage port, in memory: what they store, read back and plan."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import TypeVar

import anyio
import pytest

from rebalance_service import use_cases
from rebalance_service.keys import UserKeys, check_token
from rebalance_service.storage import ConfigConflict
from rebalance_service.use_cases import SAVE_ATTEMPTS, RebalanceRequest
from rebalancer.catalogue import Security, TaxGroup
from rebalancer.field_errors import InvalidInput
from rebalancer.plan import Method
from rebalancer.problem import Mode
from rebalancer.targets import Target, TargetKind
from rebalancer.wire import decode_config_document
from support.memory_storage import MemoryStorage
from support.samples import EMPLOYER_401K, FIDELITY_2025, INDIVIDUAL, fidelity_2025_config

TOKEN = check_token("f53fb5f81bab10f0a7e3caaa172c95ff6927792425dce1c2b16a391908577c03")
T = TypeVar("T")


def run(call: Callable[[], Awaitable[T]]) -> T:
    """Await `call` on an event loop of its own, in a thread of its own: a whole-suite run
    may hold another loop running on this thread (Playwright's, for the browser tests)."""
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(anyio.run, call).result()


def _save(store: MemoryStorage, document: object) -> None:
    run(lambda: use_cases.save_settings(store, TOKEN, decode_config_document(document)))


def _uploads() -> list[tuple[str, bytes]]:
    return [(FIDELITY_2025.name, FIDELITY_2025.read_bytes())]


def test_saved_settings_are_what_the_next_read_gives() -> None:
    store = MemoryStorage()
    _save(store, {"targets": [{"asset_class": "US TSM", "kind": "percent", "value": "100"}]})
    settings = run(lambda: use_cases.read_settings(store, TOKEN))
    assert settings.targets == (Target("US TSM", TargetKind.PERCENT, Decimal(100)),)


def test_a_new_token_reads_the_installation_defaults() -> None:
    store = MemoryStorage()
    settings = run(lambda: use_cases.read_settings(store, TOKEN))
    assert [t.asset_class for t in settings.targets] == ["US TSM", "ex-US TSM", "US TBM"]
    assert store.users == {}  # reading stores nothing


def test_a_save_keeps_the_fields_it_leaves_out() -> None:
    store = MemoryStorage()
    _save(store, fidelity_2025_config())
    _save(store, {"securities": [{"symbol": "FZROX", "asset_class": "US TSM"}]})
    settings = run(lambda: use_cases.read_settings(store, TOKEN))
    assert [t.asset_class for t in settings.targets] == ["US TSM", "ex-US TSM", "US TBM"]
    assert [t.value for t in settings.targets] == [Decimal(50), Decimal(20), Decimal(30)]
    assert settings.securities == (Security("FZROX", "US TSM"),)


def test_a_save_that_loses_a_race_reads_again_and_keeps_the_other_writers_change() -> None:
    store = MemoryStorage()
    _save(store, {"targets": [{"asset_class": "US TSM", "kind": "percent", "value": "100"}]})
    others = decode_config_document({"securities": [{"symbol": "FZROX", "asset_class": "US TSM"}]})

    def another_writer_first(keys: UserKeys) -> None:
        store.before_save = None
        user = store.users[keys.user_id]
        user.settings = user.settings.updated_with(others.settings)
        user.version += 1

    store.before_save = another_writer_first
    _save(store, {"accounts": [{"number": INDIVIDUAL, "tax_group": "taxable"}]})
    user = store.users[UserKeys.from_token(TOKEN).user_id]
    assert user.version == 3
    assert user.settings.securities == (Security("FZROX", "US TSM"),)
    assert user.settings.targets == (Target("US TSM", TargetKind.PERCENT, Decimal(100)),)
    assert len(user.accounts) == 1


def test_a_save_that_keeps_losing_gives_up_with_a_conflict_and_writes_nothing() -> None:
    store = MemoryStorage()
    _save(store, fidelity_2025_config())
    losses = 0

    def always_first(keys: UserKeys) -> None:
        nonlocal losses
        losses += 1
        store.users[keys.user_id].version += 1

    store.before_save = always_first
    with pytest.raises(ConfigConflict):
        _save(store, {"targets": [{"asset_class": "US TSM", "kind": "percent", "value": "100"}]})
    assert losses == SAVE_ATTEMPTS
    store.before_save = None
    settings = run(lambda: use_cases.read_settings(store, TOKEN))
    assert [t.value for t in settings.targets] == [Decimal(50), Decimal(20), Decimal(30)]


def test_settings_that_do_not_add_up_are_refused_whole_and_nothing_is_stored() -> None:
    store = MemoryStorage()
    document = {
        "accounts": [{"number": INDIVIDUAL, "tax_group": "taxable"}],
        "targets": [{"asset_class": "US TSM", "kind": "percent", "value": "90"}],
    }
    with pytest.raises(InvalidInput) as refused:
        _save(store, document)
    assert [e.field for e in refused.value.errors] == ["targets"]
    assert store.users == {}


def test_an_account_that_is_not_configured_is_left_out_of_the_plan_and_named() -> None:
    store = MemoryStorage()
    _save(store, {"accounts": [{"number": INDIVIDUAL, "tax_group": "taxable"}]})
    request = RebalanceRequest(mode=Mode.FULL)
    plan, household = run(lambda: use_cases.rebalance(store, TOKEN, _uploads(), request))
    by_label = {a.label: a for a in household.accounts}
    assert by_label["..." + INDIVIDUAL[-4:]].takes_part
    assert not by_label["..." + EMPLOYER_401K[-4:]].takes_part
    assert f"account ...{EMPLOYER_401K[-4:]} is not configured" in " ".join(household.warnings)
    assert {t.account for t in plan.trades} <= {"..." + INDIVIDUAL[-4:]}
    assert {c.account for c in plan.cash} == {"..." + INDIVIDUAL[-4:]}


def test_another_token_sees_none_of_the_accounts() -> None:
    store = MemoryStorage()
    _save(store, fidelity_2025_config())
    stranger = check_token("ed51a9c5049180ac916795680d6f97966071364025bc21cad1f7ffe92056253d")
    household = run(lambda: use_cases.read_household(store, stranger, _uploads()))
    assert all(a.settings is None for a in household.accounts)


def test_a_proof_request_searches_until_every_level_is_proven() -> None:
    store = MemoryStorage()
    _save(store, fidelity_2025_config())
    request = RebalanceRequest(mode=Mode.FULL, prove=True)
    plan, _ = run(lambda: use_cases.rebalance(store, TOKEN, _uploads(), request))
    assert plan.proof.method == Method.EXACT
    assert plan.proof.proven
    assert all(level.proven for level in plan.proof.levels)


def test_credits_reach_the_plan_as_cash_of_their_tax_group() -> None:
    store = MemoryStorage()
    _save(store, fidelity_2025_config())
    credit = {TaxGroup.TAX_DEFERRED: Decimal("1000.00")}
    plain, _ = run(lambda: use_cases.rebalance(store, TOKEN, _uploads(), RebalanceRequest()))
    credited, _ = run(
        lambda: use_cases.rebalance(store, TOKEN, _uploads(), RebalanceRequest(credits=credit))
    )
    bought = sum((t.amount for t in plain.trades), Decimal(0))
    assert sum((t.amount for t in credited.trades), Decimal(0)) > bought


@pytest.mark.parametrize("weak", ["aaaaaaaaaaaaaaaa", "password12345678", "f" * 64])
def test_settings_are_saved_only_under_a_strong_token_but_read_under_any(weak: str) -> None:
    store = MemoryStorage()
    with pytest.raises(InvalidInput) as refused:
        run(
            lambda: use_cases.save_settings(
                store, check_token(weak), decode_config_document(fidelity_2025_config())
            )
        )
    assert [e.field for e in refused.value.errors] == ["token"]
    assert "Get a token" in refused.value.errors[0].message
    assert store.users == {}
    assert run(lambda: use_cases.read_settings(store, check_token(weak))).targets


def test_a_passphrase_of_random_words_is_strong_enough() -> None:
    store = MemoryStorage()
    phrase = check_token("gravel mosaic hinge orbit plume")
    run(lambda: use_cases.save_settings(store, phrase, decode_config_document({})))
    assert len(store.users) == 1


def test_erasing_leaves_nothing_under_the_token_and_forgets_its_keys() -> None:
    store = MemoryStorage()
    _save(store, fidelity_2025_config())
    assert use_cases.KEY_CACHE.cached(TOKEN) is not None
    run(lambda: use_cases.erase_settings(store, TOKEN))
    assert store.users == {}
    assert use_cases.KEY_CACHE.cached(TOKEN) is None
    household = run(lambda: use_cases.read_household(store, TOKEN, _uploads()))
    assert not household.settings_found
