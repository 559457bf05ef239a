"""The storage port in memory, with the installation's built-in catalogue: for testing the
use cases and the app in process, without a config service."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from config_service.seed import catalogue_v1
from rebalance_service.keys import UserKeys
from rebalance_service.storage import ConfigConflict, StoredConfig
from rebalancer.catalogue import AssetClass, Catalogue, Security, TaxGroup
from rebalancer.configuration import AccountSettings, Defaults, UserSettings
from rebalancer.targets import Target, TargetKind
from support.households import builtin_mix_funds


def builtin_defaults() -> Defaults:
    """The catalogue and defaults a new installation's migrations write (v1, v2's mixes)."""
    catalogue = Catalogue.of(
        [AssetClass(name, group) for name, group in catalogue_v1.ASSET_CLASSES],
        [
            *(
                Security(symbol, asset_class, fractional=fractional, default=default)
                for symbol, asset_class, fractional, default in catalogue_v1.SECURITIES
            ),
            *builtin_mix_funds(),
        ],
    )
    targets = tuple(
        Target(asset_class, TargetKind(kind), Decimal(value))
        for asset_class, kind, value in catalogue_v1.DEFAULT_TARGETS
    )
    affinities = {TaxGroup(g): tuple(c) for g, c in catalogue_v1.DEFAULT_AFFINITIES.items()}
    return Defaults(catalogue, targets, affinities)


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
        return StoredConfig(user.version, user.settings, accounts)

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

    async def defaults(self) -> Defaults:
        return self._defaults
