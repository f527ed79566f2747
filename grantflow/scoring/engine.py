"""Rescoring a program: every application × every enabled rule, reproducibly.

`rescore` reads the facts once (`grantflow.facts.load_facts`, with the reviewers' rubric scores
when a rule needs them), runs each enabled rule over every application in a plain loop, and bulk
inserts one `ScoreResult` per (application, rule) under a new `ScoreRun`. The run stores the whole
configuration (rules, versions, weights, parameters) and its hash; each result stores its rule's
version and parameters. Rules are pure and run in key order over applications in id order, so the
same configuration on the same data gives identical results.

A rule that raises is recorded as "errored" with the error message for that application; the
other rules still score. A rule returning points outside [0, max] is treated the same way.

Each result keeps its explanation twice: as the rule's message (`explanation_message`, JSON, so a
run scored in English is read in Spanish later) and as its English wording (`explanation`, what a
third-party rule's plain text is, and what anything reading the text finds).
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from typing import Callable, Optional

from flask_babel import force_locale
from sqlalchemy import JSON, Text, bindparam, cast, insert, select

from grantflow.core import auditlog
from grantflow.core.bulk import gc_paused
from grantflow.core.db import db, plain_rows
from grantflow.core.i18n import SOURCE_LOCALE
from grantflow.facts import ApplicationFacts, ProgramContext, RubricFact, freeze, load_facts
from grantflow.programs.models import Program, ProgramRule
from grantflow.scoring.models import ScoreResult, ScoreRun, ScoreTotal
from grantflow.scoring.explain import Explanation, explain, stored
from grantflow.scoring.registry import available_rules
from grantflow.scoring.results import (
    ERRORED, NO_DATA, OK, ApplicationScore, RuleOutcome, build_score, combine_columns,
)
from grantflow.scoring.rules import MERIT, RuleScore, ScoringRule

INSERT_CHUNK = 20_000


@dataclass(frozen=True)
class RuleConfig:
    """One rule as configured for a program (or in the what-if sandbox)."""

    key: str
    rule: ScoringRule
    enabled: bool
    weight: float
    params: dict  # validated, with defaults filled in

    @property
    def label(self) -> str:
        return self.rule.label


# A program never configured gives the reviewers' rubric (the merit rules together) this share of
# the total, whatever the number of priority rules: the merit of the work leads, priorities adjust.
DEFAULT_MERIT_SHARE = 0.6


def program_config(program: Program) -> list[RuleConfig]:
    """Every available rule, in key order, with the program's saved weight and parameters.

    A program never configured scores with each rule's defaults (`default_enabled`,
    `default_weight`), except that the merit rules' weights are set so that together they are
    `DEFAULT_MERIT_SHARE` of the total. Saved parameters that no longer validate (a rule
    upgraded) fall back to the rule's defaults for those parameters.
    """
    saved = {r.rule_key: r for r in db.session.execute(
        select(ProgramRule).where(ProgramRule.program_id == program.id)).scalars()}
    configs = []
    for key, rule in available_rules().items():
        row = saved.get(key)
        params, errors = rule.clean_params(row.params if row else None)
        if errors:
            params = {**params, **{k: v for k, v in rule.defaults().items() if k in errors}}
        if row is None:
            configs.append(RuleConfig(key, rule, bool(rule.default_enabled and not saved), rule.default_weight, params))
        else:
            configs.append(RuleConfig(key, rule, row.enabled, float(row.weight), params))
    return configs if saved else _merit_led(configs)


def _merit_led(configs: list[RuleConfig]) -> list[RuleConfig]:
    merit = [c for c in configs if c.enabled and c.rule.kind == MERIT]
    priority = sum(c.weight for c in configs if c.enabled and c.rule.kind != MERIT)
    if not merit or priority <= 0:
        return configs
    weight = min(100.0, round(DEFAULT_MERIT_SHARE / (1 - DEFAULT_MERIT_SHARE) * priority / len(merit), 3))
    return [replace(c, weight=weight) if c in merit else c for c in configs]


def shares(configs: list[RuleConfig]) -> dict[str, float]:
    """Each enabled rule's share (0–1) of the maximum total: its weight over the enabled rules'
    weights, since the total is their weighted mean (grantflow/scoring/results.py). The same
    arithmetic runs in the browser as weights are typed (static/scoring-shares.js)."""
    used = [c for c in configs if c.enabled and c.weight > 0]
    den = sum(c.weight for c in used)
    return {c.key: c.weight / den for c in used} if den else {}


def merit_share(configs: list[RuleConfig]) -> float:
    """The reviewers' rubric's share of the maximum total (the rest is the priority rules')."""
    share = shares(configs)
    return sum(share.get(c.key, 0.0) for c in configs if c.rule.kind == MERIT)


def missing_rules(program: Program) -> list[str]:
    """Rule keys the program enabled whose plugin is no longer installed."""
    known = available_rules()
    return sorted(r.rule_key for r in db.session.execute(
        select(ProgramRule).where(ProgramRule.program_id == program.id, ProgramRule.enabled)).scalars()
        if r.rule_key not in known)


def resolve(configs: list[RuleConfig], program: Program) -> list[RuleConfig]:
    """The enabled rules with program-dependent parameter values made explicit (the rubric's
    "as set in the program" becomes "raw" or "normalized"), so the stored config says exactly
    what was computed."""
    out = []
    for c in configs:
        if not c.enabled or c.weight <= 0:
            continue
        params = dict(c.params)
        if params.get("scores") == "program" and c.rule.rubric_mode(params) == "program":
            params["scores"] = "normalized" if program.normalize_scores else "raw"
        out.append(RuleConfig(c.key, c.rule, True, c.weight, params))
    return out


def snapshot(configs: list[RuleConfig]) -> dict:
    with force_locale(SOURCE_LOCALE):  # the record (and its hash) keeps the rules' own words, in any page's language
        return {"total": "weighted mean of points/max, 0-100", "rules": [
            {"key": c.key, "label": str(c.rule.label), "version": str(c.rule.version), "kind": c.rule.kind,
             "weight": c.weight, "params": c.params} for c in configs]}


def config_hash(config: dict) -> str:
    canonical = json.dumps(config, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


# --- loading and scoring -------------------------------------------------------------------------

def load_answers(program_id: int, keys: set[str]) -> dict[int, dict[str, object]]:
    """Answers to the custom questions with these keys: `{application_id: {key: value}}`."""
    from grantflow.applications.models import Answer, Application
    from grantflow.programs.models import CustomQuestion

    out: dict[int, dict[str, object]] = {}
    if not keys:
        return out
    for app_id, key, value in db.session.execute(
            select(Answer.application_id, CustomQuestion.key, Answer.value)
            .join(CustomQuestion, CustomQuestion.id == Answer.question_id)
            .join(Application, Application.id == Answer.application_id)
            .where(Application.program_id == program_id, CustomQuestion.key.in_(sorted(keys)))):
        out.setdefault(app_id, {})[key] = value
    return out


def rubric_normalized(program: Program, configs: list[RuleConfig]) -> bool:
    """Whether the reviewers' scores are read normalized: as the (resolved) rules that read them
    say, else as the program's review settings say."""
    modes = [m for m in (c.rule.rubric_mode(c.params) for c in configs) if m]
    return modes[0] == "normalized" if modes else bool(program.normalize_scores)


def load_inputs(program: Program, configs: list[RuleConfig], *, rubric: dict | None = None,
                application_ids: list[int] | None = None) -> tuple[ProgramContext, list[ApplicationFacts]]:
    """The facts the enabled rules read, loaded once (only `application_ids`' when given): rubric
    scores only when a rule uses them (or as given: `{application_id: RubricScore}` already read),
    answers to plugin questions only when a rule names them."""
    if rubric is None and any(c.rule.rubric_mode(c.params) for c in configs):
        from grantflow.reviews.aggregate import rubric_scores

        rubric = rubric_scores(program.id, normalized=rubric_normalized(program, configs),
                               application_ids=application_ids)
    if rubric is not None:
        rubric = {aid: RubricFact(s.weighted, s.fraction, s.n_reviews) for aid, s in rubric.items()}
    ctx, facts = load_facts(program.id, rubric=rubric, application_ids=application_ids)
    keys = {q for c in configs for q in c.rule.questions}
    if keys:
        answers = load_answers(program.id, keys)
        facts = [f.with_extra(answers[f.application_id]) if f.application_id in answers else f for f in facts]
    return ctx, facts


Outcome = tuple  # (points, max_points, status, explanation, evidence)


def score_column(config: RuleConfig, ctx: ProgramContext, facts: list[ApplicationFacts]) -> list[Outcome]:
    """One rule over every application (`score_many`, or `score` one by one when that raises); an
    exception or an out-of-range result is "errored" for the application it concerns."""
    outcomes, codes = distinct_outcomes(config, ctx, facts)
    return list(map(outcomes.__getitem__, codes))


def distinct_outcomes(config: RuleConfig, ctx: ProgramContext,
                      facts: list[ApplicationFacts]) -> tuple[list[Outcome], list[int]]:
    """`score_column` as its distinct outcomes and, per application, the position of its own among
    them: applications a rule scored alike share one RuleScore (`ScoringRule.reads`), which is
    checked once and gives them one outcome."""
    rule, params = config.rule, freeze(config.params)  # read-only: shared by every application
    try:
        scored = list(rule.score_many(facts, ctx, params))
        if len(scored) != len(facts):
            raise ValueError(f"score_many() returned {len(scored)} scores for {len(facts)} applications")
    except Exception:
        scored = None
    score = rule.score
    outcomes: list[Outcome] = []
    codes: list[int] = []
    append, new = codes.append, outcomes.append
    # `scored` keeps every RuleScore alive, so their ids stay unique.
    checked: dict[int, int] = {}
    for i, f in enumerate(facts):
        try:
            if scored is None:
                rs, code = score(f, ctx, params), None
            else:
                rs = scored[i]
                code = checked.get(id(rs))
            if code is None:
                outcome = _outcome(rs)
                code = len(outcomes)
                new(outcome)
                if scored is not None:
                    checked[id(rs)] = code
        except Exception as exc:  # a plugin's bug must not stop the other rules
            code = len(outcomes)
            new((None, None, ERRORED, explain("This rule failed: %(error)s: %(detail)s",
                                              error=type(exc).__name__, detail=str(exc)), {}))
        append(code)
    return outcomes, codes


def _outcome(rs: RuleScore) -> Outcome:
    """A rule's result checked: a RuleScore, with points within [0, its maximum] or None."""
    if not isinstance(rs, RuleScore):
        raise TypeError(f"score() returned {type(rs).__name__}, not RuleScore")
    points, maximum = rs.points, rs.max_points
    if points is None:
        return (None, float(maximum), NO_DATA, rs.explanation, rs.evidence)
    if not (maximum > 0) or not (0 <= points <= maximum):
        raise ValueError(f"returned {points} points out of a maximum of {maximum}")
    return (float(points), float(maximum), OK, rs.explanation, rs.evidence)


def _parts(outcomes: list[Outcome], weight: float, kind: str) -> list[tuple]:
    """One rule's outcomes as the parts the total is made of (`results.combine_columns`)."""
    return [(weight, o[0], o[1], o[2], kind) for o in outcomes]


def score_all(configs: list[RuleConfig], ctx: ProgramContext, facts: list[ApplicationFacts],
              run_id: Optional[int] = None) -> dict[int, ApplicationScore]:
    """Scores in memory (the what-if sandbox): nothing is written."""
    columns, parts = [], []
    for c in configs:
        # A rule's label is a lazy translation: resolved once per rule, not once per application.
        key, label, version, weight, kind = c.key, str(c.rule.label), str(c.rule.version), c.weight, c.rule.kind
        outcomes, codes = distinct_outcomes(c, ctx, facts)
        made = [RuleOutcome(key, label, version, weight, *o, kind) for o in outcomes]
        columns.append(map(made.__getitem__, codes))
        parts.append((_parts(outcomes, weight, kind), codes))
    totals, merits, priorities, _complete = combine_columns(parts, len(facts))
    # zip(*columns): each application's outcomes, one per rule in order, as a tuple.
    return {f.application_id: ApplicationScore(f.application_id, total, merit, priority, outcomes, run_id)
            for f, outcomes, total, merit, priority in zip(
                facts, zip(*columns) if columns else ((),) * len(facts), totals, merits, priorities)}


# --- rescoring -----------------------------------------------------------------------------------

_dumps = json.JSONEncoder(separators=(",", ":"), default=str).encode


def _insert_results():
    """A bulk insert of score results taking the JSON columns already serialized: a rule's
    parameters are the same on every row, so they are encoded once per rule, not once per row
    (the JSON type's per-row encoding was the largest cost of a rescore)."""
    def json_param(name):
        p = bindparam(name, type_=Text)
        return p if db.engine.dialect.name == "sqlite" else cast(p, JSON)

    return insert(ScoreResult.__table__).values(params=json_param("params_json"), evidence=json_param("evidence_json"),
                                                explanation_message=json_param("message_json"))


def _stored_explanations(column: list[Outcome]) -> list[tuple[str, Optional[str]]]:
    """(English text, message JSON or None) of each outcome's explanation. Rules repeat themselves
    (the same budget, the same "not reported"): each distinct message is worded once."""
    dumps, texts = _dumps, {}
    out = []
    with force_locale(SOURCE_LOCALE):
        for o in column:
            explanation = o[3]
            if not isinstance(explanation, Explanation):
                out.append((str(explanation), None))
                continue
            message = dumps(explanation.to_json())
            text = texts.get(message)
            if text is None:
                text = texts[message] = str(explanation)
            out.append((text, message))
    return out


def rescore(program_id: int, *, actor_id: int | None = None,
            progress: Callable[[int], None] | None = None) -> ScoreRun:
    """Scores every (non-draft) application of the program with its enabled rules and stores a
    new run. `progress(n)` is called as each batch of n results is written (for a progress bar)."""
    with gc_paused():
        return _rescore(program_id, actor_id, progress)


def _rescore(program_id: int, actor_id: int | None, progress: Callable[[int], None] | None) -> ScoreRun:
    program = db.session.get(Program, program_id)
    if program is None:
        raise LookupError(f"no program {program_id}")
    configs = resolve(program_config(program), program)
    config = snapshot(configs)
    ctx, facts = load_inputs(program, configs)
    run = ScoreRun(program_id=program_id, created_by_id=actor_id, config=config, config_hash=config_hash(config))
    db.session.add(run)
    db.session.flush()
    run_id = run.id
    app_ids = [f.application_id for f in facts]
    stmt = _insert_results()
    dumps = _dumps
    parts = []  # per rule: its distinct (weight, points, max, status, kind) and each application's
    for c in configs:
        outcomes, codes = distinct_outcomes(c, ctx, facts)
        column = list(map(outcomes.__getitem__, codes))
        key, version, weight, kind, params = c.key, str(c.rule.version), c.weight, c.rule.kind, dumps(c.params)
        parts.append((_parts(outcomes, weight, kind), codes))
        rows = [
            {"run_id": run_id, "application_id": aid, "rule_key": key, "rule_version": version,
             "params_json": params, "weight": weight, "points": o[0], "max_points": o[1], "status": o[2],
             "explanation": text, "message_json": message, "evidence_json": dumps(o[4]) if o[4] else "{}"}
            for aid, o, (text, message) in zip(app_ids, column, _stored_explanations(column))
        ]
        for start in range(0, len(rows), INSERT_CHUNK):
            chunk = rows[start:start + INSERT_CHUNK]
            db.session.execute(stmt, chunk)
            if progress is not None:
                progress(len(chunk))
    totals = [{"run_id": run_id, "application_id": aid, "total": total, "merit": merit, "priority": priority,
               "complete": complete}
              for aid, total, merit, priority, complete in zip(app_ids, *combine_columns(parts, len(app_ids)))]
    for start in range(0, len(totals), INSERT_CHUNK):
        db.session.execute(insert(ScoreTotal.__table__), totals[start:start + INSERT_CHUNK])
    auditlog.record("scoring.rescore", run, actor_id=actor_id,
                    after={"program_id": program_id, "config_hash": run.config_hash, "applications": len(facts),
                           "rules": [c.key for c in configs]})
    return run


# --- reading results -----------------------------------------------------------------------------

def latest_run(program_id: int) -> Optional[ScoreRun]:
    return db.session.execute(
        select(ScoreRun).where(ScoreRun.program_id == program_id).order_by(ScoreRun.id.desc()).limit(1)
    ).scalar_one_or_none()


def run_results(run: ScoreRun, *, details: bool = True) -> dict[int, ApplicationScore]:
    """`{application_id: ApplicationScore}` of one recorded run (for comparing runs).

    `details=False` leaves out each rule's explanation and evidence: the totals are the same, and
    at 50,000 applications it skips about 350,000 JSON decodes (readers needing only totals use
    `run_totals`). An explanation is its stored message (worded in the reader's language when
    shown), or its text for a result stored with none. Rules repeat themselves (the same "not
    reported" on thousands of rows): each distinct (text, message) is decoded once, read as the
    stored JSON text.
    """
    meta = {r["key"]: r for r in (run.config or {}).get("rules", [])}
    text_cols = (ScoreResult.explanation, cast(ScoreResult.explanation_message, Text),
                 ScoreResult.evidence) if details else ()
    explanations: dict[tuple, object] = {}
    q = (select(ScoreResult.application_id, ScoreResult.rule_key, ScoreResult.rule_version, ScoreResult.weight,
                ScoreResult.points, ScoreResult.max_points, ScoreResult.status, *text_cols)
         .where(ScoreResult.run_id == run.id).order_by(ScoreResult.application_id, ScoreResult.rule_key))
    grouped: dict[int, list[RuleOutcome]] = {}
    for row in db.session.execute(q):
        aid, key, version, weight, points, maximum, status = row[:7]
        explanation, evidence = "", None
        if details:
            evidence, said = row[9], (row[7], row[8])
            explanation = explanations.get(said)
            if explanation is None:
                explanation = explanations[said] = stored(row[7], json.loads(row[8]) if row[8] else None)
        m = meta.get(key, {})
        grouped.setdefault(aid, []).append(RuleOutcome(
            key, m.get("label", key), version, weight, points, maximum, status, explanation, evidence or {},
            m.get("kind", "priority")))
    return {aid: build_score(aid, tuple(outs), run.id) for aid, outs in grouped.items()}


@dataclass(frozen=True, slots=True)
class Totals:
    total: float
    merit: Optional[float]
    priority: Optional[float]
    complete: bool


def run_totals(run: ScoreRun) -> dict[int, Totals]:
    """`{application_id: Totals}` of one run: one stored row per application. A run written before
    totals were stored has none; its totals are then computed from its results."""
    rows = plain_rows(
        select(ScoreTotal.application_id, ScoreTotal.total, ScoreTotal.merit, ScoreTotal.priority,
               ScoreTotal.complete).where(ScoreTotal.run_id == run.id)).all()
    if rows:
        return {aid: Totals(total, merit, priority, bool(complete)) for aid, total, merit, priority, complete in rows}
    return {aid: Totals(s.total, s.merit, s.priority, s.complete)
            for aid, s in run_results(run, details=False).items()}


def latest_results(program_id: int, *, details: bool = True) -> dict[int, ApplicationScore]:
    """The latest recorded run's scores of a program; `{}` when it was never scored. (What the
    pages show is `grantflow.scoring.standing`, scored with the data as it is now.)"""
    run = latest_run(program_id)
    return {} if run is None else run_results(run, details=details)


def latest_totals(program_id: int) -> dict[int, Totals]:
    """The latest run's totals of a program; `{}` when it was never scored."""
    run = latest_run(program_id)
    return {} if run is None else run_totals(run)



__all__ = ["RuleConfig", "program_config", "shares", "merit_share", "DEFAULT_MERIT_SHARE", "rubric_normalized", "resolve", "snapshot", "config_hash", "load_inputs", "score_all",
           "score_column", "rescore", "latest_run", "run_results", "latest_results",
           "Totals", "run_totals", "latest_totals",
           "MERIT", "OK"]
