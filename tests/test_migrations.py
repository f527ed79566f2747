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


def _memberships_made_before_consent_become_invitations(app):
    from sqlalchemy import text

    from grantflow.organizations.models import NetworkMembership

    with app.app_context():
        upgrade(revision="8f1a272efb94")  # the revision before consent
        with db.engine.begin() as conn:
            for oid, kind in ((1, "network"), (2, "cbo")):
                conn.execute(text("INSERT INTO organizations (id, kind, slug, name, tax_exempt, service_area, "
                                  "created_at, updated_at) VALUES (:id, :kind, :slug, :slug, false, '[]', "
                                  "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"), {"id": oid, "kind": kind, "slug": f"o{oid}"})
            conn.execute(text("INSERT INTO network_members (network_id, member_id) VALUES (1, 2)"))
        upgrade()
        m = db.session.execute(db.select(NetworkMembership)).scalar_one()
        assert (m.network_id, m.member_id, m.status) == (1, 2, "invited")
        assert m.invited_at.tzinfo is not None and m.answered_at is None
        db.session.remove()
        db.engine.dispose()


def test_memberships_made_before_consent_become_invitations(tmp_path):
    _memberships_made_before_consent_become_invitations(make_app(tmp_path))


def test_memberships_made_before_consent_become_invitations_on_postgresql(tmp_path, empty_pg_url):
    _memberships_made_before_consent_become_invitations(make_app(tmp_path, empty_pg_url))
