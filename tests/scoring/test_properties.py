"""Property tests (Hypothesis): every built-in rule keeps its points within [0, max] for any
profile and any valid parameters, and not reporting never scores below reporting "no"."""
from __future__ import annotations

import dataclasses

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grantflow.facts import (
    ApplicationFacts, FeedbackLoopFact, NeedFact, PlaceFact, ProgramContext, RubricFact, leadership_is_poc,
)
from grantflow.scoring.registry import available_rules
from grantflow.scoring.rules import Param

BUILTINS = [r for r in available_rules().values() if type(r).__module__.startswith("plugins.")]
counts = st.one_of(st.none(), st.integers(0, 60))
fraction = st.one_of(st.none(), st.floats(0, 1, allow_nan=False))


@st.composite
def contexts(draw):
    n_needs = draw(st.integers(0, 6))
    needs = {i: NeedFact(i, f"Need {i}", draw(st.integers(1, 8)),
                         draw(st.one_of(st.none(), st.floats(0, 50, allow_nan=False)))) for i in range(1, n_needs + 1)}
    places = {100 + i: PlaceFact(100 + i, f"{i:011d}", f"P{i}", draw(fraction), draw(st.one_of(st.none(), st.integers(0, 10**6))),
                                 draw(st.booleans())) for i in range(draw(st.integers(0, 6)))}
    return ProgramContext(1, 1, needs, places)


@st.composite
def application_facts(draw, ctx):
    loops = tuple(FeedbackLoopFact(draw(st.text(max_size=10)), draw(st.sampled_from(
        ["weekly", "monthly", "quarterly", "yearly", "ad hoc", ""])), draw(st.text(max_size=10)))
        for _ in range(draw(st.integers(0, 3))))
    rub = draw(st.one_of(st.none(), st.builds(lambda f, n: RubricFact(None if f is None else 1 + 4 * f, f, n),
                                               fraction, st.integers(0, 5))))
    return ApplicationFacts(
        application_id=1, program_id=1, organization_id=1, organization_kind="cbo", status="submitted",
        amount_requested_cents=draw(st.one_of(st.none(), st.integers(0, 10**9))),
        annual_budget_cents=draw(st.one_of(st.none(), st.integers(0, 10**11))),
        demographics_consented=draw(st.booleans()), ed_poc=draw(st.one_of(st.none(), st.booleans())),
        board_total=draw(counts), board_poc=draw(counts), senior_total=draw(counts), senior_poc=draw(counts),
        practice_board_total=draw(counts), board_lived_experience=draw(counts), board_in_service_area=draw(counts),
        staff_total=draw(counts), staff_lived_experience=draw(counts), staff_in_service_area=draw(counts),
        community_decision_power=draw(st.one_of(st.none(), st.booleans())), feedback_loops=loops,
        need_ids=tuple(sorted(draw(st.sets(st.integers(1, 8), max_size=4)))),
        place_ids=tuple(sorted(draw(st.sets(st.integers(100, 108), max_size=4)))),
        first_time=draw(st.one_of(st.none(), st.booleans())), rubric=rub,
    )


def param_value(p: Param):
    lo = p.min if p.min is not None else -1000
    hi = p.max if p.max is not None else 1000
    base = {
        "int": st.integers(int(lo), int(min(hi, 10**7))),
        "float": st.floats(lo, hi, allow_nan=False),
        "bool": st.booleans(),
        "choice": st.sampled_from([c for c, _ in p.choices] or [p.default]),
        "mapping": st.dictionaries(st.integers(1, 8).map(str), st.floats(max(lo, 0), min(hi, 100), allow_nan=False), max_size=5),
    }[p.type]
    return st.one_of(st.none(), base) if p.optional else base


@st.composite
def valid_params(draw, rule):
    for _ in range(20):
        raw = {p.name: draw(param_value(p)) for p in rule.params}
        clean, errors = rule.clean_params(raw)
        if not errors:
            return clean
    return rule.clean_params({})[0]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_points_stay_within_zero_and_max(data):
    ctx = data.draw(contexts())
    f = data.draw(application_facts(ctx))
    for rule in BUILTINS:
        params = data.draw(valid_params(rule))
        out = rule.score(f, ctx, params)
        assert out.max_points > 0, rule.key
        assert out.points is None or 0 <= out.points <= out.max_points, (rule.key, out)
        assert str(out.explanation).strip(), rule.key


