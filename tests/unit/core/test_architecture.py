"""The pure core imports no web framework, ORM, HTTP client, crypto or environment."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
PURE = [
    REPO / "shared" / "src" / "rebalancer",
    REPO / "services" / "rebalance-service" / "src" / "rebalance_service" / "engine",
    REPO / "services" / "rebalance-service" / "src" / "rebalance_service" / "importers",
]
FORBIDDEN = {
    "starlette",
    "httpx",
    "sqlalchemy",
    "alembic",
    "cryptography",
    "uvicorn",
    "jinja2",
    "os",
}


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", PURE, ids=lambda p: p.name)
def test_the_pure_core_does_no_io_through_frameworks(package: Path) -> None:
    modules = sorted(package.rglob("*.py"))
    assert modules
    for module in modules:
        assert not _imports(module) & FORBIDDEN, f"{module.relative_to(REPO)} imports I/O"


def test_the_shared_domain_imports_nothing_from_the_services() -> None:
    for module in (REPO / "shared" / "src").rglob("*.py"):
        assert not _imports(module) & {"config_service", "rebalance_service"}
