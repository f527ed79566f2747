"""Score results as plain frozen values, and the one definition of the total.

The total is the weighted mean of each rule's points/maximum, on 0–100:

    total = 100 × Σ weightᵣ × pointsᵣ / maxᵣ  /  Σ weightᵣ      (over rules with status "ok")

`merit` is the rubric rule's points/max × 100 (None when not yet reviewed); `priority` is the same
weighted mean over the priority (non-merit) rules. A rule with no data ("no data", e.g. not yet
reviewed) or that raised ("errored") is left out of the sums, never counted as zero. A score
whose merit part has no data yet (not yet reviewed) or with an errored rule is incomplete; what
that means for ranking and funding is an application's standing (grantflow/scoring/standing.py).
"""
from __future__ import annotations

from dataclasses import dataclass
from operator import attrgetter
from flask_babel import lazy_gettext as _l
from typing import Iterable, Optional, Sequence

import numpy as np

from grantflow.scoring.explain import Text

OK = "ok"
ERRORED = "errored"
NO_DATA = "no data"
STATUS_LABELS = {OK: _l("Scored"), ERRORED: _l("Error — not counted"), NO_DATA: _l("No data — not counted")}


@dataclass(frozen=True, slots=True)
class RuleOutcome:
    rule_key: str
    label: str
    version: str
    weight: float
    points: Optional[float]
    max_points: Optional[float]
    status: str
    explanation: Text  # an Explanation (worded when shown) or a plugin's plain str
    evidence: dict
    kind: str = "priority"

    @property
    def counted(self) -> bool:
        return self.status == OK and bool(self.max_points) and self.weight > 0

    @property
    def percent(self) -> Optional[float]:
        if self.status != OK or not self.max_points:
            return None
        return 100.0 * (self.points or 0.0) / self.max_points


def keeps_complete(status: str, kind: str) -> bool:
    """Whether a rule's outcome leaves the score complete: scored, or a priority rule with no data
    (e.g. a funder with no CHNA needs yet), which is simply left out for everyone alike."""
    return status == OK or (status == NO_DATA and kind != "merit")


@dataclass(frozen=True, slots=True)
class ApplicationScore:
    application_id: int
    total: float
    merit: Optional[float]
    priority: Optional[float]
    rules: tuple[RuleOutcome, ...]
    run_id: Optional[int]

    @property
    def complete(self) -> bool:
        """No rule errored and the merit part (if used) has data (`keeps_complete`)."""
        return all(keeps_complete(r.status, r.kind) for r in self.rules)

    @property
    def missing(self) -> tuple[str, ...]:
        return tuple(r.label for r in self.rules if not keeps_complete(r.status, r.kind))

    def contributions(self) -> dict[str, float]:
        """How many of the total's 0–100 points each rule contributes, by rule key, in one pass
        (the board reads every rule's part of every application)."""
        counted = [r.counted for r in self.rules]
        den = sum(r.weight for r, c in zip(self.rules, counted) if c)
        return {r.rule_key: 100.0 * r.weight * (r.points or 0.0) / r.max_points / den if c and den else 0.0
                for r, c in zip(self.rules, counted)}

    def contribution(self, rule_key: str) -> float:
        """How many of the total's 0–100 points this rule contributes."""
        return self.contributions().get(rule_key, 0.0)


Part = tuple  # (weight, points, max_points, status, kind): one rule's outcome, as stored


def combine_parts(parts: Iterable[Part]) -> tuple[float, Optional[float], Optional[float], bool]:
    """(total, merit, priority, complete) per the module's definition, rounded as stored; the one
    place the total is computed (for `RuleOutcome`s and for the rows `rescore` writes alike)."""
    num = den = pnum = pden = 0.0
    merit = None
    complete = True
    for weight, points, maximum, status, kind in parts:
        if status != OK:
            complete = complete and keeps_complete(status, kind)
            continue
        if not maximum or weight <= 0:
            continue
        frac = (points or 0.0) / maximum
        num += weight * frac
        den += weight
        if kind == "merit":
            merit = 100.0 * frac
        else:
            pnum += weight * frac
            pden += weight
    total = round(100.0 * num / den, 6) if den else 0.0
    return (total, None if merit is None else round(merit, 6),
            round(100.0 * pnum / pden, 6) if pden else None, complete)


def combine_columns(columns: Sequence[tuple[Sequence[Part], Sequence[int]]], n: int
                    ) -> tuple[list[float], list[Optional[float]], list[Optional[float]], list[bool]]:
    """`combine_parts` of n applications at once, from each rule's column in rule order: its
    distinct parts and, per application, the position of its part among them (applications alike
    share one). The same arithmetic, operation for operation (a part not counted adds exactly 0.0;
    the rounding is Python's `round`), so the numbers are the same to the last bit
    (tests/scoring/test_fast_paths.py); at 50,000 applications it replaces 50,000 calls."""
    num, den, pnum, pden = np.zeros(n), np.zeros(n), np.zeros(n), np.zeros(n)
    merit, has_merit = np.zeros(n), np.zeros(n, dtype=bool)
    complete = np.ones(n, dtype=bool)
    for parts, codes in columns:
        if not parts:
            continue
        at = np.asarray(codes, dtype=np.int64)
        # Per distinct part: counted (as in `combine_parts`: ok, a maximum, a weight), its fraction.
        counted_frac = [(True, (points or 0.0) / maximum) if status == OK and maximum and weight > 0 else (False, 0.0)
                        for weight, points, maximum, status, _k in parts]
        counted = np.array([c for c, _f in counted_frac], dtype=bool)[at]
        frac = np.array([f for _c, f in counted_frac], dtype=float)[at]
        complete &= np.array([keeps_complete(status, kind) for _w, _p, _m, status, kind in parts], dtype=bool)[at]
        weight, kind = parts[0][0], parts[0][4]  # one rule: one weight, one kind
        part = np.where(counted, weight * frac, 0.0)
        share = np.where(counted, weight, 0.0)
        num, den = num + part, den + share
        if kind == "merit":
            merit, has_merit = np.where(counted, 100.0 * frac, merit), has_merit | counted
        else:
            pnum, pden = pnum + part, pden + share
    with np.errstate(divide="ignore", invalid="ignore"):
        total, priority = (100.0 * num / den).tolist(), (100.0 * pnum / pden).tolist()
    return ([round(t, 6) if d else 0.0 for t, d in zip(total, den.tolist())],
            [round(m, 6) if h else None for m, h in zip(merit.tolist(), has_merit.tolist())],
            [round(p, 6) if d else None for p, d in zip(priority, pden.tolist())],
            complete.tolist())


_part = attrgetter("weight", "points", "max_points", "status", "kind")  # a RuleOutcome as a Part


def combine(outcomes: Iterable[RuleOutcome]) -> tuple[float, Optional[float], Optional[float]]:
    """(total, merit, priority) of rule outcomes."""
    return combine_parts(map(_part, outcomes))[:3]


def build_score(application_id: int, outcomes: tuple[RuleOutcome, ...], run_id: Optional[int]) -> ApplicationScore:
    total, merit, priority = combine(outcomes)
    return ApplicationScore(application_id, total, merit, priority, outcomes, run_id)


def ranking_key(score: ApplicationScore):
    """For comparing recorded runs: complete scores first, then by total (highest first), ties by
    application id (stable). The pages rank by standing (grantflow/scoring/standing.py)."""
    return (not score.complete, -score.total, score.application_id)


def ranked(scores: Iterable[ApplicationScore]) -> list[ApplicationScore]:
    return sorted(scores, key=ranking_key)
