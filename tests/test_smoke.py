import sqlite3

from sqlalchemy import select

from grantflow.core.db import db
from grantflow.organizations.models import Organization
from tests.conftest import make_app


def test_world_builds_on_both_backends(any_app):
    from tests.conftest import build_world

    w = build_world()
    names = {o.name for o in any_app.extensions["sqlalchemy"].session.execute(select(Organization)).scalars()}
    assert w.cbo.name in names


def _schema(path) -> list[tuple]:
    with sqlite3.connect(path) as conn:
        return sorted(conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master").fetchall())


def test_the_copied_sqlite_schema_is_the_one_create_all_makes(app, tmp_path):
    """Each SQLite test's database starts as a copy of one made once (tests/conftest.py): it holds
    every table, index and constraint `create_all` makes, and nothing else (no row)."""
    copied = db.engine.url.database
    fresh = make_app(tmp_path / "fresh")
    with fresh.app_context():
        db.create_all()
        made = db.engine.url.database
        db.engine.dispose()
    assert _schema(copied) == _schema(made)
    assert len(_schema(copied)) > 100
    with sqlite3.connect(copied) as conn:
        tables = [name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        assert sum(conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables) == 0
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
