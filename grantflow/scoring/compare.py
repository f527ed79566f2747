"""Comparing two score runs: what changed in the configuration, who moved up or down, and why.

"Why" is told per rule: how many of the total's points each rule contributed in each run
(`ApplicationScore.contribution`), so a move is traced to the rules and settings that caused it.
A rule's explanation counts as changed when its message or arguments did (not its wording in the
reader's language; a run stored before messages is compared by its English text).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from grantflow.scoring.engine import run_results
from grantflow.scoring.explain import Text, same
from grantflow.scoring.models import ScoreRun
from grantflow.scoring.results import ApplicationScore, ranked


@dataclass(frozen=True)
class RuleDelta:
    rule_key: str
    label: str
    before: float  # points of the total contributed in run A
    after: float
    explanation_before: Text  # worded in the reader's language when shown
    explanation_after: Text

    @property
    def delta(self) -> float:
        return self.after - self.before

    @property
    def explanation_changed(self) -> bool:
        return not same(self.explanation_before, self.explanation_after)


@dataclass(frozen=True)
class Movement:
    application_id: int
    rank_before: Optional[int]
    rank_after: Optional[int]
    total_before: Optional[float]
    total_after: Optional[float]
    reasons: tuple[RuleDelta, ...]  # largest change first

    @property
    def moved(self) -> int:
        """Places moved up (positive) or down (negative); 0 when new or unchanged."""
        if self.rank_before is None or self.rank_after is None:
            return 0
        return self.rank_before - self.rank_after


@dataclass(frozen=True)
class Comparison:
    run_a: ScoreRun
    run_b: ScoreRun
    config_changes: tuple[str, ...]
    movements: tuple[Movement, ...]  # biggest moves first

    @property
    def up(self) -> list[Movement]:
        return [m for m in self.movements if m.moved > 0]

    @property
    def down(self) -> list[Movement]:
        return [m for m in self.movements if m.moved < 0]

    @property
    def identical(self) -> bool:
        return self.run_a.config_hash == self.run_b.config_hash and all(
            m.moved == 0 and m.total_before == m.total_after for m in self.movements)


def _fmt(v) -> str:
    return str(v) if not isinstance(v, float) else f"{v:g}"


def config_changes(a: dict, b: dict) -> list[str]:
    ra = {r["key"]: r for r in a.get("rules", [])}
    rb = {r["key"]: r for r in b.get("rules", [])}
    out = []
    for key in sorted(set(ra) | set(rb)):
        x, y = ra.get(key), rb.get(key)
        label = (y or x).get("label", key)
        if x is None:
            out.append(f"{label}: added with weight {_fmt(y['weight'])}")
            continue
        if y is None:
            out.append(f"{label}: removed")
            continue
        if x.get("version") != y.get("version"):
            out.append(f"{label}: rule version {x.get('version')} → {y.get('version')}")
        if x["weight"] != y["weight"]:
            out.append(f"{label}: weight {_fmt(x['weight'])} → {_fmt(y['weight'])}")
        for p in sorted(set(x["params"]) | set(y["params"])):
            if x["params"].get(p) != y["params"].get(p):
                out.append(f"{label}: {p.replace('_', ' ')} {_fmt(x['params'].get(p))} → {_fmt(y['params'].get(p))}")
    return out


def rank_map(scores: dict[int, ApplicationScore]) -> dict[int, int]:
    return {s.application_id: i for i, s in enumerate(ranked(scores.values()), 1)}


def compare_scores(a: dict[int, ApplicationScore], b: dict[int, ApplicationScore]) -> list[Movement]:
    ranks_a, ranks_b = rank_map(a), rank_map(b)
    movements = []
    for aid in sorted(set(a) | set(b)):
        sa, sb = a.get(aid), b.get(aid)
        keys = sorted({r.rule_key for s in (sa, sb) if s for r in s.rules})
        reasons = []
        for key in keys:
            ra = next((r for r in sa.rules if r.rule_key == key), None) if sa else None
            rb = next((r for r in sb.rules if r.rule_key == key), None) if sb else None
            before = sa.contribution(key) if sa else 0.0
            after = sb.contribution(key) if sb else 0.0
            if abs(after - before) < 1e-9 and (ra and rb and same(ra.explanation, rb.explanation)):
                continue
            reasons.append(RuleDelta(key, (rb or ra).label, round(before, 4), round(after, 4),
                                     ra.explanation if ra else "", rb.explanation if rb else ""))
        reasons.sort(key=lambda d: (-abs(d.delta), d.rule_key))
        movements.append(Movement(aid, ranks_a.get(aid), ranks_b.get(aid), sa.total if sa else None,
                                  sb.total if sb else None, tuple(reasons)))
    movements.sort(key=lambda m: (-abs(m.moved), m.rank_after or 10**9, m.application_id))
    return movements


def compare_runs(run_a: ScoreRun, run_b: ScoreRun) -> Comparison:
    """Run A is "before", run B "after"."""
    return Comparison(run_a, run_b, tuple(config_changes(run_a.config or {}, run_b.config or {})),
                      tuple(compare_scores(run_results(run_a), run_results(run_b))))
