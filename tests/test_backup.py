"""`grantflow backup` and `grantflow restore` on the demo: on SQLite with the local folder and on
PostgreSQL with S3, a restore into an empty database and storage has every table's rows and every
file, byte for byte; a restore onto data is refused."""
from __future__ import annotations

import hashlib
import io
import json
import uuid
from types import SimpleNamespace

import pytest
from sqlalchemy import inspect, select, text

from grantflow.core import files
from grantflow.core.db import db
from grantflow.core.storage import storage
from tests.conftest import make_app


def _counts() -> dict[str, int]:
    with db.engine.connect() as conn:
        quote = conn.dialect.identifier_preparer.quote
        return {t: conn.execute(text(f"SELECT count(*) FROM {quote(t)}")).scalar_one()
                for t in inspect(conn).get_table_names()}


def _digests(app) -> dict[str, str]:
    backend = storage(app)
    return {s.key: hashlib.sha256(backend.get(s.key)).hexdigest() for s in backend.list()}


def _add_files() -> None:
    """The demo's only file is its letterhead logo: add a few letters, an attachment and a wording
    logo, through their services."""
    from grantflow.applications import attachments
    from grantflow.applications.models import Application
    from grantflow.decisions.models import Decision
    from grantflow.letters import services
    from grantflow.letters.models import LetterTemplate
    from grantflow.letters.render import logo_key
    from tests.applications.files import csv_bytes, image

    for decision in db.session.execute(select(Decision).where(Decision.outcome.in_(["award", "decline"]))
                                       .order_by(Decision.id).limit(3)).scalars():
        services.issue(decision)
    application = db.session.execute(select(Application).order_by(Application.id).limit(1)).scalar_one()
    attachments.store(application, SimpleNamespace(filename="budget.csv", stream=io.BytesIO(csv_bytes())), user_id=None)
    files.write_new(logo_key("logo.png"), image("PNG"))
    db.session.add(LetterTemplate(program_id=application.program_id, kind="award", body="Dear {{ organization }}",
                                  logo_stored_name="logo.png"))
    db.session.commit()


@pytest.fixture(params=["sqlite+local", "postgresql+s3"])
def source_and_target(request, tmp_path):
    """Two apps on empty databases and storages: the demo's and the one to restore into."""
    if request.param == "sqlite+local":
        yield tuple(make_app(tmp_path / side) for side in ("source", "target"))
        return
    pg = request.getfixturevalue("pg_server")
    s3 = request.getfixturevalue("s3_server")
    from tests.conftest import _admin
    from tests.servers import s3_client

    names = ["b_" + uuid.uuid4().hex[:12] for _ in range(2)]
    apps = []
    for side, name in zip(("source", "target"), names):
        with _admin(pg) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        bucket = "gf-" + name.replace("_", "-")
        s3_client(s3).create_bucket(Bucket=bucket)
        apps.append(make_app(tmp_path / side, pg.url(name), STORAGE_URL=f"s3://{bucket}", S3_ENDPOINT_URL=s3))
    yield tuple(apps)
    for app in apps:
        with app.app_context():
            db.engine.dispose()
    for name in names:
        with _admin(pg) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def test_a_backup_of_the_demo_restores_every_row_and_every_file(source_and_target, tmp_path):
    source, target = source_and_target
    folder = tmp_path / "backup"
    with source.app_context():
        result = source.test_cli_runner().invoke(args=["demo", "--applications", "20"])
        assert result.exit_code == 0, result.output
        _add_files()
        counts, digests = _counts(), _digests(source)
        result = source.test_cli_runner().invoke(args=["backup", str(folder)])
        assert result.exit_code == 0, result.output
        db.engine.dispose()
    assert len(digests) == 6 and any(key.startswith("letterheads/") for key in digests)
    assert sum(counts.values()) > 1000 and counts["alembic_version"] == 1
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["database"]["tables"] == counts
    assert {k: v["sha256"] for k, v in manifest["files"].items()} == digests

    with target.app_context():
        assert _counts() == {} and _digests(target) == {}
        result = target.test_cli_runner().invoke(args=["restore", str(folder)])
        assert result.exit_code == 0, result.output
        assert f"Restored {len(counts)} tables" in result.output
        db.engine.dispose()
        assert _counts() == counts
        assert _digests(target) == digests
        # The restored app is ready (the migrations' revision came with the data) and serves it.
        assert target.test_client().get("/readyz").status_code == 200
        again = target.test_cli_runner().invoke(args=["restore", str(folder)])
        assert again.exit_code != 0 and "the database is not empty" in again.output
        db.engine.dispose()


def test_a_damaged_backup_and_a_storage_with_files_are_refused(tmp_path):
    source, target = make_app(tmp_path / "source"), make_app(tmp_path / "target")
    folder = tmp_path / "backup"
    with source.app_context():
        db.create_all()
        files.write_durable("attachments/one", b"one")
        assert source.test_cli_runner().invoke(args=["backup", str(folder)]).exit_code == 0
        refused = source.test_cli_runner().invoke(args=["backup", str(folder)])
        assert refused.exit_code != 0 and "is not empty: back up into a new folder" in refused.output
        db.engine.dispose()
    (folder / "files" / "attachments" / "one").write_bytes(b"two")
    with target.app_context():
        damaged = target.test_cli_runner().invoke(args=["restore", str(folder)])
        assert damaged.exit_code != 0 and "does not match its SHA-256" in damaged.output
        assert _counts() == {}  # checked before anything was written
        db.engine.dispose()
    other = make_app(tmp_path / "other")
    with other.app_context():
        files.write_durable("attachments/already-here", b"x")
        refused = other.test_cli_runner().invoke(args=["restore", str(folder)])
        assert refused.exit_code != 0 and "the file storage is not empty" in refused.output
        assert not (tmp_path / "other" / "instance" / "grantflow.sqlite").exists() or _counts() == {}
        db.engine.dispose()
