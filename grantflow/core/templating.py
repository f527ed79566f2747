"""Template filters and globals shared by every page."""
from __future__ import annotations

from flask import Flask
from flask_login import current_user

from forms.base import error_links

from grantflow.core import policy, roles
from grantflow.core.translations import localized
from grantflow.core.i18n import format_when
from grantflow.core.money import format_money
from grantflow.core.timeutil import to_local


def init_app(app: Flask) -> None:
    app.jinja_env.filters["money"] = format_money
    app.jinja_env.globals["error_links"] = error_links

    @app.template_filter("localtime")
    def localtime(value, tz: str = "UTC", kind: str = "datetime"):
        """A stored UTC time in the program's zone, worded in the page's language (kind "datetime"
        or "date")."""
        return format_when(to_local(value, tz), kind)

    @app.template_filter("day")
    def day(value, kind: str = "long_date"):
        """A calendar date (a due date) in the page's language."""
        return format_when(value, kind)

    @app.context_processor
    def inject():
        return {"can": policy.can, "ROLE_LABELS": roles.LABELS, "TEAM_LABELS": roles.TEAM_LABELS,
                "current_user": current_user, "localized": localized}
