"""Creating, editing, publishing and closing funding programs.

Views turn `ProgramError`/`PublishError` into messages; nothing here commits (the request does).
"""
from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from grantflow.core import auditlog
from grantflow.core import roles as R
from grantflow.core.db import db, utcnow
from grantflow.core.text import unique_slug
from grantflow.organizations.models import FUNDER, Organization
from grantflow.programs.models import CLOSED, DRAFT, PUBLISHED, Program, Rubric

# The attributes a funder sets on the program form (audit "before/after" uses them too).
EDITABLE = (
    "title", "description", "timezone", "budget_cents", "min_award_cents", "max_award_cents",
    "opens_at", "closes_at", "review_ends_at", "decisions_release_at", "grant_start", "grant_end",
    "contact_name", "contact_email", "require_tax_exempt_or_sponsor", "max_applicant_budget_cents",
    "require_service_area_in_region", "blind_review", "reviewers_see_others", "reviewers_per_application",
    "normalize_scores", "share_rule_explanations",
)


RESERVED_SLUGS = {"new"}


class PublishError(Exception):
    """The program is not complete enough to publish; `problems` says what is missing, each in words."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def snapshot(program: Program) -> dict[str, Any]:
    """A JSON-ready copy of the editable fields, for the audit trail."""
    out = {}
    for name in EDITABLE + ("status",):
        value = getattr(program, name)
        out[name] = value.isoformat() if hasattr(value, "isoformat") else value
    return out


def staff_funders(user) -> list[Organization]:
    """The funders whose programs this user may configure."""
    ids = [m.organization_id for m in user.memberships if m.role in R.FUNDER_STAFF]
    if not ids:
        return []
    return list(db.session.execute(
        select(Organization).where(Organization.id.in_(ids), Organization.kind == FUNDER).order_by(Organization.name)
    ).scalars())


def create_program(funder: Organization, values: dict[str, Any]) -> Program:
    """A new draft program with an empty first rubric version."""
    slug = unique_slug(Program, values["title"])
    if slug in RESERVED_SLUGS:  # /programs/new is the form, not a program
        slug = unique_slug(Program, values["title"] + " program")
    program = Program(funder=funder, status=DRAFT, slug=slug)
    for name in EDITABLE:
        if name in values:
            setattr(program, name, values[name])
    program.rubrics.append(Rubric(version=1))
    db.session.add(program)
    db.session.flush()
    auditlog.record("program.create", program, after=snapshot(program))
    return program


def update_program(program: Program, values: dict[str, Any]) -> Program:
    before = snapshot(program)
    for name in EDITABLE:
        if name in values:
            setattr(program, name, values[name])
    db.session.flush()
    after = snapshot(program)
    changed = {k for k in after if before.get(k) != after.get(k)}
    if changed:
        auditlog.record("program.update", program, before={k: before[k] for k in changed},
                        after={k: after[k] for k in changed})
    return program


def publish_problems(program: Program) -> list[str]:
    """Everything that keeps the program from being published (empty when it is complete)."""
    problems = []
    if not (program.title or "").strip():
        problems.append(_("Give the program a title."))
    if not (program.description or "").strip():
        problems.append(_("Describe the program for applicants."))
    if not program.budget_cents or program.budget_cents <= 0:
        problems.append(_("Set the program's total budget."))
    if not program.max_award_cents or program.max_award_cents <= 0:
        problems.append(_("Set the maximum award."))
    elif program.min_award_cents > program.max_award_cents:
        problems.append(_("The minimum award is larger than the maximum award."))
    elif program.budget_cents and program.max_award_cents > program.budget_cents:
        problems.append(_("The maximum award is larger than the total budget."))
    if program.opens_at is None or program.closes_at is None:
        problems.append(_("Set the date and time applications open and close."))
    # What the program does on each date, to fill "the date the program ..." in the page's language.
    order = [(_("opens"), program.opens_at), (_("closes"), program.closes_at),
             (_("ends review"), program.review_ends_at), (_("releases decisions"), program.decisions_release_at)]
    known = [(label, value) for label, value in order if value is not None]
    for (a_label, a), (b_label, b) in zip(known, known[1:]):
        if not a < b:
            problems.append(_("The date the program %(later)s must come after the date it %(earlier)s.",
                                later=b_label, earlier=a_label))
    if program.grant_start and program.grant_end and program.grant_end <= program.grant_start:
        problems.append(_("The grant period must end after it starts."))
    rubric = program.current_rubric
    if rubric is None or not rubric.criteria:
        problems.append(_("Add at least one criterion to the rubric."))
    elif rubric.total_weight <= 0:
        problems.append(_("Give at least one rubric criterion a weight above zero."))
    if not (program.contact_name or program.contact_email):
        problems.append(_("Name a contact person for applicants."))
    if program.status == CLOSED and (program.closes_at is None or program.closes_at <= utcnow()):
        problems.append(_("To reopen a closed program, first set a close date in the future."))
    return problems


def publish(program: Program) -> Program:
    if program.status == PUBLISHED:
        return program
    problems = publish_problems(program)
    if problems:
        raise PublishError(problems)
    before = program.status
    program.status = PUBLISHED
    auditlog.record("program.publish", program, before={"status": before}, after={"status": PUBLISHED})
    return program


def close(program: Program) -> Program:
    """Closes a published program to new applications now (an earlier close time is kept)."""
    if program.status == CLOSED:
        return program
    before = {"status": program.status, "closes_at": program.closes_at.isoformat() if program.closes_at else None}
    now = utcnow()
    program.status = CLOSED
    if program.closes_at is None or program.closes_at > now:
        program.closes_at = now
    auditlog.record("program.close", program, before=before,
                    after={"status": CLOSED, "closes_at": program.closes_at.isoformat()})
    return program


def is_open(program: Program, now=None) -> bool:
    """Accepting applications right now (published, and between the open and close times)."""
    now = now or utcnow()
    return (program.status == PUBLISHED and (program.opens_at is None or program.opens_at <= now)
            and (program.closes_at is None or now < program.closes_at))
