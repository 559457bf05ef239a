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
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import NewType

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from zxcvbn import zxcvbn

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
# Format 3: padded, and bound to the version it was written at, so a record put back
# from an earlier save no longer opens as the current one.
_SEAL_VERSIONED = b"\x03"
_FORMATS = (_SEAL_UNPADDED, _SEAL_PADDED, _SEAL_VERSIONED)
_NONCE_BYTES = 12
_TAG_BYTES = 16
# Size classes: powers of two from 256 bytes, so the database shows no record's length
# beyond its class (every account record is one class; the settings one of a few).
# The largest is what the config service takes in one sealed record (64 KiB, less the
# format byte, nonce and tag).
_SMALLEST_CLASS = 256
_LARGEST_CLASS = 64 * 1024 - 1 - _NONCE_BYTES - _TAG_BYTES
_PAD_MARK = b"\x80"  # ends the plaintext; zeros follow it up to the class


Token = NewType("Token", str)  # a token that `check_token` accepted


class TokenRefused(ValueError):
    """The token cannot be used; the message says why."""


class SealBroken(Exception):
    """A sealed record failed authentication: tampered with, or under another key."""


def check_token(token: str) -> Token:
    if len(token) < MIN_TOKEN_LENGTH:
        raise TokenRefused(
            f"the token is {len(token)} characters; it must be at least {MIN_TOKEN_LENGTH} "
            "(GET /api/v1/token makes one)"
        )
    if len(token) > MAX_TOKEN_LENGTH or not token.isprintable():
        raise TokenRefused(f"the token must be at most {MAX_TOKEN_LENGTH} printable characters")
    return Token(token)


@dataclass(frozen=True)
class UserKeys:
    root: bytes
    user_id: str

    @classmethod
    def from_token(cls, token: Token) -> UserKeys:
        kdf = Argon2id(
            salt=_KDF_SALT,
            length=32,
            iterations=ARGON2_ITERATIONS,
            lanes=ARGON2_LANES,
            memory_cost=ARGON2_MEMORY_KIB,
        )
        root = kdf.derive(token.encode())
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

    def _context(self, record: str, form: bytes, version: int | None) -> bytes:
        # Format 1 records were sealed with no format byte in the associated data.
        context = f"{self._user_id}\0{record}".encode()
        if form == _SEAL_UNPADDED:
            return context
        if form == _SEAL_VERSIONED:
            return context + b"\0" + form + b"\0" + str(version).encode()
        return context + b"\0" + form

    def seal(self, record: str, plaintext: bytes, version: int | None = None) -> bytes:
        """`version`: the save this record belongs to, bound into it (format 3)."""
        nonce = os.urandom(_NONCE_BYTES)
        size = padded_size(len(plaintext))
        if size is None:  # past the largest class: the config service refuses it anyway
            form, body = _SEAL_UNPADDED, plaintext
        else:
            form = _SEAL_PADDED if version is None else _SEAL_VERSIONED
            body = plaintext + _PAD_MARK + bytes(size - len(plaintext) - 1)
        # The format byte is authenticated too, so no one can turn a padded record into
        # an unpadded one (which would open with its padding as part of the plaintext).
        context = self._context(record, form, version)
        return form + nonce + self._aead.encrypt(nonce, body, context)

    def open(self, record: str, sealed: bytes, version: int | None = None) -> bytes:
        """The plaintext; a versioned record opens only at the version it was sealed at."""
        form = sealed[:1]
        if form not in _FORMATS or len(sealed) < 1 + _NONCE_BYTES + 16:
            raise SealBroken(record)
        if form == _SEAL_VERSIONED and version is None:
            raise SealBroken(record)
        nonce, body = sealed[1 : 1 + _NONCE_BYTES], sealed[1 + _NONCE_BYTES :]
        try:
            plaintext = self._aead.decrypt(nonce, body, self._context(record, form, version))
        except InvalidTag as error:
            raise SealBroken(record) from error
        if form == _SEAL_UNPADDED:
            return plaintext
        unpadded = plaintext.rstrip(b"\0")
        if not unpadded.endswith(_PAD_MARK):
            raise SealBroken(record)
        return unpadded[: -len(_PAD_MARK)]


def version_bound(sealed: bytes) -> bool:
    """Whether a sealed record names the save it belongs to (format 3)."""
    return sealed[:1] == _SEAL_VERSIONED


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


# zxcvbn's top score: "very unguessable", about 10^10 guesses or more. A generated
# token (64 random hex digits) always gets it; "aaaaaaaaaaaaaaaa" and
# "password12345678" do not. zxcvbn reads at most 72 characters.
_STRONG_SCORE = 4
_STRENGTH_READS = 72
TOO_EASY_TO_GUESS = (
    "is too easy to guess to keep settings under: use a generated token (Get a token, "
    "or GET /api/v1/token from a script) or a long passphrase of several random words"
)


def strong_enough_to_store(token: Token) -> bool:
    """Whether settings may be saved under `token`: one global salt means an offline
    guess tests every user at once, so a weak token is a weak spot for everyone."""
    score: int = zxcvbn(token[:_STRENGTH_READS])["score"]
    return score >= _STRONG_SCORE


class KeyCache:
    """Derived keys of the tokens used in the last few minutes, so the web flow
    (configure, save, results, again) pays the memory-hard derivation once, not per page.

    Held in this process's memory only, by a keyed hash of the token under a random
    key of the process's own: neither the token nor anything that tests a guess of it
    is kept. A guess gains nothing: a miss pays the full derivation, and the guessing
    limit has counted the token before it gets here.
    """

    def __init__(
        self,
        capacity: int = 256,
        ttl_seconds: float = 300,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._capacity = capacity
        self._ttl = ttl_seconds
        self._clock = clock
        self._key = os.urandom(32)
        self._entries: OrderedDict[bytes, tuple[UserKeys, float]] = OrderedDict()
        self._lock = threading.Lock()

    def _slot(self, token: Token) -> bytes:
        return hmac.new(self._key, token.encode(), hashlib.sha256).digest()

    def cached(self, token: Token) -> UserKeys | None:
        slot, now = self._slot(token), self._clock()
        with self._lock:
            entry = self._entries.get(slot)
            if entry is None or entry[1] <= now:
                self._entries.pop(slot, None)
                return None
            self._entries.move_to_end(slot)
            return entry[0]

    def derive(self, token: Token) -> UserKeys:
        """The token's keys, derived afresh (slow: call it off the event loop) and kept."""
        keys = UserKeys.from_token(token)
        if self._ttl <= 0:  # kept for no time at all: the cache is off
            return keys
        slot = self._slot(token)
        with self._lock:
            self._entries[slot] = (keys, self._clock() + self._ttl)
            self._entries.move_to_end(slot)
            while len(self._entries) > self._capacity:
                self._entries.popitem(last=False)
        return keys

    def forget(self, token: Token) -> None:
        """Drop a token's keys: its settings were erased or moved."""
        with self._lock:
            self._entries.pop(self._slot(token), None)
