"""Pages of the programs area: the program form, the officer's hub, publish/close, the rubric builder,
custom questions, the public page of a published program, the home page and the list of open
programs."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from forms.programs import CriterionForm, ProgramForm, QuestionForm, anchors_text, translation_form
from forms.questions import build_answer_form
from grantflow.core import i18n, translations
from grantflow.core import roles as R
from grantflow.core.db import db, utcnow
from grantflow.core.inputs import query_int
from grantflow.core.money import format_money
from grantflow.core.policy import authorize, can
from grantflow.core.timeutil import from_local, to_local
from grantflow.core.views import dashboard_section
from grantflow.organizations.services import home_timezone
from grantflow.programs import questions as qsvc
from grantflow.programs import rubrics, services
from grantflow.programs.models import CLOSED, DRAFT, PUBLISHED, Criterion, CustomQuestion, Program

bp = Blueprint("programs", __name__, cli_group=None)

DATETIMES = ("opens_at", "closes_at", "review_ends_at", "decisions_release_at")
# Other areas' pages linked from the hub, shown only when the endpoint exists.
AREA_LINKS = (
    ("decisions.board", _l("Ranking board")),
    ("scoring.configure", _l("Scoring rules")),
    ("scoring.results", _l("Scores")),
    ("scoring.whatif", _l("What-if scoring")),
    ("reviews.assignments", _l("Reviewer assignments")),
    ("reviews.review_progress", _l("Review progress")),
    ("decisions.release", _l("Release decisions")),
    ("letters.index", _l("Decision letters")),
    ("equity.audit", _l("Equity audit")),
    ("feedback.manage", _l("Feedback")),
    ("awards.program_payments", _l("Payments and grantee reports")),
    ("feedback.you_said", _l("You said, we did")),
)


def _form_values(form: ProgramForm) -> dict:
    values = {name: form[name].data for name in services.EDITABLE if name in form._fields}
    tz = form.timezone.data
    for name in DATETIMES:
        values[name] = from_local(form[name].data, tz)
    values["min_award_cents"] = values.get("min_award_cents") or 0
    values["description"] = values.get("description") or ""
    for name in ("contact_name", "contact_email"):
        values[name] = values.get(name) or None
    return values


def _form_data(program: Program) -> dict:
    data = {name: getattr(program, name) for name in services.EDITABLE}
    for name in DATETIMES:
        local = to_local(getattr(program, name), program.timezone)
        data[name] = local.replace(tzinfo=None) if local else None
    return data


def _render_form(form, program=None, status=200):
    funders = services.staff_funders(current_user)
    return render_template("programs/form.html", form=form, program=program, funders=funders), \
        (422 if form.errors else status)


@bp.route("/programs/new", methods=["GET", "POST"])
def new():
    authorize("program.create")
    funders = services.staff_funders(current_user)
    if not funders:
        abort(403)
    form = ProgramForm()
    funder = funders[0]
    if len(funders) > 1:
        chosen = request.values.get("funder", type=query_int)
        funder = next((f for f in funders if f.id == chosen), funders[0])
    if request.method == "GET":
        form.timezone.data = home_timezone(funder)
    if form.validate_on_submit():
        program = services.create_program(funder, _form_values(form))
        flash(_("Program created as a draft. Next, build its rubric."), "success")
        return redirect(url_for("programs.rubric", program=program))
    return _render_form(form)


@bp.route("/programs/<program:program>/edit", methods=["GET", "POST"])
def edit(program):
    authorize("program.manage", program)
    form = ProgramForm(data=_form_data(program)) if request.method == "GET" else ProgramForm()
    if (form.validate_on_submit() and _budget_covers_awards(program, form)
            and _blind_review_change_is_explained(program, form)):
        services.update_program(program, _form_values(form))
        flash(_("Program saved."), "success")
        return redirect(url_for("programs.manage", program=program))
    return _render_form(form, program)


def _budget_covers_awards(program: Program, form: ProgramForm) -> bool:
    """A budget below what is already awarded would leave a negative amount "left to award"."""
    from grantflow.decisions.services import DecisionError, awarded_total, lock_program

    try:
        lock_program(program.id)  # as deciding does: no award can be saved between this sum and the commit
    except DecisionError as exc:  # another writer held the lock too long
        form.budget_cents.errors = [exc.message]
        return False
    awarded = awarded_total(program.id)
    if form.budget_cents.data is not None and form.budget_cents.data < awarded:
        form.budget_cents.errors = [_("%(awarded)s is already awarded in this program: the total budget cannot be "
                                      "less than that.", awarded=format_money(awarded))]
        return False
    return True


def _blind_review_change_is_explained(program: Program, form: ProgramForm) -> bool:
    """Switching blind review once reviews have begun needs a reason, which is recorded (the equity
    audit notes it): the reviews made so far were made the other way."""
    from grantflow.reviews import progress

    turned_on = bool(form.blind_review.data)
    if turned_on == bool(program.blind_review):
        return True
    started = progress.reviews_started(program)
    if not started:
        return True
    reason = (form.blind_review_reason.data or "").strip()
    if not reason:
        form.blind_review_reason.errors = [
            ngettext("%(num)d review has already begun with applicants named; it stays as it was made. Say why "
                     "blind review changes now: it is recorded, and the equity audit notes it.",
                     "%(num)d reviews have already begun with applicants named; they stay as they were made. Say "
                     "why blind review changes now: it is recorded, and the equity audit notes it.", started)
            if turned_on else
            ngettext("%(num)d review has already begun blind; it stays as it was made. Say why blind review "
                     "changes now: it is recorded, and the equity audit notes it.",
                     "%(num)d reviews have already begun blind; they stay as they were made. Say why blind review "
                     "changes now: it is recorded, and the equity audit notes it.", started)]
        return False
    progress.record_blind_review_change(program, turned_on=turned_on, reason=reason, actor_id=current_user.id)
    return True


def _area_links(program: Program) -> list[tuple[str, str]]:
    views = current_app.view_functions
    links = []
    for endpoint, label in AREA_LINKS:
        if endpoint in views:
            try:
                links.append((url_for(endpoint, program=program), label))
            except Exception:  # an endpoint with other URL arguments is not a program page
                continue
    return links


@bp.route("/programs/<program:program>/manage")
def manage(program):
    authorize("program.manage", program)
    from grantflow.applications.models import Application
    from sqlalchemy import func

    counts = dict(db.session.execute(
        select(Application.status, func.count()).where(Application.program_id == program.id)
        .group_by(Application.status)).all())
    return render_template("programs/manage.html", program=program, area_links=_area_links(program),
                           problems=services.publish_problems(program) if program.status == DRAFT else [],
                           counts=counts, is_open=services.is_open(program))


@bp.route("/programs/<program:program>/publish", methods=["POST"])
def publish(program):
    authorize("program.manage", program)
    try:
        services.publish(program)
    except services.PublishError as exc:
        for problem in exc.problems:
            flash(problem, "error")
        return redirect(url_for("programs.manage", program=program))
    flash(_("Program published. It is listed on the open opportunities page."), "success")
    return redirect(url_for("programs.manage", program=program))


@bp.route("/programs/<program:program>/close", methods=["POST"])
def close(program):
    authorize("program.manage", program)
    if program.status == DRAFT:
        flash(_("A draft program cannot be closed; publish it first."), "error")
    else:
        services.close(program)
        flash(_("Program closed. It no longer accepts applications."), "success")
    return redirect(url_for("programs.manage", program=program))


@bp.route("/programs/<program:program>")
def public(program):
    if program.status == DRAFT and not can("program.manage", program):
        abort(404)
    can_apply = "applications.start" in current_app.view_functions and services.is_open(program)
    return render_template("programs/public.html", program=program, can_apply=can_apply,
                           is_open=services.is_open(program),
                           can_manage=can("program.manage", program))


# --- rubric ----------------------------------------------------------------------------------------

def _rubric_page(program, form, status=200, editing=None):
    rubric = program.current_rubric
    frozen = rubrics.is_frozen(rubric) if rubric else False
    return render_template("programs/rubric.html", program=program, rubric=rubric, form=form, frozen=frozen,
                           shares=rubrics.weight_shares(rubric), levels=rubrics.levels, editing=editing), \
        (422 if form.errors else status)


def _criterion_values(form: CriterionForm) -> dict:
    return {"label": form.label.data, "guidance": form.guidance.data or "", "weight": form.weight.data,
            "scale_min": form.scale_min.data, "scale_max": form.scale_max.data, "anchors": form.anchors_dict()}


@bp.route("/programs/<program:program>/rubric", methods=["GET", "POST"])
def rubric(program):
    authorize("program.manage", program)
    form = CriterionForm()
    if form.validate_on_submit():
        old = program.current_rubric.version if program.current_rubric else None
        rubrics.add_criterion(program, _criterion_values(form))
        _flash_version(program, old)
        flash(_("Criterion added."), "success")
        return redirect(url_for("programs.rubric", program=program) + "#criteria")
    return _rubric_page(program, form)


def _flash_version(program, old_version):
    new = program.current_rubric.version
    if old_version is not None and new != old_version:
        flash(_("Reviews already use version %(old)s of this rubric, so your change made version %(new)s. "
                "Existing reviews keep version %(old)s.", old=old_version, new=new), "success")


def _criterion(program, criterion_id) -> Criterion:
    current = program.current_rubric
    for c in (current.criteria if current else []):
        if c.id == criterion_id:
            return c
    abort(404)


@bp.route("/programs/<program:program>/rubric/<int:criterion_id>", methods=["GET", "POST"])
def criterion_edit(program, criterion_id):
    authorize("program.manage", program)
    criterion = _criterion(program, criterion_id)
    if request.method == "GET":
        form = CriterionForm(obj=criterion, data={"anchors": anchors_text(criterion)})
        form.anchors.data = anchors_text(criterion)
    else:
        form = CriterionForm()
    if form.validate_on_submit():
        old = program.current_rubric.version
        rubrics.update_criterion(program, criterion_id, _criterion_values(form))
        _flash_version(program, old)
        flash(_("Criterion saved."), "success")
        return redirect(url_for("programs.rubric", program=program) + "#criteria")
    return render_template("programs/criterion_edit.html", program=program, criterion=criterion, form=form), \
        (422 if form.errors else 200)


@bp.route("/programs/<program:program>/rubric/<int:criterion_id>/move", methods=["POST"])
def criterion_move(program, criterion_id):
    authorize("program.manage", program)
    _criterion(program, criterion_id)
    old = program.current_rubric.version
    rubrics.move_criterion(program, criterion_id, -1 if request.form.get("direction") == "up" else 1)
    _flash_version(program, old)
    return redirect(url_for("programs.rubric", program=program) + "#criteria")


@bp.route("/programs/<program:program>/rubric/<int:criterion_id>/remove", methods=["POST"])
def criterion_remove(program, criterion_id):
    authorize("program.manage", program)
    current = program.current_rubric
    criterion = next((c for c in (current.criteria if current else []) if c.id == criterion_id), None)
    if criterion is None:  # a second click, or a stale page
        flash(_("That criterion was already removed."), "success")
        return redirect(url_for("programs.rubric", program=program) + "#criteria")
    label = criterion.label
    old = program.current_rubric.version
    rubrics.remove_criterion(program, criterion_id)
    _flash_version(program, old)
    flash(_("Criterion “%(label)s” removed.", label=label), "success")
    return redirect(url_for("programs.rubric", program=program) + "#criteria")


# --- custom questions ------------------------------------------------------------------------------

def _question(program, question_id) -> CustomQuestion:
    try:
        return qsvc.get_question(program, question_id)
    except LookupError:
        abort(404)


@bp.route("/programs/<program:program>/questions", methods=["GET", "POST"])
def questions(program):
    authorize("program.manage", program)
    form = QuestionForm()
    if form.validate_on_submit():
        qsvc.add_question(program, form.values())
        flash(_("Question added."), "success")
        return redirect(url_for("programs.questions", program=program) + "#questions")
    preview = build_answer_form(program.questions, formdata=None, meta={"csrf": False}, prefix="preview")
    return render_template("programs/questions.html", program=program, form=form, preview=preview,
                           kind_labels=qsvc.KIND_LABELS), (422 if form.errors else 200)


@bp.route("/programs/<program:program>/translations", methods=["GET", "POST"])
def translations_page(program):
    """The program's own words in another language: title, description, questions and their
    choices, the rubric and its anchors, the funder's needs, "you said, we did", letter wordings."""
    authorize("program.manage", program)
    others = [code for code in i18n.locales() if code != i18n.SOURCE_LOCALE]
    if not others:
        abort(404)
    locale = request.args.get("locale") if request.args.get("locale") in others else others[0]
    sections = _translatable(program)
    items = [obj for _title, group in sections for _legend, obj in group]
    form = translation_form(items, locale)
    if form.validate_on_submit():
        for obj in items:
            translations.save(obj, locale, form.texts(obj))
        flash(_("The %(language)s wording is saved.", language=i18n.language_name(locale)), "success")
        return redirect(url_for("programs.translations_page", program=program, locale=locale))
    return render_template("programs/translations.html", program=program, form=form, sections=sections,
                           locale=locale, others=others, fields_of=translations.fields_of), \
        (422 if form.errors else 200)


