"""The storage port (`storage.ConfigStorage`) over HTTP, against the config service.

Sealing and opening happen here: callers see `UserSettings` and
`AccountSettings`, the config service sees identifiers and ciphertext, and
nothing else in this service ever sees either side's counterpart.
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import httpx

from rebalance_service.keys import SealBroken, Sealer, UserKeys, version_bound
from rebalance_service.storage import (
    ConfigConflict,
    ConfigUnavailable,
    StoredConfig,
)
from rebalancer.catalogue import Catalogue, TaxGroup
from rebalancer.configuration import AccountSettings, Defaults, UserSettings
from rebalancer.field_errors import FieldError, InvalidInput
from rebalancer.wire import (
    decode_account_settings,
    decode_config_document,
    decode_user_settings,
    encode_account_settings,
    encode_user_settings,
)
from service_kit import internal_api
from service_kit.internal_api import (
    ADMIT_TOKEN_PATH,
    CATALOGUE_PATH,
    ERASE_USER_PATH,
    MAX_SEALED,
    READ_USER_PATH,
    WRITE_USER_PATH,
    AdmitAnswer,
    AdmitRequest,
    EraseRequest,
    ReadAnswer,
    ReadRequest,
    WriteAnswer,
    WriteRequest,
)

_ATTEMPTS = 3  # for a config service that is briefly unreachable
# Past the config service's limit on one sealed record it answers 400, which would
# reach the user as "unavailable"; settings too large to store are the user's to
# fix, so say so.
_SEAL_OVERHEAD = 1 + 12 + 16  # format byte, nonce, tag


# Of each account id in the settings record's list of the user's accounts: 128 bits,
# so a thousand accounts still fit in one record.
_LISTED_ID_CHARS = 32


@dataclass(frozen=True)
class _SealedConfig(StoredConfig):
    sealer: Sealer = field(kw_only=True)  # made from the server key that came with the read
    # Every account saved in a versioned save (by the first _LISTED_ID_CHARS of its id)
    # and the save it was last written in: what the settings record vouches for.
    account_versions: dict[str, int] = field(kw_only=True)


class _Unopened(Exception):
    """A record that does not open as the settings record says it was last saved."""


class ConfigStore:
    def __init__(self, client: httpx.AsyncClient, base_url: str, credential: str) -> None:
        self._client = client
        self._base_url = base_url
        self._headers = {"Authorization": f"Bearer {credential}"}
        self._defaults: tuple[str, Defaults] | None = None

    async def load(self, keys: UserKeys, account_numbers: Sequence[str]) -> StoredConfig:
        ids = {keys.account_id(number): number for number in account_numbers}
        request: ReadRequest = {"user_id": keys.user_id, "account_ids": sorted(ids)}
        answer = cast(ReadAnswer, await self._call(READ_USER_PATH, request))
        sealer = keys.sealer(base64.b64decode(answer["server_key"]))
        settings, versions, damaged = UserSettings(), dict[str, int](), []
        if answer["settings"] is not None:
            try:
                settings, versions = _open_settings(sealer, answer["settings"], answer["version"])
            except _Unopened:
                damaged.append("settings")
        accounts = {}
        for account_id, number in ids.items():
            sealed = answer["accounts"].get(account_id)
            listed = versions.get(account_id[:_LISTED_ID_CHARS])
            try:
                if sealed is not None:
                    accounts[number] = _open_account(sealer, account_id, sealed, listed)
                elif listed is not None:
                    raise _Unopened  # saved, and listed, but its record is gone
            except _Unopened:
                damaged.append(f"account ...{number[-4:]}")
        await self._refresh_defaults(answer["catalogue_version"])
        asked = {account_id[:_LISTED_ID_CHARS] for account_id in ids}
        return _SealedConfig(
            answer["version"],
            settings,
            accounts,
            tuple(damaged),
            len(versions.keys() - asked),
            sealer=sealer,
            account_versions=versions,
        )

    async def save(
        self,
        keys: UserKeys,
        stored: StoredConfig,
        settings: UserSettings,
        accounts: Mapping[str, AccountSettings],
    ) -> int:
        """Write settings and accounts in one transaction; raises ConfigConflict if overtaken."""
        if not isinstance(stored, _SealedConfig):
            raise TypeError("save what this store's load returned")
        sealer = stored.sealer
        # Every record of this save is bound to the version it makes, and the settings
        # record lists each account with the save it was last written in: a record put
        # back from an earlier save, or one removed, no longer reads as current.
        version = stored.version + 1
        versions = dict(stored.account_versions)
        sealed_accounts = {}
        for number, account in accounts.items():
            account_id = keys.account_id(number)
            plaintext = json.dumps(encode_account_settings(account)).encode()
            sealed = sealer.seal(f"account:{account_id}", plaintext, version)
            sealed_accounts[account_id] = _b64(sealed)
            versions[account_id[:_LISTED_ID_CHARS]] = version
        document = {"settings": encode_user_settings(settings), "accounts": versions}
        plaintext = json.dumps(document).encode()
        if len(plaintext) + _SEAL_OVERHEAD > MAX_SEALED:
            raise InvalidInput(
                [
                    FieldError(
                        "body",
                        f"the settings take {len(plaintext)} bytes once stored; at most "
                        f"{MAX_SEALED - _SEAL_OVERHEAD} fit: list fewer or shorter entries",
                    )
                ]
            )
        request: WriteRequest = {
            "user_id": keys.user_id,
            "expected_version": stored.version,
            "settings": _b64(sealer.seal("settings", plaintext, version)),
            "accounts": sealed_accounts,
        }
        answer = cast(WriteAnswer, await self._call(WRITE_USER_PATH, request))
        return answer["version"]

    async def erase(self, keys: UserKeys) -> None:
        request: EraseRequest = {"user_id": keys.user_id}
        await self._call(ERASE_USER_PATH, request)

    async def admit_token(self, client: str, fingerprint: str) -> int | None:
        """The installation's guessing limit (`edge.rate_limit.TokenCount`), kept there."""
        request: AdmitRequest = {"client": client, "fingerprint": fingerprint}
        answer = cast(AdmitAnswer, await self._call(ADMIT_TOKEN_PATH, request))
        return None if answer["admitted"] else max(1, answer["retry_after"])

    async def defaults(self) -> Defaults:
        if self._defaults is None:
            await self._refresh_defaults(None)
        assert self._defaults is not None
        return self._defaults[1]

    async def _refresh_defaults(self, version: str | None) -> None:
        if self._defaults is not None and self._defaults[0] == version:
            return
        document = await self._call(CATALOGUE_PATH, None)
        self._defaults = (document["version"], decode_defaults(document))

    async def _call(self, path: str, body: Mapping[str, Any] | None) -> dict[str, Any]:
        for attempt in range(_ATTEMPTS):
            try:
                if body is None:
                    response = await self._client.get(self._base_url + path, headers=self._headers)
                else:
                    response = await self._client.post(
                        self._base_url + path, json=body, headers=self._headers
                    )
            except httpx.TimeoutException as error:
                raise ConfigUnavailable("the configuration store did not answer in time") from error
            except httpx.TransportError as error:
                if attempt + 1 == _ATTEMPTS:
                    raise ConfigUnavailable("the configuration store cannot be reached") from error
                await asyncio.sleep(0.1 * 2**attempt)
                continue
            if response.status_code == 409:
                raise ConfigConflict
            if response.status_code != 200:
                raise ConfigUnavailable(f"the configuration store answered {response.status_code}")
            answer: dict[str, Any] = response.json()
            return answer
        raise AssertionError("unreachable")  # pragma: no cover


