"""The few plain-language statements that matter, built only from the suppressed report.

They read the report's visible numbers (never the raw data), so a finding can never disclose what
a table withholds. Each is worded by what the evidence supports: a clear difference (Fisher's p
below alpha), no meaningful difference (the 95% interval of the difference lies within the
margin), or too few to tell (neither) — never "no gap" for a sample too small to show one. Flags
carry their evidence, where the gap comes from (attribution.py) and a suggested next step.
"""
from __future__ import annotations

from typing import Optional

from flask_babel import gettext as _
from flask_babel import ngettext

from grantflow.equity.attribution import DECISIONS, RUBRIC, RULES, WHO_APPLIED
from grantflow.equity.data import STAGES
from grantflow.equity.dimensions import NOT_REPORTED
from grantflow.equity.metrics import CLEAR, NO_GAP, TOO_FEW
from grantflow.core.i18n import format_list, format_number
from grantflow.equity.wording import fmt_p, money, pct, pct_range, points, signed


def _finding(kind, text, *, dimension=None, group=None, evidence=None, next_step=None, board=None,
             attribution=None) -> dict:
    return {"kind": kind, "dimension": dimension, "group": group, "text": text, "evidence": evidence or {},
            "next_step": next_step, "board": board, "attribution": attribution}


def _rate(g: dict) -> str:
    """"35% (95% interval 18–57%)"."""
    return _("%(rate)s (95%% interval %(interval)s)", rate=pct(g["award_rate"]), interval=pct_range(g["award_rate_ci"]))


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
        return _("Most of the gap opens at eligibility: review the eligibility rules and screening, and the "
                 "outreach that reaches these organizations.")
    if crit:
        label, g = min(crit, key=lambda c: c[1]["gap"])
        words = {"reviewed": _("Most of the gap opens at review: re-examine the criterion “%(criterion)s” "
                               "(gap %(gap)s points, %(p)s)."),
                 "awarded": _("Most of the gap opens at the final decision: re-examine the criterion "
                              "“%(criterion)s” (gap %(gap)s points, %(p)s).")}
        default = _("Most of the gap opens at recommendation: re-examine the criterion “%(criterion)s” "
                    "(gap %(gap)s points, %(p)s).")
        return words.get(stage, default) % {"criterion": label, "gap": signed(g["gap"]), "p": fmt_p(g["mannwhitney_p"])}
    if stage == "reviewed":
        return _("Most of the gap opens at review: re-examine the rubric and how recommendations are drawn "
                 "from scores.")
    if stage == "recommended":
        return _("Most of the gap opens at recommendation: re-examine the rubric and how recommendations are "
                 "drawn from scores.")
    if stage == "awarded":
        return _("Most of the gap opens at the final decision: revisit how recommended applications are funded.")
    return _("Look at the funnel to see at which stage the gap opens.")


def _part(c: dict, att: dict) -> str:
    """One part of the gap, in points: "−10 points from the reviewers' rubric scores"."""
    p = points(c["points"])
    if c["includes"]:
        if RUBRIC in c["includes"]:
            return _("%(points)s points from reviews and decisions together (no rubric ranking to tell them "
                     "apart)", points=p)
        return _("%(points)s points from the priority rules and decisions together", points=p)
    if c["key"] == RUBRIC:
        worst = att["criteria"][0] if att["criteria"] and att["criteria"][0]["weighted_gap"] < 0 else None
        reviewers = [r["reviewer_label"] for r in att["reviewers"]]
        if worst and reviewers:
            return ngettext("%(points)s points from the reviewers' rubric scores, most from “%(criterion)s”, "
                            "and reviewer %(reviewers)s scores it apart from the panel",
                            "%(points)s points from the reviewers' rubric scores, most from “%(criterion)s”, "
                            "and reviewers %(reviewers)s score it apart from the panel", len(reviewers),
                            points=p, criterion=worst["criterion"], reviewers=format_list(reviewers))
        if reviewers:
            return ngettext("%(points)s points from the reviewers' rubric scores, and reviewer %(reviewers)s "
                            "scores it apart from the panel",
                            "%(points)s points from the reviewers' rubric scores, and reviewers %(reviewers)s "
                            "score it apart from the panel", len(reviewers), points=p, reviewers=format_list(reviewers))
        if worst:
            return _("%(points)s points from the reviewers' rubric scores, most from “%(criterion)s”",
                     points=p, criterion=worst["criterion"])
    return {WHO_APPLIED: _("%(points)s points from who applied (the priority places and CHNA needs they serve)"),
            RUBRIC: _("%(points)s points from the reviewers' rubric scores"),
            RULES: _("%(points)s points from the priority rules (by design)"),
            DECISIONS: _("%(points)s points from decisions beyond the ranking (not by design)")}[c["key"]] % {"points": p}