@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_not_reported_never_scores_below_reported_no(data):
    ctx = data.draw(contexts())
    f = data.draw(application_facts(ctx))
    rule = available_rules()["poc_led"]
    params = data.draw(valid_params(rule))
    poc = {k: params[k] for k in ("use_ed", "board_share", "senior_share", "combine")}
    silent = dataclasses.replace(f, demographics_consented=False, ed_poc=None, board_poc=None, senior_poc=None)
    if leadership_is_poc(f, **poc) is False:
        assert rule.score(silent, ctx, params).points >= rule.score(f, ctx, params).points
    community = available_rules()["community_led"]
    cparams = data.draw(valid_params(community))
    unreported = dataclasses.replace(f, practice_board_total=None, board_lived_experience=None,
                                     board_in_service_area=None, staff_total=None, staff_lived_experience=None,
                                     staff_in_service_area=None, community_decision_power=None)
    reported_none = dataclasses.replace(f, practice_board_total=10, board_lived_experience=0, board_in_service_area=0,
                                        staff_total=10, staff_lived_experience=0, staff_in_service_area=0,
                                        community_decision_power=False)
    assert community.score(unreported, ctx, cparams).points >= community.score(reported_none, ctx, cparams).points


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_scoring_many_applications_at_once_is_scoring_each(data):
    ctx = data.draw(contexts())
    facts = [dataclasses.replace(data.draw(application_facts(ctx)), application_id=i) for i in range(1, 5)]
    for rule in BUILTINS:
        params = data.draw(valid_params(rule))
        assert rule.score_many(facts, ctx, params) == [rule.score(f, ctx, params) for f in facts], rule.key


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_rule_reads_only_what_it_declares(data):
    """`reads` is all a rule's score depends on: any other fact changed, the score is the same (so
    sharing one result among applications alike in `reads` is exact)."""
    ctx = data.draw(contexts())
    f, other = data.draw(application_facts(ctx)), data.draw(application_facts(ctx))
    other = dataclasses.replace(other, application_id=2, program_id=2, organization_id=2, organization_kind="network",
                                status="under_review", network_member=True, extra={"q": "a"})
    declared = [rule for rule in BUILTINS if rule.reads]
    assert {r.key for r in declared} == {r.key for r in BUILTINS}  # every built-in rule declares it
    for rule in declared:
        params = data.draw(valid_params(rule))
        alike = dataclasses.replace(other, **{name: getattr(f, name) for name in rule.reads})
        assert rule.score(alike, ctx, params) == rule.score(f, ctx, params), rule.key
        # Scored together, alike applications share one result, equal to scoring each.
        many = rule.score_many([f, other, alike], ctx, params)
        assert many == [rule.score(g, ctx, params) for g in (f, other, alike)], rule.key
        assert many[2] is many[0], rule.key


def test_reading_nothing_declared_scores_every_application():
    """A rule without `reads` (a third-party rule that reads anything) is called once per application."""
    from grantflow.scoring.rules import RuleScore, ScoringRule

    calls = []

    class Counting(ScoringRule):
        key = "counting"

        def score(self, facts, ctx, params):
            calls.append(facts.application_id)
            return RuleScore(1.0, 1.0, "x")

    base = ApplicationFacts(1, 1, 1, "cbo", "submitted", None, None, False, None, None, None, None, None,
                            None, None, None, None, None, None, None)
    facts = [dataclasses.replace(base, application_id=i) for i in (1, 2, 3)]
    Counting().score_many(facts, ProgramContext(1, 1, {}, {}), {})
    assert calls == [1, 2, 3]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_the_engine_gives_each_application_its_own_scores_when_shared(data):
    """The engine's sharing (each shared result checked once, one outcome per shared result) gives
    every application what the rule says of it alone."""
    from grantflow.scoring.engine import RuleConfig, score_all
    from grantflow.scoring.results import NO_DATA, OK

    ctx = data.draw(contexts())
    drawn = [data.draw(application_facts(ctx)) for _ in range(3)]
    # Nine applications, three of each profile: what sharing is for.
    facts = [dataclasses.replace(drawn[i % 3], application_id=i + 1) for i in range(9)]
    configs = [RuleConfig(r.key, r, True, data.draw(st.sampled_from([0.5, 1.0, 2.0])), data.draw(valid_params(r)))
               for r in BUILTINS]
    scores = score_all(configs, ctx, facts)
    for f in facts:
        got = scores[f.application_id].rules
        assert [o.rule_key for o in got] == [c.key for c in configs]
        for c, o in zip(configs, got):
            alone = c.rule.score(f, ctx, c.params)
            assert (o.points, o.max_points, o.status, o.explanation, o.evidence, o.weight) == (
                alone.points, alone.max_points, NO_DATA if alone.points is None else OK, alone.explanation,
                alone.evidence, c.weight), (c.key, f.application_id)
    assert scores[1].rules[0] is scores[4].rules[0]  # alike applications share the outcome


def test_a_shared_result_out_of_range_errs_for_each_application():
    """A shared result that breaks the rules (more points than its maximum) is errored for every
    application that shares it, each with its own outcome, and the others still score."""
    from grantflow.scoring.engine import RuleConfig, score_all
    from grantflow.scoring.rules import RuleScore, ScoringRule

    class Greedy(ScoringRule):
        key = "greedy"
        reads = ("first_time",)

        def score(self, facts, ctx, params):
            return RuleScore(11.0 if facts.first_time else 5.0, 10.0, "x")

    base = ApplicationFacts(1, 1, 1, "cbo", "submitted", None, None, False, None, None, None, None, None,
                            None, None, None, None, None, None, None)
    facts = [dataclasses.replace(base, application_id=i, first_time=i % 2 == 0) for i in range(1, 7)]
    scores = score_all([RuleConfig("greedy", Greedy(), True, 1.0, {})], ProgramContext(1, 1, {}, {}), facts)
    for f in facts:
        (outcome,) = scores[f.application_id].rules
        if f.first_time:
            assert outcome.status == "errored" and "11.0 points out of a maximum of 10.0" in str(outcome.explanation)
        else:
            assert outcome.status == "ok" and outcome.points == 5.0
    assert scores[2].rules[0] is not scores[4].rules[0]
    assert scores[1].rules[0] is scores[3].rules[0]
