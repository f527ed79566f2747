"""The audit report: raw metrics, put through suppression once, as one plain JSON-ready dict.

Every output (page, PDF, CSV, JSON) and the plain-language findings are rendered from this one
dict, after suppression, so no output can show a number another output withholds. A withheld
number is `None` here; renderers print "Insufficient sample" for it.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Optional

import numpy as np
from flask import current_app
from sqlalchemy import select

from grantflow.core.bulk import gc_paused
from grantflow.core.db import db
from grantflow.equity import metrics as M
from grantflow.equity.data import STAGES, AuditData, load_audit_data
from grantflow.equity.dimensions import NOT_REPORTED, Dimension, program_dimensions
from grantflow.equity.suppression import Mask, suppress, suppress_list

FORMAT = "grantflow-equity-audit"
FORMAT_VERSION = 1
HYPOTHETICAL = ("rubric_only", "with_rules")


def settings(overrides: dict | None = None) -> dict:
    """The audit's settings (grantflow/config.py), with the caller's overrides."""
    config = current_app.config
    cfg = {
        "SUPPRESSION_K": config["SUPPRESSION_K"],
        "AUDIT_REFERENCE_GROUPS": config["AUDIT_REFERENCE_GROUPS"],
        "AUDIT_SMALL_SAMPLE": config["AUDIT_SMALL_SAMPLE"],
        "AUDIT_ALPHA": config["AUDIT_ALPHA"],
        "AUDIT_MIN_REVIEWER_REVIEWS": config["AUDIT_MIN_REVIEWER_REVIEWS"],
        "AUDIT_REVIEWER_GAP": config["AUDIT_REVIEWER_GAP"],
        "AUDIT_CRITERION_GAP": config["AUDIT_CRITERION_GAP"],
    }
    cfg.update({k: v for k, v in (overrides or {}).items() if v is not None})
    return cfg


def _dollars(cents: Optional[int]) -> Optional[float]:
    return None if cents is None else round(cents / 100, 2)


def _show(value, *hidden: bool):
    return None if any(hidden) else value


# --- hypothetical funded sets ----------------------------------------------------------------------

def _hypothetical(data: AuditData) -> dict[str, Optional[np.ndarray]]:
    """Who would be funded ranking eligible applications by the rubric alone, and by the total with
    the priority rules, greedily within the program budget (or, without one, the dollars awarded)."""
    budget = data.budget_cents or int(sum(data.award_cents))
    eligible = [s >= 1 for s in data.stage]
    amounts = data.requested_cents
    merit = data.merit if data.merit is not None else [
        None if r is None else r for r in data.rubric]
    out: dict[str, Optional[np.ndarray]] = {"rubric_only": None, "with_rules": None}
    if any(m is not None for m in merit):
        out["rubric_only"] = M.greedy_funded([m if e else None for m, e in zip(merit, eligible)], amounts, budget)
    if data.total is not None:
        out["with_rules"] = M.greedy_funded([t if e else None for t, e in zip(data.total, eligible)], amounts, budget)
    return out


# --- one dimension ----------------------------------------------------------------------------------

def _columns(counts: list[M.GroupCounts], hypo_counts: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    cols = {stage: {c.group: c.stages[i] for c in counts} for i, stage in enumerate(STAGES)}
    cols.update(hypo_counts)
    return cols


def _group_rows(dim: Dimension, counts: list[M.GroupCounts], mask: Mask, totals: dict, cfg: dict,
                scores: dict[str, dict]) -> tuple[list[dict], dict]:
    N, A = totals["applied"], totals["awarded"]
    cents_req, cents_aw = totals["cents_requested"], totals["cents_awarded"]
    hid_N, hid_A = "applied" in mask.totals, "awarded" in mask.totals
    rates = {}
    for c in counts:
        hidden = mask.hidden(c.group, "applied") or mask.hidden(c.group, "awarded")
        rates[c.group] = None if hidden else M.rate(c.awards, c.applicants)
    ref = M.reference_group(rates, (cfg["AUDIT_REFERENCE_GROUPS"] or {}).get(dim.key))
    dp_ratio, dp_diff = M.parity(r for g, r in rates.items())
    rows = []
    for c in counts:
        hn, ha = mask.hidden(c.group, "applied"), mask.hidden(c.group, "awarded")
        sr = rates[c.group]
        ir = M.impact_ratio(sr, rates.get(ref)) if ref else None
        p = None if (hn or ha or hid_N or hid_A) else M.fisher_p(c.awards, c.applicants, A, N)
        fields_hidden = [f for f, h in (("applicants", hn), ("awards", ha)) if h]
        row = {
            "group": c.group,
            "label": dim.label_of(c.group),
            "applicants": _show(c.applicants, hn),
            "awards": _show(c.awards, ha),
            "award_rate": sr,
            "share_of_applicants": _show(M.rate(c.applicants, N), hn, hid_N),
            "share_of_awards": _show(M.rate(c.awards, A), ha, hid_A),
            "share_of_dollars": _show(M.rate(c.cents_awarded, cents_aw), ha, hid_A),
            "share_of_dollars_requested": _show(M.rate(c.cents_requested, cents_req), hn, hid_N),
            "dollars_requested": _show(_dollars(c.cents_requested), hn),
            "dollars_awarded": _show(_dollars(c.cents_awarded), ha),
            "cents_requested": _show(c.cents_requested, hn),
            "cents_awarded": _show(c.cents_awarded, ha),
            "dollars_awarded_per_requested": _show(M.rate(c.cents_awarded, c.cents_requested), hn, ha),
            "impact_ratio": ir,
            "is_reference": c.group == ref,
            "below_four_fifths": None if ir is None else ir < M.FOUR_FIFTHS,
            "fisher_p": p,
            "small_sample": (c.applicants < cfg["AUDIT_SMALL_SAMPLE"]) if not hn else True,
            "suppressed": bool(fields_hidden) or hid_N or hid_A,
            "suppressed_fields": fields_hidden,
            "score": scores.get(c.group),
        }
        rows.append(row)
    summary = {"reference_group": ref, "demographic_parity_ratio": dp_ratio,
               "demographic_parity_difference": dp_diff,
               "parity_over": [g for g, r in rates.items() if r is not None]}
    return rows, summary


def _score_stats(dim_groups: list[str], idx: np.ndarray, data: AuditData, mask: Mask, k: int,
                 cache: dict) -> dict[str, dict]:
    """Mann–Whitney U of application rubric scores, group vs rest, with the rank-biserial effect."""
    if "rubric" not in cache:
        scored = np.array([r is not None for r in data.rubric], dtype=bool)
        values = np.array([r for r in data.rubric if r is not None], dtype=float)
        cache["rubric"] = (scored, M.Ranked(values) if len(values) else None)
    scored, ranked = cache["rubric"]
    if ranked is None:
        return {}
    gidx = idx[scored]
    counts = np.bincount(gidx, minlength=len(dim_groups))
    n_by = {g: int(counts[i]) for i, g in enumerate(dim_groups)}
    hidden = suppress_list(n_by, k, seed={g for g in dim_groups if mask.hidden(g, "reviewed")})
    total = ranked.n
    out = {}
    for i, g in enumerate(dim_groups):
        n = n_by[g]
        withhold = g in hidden or 0 < total - n < k
        t = None if withhold or n == 0 else ranked.test(gidx == i)
        out[g] = {"n": _show(n, g in hidden),
                  "mean": None if t is None else t.mean_group,
                  "mean_rest": None if t is None else t.mean_rest,
                  "gap": None if t is None else t.gap,
                  "mannwhitney_p": None if t is None else t.p,
                  "effect_size": None if t is None else t.effect,
                  "suppressed": withhold}
    return out


def _criterion_gaps(dim_groups: list[str], idx: np.ndarray, data: AuditData, mask: Mask, cfg: dict,
                    cache: dict) -> list[dict]:
    k = cfg["SUPPRESSION_K"]
    out = []
    for crit in data.criteria:
        positions, values = data.criterion_values[crit.id]
        if crit.id not in cache:
            cache[crit.id] = M.Ranked(values)
        ranked = cache[crit.id]
        gidx = idx[positions]
        counts = np.bincount(gidx, minlength=len(dim_groups))
        n_by = {g: int(counts[i]) for i, g in enumerate(dim_groups)}
        hidden = suppress_list(n_by, k, seed={g for g in dim_groups if mask.hidden(g, "reviewed")})
        groups = []
        for i, g in enumerate(dim_groups):
            n = n_by[g]
            if n == 0:
                continue
            withhold = g in hidden or 0 < len(values) - n < k
            t = None if withhold else ranked.test(gidx == i)
            flagged = (t is not None and t.p is not None and t.p < cfg["AUDIT_ALPHA"]
                       and abs(t.gap) >= cfg["AUDIT_CRITERION_GAP"])
            groups.append({"group": g, "n": _show(n, g in hidden), "mean": t and t.mean_group,
                           "gap": t and t.gap, "mannwhitney_p": t and t.p, "effect_size": t and t.effect,
                           "flagged": flagged, "suppressed": withhold})
        out.append({"criterion_id": crit.id, "label": crit.label, "rubric_version": crit.rubric_version,
                    "groups": groups})
    return out


def _reviewer_gaps(dim: Dimension, groups: list[str], idx: np.ndarray, data: AuditData, mask: Mask,
                   cfg: dict) -> dict:
    """Each reviewer's gap (their mean for the focus group − their mean for the rest) next to the
    panel's; flagged only with at least AUDIT_MIN_REVIEWER_REVIEWS reviews."""
    focus = dim.focus_group
    k = cfg["SUPPRESSION_K"]
    result = {"focus_group": focus, "panel": None, "reviewers": [], "suppressed": False}
    if focus is None or not len(data.review_score) or focus not in groups:
        return result
    if mask.hidden(focus, "reviewed") or "reviewed" in mask.totals:
        result["suppressed"] = True
        return result
    in_focus = idx[data.review_app] == groups.index(focus)
    m = len(data.reviewer_names)
    scores, rev = data.review_score, data.review_reviewer
    cnt_g = np.bincount(rev[in_focus], minlength=m)
    cnt_r = np.bincount(rev[~in_focus], minlength=m)
    sum_g = np.bincount(rev[in_focus], weights=scores[in_focus], minlength=m)
    sum_r = np.bincount(rev[~in_focus], weights=scores[~in_focus], minlength=m)
    n_all_g, n_all_r = int(in_focus.sum()), int((~in_focus).sum())
    panel_ok = n_all_g >= k and n_all_r >= k
    panel_gap = float(scores[in_focus].mean() - scores[~in_focus].mean()) if panel_ok else None
    n_g = {i: int(cnt_g[i]) for i in range(m)}
    n_r = {i: int(cnt_r[i]) for i in range(m)}
    hidden: set[int] = set()
    while True:  # withhold both splits together, and never exactly one reviewer in either column
        before = set(hidden)
        hidden = suppress_list(n_g, k, seed=hidden)
        hidden = suppress_list(n_r, k, seed=hidden)
        if hidden == before:
            break
    gaps = {i: float(sum_g[i] / cnt_g[i] - sum_r[i] / cnt_r[i]) for i in range(m)
            if i not in hidden and panel_ok and cnt_g[i] and cnt_r[i]}
    # The reference a reviewer is compared with: the typical (median) reviewer's gap among those
    # with enough reviews, so one outlier does not make every other reviewer look off; with fewer
    # than three such reviewers, the gap over all the panel's reviews.
    enough = [g for i, g in gaps.items() if n_g[i] + n_r[i] >= cfg["AUDIT_MIN_REVIEWER_REVIEWS"]]
    reference = float(np.median(enough)) if len(enough) >= 3 else panel_gap
    result["panel"] = {"n_reviews": n_all_g + n_all_r, "gap": panel_gap, "reference_gap": reference,
                       "reference": "median reviewer" if len(enough) >= 3 else "all reviews",
                       "suppressed": not panel_ok}
    for i in sorted(range(m), key=lambda i: data.reviewer_names[i].lower()):
        n = n_g[i] + n_r[i]
        gap = gaps.get(i)
        withhold = gap is None and (i in hidden or not panel_ok)
        diff = None if gap is None or reference is None else gap - reference
        enough_reviews = n >= cfg["AUDIT_MIN_REVIEWER_REVIEWS"]
        result["reviewers"].append({
            "reviewer": data.reviewer_names[i], "n_reviews": n,
            "n_group": _show(n_g[i], i in hidden), "n_rest": _show(n_r[i], i in hidden),
            "gap": gap, "difference_from_panel": diff, "enough_reviews": enough_reviews,
            "flagged": bool(enough_reviews and diff is not None and abs(diff) >= cfg["AUDIT_REVIEWER_GAP"]),
            "suppressed": withhold,
        })
    return result


