"""Pages of the applications area: start (after the eligibility check), edit a draft with
autosave, submit once, withdraw, the status page, and attachment downloads."""
from __future__ import annotations

import io
import re
import secrets
from dataclasses import dataclass, field

from flask import (
    Blueprint, abort, flash, jsonify, redirect, render_template, request, send_file, session, url_for,
)
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import CombinedMultiDict, MultiDict

from forms.applications import (
    ApplicationForm, draft_input, flat_errors, form_data, formdata_of, session_expired, show_problems,
    typed_values,
)
from forms.questions import build_answer_form
from grantflow.applications import activity, attachments, eligibility, services, submission_copy
from grantflow.applications.metrics import label as metric_label
from grantflow.applications.models import DRAFT, STATUS_LABELS, SUBMITTED, Application
from grantflow.accounts.policy import editor_org_ids
from grantflow.applications.policy import scope_applications, sees_identity
from grantflow.chna import search as place_search
from grantflow.chna.models import PriorityNeed
from grantflow.core import files as stored_files
from grantflow.core import roles as R
from grantflow.core.db import db
from grantflow.core.inputs import query_int, row_index
from grantflow.core.i18n import format_number, format_when, html_lang
from grantflow.core.money import format_money
from grantflow.core.pdf import render_pdf
from grantflow.core.policy import authorize, can, get_or_404
from grantflow.core.timeutil import to_local
from grantflow.core.views import dashboard_section
from grantflow.organizations.policy import members_to_act_for
from grantflow.core.translations import localized
from grantflow.programs.models import Program, anchor_field

bp = Blueprint("applications", __name__, cli_group=None)


# --- starting: who may apply, as whom, and the eligibility check --------------------------------

@dataclass
class ApplyOption:
    key: str
    organization: object
    on_behalf_of: object | None
    failures: list = field(default_factory=list)
    draft: Application | None = None

    @property
    def applicant(self):
        return self.on_behalf_of or self.organization

    @property
    def label(self) -> str:
        if self.on_behalf_of is not None:
            return _("%(network)s, on behalf of %(member)s", network=self.organization.name,
                     member=self.on_behalf_of.name)
        return self.organization.name


def apply_options(program, user=None) -> list[ApplyOption]:
    """Each organization (and network member, once it accepted) the user may apply for, with its
    eligibility and its draft: a member's failures are told without its figures. A fixed number of
    queries, however many organizations (the program page runs it): `applicant_organizations`
    loads the networks' accepted members with them."""
    user = user or current_user
    if not getattr(user, "is_authenticated", False):
        return []
    orgs = services.applicant_organizations(user)
    if not orgs:
        return []
    region = eligibility.region_of(program.funder) if program.require_service_area_in_region else None
    drafts = services.drafts_by_applicant(program, [o.id for o in orgs])
    options = []
    for org in orgs:
        for member in [None] + members_to_act_for(user, org):
            options.append(ApplyOption(
                key=f"{org.id}" + (f":{member.id}" if member else ""), organization=org, on_behalf_of=member,
                failures=eligibility.check(member or org, program, region=region, own=member is None),
                draft=drafts.get((org.id, member.id if member else None))))
    return options


@bp.app_template_global("application_options")
def _application_options(program):
    """For the program page: `{% set options = application_options(program) %}` (see
    templates/applications/_apply_panel.html, which program pages include)."""
    return apply_options(program)


@bp.app_template_filter("status_label")
def _status_label(status: str) -> str:
    """An application's status as words in the page's language ("under review")."""
    label = STATUS_LABELS.get(status)
    return str(label) if label is not None else status.replace("_", " ")


@bp.app_template_global("application_not_open")
def _application_not_open(program):
    return services.not_open_reason(program)


