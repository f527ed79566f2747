"""The policy registry: one way to decide who may do what, whatever the area.

Each area declares its rules in its own `policy.py`: `@policy("application.edit")` maps an action
to a predicate `(user, obj) -> bool` (create_app imports every area's policy module, so all rules
are known before the first request). Views call `authorize(action, obj)` (404 when the object is
not the user's to see, 403 when it is visible but the action is not allowed), `get_or_404(...)` or
`role_required(...)`; templates ask `can(action, obj)` only to hide buttons, never to protect data.
The areas' `scope_*` helpers give the queries that list only what a user may see.
"""
from __future__ import annotations

from functools import wraps
from typing import Any, Callable

from flask import abort
from flask_login import current_user

from grantflow.core.db import db

Predicate = Callable[[Any, Any], bool]
_POLICIES: dict[str, Predicate] = {}
# Actions whose failure is told as 404 (the object's existence is itself private).
_HIDDEN_ON_DENY: set[str] = set()


def policy(action: str, *, hide: bool = True):
    def register(fn: Predicate) -> Predicate:
        if action in _POLICIES:
            raise ValueError(f"two rules for {action!r}: {_POLICIES[action].__module__} and {fn.__module__}")
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
