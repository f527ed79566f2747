"""The CHNA area's CLI: importing a funder's places."""
from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from grantflow.chna import importer
from grantflow.core.db import db
from grantflow.organizations.models import FUNDER, Organization


@click.command("import-places")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False))
@click.option("--funder", "funder_slug", default=None, help="The funder's slug (needed when there are several).")
@click.option("--priority-threshold", type=click.FloatRange(0, 1), default=None,
              help="Mark places whose index is at least this as priority (when the file has no priority column).")
@with_appcontext
def import_places_command(csv_file: str, funder_slug: str | None, priority_threshold: float | None) -> None:
    """Import a funder's places from a CSV (SVI or geoid,name,index[,population]); all rows or none."""
    query = select(Organization).where(Organization.kind == FUNDER)
    if funder_slug:
        query = query.where(Organization.slug == funder_slug)
    funders = db.session.execute(query.order_by(Organization.slug)).scalars().all()
    if not funders:
        raise click.ClickException(f"no funder with the slug {funder_slug!r}" if funder_slug else "no funder exists yet")
    if len(funders) > 1:
        raise click.ClickException("several funders exist; choose one with --funder: "
                                   + ", ".join(f.slug for f in funders))
    funder = funders[0]
    with open(csv_file, "rb") as fh:
        data = fh.read()
    try:
        result = importer.import_bytes(funder.id, data, source=click.format_filename(csv_file)[-80:],
                                       priority_threshold=priority_threshold)
    except importer.ImportRefused as exc:
        db.session.rollback()
        click.echo(f"Refused: nothing was imported. {len(exc.errors)} bad "
                   f"{'row' if len(exc.errors) == 1 else 'rows'} in {csv_file}:", err=True)
        for error in exc.errors:
            click.echo(f"  {error}", err=True)
        sys.exit(1)
    db.session.commit()
    click.echo(f"Imported {result.created + result.updated} places for {funder.name} ({result.created} new, "
               f"{result.updated} updated; {result.priority} priority).")


COMMANDS = (import_places_command,)
