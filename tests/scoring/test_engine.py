"""The engine through the real database: rescoring, stored configuration, errored rules,
determinism, no-data parts and comparing runs."""
from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from grantflow import hookimpl
from grantflow.core.auditlog import AuditEvent
from grantflow.core.db import db
from grantflow.plugins import load_plugins
from grantflow.programs.models import ProgramRule
from grantflow.scoring import engine
from grantflow.scoring.compare import compare_runs
from grantflow.scoring.models import ScoreResult, ScoreRun
from grantflow.scoring.rules import RuleScore, ScoringRule
from tests.scoring.helpers import configure, review, scoring_world

ALL = ("rubric", "poc_led", "community_led", "feedback_loops", "chna_alignment", "place_need", "first_time_small")


@pytest.fixture
def w(app):
    w = scoring_world()
    configure(w.program, {k: (1, {}) for k in ALL})
    for app_ in w.apps[:2]:
        review(app_, w.reviewer, [4, 4, 4])
    db.session.commit()
    return w


class Exploding(ScoringRule):
    key = "exploding"
    label = "Exploding rule"
    description = "Raises for the second application, and gives too many points to the third."
    version = "0.1"

    def __init__(self, bad_id, greedy_id):
        self.bad_id, self.greedy_id = bad_id, greedy_id

    def score(self, facts, ctx, params):
        if facts.application_id == self.bad_id:
            raise RuntimeError("profile missing a field")
        if facts.application_id == self.greedy_id:
            return RuleScore(11, 10, "too many")
        return RuleScore(5, 10, "half")


@pytest.fixture
def exploding_plugin(w):
    class Plugin:
        @hookimpl
        def grantflow_scoring_rules(self):
            return [Exploding(w.apps[1].id, w.apps[2].id)]

    pm = load_plugins()
    plugin = Plugin()
    pm.register(plugin, "exploding-test-plugin")
    try:
        yield plugin
    finally:
        pm.unregister(plugin)


def test_latest_results_is_empty_before_any_run(w):
    assert engine.latest_results(w.program.id) == {}


def test_rescore_stores_config_versions_params_and_one_result_per_rule(w):
    run = engine.rescore(w.program.id)
    db.session.commit()
    assert [r["key"] for r in run.config["rules"]] == sorted(ALL)
    poc = next(r for r in run.config["rules"] if r["key"] == "poc_led")
    assert poc["version"] == "1" and poc["params"]["board_share"] == 0.5 and poc["weight"] == 1.0
    rubric = next(r for r in run.config["rules"] if r["key"] == "rubric")
    assert rubric["params"]["scores"] == "raw"  # "as set in the program" recorded as what was used
    assert len(run.config_hash) == 64
    n = db.session.execute(select(func.count()).where(ScoreResult.run_id == run.id)).scalar_one()
    assert n == 3 * len(ALL)
    row = db.session.execute(select(ScoreResult).where(ScoreResult.run_id == run.id,
                                                       ScoreResult.rule_key == "poc_led")).scalars().first()
    assert row.rule_version == "1" and row.params == poc["params"]
    assert db.session.execute(select(AuditEvent).where(AuditEvent.action == "scoring.rescore")).scalar_one()


def test_total_is_the_weighted_mean_with_merit_and_priority_apart(w):
    db.session.execute(ProgramRule.__table__.update().where(ProgramRule.rule_key == "rubric").values(weight=Decimal(3)))
    engine.rescore(w.program.id)
    s = engine.latest_results(w.program.id)[w.apps[0].id]
    fractions = {r.rule_key: r.points / r.max_points for r in s.rules}
    weights = {r.rule_key: r.weight for r in s.rules}
    expected = 100 * sum(weights[k] * fractions[k] for k in fractions) / sum(weights.values())
    assert s.total == pytest.approx(expected)
    assert s.merit == pytest.approx(100 * fractions["rubric"]) == pytest.approx(75)
    priority = [k for k in fractions if k != "rubric"]
    assert s.priority == pytest.approx(100 * sum(fractions[k] for k in priority) / len(priority))
    assert s.complete