def _priority_rules(dim: Dimension, counts: list[M.GroupCounts], hypo: dict, idx: np.ndarray, data: AuditData,
                    mask: Mask, groups: list[str], cfg: dict) -> dict:
    """Award rates, impact ratios and dollar shares of the actual decisions, the rubric-only
    ranking and the ranking with the priority rules — a disparity by design vs an unintended one."""
    out = {"available": {k: v is not None for k, v in hypo.items()}, "groups": []}
    cents = np.asarray(data.requested_cents, dtype=float)
    per = {}
    for name, funded in hypo.items():
        if funded is None:
            continue
        cnt = np.bincount(idx[funded], minlength=len(groups))
        dol = np.bincount(idx[funded], weights=cents[funded], minlength=len(groups))
        tot_d = float(cents[funded].sum())
        rates = {}
        for i, g in enumerate(groups):
            c = counts[i]
            hid = mask.hidden(g, name) or mask.hidden(g, "applied")
            rates[g] = None if hid else M.rate(int(cnt[i]), c.applicants)
        ref = M.reference_group(rates, (cfg["AUDIT_REFERENCE_GROUPS"] or {}).get(dim.key))
        for i, g in enumerate(groups):
            hid = mask.hidden(g, name)
            per.setdefault(g, {})[name] = {
                "awards": _show(int(cnt[i]), hid),
                "award_rate": rates[g],
                "impact_ratio": M.impact_ratio(rates[g], rates.get(ref)) if ref else None,
                "share_of_dollars": _show(M.rate(dol[i], tot_d), hid, name in mask.totals),
                "dollars_awarded": _show(_dollars(int(round(dol[i]))), hid),
                "suppressed": hid or mask.hidden(g, "applied"),
            }
    for g in groups:
        out["groups"].append({"group": g, "label": dim.label_of(g), **per.get(g, {})})
    return out


