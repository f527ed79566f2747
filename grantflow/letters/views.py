"""Pages of the letters area: wording and preview, one letter per decision, batches with progress.

Every route is for the program's funder staff (``program.manage``); a decision, letter or batch of
another program is a 404.
"""
from __future__ import annotations

import secrets
from dataclasses import replace

from flask import (Blueprint, abort, flash, jsonify, make_response, redirect, render_template,
                   request, url_for)
from flask_login import current_user
from sqlalchemy import func, select

from forms.letters import BatchForm, IssueForm, LetterTemplateForm
from grantflow.applications.models import Application
from grantflow.core import auditlog, files
from grantflow.core.db import db
from grantflow.core.money import format_money
from grantflow.core.policy import authorize
from grantflow.decisions.models import DECLINE, Decision
from grantflow.letters import jobs, services
from grantflow.letters.models import IssuedLetter, LetterBatch, LetterTemplate
from grantflow.letters.render import (KIND_LABELS, KINDS, LetterData, feedback_for, letter_data, letter_pdf,
                                      logo_key, wording_for)
from grantflow.letters.wording import PLACEHOLDERS, Wording, WordingError
from grantflow.organizations.models import Organization
from grantflow.programs.models import Program

bp = Blueprint("letters", __name__, cli_group=None)


def _decision(program: Program, decision_id: int) -> Decision:
    decision = db.session.get(Decision, decision_id)
    if decision is None or decision.program_id != program.id:
        abort(404)
    return decision


def _pdf_response(pdf: bytes, filename: str, *, inline: bool = True):
    response = make_response(pdf)
    response.headers["Content-Type"] = "application/pdf"
    disposition = "inline" if inline else "attachment"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


# --- overview --------------------------------------------------------------------------------------

@bp.route("/programs/<program:program>/letters")
def index(program: Program):
    authorize("program.manage", program)
    rows = db.session.execute(
        select(Decision.id, Decision.outcome, Decision.amount_cents, Organization.name, Application.title)
        .join(Application, Application.id == Decision.application_id)
        .join(Organization, Organization.id == func.coalesce(Application.on_behalf_of_id, Application.organization_id))
        .where(Decision.program_id == program.id).order_by(Decision.outcome, Organization.name)
    ).all()
    letters: dict[int, list[IssuedLetter]] = {}
    for letter in db.session.execute(
        select(IssuedLetter).join(Decision, Decision.id == IssuedLetter.decision_id)
        .where(Decision.program_id == program.id).order_by(IssuedLetter.id.desc())
    ).scalars():
        letters.setdefault(letter.decision_id, []).append(letter)
    batches = list(db.session.execute(
        select(LetterBatch).where(LetterBatch.program_id == program.id).order_by(LetterBatch.id.desc()).limit(5)
    ).scalars())
    templates = {t.kind: t for t in db.session.execute(
        select(LetterTemplate).where(LetterTemplate.program_id == program.id)).scalars()}
    return render_template("letters/index.html", program=program, rows=rows, letters=letters,
                           batches=[(b, jobs.progress(b)) for b in batches], templates=templates,
                           form=BatchForm(), kinds=KINDS, kind_labels=KIND_LABELS, format_money=format_money)


# --- wording ---------------------------------------------------------------------------------------

def _sample_data(program: Program, kind: str) -> tuple[LetterData, int | None]:
    """A real decision of this kind when there is one, otherwise a clearly made-up example."""
    decision = db.session.execute(
        select(Decision).where(Decision.program_id == program.id, Decision.outcome == kind)
        .order_by(Decision.id).limit(1)
    ).scalar_one_or_none()
    if decision is not None:
        return letter_data(decision), decision.application_id
    from grantflow.core.db import utcnow
    from grantflow.core.timeutil import to_local
    from grantflow.letters.render import contact_line, long_date

    start, end = program.grant_start, program.grant_end
    return LetterData(
        decision_id=0, application_id=0, kind=kind, organization="Example Community Organization",
        program=program.title, funder=program.funder.name, application_title="Example project",
        amount=format_money(program.min_award_cents or 25_000_00), amount_requested=format_money(program.max_award_cents),
        grant_start=long_date(start), grant_end=long_date(end),
        grant_period=f"{long_date(start)} – {long_date(end)}" if start and end else "as agreed with our program staff",
        contact=contact_line(program), date=long_date(to_local(utcnow(), program.timezone).date()),
        address_lines=("123 Example Street", "Anytown, ST 00000"),
    ), None


