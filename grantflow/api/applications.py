"""Applications: the list you may see (filtered, by cursor), one application, a draft's answers,
and starting, saving and submitting a draft through the same services and checks as the form.

An intermediary (a network's applicant staff) applies on a member's behalf exactly as on the
page: only for a member that accepted the network, and only while that consent holds.
"""
from __future__ import annotations

import dataclasses

from flask import url_for
from flask_login import current_user
from sqlalchemy import select

from grantflow.accounts.policy import applicant_org_ids, editor_org_ids, staff_funder_ids
from grantflow.api.pages import page
from grantflow.api.schemas import (
    ApplicationFilterSchema, ApplicationPageSchema, ApplicationSchema, DraftAnswersSchema, DraftSchema,
    NewApplicationSchema, SaveResultSchema, SubmitSchema,
)
from grantflow.api.spec import errors, reply_problem, resource
from grantflow.applications import services
from grantflow.applications.drafts import BudgetLineInput, DraftInput, OutcomeInput
from grantflow.applications.models import DRAFT, Application
from grantflow.applications.policy import scope_applications, sees_identity
from grantflow.core import roles as R
from grantflow.core.db import db
from grantflow.core.errors import problem
from grantflow.core.policy import authorize, get_or_404
from grantflow.programs.models import Program
from grantflow.programs.slugs import by_slug
from grantflow.reviews.blind import reviewer_view

blp = resource("api_applications", "Applications: list, read, and draft → submit, as on the application form.")

# The service's field names (the form's) -> the API's.
_FIELDS = {"amount_requested": "amount_requested_cents", "needs": "need_ids", "places": "place_ids"}
_ROW_PARTS = {"amount": "amount_cents"}


def api_field(key: str) -> str:
    """`budget-0-amount` -> `budget.0.amount_cents`, `q_why` -> `answers.why`."""
    if key.startswith("q_"):
        return f"answers.{key[2:]}"
    kind, _, rest = key.partition("-")
    if rest:
        index, _, part = rest.partition("-")
        return f"{kind}.{index}.{_ROW_PARTS.get(part, part)}"
    return _FIELDS.get(key, key)


def api_problems(problems) -> dict[str, str]:
    return {api_field(k): v for k, v in problems.items()}


def _ref(org) -> dict | None:
    return None if org is None else {"id": org.id, "name": org.name}


def application_data(application: Application) -> dict:
    """What the user may see of it: a reviewer in blind review gets the masked reviewer's view."""
    blind = not sees_identity(current_user, application)
    base = {"id": application.id, "program": application.program.slug, "status": application.status,
            "blind": blind, "need_ids": [n.id for n in application.needs], "place_ids": [p.id for p in application.places],
            "amount_requested_cents": application.amount_requested_cents, "created_at": application.created_at,
            "submitted_at": application.submitted_at}
    if blind:
        view = reviewer_view(application, blind=True)
        return base | {"organization": None, "on_behalf_of": None, "title": view.title, "summary": view.summary or "",
                       "community_voice": view.community_voice or "",
                       "budget": [{"category": c, "description": d, "amount_cents": a} for c, d, a in view.budget],
                       "outcomes": [{"metric": m, "target": t} for m, t in view.outcomes]}
    return base | {
        "organization": _ref(application.organization), "on_behalf_of": _ref(application.on_behalf_of),
        "title": application.title or "", "summary": application.summary or "",
        "community_voice": application.community_voice or "",
        "budget": [{"category": b.category, "description": b.description, "amount_cents": b.amount_cents}
                   for b in application.budget_lines],
        "outcomes": [{"metric": str(o.get("metric", "")), "target": str(o.get("target", ""))}
                     for o in application.outcomes or [] if isinstance(o, dict)]}


# --- reading --------------------------------------------------------------------------------------------

def of_program(stmt, args: dict):
    """``stmt``'s applications of the program ``args["program"]`` names (none for an unknown
    slug), or all of them without it."""
    if "program" not in args:
        return stmt
    program = by_slug(args["program"])
    return stmt.where(Application.program_id == (program.id if program else -1))


