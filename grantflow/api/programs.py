"""Programs: what anyone sees of a published program, and in `staff` what its funder's staff see."""
from __future__ import annotations

from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from grantflow.accounts.policy import is_funder_staff, staff_funder_ids
from grantflow.api.schemas import ProgramListSchema, ProgramSchema
from grantflow.api.spec import errors, resource
from grantflow.core.db import db
from grantflow.core.policy import authorize
from grantflow.programs.models import DRAFT, Program

blp = resource("api_programs", "Grant programs: public fields for everyone, the rest for the funder's staff.")


def program_data(program: Program) -> dict:
    staff = None
    if is_funder_staff(current_user, program.funder_id):
        staff = {"status": program.status, "budget_cents": program.budget_cents, "blind_review": program.blind_review,
                 "reviewers_per_application": program.reviewers_per_application,
                 "review_ends_at": program.review_ends_at, "decisions_release_at": program.decisions_release_at}
    return {
        "slug": program.slug, "title": program.title, "description": program.description or "",
        "funder": program.funder.name, "timezone": program.timezone, "opens_at": program.opens_at,
        "closes_at": program.closes_at, "min_award_cents": program.min_award_cents,
        "max_award_cents": program.max_award_cents, "contact_name": program.contact_name,
        "contact_email": program.contact_email,
        "questions": [{"key": q.key, "label": q.label, "kind": q.kind, "required": q.required,
                       "help_text": q.help_text or "", "options": list(q.options or [])} for q in program.questions],
        "staff": staff,
    }


@blp.route("/programs")
@blp.response(200, ProgramListSchema)
@errors(blp)
def list_programs():
    """Programs you may see: every published or closed program, and your funder's drafts."""
    programs = db.session.execute(
        select(Program).where(Program.is_historical.is_(False),
                              or_(Program.status != DRAFT, Program.funder_id.in_(staff_funder_ids(current_user) or {-1})))
        .order_by(Program.id).options(selectinload(Program.questions), selectinload(Program.funder))).scalars()
    return {"items": [program_data(p) for p in programs]}


@blp.route("/programs/<program:program>")
@blp.response(200, ProgramSchema)
@errors(blp)
def get_program(program: Program):
    authorize("program.view_public", program)
    return program_data(program)
