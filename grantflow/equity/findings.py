"""The few plain-language statements that matter, built only from the suppressed report.

They read the report's visible numbers (never the raw data), so a finding can never disclose what
a table withholds. Every flag carries its evidence (impact ratio, p-value, sample size) and a
suggested next step; a flag on a small sample says so instead of being hidden or overstated.
"""
from __future__ import annotations

from typing import Optional

from grantflow.equity.data import STAGE_LABELS, STAGES


def pct(x: Optional[float]) -> str:
    if x is None:
        return "not available"
    return f"{x * 100:.0f}%"


def fmt_p(p: Optional[float]) -> str:
    if p is None:
        return "p not available"
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def _finding(kind, text, *, dimension=None, group=None, evidence=None, next_step=None) -> dict:
    return {"kind": kind, "dimension": dimension, "group": group, "text": text,
            "evidence": evidence or {}, "next_step": next_step}


def _weakest_stage(dim: dict, group: str, ref: str) -> Optional[str]:
    """The funnel stage where the group's pass-through rate falls furthest below the reference's."""
    rows = {r["group"]: r["stages"] for r in dim["funnel"]}
    g, r = rows.get(group), rows.get(ref)
    if not g or not r:
        return None
    worst, worst_ratio = None, None
    for prev, stage in zip(STAGES, STAGES[1:]):
        if None in (g[prev], g[stage], r[prev], r[stage]) or not g[prev] or not r[prev] or not r[stage]:
            continue
        ratio = (g[stage] / g[prev]) / (r[stage] / r[prev])
        if worst_ratio is None or ratio < worst_ratio:
            worst, worst_ratio = stage, ratio
    return worst


def _next_step(dim: dict, group: dict, ref: str) -> str:
    stage = _weakest_stage(dim, group["group"], ref)
    crit = [(c["label"], g) for c in dim["criteria"] for g in c["groups"]
            if g["group"] == group["group"] and g["flagged"] and g["gap"] is not None and g["gap"] < 0]
    if stage == "eligible":
        return ("Most of the gap opens at eligibility: review the eligibility rules and screening, and the "
                "outreach that reaches these organizations.")
    if stage in ("reviewed", "recommended") or crit:
        if crit:
            label, g = min(crit, key=lambda c: c[1]["gap"])
            return (f"Most of the gap opens at {STAGE_LABELS.get(stage or 'recommended', 'review').lower()}: "
                    f"re-examine the criterion “{label}” (gap {g['gap']:+.2f} points, {fmt_p(g['mannwhitney_p'])}).")
        return (f"Most of the gap opens at {STAGE_LABELS[stage].lower()}: re-examine the rubric and how "
                f"recommendations are drawn from scores.")
    if stage == "awarded":
        return "Most of the gap opens at the final decision: revisit how recommended applications are funded."
    return "Look at the funnel below to see at which stage the gap opens."


