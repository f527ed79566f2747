"""Pages of the letters area: wording and preview, one letter per decision, batches with progress.

Every route is for the program's funder staff (``program.manage``); a decision, letter or batch of
another program is a 404.
"""
from __future__ import annotations

import secrets
from dataclasses import replace

from flask import (Blueprint, abort, flash, jsonify, make_response, redirect, render_template,
                   request, url_for)
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import func, select

from forms.letters import (BatchForm, DeclineAgreementForm, IssueForm, LetterheadForm, LetterTemplateForm,
                           OfferAgreementForm, SignForm)
from grantflow.applications.models import Application
from grantflow.core import auditlog, files
from grantflow.core.db import db, utcnow
from grantflow.core.money import format_money
from grantflow.core.policy import authorize, can
from grantflow.decisions.models import DECLINE, Decision
from grantflow.accounts.policy import is_funder_staff
from grantflow.decisions.release import visible
from grantflow.core import uow
from grantflow.letters import agreements, delivery, freshness, jobs, services
from grantflow.letters.models import GrantAgreement, IssuedLetter, LetterBatch, Letterhead, LetterTemplate
from grantflow.letters.render import (KIND_LABELS, KINDS, LetterData, feedback_for, head_for, letter_data,
                                      letter_pdf, letterhead_key, logo_key, missing_for_issue,
                                      reference_number, wording_for)
from grantflow.letters.wording import PLACEHOLDERS, Wording, WordingError
from grantflow.organizations.models import Organization
from grantflow.programs.models import Program

bp = Blueprint("letters", __name__, cli_group=None)


def _decision(program: Program, decision_id: int) -> Decision:
    decision = db.session.get(Decision, decision_id)
    if decision is None or decision.program_id != program.id:
        abort(404)
    return decision


def _head(program: Program):
    return head_for(program.funder_id, program.funder.name)


def _missing(program: Program, kinds=KINDS) -> list[str]:
    """What must be set before this program's letters can be issued (shown on its letters pages)."""
    return missing_for_issue(_head(program), [wording_for(program.id, kind) for kind in kinds])


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
                           missing=_missing(program), outdated=set(freshness.outdated_ids(program)),
                           outdated_phrase=freshness.outdated_phrase,
                           form=BatchForm(), kinds=KINDS, kind_labels=KIND_LABELS, format_money=format_money)


# --- letterhead ------------------------------------------------------------------------------------

def _funder(slug: str) -> Organization:
    funder = db.session.execute(select(Organization).where(Organization.slug == slug)).scalar_one_or_none()
    if funder is None or not funder.is_funder:
        abort(404)
    authorize("funder.admin", funder)
    return funder


@bp.route("/organizations/<slug>/letterhead", methods=["GET", "POST"])
def letterhead(slug: str):
    """The funder admin's letterhead and signatory, once for every program's letters."""
    funder = _funder(slug)
    row = db.session.execute(select(Letterhead).where(Letterhead.funder_id == funder.id)).scalar_one_or_none()
    form = LetterheadForm(obj=row if request.method == "GET" else None)
    if form.validate_on_submit():
        if row is None:
            row = Letterhead(funder_id=funder.id)
            db.session.add(row)
        before = {"signatory_name": row.signatory_name, "logo": row.logo_stored_name,
                  "signature": row.signature_stored_name}
        for name in ("name", "address", "phone", "website", "signatory_name", "signatory_title"):
            setattr(row, name, (getattr(form, name).data or "").strip())
        for flag, upload, column in ((form.remove_logo, form.logo_upload, "logo_stored_name"),
                                     (form.remove_signature, form.signature_upload, "signature_stored_name")):
            if (flag.data or upload) and getattr(row, column):
                files.remove_after_commit(letterhead_key(getattr(row, column)))
                setattr(row, column, None)
            if upload:
                name = secrets.token_hex(16) + upload[1]
                files.write_new(letterhead_key(name), upload[0])
                setattr(row, column, name)
        db.session.flush()
        auditlog.record("letters.letterhead_edit", row, before=before,
                        after={"signatory_name": row.signatory_name, "logo": row.logo_stored_name,
                               "signature": row.signature_stored_name})
        flash(_("Letterhead saved."), "success")
        return redirect(url_for(".letterhead", slug=funder.slug))
    return render_template("letters/letterhead.html", funder=funder, form=form, row=row), (400 if form.errors else 200)


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
        decision_id=0, application_id=0, kind=kind, organization=_("Example Community Organization"),
        program=program.title, funder=program.funder.name, application_title=_("Example project"),
        amount=format_money(program.min_award_cents or 25_000_00), amount_requested=format_money(program.max_award_cents),
        grant_start=long_date(start), grant_end=long_date(end),
        grant_period=f"{long_date(start)} – {long_date(end)}" if start and end else _("as agreed with our program staff"),
        contact=contact_line(program), date=long_date(to_local(utcnow(), program.timezone).date()),
        address_lines=("123 Example Street", _("Anytown, ST 00000")), recipient=_("Alex Example"),
        recipient_title=_("Executive Director"), reference=reference_number(program.slug, 0),
        funder_id=program.funder_id,
    ), None