def _translatable(program) -> list[tuple[str, list[tuple[str, object]]]]:
    """(section title, [(the object's name, object)]) of everything the page translates: each name
    a `Localized`, so the funder's English is marked as such on a page in another language."""
    from grantflow.chna.models import PriorityNeed
    from grantflow.feedback.models import YouSaidWeDid
    from grantflow.letters.models import LetterTemplate
    from grantflow.letters.render import KIND_LABELS as LETTER_KINDS

    rubric = program.current_rubric
    needs = db.session.execute(select(PriorityNeed).where(PriorityNeed.funder_id == program.funder_id)
                               .order_by(PriorityNeed.rank, PriorityNeed.name)).scalars().all()
    said = db.session.execute(select(YouSaidWeDid).where(YouSaidWeDid.program_id == program.id)
                              .order_by(YouSaidWeDid.theme, YouSaidWeDid.created_at)).scalars().all()
    letters = db.session.execute(select(LetterTemplate).where(LetterTemplate.program_id == program.id)
                                 .order_by(LetterTemplate.kind)).scalars().all()
    source = lambda text: translations.Localized(text, i18n.SOURCE_LOCALE)  # noqa: E731
    sections = [
        (_("The program"), [(source(program.title), program)]),
        (_("Questions"), [(source(q.label), q) for q in program.questions]),
        (_("Rubric"), [(source(c.label), c) for c in (rubric.criteria if rubric else [])]),
        (_("Community health needs (shared by all of %(funder)s's programs)", funder=program.funder.name),
         [(source(n.name), n) for n in needs]),
        (_("You said, we did"), [(source(e.we_heard.split("\n")[0][:80]), e) for e in said]),
        (_("Letter wording"), [(translations.Localized(str(LETTER_KINDS.get(t.kind, t.kind)), i18n.current_locale()), t)
                               for t in letters]),
    ]
    return [(title, group) for title, group in sections if group]


