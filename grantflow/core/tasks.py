"""The core's queue jobs: delivering the outbox's messages, and the sweep that catches what never
reached the queue (grantflow/core/outbox.py)."""
from __future__ import annotations

from grantflow.core import outbox
from grantflow.tasks import periodic, task


@task(outbox.DELIVER_TASK)
def deliver(message_id: int) -> None:
    outbox.deliver(message_id)


@periodic(outbox.SWEEP_TASK, minute="*")
def sweep() -> None:
    outbox.sweep()
