"""Dependencies point inward: the core imports no domain area, each area's CLI lives in its
commands.py and its queue jobs in its tasks.py, and create_app finds them all from one list."""
from __future__ import annotations

import ast

from grantflow import AREAS, ROOT

# The core's user loader reads the accounts model; accounts stays next to the core.
CORE_ADJACENT = {"core", "accounts"}


def _imported(path) -> set[str]:
    """Modules a file imports, by statement or by name in a string (as importlib would)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith("grantflow."):
            names.add(node.value)
    return names


def _areas_in(names: set[str]) -> set[str]:
    return {n.split(".")[1] for n in names if n.startswith("grantflow.") and n.split(".")[1] in AREAS}


def test_the_core_imports_no_domain_area():
    found = {str(p.relative_to(ROOT)): _areas_in(_imported(p)) - CORE_ADJACENT
             for p in (ROOT / "grantflow" / "core").rglob("*.py")}
    assert {path: areas for path, areas in found.items() if areas} == {}


def test_the_queue_lists_no_area():
    assert _areas_in(_imported(ROOT / "grantflow" / "tasks.py")) - CORE_ADJACENT == set()


def test_views_declare_no_commands():
    views = [p for p in (ROOT / "grantflow").rglob("views.py")]
    assert len(views) >= 12
    assert [str(p.relative_to(ROOT)) for p in views if ".cli." in p.read_text(encoding="utf-8")] == []


def test_every_area_command_is_registered(app):
    commands = set(app.cli.list_commands(None))
    expected = {"worker", "demo", "demo-exists", "letters", "remind-reports", "score", "import-places",
                "release-decisions", "audit", "import-history"}
    assert expected <= commands
