"""Places by the names people use: "Census Tract 405.01, Riverside County" from a tract's GEOID,
"Riverside County, California" from a county's FIPS code.

The county and state names are the Census Bureau's 2020 list (with Connecticut's 2022 planning
regions, which newer HUD and SVI files use), shipped as data/counties.csv and data/states.csv:
public-domain tables that change once a decade, so they are read once per process. County and
state names are proper names, shown as the Census Bureau writes them in any language.
"""
from __future__ import annotations

import csv
from functools import lru_cache
from importlib import resources

from flask_babel import gettext as _


@lru_cache(maxsize=1)
def _table(name: str) -> dict[str, tuple[str, ...]]:
    with resources.files("grantflow.chna").joinpath("data", name).open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        next(reader)
        return {row[0]: tuple(row[1:]) for row in reader}


_counties = lambda: _table("counties.csv")  # noqa: E731
_states = lambda: _table("states.csv")  # noqa: E731


def state_name(fips: str) -> str | None:
    row = _states().get(fips)
    return row[1] if row else None


def county_name(fips: str) -> str | None:
    """'06065' -> 'Riverside County' (None when the code names no county)."""
    row = _counties().get(fips)
    return row[0] if row else None


def tract_number(geoid: str) -> str:
    """The tract part of an 11-digit GEOID as the Census Bureau writes it: '040501' -> '405.01',
    '040500' -> '405'."""
    code = geoid[5:11]
    whole, suffix = code[:4].lstrip("0") or "0", code[4:]
    return whole if suffix == "00" else f"{whole}.{suffix}"


def tract_name(geoid: str) -> str:
    """'06065040501' -> 'Census Tract 405.01, Riverside County'."""
    county = county_name(geoid[:5])
    return _("Census Tract %(number)s", number=tract_number(geoid)) + (f", {county}" if county else "")


def area_name(code: str) -> str:
    """A geography key (state, county, tract, block group or ZIP code) by name, for a funder's
    region and an organization's other places: '06065' -> 'Riverside County, California'; a code
    it cannot name is shown as it is."""
    code = (code or "").strip()
    if not code.isdigit():
        return code
    if len(code) == 2:
        return state_name(code) or code
    if len(code) == 5:
        county, state = county_name(code), state_name(code[:2])
        return f"{county}, {state}" if county and state else _("ZIP code %(code)s", code=code)
    if len(code) == 11:
        state = state_name(code[:2])
        return tract_name(code) + (f", {state}" if state else "")
    if len(code) == 12:
        return _("Block Group %(number)s, %(tract)s", number=code[11], tract=tract_name(code[:11]))
    return code


def region_name(codes) -> str:
    """A funder's region (its service-area codes) by name: 'Riverside County, California'."""
    return "; ".join(area_name(str(c)) for c in codes or () if c)
