"""The audit's numbers, cross-checked with Fairlearn (MetricFrame, demographic parity), SciPy
(Fisher's exact, Mann–Whitney U) and statsmodels (Wilson and Newcombe intervals, Cochran–Mantel–
Haenszel) on generated programs with groups of 0, 1 and 10 members, and on a 60-application cycle
at the default k."""
from __future__ import annotations

import random

import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import (
    MetricFrame, demographic_parity_difference, demographic_parity_ratio, selection_rate,
)
from scipy import stats
from statsmodels.stats.contingency_tables import StratifiedTable
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

from grantflow.core.db import db
from grantflow.equity import metrics as M
from grantflow.equity.report import build_report
from tests import factories as F
from tests.equity.builders import Spec, build_program

WEIGHTS = (1, 2, 3)  # the factory rubric's criterion weights


def _specs(seed: int, sizes: dict) -> list[Spec]:
    rnd = random.Random(seed)
    rate = {True: 0.25, False: 0.5, None: 0.4}
    specs = []
    for poc, n in sizes.items():
        for _ in range(n):
            scores = [rnd.randint(1, 5) for _ in WEIGHTS]
            if poc:
                scores = [max(1, s - rnd.randint(0, 1)) for s in scores]
            specs.append(Spec(poc=poc, awarded=rnd.random() < rate[poc],
                              requested=rnd.randint(5, 80) * 1000_00, reviews={"Rae": scores}))
    rnd.shuffle(specs)
    # At least one award in the tiny groups keeps every rate defined and different.
    return specs


def _label(poc):
    return "not reported" if poc is None else ("yes" if poc else "no")


def _cross_check(report: dict, specs: list[Spec], sizes: dict):
    dim = report["dimensions"]["poc_led"]
    groups = {g["group"]: g for g in dim["groups"]}

    y = np.array([s.awarded for s in specs], dtype=int)
    sf = pd.Series([_label(s.poc) for s in specs], name="poc_led")
    mf = MetricFrame(metrics=selection_rate, y_true=y, y_pred=y, sensitive_features=sf)
    by_group = mf.by_group
    assert set(by_group.index) == {"yes", "no", "not reported"}
    best = by_group.max()
    for g, sr in by_group.items():
        assert groups[g]["award_rate"] == pytest.approx(sr)
        assert groups[g]["impact_ratio"] == pytest.approx(sr / best)
        assert groups[g]["applicants"] == int((sf == g).sum())
    assert {g: groups[g]["applicants"] for g in groups} == {_label(p): n for p, n in sizes.items()}
    assert dim["demographic_parity_ratio"] == pytest.approx(
        demographic_parity_ratio(y, y, sensitive_features=sf))
    assert dim["demographic_parity_difference"] == pytest.approx(
        demographic_parity_difference(y, y, sensitive_features=sf))
    assert dim["reference_group"] == by_group.idxmax()

    # Fisher's exact test: group vs rest × awarded vs not, computed here from the raw specs.
    for g in ("yes", "no", "not reported"):
        in_g = (sf == g).to_numpy()
        table = [[int(y[in_g].sum()), int((1 - y[in_g]).sum())], [int(y[~in_g].sum()), int((1 - y[~in_g]).sum())]]
        assert groups[g]["fisher_p"] == pytest.approx(stats.fisher_exact(table).pvalue, rel=1e-9)
        flagged = groups[g]["impact_ratio"] < 0.8
        assert groups[g]["below_four_fifths"] is flagged
        # The 95% intervals: Wilson for the rate, Newcombe for the difference from the rest.
        a, n = int(y[in_g].sum()), int(in_g.sum())
        assert groups[g]["award_rate_ci"] == pytest.approx(proportion_confint(a, n, method="wilson"), abs=1e-9)
        low, high = confint_proportions_2indep(a, n, int(y[~in_g].sum()), int((~in_g).sum()), method="newcomb",
                                               compare="diff")
        assert groups[g]["rate_difference_ci"] == pytest.approx([low, high], abs=1e-9)

    # Dollars and shares.
    total_awarded = sum(s.requested for s in specs if s.awarded)
    for g in groups:
        mine = [s for s in specs if _label(s.poc) == g]
        assert groups[g]["cents_requested"] == sum(s.requested for s in mine)
        if groups[g]["dollars_suppressed"]:  # fewer than k awardees (with k = 1: never)
            assert sum(s.awarded for s in mine) < report["suppression"]["k"] or any(
                groups[o]["dollars_suppressed"] and o != g for o in groups)
            assert groups[g]["cents_awarded"] is None and groups[g]["share_of_dollars"] is None
            continue
        assert groups[g]["cents_awarded"] == sum(s.requested for s in mine if s.awarded)
        assert groups[g]["share_of_dollars"] == pytest.approx(groups[g]["cents_awarded"] / total_awarded)
        assert groups[g]["share_of_applicants"] == pytest.approx(len(mine) / len(specs))

    # Mann–Whitney U on the application rubric scores, against SciPy itself.
    weighted = np.array([sum(w * s for w, s in zip(WEIGHTS, sp.reviews["Rae"])) / sum(WEIGHTS) for sp in specs])
    for g in ("yes", "no"):
        in_g = (sf == g).to_numpy()
        res = stats.mannwhitneyu(weighted[in_g], weighted[~in_g], alternative="two-sided", method="asymptotic")
        score = groups[g]["score"]
        assert score["n"] == int(in_g.sum())
        assert score["mannwhitney_p"] == pytest.approx(res.pvalue, rel=1e-9)
        assert score["effect_size"] == pytest.approx(2 * res.statistic / (in_g.sum() * (~in_g).sum()) - 1)
        assert score["gap"] == pytest.approx(weighted[in_g].mean() - weighted[~in_g].mean())

    # A group with no members (no organization belongs to a network) is listed with 0 and no rate,
    # and stays out of the parity ratio (Fairlearn never sees it either).
    assert report["totals"]["award_rate_ci"] == pytest.approx(
        proportion_confint(int(y.sum()), len(y), method="wilson"), abs=1e-9)
    net = {g["group"]: g for g in report["dimensions"]["network_member"]["groups"]}
    assert net["yes"]["applicants"] == 0 and net["yes"]["award_rate"] is None
    assert net["yes"]["impact_ratio"] is None and net["yes"]["suppressed"] is False
    assert report["dimensions"]["network_member"]["demographic_parity_ratio"] == pytest.approx(1.0)




