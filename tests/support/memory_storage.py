"""The storage port in memory, with the installation's built-in catalogue: for testing the
use cases and the app in process, without a config service."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from rebalance_service.keys import UserKeys
from rebalance_service.storage import ConfigConflict, StoredConfig
from rebalancer.configuration import AccountSettings, Defaults, UserSettings
from support.households import builtin_defaults


@dataclass
class StoredUser:
    version: int = 0
    settings: UserSettings = field(default_factory=UserSettings)
    accounts: dict[str, AccountSettings] = field(default_factory=dict)  # by account id


class MemoryStorage:
    """Keeps each user's settings by user id and accounts by account id, as the config
    service does. `before_save`, when set, runs just before each write: a stand-in for
    another writer getting there first."""

    def __init__(self, defaults: Defaults | None = None) -> None:
        self.users: dict[str, StoredUser] = {}
        self.before_save: Callable[[UserKeys], None] | None = None
        self._defaults = defaults or builtin_defaults()

    async def load(self, keys: UserKeys, account_numbers: Sequence[str]) -> StoredConfig:
        user = self.users.get(keys.user_id, StoredUser())
        accounts = {
            number: user.accounts[keys.account_id(number)]
            for number in account_numbers
            if keys.account_id(number) in user.accounts
        }
        others = len(user.accounts.keys() - {keys.account_id(n) for n in account_numbers})
        return StoredConfig(user.version, user.settings, accounts, others=others)

    async def save(
        self,
        keys: UserKeys,
        stored: StoredConfig,
        settings: UserSettings,
        accounts: Mapping[str, AccountSettings],
    ) -> int:
        if self.before_save is not None:
            self.before_save(keys)
        user = self.users.setdefault(keys.user_id, StoredUser())
        if user.version != stored.version:
            raise ConfigConflict
        user.version += 1
        user.settings = settings
        user.accounts.update({keys.account_id(n): a for n, a in accounts.items()})
        return user.version

    async def erase(self, keys: UserKeys) -> None:
        self.users.pop(keys.user_id, None)

    async def defaults(self) -> Defaults:
        return self._defaults