@bp.route("/programs/<program:program>/questions/<int:question_id>", methods=["GET", "POST"])
def question_edit(program, question_id):
    authorize("program.manage", program)
    q = _question(program, question_id)
    if request.method == "GET":
        form = QuestionForm(obj=q)
        form.options.data = "\n".join(str(o) for o in (q.options or []))
    else:
        form = QuestionForm()
    if form.validate_on_submit():
        qsvc.update_question(program, question_id, form.values())
        flash(_("Question saved."), "success")
        return redirect(url_for("programs.questions", program=program) + "#questions")
    return render_template("programs/question_edit.html", program=program, question=q, form=form), \
        (422 if form.errors else 200)


@bp.route("/programs/<program:program>/questions/<int:question_id>/move", methods=["POST"])
def question_move(program, question_id):
    authorize("program.manage", program)
    _question(program, question_id)
    qsvc.move_question(program, question_id, -1 if request.form.get("direction") == "up" else 1)
    return redirect(url_for("programs.questions", program=program) + "#questions")


@bp.route("/programs/<program:program>/questions/<int:question_id>/remove", methods=["POST"])
def question_remove(program, question_id):
    authorize("program.manage", program)
    q = next((q for q in program.questions if q.id == question_id), None)
    if q is None:  # a second click, or a stale page
        flash(_("That question was already removed."), "success")
        return redirect(url_for("programs.questions", program=program) + "#questions")
    label = q.label
    try:
        qsvc.remove_question(program, question_id)
    except qsvc.QuestionInUse as exc:
        flash(str(exc), "error")
    else:
        flash(_("Question “%(label)s” removed.", label=label), "success")
    return redirect(url_for("programs.questions", program=program) + "#questions")


