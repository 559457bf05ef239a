"""The pure core imports no web framework, ORM, HTTP client, crypto or environment."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
PURE = [
    REPO / "shared" / "src" / "rebalancer",  # the domain, with no plumbing beside it
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


SERVICE = REPO / "services" / "rebalance-service" / "src" / "rebalance_service"
# The rebalance service's rooms, from the top floor down. A room imports only rooms on
# lower floors, and itself: so no import climbs back up, and the page and the API, side
# by side, never import each other.
FLOORS: list[set[str]] = [
    {"__main__", "app"},
    {"web", "api"},
    {"edge", "config_store"},
    {"use_cases", "documents"},
    {"household", "storage"},
    {"keys", "settings", "engine", "importers"},
]
FRAMEWORKS = {"starlette", "httpx", "uvicorn", "jinja2", "sqlalchemy", "alembic", "markupsafe"}


def _room(path: Path) -> str:
    return path.relative_to(SERVICE).parts[0].removesuffix(".py")


def _service_imports(path: Path) -> set[str]:
    """The rooms of rebalance_service that a module imports, its own included."""
    rooms: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            parts = node.module.split(".")
            if parts[0] == "rebalance_service":
                names = [parts[1]] if len(parts) > 1 else [a.name for a in node.names]
                rooms.update(names)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "rebalance_service" and len(parts) > 1:
                    rooms.add(parts[1])
    return rooms


def _floor(room: str) -> int:
    (floor,) = [n for n, rooms in enumerate(FLOORS) if room in rooms]
    return floor


def test_every_room_of_the_service_is_on_a_floor() -> None:
    rooms = {_room(p) for p in SERVICE.rglob("*.py")} - {"__init__"}
    assert rooms == set().union(*FLOORS)


def test_rooms_import_only_rooms_below_them() -> None:
    for module in SERVICE.rglob("*.py"):
        room = _room(module)
        if room == "__init__":
            continue
        for other in _service_imports(module) - {room}:
            assert _floor(other) > _floor(room), (
                f"{module.relative_to(REPO)} ({room}) imports {other}, not below it"
            )


def test_the_package_root_holds_few_modules_and_no_prefix_stands_in_for_a_folder() -> None:
    modules = sorted(p.stem for p in SERVICE.glob("*.py"))
    assert len(modules) <= 10
    prefixes = [m.split("_")[0] for m in modules if "_" in m.strip("_")]
    folders = {p.name for p in SERVICE.iterdir() if p.is_dir()}
    assert not {p for p in prefixes if prefixes.count(p) > 1 or p in folders}


@pytest.mark.parametrize("module", ["use_cases", "storage", "household", "documents"])
def test_the_use_cases_and_what_they_stand_on_import_no_framework_or_http_client(
    module: str,
) -> None:
    assert not _imports(SERVICE / f"{module}.py") & FRAMEWORKS


def test_the_modules_of_a_room_import_each_other_without_a_cycle() -> None:
    graph: dict[str, set[str]] = {}
    for module in SERVICE.rglob("*.py"):
        name = ".".join(module.relative_to(SERVICE.parent).with_suffix("").parts)
        graph[name] = set()
        for node in ast.walk(ast.parse(module.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                graph[name].add(node.module)
    visiting: list[str] = []
    done: set[str] = set()

    def visit(name: str) -> None:
        assert name not in visiting, " -> ".join([*visiting[visiting.index(name) :], name])
        if name in done or name not in graph:
            return
        visiting.append(name)
        for imported in graph[name]:
            visit(imported)
        visiting.pop()
        done.add(name)

    for name in graph:
        visit(name)


def test_the_importers_read_no_more_accounts_than_the_store_takes() -> None:
    from rebalance_service import importers
    from service_kit import internal_api

    assert importers.MAX_ACCOUNTS <= internal_api.MAX_ACCOUNTS
