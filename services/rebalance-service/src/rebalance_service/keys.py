"""Keys derived from a user's token: the only way to find or open their data.

From the token, a memory-hard KDF (Argon2id, 19 MiB, once per request) derives a
root key. From the root key come:

- the user identifier sent to the config service (which stores only an HMAC of it
  under its installation secret);
- account identifiers, an HMAC of each account number, so the same number under
  two tokens gives two unrelated identifiers;
- with the config service's per-user server key, the AES-256-GCM sealing key.
  Neither half alone opens anything: the database and its secret without the
  token, or the token without the installation's secret, are both useless.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MIN_TOKEN_LENGTH = 16
MAX_TOKEN_LENGTH = 512
# OWASP's recommended minimum for Argon2id: 19 MiB, 2 passes, 1 lane. Every guess at a
# token costs that much memory; here it takes about 19 ms, paid once per request.
ARGON2_MEMORY_KIB = 19 * 1024
ARGON2_ITERATIONS = 2
ARGON2_LANES = 1
# One salt for everyone: the token alone must find its data, so there is no per-user salt
# to look up. "v2": the KDF changed, and every key with it.
_KDF_SALT = b"rebalancer/v2/token"
# Format 1: the plaintext as it is, so its exact length shows; still opened, no longer
# written except past the largest size class. Format 2: padded to a size class.
_SEAL_UNPADDED = b"\x01"
_SEAL_PADDED = b"\x02"
_NONCE_BYTES = 12
_TAG_BYTES = 16
# Size classes: powers of two from 256 bytes, so the database shows no record's length
# beyond its class (every account record is one class; the settings one of a few).
# The largest is what the config service takes in one sealed record (64 KiB, less the
# format byte, nonce and tag).
_SMALLEST_CLASS = 256
_LARGEST_CLASS = 64 * 1024 - 1 - _NONCE_BYTES - _TAG_BYTES
_PAD_MARK = b"\x80"  # ends the plaintext; zeros follow it up to the class


class TokenRefused(ValueError):
    """The token cannot be used; the message says why."""


class SealBroken(Exception):
    """A sealed record failed authentication: tampered with, or under another key."""


def check_token(token: str) -> str:
    if len(token) < MIN_TOKEN_LENGTH:
        raise TokenRefused(
            f"the token is {len(token)} characters; it must be at least {MIN_TOKEN_LENGTH} "
            "(GET /api/v1/token makes one)"
        )
    if len(token) > MAX_TOKEN_LENGTH or not token.isprintable():
        raise TokenRefused(f"the token must be at most {MAX_TOKEN_LENGTH} printable characters")
    return token


@dataclass(frozen=True)
class UserKeys:
    root: bytes
    user_id: str

    @classmethod
    def from_token(cls, token: str) -> UserKeys:
        kdf = Argon2id(
            salt=_KDF_SALT,
            length=32,
            iterations=ARGON2_ITERATIONS,
            lanes=ARGON2_LANES,
            memory_cost=ARGON2_MEMORY_KIB,
        )
        root = kdf.derive(check_token(token).encode())
        return cls(root=root, user_id=_mac(root, b"user-id").hex())

    def account_id(self, account_number: str) -> str:
        return hmac.new(
            _mac(self.root, b"account-id"), account_number.encode(), hashlib.sha256
        ).hexdigest()

    def sealer(self, server_key: bytes) -> Sealer:
        key = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=b"rebalancer/v1/seal"
        ).derive(self.root + server_key)
        return Sealer(AESGCM(key), self.user_id)


class Sealer:
    """Authenticated encryption bound to one user and one record."""

    def __init__(self, aead: AESGCM, user_id: str) -> None:
        self._aead = aead
        self._user_id = user_id

    def _context(self, record: str, form: bytes) -> bytes:
        # Format 1 records were sealed with no format byte in the associated data.
        context = f"{self._user_id}\0{record}".encode()
        return context if form == _SEAL_UNPADDED else context + b"\0" + form

    def seal(self, record: str, plaintext: bytes) -> bytes:
        nonce = os.urandom(_NONCE_BYTES)
        size = padded_size(len(plaintext))
        if size is None:  # past the largest class: the config service refuses it anyway
            form, body = _SEAL_UNPADDED, plaintext
        else:
            form = _SEAL_PADDED
            body = plaintext + _PAD_MARK + bytes(size - len(plaintext) - 1)
        # The format byte is authenticated too, so no one can turn a padded record into
        # an unpadded one (which would open with its padding as part of the plaintext).
        return form + nonce + self._aead.encrypt(nonce, body, self._context(record, form))

    def open(self, record: str, sealed: bytes) -> bytes:
        form = sealed[:1]
        if form not in (_SEAL_UNPADDED, _SEAL_PADDED) or len(sealed) < 1 + _NONCE_BYTES + 16:
            raise SealBroken(record)
        nonce, body = sealed[1 : 1 + _NONCE_BYTES], sealed[1 + _NONCE_BYTES :]
        try:
            plaintext = self._aead.decrypt(nonce, body, self._context(record, form))
        except InvalidTag as error:
            raise SealBroken(record) from error
        if form == _SEAL_UNPADDED:
            return plaintext
        unpadded = plaintext.rstrip(b"\0")
        if not unpadded.endswith(_PAD_MARK):
            raise SealBroken(record)
        return unpadded[: -len(_PAD_MARK)]


def padded_size(length: int) -> int | None:
    """The size class a plaintext of `length` bytes is padded to (with its end mark)."""
    size = _SMALLEST_CLASS
    while size < length + len(_PAD_MARK):
        size *= 2
    if size <= _LARGEST_CLASS:
        return size
    return _LARGEST_CLASS if length + len(_PAD_MARK) <= _LARGEST_CLASS else None


def _mac(key: bytes, label: bytes) -> bytes:
    return hmac.new(key, label, hashlib.sha256).digest()
