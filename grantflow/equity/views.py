"""The equity audit of a program: the page and its downloads (PDF, CSV, JSON)."""
from __future__ import annotations

from flask import Blueprint, Response, abort, render_template
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
