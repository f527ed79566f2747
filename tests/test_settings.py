"""One settings table (grantflow/config.py): every setting the code reads is in it, with a default
and a description, and the README's configuration table is the one generated from it."""
from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

from grantflow import ROOT
from grantflow.config import DEFAULTS, README_MARKERS, SETTINGS, settings_table

SOURCES = ("grantflow", "plugins", "forms")
# `app.config[...]`, `current_app.config.get(...)`, and `config[...]` where `config` is one of those.
CONFIG_OWNERS = {"app", "current_app"}


def _is_config(node: ast.AST) -> bool:
    if isinstance(node, ast.Attribute) and node.attr == "config":
        return isinstance(node.value, ast.Name) and node.value.id in CONFIG_OWNERS
    return isinstance(node, ast.Name) and node.id == "config"


def settings_read(source: str, where: str = "") -> tuple[set[str], list[str]]:
    """The setting names a module reads, and the reads whose name is not a literal (not checkable)."""
    names: set[str] = set()
    unknown: list[str] = []

    def key(node: ast.AST, at: ast.AST) -> None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            names.add(node.value)
        else:
            unknown.append(f"{where}:{at.lineno}")

    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load) and _is_config(node.value):
            key(node.slice, node)
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr in ("get", "setdefault", "pop") and _is_config(node.func.value) and node.args):
            key(node.args[0], node)
    return names, unknown


def _scan() -> tuple[set[str], list[str]]:
    names: set[str] = set()
    unknown: list[str] = []
    for folder in SOURCES:
        for path in (ROOT / folder).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            found, dynamic = settings_read(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
            names |= found
            unknown += dynamic
    return names, unknown


def test_every_setting_the_code_reads_is_in_the_table():
    names, unknown = _scan()
    assert {"AUDIT_SUPPRESSION_K", "SURVEY_SUPPRESSION_K", "AUDIT_ALPHA", "HUEY_URL", "UPLOAD_MAX_BYTES", "LETTERS_CHUNK_SIZE"} <= names
    assert unknown == [], "settings read under a computed name cannot be checked"
    assert names - set(DEFAULTS) == set()


def test_the_scan_sees_each_way_of_reading_a_setting():
    source = '''
from flask import current_app
a = current_app.config["SEEN_BY_INDEX"]
b = current_app.config.get("SEEN_BY_GET", 3)
config = current_app.config
c = config["SEEN_THROUGH_A_NAME"]
app.config["WRITTEN_NOT_READ"] = 1
run.config.get("a_json_column")
d = current_app.config[name]
'''
    names, unknown = settings_read(source, "example.py")
    assert names == {"SEEN_BY_INDEX", "SEEN_BY_GET", "SEEN_THROUGH_A_NAME"}
    assert unknown == ["example.py:9"]


def test_each_setting_is_named_once_and_described_in_one_line():
    names = [s.name for s in SETTINGS]
    assert len(names) == len(set(names))
    for s in SETTINGS:
        assert re.fullmatch(r"[A-Z][A-Z0-9_]+", s.name), s.name
        assert s.description.strip() and "\n" not in s.description and len(s.description) <= 120, s.name


def test_the_app_starts_with_every_default(app):
    assert set(DEFAULTS) <= set(app.config)
    assert app.config["AUDIT_SUPPRESSION_K"] == 11 and app.config["HUEY_NAME"] == "grantflow"
    from grantflow.core.storage import storage

    assert app.config["STORAGE_URL"] is None and storage(app).root == Path(app.instance_path) / "files"


def test_the_readme_table_is_generated_from_the_settings():
    start, end = README_MARKERS
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"{start}\n{settings_table()}{end}" in readme, "run: .venv/bin/python scripts/settings_table.py"


def test_the_script_rewrites_the_readme_block(tmp_path):
    start, end = README_MARKERS
    stale = tmp_path / "README.md"
    stale.write_text(f"# Title\n\n{start}\n| old | table |\n{end}\n\nAfter.\n", encoding="utf-8")
    subprocess.run([sys.executable, str(ROOT / "scripts" / "settings_table.py"), str(stale)], check=True)
    assert stale.read_text(encoding="utf-8") == f"# Title\n\n{start}\n{settings_table()}{end}\n\nAfter.\n"