@pytest.mark.parametrize("seed", [1, 7])
def test_rates_impact_ratios_and_parity_match_fairlearn(any_app, seed):
    """Groups of 60, 10 and 1, with suppression off (k = 1, a test's override: the page refuses
    anything below 5) so every tiny group's numbers can be checked."""
    sizes = {True: 60, False: 10, None: 1}
    specs = _specs(seed, sizes)
    prog, _ = build_program(F.funder(), specs)
    db.session.commit()
    _cross_check(build_report(prog, overrides={"k": 1}), specs, sizes)


def test_a_60_application_cycle_matches_at_the_default_k(any_app):
    """The size most funders run: 30 / 18 / 12 — every identity group reaches k = 11 and is shown."""
    sizes = {True: 30, False: 18, None: 12}
    specs = _specs(11, sizes)
    prog, _ = build_program(F.funder(), specs)
    db.session.commit()
    report = build_report(prog)
    assert report["suppression"]["k"] == 11
    _cross_check(report, specs, sizes)


def test_default_k_withholds_identity_groups_of_one_and_ten(app):
    specs = _specs(3, {True: 60, False: 10, None: 1})
    prog, _ = build_program(F.funder(), specs)
    db.session.commit()
    dim = build_report(prog)["dimensions"]["poc_led"]
    groups = {g["group"]: g for g in dim["groups"]}
    for g in ("no", "not reported"):
        assert groups[g]["suppressed"] is True
        for field in ("applicants", "awards", "award_rate", "impact_ratio", "fisher_p", "share_of_applicants",
                      "share_of_dollars", "dollars_requested", "dollars_awarded"):
            assert groups[g][field] is None, field
    # The parity ratio is only over the groups that can be shown (here none to compare with).
    assert dim["parity_over"] == ["yes"] or groups["yes"]["suppressed"]


def test_rank_test_matches_scipy_with_ties():
    rnd = np.random.default_rng(5)
    values = rnd.integers(1, 6, size=300).astype(float)
    ranked = M.Ranked(values)
    for _ in range(5):
        mask = rnd.random(300) < rnd.uniform(0.05, 0.6)
        t = ranked.test(mask)
        res = stats.mannwhitneyu(values[mask], values[~mask], alternative="two-sided", method="asymptotic")
        assert t.p == pytest.approx(res.pvalue, rel=1e-9)
        assert t.effect == pytest.approx(2 * res.statistic / (mask.sum() * (~mask).sum()) - 1)


def test_reference_group_is_configurable(app):
    specs = _specs(2, {True: 90, False: 60, None: 0})
    prog, _ = build_program(F.funder(), specs)
    db.session.commit()
    report = build_report(prog, overrides={"AUDIT_REFERENCE_GROUPS": {"poc_led": "yes"}})
    groups = {g["group"]: g for g in report["dimensions"]["poc_led"]["groups"]}
    assert report["dimensions"]["poc_led"]["reference_group"] == "yes"
    assert groups["yes"]["impact_ratio"] == pytest.approx(1.0)
    assert groups["no"]["impact_ratio"] == pytest.approx(groups["no"]["award_rate"] / groups["yes"]["award_rate"])


def test_greedy_funding_within_budget():
    funded = M.greedy_funded([3.0, None, 5.0, 4.0, 1.0], [60, 10, 50, 30, 10], 100)
    # 5.0 (50) then 4.0 (30), 3.0 (60) no longer fits, 1.0 (10) does; unscored never.
    assert funded.tolist() == [False, False, True, True, True]


def test_intervals_and_the_stratified_test_match_statsmodels():
    for x, n in ((0, 11), (6, 26), (11, 11), (1, 3)):
        assert M.wilson(x, n) == pytest.approx(proportion_confint(x, n, method="wilson"), abs=1e-12)
    assert M.wilson(0, 0) is None
    tables = [(3, 7, 10, 20), (2, 9, 15, 14), (5, 5, 8, 22), (0, 4, 6, 1)]
    ours = M.cmh(tables)
    ref = StratifiedTable([np.array([[a, b], [c, d]]) for a, b, c, d in tables])
    res = ref.test_null_odds(correction=True)
    assert ours.statistic == pytest.approx(res.statistic, rel=1e-12)
    assert ours.p == pytest.approx(res.pvalue, rel=1e-12)
    assert ours.odds_ratio == pytest.approx(ref.oddsratio_pooled, rel=1e-12)
    assert ours.strata == 4


def test_evidence_words():
    assert M.evidence(0.01, (-0.4, -0.1), 0.05, 0.1) == M.CLEAR
    assert M.evidence(0.6, (-0.05, 0.08), 0.05, 0.1) == M.NO_GAP
    assert M.evidence(0.3, (-0.45, 0.06), 0.05, 0.1) == M.TOO_FEW  # not "no gap": too few to tell
    assert M.evidence(None, None, 0.05, 0.1) is None
