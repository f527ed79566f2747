"""Files GrantFlow creates are private to its user (and group): never world-readable, whatever the
umask of the shell that started it."""
from __future__ import annotations

import io
import os
import stat
from pathlib import Path

import pytest
from flask import current_app

from grantflow.core.db import db
from grantflow.core.storage import storage
from grantflow.tasks import get_huey, pending
from tests.applications import files
from tests.applications.conftest import build_scene
from tests.conftest import make_app
from tests.letters.conftest import decide


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def loose_umask():
    """The usual login umask (022), under which files come out 0644 unless the app sets its own."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_every_kind_of_file_is_private(tmp_path, loose_umask):
    app = make_app(tmp_path, SECRET_KEY=None)  # the key is generated into the instance folder
    instance = Path(app.instance_path)
    with app.app_context():
        db.create_all()
        scene = build_scene(questions=False)
        client = app.test_client(user=scene.user)
        r = client.post("/programs/health-2026/apply")
        app_id = int(r.headers["Location"].rstrip("/").split("/")[-2])
        r = client.post(f"/applications/{app_id}/edit", content_type="multipart/form-data",
                        data={"title": "Healthy homes", "action": "save",
                              "attachment": (io.BytesIO(files.pdf()), "narrative.pdf")})
        assert r.status_code == 302, r.get_data(as_text=True)
        from grantflow.applications import attachments
        from grantflow.applications.models import Application
        from grantflow.letters import services as letters

        application = db.session.get(Application, app_id)
        application.status = "awarded"
        decision = decide(application, "award", 25_000_00)
        db.session.commit()
        letter, _ = letters.issue(decision, actor_id=scene.officer.id)
        db.session.commit()
        local = storage(app)  # the local folder's files (an S3 bucket has no file modes)
        letter_file = local.path(letters.letter_key(letter))
        runner = current_app.test_cli_runner()
        exports = tmp_path / "exports"
        res = runner.invoke(args=["letters", "health-2026", "-o", str(exports / "letters")])
        assert res.exit_code == 0, res.output
        res = runner.invoke(args=["audit", "health-2026", "--format", "csv", "-o", str(exports / "audit.csv")])
        assert res.exit_code == 0, res.output
        get_huey(app)
        pending("letters.issue_chunk")
        created = {
            "instance folder": instance, "secret key": instance / "secret_key",
            "database": instance / "grantflow.sqlite", "database -wal": instance / "grantflow.sqlite-wal",
            "database -shm": instance / "grantflow.sqlite-shm",
            "files folder": local.root,
            "upload": local.path(attachments.key_of(application.attachments[0])),
            "letters folder": letter_file.parent, "letter": letter_file,
            "export folder": exports / "letters", "exported letter": next((exports / "letters").glob("*.pdf")),
            "exported zip": next((exports / "letters").glob("*.zip")), "audit export": exports / "audit.csv",
            "huey database": instance / "huey.sqlite",
        }
        loose = {what: oct(_mode(p)) for what, p in created.items() if _mode(p) & 0o027}
        db.session.remove()
        db.engine.dispose()
    assert not loose, f"readable or writable beyond the owner's group: {loose}"
    assert _mode(instance / "secret_key") == 0o600
