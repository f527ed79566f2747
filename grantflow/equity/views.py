"""The equity audit of a program: the page, its downloads (PDF, CSV, JSON) and the CLI commands."""
from __future__ import annotations

from pathlib import Path

import click
from flask import Blueprint, Response, abort, render_template
from flask.cli import with_appcontext
from flask_login import login_required
from sqlalchemy import select

from grantflow.core.db import db
from grantflow.core.policy import authorize
from grantflow.equity.exports import FORMATS, export, template_context

bp = Blueprint("equity", __name__, cli_group=None)


def _program(slug: str):
    from grantflow.programs.models import Program

    program = db.session.execute(select(Program).where(Program.slug == slug)).scalar_one_or_none()
    if program is None:
        abort(404)
    return program


@bp.route("/programs/<slug>/audit")
@login_required
def audit(slug: str):
    from grantflow.equity.report import build_report

    program = _program(slug)
    authorize("program.audit", program)
    report = build_report(program)
    return render_template("equity/audit.html", **template_context(report))


@bp.route("/programs/<slug>/audit.<fmt>")
@login_required
def audit_export(slug: str, fmt: str):
    from grantflow.equity.report import build_report

    program = _program(slug)
    authorize("program.audit", program)
    if fmt not in FORMATS:
        abort(404)
    body = export(build_report(program), fmt)
    response = Response(body, mimetype=FORMATS[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{program.slug}-equity-audit.{fmt}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.cli.command("audit")
@click.argument("program_slug")
@click.option("--format", "fmt", type=click.Choice(sorted(FORMATS)), default="json", show_default=True)
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="File to write the audit to.")
@with_appcontext
def audit_command(program_slug: str, fmt: str, output: Path) -> None:
    """Write the equity audit of PROGRAM_SLUG as a PDF, CSV or JSON file."""
    from grantflow.equity.report import build_report
    from grantflow.programs.models import Program

    program = db.session.execute(select(Program).where(Program.slug == program_slug)).scalar_one_or_none()
    if program is None:
        raise click.ClickException(f"no program with the slug {program_slug!r}")
    body = export(build_report(program), fmt)
    if isinstance(body, str):
        output.write_text(body, encoding="utf-8")
    else:
        output.write_bytes(body)
    click.echo(f"Wrote the {fmt.upper()} audit of {program.slug} to {output}")


from grantflow.equity.history import register_cli  # noqa: E402

register_cli(bp)  # `grantflow import-history`
