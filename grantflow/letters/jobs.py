"""All letters of a program as a batch on the task queue, resumable after a crash.

A batch fixes its list of decisions when it starts and is split into chunks, one queue task each,
so every worker process takes its share. A letter counts as done for the batch when its decision
has a current letter (and, for a re-issue batch, one issued by this batch); progress is counted
from those rows, never from a counter that two workers would race on. Each letter is committed on
its own, so a killed worker loses at most the letter it was rendering; ``resume_unfinished``
(run when ``grantflow worker`` starts, see tasks.py) puts back on the queue whatever is neither done
nor queued.
The last chunk to finish builds the ZIP (one worker wins a conditional UPDATE).
"""
from __future__ import annotations

import logging
import re
import unicodedata
import tempfile
import zipfile
from concurrent.futures import Future, ThreadPoolExecutor

from flask import current_app
from sqlalchemy import func, select, update

from grantflow.core import auditlog, files, translations
from grantflow.core.db import db, utcnow
from grantflow.core.storage import storage
from grantflow.decisions.models import AWARD, DECLINE, WAITLIST, Decision
from grantflow.letters import freshness, services
from grantflow.letters.models import BATCH_DONE, BATCH_RUNNING, BATCH_ZIPPING, IssuedLetter, LetterBatch
from grantflow.letters.render import feedback_for, head_for, letter_data, load_decisions, wording_for
from grantflow.programs.models import Program
from grantflow.tasks import enqueue, pending

log = logging.getLogger(__name__)
CHUNK_TASK = "letters_issue_chunk"
# A batch splits into at least this many tasks (when it has as many letters), so workers share it.
MIN_CHUNKS = 8
MAX_ERROR = 4000