@bp.route("/programs/<program:program>/apply", methods=["GET", "POST"])
@login_required
def start(program: Program):
    authorize("program.view_public", program)
    if not current_user.has_role(R.APPLICANT):
        abort(403, _("Only staff of a community-based organization can apply. Register your organization first."))
    if not editor_org_ids(current_user):
        abort(403, _("Your role on your organization's team is viewer: ask its admin to make you an editor."))
    options = apply_options(program)
    reason = services.not_open_reason(program)
    error = None
    if request.method == "POST":
        key = request.form.get("applicant") or (options[0].key if len(options) == 1 else "")
        option = next((o for o in options if o.key == key), None)
        if reason:
            error = reason
        elif option is None:
            error = _("Choose the organization you apply for.")
        elif option.failures and eligibility.only_incomplete(option.failures):
            error = _("Complete the profile of %(org)s first: it does not say yet what this program's eligibility "
                      "rules ask (see below).", org=option.applicant.name)
        elif option.failures:
            error = _("%(org)s does not meet this program's eligibility rules (see below).", org=option.applicant.name)
        elif option.draft is not None:
            flash(_("You already have a draft for this program: here it is, as you left it."), "info")
            return redirect(url_for("applications.edit", app_id=option.draft.id))
        else:
            try:
                application = services.start(program, option.organization, current_user, option.on_behalf_of)
            except services.NotOpen as exc:
                error = str(exc)
            else:
                flash(_("Your draft is started. It saves as you type; come back to it at any time."), "success")
                return redirect(url_for("applications.edit", app_id=application.id))
    return render_template("applications/start.html", program=program, options=options, reason=reason,
                           error=error, deadline=services.local_deadline(program)), 422 if error else 200


# --- before starting: what the application asks, and how it is scored ------------------------------

@dataclass
class OutlineItem:
    label: str
    detail: str = ""
    required: bool = False
    choices: list = field(default_factory=list)


@dataclass
class Outline:
    """Everything an applicant will be asked and how answers are scored, for the program page and
    the blank form's PDF: built from the application form itself, so it says what the form asks."""

    sections: list[tuple[str, list[OutlineItem]]]
    needs: list
    criteria: list  # (criterion, weight share 0..1, [(level, anchor as `Localized`)])


def outline(program) -> Outline:
    from grantflow.programs import rubrics

    form = ApplicationForm(meta={"csrf": False}, formdata=None)
    answers = build_answer_form(program.questions, meta={"csrf": False}, enforce_required=False)

    def item(f, detail="", required=True, choices=()):
        kw = f.render_kw or {}
        limit = kw.get("data-limit-chars")
        text = Markup(" ").join(p for p in (f.description or "", detail,  # a question's help may be marked `lang`
                                            _("Up to %(num)s characters.", num=format_number(limit)) if limit else "")
                                if p)
        label = f.label.text  # a question's may be Markup: its source text marked with `lang`
        return OutlineItem(label if isinstance(label, Markup) else str(label), text, required, list(choices))

    money = lambda c: format_money(c or 0, whole=True)  # noqa: E731
    sections = [
        (_("The project"), [item(form.title), item(form.summary)]),
        (_("Needs and places"), [item(form.needs), item(form.places)]),
        (_("Amount and budget"), [
            item(form.amount_requested, _("Between %(low)s and %(high)s.", low=money(program.min_award_cents),
                                          high=money(program.max_award_cents))),
            OutlineItem(_("Budget"), _("One line per category (what it pays for, the amount); the lines add up to "
                                       "the amount requested."), True)]),
        (_("Outcomes you will track"), [OutlineItem(_("Outcomes"), _("A metric and a target for each; at least one."),
                                                    True)]),
        (_("Community voice"), [item(form.community_voice)]),
    ]
    questions = [item(answers[f"q_{q.key}"], required=q.required,
                      choices=[label for _value, label in (answers[f"q_{q.key}"].choices or [])]
                      if q.kind in ("single_choice", "multiple_choice") else ())
                 for q in program.questions]
    if questions:
        sections.append((_("%(program)s's questions", program=program.title), questions))
    sections.append((_("Supporting documents"), [OutlineItem(
        _("Documents"), _("Optional. PDF, DOCX, XLSX, CSV, PNG or JPEG, up to %(size)s each.",
                          size=attachments.megabytes(attachments.max_bytes())))]))
    needs = db.session.execute(select(PriorityNeed).where(PriorityNeed.funder_id == program.funder_id)
                               .order_by(PriorityNeed.rank, PriorityNeed.name)).scalars().all()
    rubric = program.current_rubric
    shares = rubrics.weight_shares(rubric)
    criteria = [(c, shares.get(c.id, 0.0), [(n, localized(c, anchor_field(n))) for n, _anchor in rubrics.levels(c)])
                for c in (rubric.criteria if rubric else [])]
    return Outline(sections, needs, criteria)


