"""Uploads are recognized by content, size-limited, stored under random names and served only to
those who may see the application, as downloads."""
from __future__ import annotations

import hashlib
import io
import pytest
from sqlalchemy import select

from grantflow.applications import attachments
from grantflow.applications.models import SUBMITTED, Application, Attachment
from grantflow.core import files as stored
from grantflow.core.db import db
from grantflow.core.storage import storage
from tests.applications import files
from tests.applications.conftest import complete_form


def _upload(draft, name, data, **extra):
    return draft.client.post(f"/applications/{draft.id}/edit", content_type="multipart/form-data",
                             data={"title": "Healthy homes", "action": "save",
                                   "attachment": (io.BytesIO(data), name), **extra})


@pytest.mark.parametrize("name,maker,mime", [
    ("narrative.pdf", files.pdf, attachments.PDF),
    ("narrative.docx", files.docx, attachments.DOCX),
    ("budget.xlsx", files.xlsx, attachments.XLSX),
    ("budget.csv", files.csv_bytes, attachments.CSV),
    ("photo.png", lambda: files.image("PNG"), attachments.PNG),
    ("photo.jpeg", lambda: files.image("JPEG"), attachments.JPEG),
])
def test_allowed_kinds_are_stored_by_content(scene, draft, app, name, maker, mime):
    data = maker()
    assert attachments.sniff(data) == mime
    r = _upload(draft, name, data)
    assert r.status_code == 302, r.get_data(as_text=True)
    att = db.session.execute(select(Attachment)).scalar_one()
    assert att.original_name == name and att.mime_type == mime and att.size == len(data)
    assert att.sha256 == hashlib.sha256(data).hexdigest()
    assert stored.read(attachments.key_of(att)) == data
    assert len(att.stored_name) == 32 and name not in att.stored_name
    assert storage(app).path(attachments.key_of(att)).is_relative_to(app.instance_path)
    # Served back as a download, with sniffing off.
    r = draft.client.get(f"/applications/{draft.id}/attachments/{att.id}")
    assert r.status_code == 200 and r.data == data
    assert r.headers["Content-Disposition"].startswith("attachment;")
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.mimetype == mime


@pytest.mark.parametrize("name,maker,message", [
    ("report.pdf", files.exe, "is a Windows program, not one of the allowed kinds"),
    ("report.pdf", files.html, "is a web page (HTML), not one of the allowed kinds"),
    ("budget.docx", lambda: files.image("PNG"), "is really a PNG image, but its name ends in .docx"),
    ("budget.xlsx", files.plain_zip, "not one of the allowed kinds"),
    ("photo.png", files.pdf, "is really a PDF, but its name ends in .png"),
    ("notes.csv", lambda: b"just one line of prose without commas\n", "not one of the allowed kinds"),
])
def test_disguised_uploads_are_refused_at_the_field(scene, draft, app, name, maker, message):
    r = _upload(draft, name, maker())
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and message in html
    assert 'id="attachment-error"' in html and 'aria-describedby="attachment-hint attachment-error"' in html
    assert db.session.execute(select(Attachment)).first() is None
    assert list(storage(app).list()) == []
    assert 'value="Healthy homes"' in html  # what was typed is kept


@pytest.mark.parametrize("app_config", [{"UPLOAD_MAX_BYTES": 2048}])
def test_oversize_upload_is_refused_with_the_limit(scene, draft, app):
    r = _upload(draft, "big.pdf", files.pdf() + b"%" + b"x" * 4096)
    html = r.get_data(as_text=True)
    assert "This file is larger than the 0" in html or "larger than the" in html
    assert "limit" in html and 'id="attachment-error"' in html
    assert db.session.execute(select(Attachment)).first() is None


def test_default_limit_is_ten_megabytes(scene, draft, app):
    assert app.config["UPLOAD_MAX_BYTES"] == 10 * 1024 * 1024
    r = _upload(draft, "big.pdf", files.pdf() + b"%" + b"x" * (10 * 1024 * 1024))
    assert "This file is larger than the 10 MB limit." in r.get_data(as_text=True)