def attribution_sentence(label: str, att: dict) -> str:
    """One sentence a board can read: how many points of the gap come from each part."""
    parts = [_part(c, att) for c in att["components"] if c["points"] is not None]
    return _("Of the %(gap)s-point difference in award rate between “%(group)s” and the other applicants, "
             "%(parts)s.", gap=points(att["gap"]), group=label, parts="; ".join(parts))


def _source_steps() -> dict[str, str]:
    return {
        WHO_APPLIED: _("Widen outreach: the applicants in this group serve the CHNA's priority places and needs "
                       "less often."),
        RULES: _("This part is by design: confirm with the board that the priority rules should weigh this way."),
        DECISIONS: _("Review how final decisions departed from the ranking, and record the reasons."),
    }


def _rubric_step(att: dict) -> str:
    """The next step of a gap that comes mostly from the reviewers' scores: the criterion that
    carries most of it, else the rubric (never the funnel's stage, which can tell another story)."""
    worst = att["criteria"][0] if att["criteria"] and att["criteria"][0]["weighted_gap"] * att["gap"] > 0 else None
    if worst:
        return _("Most of the gap comes from the reviewers' rubric scores: re-examine the criterion “%(criterion)s” "
                 "with the panel (its wording, anchors and guidance).", criterion=worst["criterion"])
    return _("Most of the gap comes from the reviewers' rubric scores: re-examine the rubric and its anchors with "
             "the panel.")


def main_source(att: dict) -> Optional[dict]:
    """The part that contributes most in the gap's own direction."""
    sign = 1 if att["gap"] >= 0 else -1
    parts = [c for c in att["components"] if c["points"] is not None and c["points"] * sign > 0]
    return max(parts, key=lambda c: abs(c["points"]), default=None)


def _source_text(att: dict) -> str:
    c = main_source(att)
    if c is None:
        return ""
    values = {"gap": points(att["gap"]), "points": points(c["points"])}
    if c["key"] == RUBRIC and att["criteria"] and att["criteria"][0]["weighted_gap"] * att["gap"] > 0:
        text = _("Of the %(gap)s-point gap, the largest part comes from the reviewers' rubric scores (mostly "
                 "“%(criterion)s”): %(points)s points.", criterion=att["criteria"][0]["criterion"], **values)
    else:
        text = {WHO_APPLIED: _("Of the %(gap)s-point gap, the largest part comes from who applied (the priority "
                               "places and CHNA needs they serve): %(points)s points."),
                RUBRIC: _("Of the %(gap)s-point gap, the largest part comes from the reviewers' rubric scores: "
                          "%(points)s points."),
                RULES: _("Of the %(gap)s-point gap, the largest part comes from the priority rules — by design: "
                         "%(points)s points."),
                DECISIONS: _("Of the %(gap)s-point gap, the largest part comes from decisions made beyond the "
                             "ranking: %(points)s points.")}[c["key"]] % values
    offset = [o for o in att["components"] if o["points"] is not None and o["points"] * c["points"] < 0
              and abs(o["points"]) >= abs(att["gap"]) / 2]
    if offset:
        words = {WHO_APPLIED: _("%(points)s points from who applied"),
                 RUBRIC: _("%(points)s points from the reviewers' rubric scores"),
                 RULES: _("%(points)s points from the priority rules"),
                 DECISIONS: _("%(points)s points from decisions made beyond the ranking")}
        text += " " + _("Offsetting it: %(parts)s.", parts=format_list(
            [words[o["key"]] % {"points": points(o["points"])} for o in offset]))
    return text


def _evidence_text(g: dict) -> str:
    ci, p, n = g["rate_difference_ci"], fmt_p(g["fisher_p"]), _count(g["applicants"])
    if g["evidence"] == CLEAR:
        return _("The difference from the other applicants is clear (Fisher's exact %(p)s, n = %(n)s).", p=p, n=n)
    if not ci:
        return _("Too few to tell: the difference from the other applicants cannot be estimated (Fisher's exact "
                 "%(p)s, n = %(n)s). A signal to look into, not proof.", p=p, n=n)
    low, high = points(ci[0]), points(ci[1])
    if g["evidence"] == NO_GAP:
        return _("No meaningful difference from the other applicants: the 95%% interval runs from %(low)s to "
                 "%(high)s points.", low=low, high=high)
    return _("Too few to tell: against the other applicants the difference could be anything from %(low)s to "
             "%(high)s points (Fisher's exact %(p)s, n = %(n)s). A signal to look into, not proof.",
             low=low, high=high, p=p, n=n)