@bp.app_template_global("application_outline")
def _application_outline(program):
    """For the program page: `{% set outline = application_outline(program) %}`."""
    return outline(program)


@bp.route("/programs/<program:program>/blank-form.pdf")
def blank_form(program: Program):
    """The blank application form, to draft offline: every question, the needs and the rubric."""
    if program.status == "draft" and not can("program.manage", program):
        abort(404)  # as the program page: a draft is its funder's alone
    html = render_template("applications/blank_form_pdf.html", program=program, outline=outline(program),
                           deadline=services.local_deadline(program))
    pdf = render_pdf(html, title=_("%(program)s: blank application form", program=program.title),
                     author=program.funder.name, lang=html_lang(),
                     subject=_("Every question of the application, to draft offline"))
    return send_file(io.BytesIO(pdf), mimetype="application/pdf", as_attachment=True,
                     download_name=f"{program.slug}-blank-form.pdf", max_age=0)


# --- editing a draft --------------------------------------------------------------------------------

def _choices(form, program) -> None:
    """Sets the needs and places the form offers (the places' search options as `place_options`)."""
    needs = db.session.execute(select(PriorityNeed).where(PriorityNeed.funder_id == program.funder_id)
                               .order_by(PriorityNeed.rank, PriorityNeed.name)).scalars().all()
    form.needs.choices = [(n.id, Markup("%s. %s") % (n.rank, localized(n, "name").marked)) for n in needs]
    form.place_options = place_search.options([program.funder_id])
    form.places.choices = [(o.key, o.label) for o in form.place_options]


def _answers_form(application, formdata=None, *, enforce_required=False):
    return build_answer_form(application.program.questions, formdata=formdata,
                             data=services.stored_answers(application), enforce_required=enforce_required,
                             meta={"csrf": False})


def _render(application, form, answers, *, status=200, errors=None, top_error=None, saved_note=None, focus=None,
            stale=False):
    token = secrets.token_urlsafe(16)
    tokens = dict(session.get("submit_tokens", {}))
    tokens[str(application.id)] = token
    session["submit_tokens"] = tokens
    program = application.program
    return render_template(
        "applications/edit.html", application=application, program=program, form=form, answers=answers,
        errors=errors or [], top_error=top_error, saved_note=saved_note, submit_token=token, focus=focus,
        page_token=secrets.token_urlsafe(12),  # this page's own saves are never a conflict with each other
        stale=stale, last_edited=last_edited_text(application),
        budget_total=format_money(form.budget_total_cents()), deadline=services.local_deadline(program),
        not_open=services.not_open_reason(program), accept=attachments.ACCEPT,
        max_bytes=attachments.max_bytes(),
        max_text=attachments.megabytes(attachments.max_bytes()),
        picker=place_search.picker(form.place_options, request.values.get("places_q"), form.places.data),
    ), status


def last_edited_text(application) -> str | None:
    """"Last edited by Sam Rivera, 2:31 PM PST on December 1, 2026" (None before the first save)."""
    local = to_local(application.last_edit_at, application.program.timezone)
    if local is None or application.last_edited_by is None:
        return None
    return _("Last edited by %(name)s, %(time)s on %(day)s", name=application.last_edited_by.name,
             time=format_when(local, "time"), day=format_when(local, "day"))


ROW_FIRST_FIELD = {"budget": "category", "outcomes": "metric"}
ADD_BUTTON = {"budget": "add-line", "outcomes": "add-outcome"}
_FOCUS = re.compile(r"(?:budget-\d{1,2}-category|outcomes-\d{1,2}-metric|add-line|add-outcome|s-files|places_q)")


