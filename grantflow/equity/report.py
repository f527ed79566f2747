"""The audit report: raw metrics, put through suppression once, as one plain JSON-ready dict.

Every output (page, PDF, CSV, JSON) and the plain-language findings are rendered from this one
dict, after suppression, so no output can show a number another output withholds. A withheld
number is `None` here, in an object marked `suppressed`; renderers print "withheld" for it.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Optional

import numpy as np
from flask import current_app
from flask_babel import ngettext
from sqlalchemy import select

from grantflow.core.bulk import gc_paused
from grantflow.core.db import db
from grantflow.equity import attribution as ATT
from grantflow.equity import metrics as M
from grantflow.equity.data import STAGES, AuditData, load_audit_data
from grantflow.equity.dimensions import NOT_REPORTED, Dimension, program_dimensions
from grantflow.equity.suppression import MIN_K, WITHHELD, Withheld, withhold

FORMAT = "grantflow-equity-audit"
FORMAT_VERSION = 2
HYPOTHETICAL = ("rubric_only", "with_rules")
def settings(overrides: dict | None = None) -> dict:
    """The audit's settings (grantflow/config.py), with the caller's overrides (`k` included)."""
    config = current_app.config
    cfg = {
        "AUDIT_REFERENCE_GROUPS": config["AUDIT_REFERENCE_GROUPS"],
        "AUDIT_SMALL_SAMPLE": config["AUDIT_SMALL_SAMPLE"],
        "AUDIT_ALPHA": config["AUDIT_ALPHA"],
        "AUDIT_MIN_REVIEWER_REVIEWS": config["AUDIT_MIN_REVIEWER_REVIEWS"],
        "AUDIT_REVIEWER_GAP": config["AUDIT_REVIEWER_GAP"],
        "AUDIT_CRITERION_GAP": config["AUDIT_CRITERION_GAP"],
        "AUDIT_POOL_CYCLES": config["AUDIT_POOL_CYCLES"],
        "AUDIT_NO_GAP_MARGIN": config["AUDIT_NO_GAP_MARGIN"],
    }
    cfg.update({k: v for k, v in (overrides or {}).items() if v is not None})
    return cfg


def _dollars(cents: Optional[float]) -> Optional[float]:
    return None if cents is None else round(cents / 100, 2)


def _show(value, *hidden: bool):
    return None if any(hidden) else value


def _interval(x: int, n: int, *hidden: bool) -> Optional[list[float]]:
    ci = None if any(hidden) else M.wilson(x, n)
    return None if ci is None else list(ci)


# --- hypothetical funded sets ----------------------------------------------------------------------

def _hypothetical(data: AuditData) -> dict[str, Optional[np.ndarray]]:
    """Who would be funded ranking eligible applications by the rubric alone, and by the total with
    the priority rules, greedily within the program budget (or, without one, the dollars awarded)."""
    budget = data.budget_cents or int(sum(data.award_cents))
    eligible = [s >= 1 for s in data.stage]
    amounts = data.requested_cents
    merit = data.merit if data.merit is not None else data.rubric
    out: dict[str, Optional[np.ndarray]] = {"rubric_only": None, "with_rules": None}
    if any(m is not None for m in merit):
        out["rubric_only"] = M.greedy_funded([m if e else None for m, e in zip(merit, eligible)], amounts, budget)
    if data.total is not None:
        out["with_rules"] = M.greedy_funded([t if e else None for t, e in zip(data.total, eligible)], amounts, budget)
    return out


# --- one dimension: raw numbers and what is withheld ---------------------------------------------

@dataclass
class RawDimension:
    """A dimension's raw numbers, kept (out of the JSON) for pooling cycles and re-suppressing."""
    dim: Dimension
    groups: list[str]
    idx: np.ndarray
    counts: list[M.GroupCounts]
    orgs: dict[str, int]
    org: np.ndarray                  # each application's organization id (parallel to idx)
    columns: dict[str, dict[str, int]]
    dollars: dict[str, tuple[dict[str, int], dict[str, float]]]
    withheld: Withheld

    def withheld_at(self, k: int) -> Withheld:
        if not self.dim.identity:
            return Withheld()
        return withhold(self.columns, self.orgs, k, dollars=self.dollars)


def _per_group(groups: list[str], values: np.ndarray) -> dict[str, int]:
    return {g: int(v) for g, v in zip(groups, values)}


