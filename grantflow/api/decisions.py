"""Decisions and letters: the funder's staff see a program's decisions and letters (metadata and
the PDF); an applicant sees its decision once the program released it."""
from __future__ import annotations

from flask import url_for
from flask_login import current_user
from sqlalchemy import select

from grantflow.api.schemas import DecisionListSchema, DecisionSchema, LetterListSchema
from grantflow.api.spec import errors, resource
from grantflow.applications.models import Application
from grantflow.applications.policy import is_applicant_of
from grantflow.core import files
from grantflow.core.db import db
from grantflow.core.errors import problem
from grantflow.core.policy import authorize, can, get_or_404
from grantflow.decisions import release
from grantflow.decisions import services as decisions
from grantflow.decisions.models import Decision
from grantflow.letters import services as letters
from grantflow.letters.models import IssuedLetter
from grantflow.programs.models import Program

blp = resource("api_decisions", "Decisions and their letters.")


def decision_data(d: Decision, program: Program) -> dict:
    return {"id": d.id, "application_id": d.application_id, "outcome": d.outcome, "amount_cents": d.amount_cents,
            "rationale": d.rationale or "", "decided_at": d.decided_at, "released": release.is_released(program)}


@blp.route("/programs/<program:program>/decisions")
@blp.response(200, DecisionListSchema)
@errors(blp)
def list_decisions(program: Program):
    authorize("program.decide", program)
    rows = db.session.execute(select(Decision).where(Decision.program_id == program.id).order_by(Decision.id)).scalars()
    return {"items": [decision_data(d, program) for d in rows]}


@blp.route("/applications/<int:app_id>/decision")
@blp.response(200, DecisionSchema)
@errors(blp)
def get_decision(app_id: int):
    """The funder's staff: the decision as it stands. The applicant: once released."""
    application = get_or_404(Application, app_id, "application.view")
    if can("application.decide", application):
        decision = decisions.decision_for(application.id)
    elif is_applicant_of(current_user, application):
        decision = release.released_decision(application)
    else:
        decision = None
    if decision is None:
        raise problem(404, "There is no decision of this application for you to see.")
    return decision_data(decision, application.program)


def letter_data(letter: IssuedLetter, program: Program) -> dict:
    return {"id": letter.id, "decision_id": letter.decision_id, "kind": letter.kind, "issued_at": letter.issued_at,
            "sha256": letter.sha256, "download": url_for("api_decisions.download_letter", program=program,
                                                         letter_id=letter.id)}


@blp.route("/programs/<program:program>/letters")
@blp.response(200, LetterListSchema)
@errors(blp)
def list_letters(program: Program):
    """The letters in force (a superseded letter is kept, but not listed)."""
    authorize("program.manage", program)
    rows = db.session.execute(
        select(IssuedLetter).join(Decision, Decision.id == IssuedLetter.decision_id)
        .where(Decision.program_id == program.id, IssuedLetter.superseded_at.is_(None)).order_by(IssuedLetter.id)).scalars()
    return {"items": [letter_data(letter, program) for letter in rows]}


@blp.route("/programs/<program:program>/letters/<int:letter_id>/pdf")
@blp.response(200, {"type": "string", "format": "binary"}, content_type="application/pdf",
              description="The letter as issued (PDF).")
@errors(blp)
def download_letter(program: Program, letter_id: int):
    authorize("program.manage", program)
    letter = db.session.get(IssuedLetter, letter_id)
    decision = db.session.get(Decision, letter.decision_id) if letter is not None else None
    if decision is None or decision.program_id != program.id:
        raise problem(404, "This program has no such letter.")
    return files.download(letters.letter_key(letter), mimetype="application/pdf", as_attachment=True,
                          download_name=f"{letter.kind}-letter-{decision.id}-{letter.issued_at:%Y%m%d}.pdf")
