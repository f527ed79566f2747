"""The few plain-language statements that matter, built only from the suppressed report.

They read the report's visible numbers (never the raw data), so a finding can never disclose what
a table withholds. Each is worded by what the evidence supports: a clear difference (Fisher's p
below alpha), no meaningful difference (the 95% interval of the difference lies within the
margin), or too few to tell (neither) — never "no gap" for a sample too small to show one. Flags
carry their evidence, where the gap comes from (attribution.py) and a suggested next step.
"""
from __future__ import annotations

from typing import Optional

from grantflow.equity.attribution import DECISIONS, RUBRIC, RULES, WHO_APPLIED
from grantflow.equity.data import STAGE_LABELS, STAGES
from grantflow.equity.dimensions import NOT_REPORTED
from grantflow.equity.metrics import CLEAR, NO_GAP, TOO_FEW


def pct(x: Optional[float]) -> str:
    if x is None:
        return "not available"
    return f"{x * 100:.0f}%"


def pct_range(ci: Optional[list[float]]) -> str:
    return "" if not ci else f"{ci[0] * 100:.0f}–{ci[1] * 100:.0f}%"


def points(x: float) -> str:
    """Signed points of a rate, with a true minus sign: "−21", "+3", "0"."""
    n = round(x * 100)
    return "0" if n == 0 else f"{n:+d}".replace("-", "\u2212")


def fmt_p(p: Optional[float]) -> str:
    if p is None:
        return "p not available"
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def _finding(kind, text, *, dimension=None, group=None, evidence=None, next_step=None, board=None,
             attribution=None) -> dict:
    return {"kind": kind, "dimension": dimension, "group": group, "text": text, "evidence": evidence or {},
            "next_step": next_step, "board": board, "attribution": attribution}


def _rate(g: dict) -> str:
    """"35% (95% interval 18–57%)"."""
    return f"{pct(g['award_rate'])} (95% interval {pct_range(g['award_rate_ci'])})"


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
    return "Look at the funnel to see at which stage the gap opens."


_PART_WORDS = {WHO_APPLIED: "who applied (the priority places and CHNA needs they serve)",
               RUBRIC: "the reviewers' rubric scores", RULES: "the priority rules (by design)",
               DECISIONS: "decisions beyond the ranking (not by design)"}


def attribution_sentence(label: str, att: dict) -> str:
    """One sentence a board can read: how many points of the gap come from each part."""
    parts = []
    for c in att["components"]:
        if c["points"] is None:
            continue
        words = _PART_WORDS[c["key"]]
        if c["includes"]:
            words = "reviews and decisions together (no rubric ranking to tell them apart)" \
                if RUBRIC in c["includes"] else "the priority rules and decisions together"
        detail = ""
        if c["key"] == RUBRIC and att["criteria"]:
            worst = att["criteria"][0]
            if worst["weighted_gap"] < 0:
                detail = f", most from “{worst['criterion']}”"
            if att["reviewers"]:
                detail += ", and reviewer " + " and ".join(r["reviewer"] for r in att["reviewers"]) + " score it apart from the panel"
        parts.append(f"{points(c['points'])} points from {words}{detail}")
    return (f"Of the {points(att['gap'])}-point difference in award rate between {label} and the other applicants, "
            + "; ".join(parts) + ".")


_SOURCE_WORDS = {WHO_APPLIED: "who applied (the priority places and CHNA needs they serve)",
                 RUBRIC: "the reviewers' rubric scores", RULES: "the priority rules — by design",
                 DECISIONS: "decisions made beyond the ranking"}
_SOURCE_STEPS = {
    WHO_APPLIED: "Widen outreach: the applicants in this group serve the CHNA's priority places and needs less often.",
    RULES: "This part is by design: confirm with the board that the priority rules should weigh this way.",
    DECISIONS: "Review how final decisions departed from the ranking, and record the reasons.",
}