def _save_logo(data: bytes, ext: str) -> str:
    """The new logo's file is removed again if the request's change does not commit."""
    name = secrets.token_hex(16) + ext
    files.write_new(logo_key(name), data)
    return name


@bp.route("/programs/<program:program>/letters/templates/<kind>", methods=["GET", "POST"])
def edit_template(program: Program, kind: str):
    authorize("program.manage", program)
    if kind not in KINDS:
        abort(404)
    row = db.session.execute(
        select(LetterTemplate).where(LetterTemplate.program_id == program.id, LetterTemplate.kind == kind)
    ).scalar_one_or_none()
    current = wording_for(program.id, kind, row)
    form = LetterTemplateForm(obj=None if request.method == "POST" else current)
    if request.method == "GET" and row is None:
        form.include_feedback.data = True
    if form.validate_on_submit():
        wording = Wording(
            kind=kind, body=form.body.data, payment_schedule=form.payment_schedule.data or "",
            reporting_requirements=form.reporting_requirements.data or "", conditions=form.conditions.data or "",
            signatory_name=form.signatory_name.data or "", signatory_title=form.signatory_title.data or "",
            include_feedback=bool(form.include_feedback.data), pdf_variant=form.pdf_variant.data,
            logo=None if form.remove_logo.data else current.logo)
        if form.preview.data:
            return _preview(program, kind, wording, form)
        before = None
        if row is None:
            row = LetterTemplate(program_id=program.id, kind=kind)
            db.session.add(row)
        else:
            before = {"body": row.body, "logo": row.logo_stored_name}
        row.body = wording.body
        row.payment_schedule = wording.payment_schedule
        row.reporting_requirements = wording.reporting_requirements
        row.conditions = wording.conditions
        row.signatory_name = wording.signatory_name
        row.signatory_title = wording.signatory_title
        row.include_feedback = wording.include_feedback
        row.pdf_variant = wording.pdf_variant
        replaced_logo = row.logo_stored_name if (form.remove_logo.data or form.logo_bytes) else None
        if form.remove_logo.data:
            row.logo_stored_name = None
        if form.logo_bytes:
            row.logo_stored_name = _save_logo(form.logo_bytes, form.logo_ext)
        if replaced_logo:
            files.remove_after_commit(logo_key(replaced_logo))
        db.session.flush()
        auditlog.record("letters.template_edit", row, before=before,
                        after={"body": row.body, "logo": row.logo_stored_name, "kind": kind})
        flash(f"{KIND_LABELS[kind]} wording saved.", "success")
        return redirect(url_for(".edit_template", program=program, kind=kind))
    return render_template("letters/template_form.html", program=program, kind=kind, form=form,
                           kind_label=KIND_LABELS[kind], placeholders=PLACEHOLDERS,
                           has_logo=current.logo is not None), (400 if form.errors else 200)


def _preview(program: Program, kind: str, wording: Wording, form: LetterTemplateForm):
    data, application_id = _sample_data(program, kind)
    feedback = None
    if kind == DECLINE and application_id:
        feedback = feedback_for(program.id, [application_id]).get(application_id)
    if form.logo_bytes:
        wording = replace(wording, logo=form.logo_bytes)
    try:
        pdf = letter_pdf(data, wording, feedback)
    except WordingError as exc:
        form.body.errors.append(str(exc))
        return render_template("letters/template_form.html", program=program, kind=kind, form=form,
                               kind_label=KIND_LABELS[kind], placeholders=PLACEHOLDERS,
                               has_logo=wording.logo is not None), 400
    return _pdf_response(pdf, f"preview-{kind}-{program.slug}.pdf")


# --- one letter ------------------------------------------------------------------------------------

