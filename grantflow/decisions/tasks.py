"""The decisions area's queue jobs: a scheduled release at its time, and a check every five
minutes for scheduled releases the queue lost (grantflow/decisions/release.py)."""
from __future__ import annotations

from grantflow.core.db import db
from grantflow.decisions import release
from grantflow.tasks import periodic, task


@task(release.RELEASE_TASK)
def perform_scheduled(release_id: int) -> None:
    release.perform_scheduled(release_id)
    db.session.commit()


@periodic("decisions_release_due", minute="*/5")
def perform_due() -> None:
    release.perform_due()
    db.session.commit()
