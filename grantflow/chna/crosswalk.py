"""Importing a funder's ZIP–tract crosswalk, for the CHNA page and the `grantflow import-crosswalk`
command alike, so that applicants find their census tracts by ZIP code, city or neighborhood.

The layout is HUD's USPS ZIP Code Crosswalk (ZIP–TRACT file), as CSV: `ZIP`, `TRACT`,
`USPS_ZIP_PREF_CITY`, `USPS_ZIP_PREF_STATE`, `RES_RATIO`, `BUS_RATIO`, `OTH_RATIO`, `TOT_RATIO`
(the city, state and ratio columns optional), plus an optional `NEIGHBORHOOD` column the funder
may add. Every line is checked first, as the places import does (`grantflow.chna.lines`): a ZIP of
5 digits, a tract GEOID of 11, ratios from 0 to 1, no ZIP–tract pair twice; one bad line and
nothing is imported.

HUD publishes the file for a whole state or the nation, so lines naming a tract that is not among
the funder's CHNA places are not errors: they are left out, and the result names them (by line and
tract) so the funder can import those places first. A file with no line for the funder's places is
refused. An import replaces the funder's whole crosswalk.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import IO

from flask_babel import gettext as _, ngettext
from sqlalchemy import delete, insert, select

from grantflow.chna.lines import (
    ImportRefused, RowError, check_lines, digits, headers_by_norm, share, text_of,
)
from grantflow.chna.models import Place, ZipTract
from grantflow.core import auditlog
from grantflow.core.db import db, utcnow

HUD = "hud"
REQUIRED = ("zip", "tract")
OPTIONAL = {"usps_zip_pref_city": "city", "usps_zip_pref_state": "state", "neighborhood": "neighborhood",
            "neighbourhood": "neighborhood", "res_ratio": "res_ratio", "bus_ratio": "bus_ratio",
            "oth_ratio": "oth_ratio", "tot_ratio": "tot_ratio"}
RATIOS = ("res_ratio", "bus_ratio", "oth_ratio", "tot_ratio")
MAX_TEXT = 100
SHOWN_UNKNOWN = 20  # unknown tracts named in the result; the rest are counted


@dataclass
class CrosswalkResult:
    lines: int = 0            # lines imported
    zips: int = 0             # distinct ZIP codes imported
    unknown: list[RowError] = field(default_factory=list)  # lines left out: tract not among the places
    unknown_total: int = 0

    def unknown_text(self) -> str:
        """The left-out lines in one sentence (empty when there are none)."""
        if not self.unknown_total:
            return ""
        shown = "; ".join(str(e) for e in self.unknown)
        more = self.unknown_total - len(self.unknown)
        if more:
            return ngettext("%(num)s line names a tract outside your CHNA places and was left out: %(shown)s; and "
                            "%(more)s more. Import those places first to include them.",
                            "%(num)s lines name tracts outside your CHNA places and were left out: %(shown)s; and "
                            "%(more)s more. Import those places first to include them.",
                            self.unknown_total, shown=shown, more=more)
        return ngettext("%(num)s line names a tract outside your CHNA places and was left out: %(shown)s. Import "
                        "those places first to include them.",
                        "%(num)s lines name tracts outside your CHNA places and were left out: %(shown)s. Import "
                        "those places first to include them.", self.unknown_total, shown=shown)


def columns(headers: list[str]) -> tuple[str, dict[str, str]]:
    by_norm = headers_by_norm(headers)
    missing = [n.upper() for n in REQUIRED if n not in by_norm]
    if missing:
        raise ImportRefused([RowError(1, _("missing column(s): %(columns)s. Expected HUD's USPS ZIP–tract "
                                           "crosswalk layout: ZIP, TRACT, USPS_ZIP_PREF_CITY, USPS_ZIP_PREF_STATE, "
                                           "RES_RATIO, BUS_RATIO, OTH_RATIO, TOT_RATIO", columns=", ".join(missing)))])
    cols = {"zip": by_norm["zip"], "tract": by_norm["tract"]}
    cols |= {ours: by_norm[theirs] for theirs, ours in OPTIONAL.items() if theirs in by_norm}
    return HUD, cols


def _checker(known: set[str]):
    def make(layout: str, cols: dict[str, str]):
        seen: dict[tuple[str, str], int] = {}

        def check(values: dict[str, str], line: int) -> tuple[dict | None, list[str]]:
            reasons = []
            zip_code, why = digits(values["zip"], "ZIP", (5,), _("5 digits"))
            if why:
                reasons.append(why)
            tract, why = digits(values["tract"], _("tract"), (11,), _("the 11-digit tract GEOID"))
            if why:
                reasons.append(why)
            row = {"zip": zip_code, "geoid": tract}
            for key in RATIOS:
                if key in values:
                    row[key], why = share(values[key], key.upper(), allow_missing=False)
                    if why:
                        reasons.append(why)
            for key in ("city", "state", "neighborhood"):
                text = " ".join((values.get(key) or "").split())
                if len(text) > MAX_TEXT:
                    reasons.append(_("the %(column)s is longer than %(max)s characters", column=key, max=MAX_TEXT))
                row[key] = text or None
            if row["state"] and not (len(row["state"]) == 2 and row["state"].isalpha()):
                reasons.append(_("USPS_ZIP_PREF_STATE %(state)s must be a two-letter abbreviation",
                                  state=repr(row["state"])))
            pair = (zip_code, tract)
            if zip_code and tract and pair in seen:
                reasons.append(_("ZIP %(zip)s and tract %(tract)s appear together twice (first on line %(line)s)",
                                  zip=zip_code, tract=tract, line=seen[pair]))
            if reasons:
                return None, reasons
            seen[pair] = line
            if row["state"]:
                row["state"] = row["state"].upper()
            row["line"], row["known"] = line, tract in known
            return row, []

        return check

    return make


def import_crosswalk(funder_id: int, stream: IO[str], *, source: str | None = None,
                     bad_lines: dict[int, str] | None = None) -> CrosswalkResult:
    """Checks every line, then replaces the funder's crosswalk in the current transaction; raises
    ImportRefused (nothing written) when a line is bad or no line names one of its places."""
    known = set(db.session.execute(select(Place.geoid).where(Place.funder_id == funder_id)).scalars())
    _layout, rows, errors = check_lines(stream, columns, _checker(known), bad_lines)
    if errors:
        raise ImportRefused(errors)
    result = CrosswalkResult()
    unknown = [r for r in rows if not r["known"]]
    result.unknown_total = len(unknown)
    result.unknown = [RowError(r["line"], _("tract %(geoid)s (ZIP %(zip)s)", geoid=r["geoid"], zip=r["zip"]))
                      for r in unknown[:SHOWN_UNKNOWN]]
    rows = [r for r in rows if r["known"]]
    if not rows:
        raise ImportRefused([RowError(2, _("no line names a tract among your CHNA places (%(count)s places); "
                                           "import the places first", count=len(known)))])
    now = utcnow()
    db.session.execute(delete(ZipTract).where(ZipTract.funder_id == funder_id))
    db.session.execute(insert(ZipTract), [
        {"funder_id": funder_id, "source": source or HUD, "imported_at": now,
         **{k: v for k, v in r.items() if k not in ("line", "known")}} for r in rows])
    result.lines, result.zips = len(rows), len({r["zip"] for r in rows})
    auditlog.record("chna.import_crosswalk", object_type="Organization", object_id=funder_id,
                    after={"lines": result.lines, "zips": result.zips, "left_out": result.unknown_total,
                           "source": source})
    return result


def import_bytes(funder_id: int, data: bytes, **kwargs) -> CrosswalkResult:
    """The same import for an uploaded file's bytes (UTF-8, with or without a byte-order mark)."""
    stream, bad_lines = text_of(data)
    return import_crosswalk(funder_id, stream, bad_lines=bad_lines, **kwargs)


def summary(funder_id: int) -> tuple[int, int]:
    """(lines, distinct ZIP codes) of the funder's crosswalk."""
    return tuple(db.session.execute(
        select(db.func.count(), db.func.count(ZipTract.zip.distinct())).where(ZipTract.funder_id == funder_id)).one())
