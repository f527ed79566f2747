"""The series pooled: the last AUDIT_POOL_CYCLES decided cycles up to the audited one, with a
Cochran–Mantel–Haenszel test across cycles (docs/domain.md, "Pooling cycles").

A group too small to show in one cycle may hold k organizations over three. But each cycle's own
audit is published too, so a pooled count minus the cycles that show the group would give away
the cycle that withholds it. A group is therefore pooled only when it is withheld in none of the
pooled cycles' own audits or in every one of them (then the pooled count is a sum of withheld
counts whose split stays unknown — unless the sum leaves no doubt, e.g. one organization a
cycle), and the pooled groups go through the same complementary suppression against the pooled
totals. Pooling takes the strictest k of the programs pooled.
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from grantflow.equity import metrics as M
from grantflow.equity.suppression import Withheld, withhold


def _label(program) -> str:
    return program.cycle_label or program.title


def _mixed_or_obvious(group: str, cycles: list, ks: list[int]) -> bool:
    """True when the group cannot be pooled: its applicants or awards withheld in some pooled
    cycles' own audits but not all, or withheld in all with sums that leave no doubt about each."""
    for column in ("applied", "awarded"):
        hidden = [own.cell(column, group) for _, own in cycles]
        if any(hidden) and not all(hidden):
            return True
    if not all(own.row(group) for _, own in cycles):
        return False
    n = [raw.columns["applied"].get(group, 0) for raw, _ in cycles]
    a = [raw.columns["awarded"].get(group, 0) for raw, _ in cycles]
    primary = all(raw.orgs.get(group, 0) < k for (raw, _), k in zip(cycles, ks))
    return sum(n) == len(n) or (primary and sum(n) == sum(k - 1 for k in ks)) or sum(a) == 0


def _distinct_orgs(raws: list, groups: list[str]) -> dict[str, int]:
    pos = {g: i for i, g in enumerate(groups)}
    idx = np.concatenate([np.fromiter((pos[raw.groups[i]] for i in raw.idx), dtype=np.int64, count=len(raw.idx))
                          for raw in raws])
    org = np.concatenate([raw.org for raw in raws])
    if not len(idx):
        return dict.fromkeys(groups, 0)
    width = int(org.max()) + 1
    pairs = np.unique(idx * width + org)
    counts = np.bincount(pairs // width, minlength=len(groups))
    return {g: int(counts[i]) for i, g in enumerate(groups)}


def pooled(program_id: int, series: list, cfg: dict) -> Optional[dict]:
    """`series`: (program, report, raw dimensions, the program's own k) per cycle, oldest first.
    None when fewer than two decided cycles are there to pool."""
    upto = next((i for i, (p, *_) in enumerate(series) if p.id == program_id), None)
    if upto is None:
        return None
    window = [s for s in series[:upto + 1] if s[1]["totals"]["awards"] > 0][-int(cfg["AUDIT_POOL_CYCLES"]):]
    if len(window) < 2:
        return None
    k = max([cfg["k"]] + [s[3] for s in window])
    ks = [s[3] for s in window]
    totals = [(s[1]["totals"]["applicants"], s[1]["totals"]["awards"]) for s in window]
    out = {"cycles": [_label(s[0]) for s in window], "k": k, "dimensions": {},
           "totals": {"applicants": sum(n for n, _ in totals), "awards": sum(a for _, a in totals)}}
    out["totals"]["award_rate"] = M.rate(out["totals"]["awards"], out["totals"]["applicants"])
    out["totals"]["award_rate_ci"] = list(M.wilson(out["totals"]["awards"], out["totals"]["applicants"]) or ()) or None
    for key in window[-1][2]:
        raws = [s[2][key] for s in window if key in s[2]]
        if len(raws) != len(window):
            continue
        dim = raws[-1].dim
        groups = list(dict.fromkeys(g for raw in reversed(raws) for g in raw.groups))
        cols = {c: {g: sum(raw.columns[c].get(g, 0) for raw in raws) for g in groups} for c in ("applied", "awarded")}
        withheld = Withheld()
        if dim.identity:
            own = [(raw, raw.withheld_at(kc)) for raw, kc in zip(raws, ks)]
            forced = {g for g in groups if _mixed_or_obvious(g, own, ks)}
            withheld = withhold(cols, _distinct_orgs(raws, groups), k, forced=forced)
        rows = []
        for g in groups:
            n, a, hid, hid_a = cols["applied"][g], cols["awarded"][g], withheld.row(g), withheld.cell("awarded", g)
            tables = [(raw.columns["awarded"].get(g, 0), raw.columns["applied"].get(g, 0) - raw.columns["awarded"].get(g, 0),
                       A - raw.columns["awarded"].get(g, 0),
                       (N - raw.columns["applied"].get(g, 0)) - (A - raw.columns["awarded"].get(g, 0)))
                      for raw, (N, A) in zip(raws, totals)]
            test = None if hid_a or not n or n == out["totals"]["applicants"] else M.cmh(tables)
            rows.append({
                "group": g, "label": dim.label_of(g),
                "applicants": None if hid else n, "awards": None if hid_a else a,
                "award_rate": None if hid_a else M.rate(a, n),
                "award_rate_ci": None if hid_a or not n else list(M.wilson(a, n)),
                "cmh_odds_ratio": None if test is None else test.odds_ratio,
                "cmh_statistic": None if test is None else test.statistic,
                "cmh_p": None if test is None else test.p,
                "suppressed": hid, "awards_suppressed": hid_a,
            })
        out["dimensions"][key] = {"label": dim.title, "identity": dim.identity,
                                  "withheld_groups": [g for g in groups if withheld.row(g)], "groups": rows}
    return out