def test_download_is_for_those_who_see_the_application(scene, draft, login, app):
    _upload(draft, "Eastside budget.csv", files.csv_bytes())
    att = db.session.execute(select(Attachment)).scalar_one()
    url = f"/applications/{draft.id}/attachments/{att.id}"
    assert login(scene.other_user).get(url).status_code == 404
    assert login(scene.reviewer).get(url).status_code == 404  # not assigned
    officer = login(scene.officer).get(url)
    assert officer.status_code == 200 and "Eastside budget.csv" in officer.headers["Content-Disposition"]
    assert app.test_client().get(url).status_code == 302  # to the login page
    # Another application's id with this attachment's id: 404.
    assert draft.client.get(f"/applications/999/attachments/{att.id}").status_code == 404


def test_blind_review_hides_file_names_from_reviewers(scene, draft, login):
    from grantflow.blind import declarations
    from grantflow.reviews.models import ReviewAssignment

    _upload(draft, "Eastside Tenants Union budget.csv", files.csv_bytes())
    att = db.session.execute(select(Attachment)).scalar_one()
    scene.program.blind_review = True
    db.session.get(Application, draft.id).status = SUBMITTED  # reviewers read submitted applications only
    db.session.add(ReviewAssignment(application_id=draft.id, reviewer_id=scene.reviewer.id))
    db.session.commit()
    rev = login(scene.reviewer)
    r = rev.get(f"/applications/{draft.id}/attachments/{att.id}")
    assert r.status_code == 302 and "/conflicts" in r.headers["Location"]  # blind: declare conflicts first
    declarations.declare(scene.program, scene.reviewer, conflict_ids=[], affiliations="")
    db.session.commit()
    r = rev.get(f"/applications/{draft.id}/attachments/{att.id}")
    assert r.status_code == 200 and r.mimetype == "application/pdf"  # a redacted copy, never the original
    assert "Eastside" not in r.headers["Content-Disposition"]
    assert "attachment-1-redacted.pdf" in r.headers["Content-Disposition"]
    page = rev.get(f"/applications/{draft.id}").get_data(as_text=True)
    assert "Eastside Tenants Union budget.csv" not in page and "Attachment 1 (CSV file)" in page
    own = draft.client.get(f"/applications/{draft.id}/attachments/{att.id}")
    assert "Eastside" in own.headers["Content-Disposition"]


def test_remove_attachment_deletes_the_file(scene, draft, app):
    _upload(draft, "budget.csv", files.csv_bytes())
    att = db.session.execute(select(Attachment)).scalar_one()
    key = attachments.key_of(att)
    assert stored.exists(key)
    r = draft.client.post(f"/applications/{draft.id}/edit", data=complete_form(scene, action=f"remove_attachment:{att.id}"))
    assert r.status_code == 303 and r.headers["Location"].endswith("?focus=s-files#s-files")  # back at the list
    assert db.session.execute(select(Attachment)).first() is None and not stored.exists(key)


def test_file_question_upload_is_checked_and_answers_it(app, login):
    from grantflow.programs.models import CustomQuestion
    from tests.applications.conftest import build_scene

    s = build_scene(questions=False)
    q = CustomQuestion(program=s.program, position=0, key="letter", label="Letter of support",
                       kind="file", required=True)
    db.session.add(q)
    db.session.commit()
    client = login(s.user)
    app_id = int(client.post("/programs/health-2026/apply").headers["Location"].split("/")[-2])
    r = client.post(f"/applications/{app_id}/edit", content_type="multipart/form-data",
                    data={"action": "save", "q_letter": (io.BytesIO(files.html()), "letter.pdf")})
    assert "is a web page (HTML)" in r.get_data(as_text=True)
    r = client.post(f"/applications/{app_id}/edit", content_type="multipart/form-data",
                    data={"action": "save", "q_letter": (io.BytesIO(files.pdf()), "letter.pdf")})
    assert r.status_code == 302
    att = db.session.execute(select(Attachment)).scalar_one()
    assert att.question_id == q.id
    # Submitting does not ask for the file again.
    client.get(f"/applications/{app_id}/edit")
    with client.session_transaction() as sess:
        token = sess["submit_tokens"][str(app_id)]
    data = complete_form(s, action="submit", submit_token=token)
    data.pop("q_staff"), data.pop("q_story")
    r = client.post(f"/applications/{app_id}/edit", data=data)
    assert r.status_code == 302, r.get_data(as_text=True)