def declaration_owed(stmt):
    """``stmt`` without the applications a reviewer reaches only by assignment in a blind program
    whose conflict declaration they still owe: the web sends them to the declaration before any
    application of it (grantflow/blind/views.py, `reviewer_gate`), and so does the API."""
    from grantflow.blind.declarations import needs_declaration
    from grantflow.reviews.models import ASSIGNED, ReviewAssignment

    blind = db.session.execute(
        select(Program).join(Application, Application.program_id == Program.id)
        .join(ReviewAssignment, ReviewAssignment.application_id == Application.id)
        .where(ReviewAssignment.reviewer_id == current_user.id, ReviewAssignment.status == ASSIGNED,
               Program.blind_review.is_(True)).distinct()).scalars()
    owed = [p.id for p in blind if needs_declaration(p, current_user)]
    if not owed:
        return stmt
    return stmt.where(~Application.program_id.in_(owed)
                      | Application.organization_id.in_(applicant_org_ids(current_user) or {-1})
                      | Program.funder_id.in_(staff_funder_ids(current_user) or {-1}))


def readable(application: Application) -> Application:
    """``application``, or 403 while its reader owes the blind program's conflict declaration."""
    from grantflow.blind.declarations import needs_declaration

    if not sees_identity(current_user, application) and needs_declaration(application.program, current_user):
        raise problem(403, "Declare your conflicts of interest for this program first, on its page "
                           f"{url_for('blind.declare', program=application.program, _external=True)}.")
    return application


@blp.route("/applications")
@blp.arguments(ApplicationFilterSchema, location="query")
@blp.response(200, ApplicationPageSchema)
@errors(blp, 422)
def list_applications(args):
    """The applications you may see (your organization's, assigned to you, or your funder's), oldest
    first; in a blind program, a reviewer's only once they have declared their conflicts."""
    stmt = declaration_owed(of_program(scope_applications(current_user), args))
    if "status" in args:
        stmt = stmt.where(Application.status == args["status"])
    rows, next_cursor = page(stmt, Application.id, args)
    return {"items": [application_data(a) for a in rows], "next_cursor": next_cursor}


@blp.route("/applications/<int:app_id>")
@blp.response(200, ApplicationSchema)
@errors(blp)
def get_application(app_id: int):
    return application_data(readable(get_or_404(Application, app_id, "application.view")))


@blp.route("/applications/<int:app_id>/answers")
@blp.response(200, DraftAnswersSchema)
@errors(blp)
def get_answers(app_id: int):
    """A draft's answers by question key, and what a submission still needs (by field)."""
    application = get_or_404(Application, app_id, "application.edit")
    problems = services.submission_problems(application) if application.status == DRAFT else {}
    return {"answers": services.stored_answers(application), "problems": api_problems(problems)}


# --- writing ------------------------------------------------------------------------------------------

def draft_input(application: Application, given: dict) -> DraftInput:
    """What is stored, with the fields the client gave replacing theirs."""
    stored = services.stored_input(application)
    changes = {k: given[k] for k in ("title", "summary", "community_voice", "amount_requested_cents") if k in given}
    if "need_ids" in given:
        changes["need_ids"] = tuple(given["need_ids"])
    if "place_ids" in given:
        changes["place_ids"] = tuple(given["place_ids"])
    if "budget" in given:
        changes["budget"] = tuple(BudgetLineInput(b["category"], b["description"], b["amount_cents"]) for b in given["budget"])
    if "outcomes" in given:
        changes["outcomes"] = tuple(OutcomeInput(o["metric"], o["target"]) for o in given["outcomes"])
    if "answers" in given:
        known = {q.key for q in application.program.questions if q.kind != "file"}
        unknown = sorted(set(given["answers"]) - known)
        if unknown:
            raise problem(422, "The program has no such question.", {f"answers.{k}": "No question has this key." for k in unknown})
        changes["answers"] = dict(stored.answers) | dict(given["answers"])
    return dataclasses.replace(stored, **changes)


def _save(application: Application, given: dict):
    """Saves the given fields; None when all were stored, else the 422 to return (what passed is kept)."""
    if not services.claim_draft(application):
        return reply_problem(409, "This application is no longer a draft.")
    data = draft_input(application, given)
    saved = services.save_draft(application, data, current_user)
    if saved.problems:
        return reply_problem(422, "Some fields were not saved (they keep their stored value); the others were.",
                             api_problems(saved.problems))
    return None


