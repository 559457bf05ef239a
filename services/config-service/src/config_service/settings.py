"""The config service's settings, read once from the environment."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


class SettingsError(ValueError):
    """An environment variable holds a value the service cannot use."""


@dataclass(frozen=True)
class Settings:
    bind: str
    port: int
    data_dir: Path
    database_url: str
    # Per-installation secret mixed into every stored hash and key; a file in data_dir by default.
    installation_secret_file: Path
    installation_secret: str | None
    # What the rebalance service must present; generated on first start unless given.
    service_credential_file: Path
    service_credential: str | None
    # The guessing limit, for the whole installation: distinct tokens one client address
    # may use per window. Counted here, the one process every replica and worker asks.
    tokens_per_client: int
    token_window_seconds: int
    # Distinct users whose records may be read or written per window, in all: bounds how
    # fast a process holding the service credential can go through user ids.
    users_per_window: int
    user_window_seconds: int

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Settings:
        data_dir = Path(environ.get("DATA_DIR", "./data"))
        port_text = environ.get("CONFIG_PORT", "8091")
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise SettingsError(f"CONFIG_PORT must be a port number, not {port_text!r}")
        return cls(
            bind=environ.get("CONFIG_BIND", "127.0.0.1"),
            port=int(port_text),
            data_dir=data_dir,
            database_url=environ.get("DATABASE_URL") or f"sqlite:///{data_dir / 'config.sqlite3'}",
            installation_secret_file=Path(
                environ.get("INSTALLATION_SECRET_FILE", str(data_dir / "installation.key"))
            ),
            installation_secret=environ.get("INSTALLATION_SECRET") or None,
            service_credential_file=Path(
                environ.get("SERVICE_CREDENTIAL_FILE", str(data_dir / "service.credential"))
            ),
            service_credential=environ.get("SERVICE_CREDENTIAL") or None,
            tokens_per_client=_whole(environ, "TOKENS_PER_CLIENT", 50, 1, 10**9),
            token_window_seconds=_whole(environ, "TOKEN_WINDOW_SECONDS", 600, 1, 86_400),
            users_per_window=_whole(environ, "USERS_PER_WINDOW", 5000, 1, 10**9),
            user_window_seconds=_whole(environ, "USER_WINDOW_SECONDS", 600, 1, 86_400),
        )


def _whole(environ: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    text = environ.get(name, str(default))
    if not text.isdigit() or not low <= int(text) <= high:
        raise SettingsError(f"{name} must be a whole number from {low} to {high}, not {text!r}")
    return int(text)
