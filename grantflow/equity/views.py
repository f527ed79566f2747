"""The equity audit of a program: the page, its downloads (PDF, CSV, JSON) and the CLI commands."""
from __future__ import annotations

from pathlib import Path

import click
from flask import Blueprint, Response, abort, render_template
from flask.cli import with_appcontext
from flask_login import login_required

from grantflow.core.policy import authorize
from grantflow.equity import charts
from grantflow.equity.data import STAGE_LABELS, STAGES
from grantflow.programs.models import Program
from grantflow.programs.slugs import PROGRAM

bp = Blueprint("equity", __name__, cli_group=None)

FORMATS = {"pdf": "application/pdf", "csv": "text/csv; charset=utf-8", "json": "application/json"}


def template_context(report: dict, *, for_pdf: bool = False) -> dict:
    chart_set = {key: {"rate": charts.rate_chart(d), "share": charts.share_chart(d),
                       "funnel": charts.funnel_chart(d, STAGES)} for key, d in report["dimensions"].items()}
    return {"report": report, "charts": chart_set, "stages": STAGES, "stage_labels": STAGE_LABELS,
            "for_pdf": for_pdf}


@bp.route("/programs/<program:program>/audit")
@login_required
def audit(program: Program):
    from grantflow.equity.report import build_report

    authorize("program.audit", program)
    report = build_report(program)
    return render_template("equity/audit.html", **template_context(report))


@bp.route("/programs/<program:program>/audit.<fmt>")
@login_required
def audit_export(program: Program, fmt: str):
    from grantflow.equity import exports
    from grantflow.equity.report import build_report

    authorize("program.audit", program)
    if fmt not in FORMATS:
        abort(404)
    report = build_report(program)
    body = {"pdf": exports.to_pdf, "csv": exports.to_csv, "json": exports.to_json}[fmt](report)
    response = Response(body, mimetype=FORMATS[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{program.slug}-equity-audit.{fmt}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.cli.command("audit")
@click.argument("program", metavar="PROGRAM_SLUG", type=PROGRAM)
@click.option("--format", "fmt", type=click.Choice(sorted(FORMATS)), default="json", show_default=True)
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="File to write the audit to.")
@with_appcontext
def audit_command(program: Program, fmt: str, output: Path) -> None:
    """Write the equity audit of PROGRAM_SLUG as a PDF, CSV or JSON file."""
    from grantflow.equity import exports
    from grantflow.equity.report import build_report

    report = build_report(program)
    body = {"pdf": exports.to_pdf, "csv": exports.to_csv, "json": exports.to_json}[fmt](report)
    if isinstance(body, str):
        output.write_text(body, encoding="utf-8")
    else:
        output.write_bytes(body)
    click.echo(f"Wrote the {fmt.upper()} audit of {program.slug} to {output}")


from grantflow.equity.history import register_cli  # noqa: E402

register_cli(bp)  # `grantflow import-history`
