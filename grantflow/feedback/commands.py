"""The feedback area's CLI: reminders of progress reports due."""
from __future__ import annotations

import click
from flask import url_for
from flask.cli import with_appcontext

from grantflow.core.db import db
from grantflow.feedback import checkins


@click.command("remind-reports")
@click.option("--days", default=checkins.REMIND_DAYS, show_default=True,
              help="Remind about reports due within this many days (and every overdue one).")
@with_appcontext
def remind_reports_command(days: int) -> None:
    """Email applicants about progress reports due soon or overdue (at most once a day per report)."""
    def link(rep):
        try:
            return url_for("feedback.report", report_id=rep.id, _external=True)
        except RuntimeError:
            return ""

    n = checkins.send_reminders(days=days, link_for=link)
    db.session.commit()
    click.echo(f"Reminded {n} report(s).")


COMMANDS = (remind_reports_command,)