def decode_defaults(document: internal_api.Catalogue) -> Defaults:
    """The installation's catalogue and default settings, as the config service sends them."""
    parts = {k: document[k] for k in ("targets", "affinities", "asset_classes", "securities")}
    settings = decode_config_document(parts).settings
    published = document.get("mixes_published") or {}  # absent from a service of before
    catalogue = Catalogue.of(settings.asset_classes or (), settings.securities or (), published)
    affinities = settings.affinities or dict.fromkeys(TaxGroup, ())
    return Defaults(catalogue, settings.targets or (), affinities)


def _open_settings(
    sealer: Sealer, sealed_b64: str, version: int
) -> tuple[UserSettings, dict[str, int]]:
    """The settings and the list of accounts they vouch for ({} for a record sealed
    before records were versioned, which holds the settings alone)."""
    try:
        sealed = base64.b64decode(sealed_b64)
        opened = json.loads(sealer.open("settings", sealed, version))
        if not version_bound(sealed):
            return decode_user_settings(opened), {}
        listed = opened["accounts"]
        versions = {str(k): int(v) for k, v in listed.items()}
        return decode_user_settings(opened["settings"]), versions
    except (SealBroken, ValueError, TypeError, KeyError, AttributeError, InvalidInput) as error:
        raise _Unopened from error


def _open_account(
    sealer: Sealer, account_id: str, sealed_b64: str, listed: int | None
) -> AccountSettings:
    """An account record, as the settings list says it was last saved: a versioned one
    at the version listed, an older unversioned one only if the list does not name it."""
    try:
        sealed = base64.b64decode(sealed_b64)
        if version_bound(sealed) != (listed is not None):
            raise _Unopened
        plaintext = sealer.open(f"account:{account_id}", sealed, listed)
        return decode_account_settings(json.loads(plaintext))
    except (SealBroken, ValueError, InvalidInput) as error:
        raise _Unopened from error


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()
