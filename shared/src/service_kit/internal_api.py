"""The internal contract between the two services, spelled once for both.

Only the rebalance service calls the config service, presenting the service
credential. It sends identifiers derived from users' tokens and sealed blobs
(base64), never a token, an account number or a description.

    GET  CATALOGUE_PATH   -> Catalogue: the built-in catalogue and defaults
    POST READ_USER_PATH   ReadRequest -> ReadAnswer
    POST WRITE_USER_PATH  WriteRequest -> WriteAnswer, or 409 if `expected_version` is stale
    POST ERASE_USER_PATH  EraseRequest -> EraseAnswer: the user's settings and accounts, gone
    POST ADMIT_TOKEN_PATH AdmitRequest -> AdmitAnswer: the installation's guessing limit

Reads and writes answer 429 with `Retry-After` once more different users than
the installation's bound were named within its window: a process holding the
credential cannot go through user ids faster than that.
"""

from __future__ import annotations

from typing import Any, TypedDict

CATALOGUE_PATH = "/internal/v1/catalogue"
READ_USER_PATH = "/internal/v1/users/read"
WRITE_USER_PATH = "/internal/v1/users/write"
ERASE_USER_PATH = "/internal/v1/users/erase"
ADMIT_TOKEN_PATH = "/internal/v1/tokens/admit"  # noqa: S105 - a path, not a password

MAX_SEALED = 64 * 1024  # bytes in one sealed record, before base64
MAX_ACCOUNTS = 1000  # account identifiers in one read or write
MAX_CLIENT = 100  # characters of a client address in an admission request
FINGERPRINT_HEX = 32  # hex characters of a token's fingerprint (128 bits)


class ReadRequest(TypedDict):
    user_id: str
    account_ids: list[str]


class ReadAnswer(TypedDict):
    version: int  # 0 before the user's first save
    catalogue_version: str
    server_key: str  # base64; with the user's root key, makes the sealing key
    settings: str | None  # base64 of the sealed settings; None before the first save
    accounts: dict[str, str]  # account id -> base64 of the sealed account, those found


class WriteRequest(TypedDict):
    user_id: str
    expected_version: int
    settings: str
    accounts: dict[str, str]


class WriteAnswer(TypedDict):
    version: int


class EraseRequest(TypedDict):
    user_id: str


class EraseAnswer(TypedDict):
    erased: bool  # False when there was nothing stored under the id


class AdmitRequest(TypedDict):
    client: str  # the address the request came from, as the rebalance service sees it
    # HMAC-SHA256 of the token under a key derived from the service credential, truncated:
    # every replica makes the same one for the same token, and it is never the token.
    fingerprint: str


class AdmitAnswer(TypedDict):
    admitted: bool
    retry_after: int  # seconds until a new token from this client could be; 0 if admitted


# The catalogue document: {"version", "targets", "affinities", "asset_classes",
# "securities"}, the last four in the shapes of the public configuration document,
# and "mixes_published": {symbol: the ISO date its mix follows} for the mix funds.
Catalogue = dict[str, Any]
