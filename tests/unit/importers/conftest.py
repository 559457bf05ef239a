"""The real brokerage samples, found beside the repository (`../shared/samples/`).

Every file there is a test case (`sample_file`), so a sample added later is read, or
refused as an activity export, without a test being written for it. The samples
carry real account numbers: tests compare them but never print them.
"""

from __future__ import annotations

from pathlib import Path

import pytest


def _repo_root() -> Path:
    for folder in Path(__file__).resolve().parents:
        if (folder / "pyproject.toml").is_file():
            return folder
    raise RuntimeError("no pyproject.toml above the tests")  # pragma: no cover


SAMPLES = _repo_root() / ".." / "shared" / "samples"


def sample_files() -> list[Path]:
    # The samples sit beside every checkout, CI's included: their absence is a failure.
    assert SAMPLES.is_dir(), f"the brokerage samples are missing: {SAMPLES}"
    return sorted(SAMPLES.glob("*.csv"))


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "sample_file" in metafunc.fixturenames:
        files = sample_files()
        metafunc.parametrize("sample_file", files, ids=[file.name for file in files])


@pytest.fixture(scope="session")
def samples() -> Path:
    assert SAMPLES.is_dir(), f"the brokerage samples are missing: {SAMPLES}"
    return SAMPLES
