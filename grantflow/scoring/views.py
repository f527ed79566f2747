"""Pages of the scoring area: configuration, rescoring, ranking, run comparison, per-application
breakdown and the what-if sandbox (`grantflow score` is in commands.py)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from forms.scoring import build_config_form, configs_from_form, typed_configs
from grantflow.applications.models import Application
from grantflow.core.db import db
from grantflow.core.i18n import format_number
from grantflow.core.inputs import query_int
from grantflow.core.policy import authorize, can, get_or_404
from grantflow.organizations.models import Organization
from grantflow.programs.models import Program
from grantflow.scoring import engine
from grantflow.scoring.compare import compare_runs
from grantflow.scoring.explain import pct
from grantflow.scoring.models import ScoreRun
from grantflow.scoring.registry import available_rules
from grantflow.scoring.results import STATUS_LABELS
from grantflow.scoring.services import references, save_config
from grantflow.scoring.standing import standing_of, standings

bp = Blueprint("scoring", __name__, cli_group=None)

TOTAL_RULE = _l("The total is the weighted mean of each rule's points out of its maximum, on a 0–100 scale. "
                "A part with no data yet (for example, not yet reviewed) or that failed is left out, never "
                "counted as zero.")
STANDING_RULE = _l("Only complete applications (every assigned review in, every rule scored) are ranked by total. "
                   "The others follow, each labelled with what it lacks: partly reviewed ones (with a provisional "
                   "total), then those not reviewed yet (no total: their priority part alone is not a total), "
                   "then ineligible ones.")


@bp.app_template_filter("total")
def total_filter(value) -> str:
    """A 0–100 total as people read it everywhere (one decimal); empty when there is none."""
    return "" if value is None else f"{value:.1f}"


@bp.app_template_filter("evidence")
def evidence_filter(value, key: str = "", words: dict | None = None) -> str:
    """A rule's evidence as people read it: shares as percentages, other numbers rounded, yes/no,
    text in the rule's words for it (`ScoringRule.evidence_words`). The board's CSV keeps the exact values."""
    if isinstance(value, str) and words and value in words.get(key, {}):
        return str(words[key][value])
    if value is None:
        return _("not reported")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, (int, float)):
        if "share" in key:
            return pct(value)
        return format_number(value) if isinstance(value, int) else format_number(round(value, 2))
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value) or _("none")
    return str(value)


@bp.app_context_processor
def _standing_rule():
    return {"standing_rule": STANDING_RULE}


def _recent_runs(program_id: int, limit: int = 10) -> list[ScoreRun]:
    return list(db.session.execute(
        select(ScoreRun).where(ScoreRun.program_id == program_id).order_by(ScoreRun.id.desc()).limit(limit)
    ).scalars())


def _needs(program: Program):
    """The funder's CHNA needs, so officers can write the CHNA rule's need weights by id."""
    from grantflow.chna.models import PriorityNeed

    return db.session.execute(select(PriorityNeed.id, PriorityNeed.name, PriorityNeed.rank, PriorityNeed.weight)
                              .where(PriorityNeed.funder_id == program.funder_id)
                              .order_by(PriorityNeed.rank, PriorityNeed.id)).all()


def _names(program_id: int) -> dict[int, tuple[str, str]]:
    return {aid: (title, org) for aid, title, org in db.session.execute(
        select(Application.id, Application.title, Organization.name)
        .join(Organization, Organization.id == db.func.coalesce(Application.on_behalf_of_id, Application.organization_id))
        .where(Application.program_id == program_id))}


@bp.route("/programs/<program:program>/scoring", methods=["GET", "POST"])
def configure(program: Program):
    authorize("program.configure_scoring", program)
    configs = engine.program_config(program)
    form = build_config_form(configs, references(program, configs))
    if form.validate_on_submit():
        save_config(program, configs_from_form(form, configs))
        flash(_("Scoring configuration saved. The ranking board and every score page use it from now on."), "success")
        return redirect(url_for(".configure", program=program))
    status = 422 if form.errors else 200
    return render_template("scoring/configure.html", program=program, form=form, configs=configs,
                           shares=_shares(form, configs), runs=_recent_runs(program.id),
                           missing=engine.missing_rules(program), needs=_needs(program), total_rule=TOTAL_RULE), status


def _shares(form, configs) -> dict:
    """Each rule's share of the maximum total, and the merit (rubric) share, as typed on the form."""
    typed = typed_configs(form, configs)
    return {"rules": engine.shares(typed), "merit": engine.merit_share(typed)}


@bp.post("/programs/<program:program>/scoring/rescore")
def rescore(program: Program):
    authorize("program.configure_scoring", program)
    run = engine.rescore(program.id, actor_id=current_user.id)
    flash(_("Recorded score run %(run)s.", run=run.id), "success")
    return redirect(url_for(".results", program=program))


@bp.get("/programs/<program:program>/scoring/results")
def results(program: Program):
    authorize("program.configure_scoring", program)
    return render_template("scoring/results.html", program=program, standings=standings(program).rows,
                           names=_names(program.id), total_rule=TOTAL_RULE, run=engine.latest_run(program.id))


@bp.get("/programs/<program:program>/scoring/compare")
def compare(program: Program):
    authorize("program.configure_scoring", program)
    runs = _recent_runs(program.id, 50)
    by_id = {r.id: r for r in runs}
    a, b = request.args.get("a", type=query_int), request.args.get("b", type=query_int)
    if a is None and b is None and len(runs) >= 2:
        a, b = runs[1].id, runs[0].id
    comparison = None
    if a is not None or b is not None:
        if a not in by_id or b not in by_id:
            abort(404)
        comparison = compare_runs(by_id[a], by_id[b])
    return render_template("scoring/compare.html", program=program, runs=runs, comparison=comparison,
                           names=_names(program.id))


@bp.get("/applications/<int:app_id>/score")
def breakdown(app_id: int):
    application = get_or_404(Application, app_id, "application.view_score")
    return render_template("scoring/breakdown.html", application=application, program=application.program,
                           standing=standing_of(application), status_labels=STATUS_LABELS, total_rule=TOTAL_RULE,
                           rules=available_rules())


@bp.route("/programs/<program:program>/what-if", methods=["GET", "POST"])
def whatif(program: Program):
    """Sandbox: nothing is saved, whatever is submitted."""
    from grantflow.scoring.whatif import simulate

    authorize("program.configure_scoring", program)
    saved = engine.program_config(program)
    form = build_config_form(saved, references(program, saved))
    simulation = None
    if request.method == "POST":
        if form.validate():
            simulation = simulate(program, configs_from_form(form, saved), saved)
    else:
        simulation = simulate(program, saved, saved)
    return render_template("scoring/whatif.html", program=program, form=form, simulation=simulation,
                           shares=_shares(form, saved), needs=_needs(program),
                           total_rule=TOTAL_RULE), 422 if form.errors else 200


@bp.app_template_global()
def applicant_score(application):
    """The applicant's own breakdown, or None unless the policy allows it (program shares rule
    explanations, decisions released, user is the applicant)."""
    if application is None or not can("application.view_own_score", application):
        return None
    standing = standing_of(application)
    return None if standing is None else standing.score
