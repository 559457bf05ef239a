from __future__ import annotations

import pytest

from rebalance_service.settings import Settings, SettingsError


def test_forwarded_headers_are_believed_from_no_proxy_by_default() -> None:
    assert Settings.from_env({}).forwarded_allow_ips == ()


def test_forwarded_allow_ips_takes_addresses_and_networks() -> None:
    settings = Settings.from_env({"FORWARDED_ALLOW_IPS": "10.209.90.10, 10.0.0.0/24,::1"})
    assert settings.forwarded_allow_ips == ("10.209.90.10", "10.0.0.0/24", "::1")


@pytest.mark.parametrize("value", ["*", "proxy", "10.0.0.0/33"])
def test_forwarded_allow_ips_refuses_anything_but_addresses(value: str) -> None:
    with pytest.raises(SettingsError, match="FORWARDED_ALLOW_IPS"):
        Settings.from_env({"FORWARDED_ALLOW_IPS": value})
