"""The one place that decides who may do what.

Views call `authorize(action, obj)` (404 when the object is not the user's to see, 403 when it is
visible but the action is not allowed) or `role_required(...)`; templates ask `can(action, obj)`
only to hide buttons, never to protect data. Each action maps to a predicate
`(user, obj) -> bool`; `scope_*` helpers give the queries that list only what a user may see.
"""
from __future__ import annotations

from functools import wraps
from typing import Any, Callable

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from grantflow.core import roles as R
from grantflow.core.db import db

Predicate = Callable[[Any, Any], bool]
_POLICIES: dict[str, Predicate] = {}
# Actions whose failure is told as 404 (the object's existence is itself private).
_HIDDEN_ON_DENY: set[str] = set()


def policy(action: str, *, hide: bool = True):
    def register(fn: Predicate) -> Predicate:
        _POLICIES[action] = fn
        if hide:
            _HIDDEN_ON_DENY.add(action)
        return fn

    return register


def can(action: str, obj: Any = None, user: Any = None) -> bool:
    user = current_user if user is None else user
    if user is None or not user.is_authenticated:
        return False
    try:
        predicate = _POLICIES[action]
    except KeyError:
        raise LookupError(f"no policy for action {action!r}") from None
    return bool(predicate(user, obj))


def authorize(action: str, obj: Any = None) -> None:
    if not current_user.is_authenticated:
        abort(401)
    if not can(action, obj):
        abort(404 if action in _HIDDEN_ON_DENY else 403)


def get_or_404(model, ident: Any, action: str):
    """Loads one object and authorizes `action` on it; a foreign object is a 404, never data."""
    obj = db.session.get(model, ident)
    if obj is None:
        abort(404)
    authorize(action, obj)
    return obj


def role_required(*roles: str):
    """For pages of a role rather than of one object (dashboards, lists scoped by the user)."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                abort(401)
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


# --- facts about a user ------------------------------------------------------------------------

def funder_roles(user, funder_id: int) -> set[str]:
    return user.roles_in(funder_id)


def is_funder_staff(user, funder_id: int) -> bool:
    return bool(funder_roles(user, funder_id) & set(R.FUNDER_STAFF))


def applicant_org_ids(user) -> set[int]:
    return {m.organization_id for m in user.memberships if m.role == R.APPLICANT}


def staff_funder_ids(user) -> set[int]:
    return {m.organization_id for m in user.memberships if m.role in R.FUNDER_STAFF}


def is_applicant_of(user, application) -> bool:
    orgs = applicant_org_ids(user)
    return application.organization_id in orgs


def active_assignment(user, application):
    from grantflow.reviews.models import ASSIGNED, ReviewAssignment

    return db.session.execute(
        select(ReviewAssignment).where(
            ReviewAssignment.application_id == application.id,
            ReviewAssignment.reviewer_id == user.id,
            ReviewAssignment.status == ASSIGNED,
        )
    ).scalar_one_or_none()


# --- organizations -------------------------------------------------------------------------------

@policy("organization.view")
def _org_view(user, org) -> bool:
    return bool(user.roles_in(org.id)) or (
        org.kind != "funder" and bool(staff_funder_ids(user))
        and _org_applied_to_any(org.id, staff_funder_ids(user))
    ) or network_sees_member(user, org)


def _org_applied_to_any(org_id: int, funder_ids: set[int]) -> bool:
    from grantflow.applications.models import Application
    from grantflow.programs.models import Program

    return db.session.execute(
        select(Application.id).join(Program).where(
            Application.organization_id == org_id, Program.funder_id.in_(funder_ids)
        ).limit(1)
    ).first() is not None


@policy("organization.edit")
def _org_edit(user, org) -> bool:
    return R.APPLICANT in user.roles_in(org.id) or R.FUNDER_ADMIN in user.roles_in(org.id)


@policy("funder.admin")
def _funder_admin(user, funder) -> bool:
    return R.FUNDER_ADMIN in user.roles_in(funder.id)


@policy("funder.staff")
def _funder_staff(user, funder) -> bool:
    return is_funder_staff(user, funder.id)


@policy("funder.advise")
def _funder_advise(user, funder) -> bool:
    return bool(user.roles_in(funder.id) & {R.COMMUNITY_ADVISOR, R.FUNDER_ADMIN, R.PROGRAM_OFFICER})


# --- programs ------------------------------------------------------------------------------------

@policy("program.create", hide=False)
def _program_create(user, _obj) -> bool:
    return bool(staff_funder_ids(user))


@policy("program.manage")
def _program_manage(user, program) -> bool:
    return is_funder_staff(user, program.funder_id)


@policy("program.view_public", hide=True)
def _program_view_public(user, program) -> bool:
    return program.status != "draft" or is_funder_staff(user, program.funder_id)


@policy("program.read_feedback_page")
def _program_feedback_page(user, program) -> bool:
    """"You said, we did": the funder's people and anyone who applied to the program."""
    if user.roles_in(program.funder_id):
        return True
    from grantflow.applications.models import Application

    orgs = applicant_org_ids(user)
    return bool(orgs) and db.session.execute(
        select(Application.id).where(Application.program_id == program.id,
                                     Application.organization_id.in_(orgs)).limit(1)
    ).first() is not None


# --- networks: a network acts for a member only while the member's consent holds --------------------