def main_source(att: dict) -> Optional[dict]:
    """The part that contributes most in the gap's own direction."""
    sign = 1 if att["gap"] >= 0 else -1
    parts = [c for c in att["components"] if c["points"] is not None and c["points"] * sign > 0]
    return max(parts, key=lambda c: abs(c["points"]), default=None)


def _source_text(att: dict) -> str:
    c = main_source(att)
    if c is None:
        return ""
    words = _SOURCE_WORDS[c["key"]]
    if c["key"] == RUBRIC and att["criteria"] and att["criteria"][0]["weighted_gap"] * att["gap"] > 0:
        words += f" (mostly “{att['criteria'][0]['criterion']}”)"
    text = f"Of the {points(att['gap'])}-point gap, the largest part comes from {words}: {points(c['points'])} points"
    offset = [o for o in att["components"] if o["points"] is not None and o["points"] * c["points"] < 0
              and abs(o["points"]) >= abs(att["gap"]) / 2]
    if offset:
        text += ", offset by " + " and ".join(f"{points(o['points'])} from {_SOURCE_WORDS[o['key']]}" for o in offset)
    return text + "."


def _evidence_text(g: dict) -> str:
    ci = g["rate_difference_ci"]
    spread = f"{points(ci[0])} to {points(ci[1])} points" if ci else "an unknown amount"
    if g["evidence"] == CLEAR:
        return f"The difference from the other applicants is clear (Fisher's exact {fmt_p(g['fisher_p'])}, n = {g['applicants']})."
    if g["evidence"] == NO_GAP:
        return f"No meaningful difference from the other applicants: the 95% interval runs from {spread}."
    return (f"Too few to tell: against the other applicants the difference could be anything from {spread} "
            f"(Fisher's exact {fmt_p(g['fisher_p'])}, n = {g['applicants']}). A signal to look into, not proof.")


def _totals(report: dict) -> dict:
    t = report["totals"]
    if not t["applicants"]:
        return _finding("summary", "No applications were received.")
    text = (f"{t['applicants']} applications were received; {t['awards']} were awarded "
            f"({pct(t['award_rate'])}, 95% interval {pct_range(t['award_rate_ci'])})")
    if t["dollars_requested"]:
        text += (f", receiving ${t['dollars_awarded']:,.0f} of the ${t['dollars_requested']:,.0f} requested "
                 f"({pct(t['dollars_awarded'] / t['dollars_requested'])})")
    return _finding("summary", text + ".", board=text + ".")


def _focus(key: str, dim: dict, k: int) -> Optional[dict]:
    focus = next((g for g in dim["groups"] if g["group"] == dim["focus_group"]), None)
    if focus is None or focus["applicants"] == 0:
        return None
    phrase = dim["focus_phrase"]
    if focus["suppressed"]:
        return _finding("note", f"{phrase}: withheld — fewer than {k} organizations in one of this dimension's "
                                f"groups, and the figures that would reveal it.", dimension=key, group=focus["group"])
    text = (f"{phrase} were {pct(focus['share_of_applicants'])} of applicants and {pct(focus['share_of_awards'])} "
            f"of awards: {focus['awards']} of {focus['applicants']}, an award rate of {_rate(focus)}")
    others = [g for g in dim["groups"] if g is not focus and g["group"] != NOT_REPORTED
              and g["applicants"] and not g["suppressed"]]
    if len(others) == 1:  # a yes/no dimension: the board reads the two rates side by side
        o = others[0]
        text += (f", against {pct(o['award_rate'])} for “{o['label']}” ({o['awards']} of {o['applicants']}, "
                 f"95% interval {pct_range(o['award_rate_ci'])})")
    if focus["share_of_dollars"] is not None:
        text += f"; they received {pct(focus['share_of_dollars'])} of dollars"
    elif focus["dollars_suppressed"]:
        text += f"; their share of dollars is withheld (fewer than {k} of them were awarded)"
    return _finding("summary", text + ".", dimension=key, group=focus["group"],
                    board=(text + ".") if dim["identity"] else None,
                    evidence={"n": focus["applicants"], "award_rate_ci": focus["award_rate_ci"],
                              "impact_ratio": focus["impact_ratio"], "fisher_p": focus["fisher_p"]})