def test_a_long_name_without_extension_fits_its_column(scene, draft):
    """A 300-character name was cut to 255 and then given ".pdf": 259 characters, which PostgreSQL's
    VARCHAR(255) refused with a 500 (found by the route fuzz)."""
    r = _upload(draft, "x" * 300, files.pdf())
    assert r.status_code == 302, r.get_data(as_text=True)
    db.session.expire_all()
    att = db.session.execute(select(Attachment)).scalar_one()
    assert att.original_name == "x" * 251 + ".pdf"


def test_an_application_holds_at_most_the_configured_number_of_files(scene, draft, app):
    """Fifty files on one draft were accepted; now the cap is said at the field and what was typed
    is saved."""
    app.config["ATTACHMENTS_PER_APPLICATION"] = 3
    for n in range(3):
        assert _upload(draft, f"part-{n}.pdf", files.pdf()).status_code == 302
    r = _upload(draft, "one-too-many.pdf", files.pdf(), summary="Typed with the fourth file")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "already has 3 files, the most it can hold" in html
    db.session.expire_all()
    assert len(db.session.execute(select(Attachment)).all()) == 3
    assert db.session.get(Application, draft.id).summary == "Typed with the fourth file"
    # Removing one makes room again.
    first = db.session.execute(select(Attachment).order_by(Attachment.id)).scalars().first()
    draft.client.post(f"/applications/{draft.id}/edit", data={"title": "Healthy homes",
                                                                 "action": f"remove_attachment:{first.id}"})
    assert _upload(draft, "one-too-many.pdf", files.pdf()).status_code == 302


def test_download_on_each_storage_is_authorized_first(scene, draft, login, app, storage_config):
    """From the local folder the app streams the file; from S3 it redirects to a signed URL, made
    only for someone the policy lets see the application, valid for S3_SIGNED_URL_SECONDS."""
    import urllib.parse
    import urllib.request

    data = files.csv_bytes()
    _upload(draft, "Eastside budget.csv", data)
    att = db.session.execute(select(Attachment)).scalar_one()
    url = f"/applications/{draft.id}/attachments/{att.id}"
    denied = login(scene.other_user).get(url)
    assert denied.status_code == 404 and "Location" not in denied.headers
    r = login(scene.officer).get(url)
    assert r.headers["Cache-Control"] == "private, no-store"
    if not storage_config:
        assert r.status_code == 200 and r.data == data
        return
    assert r.status_code == 303
    signed = r.headers["Location"]
    assert signed.startswith(storage_config["S3_ENDPOINT_URL"] + "/")
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(signed).query)
    assert query["X-Amz-Expires"] == ["60"] and query["X-Amz-Signature"]
    with urllib.request.urlopen(signed) as fetched:  # the real S3-compatible server answers it
        assert fetched.read() == data
        assert fetched.headers["Content-Type"] == "text/csv"
        assert fetched.headers["Content-Disposition"] == "attachment; filename*=UTF-8''Eastside%20budget.csv"
    # A store the browsers cannot reach: the app streams the object itself.
    app.config["STORAGE_DOWNLOADS"] = "stream"
    streamed = login(scene.officer).get(url)
    assert streamed.status_code == 200 and streamed.data == data
    stored.delete(attachments.key_of(att))
    assert login(scene.officer).get(url).status_code == 404


def test_the_size_and_kind_checks_come_before_each_storage(scene, draft, app, storage_config):
    """Whichever the storage, a refused file is said at the field and nothing reaches the store."""
    app.config["UPLOAD_MAX_BYTES"] = 2048
    for name, data, message in (("big.pdf", files.pdf() + b"%" + b"x" * 4096, "larger than the"),
                                ("report.pdf", files.html(), "is a web page (HTML), not one of the allowed kinds")):
        html = _upload(draft, name, data).get_data(as_text=True)
        assert message in html and 'id="attachment-error"' in html
    db.session.expire_all()
    assert db.session.execute(select(Attachment)).first() is None
    assert list(storage(app).list()) == []
    assert storage(app).kind == ("s3" if storage_config else "local")
    _upload(draft, "budget.csv", files.csv_bytes())
    assert [s.size for s in storage(app).list()] == [len(files.csv_bytes())]  # an allowed one does
