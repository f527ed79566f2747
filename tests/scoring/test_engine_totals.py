"""Each run stores one total per application, equal to what its per-rule results add up to."""
from __future__ import annotations

from sqlalchemy import delete, func, select

from grantflow.core.db import db
from grantflow.scoring import engine
from grantflow.scoring.models import ScoreTotal
from tests.conftest import build_world
from tests.scoring.helpers import review, scoring_world


def _from_results(run):
    return {aid: (s.total, s.merit, s.priority, s.complete)
            for aid, s in engine.run_results(run, details=False).items()}


def _stored(run):
    return {aid: (t.total, t.merit, t.priority, t.complete) for aid, t in engine.run_totals(run).items()}


def test_stored_totals_equal_the_results_on_both_backends(any_app):
    w = scoring_world()
    review(w.apps[0], w.reviewer, [5, 3, 4])
    review(w.apps[1], w.reviewer, [2, 2, 1])
    db.session.commit()
    run = engine.rescore(w.program.id)
    db.session.commit()
    stored = _stored(run)
    assert stored == _from_results(run)
    assert db.session.scalar(select(func.count()).select_from(ScoreTotal).where(ScoreTotal.run_id == run.id)) == len(stored)
    # The world has both complete (reviewed) and incomplete (unreviewed) applications.
    assert {complete for *_, complete in stored.values()} == {True, False}
    assert engine.latest_totals(w.program.id) == engine.run_totals(run)


def test_a_run_without_stored_totals_computes_them_from_its_results(app):
    """Runs scored before the score_totals revision have no rows there."""
    w = scoring_world()
    review(w.apps[0], w.reviewer, [5, 3, 4])
    run = engine.rescore(w.program.id)
    expected = _stored(run)
    db.session.execute(delete(ScoreTotal).where(ScoreTotal.run_id == run.id))
    assert _stored(run) == expected


def test_latest_totals_is_empty_before_any_run(app):
    w = build_world()
    assert engine.latest_totals(w.program.id) == {}
