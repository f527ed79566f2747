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

import csv
import io
import math
from dataclasses import dataclass, field
from typing import IO, Iterable

from sqlalchemy import insert, select, update

from grantflow.core import auditlog
from grantflow.core.db import db, utcnow
from grantflow.core.textfile import decode_csv
from grantflow.chna.models import Place
from grantflow.chna.vintage import freeze_closed

SVI = "svi"
SIMPLE = "simple"
MISSING = "-999"
# geoid length -> the kind of place it names
KINDS_BY_LENGTH = {5: "county", 11: "tract", 12: "block group"}
TRUE = {"yes", "y", "true", "1", "x"}
FALSE = {"no", "n", "false", "0", ""}
MAX_ROWS = 200_000
MAX_NAME = 200
MAX_POPULATION = 1_000_000_000  # far above any place's; the column is a 32-bit INTEGER


@dataclass(frozen=True)
class RowError:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


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


class ImportRefused(Exception):
    """Raised with every bad row; nothing was imported."""

    def __init__(self, errors: list[RowError]):
        super().__init__("; ".join(str(e) for e in errors[:5]))
        self.errors = errors


def _norm(header: str) -> str:
    return (header or "").strip().lstrip("\ufeff").strip().lower()


def detect_layout(headers: Iterable[str]) -> tuple[str, dict[str, str]]:
    """The layout and a map from our names to the file's header names; raises ImportRefused."""
    by_norm = {_norm(h): h for h in headers if h is not None}
    if "rpl_themes" in by_norm or "fips" in by_norm or "stcnty" in by_norm:
        geo = "fips" if "fips" in by_norm else "stcnty"
        needed = [geo, "location", "e_totpop", "rpl_themes", "rpl_theme1", "rpl_theme2", "rpl_theme3", "rpl_theme4"]
        missing = [n.upper() for n in needed if n not in by_norm]
        if geo == "fips" and "fips" not in by_norm:
            missing.insert(0, "FIPS (or STCNTY)")
        if missing:
            raise ImportRefused([RowError(1, "missing column(s) for the SVI layout: " + ", ".join(missing))])
        cols = {"geoid": by_norm[geo], "name": by_norm["location"], "population": by_norm["e_totpop"],
                "index": by_norm["rpl_themes"], **{f"theme{i}": by_norm[f"rpl_theme{i}"] for i in range(1, 5)}}
        layout = SVI
    else:
        missing = [n for n in ("geoid", "name", "index") if n not in by_norm]
        if missing:
            raise ImportRefused([RowError(1, "missing column(s): " + ", ".join(missing) + ". Expected the SVI "
                                         "layout (FIPS, LOCATION, E_TOTPOP, RPL_THEMES, RPL_THEME1–4) or "
                                         "geoid,name,index[,population]")])
        cols = {"geoid": by_norm["geoid"], "name": by_norm["name"], "index": by_norm["index"]}
        if "population" in by_norm:
            cols["population"] = by_norm["population"]
        layout = SIMPLE
    if "priority" in by_norm:
        cols["priority"] = by_norm["priority"]
    return layout, cols


def _geoid(raw: str | None, svi_county: bool) -> tuple[str | None, str | None]:
    text = (raw or "").strip()
    if not text:
        return None, "the geoid is empty"
    if not text.isdigit() or not text.isascii():
        return None, f"the geoid {text!r} must contain digits only"
    expected = (5,) if svi_county else (5, 11, 12)
    if len(text) not in expected:
        what = ("the county FIPS code {t!r} must have 5 digits" if svi_county else
                "the geoid {t!r} has {n} digits; use 5 (county or ZCTA), 11 (census tract) or 12 (block group)")
        reason = what.format(t=text, n=len(text))
        if len(text) + 1 in expected:
            reason += f" (if a spreadsheet dropped a leading zero, write 0{text})"
        return None, reason
    return text, None


def _kind(geoid: str, county_file: bool) -> str:
    if len(geoid) == 5 and not county_file:
        return "county or ZCTA"
    return KINDS_BY_LENGTH.get(len(geoid), "place")


def _index(raw: str | None, label: str, *, allow_missing: bool) -> tuple[float | None, str | None]:
    text = (raw or "").strip()
    if text == "" or (allow_missing and text in (MISSING, "-999.0")):
        return None, None
    try:
        value = float(text)
    except ValueError:
        return None, f"{label} {text!r} is not a number"
    if math.isnan(value) or not 0 <= value <= 1:
        return None, f"{label} {text} is outside 0 to 1"
    return value, None


