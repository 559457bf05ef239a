"""The port through which the use cases reach a user's stored configuration.

`config_store.ConfigStore` implements it over HTTP against the config service;
tests implement it in memory. Whatever implements it seals, stores and opens:
the use cases see only settings.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from rebalance_service.keys import UserKeys
from rebalancer.configuration import AccountSettings, Defaults, UserSettings


class ConfigUnavailable(Exception):
    """The store could not be reached or failed; the message says how."""


class ConfigConflict(Exception):
    """Someone else saved this user's configuration between our read and our write."""


class StoredDataUnreadable(Exception):
    """Stored records would not open as last saved; the message names them.

    Damaged, put back from an earlier save, removed, or under an installation
    secret that has changed since: a save replaces what it names."""


@dataclass(frozen=True)
class StoredConfig:
    version: int  # 0 before the user's first save
    settings: UserSettings
    accounts: dict[str, AccountSettings]  # by account number, only those asked for and found
    # Records that did not open as last saved ("settings", "account ...1234"): reading
    # refuses them (StoredDataUnreadable), a save may write over them.
    damaged: tuple[str, ...] = ()
    # Accounts the settings record lists that were not asked for (a move must name them).
    others: int = 0

    def intact(self) -> StoredConfig:
        """Itself, or StoredDataUnreadable naming what would not open."""
        if self.damaged:
            raise StoredDataUnreadable(", ".join(self.damaged))
        return self


class ConfigStorage(Protocol):
    async def load(self, keys: UserKeys, account_numbers: Sequence[str]) -> StoredConfig:
        """The user's settings and those of the named accounts that have any."""

    async def save(
        self,
        keys: UserKeys,
        stored: StoredConfig,
        settings: UserSettings,
        accounts: Mapping[str, AccountSettings],
    ) -> int:
        """Write settings and accounts at once over `stored`, as `load` gave it; returns
        the new version, or raises ConfigConflict if someone saved since."""

    async def erase(self, keys: UserKeys) -> None:
        """Delete the user's settings and all their accounts, if there are any."""

    async def defaults(self) -> Defaults:
        """The installation's catalogue and default settings."""
