"""The equity audit: exactly the JSON export (the same report, the same suppression of small groups)."""
from __future__ import annotations

from flask import Response

from grantflow.api.schemas import AuditSchema
from grantflow.api.spec import errors, resource
from grantflow.core.policy import authorize
from grantflow.equity.exports import to_json
from grantflow.equity.report import build_report
from grantflow.programs.models import Program

blp = resource("api_audit", "The equity audit, for the funder's staff.")


@blp.route("/programs/<program:program>/audit")
@blp.response(200, AuditSchema)
@errors(blp)
def get_audit(program: Program):
    authorize("program.audit", program)
    """The same document as the audit page's JSON export, byte for byte."""
    return Response(to_json(build_report(program)), mimetype="application/json", headers={"Cache-Control": "no-store"})
