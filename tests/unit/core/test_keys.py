"""Keys from a token: stable identifiers, per-user account identifiers, sealed records."""

from __future__ import annotations

import hashlib

import pytest

from rebalance_service.keys import (
    ARGON2_ITERATIONS,
    ARGON2_MEMORY_KIB,
    KeyCache,
    SealBroken,
    TokenRefused,
    UserKeys,
    check_token,
    version_bound,
)

TOKEN = check_token("f" * 64)
SERVER_KEY = b"s" * 32


def test_each_guess_of_a_token_costs_at_least_owasps_minimum_for_argon2id() -> None:
    assert ARGON2_MEMORY_KIB >= 16 * 1024  # memory-hard: 16 MiB per guess at the least
    assert ARGON2_MEMORY_KIB >= 19 * 1024  # OWASP: 19 MiB with 2 passes
    assert ARGON2_ITERATIONS >= 2


def test_the_same_token_always_derives_the_same_identifiers() -> None:
    first, second = UserKeys.from_token(TOKEN), UserKeys.from_token(TOKEN)
    assert first.user_id == second.user_id
    assert first.account_id("Z12345678") == second.account_id("Z12345678")


def test_one_account_number_under_two_tokens_gives_unrelated_identifiers() -> None:
    alice, bob = (
        UserKeys.from_token(check_token("a" * 32)),
        UserKeys.from_token(check_token("b" * 32)),
    )
    assert alice.user_id != bob.user_id
    assert alice.account_id("Z12345678") != bob.account_id("Z12345678")


def test_identifiers_do_not_contain_the_account_number_or_the_token() -> None:
    keys = UserKeys.from_token(TOKEN)
    assert TOKEN not in keys.user_id
    assert "12345678" not in keys.account_id("Z12345678")


def test_a_sealed_record_opens_only_with_the_same_token_server_key_and_record() -> None:
    keys = UserKeys.from_token(TOKEN)
    sealed = keys.sealer(SERVER_KEY).seal("settings", b"plain")
    assert b"plain" not in sealed
    assert keys.sealer(SERVER_KEY).open("settings", sealed) == b"plain"
    with pytest.raises(SealBroken):
        UserKeys.from_token(check_token("e" * 64)).sealer(SERVER_KEY).open("settings", sealed)
    with pytest.raises(SealBroken):
        keys.sealer(b"t" * 32).open("settings", sealed)
    with pytest.raises(SealBroken):
        keys.sealer(SERVER_KEY).open("account:1", sealed)
    tampered = sealed[:-1] + bytes([sealed[-1] ^ 1])
    with pytest.raises(SealBroken):
        keys.sealer(SERVER_KEY).open("settings", tampered)


def test_sealing_the_same_plaintext_twice_gives_different_ciphertexts() -> None:
    sealer = UserKeys.from_token(TOKEN).sealer(SERVER_KEY)
    assert sealer.seal("settings", b"x") != sealer.seal("settings", b"x")


@pytest.mark.parametrize("token", ["", "short", "x" * 15, "y" * 513, "a" * 20 + "\n"])
def test_unusable_tokens_are_refused_with_a_reason(token: str) -> None:
    with pytest.raises(TokenRefused):
        check_token(token)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_key_cache_gives_back_a_derived_key_until_its_time_is_up() -> None:
    clock = Clock()
    cache = KeyCache(ttl_seconds=300, clock=clock)
    assert cache.cached(TOKEN) is None  # a miss: the caller derives, paying the full cost
    derived = cache.derive(TOKEN)
    clock.now += 299
    assert cache.cached(TOKEN) == derived
    clock.now += 2
    assert cache.cached(TOKEN) is None


def test_the_key_cache_holds_a_few_hundred_tokens_at_most_forgetting_the_least_recent() -> None:
    cache = KeyCache(capacity=2)
    first, second, third = (check_token(c * 32) for c in "xyz")
    for token in (first, second):
        cache.derive(token)
    assert cache.cached(first) is not None  # now the most recently used
    cache.derive(third)
    assert cache.cached(second) is None
    assert cache.cached(first) is not None
    assert cache.cached(third) is not None


def test_a_forgotten_token_must_be_derived_again() -> None:
    cache = KeyCache()
    cache.derive(TOKEN)
    cache.forget(TOKEN)
    assert cache.cached(TOKEN) is None


def test_the_key_cache_keeps_neither_the_token_nor_an_unkeyed_hash_of_it() -> None:
    cache = KeyCache()
    cache.derive(TOKEN)
    (slot,) = cache._entries
    assert TOKEN.encode() not in slot
    assert slot != hashlib.sha256(TOKEN.encode()).digest()
    assert KeyCache()._slot(TOKEN) != slot  # each process keys its slots afresh


def test_a_versioned_record_opens_only_at_the_version_it_was_sealed_at() -> None:
    sealer = UserKeys.from_token(TOKEN).sealer(SERVER_KEY)
    sealed = sealer.seal("settings", b"plain", version=7)
    assert version_bound(sealed)
    assert sealer.open("settings", sealed, 7) == b"plain"
    for other in (6, 8, None):
        with pytest.raises(SealBroken):
            sealer.open("settings", sealed, other)


def test_a_record_sealed_before_versions_still_opens() -> None:
    sealer = UserKeys.from_token(TOKEN).sealer(SERVER_KEY)
    unversioned = sealer.seal("settings", b"plain")
    assert not version_bound(unversioned)
    assert sealer.open("settings", unversioned) == b"plain"


def test_a_key_cache_kept_for_no_time_keeps_nothing() -> None:
    cache = KeyCache(ttl_seconds=0)
    assert cache.derive(TOKEN).user_id
    assert cache.cached(TOKEN) is None
    assert not cache._entries
