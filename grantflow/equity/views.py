"""The equity audit of a program: the page and its downloads (PDF, CSV, JSON)."""
from __future__ import annotations

from flask import Blueprint, Response, abort, render_template
from flask_login import login_required

from grantflow.core.policy import authorize
from grantflow.equity.exports import FORMATS, export, template_context
from grantflow.programs.models import Program

bp = Blueprint("equity", __name__, cli_group=None)


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
    from grantflow.equity.report import build_report

    authorize("program.audit", program)
    if fmt not in FORMATS:
        abort(404)
    body = export(build_report(program), fmt)
    response = Response(body, mimetype=FORMATS[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{program.slug}-equity-audit.{fmt}"'
    response.headers["Cache-Control"] = "no-store"
    return response
