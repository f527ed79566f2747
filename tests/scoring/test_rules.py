"""Each built-in rule's behaviour, on plain facts (no database)."""
from __future__ import annotations

import dataclasses

import pytest

from grantflow.scoring.rules import Param, ParamError, parse_mapping
from plugins.chna_alignment import RULE as CHNA
from plugins.community_led import RULE as COMMUNITY
from plugins.feedback_loops import RULE as FEEDBACK
from plugins.first_time_small import RULE as FIRST
from plugins.place_need import RULE as PLACE
from plugins.poc_led import RULE as POC
from plugins.rubric import RULE as RUBRIC
from tests.scoring.facts import CTX, NOT_REPORTED, facts, loop, rubric


def run(rule, f, ctx=CTX, **params):
    clean, errors = rule.clean_params(params)
    assert errors == {}
    return rule.score(f, ctx, clean)


# --- led by people of color ----------------------------------------------------------------------

def test_poc_led_default_definition_is_ed_or_half_board_or_half_senior():
    assert run(POC, facts(ed_poc=True)).points == 10
    assert run(POC, facts(board_poc=5)).points == 10          # 50% of the board
    assert run(POC, facts(senior_poc=2)).points == 10         # 50% of senior staff
    no = run(POC, facts())
    assert no.points == 0 and "Does not meet" in str(no.explanation)


def test_poc_led_and_requires_every_test():
    params = dict(combine="and", board_share=0.5, senior_share=None)
    assert run(POC, facts(ed_poc=True, board_poc=6), **params).points == 10
    assert run(POC, facts(ed_poc=True, board_poc=4), **params).points == 0
    stricter = run(POC, facts(ed_poc=False, board_poc=9), use_ed=True, board_share=0.75, senior_share=None, combine="and")
    assert stricter.points == 0


def test_poc_led_not_reported_gets_no_priority_but_never_below_no():
    reported_no = run(POC, facts())
    not_reported = run(POC, facts(**NOT_REPORTED))
    assert not_reported.points == 0 and not_reported.points >= reported_no.points
    assert "chose not to report" in str(not_reported.explanation)
    assert "never scored below" in str(not_reported.explanation)
    assert not_reported.evidence == {"led_by_poc": None}  # nothing about an unconsented profile


def test_poc_led_params_need_one_test():
    _, errors = POC.clean_params({"use_ed": False, "board_share": None, "senior_share": None})
    assert "board_share" in errors


# --- community-led -------------------------------------------------------------------------------

def test_community_led_full_partial_and_not_reported():
    full = run(COMMUNITY, facts(board_lived_experience=6, staff_in_service_area=5, community_decision_power=True))
    assert full.points == full.max_points == 10
    assert "Meets the community-led definition" in str(full.explanation)
    partial = run(COMMUNITY, facts(board_lived_experience=4, staff_lived_experience=0, staff_in_service_area=0))
    assert partial.points == pytest.approx(4 * 0.4 / 0.5)
    nothing = facts(practice_board_total=None, board_lived_experience=None, board_in_service_area=None,
                    staff_total=None, staff_lived_experience=None, staff_in_service_area=None,
                    community_decision_power=None)
    zero = facts(board_lived_experience=0, board_in_service_area=0, staff_lived_experience=0,
                 staff_in_service_area=0, community_decision_power=False)
    assert run(COMMUNITY, nothing).points >= run(COMMUNITY, zero).points == 0
    assert "not reported" in str(run(COMMUNITY, nothing).explanation)


def test_community_led_threshold_param():
    f = facts(board_lived_experience=3, staff_total=None, community_decision_power=None)
    assert run(COMMUNITY, f, threshold=0.3).points == 4
    assert run(COMMUNITY, f, threshold=0.6).points == pytest.approx(2)


# --- feedback loops ------------------------------------------------------------------------------

def test_feedback_loops_regular_occasional_and_changes():
    assert run(FEEDBACK, facts(feedback_loops=(loop(),))).points == 10
    occasional = run(FEEDBACK, facts(feedback_loops=(loop("yearly", ""),)))
    assert occasional.points == pytest.approx(1.5) and "only occasional" in str(occasional.explanation)
    none = run(FEEDBACK, facts())
    assert none.points == 0 and "No feedback loop" in str(none.explanation)
    assert run(FEEDBACK, facts(feedback_loops=(loop("quarterly", ""),)), change_points=0).points == 6


# --- CHNA alignment ------------------------------------------------------------------------------

def test_chna_alignment_by_rank_weights_and_sum():
    assert run(CHNA, facts(need_ids=(1,))).points == 10          # the top need
    assert run(CHNA, facts(need_ids=(3,))).points == pytest.approx(10 / 3, abs=1e-3)
    assert run(CHNA, facts(need_ids=(2, 3))).points == pytest.approx(20 / 3, abs=1e-3)  # best of the two
    assert run(CHNA, facts(need_ids=(2, 3)), combine="sum").points == 10      # 2 + 1 capped at 3
    zero = run(CHNA, facts())
    assert zero.points == 0 and "does not name" in str(zero.explanation)