def _count(n: Optional[int]) -> str:
    return _("withheld") if n is None else format_number(n)


def _totals(report: dict) -> dict:
    t = report["totals"]
    if not t["applicants"]:
        return _finding("summary", _("No applications were received."))
    received = ngettext("%(count)s application was received.", "%(count)s applications were received.",
                        t["applicants"], count=format_number(t["applicants"]))
    values = {"count": format_number(t["awards"]), "rate": pct(t["award_rate"]), "interval": pct_range(t["award_rate_ci"])}
    if t["dollars_requested"]:
        awarded = ngettext(
            "%(count)s was awarded (%(rate)s, 95%% interval %(interval)s), receiving %(awarded)s of the "
            "%(requested)s requested (%(share)s).",
            "%(count)s were awarded (%(rate)s, 95%% interval %(interval)s), receiving %(awarded)s of the "
            "%(requested)s requested (%(share)s).", t["awards"], awarded=money(t["dollars_awarded"]),
            requested=money(t["dollars_requested"]), share=pct(t["dollars_awarded"] / t["dollars_requested"]),
            **values)
    else:
        awarded = ngettext("%(count)s was awarded (%(rate)s, 95%% interval %(interval)s).",
                           "%(count)s were awarded (%(rate)s, 95%% interval %(interval)s).", t["awards"], **values)
    text = f"{received} {awarded}"
    return _finding("summary", text, board=text)


def _focus(key: str, dim: dict, k: int) -> Optional[dict]:
    focus = next((g for g in dim["groups"] if g["group"] == dim["focus_group"]), None)
    if focus is None or focus["applicants"] == 0:
        return None
    phrase = dim["focus_phrase"]
    if focus["suppressed"]:
        return _finding("note", ngettext("%(phrase)s: withheld — fewer than %(num)s organization in one of this "
                                         "dimension's groups, and the figures that would reveal it.",
                                         "%(phrase)s: withheld — fewer than %(num)s organizations in one of this "
                                         "dimension's groups, and the figures that would reveal it.", k, phrase=phrase),
                        dimension=key, group=focus["group"])
    values = {"phrase": phrase, "applicants_share": pct(focus["share_of_applicants"]),
              "awards_share": pct(focus["share_of_awards"]), "awards": _count(focus["awards"]),
              "applicants": _count(focus["applicants"]), "rate": _rate(focus)}
    others = [g for g in dim["groups"] if g is not focus and g["group"] != NOT_REPORTED
              and g["applicants"] and not g["suppressed"]]
    if len(others) == 1:  # a yes/no dimension: the board reads the two rates side by side
        o = others[0]
        text = _("%(phrase)s were %(applicants_share)s of applicants and %(awards_share)s of awards: %(awards)s of "
                 "%(applicants)s, an award rate of %(rate)s, against %(other_rate)s for “%(other)s” (%(other_awards)s "
                 "of %(other_applicants)s, 95%% interval %(other_interval)s).", other_rate=pct(o["award_rate"]),
                 other=o["label"], other_awards=_count(o["awards"]), other_applicants=_count(o["applicants"]),
                 other_interval=pct_range(o["award_rate_ci"]), **values)
    else:
        text = _("%(phrase)s were %(applicants_share)s of applicants and %(awards_share)s of awards: %(awards)s of "
                 "%(applicants)s, an award rate of %(rate)s.", **values)
    if focus["share_of_dollars"] is not None:
        text += " " + _("They received %(share)s of dollars.", share=pct(focus["share_of_dollars"]))
    elif focus["dollars_suppressed"]:
        text += " " + ngettext("Their share of dollars is withheld (fewer than %(num)s of them was awarded).",
                               "Their share of dollars is withheld (fewer than %(num)s of them were awarded).", k)
    return _finding("summary", text, dimension=key, group=focus["group"],
                    board=text if dim["identity"] else None,
                    evidence={"n": focus["applicants"], "award_rate_ci": focus["award_rate_ci"],
                              "impact_ratio": focus["impact_ratio"], "fisher_p": focus["fisher_p"]})


