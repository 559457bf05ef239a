"""Sealed records show the database no length but their size class, and old ones still open."""

from __future__ import annotations

import os

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from rebalance_service.keys import SealBroken, UserKeys, check_token, padded_size

TOKEN = check_token("e" * 64)
SERVER_KEY = b"k" * 32
OVERHEAD = 1 + 12 + 16  # format byte, nonce, tag


@pytest.fixture(scope="module")
def keys() -> UserKeys:
    return UserKeys.from_token(TOKEN)


def test_records_of_different_lengths_in_one_size_class_seal_to_the_same_length(
    keys: UserKeys,
) -> None:
    sealer = keys.sealer(SERVER_KEY)
    lengths = {len(sealer.seal("account:a", b"x" * n)) for n in (0, 1, 37, 120, 255)}
    assert lengths == {256 + OVERHEAD}


def test_size_classes_are_powers_of_two_from_256_bytes(keys: UserKeys) -> None:
    sealer = keys.sealer(SERVER_KEY)
    assert len(sealer.seal("settings", b"x" * 256)) == 512 + OVERHEAD
    assert len(sealer.seal("settings", b"x" * 3000)) == 4096 + OVERHEAD
    assert padded_size(40_000) == 64 * 1024 - OVERHEAD


@pytest.mark.parametrize("plaintext", [b"", b"{}", b"\x80", b"ends in zeros\0\0", os.urandom(999)])
def test_a_padded_record_opens_to_exactly_what_was_sealed(keys: UserKeys, plaintext: bytes) -> None:
    sealer = keys.sealer(SERVER_KEY)
    assert sealer.open("settings", sealer.seal("settings", plaintext)) == plaintext


def test_a_record_sealed_before_padding_still_opens(keys: UserKeys) -> None:
    # Format 1, as keys.py wrote it before: no padding, no format byte in the associated data.
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"rebalancer/v1/seal").derive(
        keys.root + SERVER_KEY
    )
    nonce = os.urandom(12)
    context = f"{keys.user_id}\0settings".encode()
    old = b"\x01" + nonce + AESGCM(key).encrypt(nonce, b'{"targets": []}', context)
    assert keys.sealer(SERVER_KEY).open("settings", old) == b'{"targets": []}'


def test_a_padded_record_relabelled_as_unpadded_does_not_open(keys: UserKeys) -> None:
    sealed = keys.sealer(SERVER_KEY).seal("settings", b"{}")
    with pytest.raises(SealBroken):
        keys.sealer(SERVER_KEY).open("settings", b"\x01" + sealed[1:])