def test_chna_alignment_need_weights_param_overrides_rank():
    weighted = run(CHNA, facts(need_ids=(3,)), need_weights={"3": 4, "1": 2})
    assert weighted.points == 10 and "program's need weights" in str(weighted.explanation)
    assert run(CHNA, facts(need_ids=(2,)), need_weights={"3": 4, "1": 2}).points == 0
    from grantflow.facts import NeedFact, ProgramContext

    ctx = ProgramContext(1, 1, {1: NeedFact(1, "Housing", 1, 1.0), 2: NeedFact(2, "Food", 2, 3.0)}, {})
    assert run(CHNA, facts(need_ids=(1,)), ctx=ctx).points == pytest.approx(10 / 3, abs=1e-3)  # CHNA weights beat rank


def test_chna_alignment_without_needs_is_no_data():
    from grantflow.facts import ProgramContext

    out = run(CHNA, facts(need_ids=(1,)), ctx=ProgramContext(1, 1, {}, {}))
    assert out.points is None and "left out" in str(out.explanation)


# --- place-based need ----------------------------------------------------------------------------

def test_place_need_population_weighted_index_and_priority_bonus():
    high = run(PLACE, facts(place_ids=(10,)))
    assert high.points == pytest.approx(8 * 0.9 + 2)
    mixed = run(PLACE, facts(place_ids=(10, 11)))
    index = (0.9 * 6000 + 0.2 * 2000) / 8000
    assert mixed.points == pytest.approx(8 * index + 2)
    assert run(PLACE, facts(place_ids=(11,))).points == pytest.approx(1.6)
    unknown = run(PLACE, facts(place_ids=(12,)))
    assert unknown.points == 0 and "No place served has a need index" in str(unknown.explanation)


# --- first-time and small ------------------------------------------------------------------------

def test_first_time_and_small():
    assert run(FIRST, facts(first_time=True)).points == 10
    assert run(FIRST, facts(first_time=False)).points == 5  # small only
    big = run(FIRST, facts(first_time=False, annual_budget_cents=2_000_000_00))
    assert big.points == 0 and "not below $500,000" in str(big.explanation)
    unknown = run(FIRST, facts(first_time=False, annual_budget_cents=None))
    assert unknown.points == 0 and "not reported" in str(unknown.explanation)
    assert run(FIRST, facts(first_time=False, annual_budget_cents=2_000_000_00), budget_threshold_dollars=3_000_000).points == 5


# --- rubric --------------------------------------------------------------------------------------

def test_rubric_not_reviewed_is_no_data_never_zero():
    out = run(RUBRIC, facts())
    assert out.points is None and "Not yet reviewed" in str(out.explanation) and "not a score of zero" in str(out.explanation)
    assert run(RUBRIC, facts(rubric=rubric(None, n=0))).points is None
    assert run(RUBRIC, facts(rubric=rubric(0.5, n=1)), min_reviews=2).points is None


def test_rubric_scores_the_fraction_on_0_to_100():
    out = run(RUBRIC, facts(rubric=rubric(0.75, n=3)))
    assert out.points == 75 and out.max_points == 100 and "4.00" in str(out.explanation) and "3 reviews" in str(out.explanation)
    assert run(RUBRIC, facts(rubric=rubric(0.0))).points == 0  # reviewed and scored lowest: a real zero


# --- parameters ----------------------------------------------------------------------------------

def test_param_validation_messages():
    p = Param("budget", "int", 10, label="Budget", min=0, max=100)
    assert p.validate("12") == 12
    with pytest.raises(ParamError, match="whole number"):
        p.validate("1.5")
    with pytest.raises(ParamError, match="at most 100"):
        p.validate(101)
    f = Param("share", "float", 0.5, label="Share", min=0, max=1, optional=True)
    assert f.validate("") is None
    with pytest.raises(ParamError, match="must be a number"):
        f.validate("half")
    with pytest.raises(ParamError, match="Enter a value"):
        Param("x", "float", 1).validate("")
    c = Param("combine", "choice", "or", choices=(("or", "OR"), ("and", "AND")))
    with pytest.raises(ParamError, match="Choose one of: OR, AND"):
        c.validate("xor")
    m = Param("need_weights", "mapping", {}, min=0)
    assert m.validate("3 = 4\n1: 2\n") == {"1": 2.0, "3": 4.0}
    with pytest.raises(ParamError, match="Line 1"):
        m.validate("housing")
    with pytest.raises(ParamError, match="at least 0"):
        m.validate({"1": -1})
    assert parse_mapping("") == {}
    with pytest.raises(ValueError):
        Param("x", "text", "")


def test_defaults_fill_missing_params_and_unknown_ones_are_dropped():
    params, errors = POC.clean_params({"board_share": 0.6, "retired_param": 1})
    assert errors == {} and params == {"use_ed": True, "board_share": 0.6, "senior_share": 0.5, "combine": "or"}


def test_rules_are_pure():
    f = facts(ed_poc=True, need_ids=(1, 2), place_ids=(10,), feedback_loops=(loop(),), first_time=True,
              rubric=rubric(0.5))
    for rule in (POC, COMMUNITY, FEEDBACK, CHNA, PLACE, FIRST, RUBRIC):
        a, b = run(rule, f), run(rule, dataclasses.replace(f))
        assert a == b