def _flags(key: str, dim: dict) -> list[dict]:
    out = []
    ref = dim["reference_group"]
    ref_row = next((g for g in dim["groups"] if g["group"] == ref), None)
    steps = _source_steps()
    for g in dim["groups"]:
        if not g["below_four_fifths"] or ref_row is None:
            continue
        text = _("%(dimension)s — %(group)s: award rate %(rate)s against %(ref_rate)s for %(ref)s (impact ratio "
                 "%(ratio)s, below four-fifths).", dimension=dim["label"], group=g["label"], rate=_rate(g),
                 ref_rate=pct(ref_row["award_rate"]), ref=ref_row["label"], ratio=format_number(g["impact_ratio"], 2))
        text += " " + _evidence_text(g)
        att = dim["attribution"].get(g["group"])
        if att:
            text += " " + attribution_sentence(g["label"], att)
        board = _("%(dimension)s — “%(group)s”: %(awards)s of %(applicants)s funded (%(rate)s), against %(ref_rate)s "
                  "for “%(ref)s”.", dimension=dim["label"], group=g["label"], awards=_count(g["awards"]),
                  applicants=_count(g["applicants"]), rate=pct(g["award_rate"]), ref_rate=pct(ref_row["award_rate"]),
                  ref=ref_row["label"])
        verdict = {CLEAR: _("The difference is clear."), NO_GAP: _("No meaningful difference."),
                   TOO_FEW: _("Too few applications to be sure.")}.get(g["evidence"])
        if verdict:
            board += " " + verdict
        source = main_source(att) if att else None
        if att:
            board += " " + _source_text(att)
        step = (_rubric_step(att) if source["key"] == RUBRIC else steps.get(source["key"])) if source else None
        out.append(_finding("flag", text, dimension=key, group=g["group"], board=board.strip(), attribution=att,
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
                    _("Rubric criterion “%(criterion)s”: %(dimension)s — %(group)s applications score %(gap)s points "
                      "against the rest (Mann–Whitney %(p)s, effect size %(effect)s, n = %(n)s).",
                      criterion=c["label"], dimension=dim["label"], group=g["label"],
                      gap=signed(g["gap"]), p=fmt_p(g["mannwhitney_p"]), effect=signed(g["effect_size"]),
                      n=_count(g["n"])),
                    dimension=key, group=g["group"],
                    evidence={"gap": g["gap"], "mannwhitney_p": g["mannwhitney_p"],
                              "effect_size": g["effect_size"], "n": g["n"]},
                    next_step=_("Re-examine this criterion's wording, anchors and guidance with the panel.")))
    rv = dim["reviewers"]
    for r in rv["reviewers"]:
        if r["flagged"]:
            out.append(_finding(
                "flag",
                ngettext("Reviewer %(reviewer)s scores %(dimension)s — %(group)s applications %(gap)s points against "
                         "the rest, where the panel's is %(panel)s (n = %(count)s review).",
                         "Reviewer %(reviewer)s scores %(dimension)s — %(group)s applications %(gap)s points against "
                         "the rest, where the panel's is %(panel)s (n = %(count)s reviews).", r["n_reviews"],
                         reviewer=r["reviewer_label"], dimension=dim["label"],
                         group=rv["focus_group_label"], gap=signed(r["gap"]),
                         panel=signed(rv["panel"]["reference_gap"]), count=format_number(r["n_reviews"])),
                dimension=key, group=rv["focus_group"],
                evidence={"gap": r["gap"], "panel_gap": rv["panel"]["reference_gap"], "n": r["n_reviews"]},
                next_step=_("Calibrate this reviewer: a norming session on the anchors, or paired reviews.")))
    return out


def _as_of(report: dict) -> str:
    """" (The places as of December 1, 2026.)", or nothing for the current places."""
    import datetime as dt

    from grantflow.core.i18n import format_when

    as_of = report["program"]["places_as_of"]
    if not as_of:
        return ""
    day = dt.date.fromisoformat(as_of["taken_at"][:10])
    return " " + _("(The places as of %(date)s.)", date=format_when(day, "day"))


