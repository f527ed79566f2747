"""Pooling the series: a group too small to show in any one cycle is shown over three, with the
Cochran–Mantel–Haenszel test across cycles; a group shown in some cycles and withheld in others
is not pooled (the pooled count minus the shown cycles would give the withheld one away)."""
from __future__ import annotations

import datetime as dt
import io
import csv

import numpy as np
import pytest
from statsmodels.stats.contingency_tables import StratifiedTable

from grantflow.core.db import db
from grantflow.equity import exports
from grantflow.equity.report import build_report
from tests import factories as F
from tests.equity.builders import Spec, build_program


def _series(funder, sizes):
    """One cycle per (n_yes, a_yes, n_no, a_no), 2023 onwards, in the series "health"."""
    progs = []
    for i, (n_yes, a_yes, n_no, a_no) in enumerate(sizes):
        specs = [Spec(poc=True, awarded=j < a_yes) for j in range(n_yes)]
        specs += [Spec(poc=False, awarded=j < a_no) for j in range(n_no)]
        prog, _ = build_program(funder, specs, series="health", cycle_label=str(2023 + i),
                                opens_at=dt.datetime(2023 + i, 1, 10, tzinfo=dt.timezone.utc))
        progs.append(prog)
    db.session.commit()
    return progs


def test_a_group_small_in_every_cycle_is_shown_pooled_with_cmh(any_app):
    sizes = [(30, 9, 6, 1), (30, 8, 7, 2), (30, 10, 5, 0)]
    progs = _series(F.funder(), sizes)
    report = build_report(progs[-1])
    here = {g["group"]: g for g in report["dimensions"]["poc_led"]["groups"]}
    assert here["no"]["suppressed"] and here["yes"]["suppressed"]  # 5 "no": both withheld in 2025
    pool = report["pooled"]
    assert pool["cycles"] == ["2023", "2024", "2025"] and pool["k"] == 11
    rows = {g["group"]: g for g in pool["dimensions"]["poc_led"]["groups"]}
    assert (rows["no"]["applicants"], rows["no"]["awards"]) == (18, 3)
    assert (rows["yes"]["applicants"], rows["yes"]["awards"]) == (90, 27)
    tables = [np.array([[a_no, n_no - a_no], [a_yes, n_yes - a_yes]]) for n_yes, a_yes, n_no, a_no in sizes]
    ref = StratifiedTable(tables)
    assert rows["no"]["cmh_p"] == pytest.approx(ref.test_null_odds(correction=True).pvalue, rel=1e-9)
    assert rows["no"]["cmh_odds_ratio"] == pytest.approx(ref.oddsratio_pooled, rel=1e-9)
    # Every cycle's own figures for "no" stay withheld in the cycle-by-cycle table: nothing to subtract.
    for c in report["cycles"]:
        assert next(g for g in c["dimensions"]["poc_led"] if g["group"] == "no")["applicants"] is None
    assert any(f["text"].startswith("Pooled over 2023–2025 (withheld in this cycle alone)") for f in report["findings"])
    pooled_rows = [r for r in csv.DictReader(io.StringIO(exports.to_csv(report))) if r["section"] == "pooled"]
    assert {r["item"] for r in pooled_rows} == {"2023–2025"}
    html = exports.to_html(report, for_pdf=True)
    assert "Pooled across cycles" in html and "Cochran–Mantel–Haenszel" in html


def test_a_group_shown_in_one_cycle_and_withheld_in_another_is_not_pooled(app):
    progs = _series(F.funder(), [(30, 9, 6, 1), (30, 8, 12, 3), (30, 10, 5, 1)])
    report = build_report(progs[-1])
    rows = {g["group"]: g for g in report["pooled"]["dimensions"]["poc_led"]["groups"]}
    # 2024 shows its 12 "no" (and its 3 awards): pooled 23 − 12 would tell 2023 + 2025 … and so on.
    assert rows["no"]["applicants"] is None and rows["no"]["suppressed"]
    assert rows["yes"]["applicants"] is None  # its complement in the pooled table


def test_no_pool_without_two_decided_cycles(app):
    progs = _series(F.funder(), [(30, 9, 12, 3), (30, 0, 12, 0)])
    assert build_report(progs[-1])["pooled"] is None
    assert build_report(progs[0])["pooled"] is None
