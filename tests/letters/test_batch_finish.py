"""A batch closes (and zips) exactly when every one of its letters is done, whatever other letters
the program has: the cheap pre-check never closes a batch early."""
from __future__ import annotations

from grantflow.core import files
from grantflow.core.db import db
from grantflow.core.storage import storage
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


def test_a_decision_changed_to_an_outcome_outside_the_batch_does_not_hold_it_open(app, letters_world):
    w = letters_world
    second = decide(F.application(w.program, F.cbo(name="Southside Clinic", slug="southside")), "award", 10_000_00)
    db.session.commit()
    batch = jobs.create_batch(w.program)
    assert batch.decision_ids == [w.award.id, second.id]
    second.outcome = "waitlist"  # changed after the batch started, before its letter
    db.session.commit()

    jobs.issue_chunk(batch.id, batch.decision_ids)
    assert _status(batch.id) == BATCH_DONE
    state = jobs.progress(db.session.get(LetterBatch, batch.id))
    assert (state["total"], state["done"], state["percent"]) == (1, 1, 100)
    assert services.current_letter(second.id) is None
    names = [name for _, name in jobs.batch_letters(db.session.get(LetterBatch, batch.id))]
    assert len(names) == 1 and names[0].startswith(f"{w.award.id:05d}-award-")


def test_a_failing_letter_is_reported_and_the_others_are_issued_after_their_files(app, letters_world, monkeypatch):
    w = letters_world
    ids = [w.award.id]
    for i in range(3):
        org = F.cbo(name=f"Neighbor {i}", slug=f"neighbor-{i}")
        ids.append(decide(F.application(w.program, org), "award", 1_000_00 * (i + 1)).id)
    db.session.commit()
    batch = jobs.create_batch(w.program)
    assert batch.decision_ids == ids
    broken_write, broken_render = ids[1], ids[2]

    store = storage()
    real_put, real_record, real_pdf = store.put, services.record, services.letter_pdf

    def put(key, data):
        if key.rsplit("/", 1)[-1].startswith(f"{broken_write}-"):
            raise OSError(28, "No space left on device")
        real_put(key, data)

    def pdf(data, *args, **kwargs):
        if data.decision_id == broken_render:
            raise ValueError("the template broke")
        return real_pdf(data, *args, **kwargs)

    def record(rendered, *args, **kwargs):
        # The row comes only once its file is complete and in place.
        assert files.read(rendered.key) == rendered.pdf
        return real_record(rendered, *args, **kwargs)

    monkeypatch.setattr(store, "put", put)
    monkeypatch.setattr(services, "letter_pdf", pdf)
    monkeypatch.setattr(services, "record", record)
    assert jobs.issue_chunk(batch.id, ids) == 2

    issued = {d for d in ids if services.current_letter(d) is not None}
    assert issued == {ids[0], ids[3]}
    batch = db.session.get(LetterBatch, batch.id)
    assert batch.status == BATCH_RUNNING  # two letters are still owed
    assert batch.error.splitlines() == [f"Decision {broken_render}: the template broke",
                                        f"Decision {broken_write}: [Errno 28] No space left on device"]
    leftovers = [s.key for s in store.list() if s.key.rsplit("/", 1)[-1].startswith(f"{broken_write}-")]
    assert leftovers == []
    if store.kind == "local":
        assert not [p for p in store.root.rglob("*") if p.name.startswith(".")]

    # Once the cause is gone, running the batch's chunk again issues exactly the missing letters.
    monkeypatch.undo()
    assert jobs.issue_chunk(batch.id, ids) == 2
    assert _status(batch.id) == BATCH_DONE


def test_chunks_are_large_but_every_batch_splits_for_the_workers(app):
    assert [len(c) for c in jobs._chunks(list(range(1000)))] == [25] * 40
    assert [len(c) for c in jobs._chunks(list(range(40)))] == [5] * 8
    assert [len(c) for c in jobs._chunks(list(range(3)))] == [1, 1, 1]
    app.config["LETTERS_CHUNK_SIZE"] = 2
    assert [len(c) for c in jobs._chunks(list(range(40)))] == [2] * 20


def test_a_letter_issued_in_a_transaction_that_rolls_back_leaves_no_file(letters_world, storage_config):
    """The single-letter issue (the web page's button, the CLI) writes its PDF before the row
    commits; when the transaction rolls back instead, the file goes with it."""
    letter, issued = services.issue(letters_world.award)
    key = services.letter_key(letter)
    assert issued and files.exists(key) and storage().kind == (storage_config and "s3" or "local")
    db.session.rollback()
    assert not files.exists(key)
    letter, _ = services.issue(letters_world.award)
    db.session.commit()
    assert files.read(services.letter_key(letter)).startswith(b"%PDF")