def _dimension(dim: Dimension, labels: list[str], data: AuditData, arrays: dict, hypo: dict,
               cfg: dict) -> tuple[list[M.GroupCounts], list[str], np.ndarray, dict]:
    groups, idx = M.group_index(labels, dim.order)
    counts = M.group_counts(groups, idx, arrays["stage"], arrays["requested"], arrays["award_cents"])
    hypo_counts = {}
    for name, funded in hypo.items():
        if funded is not None:
            cnt = np.bincount(idx[funded], minlength=len(groups))
            hypo_counts[name] = {g: int(cnt[i]) for i, g in enumerate(groups)}
    return counts, groups, idx, _columns(counts, hypo_counts)


# --- the whole report -----------------------------------------------------------------------------

def compute(data: AuditData, dims: list[Dimension], cfg: dict) -> dict:
    """The suppressed report of one program (no cycles, no findings)."""
    k = cfg["SUPPRESSION_K"]
    arrays = {
        "stage": np.asarray(data.stage, dtype=np.int64),
        "requested": np.asarray(data.requested_cents, dtype=float),
        "award_cents": np.asarray(data.award_cents, dtype=float),
    }
    hypo = _hypothetical(data)
    per_dim = {}
    tables = {}
    for dim in dims:
        labels = [(dim.group(f, data.ctx) or NOT_REPORTED) for f in data.facts]
        counts, groups, idx, cols = _dimension(dim, labels, data, arrays, hypo, cfg)
        per_dim[dim.key] = (dim, labels, counts, groups, idx)
        tables[dim.key] = cols
    if not dims:
        tables = {}
    masks = suppress(tables, k) if tables else {}
    hidden_totals = next(iter(masks.values())).totals if masks else set()

    n_total = len(data.facts)
    stage_arr = arrays["stage"]
    totals_raw = {s: int((stage_arr >= i).sum()) for i, s in enumerate(STAGES)}
    totals_raw["cents_requested"] = int(sum(data.requested_cents))
    totals_raw["cents_awarded"] = int(sum(data.award_cents))
    for name, funded in hypo.items():
        if funded is not None:
            totals_raw[name] = int(funded.sum())
    totals = {
        "applicants": _show(n_total, "applied" in hidden_totals),
        "awards": _show(totals_raw["awarded"], "awarded" in hidden_totals),
        "award_rate": _show(M.rate(totals_raw["awarded"], n_total), "awarded" in hidden_totals,
                            "applied" in hidden_totals),
        "stages": {s: _show(totals_raw[s], s in hidden_totals) for s in STAGES},
        "dollars_requested": _show(_dollars(totals_raw["cents_requested"]), "applied" in hidden_totals),
        "dollars_awarded": _show(_dollars(totals_raw["cents_awarded"]), "awarded" in hidden_totals),
        "cents_requested": _show(totals_raw["cents_requested"], "applied" in hidden_totals),
        "cents_awarded": _show(totals_raw["cents_awarded"], "awarded" in hidden_totals),
        "suppressed": sorted(hidden_totals),
    }
    rank_cache: dict = {}  # one ranking per criterion and of the rubric scores, shared by dimensions
    dimensions = {}
    for key, (dim, labels, counts, groups, idx) in per_dim.items():
        mask = masks[key]
        scores = _score_stats(groups, idx, data, mask, k, rank_cache)
        rows, summary = _group_rows(dim, counts, mask, totals_raw, cfg, scores)
        funnel = []
        for c in counts:
            stages = {s: _show(c.stages[i], mask.hidden(c.group, s)) for i, s in enumerate(STAGES)}
            reach = {s: (None if stages[s] is None or stages["applied"] is None else M.rate(stages[s], stages["applied"]))
                     for s in STAGES}
            funnel.append({"group": c.group, "label": dim.label_of(c.group), "stages": stages,
                           "share_reaching": reach,
                           "suppressed": any(v is None for v in stages.values())})
        dimensions[key] = {
            "key": key, "label": dim.label, "focus_group": dim.focus_group,
            "focus_phrase": dim.focus_phrase or f"{dim.label}: {dim.focus_group}",
            **summary,
            "groups": rows,
            "funnel": funnel,
            "criteria": _criterion_gaps(groups, idx, data, mask, cfg, rank_cache),
            "reviewers": _reviewer_gaps(dim, groups, idx, data, mask, cfg),
            "priority_rules": _priority_rules(dim, counts, hypo, idx, data, mask, groups, cfg),
        }
    from grantflow.awards.money_moving import section as money_moving

    return {
        "money_moving": money_moving([f.application_id for f in data.facts],
                                     {key: labels for key, (_, labels, *_rest) in per_dim.items()}, masks, k),
        "program": {"slug": data.slug, "title": data.title, "funder": data.funder_name, "series": data.series,
                    "cycle_label": data.cycle_label, "data_vintage": data.data_vintage,
                    "rubric_version": data.rubric_version, "is_historical": data.is_historical,
                    "budget_dollars": _dollars(data.budget_cents)},
        "totals": totals,
        "dimensions": dimensions,
        "need_benchmarks": _need_benchmarks(data, dimensions.get("priority_place"), k),
        "scored": {"rubric": any(r is not None for r in data.rubric), "rules": data.total is not None},
    }


