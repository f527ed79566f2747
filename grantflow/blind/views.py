"""Pages of blind review: the applicant's hidden terms and their preview of the reviewer's view,
the reviewer's program-wide conflict declaration and "I think I know who this is", the program
officer's word on a file that needs a check, and the redacted downloads reviewers receive."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import select

from forms.blind import DeclarationForm, RecognizeForm, ReleaseForm, TermForm
from grantflow.applications import attachments
from grantflow.applications.models import Application, Attachment
from grantflow.blind import copies, declarations, terms
from grantflow.blind.lexicon import ADDED, SOURCE_LABELS, added_terms, lexicon_for
from grantflow.blind.models import SHOW
from grantflow.core.db import db, utcnow
from grantflow.core.policy import authorize, get_or_404
from grantflow.core.urls import redirect_next
from grantflow.programs.models import Program
from grantflow.reviews.assignment import RECOGNIZED
from grantflow.reviews.blind import reviewer_view
from grantflow.reviews.models import ConflictOfInterest
from grantflow.reviews.policy import active_assignment

bp = Blueprint("blind", __name__, cli_group=None)


def copy_name(application: Application, att: Attachment) -> str:
    index = [a.id for a in application.attachments].index(att.id) + 1
    return f"attachment-{index}-redacted.pdf"


def redacted_download(application: Application, att: Attachment):
    """A blind reviewer's download (the applications area's route hands it here): the redacted
    copy for the current lexicon, or a page saying why the file is withheld."""
    gate = reviewer_gate(application)
    if gate is not None:
        return gate
    copy = copies.copy_for(att)
    if copy is None:
        abort(404)
    reason = copies.withheld_reason(copy)
    if reason:
        return render_template("blind/withheld.html", application=application, reason=reason)
    return attachments.send(copies.key_of(copy), "application/pdf", copy_name(application, att))


def reviewer_gate(application: Application):
    """In a blind program, a redirect to its conflict declaration while the current reviewer owes
    one; once declared, the declaration stands for each assignment's own confirmation. None: go on."""
    program = application.program
    if not program.blind_review:
        return None
    if declarations.needs_declaration(program, current_user):
        flash(_("Before you read any application of this program, declare your conflicts of interest."), "info")
        return redirect(url_for("blind.declare", program=program, next=request.path))
    asg = active_assignment(current_user, application)
    if asg is not None and asg.no_conflict_confirmed_at is None:
        asg.no_conflict_confirmed_at = utcnow()
    return None


# --- the applicant -------------------------------------------------------------------------------

@bp.app_template_global("blind_panel")
def _blind_panel(application: Application) -> dict:
    """For the application's edit page (templates/blind/_applicant_panel.html)."""
    lexicon = lexicon_for(application)
    return {"groups": {str(SOURCE_LABELS.get(k, k)): v for k, v in lexicon.groups().items() if k != ADDED},
            "added": added_terms(application.id)}


def _terms_page(application: Application, form: TermForm, status: int = 200):
    return render_template("blind/terms.html", application=application, program=application.program,
                           form=form, panel=_blind_panel(application)), status


@bp.route("/applications/<int:app_id>/hidden-terms", methods=["GET", "POST"])
@login_required
def terms_page(app_id: int):
    application = get_or_404(Application, app_id, "application.blind_terms")
    form = TermForm()
    if request.method == "GET":
        return _terms_page(application, form)
    if not form.validate_on_submit():
        return _terms_page(application, form, 422)
    try:
        with_text = terms.add_term(application, form.text.data, user_id=current_user.id)
    except terms.TermError as exc:
        form.text.errors = list(form.text.errors or []) + [str(exc)]
        return _terms_page(application, form, 422)
    flash(_("“%(term)s” will be hidden from reviewers.", term=with_text.text), "success")
    return redirect(url_for("blind.terms_page", app_id=app_id))


@bp.route("/applications/<int:app_id>/hidden-terms/<int:term_id>/remove", methods=["POST"])
@login_required
def remove_term(app_id: int, term_id: int):
    application = get_or_404(Application, app_id, "application.blind_terms")
    try:
        removed = terms.remove_term(application, term_id, user_id=current_user.id)
    except terms.TermError as exc:
        flash(str(exc), "error")
    else:
        flash(_("The term was removed.") if removed else _("That term was not on the list any more."),
              "success" if removed else "info")
    return redirect(url_for("blind.terms_page", app_id=app_id))