def _option(program: Program, organization_id: int | None, member_id: int | None):
    from grantflow.applications.views import apply_options

    options = apply_options(program, current_user)
    if organization_id is None and len({o.organization.id for o in options}) == 1:
        organization_id = options[0].organization.id
    if organization_id is None:
        raise problem(422, "Say which organization applies.", {"organization_id": "Choose the organization you apply for."})
    option = next((o for o in options if o.organization.id == organization_id
                   and (o.on_behalf_of.id if o.on_behalf_of else None) == member_id), None)
    if option is None:
        if member_id is not None and any(o.organization.id == organization_id for o in options):
            raise problem(422, "You may not apply for this organization.", {
                "on_behalf_of_id": "This organization is not a member that accepted your network as its intermediary."})
        raise problem(422, "You may not apply for this organization.",
                      {"organization_id": "You are not applicant staff of this organization."})
    if option.failures:
        raise problem(422, f"{option.applicant.name} does not meet this program's eligibility rules.",
                      {"on_behalf_of_id" if member_id else "organization_id": " ".join(str(x) for x in option.failures)})
    return option


@blp.route("/applications", methods=["POST"])
@blp.arguments(NewApplicationSchema)
@blp.response(201, SaveResultSchema)
@errors(blp, 400, 409, 422)
def create_application(given):
    """Starts a draft (for your organization, or for a network's member that authorized it) and
    saves the fields given."""
    program = by_slug(given.pop("program"))
    if program is None:
        raise problem(422, "There is no such program.", {"program": "No program has this slug."})
    authorize("program.view_public", program)
    if not current_user.has_role(R.APPLICANT):
        raise problem(403, "Only staff of a community-based organization can apply.")
    if not editor_org_ids(current_user):
        raise problem(403, "Your role on your organization's team is viewer: only its admins and editors apply.")
    option = _option(program, given.pop("organization_id"), given.pop("on_behalf_of_id"))
    if option.draft is not None:
        raise problem(409, f"A draft for this program exists: {url_for('api_applications.get_application', app_id=option.draft.id)}")
    reason = services.not_open_reason(program)
    if reason:
        raise problem(422, reason, {"program": reason})
    application = services.start(program, option.organization, current_user, option.on_behalf_of)
    refused = _save(application, given) if given else None
    if refused is not None:
        return refused
    return {"application": application_data(application), "problems": {}}, 201


@blp.route("/applications/<int:app_id>", methods=["PATCH"])
@blp.arguments(DraftSchema)
@blp.response(200, SaveResultSchema)
@errors(blp, 400, 409, 422)
def update_application(given, app_id: int):
    """Saves the fields given; a field that fails its check is named, and the others are saved."""
    application = get_or_404(Application, app_id, "application.edit")
    if application.status != DRAFT:
        raise problem(409, "This application is no longer a draft, so it cannot be changed.")
    refused = _save(application, given)
    if refused is not None:
        return refused
    return {"application": application_data(application), "problems": {}}


@blp.route("/applications/<int:app_id>/submit", methods=["POST"])
@blp.arguments(SubmitSchema, required=False)
@blp.response(200, ApplicationSchema)
@errors(blp, 400, 409, 422)
def submit_application(given, app_id: int):
    """Saves the fields given, then submits the draft if it is complete (else every field it
    still needs is named; what was given stays saved)."""
    application = get_or_404(Application, app_id, "application.edit")
    if application.status != DRAFT:
        raise problem(409, "This application was already submitted or withdrawn.")
    if given:
        refused = _save(application, given)
        if refused is not None:
            return refused
    try:
        submitted = services.submit(application, current_user)
    except services.Incomplete as exc:
        return reply_problem(422, "The draft is saved, but it cannot be submitted yet.", api_problems(exc.problems))
    except services.NotOpen as exc:
        return reply_problem(422, str(exc), {"program": str(exc)})
    if not submitted:
        return reply_problem(409, "This application was already submitted.")
    return application_data(application)
