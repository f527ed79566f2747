"""GrantFlow: an equity-centered grantmaking workflow."""
from __future__ import annotations

import importlib
import logging
import os
from pathlib import Path

import pluggy
from flask import Flask

hookimpl = pluggy.HookimplMarker("grantflow")

ROOT = Path(__file__).resolve().parent.parent

# One blueprint per domain area ("module:attribute"); each area keeps its views, services and
# CLI commands side by side.
BLUEPRINTS = (
    "grantflow.core.views:bp",
    "grantflow.accounts.views:bp",
    "grantflow.organizations.views:bp",
    "grantflow.programs.views:bp",
    "grantflow.chna.views:bp",
    "grantflow.applications.views:bp",
    "grantflow.reviews.views:bp",
    "grantflow.scoring.views:bp",
    "grantflow.decisions.views:bp",
    "grantflow.letters.views:bp",
    "grantflow.feedback.views:bp",
    "grantflow.equity.views:bp",
)


def _load(spec: str):
    module, attr = spec.split(":")
    return getattr(importlib.import_module(module), attr)


def create_app(test_config: dict | None = None) -> Flask:
    instance_path = ((test_config or {}).get("INSTANCE_PATH")
                     or os.environ.get("GRANTFLOW_INSTANCE_PATH") or str(ROOT / "instance"))
    app = Flask(
        __name__,
        instance_path=instance_path,
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder="static",
    )
    from grantflow import config as cfg

    app.config.update(cfg.DEFAULTS)
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
    app.config.setdefault("UPLOAD_FOLDER", str(Path(app.instance_path) / "uploads"))
    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO)
        # Their INFO lines are per-step chatter, not events an operator acts on.
        for noisy in ("weasyprint", "fontTools", "alembic.runtime.plugins"):
            logging.getLogger(noisy).setLevel(logging.WARNING)

    from grantflow.core import auth, errors, headers, logfilter, templating
    from grantflow.core.db import db
    from grantflow.core.extensions import csrf, limiter, login_manager, migrate
    from grantflow import models  # noqa: F401  (register every table)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).parent / "migrations"),
                     render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    auth.init_app(app)
    errors.init_app(app)
    headers.init_app(app)
    templating.init_app(app)

    from grantflow.plugins import init_app as init_plugins

    init_plugins(app)

    for spec in BLUEPRINTS:
        app.register_blueprint(_load(spec))
    logfilter.init_app(app)

    from grantflow.core.commands import register_commands

    register_commands(app)
    return app