def _flags(key: str, dim: dict) -> list[dict]:
    out = []
    ref = dim["reference_group"]
    ref_row = next((g for g in dim["groups"] if g["group"] == ref), None)
    for g in dim["groups"]:
        if not g["below_four_fifths"] or ref_row is None:
            continue
        text = (f"{dim['label']} — {g['label']}: award rate {_rate(g)} against {pct(ref_row['award_rate'])} for "
                f"{ref_row['label']} (impact ratio {g['impact_ratio']:.2f}, below four-fifths). {_evidence_text(g)}")
        att = dim["attribution"].get(g["group"])
        sentence = attribution_sentence(f"“{g['label']}”", att) if att else None
        if sentence:
            text += " " + sentence
        board = (f"{dim['label']} — “{g['label']}”: {g['awards']} of {g['applicants']} funded ({pct(g['award_rate'])}), "
                 f"against {pct(ref_row['award_rate'])} for “{ref_row['label']}”. "
                 + {CLEAR: "The difference is clear.", NO_GAP: "No meaningful difference.",
                    TOO_FEW: "Too few applications to be sure."}.get(g["evidence"], ""))
        source = main_source(att) if att else None
        if att:
            board += " " + _source_text(att)
        step = _SOURCE_STEPS.get(source["key"]) if source else None
        out.append(_finding("flag", text, dimension=key, group=g["group"], board=board, attribution=att,
                            evidence={"impact_ratio": g["impact_ratio"], "fisher_p": g["fisher_p"],
                                      "n": g["applicants"], "small_sample": g["small_sample"],
                                      "evidence": g["evidence"], "rate_difference_ci": g["rate_difference_ci"]},
                            next_step=step or _next_step(dim, g, ref)))
    return out


def _rubric_flags(key: str, dim: dict) -> list[dict]:
    out = []
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
    return out


def _places(report: dict) -> list[dict]:
    out = []
    nb = report["need_benchmarks"]
    if not nb["priority_places"]:
        return out
    as_of = report["program"]["places_as_of"]
    when = f" (the places as of {as_of['taken_at'][:10]})" if as_of else ""
    if nb["share_of_dollars"] is not None and nb["share_of_population"] is not None:
        text = (f"Organizations serving priority places received {pct(nb['share_of_dollars'])} of dollars; "
                f"those places hold {pct(nb['share_of_population'])} of the population"
                + (f" and {pct(nb['share_of_need'])} of the need{when}." if nb["share_of_need"] is not None else f"{when}."))
        below = nb["share_of_dollars"] < nb["share_of_population"]
        out.append(_finding("flag" if below else "summary", text, dimension="priority_place", group="yes",
                            evidence={"share_of_dollars": nb["share_of_dollars"],
                                      "share_of_population": nb["share_of_population"]},
                            next_step="Revisit outreach to the priority places." if below else None,
                            board=text if below else None))
    unserved = [p["name"] for p in nb["places"] if p["applicants"] == 0]
    if unserved:
        out.append(_finding("flag", f"No application served these priority places{when}: " + "; ".join(unserved) + ".",
                            dimension="priority_place",
                            next_step="Revisit outreach to these places (community partners, information "
                                      "sessions, translated materials)."))
    return out


