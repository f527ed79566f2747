"""The reviews area's queue jobs, every hour: reminders of reviews due soon (once per assignment),
and moving assigned applications to under review once their program has closed."""
from __future__ import annotations

from grantflow.core.db import db
from grantflow.reviews import progress, reminders
from grantflow.tasks import periodic


@periodic("reviews_remind", minute="7")
def remind() -> None:
    reminders.send_reminders()
    db.session.commit()


@periodic("reviews_start_after_close", minute="37")
def start_after_close() -> None:
    progress.start_reviews_after_close()
    db.session.commit()
