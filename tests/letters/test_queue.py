"""Batches through the real task queue: `grantflow worker` processes on SqliteHuey (the default) and
on a real Redis server; a worker killed mid-batch loses nothing and duplicates nothing."""
from __future__ import annotations

import hashlib
import io
import zipfile
from collections import Counter

import pytest
from sqlalchemy import select

from grantflow.core import files
from grantflow.core.db import db
from grantflow.letters import jobs, services
from grantflow.letters.models import IssuedLetter, LetterBatch
from grantflow.tasks import get_huey
from tests import factories as F
from tests.letters import pdfcheck as C
from tests.letters.conftest import decide
from tests.servers import kill_hard, wait_for, worker_process


@pytest.fixture
def app_config():
    return {"LETTERS_CHUNK_SIZE": 2}


def _more_decisions(w, n: int) -> list:
    out = []
    for i in range(n):
        org = F.cbo(name=f"Neighborhood Group {i:02d}")
        application = F.application(w.program, org, title=f"Project {i}")
        out.append(decide(application, "award" if i % 3 else "decline", (10_000 + i) * 100))
    db.session.commit()
    return out


def _status(client, batch_id):
    db.session.expire_all()
    return client.get(f"/programs/health-2026/letters/batches/{batch_id}/status").get_json()


def _check_letters(batch_id: int) -> list[IssuedLetter]:
    """Exactly one current letter per decision of the batch, each file present with its SHA-256."""
    db.session.expire_all()
    batch = db.session.get(LetterBatch, batch_id)
    letters = db.session.execute(select(IssuedLetter).where(
        IssuedLetter.decision_id.in_(batch.decision_ids), IssuedLetter.superseded_at.is_(None))).scalars().all()
    counts = Counter(letter.decision_id for letter in letters)
    assert set(counts) == set(batch.decision_ids)
    assert all(n == 1 for n in counts.values()), counts
    for letter in letters:
        data = files.read(services.letter_key(letter))
        assert hashlib.sha256(data).hexdigest() == letter.sha256
    return letters


def test_batch_through_sqlite_queue_with_progress_zip_and_skip(app, letters_world, login):
    w = letters_world
    _more_decisions(w, 5)
    client = login(w.users["program_officer"])
    assert type(get_huey(app)).__name__ == "SqliteHuey"
    response = client.post("/programs/health-2026/letters/batches", data={"include_declines": "y", "submit": "x"})
    assert response.status_code == 302
    batch_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "<progress" in page and "letters/progress.js" in page and "0 of 7" in page
    first = _status(client, batch_id)
    assert first["total"] == 7 and first["done"] == 0 and not first["finished"]
    with worker_process(app, workers=2):
        final = wait_for(lambda: (s := _status(client, batch_id))["finished"] and s)
    assert final["done"] == 7 and final["percent"] == 100 and final["error"] is None
    letters = _check_letters(batch_id)
    archive = client.get(final["zip_url"])
    assert archive.status_code == 200
    with zipfile.ZipFile(io.BytesIO(archive.data)) as z:
        names = sorted(z.namelist())
        assert len(names) == 7
        assert any(n.endswith("-award-eastside-tenants-union.pdf") for n in names)
        eastside = z.read(next(n for n in names if "eastside" in n))
    assert "Eastside Tenants Union" in C.text(eastside)
    assert {l.kind for l in letters} == {"award", "decline"}

    # A second batch skips what is issued: done at once, nothing new.
    again = jobs.start_batch(w.program, include_declines=True)
    assert _status(client, again.id)["finished"]
    assert len(db.session.execute(select(IssuedLetter)).all()) == 7


def test_reissue_batch_through_redis(app_config, tmp_path, redis_url, login):
    from tests.conftest import _app_for, build_world

    gen = _app_for(tmp_path, None, {"LETTERS_CHUNK_SIZE": 2, "HUEY_URL": redis_url})
    app = next(gen)
    try:
        assert type(get_huey(app)).__name__ == "RedisHuey"
        w = build_world()
        decide(w.application, "award", 20_000_00)
        decide(w.other_application, "award", 30_000_00)
        _more_decisions(w, 2)
        db.session.commit()
        client = app.test_client(user=w.users["funder_admin"])
        with worker_process(app, workers=1):
            first = jobs.start_batch(w.program)
            wait_for(lambda: _status(client, first.id)["finished"])
            old = {l.decision_id: l.sha256 for l in _check_letters(first.id)}
            assert len(old) == 3  # the three awards (one of the extra decisions is a decline)
            second = jobs.start_batch(w.program, reissue=True)
            wait_for(lambda: _status(client, second.id)["finished"])
        new = _check_letters(second.id)
        assert all(l.batch_id == second.id for l in new)
        superseded = db.session.execute(select(IssuedLetter).where(IssuedLetter.superseded_at.is_not(None))).scalars().all()
        assert {l.decision_id for l in superseded} == set(old)
    finally:
        next(gen, None)


def test_killed_worker_mid_batch_resumes_without_loss_or_duplicate(app, letters_world):
    w = letters_world
    _more_decisions(w, 18)  # 20 letters in chunks of 2
    batch = jobs.start_batch(w.program, include_declines=True)
    total = len(batch.decision_ids)
    assert total == 20

    def done() -> int:
        db.session.expire_all()
        return jobs.progress(db.session.get(LetterBatch, batch.id))["done"]

    with worker_process(app, workers=1) as proc:
        wait_for(lambda: done() >= 3, interval=0.05)
        kill_hard(proc)
    stopped_at = done()
    assert 3 <= stopped_at < total, stopped_at
    finished_before = {l.id: l.sha256 for l in db.session.execute(select(IssuedLetter)).scalars()}

    with worker_process(app, workers=2):
        wait_for(lambda: db.session.get(LetterBatch, batch.id).status == "done" if not db.session.expire_all() else False)
    letters = _check_letters(batch.id)
    assert len(letters) == total
    # no duplicate at all, superseded or not: the batch never issued a letter twice
    assert len(db.session.execute(select(IssuedLetter)).all()) == total
    # every letter finished before the kill is still there, unchanged
    still = {l.id: l.sha256 for l in letters}
    assert all(still.get(i) == sha for i, sha in finished_before.items())
    assert "Resumed 1 unfinished letter batch" in (w and open(f"{app.instance_path}/worker.log").read())
