"""The letters pages: wording with errors at the field, logo checked by content, preview, issue,
re-issue (the old letter kept and visible), download."""
from __future__ import annotations

import io
import zipfile

import pikepdf

from PIL import Image
from sqlalchemy import select

from grantflow.core import files
from grantflow.core.db import db
from grantflow.letters.models import IssuedLetter, LetterTemplate
from grantflow.letters.render import logo_key
from tests.letters import pdfcheck as C
from tests.letters.conftest import download


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (60, 20), (0, 90, 160)).save(out, "PNG")
    return out.getvalue()


def _form(**overrides):
    data = {"body": "Dear {{ organization }},\n\nWe award {{ amount }}.", "payment_schedule": "Two payments.",
            "reporting_requirements": "One report.", "conditions": "", "signatory_name": "Sam Signer",
            "signatory_title": "President", "pdf_variant": "pdf/ua-1", "save": "Save wording"}
    data.update(overrides)
    return data


def test_index_lists_decisions(app, letters_world, login):
    client = login(letters_world.users["program_officer"])
    page = client.get("/programs/health-2026/letters").get_data(as_text=True)
    assert "Eastside Tenants Union" in page and "Northside Food Collective" in page
    assert "$25,000.00" in page and "Not issued" in page


def test_wording_errors_are_at_the_field_and_typed_text_is_kept(app, letters_world, login):
    client = login(letters_world.users["program_officer"])
    response = client.post("/programs/health-2026/letters/templates/award",
                           data=_form(body="Dear {{ organisation }}, typed text kept"))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="body-error"' in page and "Unknown placeholder {{ organisation }}" in page
    assert 'aria-describedby="body-hint body-counter body-error"' in page
    assert "typed text kept" in page
    assert db.session.execute(select(LetterTemplate)).first() is None


def test_save_wording_with_logo_then_issue_and_reissue(app, letters_world, login, storage_config):
    w = letters_world
    client = login(w.users["program_officer"])
    response = client.post("/programs/health-2026/letters/templates/award",
                           data=_form(logo=(io.BytesIO(_png()), "logo.png")),
                           content_type="multipart/form-data")
    assert response.status_code == 302
    row = db.session.execute(select(LetterTemplate)).scalar_one()
    assert row.logo_stored_name.endswith(".png") and row.signatory_name == "Sam Signer"
    assert files.read(logo_key(row.logo_stored_name)) == _png()

    # preview of this decision, before issuing: a PDF, nothing stored
    response = client.get(f"/programs/health-2026/letters/{w.award.id}/preview")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "We award $25,000.00." in C.flat(response.data) and "Sam Signer" in C.flat(response.data)
    assert db.session.execute(select(IssuedLetter)).first() is None

    response = client.post(f"/programs/health-2026/letters/{w.award.id}/issue", data={"submit": "Issue letter"})
    assert response.status_code == 302
    first = db.session.execute(select(IssuedLetter)).scalar_one()
    # issuing again without re-issue keeps the one letter
    client.post(f"/programs/health-2026/letters/{w.award.id}/issue", data={"submit": "Issue letter"})
    assert len(db.session.execute(select(IssuedLetter)).all()) == 1
    client.post("/programs/health-2026/letters/templates/award", data=_form(body="Dear {{ organization }}, new words."))
    client.post(f"/programs/health-2026/letters/{w.award.id}/issue", data={"submit": "x", "reissue": "y"})
    db.session.expire_all()
    letters = db.session.execute(select(IssuedLetter).order_by(IssuedLetter.id)).scalars().all()
    assert len(letters) == 2 and letters[0].superseded_at is not None and letters[1].superseded_at is None
    assert letters[0].sha256 != letters[1].sha256
    page = client.get(f"/programs/health-2026/letters/{w.award.id}").get_data(as_text=True)
    assert letters[0].sha256 in page and letters[1].sha256 in page and "Superseded" in page
    _, old = download(client, f"/programs/health-2026/letters/{w.award.id}/files/{first.id}")
    assert "We award $25,000.00." in C.flat(old)
    _, new = download(client, f"/programs/health-2026/letters/{w.award.id}/files/{letters[1].id}")
    assert "new words." in C.flat(new)
    with pikepdf.open(io.BytesIO(new)) as doc:  # the logo, read back from the storage
        assert len(doc.pages[0].get_images()) == 1
    # a letter id of another decision is a 404
    assert client.get(f"/programs/health-2026/letters/{w.decline.id}/files/{first.id}").status_code == 404


def test_logo_is_checked_by_content(app, letters_world, login):
    client = login(letters_world.users["program_officer"])
    response = client.post("/programs/health-2026/letters/templates/award",
                           data=_form(logo=(io.BytesIO(b"<svg onload=alert(1)>"), "logo.png")),
                           content_type="multipart/form-data")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="logo-error"' in page and "PNG or JPEG" in page
    truncated = _png()[:40]
    response = client.post("/programs/health-2026/letters/templates/award",
                           data=_form(logo=(io.BytesIO(truncated), "logo.png")), content_type="multipart/form-data")
    assert response.status_code == 400 and "damaged" in response.get_data(as_text=True)


def test_template_preview_shows_unsaved_wording(app, letters_world, login):
    client = login(letters_world.users["program_officer"])
    response = client.post("/programs/health-2026/letters/templates/decline",
                           data=_form(body="Dear {{ organization }}, unsaved words.", save="", preview="Preview PDF",
                                      include_feedback="y"))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "unsaved words." in C.flat(response.data) and "Northside Food Collective" in C.flat(response.data)
    assert db.session.execute(select(LetterTemplate)).first() is None


def test_an_undecided_application_has_no_letter_and_other_program_decision_is_404(app, letters_world, login):
    from tests import factories as F
    from tests.letters.conftest import decide

    w = letters_world
    other_app = F.application(w.other_program, w.cbo)
    foreign = decide(other_app, "award", 10_000_00)
    db.session.commit()
    client = login(w.users["program_officer"])
    assert client.get(f"/programs/health-2026/letters/{foreign.id}").status_code == 404
    w.award.outcome = "pending"  # not an outcome a letter is written for
    db.session.commit()
    page = client.get(f"/programs/health-2026/letters/{w.award.id}").get_data(as_text=True)
    assert "has no letter" in page
    client.post(f"/programs/health-2026/letters/{w.award.id}/issue", data={"submit": "x"})
    assert db.session.execute(select(IssuedLetter)).first() is None


def test_a_batch_zip_is_stored_and_downloaded_on_each_storage(app, letters_world, login, storage_config):
    from grantflow.letters import jobs

    w = letters_world
    batch = jobs.create_batch(w.program, include_declines=True)
    jobs.issue_chunk(batch.id, batch.decision_ids)
    db.session.expire_all()
    client = login(w.users["program_officer"])
    status = client.get(f"/programs/health-2026/letters/batches/{batch.id}/status").get_json()
    assert status["finished"]
    with zipfile.ZipFile(io.BytesIO(download(client, status["zip_url"])[1])) as archive:
        names = sorted(archive.namelist())
        assert len(names) == 2 and all(archive.read(n).startswith(b"%PDF") for n in names)
    assert login(w.users["other_officer"]).get(status["zip_url"]).status_code == 404
