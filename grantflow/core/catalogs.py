"""The translation catalogs: what is marked for translation, and merging it into each language.

`extract()` reads every string marked in code and templates (babel.cfg says where) through Babel's
Python API; `python -m grantflow.core.catalogs` (`make messages`) merges it into every
`translations/<code>/LC_MESSAGES/messages.po`: new strings come in empty, changed ones fuzzy, for a
translator to complete; `python -m grantflow.core.catalogs init <code>` starts a new language;
`make install` compiles them. The tests read the same extraction to fail on a string without a
translation.
"""
from __future__ import annotations

import sys
from pathlib import Path

from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

from grantflow import ROOT

TRANSLATIONS = ROOT / "translations"
# Babel's own keywords, the lazy ones forms and module constants use (`_l = lazy_gettext`), and the
# scoring rules' explanations (grantflow/scoring/explain.py: `explain`, `explain_n`).
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "lazy_ngettext": (1, 2),
            "explain": None, "explain_n": (1, 2)}


def extract() -> Catalog:
    """Every marked string, as a catalog template (no locations: they would churn on every edit)."""
    with open(ROOT / "babel.cfg", encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    template = Catalog(project="GrantFlow", fuzzy=False)
    for _filename, _lineno, message, comments, context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS,
            directory_filter=lambda d: not Path(d).name.startswith(".")):
        template.add(message, None, auto_comments=comments, context=context)
    return template


def untranslated(catalog: Catalog) -> list:
    """The ids of messages with no translation, or only a fuzzy (unchecked) one."""
    def empty(string) -> bool:
        return not all(string) if isinstance(string, (tuple, list)) else not string
    return [m.id for m in catalog if m.id and (m.fuzzy or empty(m.string))]


def catalog_paths() -> list[Path]:
    return sorted(TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"))


def update_catalogs() -> None:
    template = extract()
    for path in catalog_paths():
        with open(path, "rb") as fh:
            catalog = read_po(fh, locale=path.parent.parent.name)
        catalog.update(template)
        catalog.obsolete.clear()
        with open(path, "wb") as fh:
            write_po(fh, catalog, width=100, include_previous=False)
        todo = untranslated(catalog)
        print(f"{path.relative_to(ROOT)}: {len(todo)} to translate or check (empty or fuzzy)")


def init_catalog(code: str) -> Path:
    """A new, empty catalog for the language `code` (a locale: "vi", "pt_BR")."""
    path = TRANSLATIONS / code / "LC_MESSAGES" / "messages.po"
    if path.exists():
        raise SystemExit(f"{path.relative_to(ROOT)} exists already: `make messages` updates it")
    catalog = Catalog(locale=Locale.parse(code), project="GrantFlow", fuzzy=False)
    catalog.update(extract())
    path.parent.mkdir(parents=True)
    with open(path, "wb") as fh:
        write_po(fh, catalog, width=100)
    return path


if __name__ == "__main__":
    # `python -m grantflow.core.catalogs` updates every catalog; `... init <code>` starts one.
    if sys.argv[1:2] == ["init"] and len(sys.argv) == 3:
        print(f"{init_catalog(sys.argv[2]).relative_to(ROOT)}: translate it, then `make install`")
    else:
        update_catalogs()