def _row_action(action: str, md: MultiDict, application) -> tuple[MultiDict, str | None]:
    """Add or remove a budget line or an outcome in the typed data, renumbering the rows; with the
    id of the field to come back to (the added row, the row that took the removed one's place)."""
    kind, _colon, arg = action.partition(":")
    for prefix, add, remove in (("budget", "add_line", "remove_line"), ("outcomes", "add_outcome", "remove_outcome")):
        if kind not in (add, remove):
            continue
        rows: dict[int, dict[str, list[str]]] = {}
        rest = MultiDict()
        for k, v in md.items(multi=True):
            parts = k.split("-", 2)
            row = row_index(parts[1]) if parts[0] == prefix and len(parts) == 3 else None
            if row is not None:
                rows.setdefault(row, {}).setdefault(parts[2], []).append(v)
            else:
                rest.add(k, v)
        ordered = [rows[i] for i in sorted(rows)]
        chosen = row_index(arg)
        focus = ADD_BUTTON[prefix]
        if kind == add and len(ordered) < 50:
            ordered.append({})
            focus = f"{prefix}-{len(ordered) - 1}-{ROW_FIRST_FIELD[prefix]}"
        elif kind == remove and chosen is not None and chosen < len(ordered):
            ordered.pop(chosen)
            if ordered:
                focus = f"{prefix}-{min(chosen, len(ordered) - 1)}-{ROW_FIRST_FIELD[prefix]}"
        for i, row in enumerate(ordered):
            for name, values in row.items():
                for v in values:
                    rest.add(f"{prefix}-{i}-{name}", v)
            if not row:
                rest.add(f"{prefix}-{i}-{'category' if prefix == 'budget' else 'target'}", "")
        return rest, focus
    if kind == "remove_attachment":
        try:
            attachment_id = query_int(arg)
        except ValueError:  # names no file
            return md, None
        services.remove_attachment(application, attachment_id)
        return md, "s-files"
    return md, None


def _forms_from(application, md: MultiDict):
    form = ApplicationForm(formdata=md)
    answers = _answers_form(application, md)
    _choices(form, application.program)
    return form, answers


# The team roles an action needs, and what the others of the team are told (403).
TEAM_REFUSALS = {
    "application.edit": (R.TEAM_EDITORS, _l("Your role on your organization's team is viewer: you can read "
                                            "this application, but only its admins and editors change it.")),
    "application.withdraw": ((R.TEAM_ADMIN,), _l("Only an admin of your organization's team can withdraw an "
                                                 "application.")),
}


def team_action(app_id: int, action: str) -> Application:
    """The application for `action`: 403, saying why, to the applying team's members whose role does
    not allow it; 404 to anyone else refused (it is not theirs to change, or a member's consent
    ended)."""
    application = get_or_404(Application, app_id, "application.view")
    if not can(action, application):
        roles, message = TEAM_REFUSALS[action]
        role = current_user.team_role_in(application.organization_id)
        abort(403, str(message)) if role is not None and role not in roles else abort(404)
    return application


def _load_draft(app_id: int) -> Application:
    return team_action(app_id, "application.edit")


