"""The Alembic migrations and the models agree: after `upgrade`, autogenerate finds no difference."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from grantflow.core.db import db
from tests.conftest import make_app


def _diff_after_upgrade(app):
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(ctx, db.metadata)
        db.engine.dispose()
    return diff


def test_migrations_match_models_on_sqlite(tmp_path):
    app = make_app(tmp_path)
    assert _diff_after_upgrade(app) == []


def test_migrations_match_models_on_postgresql(tmp_path, empty_pg_url):
    app = make_app(tmp_path, empty_pg_url)
    assert _diff_after_upgrade(app) == []


def test_downgrade_to_base_and_up_again(tmp_path):
    app = make_app(tmp_path)
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        from sqlalchemy import inspect

        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        assert "applications" in inspect(db.engine).get_table_names()
        db.engine.dispose()
