"""Redacted copies are stored beside the uploads per lexicon version, made again when the
lexicon changes, withheld when they need a check until the officer decides; officers get originals."""
from __future__ import annotations

import io

from PIL import Image
from sqlalchemy import select

from grantflow.applications.models import Attachment
from grantflow.blind import copies
from grantflow.blind.models import CHECK, READY, AttachmentRelease, BlindTerm, RedactedCopy
from grantflow.blind.redaction import pdf_text
from grantflow.core import files
from grantflow.core.db import db
from grantflow.core.storage import storage
from tests.blind.conftest import ORG


def _pdf_att(b):
    return next(a for a in b.application.attachments if a.mime_type == "application/pdf")


def test_a_copy_per_lexicon_version_made_again_when_it_changes(blind_app, login, app):
    b = blind_app
    att = _pdf_att(b)
    client = login(b.reviewer)
    url = f"/applications/{b.application.id}/attachments/{att.id}"
    first = client.get(url)
    assert first.status_code == 200 and "Garden Stand" in pdf_text(first.get_data())
    db.session.expire_all()
    [row] = db.session.execute(select(RedactedCopy).where(RedactedCopy.attachment_id == att.id)).scalars().all()
    old_key = copies.key_of(row)
    assert files.exists(old_key) and old_key == "redacted/" + row.stored_name
    # The applicant's term (added while a draft) changes the lexicon: a new copy, the old one goes.
    db.session.add(BlindTerm(application_id=b.application.id, text="Garden Stand"))
    db.session.commit()
    second = client.get(url)
    assert "Garden Stand" not in pdf_text(second.get_data())
    db.session.expire_all()
    rows = db.session.execute(select(RedactedCopy).where(RedactedCopy.attachment_id == att.id)).scalars().all()
    assert len(rows) == 1 and rows[0].lexicon_version != row.lexicon_version and not files.exists(old_key)
    # The officer gets the original, byte for byte.
    original = login(b.officer).get(url)
    assert original.get_data() == b.pdf and ORG in pdf_text(original.get_data())


def test_a_copy_that_needs_a_check_waits_for_the_officer(blind_app, login, app):
    from grantflow.applications import attachments

    b = blind_app
    buf = io.BytesIO()
    Image.new("RGB", (30, 30), (1, 2, 3)).save(buf, format="PNG")
    # A picture uploaded before the program went blind (new ones are refused at upload).
    b.application.program.blind_review = False
    from werkzeug.datastructures import FileStorage

    pic = attachments.store(b.application, FileStorage(io.BytesIO(buf.getvalue()), filename="logo.png"), user_id=None)
    b.application.program.blind_review = True
    db.session.commit()
    url = f"/applications/{b.application.id}/attachments/{pic.id}"
    reviewer, officer = login(b.reviewer), login(b.officer)
    r = reviewer.get(url)
    assert r.status_code == 200 and r.mimetype == "text/html" and "checking this file" in r.get_data(as_text=True)
    page = officer.get(f"/applications/{b.application.id}").get_data(as_text=True)
    assert "A picture cannot be checked" in page and "withheld from reviewers" in page
    # Kept as a message, worded for each officer: in Spanish for one who reads Spanish.
    db.session.expire_all()
    stored = db.session.execute(select(RedactedCopy.problems).where(RedactedCopy.attachment_id == pic.id)).scalar_one()
    assert stored == [{"msgid": "A picture cannot be checked for names, logos or signatures."}]
    spanish = officer.get(f"/applications/{b.application.id}", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert "Una imagen no se puede revisar en busca de nombres, logotipos o firmas." in spanish
    assert officer.post(f"/applications/{b.application.id}/attachments/{pic.id}/release",
                        data={"decision": "nonsense"}).status_code == 302
    db.session.expire_all()
    assert db.session.execute(select(AttachmentRelease)).first() is None
    officer.post(f"/applications/{b.application.id}/attachments/{pic.id}/release", data={"decision": "show"})
    db.session.expire_all()
    assert db.session.execute(select(AttachmentRelease.decision)).scalar_one() == "show"
    assert reviewer.get(url).mimetype == "application/pdf"
    officer.post(f"/applications/{b.application.id}/attachments/{pic.id}/release", data={"decision": "withhold"})
    assert "withheld this file" in reviewer.get(url).get_data(as_text=True)
    spanish = reviewer.get(url, headers={"Accept-Language": "es"}).get_data(as_text=True)  # the reviewer's language
    assert "<h1>Este archivo está retenido</h1>" in spanish
    assert "El responsable del programa retuvo este archivo para que los evaluadores no lo reciban." in spanish
    statuses = dict(db.session.execute(select(RedactedCopy.attachment_id, RedactedCopy.status)).all())
    assert statuses[pic.id] == CHECK and statuses[_pdf_att(b).id] == READY


def test_pictures_are_refused_at_upload_in_a_blind_program(blind_app):
    from werkzeug.datastructures import FileStorage

    from grantflow.applications import attachments

    buf = io.BytesIO()
    Image.new("RGB", (30, 30), (1, 2, 3)).save(buf, format="JPEG")
    try:
        attachments.store(blind_app.application, FileStorage(io.BytesIO(buf.getvalue()), filename="team.jpg"),
                          user_id=None)
    except attachments.UploadError as exc:
        assert "blind" in str(exc) and "team.jpg" in str(exc)
    else:
        raise AssertionError("a picture was accepted")


def test_orphan_copies_are_swept(blind_app, login):
    b = blind_app
    login(b.reviewer).get(f"/applications/{b.application.id}/attachments/{_pdf_att(b).id}")
    orphan = copies.PREFIX + "left-by-a-killed-request.pdf"
    files.write_durable(orphan, b"%PDF")
    removed = copies.sweep(grace_seconds=0)
    assert removed == [orphan] and len(list(storage().list(copies.PREFIX))) == 1
    assert db.session.execute(select(Attachment)).scalars().all()


def test_a_missing_original_is_a_404_not_a_500(blind_app, login):
    from grantflow.applications import attachments

    b = blind_app
    att = _pdf_att(b)
    files.delete(attachments.key_of(att))
    assert login(b.reviewer).get(f"/applications/{b.application.id}/attachments/{att.id}").status_code == 404
    assert login(b.director).get(f"/applications/{b.application.id}/reviewer-preview/attachments/{att.id}") \
        .status_code == 404
    assert login(b.officer).get(f"/applications/{b.application.id}").status_code == 200


def test_submitting_to_a_blind_program_queues_its_copies(blind_app):
    """The copies are made by the queue once the submission commits, so the program officer sees
    which files need a check before any reviewer asks for one."""
    from grantflow.applications import services
    from grantflow.blind.tasks import make_copies
    from grantflow.tasks import pending

    b = blind_app
    a = b.application
    a.status, a.submitted_at = "draft", None
    a.outcomes = [{"metric": "units", "target": "40"}]  # one of the catalog's (the fixture's is free text)
    db.session.commit()
    assert services.submit(a, b.director) is True
    assert pending("blind.make_copies") == []  # not before the commit
    db.session.commit()
    assert pending("blind.make_copies") == [(a.id,)]
    make_copies(a.id)
    db.session.expire_all()
    made = db.session.execute(select(RedactedCopy.attachment_id, RedactedCopy.status)).all()
    assert sorted(made) == sorted((att.id, READY) for att in a.attachments)
    assert all(files.exists(copies.key_of(c))
               for c in db.session.execute(select(RedactedCopy)).scalars())
