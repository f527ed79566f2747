"""Template filters and globals shared by every page."""
from __future__ import annotations

from flask import Flask
from flask_login import current_user

from grantflow.core import policy, roles
from grantflow.core.money import format_money
from grantflow.core.timeutil import to_local


def init_app(app: Flask) -> None:
    app.jinja_env.filters["money"] = format_money

    @app.template_filter("localtime")
    def localtime(value, tz: str = "UTC", fmt: str = "%b %d, %Y %I:%M %p %Z"):
        local = to_local(value, tz)
        return "—" if local is None else local.strftime(fmt)

    @app.context_processor
    def inject():
        return {"can": policy.can, "ROLE_LABELS": roles.LABELS, "TEAM_LABELS": roles.TEAM_LABELS, "current_user": current_user}
