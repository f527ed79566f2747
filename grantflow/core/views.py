"""The dashboard: every signed-in user's landing page, one section per area that serves their roles.

Core knows no area: an area adds its section with `@dashboard_section(template, *roles, order=N)`
on a function `(user) -> dict` giving what its template shows as `section`; it is called only for
users holding one of `roles`, and sections appear by `order`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from flask import Blueprint, render_template
from flask_login import current_user, login_required

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