def _need_benchmarks(data: AuditData, priority_dim: Optional[dict], k: int) -> dict:
    """Share of dollars to organizations serving priority places vs those places' share of the
    funder's population and of its need (population × need index)."""
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
    h_apps = suppress_list({p.id: apps_by_place[p.id] for p in prio}, k)
    h_awards = suppress_list({p.id: awards_by_place[p.id] for p in prio}, k)
    rows = []
    for p in sorted(prio, key=lambda p: (-(p.need_index or 0), p.geoid)):
        hidden_aw = p.id in h_awards
        rows.append({
            "geoid": p.geoid, "name": p.name, "population": p.population, "need_index": p.need_index,
            "share_of_population": M.rate(p.population or 0, pop_all),
            "applicants": _show(apps_by_place[p.id], p.id in h_apps),
            "awards": _show(awards_by_place[p.id], hidden_aw),
            "dollars_awarded": _show(_dollars(int(round(cents_by_place[p.id]))), hidden_aw),
            "share_of_dollars": _show(M.rate(cents_by_place[p.id], total_cents), hidden_aw),
            "suppressed": p.id in h_apps or hidden_aw,
        })
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


def _build_report(program, overrides: dict | None, cycles: bool) -> dict:
    from grantflow.equity.findings import findings

    cfg = settings(overrides)
    dims = program_dimensions(program.id)
    report = compute(load_audit_data(program), dims, cfg)
    report = {
        "format": FORMAT, "format_version": FORMAT_VERSION,
        "generated_at": dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(),
        "suppression": {"k": cfg["SUPPRESSION_K"], "withheld": "Insufficient sample",
                        "rule": f"counts from 1 to {cfg['SUPPRESSION_K'] - 1} and every figure built on them "
                                "are withheld, with complementary suppression"},
        "settings": {"reference_groups": dict(cfg["AUDIT_REFERENCE_GROUPS"] or {}),
                     "small_sample": cfg["AUDIT_SMALL_SAMPLE"], "alpha": cfg["AUDIT_ALPHA"],
                     "min_reviewer_reviews": cfg["AUDIT_MIN_REVIEWER_REVIEWS"],
                     "four_fifths": M.FOUR_FIFTHS},
        **report,
    }
    report["cycles"] = []
    if cycles and program.series:
        for other in _series_programs(program):
            sub = report if other.id == program.id else compute(load_audit_data(other), dims, cfg)
            report["cycles"].append({
                "program": sub["program"], "totals": sub["totals"], "current": other.id == program.id,
                "dimensions": {key: [{f: g[f] for f in ("group", "label", "applicants", "awards", "award_rate",
                                                        "impact_ratio", "share_of_dollars", "suppressed")}
                                     for g in d["groups"]] for key, d in sub["dimensions"].items()},
            })
    report["findings"] = findings(report)
    return report
