"""The decisions area's CLI: performing scheduled releases whose time has come."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from grantflow.core.db import db
from grantflow.decisions import release


@click.command("release-decisions")
@with_appcontext
def release_decisions_command():
    """Performs every scheduled release of decisions whose time has passed (the worker does this
    on its own; this is for a queue that was down)."""
    told = release.perform_due()
    db.session.commit()
    click.echo(f"{told} decision{'s' if told != 1 else ''} released.")


COMMANDS = (release_decisions_command,)
