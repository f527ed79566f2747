"""The scoring area's CLI: rescoring a program."""
from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from grantflow.applications.models import Application
from grantflow.core.db import db
from grantflow.programs.models import Program
from grantflow.programs.slugs import PROGRAM
from grantflow.scoring import engine


@click.command("score")
@click.argument("program", metavar="PROGRAM_SLUG", type=PROGRAM)
@with_appcontext
def score_command(program: Program) -> None:
    """Rescore every application of a program with its enabled rules."""
    configs = engine.resolve(engine.program_config(program), program)
    n_apps = db.session.execute(
        select(db.func.count()).select_from(Application)
        .where(Application.program_id == program.id, Application.status != "draft")).scalar_one()
    with click.progressbar(length=max(1, n_apps * len(configs)), label=f"Scoring {program.slug}") as bar:
        run = engine.rescore(program.id, progress=bar.update)
    db.session.commit()
    click.echo(f"Run {run.id}: {n_apps} applications × {len(configs)} rules, config {run.config_hash[:12]}.")


COMMANDS = (score_command,)