def _population(raw: str | None, *, allow_missing: bool) -> tuple[int | None, str | None]:
    text = (raw or "").strip().replace(",", "")
    if text == "" or (allow_missing and text in (MISSING, "-999.0")):
        return None, None
    try:
        value = float(text)
    except ValueError:
        return None, f"population {text!r} is not a number"
    if not value.is_integer() or value < 0:
        return None, f"population {text} must be a whole number of zero or more"
    if value > MAX_POPULATION:
        return None, f"population {text} is too large (at most {MAX_POPULATION:,})"
    return int(value), None


def parse(stream: IO[str], bad_lines: dict[int, str] | None = None) -> tuple[str, list[dict], list[RowError]]:
    """Reads and checks every row; returns (layout, clean rows, errors).

    bad_lines: the problems of lines that were not text (see `decode_csv`), reported in their place
    and instead of what else is wrong with those lines."""
    layout, rows, errors = _parse(stream)
    if bad_lines:
        errors = sorted([RowError(n, reason) for n, reason in bad_lines.items()]
                        + [e for e in errors if e.line not in bad_lines], key=lambda e: e.line)
    return layout, rows, errors


def _parse(stream: IO[str]) -> tuple[str, list[dict], list[RowError]]:
    reader = csv.DictReader(stream)
    try:
        headers = reader.fieldnames or []
    except csv.Error as exc:
        return "", [], [RowError(1, f"not a readable CSV file ({exc})")]
    if not headers:
        return "", [], [RowError(1, "the file is empty")]
    try:
        layout, cols = detect_layout(headers)
    except ImportRefused as exc:
        return "", [], exc.errors
    svi = layout == SVI
    county_file = svi and _norm(cols["geoid"]) == "stcnty"
    rows: list[dict] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    try:
        for record in reader:
            line = reader.line_num
            if len(rows) + len(errors) >= MAX_ROWS:
                errors.append(RowError(line, f"more than {MAX_ROWS:,} rows; split the file"))
                break
            if all((v or "").strip() == "" for v in record.values() if isinstance(v, str)):
                continue  # blank line
            if None in record:
                errors.append(RowError(line, "more values than columns"))
                continue
            absent = [name for name in cols.values() if record.get(name) is None]
            if absent:
                errors.append(RowError(line, "missing value(s) for " + ", ".join(absent)))
                continue
            reasons = []
            geoid, why = _geoid(record[cols["geoid"]], county_file)
            if why:
                reasons.append(why)
            name = (record[cols["name"]] or "").strip()
            if not name:
                reasons.append("the name is empty")
            elif len(name) > MAX_NAME:
                reasons.append(f"the name is longer than {MAX_NAME} characters")
            index, why = _index(record[cols["index"]], "RPL_THEMES" if svi else "index", allow_missing=svi)
            if why:
                reasons.append(why)
            elif index is None and not svi:
                reasons.append("the index is empty")
            themes = {}
            for i in range(1, 5):
                key = f"theme{i}"
                if key in cols:
                    themes[key], why = _index(record[cols[key]], f"RPL_THEME{i}", allow_missing=True)
                    if why:
                        reasons.append(why)
            population = None
            if "population" in cols:
                population, why = _population(record[cols["population"]], allow_missing=svi)
                if why:
                    reasons.append(why)
            priority = None
            if "priority" in cols:
                flag = (record[cols["priority"]] or "").strip().lower()
                if flag in TRUE:
                    priority = True
                elif flag in FALSE:
                    priority = False
                else:
                    reasons.append(f"priority {flag!r} must be yes or no")
            if geoid and geoid in seen:
                reasons.append(f"geoid {geoid} appears twice (first on line {seen[geoid]})")
            if reasons:
                errors.append(RowError(line, "; ".join(reasons)))
                continue
            seen[geoid] = line
            rows.append({"geoid": geoid, "name": name, "kind": _kind(geoid, county_file),
                         "need_index": index, "population": population, "priority": priority,
                         **{f"theme{i}": themes.get(f"theme{i}") for i in range(1, 5)}})
    except csv.Error as exc:
        errors.append(RowError(reader.line_num, f"not readable as CSV ({exc})"))
    except UnicodeDecodeError:
        errors.append(RowError(reader.line_num + 1, "the file is not UTF-8 text; save it as CSV UTF-8"))
    if not rows and not errors:
        errors.append(RowError(2, "the file has a header but no rows"))
    return layout, rows, errors


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
    text, bad_lines = decode_csv(data)
    return import_places(funder_id, io.StringIO(text, newline=""), bad_lines=bad_lines, **kwargs)
