"""A request's changes stand because its view finished its work, not because of its status code;
files follow their rows. Each "saved" is read back in a fresh session."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from grantflow.applications.models import DRAFT, Application, Attachment
from grantflow.core import files
from grantflow.core.db import db
from tests.applications.conftest import build_scene, complete_form
from tests.applications.files import pdf


@pytest.fixture
def scene(app):
    return build_scene()


@pytest.fixture
def draft(scene, login):
    client = login(scene.user)
    r = client.post("/programs/health-2026/apply")
    assert r.status_code == 302
    return int(r.headers["Location"].rstrip("/").split("/")[-2]), client


def _fresh(app_id):
    with Session(db.engine) as s:
        a = s.get(Application, app_id)
        return {"status": a.status, "title": a.title, "summary": a.summary,
                "budget": [(b.category, b.amount_cents) for b in a.budget_lines],
                "attachments": [(att.original_name, att.stored_name) for att in a.attachments]}


def _token(client, app_id):
    client.get(f"/applications/{app_id}/edit")
    with client.session_transaction() as sess:
        return sess["submit_tokens"][str(app_id)]


def test_submit_with_a_missing_field_keeps_what_was_typed(scene, draft):
    app_id, client = draft
    data = complete_form(scene, summary="", title="Typed since the last autosave", action="submit",
                         submit_token=_token(client, app_id))
    r = client.post(f"/applications/{app_id}/edit", data=data)
    assert r.status_code == 422
    assert "Your draft is saved, but it cannot be submitted yet." in r.get_data(as_text=True)
    saved = _fresh(app_id)
    assert saved["status"] == DRAFT
    assert saved["title"] == "Typed since the last autosave"
    assert saved["budget"] == [("Staff", 30_000_00), ("Repairs", 20_000_00)]


def test_out_of_date_submit_keeps_the_answers(scene, draft):
    app_id, client = draft
    data = complete_form(scene, title="Typed in the old tab", action="submit", submit_token="stale")
    r = client.post(f"/applications/{app_id}/edit", data=data)
    assert r.status_code == 409 and "Your answers are saved" in r.get_data(as_text=True)
    assert _fresh(app_id)["title"] == "Typed in the old tab"


def test_an_upload_on_a_refused_submit_is_kept_with_its_row(scene, draft, app):
    from grantflow.applications import attachments

    app_id, client = draft
    data = complete_form(scene, summary="", action="submit", submit_token=_token(client, app_id))
    data["attachment"] = (io.BytesIO(pdf()), "budget.pdf")
    r = client.post(f"/applications/{app_id}/edit", data=data, content_type="multipart/form-data")
    assert r.status_code == 422
    [(name, key)] = _fresh(app_id)["attachments"]
    assert name == "budget.pdf"
    with Session(db.engine) as s:
        att = s.execute(select(Attachment)).scalar_one()
        assert files.read(attachments.key_of(att)).startswith(b"%PDF")
    assert _stray_files(app) == []


def test_an_upload_in_a_failed_request_leaves_no_file(scene, draft, app, monkeypatch):
    """The view raises after the file was written: the row rolls back and so does the file."""
    from grantflow.applications import services

    app_id, client = draft

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services, "claim_draft", lambda application, now=None: True)
    original = services.save_draft

    def save_then_fail(*args, **kwargs):
        original(*args, **kwargs)
        broken()

    monkeypatch.setattr(services, "save_draft", save_then_fail)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    data = complete_form(scene, action="save")
    data["attachment"] = (io.BytesIO(pdf()), "budget.pdf")
    r = client.post(f"/applications/{app_id}/edit", data=data, content_type="multipart/form-data")
    assert r.status_code == 500
    assert _fresh(app_id)["attachments"] == []
    assert _files(app) == []


def _files(app):
    from grantflow.core.storage import storage

    return sorted(s.key for s in storage(app).list())


def _stray_files(app):
    from grantflow.applications import attachments

    with Session(db.engine) as s:
        kept = {attachments.key_of(a) for a in s.execute(select(Attachment)).scalars()}
    return [k for k in _files(app) if k not in kept]


def test_discard_rolls_back_a_view_that_returns(app):
    """`discard()` is the one way a returning view keeps nothing."""
    from flask import Blueprint

    from grantflow.core import uow
    from grantflow.organizations.models import Organization

    bp = Blueprint("uow_test", __name__)

    @bp.route("/_uow/<mode>", methods=["POST"])
    def view(mode):
        db.session.add(Organization(kind="cbo", name=f"Made in {mode}", slug=f"made-{mode}"))
        if mode == "discard":
            uow.discard()
        return "refused", 422

    app.register_blueprint(bp)
    client = app.test_client()
    assert client.post("/_uow/keep").status_code == 422
    assert client.post("/_uow/discard").status_code == 422
    with Session(db.engine) as s:
        names = set(s.execute(select(Organization.name)).scalars())
    assert "Made in keep" in names and "Made in discard" not in names


def test_attempt_rolls_back_only_the_refused_part(app):
    from grantflow.core import uow
    from grantflow.organizations.models import Organization

    db.session.add(Organization(kind="cbo", name="Before", slug="before"))
    with pytest.raises(ValueError):
        with uow.attempt():
            db.session.add(Organization(kind="cbo", name="Refused", slug="refused"))
            db.session.flush()
            raise ValueError("no")
    db.session.commit()
    with Session(db.engine) as s:
        assert set(s.execute(select(Organization.name)).scalars()) == {"Before"}


def test_after_commit_and_after_rollback_callbacks_follow_the_outcome(app):
    from grantflow.core import uow

    seen = []
    uow.after_commit(lambda: seen.append("commit 1"))
    uow.after_rollback(lambda: seen.append("rollback 1"))
    db.session.commit()
    uow.after_commit(lambda: seen.append("commit 2"))
    uow.after_rollback(lambda: seen.append("rollback 2"))
    db.session.rollback()
    assert seen == ["commit 1", "rollback 2"]


def test_a_savepoint_that_succeeds_runs_no_after_commit_callback(app):
    """attempt()'s savepoint is released, not committed: a message queued inside it must wait for
    the request's commit (and is never sent if the request then rolls back)."""
    from grantflow.core import uow

    seen = []
    with uow.attempt():
        uow.after_commit(lambda: seen.append("commit"))
        uow.after_rollback(lambda: seen.append("rollback"))
        from grantflow.organizations.models import Organization

        db.session.add(Organization(kind="cbo", name="Inside", slug="inside"))
    assert seen == []
    db.session.rollback()
    assert seen == ["rollback"]
    with uow.attempt():
        uow.after_commit(lambda: seen.append("commit"))
    db.session.commit()
    assert seen == ["rollback", "commit"]