def _pooled(report: dict) -> list[dict]:
    pool = report.get("pooled")
    if not pool:
        return []
    out = []
    span = f"{pool['cycles'][0]}–{pool['cycles'][-1]}"
    alpha = report["settings"]["alpha"]
    for key, d in pool["dimensions"].items():
        here = {g["group"]: g for g in report["dimensions"][key]["groups"]}
        for g in d["groups"]:
            if g["suppressed"] or not g["applicants"]:
                continue
            newly_shown = here.get(g["group"], {}).get("suppressed")
            thin = here.get(g["group"], {}).get("evidence") == TOO_FEW
            if not (newly_shown or (thin and g["cmh_p"] is not None and g["cmh_p"] < alpha)):
                continue
            why = "withheld in this cycle alone" if newly_shown else "too few to tell in this cycle alone"
            text = (f"Pooled over {span} ({why}): {d['label']} — {g['label']}: {g['awards']} of {g['applicants']} "
                    f"awarded, {_rate(g)}")
            if g["cmh_p"] is not None:
                text += (f"; across the cycles, the Cochran–Mantel–Haenszel test gives {fmt_p(g['cmh_p'])} "
                         f"(common odds ratio {g['cmh_odds_ratio']:.2f})" if g["cmh_odds_ratio"] is not None
                         else f"; Cochran–Mantel–Haenszel {fmt_p(g['cmh_p'])}")
            out.append(_finding("summary", text + ".", dimension=key, group=g["group"], board=text + ".",
                                evidence={"cycles": pool["cycles"], "cmh_p": g["cmh_p"],
                                          "cmh_odds_ratio": g["cmh_odds_ratio"], "n": g["applicants"]}))
    return out


def findings(report: dict) -> list[dict]:
    k = report["suppression"]["k"]
    out = [_totals(report)]
    if not report["totals"]["applicants"]:
        return out
    for key, dim in report["dimensions"].items():
        focus = _focus(key, dim, k)
        if focus:
            out.append(focus)
    for key, dim in report["dimensions"].items():
        out += _flags(key, dim)
    for key, dim in report["dimensions"].items():
        out += _rubric_flags(key, dim)
    out += _places(report)
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
    out += _pooled(report)
    withheld = [(dim["label"], dim["withheld_groups"]) for dim in report["dimensions"].values() if dim["withheld_groups"]]
    if withheld:
        out.append(_finding("note", f"Withheld to protect small identity groups (fewer than {k} organizations, and "
                                    "the groups that would reveal them): " + "; ".join(
                                        f"{label}: {', '.join(groups)}" for label, groups in withheld) + "."))
    return out


def board_summary(report: dict) -> list[dict]:
    """Three to five findings for a foundation board, each with what to do next: the totals, what
    the identity dimensions' focus groups received, the flags (clear differences first), then the
    place benchmark and what pooling shows — topped up with the other findings when fewer."""
    found = report["findings"]
    rank = {CLEAR: 0, TOO_FEW: 1, NO_GAP: 2}
    focus = [f for f in found if f["kind"] == "summary" and f["board"] and f["dimension"]
             and report["dimensions"].get(f["dimension"], {}).get("identity")][:1]
    flags = sorted((f for f in found if f["kind"] == "flag" and f["board"] and f["evidence"].get("evidence")),
                   key=lambda f: (rank.get(f["evidence"]["evidence"], 3), f["evidence"].get("fisher_p") or 1))
    chosen = [found[0]] + focus + flags[:2]
    chosen += [f for f in found[1:] if f["board"] and f not in chosen]
    chosen += [f for f in found[1:] if f not in chosen]
    return [{"text": f["board"] or f["text"], "next_step": f["next_step"] or _board_step(f)} for f in chosen[:5]]


def _board_step(f: dict) -> str:
    if f["kind"] == "summary" and f["dimension"] is None:
        return "Read each rate with its interval: at this size, one award moves a rate by several points."
    if f["kind"] == "summary" and f["dimension"]:
        return "Compare with the applicant pool and the CHNA's priorities; pool cycles to narrow the interval."
    if f["kind"] == "note":
        return "Pool cycles (see “Pooled across cycles”) to learn about groups too small to show in one."
    return "Keep tracking this across cycles."


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
