"""Secrets the installation generates on first start, kept in files readable by the owner only."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from config_service.settings import Settings, SettingsError

MIN_SECRET_LENGTH = 32  # characters of the hex text


@dataclass(frozen=True)
class InstallationSecrets:
    installation_secret: bytes  # keys every hash the database stores
    service_credential: str  # the rebalance service's password for our API


def load_secrets(settings: Settings) -> InstallationSecrets:
    installation = settings.installation_secret or read_or_create(settings.installation_secret_file)
    credential = settings.service_credential or read_or_create(settings.service_credential_file)
    for name, value in (("installation secret", installation), ("service credential", credential)):
        if len(value) < MIN_SECRET_LENGTH:
            raise SettingsError(f"the {name} must be at least {MIN_SECRET_LENGTH} characters")
    return InstallationSecrets(installation.encode(), credential)


def read_or_create(path: Path) -> str:
    """The secret in `path`, made there (mode 0600, 256 random bits) if the file is missing.

    The new secret is written to a temporary file and linked into place, so two
    processes starting at once agree on one secret and never read a half-written file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_hex(32) + "\n")
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass  # another process won the race; use its secret
        finally:
            temporary.unlink()
    return path.read_text().strip()
