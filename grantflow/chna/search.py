"""Finding a funder's places the way people name them: by ZIP code (through the funder's ZIP–tract
crosswalk), by city or neighborhood, by tract name or number ("405.01") or GEOID.

The profile and the application share it: `options` loads the places people may choose (each with
its human name, need index, cities, neighborhoods and ZIP codes; two queries however many places),
`find` matches a query against them, and `Picker` is what the place picker template shows.
A city or neighborhood match wins over a name match, so "Riverside" finds the tracts of the city of
Riverside rather than every tract of Riverside County.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask_babel import gettext as _, ngettext
from sqlalchemy import select

from grantflow.chna.models import Place, ZipTract
from grantflow.chna.names import tract_name
from grantflow.core.db import db
from grantflow.core.i18n import format_number

MAX_QUERY = 100
MAX_RESULTS = 50
_ZIP4 = re.compile(r"(\d{5})-\d{4}")


@dataclass
class PlaceOption:
    key: int | str          # what the form posts: the place id (application) or the GEOID (profile)
    geoid: str
    name: str               # "Census Tract 405.01, Riverside County"
    need_index: float | None
    is_priority: bool
    alias: str = ""         # the imported name when it is not a tract name ("Eastside")
    cities: list[str] = field(default_factory=list)
    neighborhoods: list[str] = field(default_factory=list)
    zips: list[str] = field(default_factory=list)

    @property
    def where(self) -> str:
        """'Eastside, Riverside · ZIP 92501, 92507' (what is known of where it is)."""
        names = [n for n in [self.alias, *self.neighborhoods, *self.cities] if n]
        parts = [", ".join(dict.fromkeys(names))] if names else []
        if self.zips:
            parts.append(ngettext("ZIP %(zips)s", "ZIPs %(zips)s", len(self.zips), zips=", ".join(self.zips)))
        return " · ".join(parts)

    @property
    def label(self) -> str:
        """The one line a checkbox shows: name, where, need index, priority."""
        bits = [self.name] + ([f"({self.where})"] if self.where else [])
        if self.need_index is not None:
            bits.append(_("— need index %(index)s", index=format_number(self.need_index, 2)))
        if self.is_priority:
            bits.append(_("— priority place"))
        return " ".join(bits)


def _is_tract_name(name: str) -> bool:
    """An imported name that only restates the tract ("Census Tract 405.01; Riverside County")."""
    return name.lower().startswith(("census tract", "tract "))


def options(funder_ids: list[int] | None = None, *, by_geoid: bool = False) -> list[PlaceOption]:
    """The places of these funders (every funder's when None), priority first then by name; keyed
    by place id, or by GEOID (then a GEOID several funders hold is listed once)."""
    query = select(Place.id, Place.funder_id, Place.geoid, Place.name, Place.need_index, Place.is_priority)
    cw = select(ZipTract.funder_id, ZipTract.geoid, ZipTract.zip, ZipTract.city, ZipTract.neighborhood)
    if funder_ids is not None:
        query = query.where(Place.funder_id.in_(funder_ids))
        cw = cw.where(ZipTract.funder_id.in_(funder_ids))
    crosswalk: dict[tuple[int, str], list] = {}
    for funder_id, geoid, zip_code, city, hood in db.session.execute(cw.order_by(ZipTract.zip)):
        crosswalk.setdefault((funder_id, geoid), []).append((zip_code, city, hood))
    out: dict[int | str, PlaceOption] = {}
    for pid, funder_id, geoid, name, need, priority in db.session.execute(query.order_by(Place.id)):
        key = geoid if by_geoid else pid
        if key in out:
            continue
        lines = crosswalk.get((funder_id, geoid), [])
        out[key] = PlaceOption(
            key=key, geoid=geoid, name=tract_name(geoid) if len(geoid) == 11 else name, need_index=need,
            is_priority=bool(priority), alias="" if _is_tract_name(name) or len(geoid) != 11 else name,
            cities=list(dict.fromkeys(c.title() for _, c, _ in lines if c)),
            neighborhoods=list(dict.fromkeys(h for _, _, h in lines if h)),
            zips=list(dict.fromkeys(z for z, _, _ in lines)))
    return sorted(out.values(), key=lambda o: (not o.is_priority, o.name, o.geoid))


class QueryError(ValueError):
    """What to tell the person at the search field."""


def clean_query(raw: str | None) -> str:
    text = " ".join((raw or "").split())
    if len(text) > MAX_QUERY:
        raise QueryError(_("Type at most %(max)s characters: a ZIP code, a city or neighborhood, or a tract.",
                           max=MAX_QUERY))
    m = _ZIP4.fullmatch(text)
    return m.group(1) if m else text


def _words(text: str) -> str:
    return " " + re.sub(r"[^0-9a-z.]+", " ", text.lower()) + " "


def _hit(haystack: str, tokens: list[str]) -> bool:
    return all(f" {t}" in haystack for t in tokens)


def find(opts: list[PlaceOption], query: str) -> list[PlaceOption]:
    """The options the (clean) query names: a 5-digit ZIP code's tracts, an 11-digit GEOID, else
    the places whose city, neighborhood or imported name has every word (at a word's start), else
    those whose tract name (number, county) or GEOID does."""
    if not query:
        return []
    if query.isdigit() and len(query) == 5:
        by_zip = [o for o in opts if query in o.zips]
        if by_zip:
            return by_zip
    if query.isdigit() and len(query) >= 11:
        return [o for o in opts if o.geoid == query]
    tokens = _words(query).split()
    if not tokens:
        return []
    local = [o for o in opts if _hit(_words(" ".join([o.alias, *o.cities, *o.neighborhoods])), tokens)]
    if local:
        return local
    return [o for o in opts if _hit(_words(f"{o.name} {o.geoid}"), tokens)]


def zip_keys(opts: list[PlaceOption], zip_code: str) -> list:
    """The keys of a ZIP code's tracts (none when the text is not a ZIP code we know)."""
    return [o.key for o in opts if zip_code in o.zips] if zip_code.isdigit() and len(zip_code) == 5 else []


@dataclass
class Picker:
    """What the place picker shows: the search as typed, its message, the matches (at most
    MAX_RESULTS), the chosen places, and the rest."""

    query: str = ""
    message: str = ""
    results: list[PlaceOption] = field(default_factory=list)
    more: int = 0
    matched: int = 0         # how many places the query names (chosen ones included)
    zip: str = ""            # the query, when it is a ZIP code with tracts (to choose them all)
    chosen: list[PlaceOption] = field(default_factory=list)
    others: list[PlaceOption] = field(default_factory=list)
    has_crosswalk: bool = False


def picker(opts: list[PlaceOption], raw_query: str | None, chosen_keys) -> Picker:
    chosen_keys = set(chosen_keys or ())
    shown = Picker(query=(raw_query or "")[:MAX_QUERY * 2], has_crosswalk=any(o.zips for o in opts))
    try:
        query = clean_query(raw_query)
    except QueryError as exc:
        shown.message, query = str(exc), ""
    matches = find(opts, query)
    if query and not matches and not shown.message:
        shown.message = _("No places match “%(query)s”. Try a 5-digit ZIP code, a city or neighborhood, "
                          "or a tract number like 405.01.", query=query)
        if query.isdigit() and len(query) == 4:
            shown.message += " " + _("A ZIP code has 5 digits: if a leading zero was dropped, type 0%(query)s.",
                                     query=query)
    if query.isdigit() and len(query) == 5 and matches and all(query in o.zips for o in matches):
        shown.zip = query
    shown.matched = len(matches)
    shown.results = [o for o in matches if o.key not in chosen_keys][:MAX_RESULTS]
    shown.more = max(0, len([o for o in matches if o.key not in chosen_keys]) - MAX_RESULTS)
    listed = {o.key for o in shown.results}
    shown.chosen = [o for o in opts if o.key in chosen_keys]
    shown.others = [o for o in opts if o.key not in chosen_keys and o.key not in listed]
    return shown
