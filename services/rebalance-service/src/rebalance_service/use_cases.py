"""The use cases, shared by the JSON API and the web page.

Each takes decoded input (a checked and admitted token, the uploaded files, a
decoded configuration document) and the storage port, does the slow pure work
(key derivation, parsing, solving) in a worker thread so the event loop stays
free, and returns domain values. Nothing here knows about HTTP: the edge reads
the request and counts the token against the guessing limit before calling in.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from functools import cache, partial

import anyio
import anyio.to_thread

from rebalance_service.engine import CostBudget, optimize
from rebalance_service.household import Household, assemble, build_problem
from rebalance_service.importers import read_statement
from rebalance_service.keys import (
    TOO_EASY_TO_GUESS,
    KeyCache,
    Token,
    UserKeys,
    strong_enough_to_store,
)
from rebalance_service.storage import ConfigConflict, ConfigStorage, StoredConfig
from rebalancer.catalogue import TaxGroup
from rebalancer.configuration import EffectiveSettings
from rebalancer.field_errors import FieldError, InvalidInput
from rebalancer.plan import Plan
from rebalancer.problem import Mode
from rebalancer.validation import settings_problems
from rebalancer.wire import ConfigDocument

# A typical export (a few dozen rows, a few KiB) parses in well under a millisecond, less
# than handing it to a thread and back; a large one goes to a thread, off the event loop.
INLINE_PARSE_BYTES = 64 * 1024
SAVE_ATTEMPTS = 3  # a write that loses a race reads again and retries

Upload = tuple[str, bytes]  # file name, contents


@dataclass(frozen=True)
class RebalanceRequest:
    mode: Mode = Mode.BUY_ONLY
    fractional: bool = False
    credits: Mapping[TaxGroup, Decimal] | None = None
    prove: bool = False  # the exact search, seconds rather than milliseconds (`optimize`)


@dataclass(frozen=True)
class SolveLimits:
    """Seconds the solver may take for a plan, and for one with a proof (settings)."""

    plan: float = 10
    proof: float = 60


# One per worker process: the web flow's pages reuse a token's keys for a few minutes.
KEY_CACHE = KeyCache()


async def derive_keys(token: Token) -> UserKeys:
    cached = KEY_CACHE.cached(token)  # a hit costs one HMAC, on the loop
    if cached is not None:
        return cached
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_derivations(), KEY_CACHE.derive, token)


@cache
def _derivations() -> ThreadPoolExecutor:
    """Threads of their own for key derivation, one per core: more would only queue for
    the cores, and each derivation's 19 MiB stays with the thread that used it (the
    allocator keeps it for the next), so a few threads keep memory flat where the many
    threads of the shared pool would each keep their own."""
    return ThreadPoolExecutor(len(os.sched_getaffinity(0)), thread_name_prefix="derive-keys")


async def read_household(
    store: ConfigStorage, token: Token, uploads: Sequence[Upload]
) -> Household:
    if sum(len(content) for _, content in uploads) <= INLINE_PARSE_BYTES:
        statement = read_statement(uploads)  # quicker than the two thread hops it would take
    else:
        statement = await anyio.to_thread.run_sync(read_statement, uploads)
    keys = await derive_keys(token)
    stored = (await store.load(keys, [a.number for a in statement.accounts])).intact()
    settings = EffectiveSettings.of(stored.settings, await store.defaults())
    return assemble(statement, stored.accounts, settings)


async def rebalance(
    store: ConfigStorage,
    token: Token,
    uploads: Sequence[Upload],
    request: RebalanceRequest,
    limits: SolveLimits = SolveLimits(),
) -> tuple[Plan, Household]:
    household = await read_household(store, token, uploads)
    return await plan_trades(household, request, limits), household


# Every plan says what each rule costs, within half its own time (or 50 ms).
_COSTS = CostBudget(clock=time.perf_counter)


async def plan_trades(
    household: Household, request: RebalanceRequest, limits: SolveLimits = SolveLimits()
) -> Plan:
    problem = build_problem(household, request.mode, request.fractional, request.credits or {})
    if request.prove:
        solve = partial(optimize, problem, method="exact", costs=_COSTS, seconds=limits.proof)
        return await anyio.to_thread.run_sync(solve, limiter=_proof_limiter())
    solve = partial(optimize, problem, costs=_COSTS, seconds=limits.plan)
    return await anyio.to_thread.run_sync(solve)


@cache
def _proof_limiter() -> anyio.CapacityLimiter:
    """One proof at a time per process: each holds a core for seconds, and the
    rest queue here rather than crowd out the plans that need none. Made on first
    use, inside the running event loop."""
    return anyio.CapacityLimiter(1)


async def read_settings(store: ConfigStorage, token: Token) -> EffectiveSettings:
    keys = await derive_keys(token)
    stored = (await store.load(keys, [])).intact()
    return EffectiveSettings.of(stored.settings, await store.defaults())


async def save_settings(
    store: ConfigStorage, token: Token, document: ConfigDocument
) -> EffectiveSettings:
    """Apply a configuration document on top of what is stored; all of it or nothing.
    Only under a strong token: reading under a weak one still works, so nobody is
    locked out of what they stored before this rule."""
    if not strong_enough_to_store(token):
        raise InvalidInput([FieldError("token", TOO_EASY_TO_GUESS)])
    keys = await derive_keys(token)
    accounts = {entry.number: entry.settings for entry in document.accounts}
    for attempt in range(SAVE_ATTEMPTS):
        stored = await store.load(keys, list(accounts))
        merged = stored.settings.updated_with(document.settings)
        effective = EffectiveSettings.of(merged, await store.defaults())
        problems = settings_problems(effective)
        if problems:
            raise InvalidInput(problems)
        try:
            await store.save(keys, stored, merged, accounts)
        except ConfigConflict:
            if attempt + 1 == SAVE_ATTEMPTS:
                raise
            continue
        return effective
    raise AssertionError("unreachable")  # pragma: no cover


async def erase_settings(store: ConfigStorage, token: Token) -> None:
    """Delete everything stored under the token: its settings and all its accounts."""
    await store.erase(await derive_keys(token))
    KEY_CACHE.forget(token)


class NothingStored(Exception):
    """No settings are stored under the token."""


class AlreadyStored(Exception):
    """Other settings are stored under the token: a move never writes over them."""


@dataclass(frozen=True)
class Moved:
    accounts: int  # account records now under the new token


async def move_settings(
    store: ConfigStorage, old: Token, new: Token, account_numbers: Sequence[str]
) -> Moved:
    """Store the settings and accounts of `old` under `new`, then erase them under `old`.

    Accounts are stored under an HMAC of their number, which nothing keeps, so the
    caller names them; a move that would leave a listed account behind is refused
    rather than lose it. The new copy is written before the old is erased: a move cut
    off between the two leaves both, and the same move again finds its own copy under
    `new` and finishes by erasing `old`.
    """
    if not strong_enough_to_store(new):
        raise InvalidInput([FieldError("new_token", TOO_EASY_TO_GUESS)])
    if new == old:
        raise InvalidInput([FieldError("new_token", "must differ from the current token")])
    try:
        old_keys, new_keys = await derive_keys(old), await derive_keys(new)
        moving = (await store.load(old_keys, account_numbers)).intact()
        if moving.version == 0:
            raise NothingStored
        if moving.others:
            raise InvalidInput([FieldError("account_numbers", _left_behind(moving.others))])
        target = await store.load(new_keys, account_numbers)
        if target.version == 0:
            await store.save(new_keys, target, moving.settings, moving.accounts)
        elif not _same(target, moving):
            raise AlreadyStored
        await store.erase(old_keys)
    finally:  # neither token's keys may find what the other now holds, or held
        KEY_CACHE.forget(old)
        KEY_CACHE.forget(new)
    return Moved(len(moving.accounts))


def _same(target: StoredConfig, moving: StoredConfig) -> bool:
    return (
        not target.damaged
        and not target.others
        and target.settings == moving.settings
        and target.accounts == moving.accounts
    )


def _left_behind(count: int) -> str:
    accounts = "1 stored account is" if count == 1 else f"{count} stored accounts are"
    return (
        f"{accounts} not among the account numbers sent: send the number of every "
        "account you configured (your CSV files hold them), or nothing is moved"
    )
