"""Scores read without details (explanations, evidence) have the same totals as with them."""
from __future__ import annotations

from grantflow.scoring import engine
from tests.conftest import build_world


def test_totals_without_details_equal_totals_with_details(app):
    w = build_world()
    engine.rescore(w.program.id)
    full = engine.latest_results(w.program.id)
    light = engine.latest_results(w.program.id, details=False)
    assert full and set(full) == set(light)
    for aid, score in full.items():
        assert (light[aid].total, light[aid].merit, light[aid].priority) == (score.total, score.merit, score.priority)
        assert all(r.explanation == "" for r in light[aid].rules)
        assert any(r.explanation for r in score.rules)
