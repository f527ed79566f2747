"""A stored run's explanations read back: each row its own message, a row without a message (or with one that is not an explanation) its text; on
both databases, from a fresh session."""
from __future__ import annotations

from sqlalchemy import select, update

from grantflow.core.db import db
from grantflow.core.i18n import in_language
from grantflow.scoring import engine
from grantflow.scoring.explain import Explanation
from grantflow.scoring.models import ScoreResult, ScoreRun
from tests.scoring.helpers import configure, scoring_world


def test_each_stored_row_reads_its_own_message_or_its_text(any_app):
    w = scoring_world()
    configure(w.program, {"first_time_small": (1, {}), "community_led": (1, {}), "poc_led": (1, {})})
    db.session.commit()
    with in_language("en"):
        run_id = engine.rescore(w.program.id).id
    ids = [a.id for a in w.apps]
    where = (ScoreResult.run_id == run_id, ScoreResult.rule_key == "community_led")
    db.session.execute(update(ScoreResult).where(*where, ScoreResult.application_id == ids[0])
                       .values(explanation="Written before messages.", explanation_message=None))
    db.session.execute(update(ScoreResult).where(*where, ScoreResult.application_id == ids[1])
                       .values(explanation="Not a message.", explanation_message={"nope": 1}))
    db.session.commit()
    db.session.remove()

    rows = {(r.application_id, r.rule_key): r for r in db.session.execute(
        select(ScoreResult).where(ScoreResult.run_id == run_id)).scalars()}
    scores = engine.run_results(db.session.get(ScoreRun, run_id))
    read = {(aid, r.rule_key): r.explanation for aid, s in scores.items() for r in s.rules}
    assert read.keys() == rows.keys() and len(read) == 9
    assert read[(ids[0], "community_led")] == "Written before messages."
    assert read[(ids[1], "community_led")] == "Not a message."
    for key, row in rows.items():
        if key[1] != "community_led" or key[0] == ids[2]:
            assert isinstance(read[key], Explanation) and read[key] == Explanation.from_json(row.explanation_message)
            with in_language("en"):
                assert str(read[key]) == row.explanation
