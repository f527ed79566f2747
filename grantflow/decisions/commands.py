"""The decisions area's CLI: releasing decisions whose time has come."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from grantflow.core.db import db
from grantflow.decisions import services


@click.command("release-decisions")
@with_appcontext
def release_decisions_command():
    """Emails applicants of every program whose decision release time has passed (once each)."""
    sent = services.release_due()
    db.session.commit()
    click.echo(f"{sent} decision email{'s' if sent != 1 else ''} queued.")


COMMANDS = (release_decisions_command,)
