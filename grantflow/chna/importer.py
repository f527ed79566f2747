"""Importing a funder's places (with need indices) from CSV, for the web page and the CLI alike.

Two layouts are recognized from the header row:
- CDC/ATSDR SVI: `FIPS` (tract file) or `STCNTY` (county file), `LOCATION`, `E_TOTPOP`, `RPL_THEMES`,
  `RPL_THEME1`–`RPL_THEME4`; `-999` means missing.
- simple: `geoid,name,index[,population]`.
Either may carry a `priority` column (yes/no). Every row is checked first; one bad row and nothing is
imported, and each bad row is reported with its line number (the header is line 1), a line that is
not UTF-8 text too. A geoid already held by the funder is updated in place.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import IO, Iterable

from flask_babel import gettext as _
from sqlalchemy import insert, select, update

from grantflow.core import auditlog
from grantflow.core.db import db, utcnow
from grantflow.core.i18n import format_number
from grantflow.chna.lines import (
    MISSING, ImportRefused, RowError, check_lines, digits, headers_by_norm, norm, share, text_of,
)
from grantflow.chna.models import Place
from grantflow.chna.vintage import freeze_closed

SVI = "svi"
SIMPLE = "simple"
# geoid length -> the kind of place it names
KINDS_BY_LENGTH = {5: "county", 11: "tract", 12: "block group"}
TRUE = {"yes", "y", "true", "1", "x"}
FALSE = {"no", "n", "false", "0", ""}
MAX_NAME = 200
MAX_POPULATION = 1_000_000_000  # far above any place's; the column is a 32-bit INTEGER
__all__ = ["ImportRefused", "RowError", "ImportResult", "import_places", "import_bytes", "parse"]


@dataclass
class ImportResult:
    layout: str = ""
    created: int = 0
    updated: int = 0
    priority: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def detect_layout(headers: Iterable[str]) -> tuple[str, dict[str, str]]:
    """The layout and a map from our names to the file's header names; raises ImportRefused."""
    by_norm = headers_by_norm(headers)
    if "rpl_themes" in by_norm or "fips" in by_norm or "stcnty" in by_norm:
        geo = "fips" if "fips" in by_norm else "stcnty"
        needed = [geo, "location", "e_totpop", "rpl_themes", "rpl_theme1", "rpl_theme2", "rpl_theme3", "rpl_theme4"]
        missing = [n.upper() for n in needed if n not in by_norm]
        if geo == "fips" and "fips" not in by_norm:
            missing.insert(0, "FIPS (or STCNTY)")
        if missing:
            raise ImportRefused([RowError(1, _("missing column(s) for the SVI layout: %(columns)s",
                                                 columns=", ".join(missing)))])
        cols = {"geoid": by_norm[geo], "name": by_norm["location"], "population": by_norm["e_totpop"],
                "index": by_norm["rpl_themes"], **{f"theme{i}": by_norm[f"rpl_theme{i}"] for i in range(1, 5)}}
        layout = SVI
    else:
        missing = [n for n in ("geoid", "name", "index") if n not in by_norm]
        if missing:
            raise ImportRefused([RowError(1, _("missing column(s): %(columns)s. Expected the SVI layout (FIPS, "
                                                 "LOCATION, E_TOTPOP, RPL_THEMES, RPL_THEME1–4) or "
                                                 "geoid,name,index[,population]", columns=", ".join(missing)))])
        cols = {"geoid": by_norm["geoid"], "name": by_norm["name"], "index": by_norm["index"]}
        if "population" in by_norm:
            cols["population"] = by_norm["population"]
        layout = SIMPLE
    if "priority" in by_norm:
        cols["priority"] = by_norm["priority"]
    return layout, cols


def _geoid(raw: str | None, svi_county: bool) -> tuple[str | None, str | None]:
    if svi_county:
        return digits(raw, _("county FIPS code"), (5,), _("5 digits"))
    return digits(raw, "geoid", (5, 11, 12), _("5 (county or ZCTA), 11 (census tract) or 12 (block group)"))


def _kind(geoid: str, county_file: bool) -> str:
    if len(geoid) == 5 and not county_file:
        return "county or ZCTA"
    return KINDS_BY_LENGTH.get(len(geoid), "place")


def _population(raw: str | None, *, allow_missing: bool) -> tuple[int | None, str | None]:
    text = (raw or "").strip().replace(",", "")
    if text == "" or (allow_missing and text in MISSING):
        return None, None
    try:
        value = float(text)
    except ValueError:
        return None, _("population '%(value)s' is not a number", value=text)
    if not value.is_integer() or value < 0:
        return None, _("population %(value)s must be a whole number of zero or more", value=text)
    if value > MAX_POPULATION:
        return None, _("population %(value)s is too large (at most %(max)s)", value=text,
                       max=format_number(MAX_POPULATION))
    return int(value), None


