"""Fixtures for every tier of tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from stack import Stack
from support.api_client import ApiClient

# Every test makes tokens of its own, all from 127.0.0.1: lift the guessing limit,
# which tests/e2e/test_token_guessing.py checks on a stack of its own, and the config
# service's bound on users per window (tests/integration/test_config_service_limits.py).
MANY_TOKENS = {"TOKENS_PER_CLIENT": "1000000", "USERS_PER_WINDOW": "1000000"}


@pytest.fixture(scope="session")
def shared_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Both services as real processes, shared by the tests that need no fresh database."""
    root = tmp_path_factory.mktemp("stack")
    with Stack(root / "data", log_dir=root, extra_env=MANY_TOKENS) as stack:
        yield stack


@pytest.fixture
def fresh_stack(tmp_path: Path) -> Iterator[Stack]:
    """Both services on a database of their own, for tests that read the files afterwards."""
    with Stack(tmp_path / "data", log_dir=tmp_path, extra_env=MANY_TOKENS) as stack:
        yield stack


@pytest.fixture
def client(shared_stack: Stack) -> Iterator[ApiClient]:
    api = ApiClient(shared_stack.url)
    api.token = api.new_token()
    yield api
    api.close()