def _distinct(idx: np.ndarray, org: np.ndarray, mask: Optional[np.ndarray], m: int, *,
              one_each: bool = False) -> np.ndarray:
    """Distinct organizations per group among the rows in `mask` (all rows when None);
    `one_each`: no organization has two applications, so rows are organizations."""
    i, o = (idx, org) if mask is None else (idx[mask], org[mask])
    if one_each or not len(i):
        return np.bincount(i, minlength=m)
    pairs = np.unique(i * (int(org.max()) + 1) + o)
    return np.bincount(pairs // (int(org.max()) + 1), minlength=m)


def _raw_dimension(dim: Dimension, data: AuditData, arrays: dict, hypo: dict, k: int) -> RawDimension:
    labels = dim.groups(data.facts, data.ctx)
    groups, idx = M.group_index(labels, dim.order)
    m = len(groups)
    counts = M.group_counts(groups, idx, arrays["stage"], arrays["requested"], arrays["award_cents"])
    org, awarded, one = arrays["org"], arrays["awarded"], arrays["one_each"]
    columns = {stage: {c.group: c.stages[i] for c in counts} for i, stage in enumerate(STAGES)}
    columns["scored"] = _per_group(groups, np.bincount(idx[arrays["scored"]], minlength=m))
    for crit_id, (positions, _) in data.criterion_values.items():
        columns[f"criterion:{crit_id}"] = _per_group(groups, np.bincount(idx[positions], minlength=m))
    dollars = {"awarded": (_per_group(groups, _distinct(idx, org, awarded, m, one_each=one)),
                           {c.group: float(c.cents_awarded) for c in counts})}
    for name, funded in hypo.items():
        if funded is not None:
            columns[name] = _per_group(groups, np.bincount(idx[funded], minlength=m))
            dollars[name] = (_per_group(groups, _distinct(idx, org, funded, m, one_each=one)),
                             _per_group(groups, np.bincount(idx[funded], weights=arrays["requested"][funded],
                                                            minlength=m)))
    orgs = _per_group(groups, _distinct(idx, org, None, m, one_each=one))
    raw = RawDimension(dim, groups, idx, counts, orgs, org, columns, dollars, Withheld())
    raw.withheld = raw.withheld_at(k)
    return raw


def _group_rows(raw: RawDimension, totals: dict, cfg: dict, scores: dict[str, dict]) -> tuple[list[dict], dict]:
    dim, w = raw.dim, raw.withheld
    N, A = totals["applied"], totals["awarded"]
    cents_req, cents_aw = totals["cents_requested"], totals["cents_awarded"]
    rates = {c.group: None if w.cell("awarded", c.group) else M.rate(c.awards, c.applicants) for c in raw.counts}
    ref = M.reference_group(rates, (cfg["AUDIT_REFERENCE_GROUPS"] or {}).get(dim.key))
    dp_ratio, dp_diff = M.parity(rates.values())
    rows = []
    for c in raw.counts:
        hid, hid_a, hid_d = w.row(c.group), w.cell("awarded", c.group), w.money("awarded", c.group)
        n_rest, a_rest = N - c.applicants, A - c.awards
        diff_ci = None if hid_a or not c.applicants or not n_rest else M.difference_interval(
            c.awards, c.applicants, a_rest, n_rest)
        p = None if hid_a else M.fisher_p(c.awards, c.applicants, A, N)
        ir = M.impact_ratio(rates[c.group], rates.get(ref)) if ref else None
        withheld_fields = (["applicants", "awards", "rates", "dollars", "scores"] if hid
                           else (["awards", "rates"] if hid_a else []) + (["dollars_awarded"] if hid_d else []))
        rows.append({
            "group": c.group,
            "label": dim.label_of(c.group),
            "applicants": _show(c.applicants, hid),
            "organizations": _show(raw.orgs[c.group], hid),
            "awards": _show(c.awards, hid_a),
            "award_rate": rates[c.group],
            "award_rate_ci": _interval(c.awards, c.applicants, hid_a),
            "rate_difference": None if diff_ci is None else c.awards / c.applicants - a_rest / n_rest,
            "rate_difference_ci": None if diff_ci is None else list(diff_ci),
            "evidence": None if hid_a else M.evidence(p, diff_ci, cfg["AUDIT_ALPHA"], cfg["AUDIT_NO_GAP_MARGIN"]),
            "share_of_applicants": _show(M.rate(c.applicants, N), hid),
            "share_of_awards": _show(M.rate(c.awards, A), hid_a),
            "share_of_dollars": _show(M.rate(c.cents_awarded, cents_aw), hid_d),
            "share_of_dollars_requested": _show(M.rate(c.cents_requested, cents_req), hid),
            "dollars_requested": _show(_dollars(c.cents_requested), hid),
            "dollars_awarded": _show(_dollars(c.cents_awarded), hid_d),
            "cents_requested": _show(c.cents_requested, hid),
            "cents_awarded": _show(c.cents_awarded, hid_d),
            "dollars_awarded_per_requested": _show(M.rate(c.cents_awarded, c.cents_requested), hid_d),
            "impact_ratio": ir,
            "is_reference": c.group == ref,
            "below_four_fifths": None if ir is None else ir < M.FOUR_FIFTHS,
            "fisher_p": p,
            "small_sample": True if hid else c.applicants < cfg["AUDIT_SMALL_SAMPLE"],
            "suppressed": hid,
            "awards_suppressed": hid_a,
            "dollars_suppressed": hid_d,
            "suppressed_fields": withheld_fields,
            "score": scores.get(c.group),
        })
    summary = {"reference_group": ref, "demographic_parity_ratio": dp_ratio,
               "demographic_parity_difference": dp_diff,
               "parity_over": [g for g, r in rates.items() if r is not None]}
    return rows, summary


def _score_stats(raw: RawDimension, data: AuditData, cache: dict) -> dict[str, dict]:
    """Mann–Whitney U of application rubric scores, group vs rest, with the rank-biserial effect."""
    if "rubric" not in cache:
        scored = np.array([r is not None for r in data.rubric], dtype=bool)
        values = np.array([r for r in data.rubric if r is not None], dtype=float)
        cache["rubric"] = (scored, M.Ranked(values) if len(values) else None)
    scored, ranked = cache["rubric"]
    if ranked is None:
        return {}
    gidx = raw.idx[scored]
    out = {}
    for i, g in enumerate(raw.groups):
        hid = raw.withheld.cell("scored", g)
        n = raw.columns["scored"][g]
        t = None if hid or n == 0 else ranked.test(gidx == i)
        out[g] = {"n": _show(n, hid),
                  "mean": None if t is None else t.mean_group,
                  "mean_rest": None if t is None else t.mean_rest,
                  "gap": None if t is None else t.gap,
                  "mannwhitney_p": None if t is None else t.p,
                  "effect_size": None if t is None else t.effect,
                  "suppressed": hid}
    return out


def _criterion_gaps(raw: RawDimension, data: AuditData, cfg: dict, cache: dict) -> list[dict]:
    out = []
    for crit in data.criteria:
        positions, values = data.criterion_values[crit.id]
        if crit.id not in cache:
            cache[crit.id] = M.Ranked(values)
        ranked = cache[crit.id]
        gidx = raw.idx[positions]
        n_by = raw.columns[f"criterion:{crit.id}"]
        groups = []
        for i, g in enumerate(raw.groups):
            n = n_by[g]
            if n == 0:
                continue
            hid = raw.withheld.cell(f"criterion:{crit.id}", g)
            t = None if hid else ranked.test(gidx == i)
            flagged = (t is not None and t.p is not None and t.p < cfg["AUDIT_ALPHA"]
                       and abs(t.gap) >= cfg["AUDIT_CRITERION_GAP"])
            groups.append({"group": g, "n": _show(n, hid), "mean": t and t.mean_group,
                           "gap": t and t.gap, "mannwhitney_p": t and t.p, "effect_size": t and t.effect,
                           "flagged": flagged, "suppressed": hid})
        out.append({"criterion_id": crit.id, "label": crit.label, "rubric_version": crit.rubric_version,
                    "weight": crit.weight, "groups": groups})
    return out


def _reviewer_gaps(raw: RawDimension, data: AuditData, cfg: dict) -> dict:
    """Each reviewer's gap (their mean for the focus group − their mean for the rest) next to the
    panel's; flagged only with at least AUDIT_MIN_REVIEWER_REVIEWS reviews. Withheld with the focus
    group (a reviewer's counts inside a shown group identify no organization's group)."""
    focus, groups = raw.dim.focus_group, raw.groups
    result = {"focus_group": focus, "panel": None, "reviewers": [], "suppressed": False}
    if focus is None or not len(data.review_score) or focus not in groups:
        return result
    if raw.withheld.cell("scored", focus):
        result["suppressed"] = True
        return result
    in_focus = raw.idx[data.review_app] == groups.index(focus)
    m = len(data.reviewer_names)
    scores, rev = data.review_score, data.review_reviewer
    cnt_g = np.bincount(rev[in_focus], minlength=m)
    cnt_r = np.bincount(rev[~in_focus], minlength=m)
    sum_g = np.bincount(rev[in_focus], weights=scores[in_focus], minlength=m)
    sum_r = np.bincount(rev[~in_focus], weights=scores[~in_focus], minlength=m)
    n_all_g, n_all_r = int(in_focus.sum()), int((~in_focus).sum())
    panel_gap = float(scores[in_focus].mean() - scores[~in_focus].mean()) if n_all_g and n_all_r else None
    gaps = {i: float(sum_g[i] / cnt_g[i] - sum_r[i] / cnt_r[i]) for i in range(m) if cnt_g[i] and cnt_r[i]}
    # The reference a reviewer is compared with: the typical (median) reviewer's gap among those
    # with enough reviews, so one outlier does not make every other reviewer look off; with fewer
    # than three such reviewers, the gap over all the panel's reviews.
    enough = [g for i, g in gaps.items() if cnt_g[i] + cnt_r[i] >= cfg["AUDIT_MIN_REVIEWER_REVIEWS"]]
    reference = float(np.median(enough)) if len(enough) >= 3 else panel_gap
    result["panel"] = {"n_reviews": n_all_g + n_all_r, "gap": panel_gap, "reference_gap": reference,
                       "reference": "median reviewer" if len(enough) >= 3 else "all reviews",
                       "suppressed": False}
    for i in sorted(range(m), key=lambda i: data.reviewer_keys[i].lower()):
        n = int(cnt_g[i] + cnt_r[i])
        gap = gaps.get(i)
        diff = None if gap is None or reference is None else gap - reference
        enough_reviews = n >= cfg["AUDIT_MIN_REVIEWER_REVIEWS"]
        result["reviewers"].append({
            "reviewer": data.reviewer_keys[i], "reviewer_label": data.reviewer_names[i], "n_reviews": n, "n_group": int(cnt_g[i]), "n_rest": int(cnt_r[i]),
            "gap": gap, "difference_from_panel": diff, "enough_reviews": enough_reviews,
            "flagged": bool(enough_reviews and diff is not None and abs(diff) >= cfg["AUDIT_REVIEWER_GAP"]),
            "suppressed": False,
        })
    return result


def _priority_rules(raw: RawDimension, hypo: dict, data: AuditData, cfg: dict) -> dict:
    """Award rates, impact ratios and dollar shares of the actual decisions, the rubric-only
    ranking and the ranking with the priority rules — a disparity by design vs an unintended one."""
    out = {"available": {k: v is not None for k, v in hypo.items()}, "groups": []}
    w = raw.withheld
    per: dict[str, dict] = {}
    for name, funded in hypo.items():
        if funded is None:
            continue
        cnt = raw.columns[name]
        dol = raw.dollars[name][1]
        tot_d = float(sum(dol.values()))
        rates = {c.group: None if w.cell(name, c.group) else M.rate(cnt[c.group], c.applicants) for c in raw.counts}
        ref = M.reference_group(rates, (cfg["AUDIT_REFERENCE_GROUPS"] or {}).get(raw.dim.key))
        for c in raw.counts:
            g = c.group
            hid, hid_d = w.cell(name, g), w.money(name, g)
            per.setdefault(g, {})[name] = {
                "awards": _show(cnt[g], hid),
                "award_rate": rates[g],
                "award_rate_ci": _interval(cnt[g], c.applicants, hid),
                "impact_ratio": M.impact_ratio(rates[g], rates.get(ref)) if ref else None,
                "share_of_dollars": _show(M.rate(dol[g], tot_d), hid_d),
                "dollars_awarded": _show(_dollars(round(dol[g])), hid_d),
                "suppressed": hid,
                "dollars_suppressed": hid_d,
            }
    for g in raw.groups:
        out["groups"].append({"group": g, "label": raw.dim.label_of(g), **per.get(g, {})})
    return out


def _funnel(raw: RawDimension) -> list[dict]:
    out = []
    for c in raw.counts:
        hid = {s: raw.withheld.cell(s, c.group) for s in STAGES}
        stages = {s: _show(c.stages[i], hid[s]) for i, s in enumerate(STAGES)}
        out.append({"group": c.group, "label": raw.dim.label_of(c.group), "stages": stages,
                    "share_reaching": {s: None if hid[s] else M.rate(c.stages[i], c.applicants)
                                       for i, s in enumerate(STAGES)},
                    "share_reaching_ci": {s: _interval(c.stages[i], c.applicants, hid[s]) for i, s in enumerate(STAGES)},
                    "suppressed": raw.withheld.row(c.group), "withheld_stages": [s for s in STAGES if hid[s]]})
    return out


def _attributions(raw: RawDimension, rows: list[dict], dim_out: dict, data: AuditData, arrays: dict,
                  hypo: dict, weights: dict[int, float]) -> dict[str, dict]:
    """The attribution of each shown group flagged below four-fifths (attribution.py)."""
    out = {}
    for i, row in enumerate(rows):
        if row["awards_suppressed"] or not row["below_four_fifths"]:
            continue
        # A funded set whose cell is withheld for this group would be given away by its step.
        visible = {name: None if raw.withheld.cell(name, row["group"]) else f for name, f in hypo.items()}
        if "stratum" not in arrays:  # only when a gap is attributed
            arrays["stratum"] = ATT.strata(data.facts, data.ctx)
        parts = ATT.attribute(raw.idx == i, arrays["awarded"], arrays["stratum"], visible)
        if parts is None:
            continue
        reviewers = []
        if row["group"] == raw.dim.focus_group:
            reviewers = [{"reviewer": r["reviewer"], "reviewer_label": r["reviewer_label"],
                          "difference_from_panel": r["difference_from_panel"],
                          "n_reviews": r["n_reviews"]}
                         for r in dim_out["reviewers"]["reviewers"] if r["flagged"]]
        out[row["group"]] = {**parts, "criteria": ATT.rubric_detail(dim_out["criteria"], weights, row["group"]),
                             "reviewers": reviewers}
    return out


# --- the whole report -----------------------------------------------------------------------------

def compute(data: AuditData, dims: list[Dimension], cfg: dict) -> tuple[dict, dict[str, RawDimension]]:
    """The suppressed report of one program at cfg["k"] (no cycles, no findings), and its raw
    dimensions."""
    k = cfg["k"]
    arrays = {
        "stage": np.asarray(data.stage, dtype=np.int64),
        "requested": np.asarray(data.requested_cents, dtype=float),
        "award_cents": np.asarray(data.award_cents, dtype=float),
        "awarded": np.asarray(data.awarded, dtype=bool),
        "scored": np.array([r is not None for r in data.rubric], dtype=bool),
        "org": np.fromiter((f.organization_id for f in data.facts), dtype=np.int64, count=len(data.facts)),
    }
    arrays["one_each"] = len(np.unique(arrays["org"])) == len(arrays["org"])
    hypo = _hypothetical(data)
    raws = {dim.key: _raw_dimension(dim, data, arrays, hypo, k) for dim in dims}

    stage_arr = arrays["stage"]
    n_total = len(data.facts)
    totals_raw = {s: int((stage_arr >= i).sum()) for i, s in enumerate(STAGES)}
    totals_raw["cents_requested"] = int(sum(data.requested_cents))
    totals_raw["cents_awarded"] = int(sum(data.award_cents))
    awards = totals_raw["awarded"]
    totals = {
        "applicants": n_total,
        "awards": awards,
        "award_rate": M.rate(awards, n_total),
        "award_rate_ci": _interval(awards, n_total),
        "stages": {s: totals_raw[s] for s in STAGES},
        "dollars_requested": _dollars(totals_raw["cents_requested"]),
        "dollars_awarded": _dollars(totals_raw["cents_awarded"]),
        "cents_requested": totals_raw["cents_requested"],
        "cents_awarded": totals_raw["cents_awarded"],
        "funded": {name: None if f is None else int(f.sum()) for name, f in hypo.items()},
    }
    weights = {c.id: c.weight for c in data.criteria}
    rank_cache: dict = {}  # one ranking per criterion and of the rubric scores, shared by dimensions
    dimensions = {}
    for key, raw in raws.items():
        scores = _score_stats(raw, data, rank_cache)
        rows, summary = _group_rows(raw, totals_raw, cfg, scores)
        dim = raw.dim
        out = {
            "key": key, "label": dim.title, "identity": dim.identity, "focus_group": dim.focus_group,
            "focus_phrase": dim.phrase,
            **summary,
            "withheld_groups": [g for g in raw.groups if raw.withheld.row(g)],
            "groups": rows,
            "funnel": _funnel(raw),
            "criteria": _criterion_gaps(raw, data, cfg, rank_cache),
            "priority_rules": _priority_rules(raw, hypo, data, cfg),
        }
        out["reviewers"] = _reviewer_gaps(raw, data, cfg)
        out["attribution"] = _attributions(raw, rows, out, data, arrays, hypo, weights)
        dimensions[key] = out
    from grantflow.awards.money_moving import section as money_moving

    report = {
        "money_moving": money_moving(data.program_id, [f.application_id for f in data.facts], raws, k),
        "program": {"slug": data.slug, "title": data.title, "funder": data.funder_name, "series": data.series,
                    "cycle_label": data.cycle_label, "data_vintage": data.data_vintage,
                    "rubric_version": data.rubric_version, "is_historical": data.is_historical,
                    "budget_dollars": _dollars(data.budget_cents), "places_as_of": data.places_as_of},
        "totals": totals,
        "dimensions": dimensions,
        "need_benchmarks": _need_benchmarks(data, dimensions.get("priority_place")),
        "scored": {"rubric": any(r is not None for r in data.rubric), "rules": data.total is not None},
    }
    return report, raws


def _need_benchmarks(data: AuditData, priority_dim: Optional[dict]) -> dict:
    """Share of dollars to organizations serving priority places vs those places' share of the
    funder's population and of its need (population × need index), with the places of the cycle
    (grantflow/chna/vintage.py). Places are not identity data: nothing here is withheld."""
    places = data.ctx.places
    pop_all = sum(p.population or 0 for p in places.values())
    need_all = sum((p.population or 0) * (p.need_index or 0) for p in places.values())
    prio = [p for p in places.values() if p.is_priority]
    pop_p = sum(p.population or 0 for p in prio)
    need_p = sum((p.population or 0) * (p.need_index or 0) for p in prio)
    yes = None
    if priority_dim:
        yes = next((g for g in priority_dim["groups"] if g["group"] == "yes"), None)
    # Per priority place: applications serving it, awards, and award dollars split evenly across
    # the places each award serves.
    apps_by_place: dict[int, int] = defaultdict(int)
    awards_by_place: dict[int, int] = defaultdict(int)
    cents_by_place: dict[int, float] = defaultdict(float)
    for f, aw, cents in zip(data.facts, data.awarded, data.award_cents):
        for pid in f.place_ids:
            apps_by_place[pid] += 1
            if aw:
                awards_by_place[pid] += 1
                cents_by_place[pid] += cents / len(f.place_ids)
    total_cents = sum(data.award_cents)
    rows = [{"geoid": p.geoid, "name": p.name, "population": p.population, "need_index": p.need_index,
             "share_of_population": M.rate(p.population or 0, pop_all),
             "applicants": apps_by_place[p.id], "awards": awards_by_place[p.id],
             "dollars_awarded": _dollars(round(cents_by_place[p.id])),
             "share_of_dollars": M.rate(cents_by_place[p.id], total_cents)}
            for p in sorted(prio, key=lambda p: (-(p.need_index or 0), p.geoid))]
    return {
        "priority_places": len(prio),
        "share_of_population": M.rate(pop_p, pop_all),
        "share_of_need": None if not need_all else need_p / need_all,
        "share_of_dollars": None if yes is None else yes["share_of_dollars"],
        "share_of_applicants": None if yes is None else yes["share_of_applicants"],
        "places": rows,
    }


def _series_programs(program) -> list:
    from grantflow.programs.models import Program

    if not program.series:
        return [program]
    progs = db.session.execute(select(Program).where(
        Program.series == program.series, Program.funder_id == program.funder_id)).scalars().all()
    return sorted(progs, key=lambda p: (p.opens_at or p.created_at or dt.datetime.min.replace(tzinfo=dt.timezone.utc),
                                        p.cycle_label or "", p.id))


def build_report(program, *, overrides: dict | None = None, cycles: bool = True) -> dict:
    """The full audit of a program: its own report, the findings, and the other cycles of its series."""
    with gc_paused():
        return _build_report(program, overrides, cycles)


def _suppression(k: int, dims: list[Dimension]) -> dict:
    return {"k": k, "min_k": MIN_K, "withheld": WITHHELD,
            "identity_dimensions": [d.key for d in dims if d.identity],
            "rule": ngettext("Program totals are never withheld. In the identity dimensions, a group with fewer "
                             "than %(num)s organization is withheld (and a group's dollar figures when fewer than "
                             "%(num)s of its organizations was awarded), with complementary suppression so that no "
                             "withheld count can be worked out from the totals, the other groups or the funnel "
                             "stages. Other dimensions are shown in full.",
                             "Program totals are never withheld. In the identity dimensions, a group with fewer "
                             "than %(num)s organizations is withheld (and a group's dollar figures when fewer than "
                             "%(num)s of its organizations were awarded), with complementary suppression so that no "
                             "withheld count can be worked out from the totals, the other groups or the funnel "
                             "stages. Other dimensions are shown in full.", k)}


def _build_report(program, overrides: dict | None, cycles: bool) -> dict:
    from grantflow.equity.findings import board_summary, findings
    from grantflow.equity.pooling import pooled
    from grantflow.equity.services import program_k
    from grantflow.equity.wording import add_labels

    cfg = settings(overrides)
    cfg.setdefault("k", program_k(program.id))
    dims = program_dimensions(program.id)
    own, own_raw = compute(load_audit_data(program), dims, cfg)
    report = {
        "format": FORMAT, "format_version": FORMAT_VERSION,
        "generated_at": dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(),
        "suppression": _suppression(cfg["k"], dims),
        "settings": {"reference_groups": dict(cfg["AUDIT_REFERENCE_GROUPS"] or {}),
                     "small_sample": cfg["AUDIT_SMALL_SAMPLE"], "alpha": cfg["AUDIT_ALPHA"],
                     "min_reviewer_reviews": cfg["AUDIT_MIN_REVIEWER_REVIEWS"],
                     "four_fifths": M.FOUR_FIFTHS, "no_gap_margin": cfg["AUDIT_NO_GAP_MARGIN"],
                     "pool_cycles": cfg["AUDIT_POOL_CYCLES"], "confidence": 0.95},
        **own,
    }
    report["cycles"], series = [], []
    if cycles and program.series:
        # The cycles up to this one: a later cycle's decisions, drafts until released, are no part
        # of this one's record, which stays as it was while the later one runs.
        cycle_programs = _series_programs(program)
        cycle_programs = cycle_programs[:[p.id for p in cycle_programs].index(program.id) + 1]
        for other in cycle_programs if len(cycle_programs) > 1 else ():
            if other.id == program.id:
                sub, raws, k_own = own, own_raw, cfg["k"]
            else:
                # Shown here at the stricter of the two programs' k; pooled against its own.
                k_own = program_k(other.id)
                sub, raws = compute(load_audit_data(other), dims, {**cfg, "k": max(cfg["k"], k_own)})
            series.append((other, sub, raws, k_own))
            report["cycles"].append({
                "program": sub["program"], "totals": sub["totals"], "current": other.id == program.id,
                "decided": sub["totals"]["awards"] > 0,
                "dimensions": {key: [{f: g[f] for f in ("group", "label", "applicants", "awards", "award_rate",
                                                        "award_rate_ci", "impact_ratio", "share_of_dollars",
                                                        "suppressed", "awards_suppressed", "dollars_suppressed")}
                                     for g in d["groups"]] for key, d in sub["dimensions"].items()},
            })
    from grantflow.equity.findings import blind_review_note
    from grantflow.reviews.progress import blind_review_changes

    report["pooled"] = pooled(program.id, series, cfg)
    add_labels(report)
    report["findings"] = findings(report) + [blind_review_note(c, program.timezone)
                                             for c in blind_review_changes(program.id)]
    report["board_summary"] = board_summary(report)
    return report
