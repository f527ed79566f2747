"""The awards area's queue jobs: reminders of interim and final reports, every hour (each reminder
is keyed in the outbox, so it goes once however often this runs)."""
from __future__ import annotations

from flask import url_for

from grantflow.awards import reports
from grantflow.core.db import db
from grantflow.tasks import periodic

REMINDERS_TASK = "awards.report_reminders"


def _link(report) -> str:
    try:
        return url_for("feedback.report", report_id=report.id, _external=True)
    except RuntimeError:  # no SERVER_NAME to build an absolute link outside a request
        return ""


@periodic(REMINDERS_TASK, minute="17")
def report_reminders() -> int:
    sent = reports.send_reminders(link_for=_link)
    db.session.commit()
    return sent
