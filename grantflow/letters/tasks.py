"""The letters area's queue jobs: one chunk of a batch per task, and the unfinished batches put
back on the queue when `grantflow worker` starts."""
from __future__ import annotations

from grantflow.letters.jobs import CHUNK_TASK, issue_chunk, resume_unfinished
from grantflow.tasks import on_consumer_start, task


@task(CHUNK_TASK, retries=2, retry_delay=1)
def _issue_chunk_task(batch_id: int, decision_ids: list[int]) -> None:
    issue_chunk(batch_id, decision_ids)


@on_consumer_start
def _resume_batches() -> str | None:
    resumed = resume_unfinished()
    return f"Resumed {resumed} unfinished letter batch(es)." if resumed else None