def test_not_reviewed_is_left_out_not_counted_as_zero(w):
    engine.rescore(w.program.id)
    scores = engine.latest_results(w.program.id)
    unreviewed = scores[w.apps[2].id]
    rubric = next(r for r in unreviewed.rules if r.rule_key == "rubric")
    assert rubric.status == "no data" and rubric.points is None and "Not yet reviewed" in str(rubric.explanation)
    assert unreviewed.merit is None and not unreviewed.complete
    assert unreviewed.total == pytest.approx(unreviewed.priority)  # priorities only, no zero for merit
    from grantflow.scoring.results import ranked

    assert ranked(scores.values())[-1].application_id == w.apps[2].id  # incomplete ranks after complete


def test_an_errored_rule_does_not_stop_the_others(w, exploding_plugin):
    configure(w.program, {"exploding": (1, {})})
    run = engine.rescore(w.program.id)
    scores = engine.latest_results(w.program.id)
    bad = {r.rule_key: r for r in scores[w.apps[1].id].rules}
    assert bad["exploding"].status == "errored"
    assert "RuntimeError: profile missing a field" in str(bad["exploding"].explanation)
    assert all(r.status == "ok" for k, r in bad.items() if k != "exploding")
    greedy = {r.rule_key: r for r in scores[w.apps[2].id].rules}["exploding"]
    assert greedy.status == "errored" and "11 points out of a maximum of 10" in str(greedy.explanation)
    ok = {r.rule_key: r for r in scores[w.apps[0].id].rules}["exploding"]
    assert ok.status == "ok" and ok.points == 5
    assert next(r for r in run.config["rules"] if r["key"] == "exploding")["version"] == "0.1"


class Batch(ScoringRule):
    """Scores the whole program in one `score_many` call; `score` alone says "one by one"."""

    key = "batch"
    label = "Batch rule"
    description = "Points by position in the program, from one call for every application."
    version = "0.1"

    def __init__(self, wrong_count=False):
        self.wrong_count, self.batches = wrong_count, 0

    def score(self, facts, ctx, params):
        return RuleScore(1, 10, "one by one")

    def score_many(self, facts, ctx, params):
        self.batches += 1
        out = [RuleScore(min(i, 10), 10, f"batch {i}") for i, _ in enumerate(facts)]
        return out[:-1] if self.wrong_count else out


@pytest.mark.parametrize("wrong_count", [False, True])
def test_a_rule_scores_every_application_in_one_batch_or_one_by_one(w, wrong_count):
    rule = Batch(wrong_count)

    class Plugin:
        @hookimpl
        def grantflow_scoring_rules(self):
            return [rule]

    pm = load_plugins()
    plugin = Plugin()
    pm.register(plugin, "batch-test-plugin")
    try:
        configure(w.program, {"batch": (1, {})})
        engine.rescore(w.program.id)
    finally:
        pm.unregister(plugin)
    got = {aid: next(r for r in s.rules if r.rule_key == "batch")
           for aid, s in engine.latest_results(w.program.id).items()}
    assert rule.batches == 1
    ids = sorted(got)
    if wrong_count:  # a batch that does not answer for every application: each is scored by itself
        assert {(r.points, r.explanation) for r in got.values()} == {(1, "one by one")}
    else:
        assert [(got[a].points, got[a].explanation) for a in ids] == [(i, f"batch {i}") for i in range(len(ids))]
    assert all(r.status == "ok" for r in got.values())


def _rows(run_id):
    return db.session.execute(
        select(ScoreResult.application_id, ScoreResult.rule_key, ScoreResult.rule_version, ScoreResult.params,
               ScoreResult.weight, ScoreResult.points, ScoreResult.max_points, ScoreResult.status,
               ScoreResult.explanation, ScoreResult.evidence)
        .where(ScoreResult.run_id == run_id).order_by(ScoreResult.application_id, ScoreResult.rule_key)).all()


