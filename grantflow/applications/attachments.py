"""Uploaded files: recognized by their content (never their name), size-limited, at most
``ATTACHMENTS_PER_APPLICATION`` per application, stored under the instance folder with random
names, and their sha256 kept. A file follows its row's transaction (grantflow/core/files.py), under
the key ``attachments/<stored name>`` of the app's storage."""
from __future__ import annotations

import csv
import hashlib
import io
import os
import secrets
import zipfile

import magic
from flask import abort, current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import func, select

from grantflow.applications.models import Attachment
from grantflow.core import files
from grantflow.core.db import db
from grantflow.core.i18n import format_number

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv"
PNG = "image/png"
JPEG = "image/jpeg"
# Content type -> (name shown to people, extensions that may carry it, extension given when missing).
KINDS = {
    PDF: ("PDF", (".pdf",), ".pdf"),
    DOCX: (_l("Word document (DOCX)"), (".docx",), ".docx"),
    XLSX: (_l("Excel workbook (XLSX)"), (".xlsx",), ".xlsx"),
    CSV: (_l("CSV file"), (".csv", ".txt"), ".csv"),
    PNG: (_l("PNG image"), (".png",), ".png"),
    JPEG: (_l("JPEG image"), (".jpg", ".jpeg"), ".jpg"),
}
ACCEPT = ",".join(ext for _, exts, _ in KINDS.values() for ext in exts if ext != ".txt")
ALLOWED_TEXT = _l("PDF, DOCX, XLSX, CSV, PNG or JPEG")
PREFIX = "attachments/"


class UploadError(ValueError):
    """Said at the upload field."""


