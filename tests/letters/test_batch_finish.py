"""A batch closes (and zips) exactly when every one of its letters is done, whatever other letters
the program has: the cheap pre-check never closes a batch early."""
from __future__ import annotations

from grantflow.core.db import db
from grantflow.letters import jobs, services
from grantflow.letters.models import BATCH_DONE, BATCH_RUNNING, LetterBatch
from tests import factories as F
from tests.letters.conftest import decide


def _status(batch_id: int) -> str:
    db.session.expire_all()
    return db.session.get(LetterBatch, batch_id).status


def test_other_letters_of_the_program_do_not_close_an_award_batch(app, letters_world):
    w = letters_world
    services.issue(w.decline)  # a decline letter: not part of an awards-only batch
    db.session.commit()
    second = decide(F.application(w.program, F.cbo(name="Southside Clinic", slug="southside")), "award", 10_000_00)
    db.session.commit()
    batch = jobs.create_batch(w.program)
    assert batch.decision_ids == [w.award.id, second.id]

    jobs.issue_chunk(batch.id, [w.award.id])
    assert not jobs.maybe_finish(batch.id)
    assert _status(batch.id) == BATCH_RUNNING

    # A decision added after the batch started has a letter too: as many current award letters as
    # the batch has decisions, but not the batch's own ones.
    late = decide(F.application(w.program, F.cbo(name="Westside Pantry", slug="westside")), "award", 5_000_00)
    services.issue(late)
    db.session.commit()
    assert not jobs.maybe_finish(batch.id)
    assert _status(batch.id) == BATCH_RUNNING

    jobs.issue_chunk(batch.id, [second.id])
    assert _status(batch.id) == BATCH_DONE
    assert jobs.progress(db.session.get(LetterBatch, batch.id))["done"] == 2


def test_a_reissue_batch_counts_only_its_own_letters(app, letters_world):
    w = letters_world
    services.issue(w.award)
    db.session.commit()
    batch = jobs.create_batch(w.program, reissue=True)
    assert not jobs.maybe_finish(batch.id)  # the earlier letter is not this batch's
    jobs.issue_chunk(batch.id, batch.decision_ids)
    assert _status(batch.id) == BATCH_DONE