def test_same_configuration_gives_identical_results(w):
    a = engine.rescore(w.program.id)
    db.session.commit()
    db.session.expire_all()
    b = engine.rescore(w.program.id)
    db.session.commit()
    assert a.id != b.id and a.config == b.config and a.config_hash == b.config_hash
    assert _rows(a.id) == _rows(b.id)
    cmp = compare_runs(a, b)
    assert cmp.identical and cmp.config_changes == () and cmp.up == [] and cmp.down == []


def test_changing_the_configuration_shows_who_moved_and_why(w):
    # Merit dominates first (app 1 out-reviews app 0), then POC-led is weighted heavily.
    for key, weight in (("rubric", 100),):
        db.session.execute(ProgramRule.__table__.update().where(ProgramRule.rule_key == key).values(weight=weight))
    review(w.apps[1], w.reviewer, [5, 5, 5])  # app 1 now out-reviews app 0 on merit
    before = engine.rescore(w.program.id)
    db.session.execute(ProgramRule.__table__.update().where(ProgramRule.rule_key == "poc_led")
                       .values(weight=Decimal(30), params={"board_share": 0.6}))
    after = engine.rescore(w.program.id)
    assert before.config_hash != after.config_hash
    cmp = compare_runs(before, after)
    changes = [str(c) for c in cmp.config_changes]
    assert "Led by people of color: weight 1 → 30" in changes
    assert "Led by people of color: Board share 0.5 → 0.6" in changes
    up = {m.application_id: m for m in cmp.up}
    assert w.apps[0].id in up
    assert up[w.apps[0].id].reasons[0].rule_key == "poc_led" and up[w.apps[0].id].reasons[0].delta > 0
    assert any(m.application_id == w.apps[1].id for m in cmp.down)


def test_disabled_and_zero_weight_rules_are_not_scored(w):
    db.session.execute(ProgramRule.__table__.update().where(ProgramRule.rule_key == "place_need").values(enabled=False))
    run = engine.rescore(w.program.id)
    assert "place_need" not in {r["key"] for r in run.config["rules"]}
    assert db.session.execute(select(func.count()).where(ScoreResult.run_id == run.id,
                                                         ScoreResult.rule_key == "place_need")).scalar_one() == 0


def test_unconfigured_program_scores_with_rule_defaults(app):
    w = scoring_world()
    run = engine.rescore(w.program.id)
    assert {r["key"] for r in run.config["rules"]} == set(ALL)  # every built-in is on by default
    assert db.session.execute(select(func.count()).select_from(ScoreRun)).scalar_one() == 1


def test_rescore_round_trips_on_both_backends(any_app):
    """The bulk insert with pre-encoded JSON works on SQLite and PostgreSQL alike."""
    w = scoring_world()
    configure(w.program, {k: (1, {}) for k in ALL})
    review(w.apps[0], w.reviewer, [5, 3, 4])
    db.session.commit()
    a = engine.rescore(w.program.id)
    db.session.commit()
    b = engine.rescore(w.program.id)
    db.session.commit()
    assert _rows(a.id) == _rows(b.id)
    row = db.session.execute(select(ScoreResult).where(ScoreResult.run_id == a.id, ScoreResult.rule_key == "poc_led",
                                                       ScoreResult.application_id == w.apps[0].id)).scalar_one()
    assert row.params == {"use_ed": True, "board_share": 0.5, "senior_share": 0.5, "combine": "or"}
    assert row.evidence["led_by_poc"] is True
    # criteria weights 1, 2, 3 on 1-5 scales; scores 5, 3, 4 -> fractions 1, 0.5, 0.75
    assert engine.latest_results(w.program.id)[w.apps[0].id].merit == pytest.approx(100 * (1 + 2 * 0.5 + 3 * 0.75) / 6, abs=1e-3)
