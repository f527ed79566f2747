"""The dashboard: every signed-in user's landing page, one section per area that serves their roles;
and the two health checks a load balancer polls (grantflow/core/health.py).

Core knows no area: an area adds its section with `@dashboard_section(template, *roles, order=N)`
on a function `(user) -> dict` giving what its template shows as `section`; it is called only for
users holding one of `roles`, and sections appear by `order`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from flask import Blueprint, current_app, jsonify, render_template
from flask_login import current_user, login_required

from grantflow.core import health

bp = Blueprint("core", __name__, cli_group=None)


@dataclass(frozen=True)
class DashboardSection:
    template: str
    roles: tuple[str, ...]
    order: int
    load: Callable[[Any], dict]


_SECTIONS: list[DashboardSection] = []


def dashboard_section(template: str, *roles: str, order: int):
    def register(fn: Callable[[Any], dict]) -> Callable[[Any], dict]:
        _SECTIONS.append(DashboardSection(template, roles, order, fn))
        _SECTIONS.sort(key=lambda s: s.order)
        return fn

    return register


@bp.route("/dashboard")
@login_required
def dashboard():
    user = current_user
    sections = [(s.template, s.load(user)) for s in _SECTIONS if user.has_role(*s.roles)]
    return render_template("core/dashboard.html", sections=sections)


def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/healthz")
def healthz():
    """Liveness: the process answers (no database, no login)."""
    return _no_store(jsonify(status="ok"))


@bp.route("/readyz")
def readyz():
    """Readiness: 200 when every check passes, else 503 with the checks that failed."""
    body, ready = health.readiness(current_app._get_current_object())
    return _no_store(jsonify(body)), 200 if ready else 503
