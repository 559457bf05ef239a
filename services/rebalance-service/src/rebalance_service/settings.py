"""The rebalance service's settings, read once from the environment."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


class SettingsError(ValueError):
    """An environment variable holds a value the service cannot use."""


@dataclass(frozen=True)
class Settings:
    bind: str
    port: int
    workers: int
    config_url: str
    service_credential: str | None
    service_credential_file: Path
    config_timeout: float  # seconds, for each call to the config service
    max_upload_bytes: int
    # Uploads over 1 MiB (or of unknown length) one worker reads at once; 503 beyond.
    large_uploads_per_worker: int
    # Slow clients (edge.transport): seconds for a request head to arrive, and for a
    # body to send nothing while we read it.
    header_timeout: float
    body_timeout: float
    # How long a worker keeps a token's derived keys in memory; 0 keeps none.
    key_cache_seconds: int = 300
    # The solver's time limit for a plan, and for one with prove=true; past it the
    # best plan found is returned, its proof saying so.
    solve_seconds: int = 10
    prove_seconds: int = 60
    # Proxies whose X-Forwarded-For/-Proto are believed (addresses or networks); none by
    # default, so no client can name its own address past the guessing limit.
    forwarded_allow_ips: tuple[str, ...] = ()

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Settings:
        data_dir = Path(environ.get("DATA_DIR", "./data"))
        return cls(
            bind=environ.get("REBALANCE_BIND", "127.0.0.1"),
            port=_whole(environ, "REBALANCE_PORT", 8090, 1, 65535),
            workers=_whole(environ, "REBALANCE_WORKERS", 2, 1, 64),
            config_url=environ.get("CONFIG_URL", "http://127.0.0.1:8091").rstrip("/"),
            service_credential=environ.get("SERVICE_CREDENTIAL") or None,
            service_credential_file=Path(
                environ.get("SERVICE_CREDENTIAL_FILE", str(data_dir / "service.credential"))
            ),
            config_timeout=_whole(environ, "CONFIG_TIMEOUT_MS", 5000, 100, 600_000) / 1000,
            max_upload_bytes=_whole(environ, "MAX_UPLOAD_BYTES", 5 * 1024 * 1024, 1024, 2**31),
            large_uploads_per_worker=_whole(environ, "LARGE_UPLOADS_PER_WORKER", 2, 1, 1000),
            header_timeout=_whole(environ, "HEADER_TIMEOUT_SECONDS", 10, 1, 3600),
            body_timeout=_whole(environ, "BODY_TIMEOUT_SECONDS", 20, 1, 3600),
            key_cache_seconds=_whole(environ, "KEY_CACHE_SECONDS", 300, 0, 3600),
            solve_seconds=_whole(environ, "SOLVE_SECONDS", 10, 1, 600),
            prove_seconds=_whole(environ, "PROVE_SECONDS", 60, 1, 3600),
            forwarded_allow_ips=_networks(environ, "FORWARDED_ALLOW_IPS"),
        )

    def credential(self) -> str:
        """The service credential: given, or read from the file the config service wrote."""
        if self.service_credential:
            return self.service_credential
        try:
            return self.service_credential_file.read_text().strip()
        except OSError as error:
            raise SettingsError(
                f"cannot read the service credential from {self.service_credential_file}: "
                "start the config service first, or set SERVICE_CREDENTIAL"
            ) from error


def _whole(environ: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    text = environ.get(name, str(default))
    if not text.isdigit() or not low <= int(text) <= high:
        raise SettingsError(f"{name} must be a whole number from {low} to {high}, not {text!r}")
    return int(text)


def _networks(environ: Mapping[str, str], name: str) -> tuple[str, ...]:
    """Comma-separated addresses or networks; uvicorn's "*" is refused, being no proxy at all."""
    items = [item.strip() for item in environ.get(name, "").split(",") if item.strip()]
    for item in items:
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError:
            raise SettingsError(
                f"{name} must list IP addresses or networks (such as 10.209.90.10 or "
                f"10.0.0.0/24), separated by commas, not {item!r}"
            ) from None
    return tuple(items)