@bp.route("/applications/<int:app_id>/edit", methods=["GET", "POST"])
@login_required
def edit(app_id: int):
    application = _load_draft(app_id)
    if application.status != DRAFT:
        flash(_("This application is no longer a draft, so it cannot be edited. Here is its status."), "info")
        return redirect(url_for("applications.status", app_id=application.id))
    program = application.program
    if request.method == "GET":
        md = formdata_of(application.draft_form)
        if md is not None:
            form, answers = _forms_from(application, md)
        else:
            form = ApplicationForm(formdata=None, data=form_data(services.stored_input(application)))
            answers = _answers_form(application)
            _choices(form, program)
        focus = request.args.get("focus", "")
        return _render(application, form, answers, focus=focus if _FOCUS.fullmatch(focus) else None,
                       saved_note=_("Draft saved.") if focus else None)

    action = request.form.get("action", "save")
    typed = request.form
    zip_code = action.partition(":")[2] if action.startswith("choose_zip:") else ""
    if zip_code:  # the ZIP code's tracts join the chosen places
        typed = request.form.copy()
        tracts = place_search.zip_keys(place_search.options([program.funder_id]), zip_code)
        typed.setlist("places", list(dict.fromkeys(typed.getlist("places") + [str(t) for t in tracts])))
    form = ApplicationForm(formdata=CombinedMultiDict([request.files, typed]))
    answers = _answers_form(application, CombinedMultiDict([request.files, typed]),
                            enforce_required=(action == "submit"))
    _choices(form, program)
    if session_expired(form):
        show_problems({}, form, answers)
        return _render(application, form, answers, status=400,
                       top_error=_("Your session expired, so nothing was saved. Log in again if asked, then "
                                   "save once more: what you typed is still on this page."))
    stale = services.stale_draft(application, request.form.get("base_revision"), current_user,
                                 request.form.get("page_token"))
    if stale is not None:
        # Nothing is written; the page comes back as typed, now based on the newer version, so
        # saving again replaces it on purpose.
        return _render(application, form, answers, status=409, stale=True,
                       top_error=stale.message(program.timezone))
    if not services.claim_draft(application):
        flash(_("This application was already submitted. Here is its status."), "info")
        return redirect(url_for("applications.status", app_id=application.id))
    data = draft_input(form, answers)
    saved = services.save_draft(application, data, current_user, request.form.get("client_rev"),
                                 request.form.get("page_token"))
    show_problems(saved.problems, form, answers)

    if action == "find_places" or zip_code:
        # The search comes back by GET, with what was typed saved and the search kept.
        return redirect(url_for("applications.edit", app_id=application.id, focus="places_q",
                                places_q=request.form.get("places_q", "")[:200]) + "#places_q", 303)
    if action != "save" and action != "submit":
        # Without JavaScript: the draft keeps the changed rows, and the page comes back at the row
        # (an anchor, and autofocus on its first field) instead of at the top.
        md, focus = _row_action(action, formdata_of(typed_values(form, answers)) or MultiDict(), application)
        application.draft_form = {k: md.getlist(k) for k in md.keys()} | {
            "_rev": [request.form.get("client_rev") or ""], "_page": [request.form.get("page_token") or ""]}
        if focus is None:
            form, answers = _forms_from(application, md)
            return _render(application, form, answers, saved_note=_("Draft saved."))
        return redirect(url_for("applications.edit", app_id=application.id, focus=focus) + "#" + focus, 303)

    if action == "submit":
        expected = session.get("submit_tokens", {}).get(str(application.id))
        if not expected or request.form.get("submit_token") != expected:
            return _render(application, form, answers, status=409,
                           top_error=_("This page was out of date (the application was open in another tab "
                                       "or window). Your answers are saved: check them and submit again."))
        reason = services.not_open_reason(program)
        if reason:
            return _render(application, form, answers, status=422, top_error=reason)
        problems, submitted = {}, False
        try:
            if saved.problems:  # a value or a file was refused: nothing is submitted; show all that is missing
                problems = services.submission_problems(application, data) | saved.problems
            else:
                submitted = services.submit(application, current_user, data)
        except services.Incomplete as exc:
            problems = exc.problems
        except services.NotOpen as exc:
            return _render(application, form, answers, status=422, top_error=str(exc))
        if problems:
            show_problems(problems, form, answers)
            return _render(application, form, answers, status=422, errors=flat_errors(form, answers),
                           top_error=_("Your draft is saved, but it cannot be submitted yet."))
        tokens = dict(session.get("submit_tokens", {}))
        tokens.pop(str(application.id), None)
        session["submit_tokens"] = tokens
        if submitted:
            flash(_("Your application is submitted. A confirmation email is on its way."), "success")
        else:
            flash(_("This application was already submitted. Here is its status."), "info")
        return redirect(url_for("applications.status", app_id=application.id))

    errors = flat_errors(form, answers)
    if errors:
        return _render(application, form, answers, errors=errors,
                       saved_note=_("Draft saved. Some answers need attention before you submit; they are kept "
                                    "as you typed them."))
    flash(_("Draft saved."), "success")
    return redirect(url_for("applications.edit", app_id=application.id))


@bp.route("/applications/<int:app_id>/autosave", methods=["POST"])
def autosave(app_id: int):
    """The browser's autosave: the form's fields (no files), answered in JSON."""
    if not current_user.is_authenticated:
        return jsonify(saved=False, error=_("Your session has ended. Log in again to keep saving."),
                       login=url_for("accounts.login", next=url_for("applications.edit", app_id=app_id))), 401
    application = team_action(app_id, "application.edit")
    if application.status != DRAFT:
        return jsonify(saved=False, status=application.status,
                       error=_("This application is no longer a draft, so changes are not saved.")), 409
    stale = services.stale_draft(application, request.form.get("base_revision"), current_user,
                                 request.form.get("page_token"))
    if stale is not None:
        return jsonify(saved=False, conflict=True, revision=stale.revision,
                       error=stale.message(application.program.timezone)), 409
    if not services.claim_draft(application):
        return jsonify(saved=False, status=application.status,
                       error=_("This application is no longer a draft, so changes are not saved.")), 409
    form = ApplicationForm(formdata=request.form)
    answers = _answers_form(application, request.form)
    _choices(form, application.program)
    saved = services.save_draft(application, draft_input(form, answers), current_user, request.form.get("client_rev"),
                                 request.form.get("page_token"))
    show_problems(saved.problems, form, answers)
    local = to_local(application.last_edit_at, application.program.timezone)
    return jsonify(saved=True, saved_at=application.last_edit_at.isoformat(),
                   saved_at_text=format_when(local, "time"), issues=len(flat_errors(form, answers)),
                   editing_seconds=application.editing_seconds, rev=request.form.get("client_rev") or "",
                   revision=application.draft_revision, last_edited=last_edited_text(application))