def chunk_size(letters: int) -> int:
    """Letters per queue task: large enough that the per-task work (loading, the completion
    check, the queue itself) is small beside rendering, small enough that a batch still splits
    into several tasks for the workers to share."""
    largest = max(1, int(current_app.config["LETTERS_CHUNK_SIZE"]))
    return max(1, min(largest, -(-letters // MIN_CHUNKS)))


def decision_ids_for(program_id: int, kinds: list[str]) -> list[int]:
    return list(db.session.execute(
        select(Decision.id).where(Decision.program_id == program_id, Decision.outcome.in_(kinds))
        .order_by(Decision.id)
    ).scalars())


def create_batch(program: Program, *, include_declines: bool = False, reissue: bool = False,
                 outdated: bool = False, actor_id: int | None = None) -> LetterBatch:
    """Creates and commits the batch (the workers must see it before its tasks arrive): all letters
    of the kinds, or with `outdated` a re-issue of exactly the out-of-date ones. LetterError when
    the letters cannot be signed yet."""
    kinds = [AWARD, DECLINE, WAITLIST] if include_declines or outdated else [AWARD]
    services.check_ready(head_for(program.funder_id, program.funder.name),
                         [wording_for(program.id, kind) for kind in kinds])
    ids = freshness.outdated_ids(program) if outdated else decision_ids_for(program.id, kinds)
    batch = LetterBatch(program_id=program.id, kinds=kinds, reissue=reissue or outdated, created_by_id=actor_id,
                        decision_ids=ids, status=BATCH_RUNNING)
    db.session.add(batch)
    db.session.flush()
    auditlog.record("letters.batch_start", batch, actor_id=actor_id,
                    after={"program_id": program.id, "kinds": kinds, "reissue": batch.reissue, "outdated": outdated,
                           "letters": len(batch.decision_ids)})
    db.session.commit()
    return batch


def _done_query(batch: LetterBatch, among: list[int] | None = None, column=IssuedLetter.decision_id):
    """The batch's done letters (``column`` of each): current, and this batch's own if re-issuing."""
    query = select(column).where(
        IssuedLetter.decision_id.in_((batch.decision_ids if among is None else among) or [-1]),
        IssuedLetter.superseded_at.is_(None))
    if batch.reissue:
        query = query.where(IssuedLetter.batch_id == batch.id)
    return query


def done_ids(batch: LetterBatch, among: list[int] | None = None) -> set[int]:
    """Decisions of the batch (or of ``among``, some of them) whose letter is done."""
    return set(db.session.execute(_done_query(batch, among)).scalars())


def _left_since_start(batch: LetterBatch) -> int:
    """Decisions of the program changed to an outcome outside the batch's kinds since it started
    (an award turned into a decline): an upper bound on the batch's decisions no longer due."""
    return db.session.execute(select(func.count()).select_from(Decision).where(
        Decision.program_id == batch.program_id, Decision.outcome.not_in(batch.kinds),
        Decision.updated_at >= batch.created_at)).scalar_one()


def due_ids(batch: LetterBatch, left: int | None = None) -> set[int]:
    """The batch's decisions still owed a letter: those whose outcome is still one of its kinds.
    A chunk skips the others, so the batch must not wait for them."""
    left = _left_since_start(batch) if left is None else left
    if not left:
        return set(batch.decision_ids)
    return set(db.session.execute(select(Decision.id).where(
        Decision.id.in_(batch.decision_ids or [-1]), Decision.outcome.in_(batch.kinds))).scalars())


def _may_be_done(batch: LetterBatch, left: int) -> bool:
    """A cheap necessary condition for `done_ids(batch) >= due_ids(batch)`: at least as many
    current letters (of the batch's kinds, in its program) as the batch has decisions still due.
    Two indexed counts instead of a 1,000-id IN list after every chunk."""
    query = (select(func.count()).select_from(IssuedLetter)
             .join(Decision, Decision.id == IssuedLetter.decision_id)
             .where(Decision.program_id == batch.program_id, Decision.outcome.in_(batch.kinds),
                    IssuedLetter.superseded_at.is_(None)))
    if batch.reissue:
        query = query.where(IssuedLetter.batch_id == batch.id)
    return db.session.execute(query).scalar_one() >= len(batch.decision_ids) - left


def progress(batch: LetterBatch) -> dict:
    due = due_ids(batch)
    total, done = len(due), len(done_ids(batch) & due)
    return {"id": batch.id, "status": batch.status, "total": total, "done": done,
            "percent": 100 if total == 0 else int(100 * done / total), "error": batch.error,
            "finished": batch.status == BATCH_DONE}


def _chunks(ids: list[int]) -> list[list[int]]:
    size = chunk_size(len(ids))
    return [ids[i:i + size] for i in range(0, len(ids), size)]


def enqueue_batch(batch: LetterBatch) -> int:
    """Queues every letter of the batch that is neither done nor already queued; returns how many."""
    done = done_ids(batch)
    queued = {d for args in pending(CHUNK_TASK) if args and args[0] == batch.id for d in args[1]}
    todo = [d for d in batch.decision_ids if d not in done and d not in queued]
    for chunk in _chunks(todo):
        enqueue(CHUNK_TASK, batch.id, chunk)
    if not todo and not queued:
        maybe_finish(batch.id)
    return len(todo)


def start_batch(program: Program, **options) -> LetterBatch:
    batch = create_batch(program, **options)
    enqueue_batch(batch)
    return batch


def issue_chunk(batch_id: int, decision_ids: list[int]) -> int:
    """Issues the letters of one chunk, each committed on its own; returns how many were issued.
    The funder's translations (program title, wording, criteria) are read once for the chunk."""
    with translations.cached():
        return _issue_chunk(batch_id, decision_ids)


def _issue_chunk(batch_id: int, decision_ids: list[int]) -> int:
    batch = db.session.get(LetterBatch, batch_id)
    if batch is None or batch.status == BATCH_DONE:
        return 0
    done = done_ids(batch, decision_ids)
    decisions = [d for d in load_decisions([i for i in decision_ids if i not in done])
                 if d.outcome in batch.kinds]
    wordings = {kind: wording_for(batch.program_id, kind) for kind in batch.kinds}
    program = db.session.get(Program, batch.program_id)
    head = head_for(program.funder_id, program.funder.name)
    declines = [d.application_id for d in decisions if d.outcome != AWARD and wordings[d.outcome].include_feedback]
    feedback = feedback_for(batch.program_id, declines) if declines else {}
    # Plain values first: each commit below expires the ORM objects.
    work = [(services.DecisionRef.of(d), letter_data(d)) for d in decisions]
    reissue, actor_id = batch.reissue, batch.created_by_id
    put = storage().put  # the helper thread has no app context; the backend is thread-safe
    issued = 0

    def finish(written: Future, rendered: services.RenderedLetter) -> None:
        """Records a letter once its file is durable, in its own commit."""
        nonlocal issued
        try:
            written.result()
            # Without re-issue, `done` held every current letter of the chunk: the rest have none.
            existing = services.current_letter(rendered.ref.id) if reissue else None
            _, now = services.record(rendered, existing, actor_id=actor_id, batch_id=batch_id)
            db.session.commit()
            issued += now
        except Exception as exc:
            _failed(batch_id, rendered.ref.id, exc)

    # The storage takes one letter while the next renders: the row of letter k is added after its
    # file is durable, which is while letter k+1 is rendering (fsync and sockets release the GIL).
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="letters-sync") as syncer:
        previous = None
        for ref, data in work:
            try:
                rendered = services.render_letter(ref, wording=wordings[ref.outcome], head=head,
                                                  feedback=feedback.get(ref.application_id), data=data)
            except Exception as exc:  # one bad letter must not stop the batch
                _failed(batch_id, ref.id, exc)
                continue
            written = syncer.submit(put, rendered.key, rendered.pdf)
            if previous is not None:
                finish(*previous)
            previous = (written, rendered)
        if previous is not None:
            finish(*previous)
    maybe_finish(batch_id)
    return issued


def _failed(batch_id: int, decision_id: int, exc: Exception) -> None:
    """Adds a line to the batch's error (in SQL, so two workers' failures are both kept)."""
    db.session.rollback()
    log.error("letter for decision %s failed", decision_id, exc_info=exc)
    line = f"Decision {decision_id}: {exc}"[:500]
    db.session.execute(update(LetterBatch).where(LetterBatch.id == batch_id).values(
        error=func.substr(func.coalesce(LetterBatch.error + "\n", "") + line, 1, MAX_ERROR)))
    db.session.commit()


def maybe_finish(batch_id: int) -> bool:
    """When every letter is done, one caller wins the right to build the ZIP and close the batch."""
    batch = db.session.get(LetterBatch, batch_id)
    db.session.refresh(batch)
    if batch.status != BATCH_RUNNING:
        return False
    left = _left_since_start(batch)
    if not _may_be_done(batch, left):
        return False
    due = due_ids(batch, left)
    if not done_ids(batch) >= due:
        return False
    won = db.session.execute(update(LetterBatch).where(
        LetterBatch.id == batch_id, LetterBatch.status == BATCH_RUNNING).values(status=BATCH_ZIPPING)).rowcount
    db.session.commit()
    if not won:
        return False
    build_zip(batch)
    db.session.execute(update(LetterBatch).where(LetterBatch.id == batch_id).values(
        status=BATCH_DONE, finished_at=utcnow(), zip_stored_name=zip_name(batch)))
    auditlog.record("letters.batch_done", batch, object_type="LetterBatch", object_id=batch_id,
                    actor_id=batch.created_by_id, after={"letters": len(due)})
    db.session.commit()
    return True


def zip_name(batch: LetterBatch) -> str:
    return f"batches/letters-{batch.program_id}-batch-{batch.id}.zip"


def _slug(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-zA-Z0-9]+", "-", text).strip("-").lower()[:50] or "organization"


def letter_filename(letter: IssuedLetter, organization: str) -> str:
    return f"{letter.decision_id:05d}-{letter.kind}-{_slug(organization)}.pdf"


def batch_letters(batch: LetterBatch) -> list[tuple[IssuedLetter, str]]:
    """The batch's current letters with their file names, in decision order."""
    from grantflow.applications.models import Application
    from grantflow.organizations.models import Organization

    rows = db.session.execute(
        select(IssuedLetter, Organization.name)
        .join(Decision, Decision.id == IssuedLetter.decision_id)
        .join(Application, Application.id == Decision.application_id)
        .join(Organization, Organization.id == func.coalesce(Application.on_behalf_of_id, Application.organization_id))
        .where(IssuedLetter.id.in_(_done_query(batch, column=IssuedLetter.id)))
        .order_by(IssuedLetter.decision_id)
    ).all()
    return [(letter, letter_filename(letter, name)) for letter, name in rows]


def zip_key(batch: LetterBatch) -> str:
    return services.LETTERS + zip_name(batch)


def build_zip(batch: LetterBatch) -> str:
    """Stores the ZIP of the batch's letters (put together in a temporary file: a batch of a
    thousand letters is tens of megabytes); returns its key."""
    with tempfile.TemporaryFile() as tmp:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_STORED) as archive:
            for letter, name in batch_letters(batch):
                archive.writestr(name, files.read(services.letter_key(letter)))
        tmp.seek(0)
        storage().put(zip_key(batch), tmp)
    return zip_key(batch)


def resume_unfinished() -> int:
    """Re-queues the missing letters of every unfinished batch (after a crash or a killed worker)."""
    resumed = 0
    db.session.execute(update(LetterBatch).where(LetterBatch.status == BATCH_ZIPPING)
                       .values(status=BATCH_RUNNING))
    db.session.commit()
    for batch in db.session.execute(select(LetterBatch).where(LetterBatch.status == BATCH_RUNNING)).scalars():
        enqueue_batch(batch)
        resumed += 1
    return resumed