def is_accepted_member(network_id: int, member_id: int) -> bool:
    from grantflow.organizations.models import ACCEPTED, NetworkMembership

    return db.session.execute(
        select(NetworkMembership.status).where(NetworkMembership.network_id == network_id,
                                               NetworkMembership.member_id == member_id)
    ).scalar_one_or_none() == ACCEPTED


def network_sees_member(user, org) -> bool:
    """A network's people see a member's profile once the member accepted (an invitation is not enough)."""
    from grantflow.organizations.models import ACCEPTED, NetworkMembership

    networks = applicant_org_ids(user)
    return bool(networks) and db.session.execute(
        select(NetworkMembership.network_id).where(NetworkMembership.member_id == org.id,
                                                   NetworkMembership.network_id.in_(networks),
                                                   NetworkMembership.status == ACCEPTED).limit(1)
    ).first() is not None


def members_to_act_for(user, network) -> list:
    """The organizations `user` may apply for on behalf of `network`: its accepted members, for
    the network's own applicants only."""
    if network.kind != "network" or R.APPLICANT not in user.roles_in(network.id):
        return []
    return list(network.members)


# --- applications --------------------------------------------------------------------------------

@policy("application.view")
def _application_view(user, application) -> bool:
    return (
        is_applicant_of(user, application)
        or is_funder_staff(user, application.program.funder_id)
        or active_assignment(user, application) is not None
    )


@policy("application.edit")
def _application_edit(user, application) -> bool:
    return is_applicant_of(user, application) and (
        application.on_behalf_of_id is None
        or is_accepted_member(application.organization_id, application.on_behalf_of_id))


@policy("application.review")
def _application_review(user, application) -> bool:
    return active_assignment(user, application) is not None


@policy("application.decide")
def _application_decide(user, application) -> bool:
    return is_funder_staff(user, application.program.funder_id)


def sees_identity(user, application) -> bool:
    """Blind review hides identity from reviewers only; applicants and funder staff see it all."""
    if not application.program.blind_review:
        return True
    return is_applicant_of(user, application) or is_funder_staff(user, application.program.funder_id)


# --- reviews and decisions (issue 4) ---------------------------------------------------------------

@policy("program.assign_reviewers")
def _program_assign_reviewers(user, program) -> bool:
    return is_funder_staff(user, program.funder_id)


@policy("program.decide")
def _program_decide(user, program) -> bool:
    """The ranking board, decisions and their release: the funder's admins and program officers."""
    return is_funder_staff(user, program.funder_id)


@policy("application.assign_reviewers")
def _application_assign_reviewers(user, application) -> bool:
    return is_funder_staff(user, application.program.funder_id)


# --- scoring (issue 5) -----------------------------------------------------------------------------

@policy("program.configure_scoring")
def _program_configure_scoring(user, program) -> bool:
    """Scoring rules, rescoring, rankings, run comparisons and the what-if sandbox: funder staff."""
    return is_funder_staff(user, program.funder_id)


@policy("application.view_score")
def _application_view_score(user, application) -> bool:
    """The full breakdown with evidence: the funder's admins and program officers."""
    return is_funder_staff(user, application.program.funder_id)


@policy("application.view_own_score")
def _application_view_own_score(user, application) -> bool:
    """Applicants see their plain-language breakdown once decisions are released, if the program shares it."""
    if not is_applicant_of(user, application) or not application.program.share_rule_explanations:
        return False
    from grantflow.decisions.services import is_released

    return is_released(application.program)


# --- scoped queries ------------------------------------------------------------------------------

def scope_applications(user):
    """A select of the applications `user` may see: own organization's, assigned, or funder's."""
    from grantflow.applications.models import Application
    from grantflow.programs.models import Program
    from grantflow.reviews.models import ASSIGNED, ReviewAssignment

    assigned = select(ReviewAssignment.application_id).where(
        ReviewAssignment.reviewer_id == user.id, ReviewAssignment.status == ASSIGNED
    )
    return (
        select(Application)
        .join(Program, Program.id == Application.program_id)
        .where(
            Application.organization_id.in_(applicant_org_ids(user) or {-1})
            | Program.funder_id.in_(staff_funder_ids(user) or {-1})
            | Application.id.in_(assigned)
        )
    )


# --- feedback (issue 6) ----------------------------------------------------------------------------

@policy("application.read_feedback")
def _application_read_feedback(user, application) -> bool:
    """The applicant; funder staff may preview what the applicant sees. Never reviewers."""
    return is_applicant_of(user, application) or is_funder_staff(user, application.program.funder_id)


@policy("application.answer_survey")
def _application_answer_survey(user, application) -> bool:
    return is_applicant_of(user, application)


@policy("report.file")
def _report_file(user, report) -> bool:
    from grantflow.applications.models import Application

    application = db.session.get(Application, report.application_id)
    return application is not None and is_applicant_of(user, application)


@policy("funder.rank_priorities")
def _funder_rank_priorities(user, funder) -> bool:
    return R.COMMUNITY_ADVISOR in user.roles_in(funder.id)


# --- equity audit (issue 8) ------------------------------------------------------------------------

@policy("program.audit")
def _program_audit(user, program) -> bool:
    """The audit shows group-level outcomes of every applicant: program officers and admins of the
    program's funder only (reviewers and community advisors see none of it)."""
    return is_funder_staff(user, program.funder_id)
