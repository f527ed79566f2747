"""Which figures of an identity group are withheld (docs/domain.md, "Suppression").

GrantFlow's records are about organizations and funders publish their grantee lists, so what must
be protected is *which organizations belong to a small identity group*, not the program's own
numbers:

- Program totals are never withheld, and dimensions that are not identity (budget band, place,
  need quartile, first-time, network member) withhold nothing.
- In an identity dimension (POC-led, community-led, a plugin's identity dimension; "not reported"
  is a group like the others) a group holding fewer than k organizations is withheld: its counts
  at every funnel stage and column, its rates, scores and dollars (primary suppression).
- A group's dollar figures rest on its awardees (a small set of awardees and a public grantee list
  with amounts could be matched by their sum): they are withheld when fewer than k organizations
  were awarded, even when the group itself is shown.
- Complementary suppression: the totals are public, so in every column the withheld cells must
  not be recoverable as "total minus the visible groups". A column is unsafe when exactly one
  group is withheld, or when the withheld cells' sum leaves no doubt about each of them — all 0
  (a column whose total is 0 is public anyway), or in the applicants column all 1 (every withheld
  group has at least one) or all k−1 when each was withheld for its size. In the applicants
  column the smallest shown group is then withheld whole; in any other column (awards, a funnel
  stage, scored applications, a hypothetical funded set, dollars) only its cell there, with the
  figures built on it (its award rate when its awards cell is withheld). Repeat until safe (at
  worst a column is withheld for every group and only the totals remain).
- Counts inside a shown group are shown (its k or more organizations are not identified by "6 of
  26 were awarded"), "none" and "all" included.

The same withheld set applies to every output (page, PDF, CSV, JSON), all rendered from one report.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Mapping, Optional

# The floor of k: a program cannot set a lower threshold (the audit page refuses it).
MIN_K = 5
WITHHELD = "withheld"
TOO_FEW = "too few to tell"


@dataclass
class Withheld:
    """What is withheld in one dimension: whole groups (`rows`), and per column the further cells
    withheld as complements (`cells`: count columns; `dollars`: dollar columns, which also hold the
    groups with fewer than k awardees)."""
    rows: set[str] = field(default_factory=set)
    cells: dict[str, set[str]] = field(default_factory=dict)
    dollars: dict[str, set[str]] = field(default_factory=dict)

    def row(self, group: str) -> bool:
        return group in self.rows

    def cell(self, column: str, group: str) -> bool:
        return group in self.rows or group in self.cells.get(column, ())

    def money(self, column: str, group: str) -> bool:
        return group in self.rows or group in self.dollars.get(column, ())


def _unsafe(values: Mapping[str, float], hidden: set[str], primary: set[str], k: int, *, base: bool) -> bool:
    if not hidden or not sum(values.values()):
        return False
    if len(hidden) == 1:
        return True
    s = sum(values[g] for g in hidden)
    if base:
        return s == len(hidden) or (hidden <= primary and s == (k - 1) * len(hidden))
    return s == 0


def _complement(sizes: Mapping[str, float], hidden: set[str], order: Iterable[str],
                prefer: Optional[Mapping[str, float]] = None) -> Optional[str]:
    """The smallest shown non-empty group (preferring one with a non-zero cell in `prefer`); an
    empty one when none is left (its shown 0 would tell the withheld group's count)."""
    candidates = [g for g in order if g not in hidden and sizes[g] > 0]
    if prefer is not None and any(prefer[g] for g in candidates):
        candidates = [g for g in candidates if prefer[g]]
    if not candidates:
        candidates = [g for g in order if g not in hidden]
    return min(candidates, key=lambda g: sizes[g], default=None)


def withhold(columns: Mapping[str, Mapping[str, int]], orgs: Mapping[str, int], k: int, *,
             base: str = "applied", dollars: Mapping[str, tuple[Mapping[str, int], Mapping[str, float]]] | None = None,
             forced: Iterable[str] = ()) -> Withheld:
    """The withheld set of one identity dimension.

    `columns[column][group]` are counts (funnel stages, scored applications, hypothetical funded
    sets…; `base` is the applicants); `orgs[group]` the distinct organizations the group holds;
    `dollars[column] = (awardee organizations per group, amount per group)`; `forced` groups are
    withheld whatever their size (used when pooling cycles)."""
    order = list(orgs)
    sizes = columns[base]
    forced = set(forced)
    primary = {g for g in order if sizes[g] > 0 and (orgs[g] < k or g in forced)}
    rows = set(primary)
    while _unsafe(sizes, rows, primary, k, base=True):
        extra = _complement(sizes, rows, order)
        if extra is None:
            break
        rows.add(extra)
    out = Withheld(rows=rows)
    for name, values in columns.items():
        if name == base:
            continue
        hidden = set(rows)
        while _unsafe(values, hidden, primary, k, base=False):
            extra = _complement(sizes, hidden, order, prefer=values)
            if extra is None:
                break
            hidden.add(extra)
        if hidden - rows:
            out.cells[name] = hidden - rows
    for name, (awardees, amounts) in (dollars or {}).items():
        hidden = rows | {g for g in order if 0 < awardees[g] < k}
        while _unsafe(amounts, hidden, set(), k, base=False):
            extra = _complement(amounts, hidden, order)
            if extra is None:
                break
            hidden.add(extra)
        out.dollars[name] = hidden - rows
    return out