def _office_kind(data: bytes) -> str | None:
    """DOCX and XLSX are zip containers: tell them apart by their parts, not their name."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = set(z.namelist())
            if "[Content_Types].xml" not in names:
                return None
            types = z.read("[Content_Types].xml").decode("utf-8", "replace")
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        return None
    if "word/document.xml" in names and "wordprocessingml.document.main" in types:
        return DOCX
    if "xl/workbook.xml" in names and "spreadsheetml.sheet.main" in types:
        return XLSX
    return None


def _is_csv(data: bytes) -> bool:
    if b"\x00" in data:
        return False
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    lines = [line for line in text.splitlines() if line.strip()][:50]
    if not lines:
        return False
    try:
        rows = list(csv.reader(lines))
    except csv.Error:
        return False
    return len(rows[0]) >= 2 and all(len(r) >= 1 for r in rows)


def sniff(data: bytes) -> str | None:
    """The allowed content type of `data`, or None when it is none of them."""
    detected = magic.from_buffer(data[:65536], mime=True)
    if detected in (PDF, PNG, JPEG):
        return detected
    if detected in ("application/zip", DOCX, XLSX, "application/octet-stream") or data[:4] == b"PK\x03\x04":
        return _office_kind(data)
    if detected in ("text/csv", "text/plain", "application/csv") and _is_csv(data):
        return CSV
    return None


def _describe(detected: str) -> str:
    for mime, (label, _exts, _default) in KINDS.items():
        if mime == detected:
            return label
    return {"text/html": _("a web page (HTML)"), "application/x-dosexec": _("a Windows program"),
            "application/vnd.microsoft.portable-executable": _("a Windows program"),
            "application/x-executable": _("a program"), "text/plain": _("plain text"),
            "application/zip": _("a zip archive")}.get(detected) or _("a %(type)s file", type=detected)


def megabytes(n: int) -> str:
    return _("%(size)s MB", size=format_number(round(n / (1024 * 1024), 1)))


def read_limited(stream, limit: int) -> bytes:
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise UploadError(_("This file is larger than the %(size)s limit. Upload a smaller file (for example, a "
                            "PDF saved at a lower image quality).", size=megabytes(limit)))
    return data


def max_bytes() -> int:
    return int(current_app.config["UPLOAD_MAX_BYTES"])


def store(application, upload, *, user_id: int | None, question_id: int | None = None) -> Attachment:
    """Checks and stores one uploaded file (a Werkzeug FileStorage); UploadError says why not."""
    limit = max_bytes()
    cap = int(current_app.config["ATTACHMENTS_PER_APPLICATION"])
    replacing = question_id is not None and any(a.question_id == question_id for a in application.attachments)
    if not replacing and _count(application) >= cap:
        raise UploadError(ngettext(
            "This application already has %(num)d file, the most it can hold. Remove it if you no longer need "
            "it, or combine several into one PDF.",
            "This application already has %(num)d files, the most it can hold. Remove one you no longer need, or "
            "combine several into one PDF.", cap))
    original = os.path.basename((upload.filename or "").replace("\\", "/")).strip()[:255] or "upload"
    data = read_limited(upload.stream, limit)
    if not data:
        raise UploadError(_("This file is empty. Choose the file again."))
    mime = sniff(data)
    if mime is None:
        detected = magic.from_buffer(data[:65536], mime=True)
        raise UploadError(_("“%(file)s” is %(kind)s, not one of the allowed kinds (%(allowed)s).", file=original,
                            kind=_describe(detected), allowed=ALLOWED_TEXT))
    if mime in (PNG, JPEG) and application.program.blind_review:
        raise UploadError(_("“%(file)s” is a picture. This program reviews applications blind, and a picture "
                            "cannot be checked for names, logos or signatures, so reviewers could not be given it. "
                            "Upload a PDF, Word, Excel or CSV file instead, or describe it in your answers.",
                            file=original))
    label, exts, default_ext = KINDS[mime]
    stem, ext = os.path.splitext(original)
    if not ext:
        original = original[:255 - len(default_ext)] + default_ext  # the column holds 255
    elif ext.lower() not in exts:
        raise UploadError(_("“%(file)s” is really a %(kind)s, but its name ends in %(ext)s. Rename it to end in "
                            "%(default)s, or choose the file you meant.", file=original, kind=label, ext=ext,
                            default=default_ext))
    stored_name = secrets.token_hex(16)
    files.write_new(PREFIX + stored_name, data)
    att = Attachment(application=application, question_id=question_id, original_name=original,
                     stored_name=stored_name, mime_type=mime, size=len(data),
                     sha256=hashlib.sha256(data).hexdigest(), uploaded_by_id=user_id)
    db.session.add(att)
    db.session.flush()
    return att


def _count(application) -> int:
    if application.id is None:
        return 0
    return db.session.execute(select(func.count(Attachment.id))
                              .where(Attachment.application_id == application.id)).scalar_one()


def key_of(att: Attachment) -> str:
    return PREFIX + att.stored_name


def download(att: Attachment, name: str):
    """The file's response (the caller has authorized the request)."""
    return files.download(key_of(att), mimetype=att.mime_type, download_name=name)


def delete(att: Attachment) -> None:
    """Removes the row now and the file once the removal commits."""
    files.remove_after_commit(key_of(att))
    db.session.delete(att)
    db.session.flush()


def sweep(grace_seconds: float = 3600) -> list[str]:
    """Removes uploaded files whose row never committed (their writer was killed mid-request)."""
    return files.sweep_orphans(PREFIX, lambda: db.session.execute(select(Attachment.stored_name)).scalars(),
                               grace_seconds=grace_seconds)


def shown_name(att: Attachment, index: int, sees_identity: bool) -> str:
    """Blind review hides file names (they often carry the organization's name)."""
    if sees_identity:
        return att.original_name
    return f"Attachment {index} ({KINDS.get(att.mime_type, ('file',))[0]})"


def of(application, att_id: int) -> Attachment:
    """One of the application's attachments; any other id is a 404."""
    att = db.session.get(Attachment, att_id)
    if att is None or att.application_id != application.id:
        abort(404)
    return att


def send(key: str | None, mimetype: str, name: str):
    """A stored file as a download that no browser runs or caches (originals and redacted copies);
    call it only after the request is authorized."""
    if key is None:
        abort(404)
    response = files.download(key, mimetype=mimetype, download_name=name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