@bp.route("/programs/<program:program>/letters/<int:decision_id>")
def letter(program: Program, decision_id: int):
    authorize("program.manage", program)
    decision = _decision(program, decision_id)
    return render_template("letters/letter_page.html", program=program, decision=decision,
                           data=letter_data(decision), letters=services.letters_of(decision.id),
                           form=IssueForm(), can_issue=decision.outcome in KINDS, format_money=format_money)


@bp.route("/programs/<program:program>/letters/<int:decision_id>/preview")
def preview(program: Program, decision_id: int):
    authorize("program.manage", program)
    decision = _decision(program, decision_id)
    if decision.outcome not in KINDS:
        abort(404)
    wording = wording_for(program.id, decision.outcome)
    feedback = None
    if decision.outcome == DECLINE and wording.include_feedback:
        feedback = feedback_for(program.id, [decision.application_id]).get(decision.application_id)
    try:
        pdf = letter_pdf(letter_data(decision), wording, feedback)
    except WordingError as exc:
        flash(f"The {decision.outcome} wording has a problem: {exc}", "error")
        return redirect(url_for(".edit_template", program=program, kind=decision.outcome))
    return _pdf_response(pdf, f"preview-{decision.outcome}-{decision.id}.pdf")


@bp.route("/programs/<program:program>/letters/<int:decision_id>/issue", methods=["POST"])
def issue(program: Program, decision_id: int):
    authorize("program.manage", program)
    decision = _decision(program, decision_id)
    form = IssueForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        letter, issued = services.issue(decision, reissue=bool(form.reissue.data), actor_id=current_user.id)
    except (services.LetterError, WordingError) as exc:
        flash(str(exc), "error")
        return redirect(url_for(".letter", program=program, decision_id=decision.id))
    flash("Letter issued." if issued else "This letter was already issued; choose Re-issue to replace it.",
          "success" if issued else "info")
    return redirect(url_for(".letter", program=program, decision_id=decision.id))


@bp.route("/programs/<program:program>/letters/<int:decision_id>/files/<int:letter_id>")
def download(program: Program, decision_id: int, letter_id: int):
    authorize("program.manage", program)
    decision = _decision(program, decision_id)
    letter = db.session.get(IssuedLetter, letter_id)
    if letter is None or letter.decision_id != decision.id:
        abort(404)
    name = f"{letter.kind}-letter-{decision.id}-{letter.issued_at:%Y%m%d}.pdf"
    return files.download(services.letter_key(letter), mimetype="application/pdf", download_name=name,
                          as_attachment=request.args.get("inline") != "1")


# --- batches ---------------------------------------------------------------------------------------

def _batch(program: Program, batch_id: int) -> LetterBatch:
    batch = db.session.get(LetterBatch, batch_id)
    if batch is None or batch.program_id != program.id:
        abort(404)
    return batch


@bp.route("/programs/<program:program>/letters/batches", methods=["POST"])
def start_batch(program: Program):
    authorize("program.manage", program)
    form = BatchForm()
    if not form.validate_on_submit():
        abort(400)
    batch = jobs.start_batch(program, include_declines=bool(form.include_declines.data),
                             reissue=bool(form.reissue.data), actor_id=current_user.id)
    return redirect(url_for(".batch", program=program, batch_id=batch.id))


@bp.route("/programs/<program:program>/letters/batches/<int:batch_id>")
def batch(program: Program, batch_id: int):
    authorize("program.manage", program)
    batch = _batch(program, batch_id)
    return render_template("letters/batch.html", program=program, batch=batch, progress=jobs.progress(batch))


@bp.route("/programs/<program:program>/letters/batches/<int:batch_id>/status")
def batch_status(program: Program, batch_id: int):
    authorize("program.manage", program)
    batch = _batch(program, batch_id)
    data = jobs.progress(batch)
    if data["finished"]:
        data["zip_url"] = url_for(".batch_zip", program=program, batch_id=batch.id)
    response = jsonify(data)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/programs/<program:program>/letters/batches/<int:batch_id>/zip")
def batch_zip(program: Program, batch_id: int):
    authorize("program.manage", program)
    batch = _batch(program, batch_id)
    if not batch.zip_stored_name:
        abort(404)
    return files.download(services.LETTERS + batch.zip_stored_name, mimetype="application/zip",
                          download_name=f"letters-{program.slug}-batch-{batch.id}.zip")