def _places(report: dict) -> list[dict]:
    out = []
    nb = report["need_benchmarks"]
    if not nb["priority_places"]:
        return out
    when = _as_of(report)
    if nb["share_of_dollars"] is not None and nb["share_of_population"] is not None:
        values = {"dollars": pct(nb["share_of_dollars"]), "population": pct(nb["share_of_population"])}
        if nb["share_of_need"] is not None:
            text = _("Organizations serving priority places received %(dollars)s of dollars; those places hold "
                     "%(population)s of the population and %(need)s of the need.", need=pct(nb["share_of_need"]),
                     **values)
        else:
            text = _("Organizations serving priority places received %(dollars)s of dollars; those places hold "
                     "%(population)s of the population.", **values)
        text += when
        below = nb["share_of_dollars"] < nb["share_of_population"]
        out.append(_finding("flag" if below else "summary", text, dimension="priority_place", group="yes",
                            evidence={"share_of_dollars": nb["share_of_dollars"],
                                      "share_of_population": nb["share_of_population"]},
                            next_step=_("Revisit outreach to the priority places.") if below else None,
                            board=text if below else None))
    unserved = [p["name"] for p in nb["places"] if p["applicants"] == 0]
    if unserved:
        out.append(_finding("flag", _("No application served these priority places: %(places)s.",
                                      places="; ".join(unserved)) + when,
                            dimension="priority_place",
                            next_step=_("Revisit outreach to these places (community partners, information "
                                        "sessions, translated materials).")))
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
            values = {"span": span, "dimension": d["label"], "group": g["label"], "awards": _count(g["awards"]),
                      "applicants": _count(g["applicants"]), "rate": _rate(g)}
            if newly_shown:
                text = _("Pooled over %(span)s (withheld in this cycle alone): %(dimension)s — %(group)s: %(awards)s "
                         "of %(applicants)s awarded, %(rate)s.", **values)
            else:
                text = _("Pooled over %(span)s (too few to tell in this cycle alone): %(dimension)s — %(group)s: "
                         "%(awards)s of %(applicants)s awarded, %(rate)s.", **values)
            if g["cmh_p"] is not None and g["cmh_odds_ratio"] is not None:
                text += " " + _("Across the cycles, the Cochran–Mantel–Haenszel test gives %(p)s (common odds ratio "
                                "%(odds)s).", p=fmt_p(g["cmh_p"]), odds=format_number(g["cmh_odds_ratio"], 2))
            elif g["cmh_p"] is not None:
                text += " " + _("Across the cycles, the Cochran–Mantel–Haenszel test gives %(p)s.", p=fmt_p(g["cmh_p"]))
            out.append(_finding("summary", text, dimension=key, group=g["group"], board=text,
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
                    "summary", _("Ranked by the rubric alone, organizations led by people of color would receive "
                                 "%(rubric_only)s of dollars; with the priority rules, %(with_rules)s.",
                                 rubric_only=pct(a), with_rules=pct(b)),
                    dimension="poc_led", group="yes"))
    out += _pooled(report)
    withheld = [_("%(dimension)s: %(groups)s", dimension=dim["label"], groups=", ".join(dim["withheld_group_labels"]))
                for dim in report["dimensions"].values() if dim["withheld_groups"]]
    if withheld:
        out.append(_finding("note", ngettext(
            "Withheld to protect small identity groups (fewer than %(num)s organization, and the groups that would "
            "reveal them): %(groups)s.",
            "Withheld to protect small identity groups (fewer than %(num)s organizations, and the groups that would "
            "reveal them): %(groups)s.", k, groups="; ".join(withheld))))
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
        return _("Read each rate with its interval: at this size, one award moves a rate by several points.")
    if f["kind"] == "summary" and f["dimension"]:
        return _("Compare with the applicant pool and the CHNA's priorities; pool cycles to narrow the interval.")
    if f["kind"] == "note":
        return _("Pool cycles (see “Pooled across cycles”) to learn about groups too small to show in one.")
    return _("Keep tracking this across cycles.")


def blind_review_note(change: dict, timezone: str) -> dict:
    """A note for blind review switched mid-review (grantflow.reviews.progress.blind_review_changes):
    reviews on either side of it were made under different conditions."""
    from grantflow.core.i18n import format_when
    from grantflow.core.timeutil import to_local

    when = format_when(to_local(change["at"], timezone).date(), "day")
    started = change.get("reviews_started", 0)
    if change.get("blind_review"):
        text = ngettext("Blind review was turned on on %(date)s, after %(count)s review had begun with applicants' "
                        "names visible: reviews before and after were made under different conditions, so read "
                        "the reviewer and criterion figures with that in mind.",
                        "Blind review was turned on on %(date)s, after %(count)s reviews had begun with applicants' "
                        "names visible: reviews before and after were made under different conditions, so read "
                        "the reviewer and criterion figures with that in mind.", started, date=when, count=format_number(started))
    else:
        text = ngettext("Blind review was turned off on %(date)s, after %(count)s review had begun blind: reviews "
                        "before and after were made under different conditions, so read the reviewer and "
                        "criterion figures with that in mind.",
                        "Blind review was turned off on %(date)s, after %(count)s reviews had begun blind: reviews "
                        "before and after were made under different conditions, so read the reviewer and "
                        "criterion figures with that in mind.", started, date=when, count=format_number(started))
    return _finding("note", text, evidence={"reviews_started": started, "blind_review": bool(change.get("blind_review"))})
