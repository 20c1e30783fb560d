"""The packages' layers: the libraries (events, models, ingest, portal) never import the command-line
package (clearance), which fills their settings; and models imports neither Flask nor Kafka."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from clearance.config import PROJECT_ROOT


def imported(package: str) -> dict[str, set[str]]:
    """module path -> the top-level names of what it imports (at any depth, lazily too)."""
    found: dict[str, set[str]] = {}
    for path in sorted((PROJECT_ROOT / package).rglob("*.py")):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module.split(".")[0])
        found[str(Path(path).relative_to(PROJECT_ROOT))] = names
    return found


@pytest.mark.parametrize("package", ["events", "models", "ingest", "portal"])
def test_libraries_do_not_reach_up_into_the_command_line_package(package: str) -> None:
    modules = imported(package)
    assert modules, f"no modules found under {package}/"
    assert {path for path, names in modules.items() if "clearance" in names} == set()


def test_models_import_neither_flask_nor_kafka() -> None:
    heavy = {"flask", "kafka", "flask_socketio"}
    assert {path for path, names in imported("models").items() if names & heavy} == set()
