"""The awards area's CLI: a program's payments as CSV or XLSX, a funder's Schedule H totals, and
the CHNA implementation report as a PDF."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from grantflow.awards import chna_report, exports, scheduleh
from grantflow.core import csvfile
from grantflow.core.db import db
from grantflow.core.money import format_money
from grantflow.organizations.models import Organization
from grantflow.programs.models import Program
from grantflow.programs.slugs import PROGRAM

OUTPUT = click.option("-o", "--output", "output", type=click.Path(dir_okay=False, path_type=Path), required=True,
                      help="File to write.")


def _funder(slug: str) -> Organization:
    funder = db.session.execute(select(Organization).where(Organization.slug == slug,
                                                           Organization.kind == "funder")).scalar_one_or_none()
    if funder is None:
        raise click.BadParameter(f"no funder with the slug {slug!r}", param_hint="FUNDER_SLUG")
    return funder


@click.command("payments")
@click.argument("program", metavar="PROGRAM_SLUG", type=PROGRAM)
@OUTPUT
@with_appcontext
def payments_command(program: Program, output: Path) -> None:
    """Write every instalment of PROGRAM_SLUG's awards, one row each (CSV; XLSX when FILE ends in .xlsx)."""
    xlsx = output.suffix.lower() == ".xlsx"
    output.write_bytes(exports.to_xlsx(program) if xlsx else exports.to_csv(program).encode("utf-8"))
    rows = exports.payment_rows(program)
    awards = {r[0]: r[exports.HEADER.index("award_amount")] for r in rows}
    click.echo(f"Wrote {len(rows)} instalments of {len(awards)} awards of {program.slug} to {output} "
               f"(awarded {format_money(int(sum(awards.values()) * 100))}).")


@click.command("schedule-h")
@click.argument("funder_slug")
@click.option("--year", type=click.IntRange(1990, 2100), default=lambda: dt.date.today().year,
              show_default="this year", help="Tax year: payments made from January 1 to December 31.")
@OUTPUT
@with_appcontext
def schedule_h_command(funder_slug: str, year: int, output: Path) -> None:
    """Write FUNDER_SLUG's grants paid in a tax year by Schedule H line, as `category,dollars` rows."""
    funder = _funder(funder_slug)
    output.write_bytes(csvfile.to_text(scheduleh.csv_rows(funder.id, year), lineterminator="\n")
                       .encode("utf-8"))
    total = sum(t.cents for t in scheduleh.totals(funder.id, year))
    click.echo(f"Wrote Schedule H {year} of {funder.slug} to {output}: {format_money(total)} paid in {year}.")


@click.command("chna-report")
@click.argument("funder_slug")
@click.option("--year", type=click.IntRange(1990, 2100), default=lambda: dt.date.today().year,
              show_default="this year")
@OUTPUT
@with_appcontext
def chna_report_command(funder_slug: str, year: int, output: Path) -> None:
    """Write FUNDER_SLUG's CHNA implementation report of a year as a PDF."""
    report = chna_report.build(_funder(funder_slug), year)
    output.write_bytes(chna_report.to_pdf(report))
    click.echo(f"Wrote the CHNA implementation report {year} to {output}: {format_money(report.paid_cents)} paid.")


COMMANDS = (payments_command, schedule_h_command, chna_report_command)