def parse(stream: IO[str], bad_lines: dict[int, str] | None = None) -> tuple[str, list[dict], list[RowError]]:
    """Reads and checks every row; returns (layout, clean rows, errors).

    bad_lines: the problems of lines that were not text (see `decode_csv`), reported in their place
    and instead of what else is wrong with those lines."""
    return check_lines(stream, detect_layout, _row_check, bad_lines)


def _row_check(layout: str, cols: dict[str, str]):
    svi = layout == SVI
    county_file = svi and norm(cols["geoid"]) == "stcnty"
    seen: dict[str, int] = {}

    def check(values: dict[str, str], line: int) -> tuple[dict | None, list[str]]:
        reasons = []
        geoid, why = _geoid(values["geoid"], county_file)
        if why:
            reasons.append(why)
        name = (values["name"] or "").strip()
        if not name:
            reasons.append(_("the name is empty"))
        elif len(name) > MAX_NAME:
            reasons.append(_("the name is longer than %(max)s characters", max=MAX_NAME))
        index, why = share(values["index"], "RPL_THEMES" if svi else "index", allow_missing=svi)
        if why:
            reasons.append(why)
        elif index is None and not svi:
            reasons.append(_("the index is empty"))
        themes = {}
        for i in range(1, 5):
            key = f"theme{i}"
            if key in values:
                themes[key], why = share(values[key], f"RPL_THEME{i}", allow_missing=True)
                if why:
                    reasons.append(why)
        population = None
        if "population" in values:
            population, why = _population(values["population"], allow_missing=svi)
            if why:
                reasons.append(why)
        priority = None
        if "priority" in values:
            flag = (values["priority"] or "").strip().lower()
            if flag in TRUE:
                priority = True
            elif flag in FALSE:
                priority = False
            else:
                reasons.append(_("priority '%(value)s' must be yes or no", value=flag))
        if geoid and geoid in seen:
            reasons.append(_("geoid %(geoid)s appears twice (first on line %(line)s)", geoid=geoid, line=seen[geoid]))
        if reasons:
            return None, reasons
        seen[geoid] = line
        return {"geoid": geoid, "name": name, "kind": _kind(geoid, county_file),
                "need_index": index, "population": population, "priority": priority,
                **{f"theme{i}": themes.get(f"theme{i}") for i in range(1, 5)}}, []

    return check


def import_places(funder_id: int, stream: IO[str], *, source: str | None = None,
                  priority_threshold: float | None = None, bad_lines: dict[int, str] | None = None) -> ImportResult:
    """Validates every row, then creates or updates the funder's places in the current transaction.

    Priority: a `priority` column wins; otherwise, with `priority_threshold`, places whose index is at
    least the threshold are marked; otherwise an updated place keeps its mark. Raises ImportRefused
    (nothing written) when any row is bad.
    """
    layout, rows, errors = parse(stream, bad_lines)
    if errors:
        raise ImportRefused(errors)
    freeze_closed(funder_id)  # closed cycles keep the places they ran with
    existing = dict(db.session.execute(
        select(Place.geoid, Place.id).where(Place.funder_id == funder_id)).all())
    now = utcnow()
    result = ImportResult(layout=layout)
    new_rows, changed = [], []
    for row in rows:
        priority = row.pop("priority")
        if priority is None and priority_threshold is not None:
            priority = row["need_index"] is not None and row["need_index"] >= priority_threshold
        values = {**row, "source": source or layout, "imported_at": now}
        if priority is not None:
            values["is_priority"] = priority
        if row["geoid"] in existing:
            changed.append({"id": existing[row["geoid"]], **values})
        else:
            values.setdefault("is_priority", False)
            new_rows.append({"funder_id": funder_id, **values})
    if new_rows:
        db.session.execute(insert(Place), new_rows)
    if changed:
        # Grouped by the set of keys so executemany sees uniform parameter sets.
        by_keys: dict[tuple, list] = {}
        for r in changed:
            by_keys.setdefault(tuple(sorted(r)), []).append(r)
        for group in by_keys.values():
            db.session.execute(update(Place), group)
    result.created, result.updated = len(new_rows), len(changed)
    result.priority = db.session.execute(
        select(db.func.count()).select_from(Place).where(Place.funder_id == funder_id, Place.is_priority)
    ).scalar_one()
    auditlog.record("chna.import_places", object_type="Organization", object_id=funder_id,
                    after={"layout": layout, "created": result.created, "updated": result.updated,
                           "source": source})
    return result


def import_bytes(funder_id: int, data: bytes, **kwargs) -> ImportResult:
    """The same import for an uploaded file's bytes (UTF-8, with or without a byte-order mark)."""
    stream, bad_lines = text_of(data)
    return import_places(funder_id, stream, bad_lines=bad_lines, **kwargs)
