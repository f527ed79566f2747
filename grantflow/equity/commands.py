"""The equity area's CLI: writing a program's audit, importing past cycles for it."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from grantflow.core.db import db
from grantflow.equity.exports import FORMATS, csv_metadata, export, to_json
from grantflow.equity.history import HistoryImportError, import_history
from grantflow.equity.report import build_report
from grantflow.programs.models import Program
from grantflow.programs.slugs import PROGRAM


@click.command("audit")
@click.argument("program", metavar="PROGRAM_SLUG", type=PROGRAM)
@click.option("--format", "fmt", type=click.Choice(sorted(FORMATS)), default="json", show_default=True)
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="File to write the audit to.")
@with_appcontext
def audit_command(program: Program, fmt: str, output: Path) -> None:
    """Write the equity audit of PROGRAM_SLUG as a PDF, CSV (with its OUTPUT-metadata.json sidecar)
    or JSON file."""
    report = build_report(program)
    body = export(report, fmt)
    if isinstance(body, str):
        output.write_text(body, encoding="utf-8")
    else:
        output.write_bytes(body)
    click.echo(f"Wrote the {fmt.upper()} audit of {program.slug} to {output}")
    if fmt == "csv":
        sidecar = output.with_name(output.name + "-metadata.json")
        sidecar.write_text(to_json(csv_metadata(report, output.name)), encoding="utf-8")
        click.echo(f"Wrote its metadata to {sidecar}")


@click.command("import-history")
@click.argument("program_slug")
@click.argument("applications", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--reviews", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="CSV of past reviews: ref, reviewer, criterion, score.")
@click.option("--funder", "funder_slug", help="The funder's slug (needed when the program does not exist "
                                               "and more than one funder is registered).")
@click.option("--title", help="Title of the program when it is created.")
@click.option("--series", help="Series the cycle belongs to (compared cycle by cycle in the audit).")
@click.option("--cycle", "cycle_label", help="Label of the cycle, e.g. 2023.")
@click.option("--vintage", "data_vintage", help="Data vintage, e.g. 'Funder records, exported 2024-01'.")
@with_appcontext
def import_history_command(program_slug, applications, reviews, funder_slug, title, series, cycle_label,
                           data_vintage) -> None:
    """Import a past cycle's applications and decisions (and reviews) for the equity audit."""
    try:
        result = import_history(
            program_slug, applications.read_bytes(), reviews.read_bytes() if reviews else None,
            funder_slug=funder_slug, title=title, series=series, cycle_label=cycle_label, data_vintage=data_vintage,
            source=applications.name, reviews_source=reviews.name if reviews else "reviews.csv")
    except HistoryImportError as exc:
        db.session.rollback()
        for e in exc.errors:
            click.echo(e, err=True)
        raise click.ClickException(f"nothing imported: {len(exc.errors)} problem(s) found")
    db.session.commit()
    click.echo(f"Imported {result.applications} applications and {result.reviews} reviews into "
               f"{result.program_slug}" + (" (created as a closed past cycle)" if result.created_program else "")
               + f"; {result.organizations_created} organizations created.")


COMMANDS = (audit_command, import_history_command)