def findings(report: dict) -> list[dict]:
    out: list[dict] = []
    k = report["suppression"]["k"]
    t = report["totals"]
    if t["applicants"] is not None:
        text = f"{t['applicants']} applications were received"
        if t["awards"] is not None:
            text += f"; {t['awards']} were awarded ({pct(t['award_rate'])})"
        if t["dollars_awarded"] is not None and t["dollars_requested"]:
            text += (f", receiving ${t['dollars_awarded']:,.0f} of the ${t['dollars_requested']:,.0f} "
                     f"requested ({pct(t['dollars_awarded'] / t['dollars_requested'])})")
        out.append(_finding("summary", text + "."))
    else:
        out.append(_finding("note", f"This program has fewer than {k} applications: every figure is withheld "
                                    f"as an insufficient sample."))
        return out

    for key, dim in report["dimensions"].items():
        focus = next((g for g in dim["groups"] if g["group"] == dim["focus_group"]), None)
        if focus is None or focus["applicants"] == 0:
            continue
        phrase = dim["focus_phrase"]
        if focus["share_of_applicants"] is not None and focus["share_of_dollars"] is not None:
            out.append(_finding(
                "summary",
                f"{phrase} were {pct(focus['share_of_applicants'])} of applicants and received "
                f"{pct(focus['share_of_dollars'])} of dollars (award rate {pct(focus['award_rate'])}).",
                dimension=key, group=focus["group"],
                evidence={"n": focus["applicants"], "impact_ratio": focus["impact_ratio"], "fisher_p": focus["fisher_p"]}))
        elif focus["share_of_applicants"] is not None:
            out.append(_finding(
                "summary", f"{phrase} were {pct(focus['share_of_applicants'])} of applicants; their awards are "
                           f"too few to report (insufficient sample).", dimension=key, group=focus["group"]))

    small = {"applicants": 0}
    for key, dim in report["dimensions"].items():
        ref = dim["reference_group"]
        ref_row = next((g for g in dim["groups"] if g["group"] == ref), None)
        for g in dim["groups"]:
            if g["suppressed"]:
                small["applicants"] += 1
            if not g["below_four_fifths"] or ref_row is None:
                continue
            significant = g["fisher_p"] is not None and g["fisher_p"] < report["settings"]["alpha"]
            text = (f"{dim['label']} — {g['label']}: award rate {pct(g['award_rate'])} against "
                    f"{pct(ref_row['award_rate'])} for {ref_row['label']} (impact ratio {g['impact_ratio']:.2f}, "
                    f"below four-fifths; Fisher's exact {fmt_p(g['fisher_p'])}; n = {g['applicants']}).")
            if g["small_sample"]:
                text += (f" Small sample (n = {g['applicants']}): treat this as a signal to look into, "
                         f"not as proof.")
            elif not significant:
                text += " The difference is not statistically significant and may be chance."
            out.append(_finding("flag", text, dimension=key, group=g["group"],
                                evidence={"impact_ratio": g["impact_ratio"], "fisher_p": g["fisher_p"],
                                          "n": g["applicants"], "small_sample": g["small_sample"]},
                                next_step=_next_step(dim, g, ref)))

    for key, dim in report["dimensions"].items():
        for c in dim["criteria"]:
            for g in c["groups"]:
                if g["flagged"]:
                    out.append(_finding(
                        "flag",
                        f"Rubric criterion “{c['label']}”: {dim['label']} — {g['group']} applications score "
                        f"{g['gap']:+.2f} points against the rest (Mann–Whitney {fmt_p(g['mannwhitney_p'])}, "
                        f"effect size {g['effect_size']:+.2f}, n = {g['n']}).",
                        dimension=key, group=g["group"],
                        evidence={"gap": g["gap"], "mannwhitney_p": g["mannwhitney_p"],
                                  "effect_size": g["effect_size"], "n": g["n"]},
                        next_step="Re-examine this criterion's wording, anchors and guidance with the panel."))
        rv = dim["reviewers"]
        for r in rv["reviewers"]:
            if r["flagged"]:
                out.append(_finding(
                    "flag",
                    f"Reviewer {r['reviewer']} scores {dim['label'].lower()} — {rv['focus_group']} applications "
                    f"{r['gap']:+.2f} points against the rest, where the panel's is {rv['panel']['reference_gap']:+.2f} "
                    f"(n = {r['n_reviews']} reviews).",
                    dimension=key, group=rv["focus_group"],
                    evidence={"gap": r["gap"], "panel_gap": rv["panel"]["reference_gap"], "n": r["n_reviews"]},
                    next_step="Calibrate this reviewer: a norming session on the anchors, or paired reviews."))

    nb = report["need_benchmarks"]
    if nb["priority_places"]:
        if nb["share_of_dollars"] is not None and nb["share_of_population"] is not None:
            text = (f"Organizations serving priority places received {pct(nb['share_of_dollars'])} of dollars; "
                    f"those places hold {pct(nb['share_of_population'])} of the population"
                    + (f" and {pct(nb['share_of_need'])} of the need." if nb["share_of_need"] is not None else "."))
            below = nb["share_of_dollars"] < nb["share_of_population"]
            out.append(_finding("flag" if below else "summary", text, dimension="priority_place", group="yes",
                                evidence={"share_of_dollars": nb["share_of_dollars"],
                                          "share_of_population": nb["share_of_population"]},
                                next_step="Revisit outreach to the priority places." if below else None))
        unserved = [p["name"] for p in nb["places"] if p["applicants"] == 0]
        if unserved:
            out.append(_finding("flag", "No application served these priority places: " + ", ".join(unserved) + ".",
                                dimension="priority_place",
                                next_step="Revisit outreach to these places (community partners, information "
                                          "sessions, translated materials)."))

    poc = report["dimensions"].get("poc_led")
    if poc:
        row = next((g for g in poc["priority_rules"]["groups"] if g["group"] == "yes"), None)
        if row and "rubric_only" in row and "with_rules" in row:
            a, b = row["rubric_only"]["share_of_dollars"], row["with_rules"]["share_of_dollars"]
            if a is not None and b is not None:
                out.append(_finding(
                    "summary", f"Ranked by the rubric alone, organizations led by people of color would receive "
                               f"{pct(a)} of dollars; with the priority rules, {pct(b)}.",
                    dimension="poc_led", group="yes"))

    if small["applicants"]:
        out.append(_finding("note", f"{small['applicants']} group figures are withheld as an insufficient sample "
                                    f"(counts from 1 to {k - 1}, and the figures that would reveal them)."))
    return out


def blind_review_note(change: dict, timezone: str) -> dict:
    """A note for blind review switched mid-review (grantflow.reviews.progress.blind_review_changes):
    reviews on either side of it were made under different conditions."""
    from grantflow.core.timeutil import to_local

    when = f"{to_local(change['at'], timezone):%B %d, %Y}"
    how = "on" if change.get("blind_review") else "off"
    before = "with applicants' names visible" if how == "on" else "blind"
    return _finding("note", f"Blind review was turned {how} on {when}, after {change.get('reviews_started', 0)} "
                            f"review(s) had begun {before}: reviews before and after were made under different "
                            f"conditions, so read the reviewer and criterion figures with that in mind.",
                    evidence={"reviews_started": change.get("reviews_started", 0), "blind_review": how == "on"})
