"""The equity audit of a program: the page, its downloads (PDF, CSV and its sidecar, JSON) and the
program's suppression threshold."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_babel import ngettext
from flask_login import current_user, login_required

from forms.equity import AuditSettingsForm
from grantflow.core.policy import authorize
from grantflow.equity import services, wording
from grantflow.equity.exports import FORMATS, export, template_context
from grantflow.programs.models import Program

bp = Blueprint("equity", __name__, cli_group=None)
# The audit's numbers in the reader's language (templates/equity/_macros.html).
bp.add_app_template_filter(wording.pct, "audit_percent")
bp.add_app_template_filter(wording.signed, "audit_signed")
bp.add_app_template_filter(wording.pct_range, "audit_range")
bp.add_app_template_filter(wording.money, "audit_money")


def _page(program: Program, form: AuditSettingsForm | None = None, status: int = 200):
    from grantflow.equity.report import build_report

    report = build_report(program)
    form = form or AuditSettingsForm(formdata=None, data={"k": report["suppression"]["k"]})
    return render_template("equity/audit.html", **template_context(report, settings_form=form)), status


@bp.route("/programs/<program:program>/audit")
@login_required
def audit(program: Program):
    authorize("program.audit", program)
    return _page(program)


@bp.route("/programs/<program:program>/audit/settings", methods=["POST"])
@login_required
def audit_settings(program: Program):
    authorize("program.audit", program)
    form = AuditSettingsForm()
    if form.validate_on_submit():
        try:
            services.set_k(program.id, form.k.data, current_user.id)
        except services.SettingsError as exc:
            form[exc.field].errors.append(str(exc))
        else:
            flash(ngettext("Identity groups with fewer than %(num)s organization are now withheld.",
                           "Identity groups with fewer than %(num)s organizations are now withheld.", form.k.data),
                  "success")
            return redirect(url_for("equity.audit", program=program) + "#settings")
    return _page(program, form, 422)


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