def _save_logo(data: bytes, ext: str) -> str:
    """The new logo's file is removed again if the request's change does not commit."""
    name = secrets.token_hex(16) + ext
    files.write_new(logo_key(name), data)
    return name


@bp.route("/programs/<program:program>/letters/templates/<kind>", methods=["GET", "POST"])
def edit_template(program: Program, kind: str):
    authorize("program.manage", program)
    if kind not in KIND_LABELS:
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
        flash(_("%(kind)s wording saved.", kind=KIND_LABELS[kind]), "success")
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
        pdf = letter_pdf(data, wording, _head(program), feedback)
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
    return _letter_page(program, _decision(program, decision_id))


def _letter_page(program: Program, decision: Decision, sign_form: SignForm | None = None, status: int = 200):
    """One decision's letters and agreement, for the officer."""
    letters = services.letters_of(decision.id)
    agreement = agreements.current_agreement(decision.id)
    return render_template("letters/letter_page.html", program=program, decision=decision,
                           agreement=agreement, now=utcnow(),
                           offer_form=OfferAgreementForm(), sign_form=sign_form or SignForm(),
                           consent=agreements.consent_of(agreement) if agreement else None,
                           data=letter_data(decision), letters=letters,
                           deliveries=delivery.deliveries(letters, {decision.id: decision.released_at is not None}),
                           form=IssueForm(), can_issue=decision.outcome in KINDS, format_money=format_money,
                           missing=_missing(program, [decision.outcome]) if decision.outcome in KINDS else []), status


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
        pdf = letter_pdf(letter_data(decision), wording, _head(program), feedback)
    except WordingError as exc:
        flash(_("The %(kind)s wording has a problem: %(problem)s", kind=KIND_LABELS.get(decision.outcome, decision.outcome), problem=exc), "error")
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
    flash(_("Letter issued.") if issued else _("This letter was already issued; choose Re-issue to replace it."),
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


# --- the applicant's letters -------------------------------------------------------------------------

# A letter's kind as one word in a sentence ("Download the award letter"), in the page's language.
_KIND_WORDS = {"award": lazy_gettext("award"), "decline": lazy_gettext("decline"), "waitlist": lazy_gettext("waitlist")}


@bp.app_template_filter("letter_kind")
def _letter_kind(kind: str) -> str:
    return str(_KIND_WORDS.get(kind, kind))


@bp.app_context_processor
def _letters_for_templates() -> dict:
    return {"applicant_letters": delivery.applicant_letters, "applicant_agreement": _applicant_agreement,
            "utcnow": utcnow}


def _applicant_agreement(decision):
    return agreements.current_agreement(decision.id) if visible(decision) else None


def _applicant_letter(app_id: int, letter_id: int) -> tuple[IssuedLetter, Decision]:
    """The letter, for the applicant once its decision is released (funder staff always); else 404."""
    application = db.session.get(Application, app_id)
    letter = db.session.get(IssuedLetter, letter_id)
    decision = db.session.get(Decision, letter.decision_id) if letter else None
    if application is None or decision is None or decision.application_id != application.id:
        abort(404)
    authorize("letter.read", application)
    staff = is_funder_staff(current_user, application.program.funder_id)
    if not staff and not visible(decision):
        abort(404)
    if not files.exists(services.letter_key(letter)):
        abort(404)
    if not staff:
        delivery.record_download(letter)
    return letter, decision


@bp.route("/applications/<int:app_id>/letters/<int:letter_id>")
@login_required
def applicant_download(app_id: int, letter_id: int):
    letter, decision = _applicant_letter(app_id, letter_id)
    name = f"{letter.kind}-letter-{decision.application_id}-{letter.issued_at:%Y%m%d}.pdf"
    return files.download(services.letter_key(letter), mimetype="application/pdf", download_name=name)


@bp.route("/applications/<int:app_id>/letters/<int:letter_id>/view")
@login_required
def applicant_view(app_id: int, letter_id: int):
    """The letter inline, for the preview frame on the application page (same origin only)."""
    letter, decision = _applicant_letter(app_id, letter_id)
    name = f"{letter.kind}-letter-{decision.application_id}-{letter.issued_at:%Y%m%d}.pdf"
    return _framed(files.download(services.letter_key(letter), mimetype="application/pdf", download_name=name,
                                  as_attachment=False, stream=True))


def _framed(response):
    """A PDF the app's own pages show in a frame: same origin only."""
    response.headers["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'self'"
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


# --- grant agreements ------------------------------------------------------------------------------

def _client_ip() -> str:
    return (request.remote_addr or "")[:64]


@bp.route("/programs/<program:program>/letters/<int:decision_id>/agreement", methods=["POST"])
def offer_agreement(program: Program, decision_id: int):
    authorize("program.manage", program)
    decision = _decision(program, decision_id)
    if not OfferAgreementForm().validate_on_submit():
        abort(400)
    try:
        with uow.attempt():
            agreements.offer(decision, actor_id=current_user.id)
    except (agreements.AgreementError, services.LetterError, WordingError) as exc:
        flash(str(exc), "error")
    else:
        from grantflow.decisions.release import recipients

        if recipients([decision.application])[decision.application.id]:
            flash(_("Grant agreement sent: the awardee's applicants are told where to sign it."), "success")
        else:  # nobody to tell: saying they were told would be untrue
            flash(_("The grant agreement is ready, but nobody was told: the awardee has no one with an applicant "
                    "account. Invite their contact to GrantFlow; they find it on the award's page to sign."), "info")
    return redirect(url_for(".letter", program=program, decision_id=decision.id))


@bp.route("/programs/<program:program>/letters/<int:decision_id>/agreement/countersign", methods=["POST"])
def countersign(program: Program, decision_id: int):
    authorize("program.manage", program)
    decision = _decision(program, decision_id)
    agreement = agreements.current_agreement(decision.id)
    if agreement is None:
        abort(404)
    form = SignForm()
    if form.validate_on_submit():
        try:
            with uow.attempt():
                agreements.countersign(agreement, current_user, consent=bool(form.consent.data),
                                       name=form.name.data or "", title=form.title.data or "", ip=_client_ip())
        except agreements.AgreementError as exc:
            _field_error(form, exc)
        else:
            flash(_("Agreement countersigned. Both parties can download the signed agreement."), "success")
            return redirect(url_for(".letter", program=program, decision_id=decision.id))
    return _letter_page(program, decision, sign_form=form, status=422)


def _field_error(form, exc: agreements.AgreementError) -> None:
    target = getattr(form, exc.field, None) if exc.field else None
    if target is not None:
        target.errors = [*target.errors, str(exc)]
    else:
        flash(str(exc), "error")


def _awardee_agreement(app_id: int) -> tuple[Application, GrantAgreement]:
    """The application's current agreement, for its applicant once the award is released (and
    for the funder's staff); otherwise 404."""
    application = db.session.get(Application, app_id)
    if application is None:
        abort(404)
    authorize("letter.read", application)
    decision = db.session.execute(select(Decision).where(Decision.application_id == application.id)).scalar_one_or_none()
    agreement = agreements.current_agreement(decision.id) if decision else None
    staff = is_funder_staff(current_user, application.program.funder_id)
    if agreement is None or not (staff or visible(decision)):
        abort(404)
    return application, agreement


def _agreement_page(application, agreement, sign_form=None, decline_form=None, status=200):
    can_sign = can("agreement.sign", application)
    sign_form = sign_form or SignForm(shown_sha256=agreement.sha256)
    return render_template("letters/agreement_page.html", application=application, agreement=agreement,
                           now=utcnow(), sign_form=sign_form, decline_form=decline_form or DeclineAgreementForm(),
                           consent=agreements.consent_of(agreement), can_sign=can_sign), status


@bp.route("/applications/<int:app_id>/agreement")
@login_required
def agreement_page(app_id: int):
    return _agreement_page(*_awardee_agreement(app_id))


@bp.route("/applications/<int:app_id>/agreement/sign", methods=["POST"])
@login_required
def sign_agreement(app_id: int):
    application, agreement = _awardee_agreement(app_id)
    authorize("agreement.sign", application)
    form = SignForm()
    if form.validate_on_submit():
        try:
            with uow.attempt():
                agreements.accept(agreement, current_user, consent=bool(form.consent.data), name=form.name.data or "",
                                  title=form.title.data or "", shown_sha256=form.shown_sha256.data or "",
                                  ip=_client_ip())
        except agreements.AgreementError as exc:
            _field_error(form, exc)
        else:
            flash(_("Agreement signed. The funder countersigns next; you can download your signed copy now."), "success")
            return redirect(url_for(".agreement_page", app_id=application.id))
    return _agreement_page(application, agreement, sign_form=form, status=422)


@bp.route("/applications/<int:app_id>/agreement/decline", methods=["POST"])
@login_required
def decline_agreement(app_id: int):
    application, agreement = _awardee_agreement(app_id)
    authorize("agreement.sign", application)
    form = DeclineAgreementForm()
    if form.validate_on_submit():
        try:
            with uow.attempt():
                agreements.decline(agreement, current_user, reason=form.reason.data or "")
        except agreements.AgreementError as exc:
            flash(str(exc), "error")
        else:
            flash(_("You declined the agreement; the funder is told on its letters page."), "success")
        return redirect(url_for(".agreement_page", app_id=application.id))
    return _agreement_page(application, agreement, decline_form=form, status=422)


AGREEMENT_FILES = {"shown": ("stored_name", "agreement"), "signed": ("signed_stored_name", "agreement-signed"),
                   "final": ("final_stored_name", "agreement-countersigned")}


@bp.route("/applications/<int:app_id>/agreement/<int:agreement_id>/<version>.pdf")
@login_required
def agreement_file(app_id: int, agreement_id: int, version: str):
    application, agreement = _awardee_agreement(app_id)
    if agreement.id != agreement_id or version not in AGREEMENT_FILES:
        abort(404)
    column, label = AGREEMENT_FILES[version]
    stored = getattr(agreement, column)
    if not stored:
        abort(404)
    inline = request.args.get("inline") == "1"
    response = files.download(agreements.key_of(stored), mimetype="application/pdf", as_attachment=not inline,
                              download_name=f"{label}-{application.id}.pdf", stream=inline)
    return _framed(response) if inline else response


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
    try:
        batch = jobs.start_batch(program, include_declines=bool(form.include_declines.data),
                                 reissue=bool(form.reissue.data), outdated=bool(form.reissue_outdated.data),
                                 actor_id=current_user.id)
    except services.LetterError as exc:
        flash(str(exc), "error")
        return redirect(url_for(".index", program=program))
    return redirect(url_for(".batch", program=program, batch_id=batch.id))


@bp.route("/programs/<program:program>/letters/batches/<int:batch_id>")
def batch(program: Program, batch_id: int):
    authorize("program.manage", program)
    batch = _batch(program, batch_id)
    stale = 0 if batch.reissue else len(set(freshness.outdated_ids(program)) & set(batch.decision_ids))
    progress = jobs.progress(batch)
    return render_template("letters/batch.html", program=program, batch=batch, progress=progress,
                           text=_progress_text(progress), outdated=freshness.outdated_phrase(stale) if stale else "")


def _progress_text(progress: dict) -> str:
    """The batch's progress in words, in the page's language (the page and its polling script show it)."""
    if progress["finished"]:
        return ngettext("%(done)s of %(num)d letter issued — finished.", "%(done)s of %(num)d letters issued — finished.",
                        progress["total"], done=progress["done"])
    return ngettext("%(done)s of %(num)d letter issued.", "%(done)s of %(num)d letters issued.", progress["total"],
                    done=progress["done"])


@bp.route("/programs/<program:program>/letters/batches/<int:batch_id>/status")
def batch_status(program: Program, batch_id: int):
    authorize("program.manage", program)
    batch = _batch(program, batch_id)
    data = jobs.progress(batch)
    data["text"] = _progress_text(data)
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
