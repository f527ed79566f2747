"""GrantFlow: an equity-centered grantmaking workflow."""
from __future__ import annotations

import copy
import importlib
import importlib.util
import os
from pathlib import Path

import pluggy
from flask import Flask

from grantflow.core.urls import LazyBuilderRule

hookimpl = pluggy.HookimplMarker("grantflow")

ROOT = Path(__file__).resolve().parent.parent

# The areas, in order. Each is a package `grantflow.<area>` holding what it has of: `views` (its
# blueprint `bp`), `policy` (its authorization rules), `commands` (its CLI, a `COMMANDS` tuple) and
# `tasks` (its queue jobs). create_app loads them from this list; nothing else lists the areas.
AREAS = (
    "core",
    "accounts",
    "organizations",
    "programs",
    "chna",
    "applications",
    "reviews",
    "blind",
    "scoring",
    "decisions",
    "letters",
    "feedback",
    "awards",
    "equity",
    "api",
    "webhooks",
    "demo",
)
# The parts of an area that register themselves on import (rules and queue jobs), then the parts
# create_app registers.
AREA_PARTS = ("policy", "tasks", "views", "commands")


class GrantFlowApp(Flask):
    """Flask with the unit of work (grantflow/core/uow.py): a request's changes are committed when
    its view returns and rolled back when it raises, whatever the status code; a request that writes
    (not GET/HEAD/OPTIONS) says so before anything runs, even URL matching (which loads programs),
    so that on SQLite its transaction takes the write lock first (grantflow/core/db.py). Its id
    (grantflow/core/logs.py) is set as early, for every line it logs."""

    url_rule_class = LazyBuilderRule  # url_for's builders compiled when first used, not at start-up

    def wsgi_app(self, environ, start_response):
        from grantflow.core import logs
        from grantflow.core.db import reset_write_intent, set_write_intent

        token = set_write_intent(environ.get("REQUEST_METHOD", "GET") not in ("GET", "HEAD", "OPTIONS"))
        request_token = logs.begin_request(environ)
        try:
            return super().wsgi_app(environ, start_response)
        finally:
            logs.end_request(request_token)
            reset_write_intent(token)

    def dispatch_request(self):
        from grantflow.core import uow

        rv = super().dispatch_request()
        uow.finish_request()
        return rv

    def handle_user_exception(self, e):
        from grantflow.core import uow

        uow.abandon_request()
        return super().handle_user_exception(e)

    def handle_exception(self, e):
        from grantflow.core import uow

        uow.abandon_request()
        return super().handle_exception(e)


def _area_part(area: str, part: str):
    """The module `grantflow.<area>.<part>`, or None when the area has no such part."""
    name = f"grantflow.{area}.{part}"
    return importlib.import_module(name) if importlib.util.find_spec(name) is not None else None


def register_areas(app: Flask) -> None:
    for area in AREAS:
        parts = {part: _area_part(area, part) for part in AREA_PARTS}
        if parts["views"] is not None:
            app.register_blueprint(parts["views"].bp)
        for command in getattr(parts["commands"], "COMMANDS", ()):
            app.cli.add_command(command)


def create_app(test_config: dict | None = None) -> Flask:
    instance_path = ((test_config or {}).get("INSTANCE_PATH")
                     or os.environ.get("GRANTFLOW_INSTANCE_PATH") or str(ROOT / "instance"))
    app = GrantFlowApp(
        __name__,
        instance_path=instance_path,
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder="static",
    )
    from grantflow import config as cfg

    app.config.update(copy.deepcopy(cfg.DEFAULTS))
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        cfg.apply_environment(app.config)
    else:
        cfg.apply_environment(app.config)
        app.config.update(test_config)
    # Nothing GrantFlow writes is readable by the machine's other users, whatever the umask of the
    # shell that started it (SQLite creates -wal and -shm with the database's mode).
    os.umask(app.config["UMASK"])
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    cfg.ensure_secret_key(app.config, app.instance_path)
    app.config["SQLALCHEMY_DATABASE_URI"] = cfg.database_uri(app.config, app.instance_path)
    cfg.apply_shared(app.config)

    from grantflow.core import auth, errors, headers, i18n, inputs, logfilter, logs, templating, uow

    if not app.debug and not app.testing:
        logs.configure(app.config["LOG_FORMAT"])
    if app.config["PROXY_COUNT"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = int(app.config["PROXY_COUNT"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    from grantflow.core.db import db
    from grantflow.core.extensions import csrf, limiter, login_manager, migrate
    from grantflow import models  # noqa: F401  (register every table)

    inputs.init_app(app)  # before any route is added: the converters apply to every rule
    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).parent / "migrations"),
                     render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    auth.init_app(app)
    uow.init_app(app)
    errors.init_app(app)
    headers.init_app(app)
    logs.init_app(app)
    i18n.init_app(app)
    templating.init_app(app)

    from grantflow.plugins import init_app as init_plugins

    init_plugins(app)

    from grantflow.programs.slugs import init_app as init_program_urls

    init_program_urls(app)  # the `<program:...>` URL converter, before the routes that use it
    register_areas(app)
    logfilter.init_app(app)  # after every route: it learns the `<token>` routes from the URL map
    return app
