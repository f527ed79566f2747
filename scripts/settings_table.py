"""Writes the settings table of grantflow/config.py into the README, between its two markers.

Usage: .venv/bin/python scripts/settings_table.py [README.md]
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grantflow.config import README_MARKERS, settings_table  # noqa: E402


def main(path: Path) -> None:
    start, end = README_MARKERS
    text = path.read_text(encoding="utf-8")
    before, rest = text.split(start + "\n", 1)
    _, after = rest.split(end, 1)
    path.write_text(f"{before}{start}\n{settings_table()}{end}{after}", encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "README.md")
