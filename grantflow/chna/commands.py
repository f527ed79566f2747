"""The CHNA area's CLI: importing a funder's places and its ZIP–tract crosswalk."""
from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from grantflow.chna import crosswalk, importer
from grantflow.core.db import db
from grantflow.organizations.models import FUNDER, Organization

_FUNDER_HELP = "The funder's slug (needed when there are several)."


def _funder(funder_slug: str | None) -> Organization:
    query = select(Organization).where(Organization.kind == FUNDER)
    if funder_slug:
        query = query.where(Organization.slug == funder_slug)
    funders = db.session.execute(query.order_by(Organization.slug)).scalars().all()
    if not funders:
        raise click.ClickException(f"no funder with the slug {funder_slug!r}" if funder_slug else "no funder exists yet")
    if len(funders) > 1:
        raise click.ClickException("several funders exist; choose one with --funder: "
                                   + ", ".join(f.slug for f in funders))
    return funders[0]


def _run(csv_file: str, do_import):
    """Reads the file and runs the import; on a refusal, names every bad line and exits 1."""
    with open(csv_file, "rb") as fh:
        data = fh.read()
    try:
        result = do_import(data, click.format_filename(csv_file)[-80:])
    except importer.ImportRefused as exc:
        db.session.rollback()
        click.echo(f"Refused: nothing was imported. {len(exc.errors)} bad "
                   f"{'row' if len(exc.errors) == 1 else 'rows'} in {csv_file}:", err=True)
        for error in exc.errors:
            click.echo(f"  {error}", err=True)
        sys.exit(1)
    db.session.commit()
    return result


@click.command("import-places")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False))
@click.option("--funder", "funder_slug", default=None, help=_FUNDER_HELP)
@click.option("--priority-threshold", type=click.FloatRange(0, 1), default=None,
              help="Mark places whose index is at least this as priority (when the file has no priority column).")
@with_appcontext
def import_places_command(csv_file: str, funder_slug: str | None, priority_threshold: float | None) -> None:
    """Import a funder's places from a CSV (SVI or geoid,name,index[,population]); all rows or none."""
    funder = _funder(funder_slug)
    result = _run(csv_file, lambda data, source: importer.import_bytes(
        funder.id, data, source=source, priority_threshold=priority_threshold))
    click.echo(f"Imported {result.created + result.updated} places for {funder.name} ({result.created} new, "
               f"{result.updated} updated; {result.priority} priority).")


@click.command("import-crosswalk")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False))
@click.option("--funder", "funder_slug", default=None, help=_FUNDER_HELP)
@with_appcontext
def import_crosswalk_command(csv_file: str, funder_slug: str | None) -> None:
    """Import a funder's ZIP–tract crosswalk (HUD USPS layout, as CSV); all lines or none."""
    funder = _funder(funder_slug)
    result = _run(csv_file, lambda data, source: crosswalk.import_bytes(funder.id, data, source=source))
    click.echo(f"Imported the ZIP–tract crosswalk for {funder.name}: {result.lines} lines for {result.zips} ZIP codes.")
    if result.unknown_total:
        click.echo(result.unknown_text())


COMMANDS = (import_places_command, import_crosswalk_command)
