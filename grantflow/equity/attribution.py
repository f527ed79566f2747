"""Where a gap in award rates comes from: who applied, the reviewers' rubric, the priority rules by
design, and the decisions beyond the ranking (docs/domain.md, "Attribution").

The gap is a group's award rate minus the other applicants' rate. It is split along the way an
award is made, each step a funded set on the same budget:

- **who applied**: the gap expected from the applicants' mix alone — which of the CHNA's priority
  places they serve and how high the CHNA ranks the needs they address — at the rubric ranking's
  funding rate in each such stratum (the rubric rewards that alignment, as its first criterion
  asks). Σ_s (share of the group in stratum s − share of the rest in s) × funded rate of s;
- **the reviewers' rubric**: the rest of the gap in the set funded by rubric score alone;
- **the priority rules, by design**: the gap of the set funded by the total with the rules, minus
  the rubric-only gap;
- **decisions beyond the ranking**: the actual gap minus the gap of the ranking with the rules.

The four add up to the actual gap. Without rubric scores (an imported cycle with no reviews) or
without the scoring engine's totals, the steps that cannot be told apart are reported together.
The rubric's part is then shown per criterion (its weighted share of the score gap) and, for the
dimension's focus group, per reviewer (the reviewer diagnostics' difference from the panel).
"""
from __future__ import annotations

from typing import Optional

import numpy as np
from flask_babel import lazy_gettext as _l

from grantflow.facts import ApplicationFacts, ProgramContext

WHO_APPLIED, RUBRIC, RULES, DECISIONS = "who_applied", "rubric", "priority_rules", "decisions"
LABELS = {
    WHO_APPLIED: _l("Who applied (priority places and CHNA needs served)"),
    RUBRIC: _l("Reviewers' rubric scores"),
    RULES: _l("Priority rules"),
    DECISIONS: _l("Decisions beyond the ranking"),
}
# How a board should read each part: a code (`kind`), and its words (`kind_label`).
KINDS = {WHO_APPLIED: "who applied", RUBRIC: "unintended", RULES: "by design", DECISIONS: "unintended"}
KIND_LABELS = {"who applied": _l("who applied"), "unintended": _l("unintended"), "by design": _l("by design")}


def strata(facts: list[ApplicationFacts], ctx: ProgramContext) -> np.ndarray:
    """Each application's CHNA stratum: serves a priority place (no / yes, as
    `facts.serves_priority_place`) × the best CHNA rank of the needs it addresses (1, 2, 3 or
    lower, none)."""
    ranks = {nid: min(n.rank, 3) - 1 for nid, n in ctx.needs.items()}
    priority = {pid for pid, p in ctx.places.items() if p.is_priority}
    none = 3

    def stratum(f: ApplicationFacts) -> int:
        best = min((ranks[n] for n in f.need_ids if n in ranks), default=none)
        return 4 * (not priority.isdisjoint(f.place_ids)) + best

    return np.fromiter(map(stratum, facts), dtype=np.int64, count=len(facts))


def _gap(selected: np.ndarray, in_group: np.ndarray) -> float:
    return float(selected[in_group].mean() - selected[~in_group].mean())


def _who_applied(in_group: np.ndarray, stratum: np.ndarray, funded: np.ndarray) -> float:
    n_strata = int(stratum.max()) + 1 if len(stratum) else 0
    total = np.bincount(stratum, minlength=n_strata)
    rate = np.bincount(stratum, weights=funded.astype(float), minlength=n_strata) / np.maximum(total, 1)
    share_g = np.bincount(stratum[in_group], minlength=n_strata) / in_group.sum()
    share_r = np.bincount(stratum[~in_group], minlength=n_strata) / (~in_group).sum()
    return float(((share_g - share_r) * rate).sum())


def attribute(in_group: np.ndarray, awarded: np.ndarray, stratum: np.ndarray,
              hypothetical: dict[str, Optional[np.ndarray]]) -> Optional[dict]:
    """The parts of one group's gap in award rate against the rest; None when the group or the
    rest is empty. Points are fractions (−0.05: five points against the group)."""
    if not in_group.any() or in_group.all():
        return None
    rubric_only, with_rules = hypothetical.get("rubric_only"), hypothetical.get("with_rules")
    actual = _gap(awarded, in_group)
    parts: dict[str, Optional[float]] = dict.fromkeys(LABELS)
    joined: list[str] = []
    if rubric_only is None:
        parts[WHO_APPLIED] = _who_applied(in_group, stratum, awarded)
        parts[DECISIONS] = actual - parts[WHO_APPLIED]
        joined = [RUBRIC, RULES, DECISIONS]
    else:
        parts[WHO_APPLIED] = _who_applied(in_group, stratum, rubric_only)
        merit = _gap(rubric_only, in_group)
        parts[RUBRIC] = merit - parts[WHO_APPLIED]
        if with_rules is None:
            parts[DECISIONS] = actual - merit
            joined = [RULES, DECISIONS]
        else:
            ranked = _gap(with_rules, in_group)
            parts[RULES] = ranked - merit
            parts[DECISIONS] = actual - ranked
    return {
        "gap": actual,
        # `includes`: the parts that could not be told apart from this one (their points are None).
        "components": [{"key": key, "label": str(LABELS[key]), "kind": KINDS[key],
                        "kind_label": str(KIND_LABELS[KINDS[key]]), "points": parts[key],
                        "includes": [j for j in joined if j != DECISIONS] if key == DECISIONS else []}
                       for key in LABELS],
    }


def rubric_detail(criteria: list[dict], weights: dict[int, float], group: str) -> list[dict]:
    """Each criterion's part of the group's weighted rubric score gap (criteria of the report's
    dimension, with their weights), the largest against the group first."""
    rows = []
    for c in criteria:
        g = next((x for x in c["groups"] if x["group"] == group and x["gap"] is not None), None)
        w = weights.get(c["criterion_id"], 0.0)
        if g is not None and w > 0:
            rows.append({"criterion": c["label"], "gap": g["gap"], "weight": w, "mannwhitney_p": g["mannwhitney_p"]})
    total_w = sum(r["weight"] for r in rows)
    for r in rows:
        r["weighted_gap"] = r["gap"] * r["weight"] / total_w
    total = sum(r["weighted_gap"] for r in rows)
    for r in rows:
        r["share_of_score_gap"] = r["weighted_gap"] / total if total else None
    return sorted(rows, key=lambda r: r["weighted_gap"])
