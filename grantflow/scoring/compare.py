"""Comparing two score runs: what changed in the configuration, who moved up or down, and why.

"Why" is told per rule: how many of the total's points each rule contributed in each run
(`ApplicationScore.contribution`), so a move is traced to the rules and settings that caused it.
A rule's explanation counts as changed when its message or arguments did (not its wording in the
reader's language; a run stored before messages is compared by its English text). The changes in
the configuration are kept as what changed (`ConfigChange`) and worded when shown, in the reader's
language.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import Any, Optional

from flask_babel import gettext as _

from grantflow.core.i18n import format_number
from grantflow.scoring.engine import run_results
from grantflow.scoring.explain import Text, same
from grantflow.scoring.models import ScoreRun
from grantflow.scoring.registry import available_rules
from grantflow.scoring.results import ApplicationScore, ranked
from grantflow.scoring.rules import Param, ScoringRule

# What a ConfigChange says changed.
ADDED, REMOVED, VERSION, WEIGHT, PARAM = "added", "removed", "version", "weight", "param"


@dataclass(frozen=True)
class RuleDelta:
    rule_key: str
    label: str
    before: float  # points of the total contributed in run A
    after: float
    explanation_before: Text  # worded in the reader's language when shown
    explanation_after: Text
    explanation_changed: bool  # its message or arguments changed (`explain.same`)

    @property
    def delta(self) -> float:
        return self.after - self.before


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
    config_changes: tuple[ConfigChange, ...]
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


@dataclass(frozen=True)
class ConfigChange:
    """One change in the rules between two runs, worded by `str()` in the reader's language: the
    rule's and its parameter's labels where the rule is installed (else the run's stored label and
    the parameter's name), numbers as the locale writes them."""

    rule_key: str
    stored_label: str
    kind: str  # ADDED, REMOVED, VERSION, WEIGHT or PARAM
    before: Any = None
    after: Any = None
    param: str = ""
    rule: Optional[ScoringRule] = field(default=None, compare=False)

    def __str__(self) -> str:
        rule = str(self.rule.label) if self.rule is not None else self.stored_label
        if self.kind == ADDED:
            return _("%(rule)s: added with weight %(weight)s", rule=rule, weight=_value(self.after))
        if self.kind == REMOVED:
            return _("%(rule)s: removed", rule=rule)
        if self.kind == VERSION:
            return _("%(rule)s: rule version %(before)s → %(after)s", rule=rule, before=self.before, after=self.after)
        if self.kind == WEIGHT:
            return _("%(rule)s: weight %(before)s → %(after)s", rule=rule, before=_value(self.before),
                     after=_value(self.after))
        param = self._param()
        return _("%(rule)s: %(param)s %(before)s → %(after)s", rule=rule,
                 param=str(param.label) if param is not None and param.label else self.param.replace("_", " "),
                 before=_value(self.before, param), after=_value(self.after, param))

    def _param(self) -> Optional[Param]:
        if self.rule is None:
            return None
        return next((p for p in self.rule.params if p.name == self.param), None)


def _value(v, param: Optional[Param] = None) -> str:
    """A setting as the reader's language writes it."""
    if v is None:
        return _("none")
    if isinstance(v, bool):
        return _("yes") if v else _("no")
    if isinstance(v, (int, float)):
        return format_number(v, exact=True)
    if isinstance(v, dict):
        return ", ".join(f"{k} = {_value(x)}" for k, x in sorted(v.items()))
    if param is not None and param.choices:
        return str(dict(param.choices).get(v, v))
    return str(v)


def config_changes(a: dict, b: dict, rules: dict[str, ScoringRule] | None = None) -> list[ConfigChange]:
    """What changed between two runs' stored configurations; `rules`: the installed rules
    (`available_rules()`), whose labels word the changes."""
    rules = available_rules() if rules is None else rules
    ra = {r["key"]: r for r in a.get("rules", [])}
    rb = {r["key"]: r for r in b.get("rules", [])}
    out = []
    for key in sorted(set(ra) | set(rb)):
        x, y = ra.get(key), rb.get(key)
        change = partial(ConfigChange, key, (y or x).get("label", key), rule=rules.get(key))
        if x is None:
            out.append(change(ADDED, after=y["weight"]))
            continue
        if y is None:
            out.append(change(REMOVED))
            continue
        if x.get("version") != y.get("version"):
            out.append(change(VERSION, x.get("version"), y.get("version")))
        if x["weight"] != y["weight"]:
            out.append(change(WEIGHT, x["weight"], y["weight"]))
        for p in sorted(set(x["params"]) | set(y["params"])):
            if x["params"].get(p) != y["params"].get(p):
                out.append(change(PARAM, x["params"].get(p), y["params"].get(p), param=p))
    return out


def rank_map(scores: dict[int, ApplicationScore]) -> dict[int, int]:
    return {s.application_id: i for i, s in enumerate(ranked(scores.values()), 1)}


def compare_scores(a: dict[int, ApplicationScore], b: dict[int, ApplicationScore],
                   rules: dict[str, ScoringRule] | None = None) -> list[Movement]:
    """Each application's move and its reasons by rule, labelled in the current language where the
    rule is installed (`rules`), else by the run's stored label."""
    # A lazy label is resolved once per rule, not once per application.
    labels = {key: str(rule.label) for key, rule in (rules or {}).items()}
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
            said_before, said_after = ra.explanation if ra else "", rb.explanation if rb else ""
            changed = not same(said_before, said_after)
            if abs(after - before) < 1e-9 and ra and rb and not changed:
                continue
            label = labels.get(key) or (rb or ra).label
            reasons.append(RuleDelta(key, label, round(before, 4), round(after, 4),
                                     said_before, said_after, changed))
        reasons.sort(key=lambda d: (-abs(d.delta), d.rule_key))
        movements.append(Movement(aid, ranks_a.get(aid), ranks_b.get(aid), sa.total if sa else None,
                                  sb.total if sb else None, tuple(reasons)))
    movements.sort(key=lambda m: (-abs(m.moved), m.rank_after or 10**9, m.application_id))
    return movements


def compare_runs(run_a: ScoreRun, run_b: ScoreRun) -> Comparison:
    """Run A is "before", run B "after"; worded in the current language."""
    rules = available_rules()
    return Comparison(run_a, run_b, tuple(config_changes(run_a.config or {}, run_b.config or {}, rules)),
                      tuple(compare_scores(run_results(run_a), run_results(run_b), rules)))
