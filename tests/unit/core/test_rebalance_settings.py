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


def test_the_solver_has_ten_seconds_for_a_plan_and_sixty_for_a_proof_by_default() -> None:
    settings = Settings.from_env({})
    assert (settings.solve_seconds, settings.prove_seconds) == (10, 60)


def test_the_solver_time_limits_are_read_from_the_environment() -> None:
    settings = Settings.from_env({"SOLVE_SECONDS": "2", "PROVE_SECONDS": "120"})
    assert (settings.solve_seconds, settings.prove_seconds) == (2, 120)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("SOLVE_SECONDS", "0", "SOLVE_SECONDS must be a whole number from 1 to 600, not '0'"),
        ("SOLVE_SECONDS", "601", "SOLVE_SECONDS must be a whole number from 1 to 600"),
        ("SOLVE_SECONDS", "2.5", "SOLVE_SECONDS must be a whole number from 1 to 600"),
        ("PROVE_SECONDS", "-1", "PROVE_SECONDS must be a whole number from 1 to 3600"),
        ("PROVE_SECONDS", "a minute", "PROVE_SECONDS must be a whole number from 1 to 3600"),
    ],
)
def test_a_solver_time_limit_out_of_bounds_refuses_to_start_naming_it(
    name: str, value: str, message: str
) -> None:
    with pytest.raises(SettingsError, match=message.replace(".", r"\.")):
        Settings.from_env({name: value})
