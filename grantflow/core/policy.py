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

from grantflow.accounts.policy import applicant_org_ids, is_funder_staff, staff_funder_ids  # noqa: E402
from grantflow.reviews.policy import active_assignment  # noqa: E402


def is_applicant_of(user, application) -> bool:
    orgs = applicant_org_ids(user)
    return application.organization_id in orgs


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
    return is_applicant_of(user, application)


def sees_identity(user, application) -> bool:
    """Blind review hides identity from reviewers only; applicants and funder staff see it all."""
    if not application.program.blind_review:
        return True
    return is_applicant_of(user, application) or is_funder_staff(user, application.program.funder_id)


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