STATUS_LABELS = {DRAFT: _l("Draft"), PUBLISHED: _l("Published"), CLOSED: _l("Closed")}


@bp.app_template_filter("program_status")
def program_status(status: str) -> str:
    return STATUS_LABELS.get(status, status)


# --- the public list of open programs, and the funder staff's section of the dashboard --------------

def open_programs():
    now = utcnow()
    return db.session.execute(
        select(Program).options(selectinload(Program.funder))
        .where(Program.status == PUBLISHED, (Program.closes_at.is_(None)) | (Program.closes_at > now))
        .order_by(Program.closes_at)
    ).scalars().all()


@bp.route("/")
def home():
    return render_template("programs/home.html", programs=open_programs()[:6])


@bp.route("/opportunities")
def opportunities():
    return render_template("programs/opportunities.html", programs=open_programs())


@dashboard_section("programs/_dashboard.html", *R.FUNDER_STAFF, order=20)
def funder_dashboard(user) -> dict:
    funders = {o.id: o for o in user.organizations_with(*R.FUNDER_STAFF)}
    return {
        "funders": list(funders.values()),
        "is_admin": user.has_role(R.FUNDER_ADMIN),
        "programs": db.session.execute(
            select(Program).where(Program.funder_id.in_(funders)).order_by(Program.created_at.desc())
        ).scalars().all(),
    }
