"""Keyed hashes that bind every stored identifier to this installation.

The rebalance service sends identifiers it derived from the user's token. We
store only HMACs of them under the installation secret, so the database file
alone neither reveals nor confirms any identifier, and a guess at a token can be
tested only by someone who also holds the secret.
"""

from __future__ import annotations

import hashlib
import hmac


class Pepper:
    def __init__(self, installation_secret: bytes) -> None:
        self._secret = installation_secret

    def _mac(self, *parts: str) -> bytes:
        return hmac.new(self._secret, "\0".join(parts).encode(), hashlib.sha256).digest()

    def user_hash(self, user_id: str) -> str:
        return self._mac("user", user_id).hex()

    def account_hash(self, user_id: str, account_id: str) -> str:
        return self._mac("account", user_id, account_id).hex()

    def server_key(self, user_id: str) -> bytes:
        """The installation's share of a user's sealing key (the token supplies the rest)."""
        return self._mac("seal", user_id)
