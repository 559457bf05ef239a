from __future__ import annotations

import ast
import sys
from pathlib import Path

import rebalance_service.importers

PACKAGE = Path(rebalance_service.importers.__file__).parent


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_the_importers_import_only_the_standard_library_and_the_shared_domain() -> None:
    for path in sorted(PACKAGE.glob("*.py")):
        outside = imported_modules(path) - sys.stdlib_module_names - {"rebalancer"}
        assert outside == set(), path.name


def test_the_importers_read_no_environment_and_open_no_files() -> None:
    for path in sorted(PACKAGE.glob("*.py")):
        modules = imported_modules(path)
        assert not modules & {"os", "pathlib", "socket", "subprocess", "logging"}, path.name