@bp.route("/applications/<int:app_id>/reviewer-preview")
@login_required
def preview(app_id: int):
    application = get_or_404(Application, app_id, "application.blind_preview")
    view = reviewer_view(application, blind=True)
    view.attachment_links = [(label, url_for("blind.preview_attachment", app_id=app_id, att_id=att_id))
                             for att_id, label in view.attachments]
    return render_template("blind/preview.html", application=application, program=application.program,
                           view=view)


@bp.route("/applications/<int:app_id>/reviewer-preview/attachments/<int:att_id>")
@login_required
def preview_attachment(app_id: int, att_id: int):
    application = get_or_404(Application, app_id, "application.blind_preview")
    att = attachments.of(application, att_id)
    copy = copies.copy_for(att)
    if copy is None:
        abort(404)
    if copy.stored_name is None:
        return render_template("blind/withheld.html", application=application,
                               reason=copies.withheld_reason(copy)), 200
    return attachments.send(copies.key_of(copy), "application/pdf", copy_name(application, att))


# --- the reviewer --------------------------------------------------------------------------------

@bp.route("/programs/<program:program>/conflicts", methods=["GET", "POST"])
@login_required
def declare(program: Program):
    authorize("program.declare_conflicts", program)
    listed = declarations.applicants(program)
    previous = declarations.declaration_of(program, current_user)
    form = DeclarationForm() if request.method == "POST" else DeclarationForm(
        data={"conflicts": previous.conflict_ids, "affiliations": previous.affiliations} if previous else None)
    form.conflicts.choices = [(o.id, o.name) for o in listed]
    new_ids = {o.id for o in listed} - set(previous.organization_ids if previous else [])
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            made = declarations.declare(program, current_user, conflict_ids=form.conflicts.data or [],
                                        affiliations=form.affiliations.data or "")
            flash(ngettext("Thank you. You are recused from %(num)d application of this program.",
                           "Thank you. You are recused from %(num)d applications of this program.", len(made))
                  if made else _("Thank you: you declared no conflict of interest."), "success")
            return redirect_next()
        status = 422
    return render_template("blind/declare.html", program=program, form=form, new_ids=new_ids,
                           previous=previous), status


@bp.route("/reviews/<int:app_id>/recognize", methods=["POST"])
@login_required
def recognize(app_id: int):
    application = get_or_404(Application, app_id, "application.review")
    form = RecognizeForm()
    if not form.validate_on_submit():
        flash(form.note.errors[0] if form.note.errors else _("Your note could not be read; send it again."), "error")
        return redirect(url_for("reviews.review", app_id=app_id))
    declarations.recognize(active_assignment(current_user, application), form.note.data)
    flash(_("Thank you. You are recused from this application and the program officers are told; it goes to "
            "another reviewer."), "success")
    return redirect(url_for("core.dashboard"))


# --- the program officer -------------------------------------------------------------------------

@bp.app_template_global("blind_file_checks")
def _blind_file_checks(application: Application) -> dict:
    """For the officer's application page: each file's copy and whether reviewers get it, and the
    reviewers who think they know the applicant (templates/blind/_officer_checks.html)."""
    files = []
    lexicon = lexicon_for(application)
    for att in application.attachments:
        copy = copies.copy_for(att, lexicon)
        if copy is None:
            continue
        files.append({"attachment": att, "redacted": copy, "withheld": copies.withheld_reason(copy),
                      "release": copies.release_of(att.id), "form": ReleaseForm()})
    recognized = db.session.execute(select(ConflictOfInterest).where(
        ConflictOfInterest.application_id == application.id, ConflictOfInterest.source == RECOGNIZED)
        .order_by(ConflictOfInterest.id)).scalars().all()
    return {"files": files, "recognized": recognized}


@bp.route("/applications/<int:app_id>/attachments/<int:att_id>/release", methods=["POST"])
@login_required
def release(app_id: int, att_id: int):
    application = get_or_404(Application, app_id, "application.release_attachment")
    att = attachments.of(application, att_id)
    form = ReleaseForm()
    if not form.validate_on_submit():
        flash(form.decision.errors[0] if form.decision.errors else _("Send the form again."), "error")
    else:
        copies.decide(att, form.decision.data, actor_id=current_user.id)
        flash(_("“%(file)s”: reviewers may read the redacted copy.", file=att.original_name)
              if form.decision.data == SHOW
              else _("“%(file)s”: reviewers will not have it.", file=att.original_name), "success")
    return redirect(url_for("applications.status", app_id=app_id) + "#blind-files")
