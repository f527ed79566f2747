"""Queue jobs of blind review: the reviewers' copies of a submitted application's files, and the
hourly sweep of redacted copies no row names."""
from __future__ import annotations

from grantflow.applications.models import Application
from grantflow.blind import copies
from grantflow.blind.lexicon import lexicon_for
from grantflow.core.db import db
from grantflow.tasks import periodic, task

MAKE_COPIES = "blind.make_copies"


@task(MAKE_COPIES)
def make_copies(application_id: int) -> None:
    """Makes the copies for the current lexicon (those already made are kept)."""
    application = db.session.get(Application, application_id)
    if application is None or not application.program.blind_review:
        return
    lexicon = lexicon_for(application)
    for att in application.attachments:
        copies.copy_for(att, lexicon)
    db.session.commit()


@periodic("redacted_copies_sweep", minute="23")
def sweep_copies() -> None:
    copies.sweep()