# --- after submission ---------------------------------------------------------------------------------

@bp.route("/applications/<int:app_id>")
@login_required
def status(app_id: int):
    application = get_or_404(Application, app_id, "application.view")
    program = application.program
    identity = sees_identity(current_user, application)
    if not identity:  # blind review: a reviewer sees the masked view (grantflow/reviews/blind.py)
        from grantflow.reviews.views import blind_status

        return blind_status(application)
    files = [(a, attachments.shown_name(a, i, identity)) for i, a in enumerate(application.attachments, 1)]
    can_edit = can("application.edit", application)
    withdrawable = (can("application.withdraw", application) and application.status in (DRAFT, SUBMITTED)
                    and services.not_open_reason(program) is None)
    return render_template("applications/status.html", application=application, program=program, files=files,
                           can_edit=can_edit, withdrawable=withdrawable, identity=identity,
                           trail=activity.trail(application) if can("application.activity", application) else None,
                           answers=submission_copy.answers_shown(application),
                           metric_label=metric_label, deadline=services.local_deadline(program))


@bp.route("/applications/<int:app_id>/withdraw", methods=["GET", "POST"])
@login_required
def withdraw(app_id: int):
    """Asks first (a page that says what withdrawing means); acts only on a POST that confirms."""
    application = team_action(app_id, "application.withdraw")
    if request.method == "GET" or request.form.get("confirm") != "yes":
        return render_template("applications/withdraw.html", application=application,
                               program=application.program, deadline=services.local_deadline(application.program))
    try:
        done = services.withdraw(application, current_user)
    except services.NotOpen as exc:
        flash(str(exc), "error")
        return redirect(url_for("applications.status", app_id=application.id))
    flash(_("Your application is withdrawn.") if done else _("This application can no longer be withdrawn."),
          "success" if done else "error")
    return redirect(url_for("applications.status", app_id=application.id))


@bp.route("/applications/<int:app_id>/copy.pdf")
@login_required
def submission_copy_pdf(app_id: int):
    """The PDF of what was sent, stored at submission: the applicant's and the funder staff's."""
    application = get_or_404(Application, app_id, "application.copy")
    key = submission_copy.key_of(application)
    if key is None:
        abort(404)
    return stored_files.download(key, mimetype="application/pdf", download_name=f"application-{application.id}.pdf")


@bp.route("/applications/<int:app_id>/attachments/<int:att_id>")
@login_required
def attachment(app_id: int, att_id: int):
    application = get_or_404(Application, app_id, "application.view")
    att = attachments.of(application, att_id)
    if not sees_identity(current_user, application):  # blind review: a redacted copy (grantflow/blind)
        from grantflow.blind.views import redacted_download

        return redacted_download(application, att)
    return attachments.send(attachments.key_of(att), att.mime_type, att.original_name)


# --- the applicant's section of the dashboard ------------------------------------------------------

@dashboard_section("applications/_dashboard.html", R.APPLICANT, order=10)
def applicant_dashboard(user) -> dict:
    organizations = user.organizations_with(R.APPLICANT)
    return {
        "organizations": organizations,
        "editor_org_ids": editor_org_ids(user),  # a viewer's drafts link to their status page
        "applications": db.session.execute(
            scope_applications(user).where(Application.organization_id.in_([o.id for o in organizations]))
            .options(selectinload(Application.program)).order_by(Application.updated_at.desc())
        ).scalars().all(),
    }
