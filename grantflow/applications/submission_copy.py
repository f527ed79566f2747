"""The copy of what was sent: at submission, a PDF of the whole application (every answer, the
budget, the attachments with their SHA-256, so either side can later show which file was sent) is
rendered and stored with the row (durable before the commit, gone if the submission rolls back).
Copies live under their own prefix in the file storage, apart from the attachments (whose orphan
sweep looks at theirs only)."""
from __future__ import annotations

import hashlib
import secrets

from flask import render_template
from flask_babel import gettext as _
from markupsafe import Markup

from grantflow.applications.metrics import label as metric_label
from grantflow.applications.models import Application
from grantflow.core.files import write_new
from grantflow.core.i18n import html_lang, in_language
from grantflow.core.pdf import render_pdf
from grantflow.core.timeutil import to_local
from grantflow.programs.models import chosen


PREFIX = "submissions/"


def key_of(application: Application) -> str | None:
    return PREFIX + application.submission_copy if application.submission_copy else None


def answers_shown(application: Application) -> list[tuple[object, str | Markup]]:
    """(question, the answer as text) for every question of the program, in order; a choice
    question's answer is the chosen choices in the reader's language where the funder gave it."""
    stored = {a.question_id: a.value for a in application.answers}
    files = {a.question_id: a.original_name for a in application.attachments if a.question_id}
    out = []
    for q in application.program.questions:
        value = files.get(q.id) if q.kind == "file" else stored.get(q.id)
        if q.kind in ("single_choice", "multiple_choice"):
            text = Markup("; ").join(c.marked for c in chosen(q, value))
        elif isinstance(value, list):
            text = "; ".join(str(v) for v in value)
        else:
            text = "" if value is None else str(value)
        out.append((q, text or "—"))
    return out


def render(application: Application) -> bytes:
    """The copy, in the organization's language (as its messages are)."""
    program = application.program
    with in_language(application.applicant.language):
        html = render_template("applications/submission_pdf.html", application=application, program=program,
                               answers=answers_shown(application), metric_label=metric_label,
                               submitted=to_local(application.submitted_at, program.timezone))
        return render_pdf(html, title=_("%(title)s: application to %(program)s", title=application.title,
                                        program=program.title),
                          author=application.applicant.name, lang=html_lang(),
                          subject=_("What was sent to %(funder)s", funder=program.funder.name))


def store(application: Application) -> None:
    """Renders and stores the copy of a just-submitted application (in the current transaction)."""
    pdf = render(application)
    name = secrets.token_hex(16) + ".pdf"
    write_new(PREFIX + name, pdf)
    application.submission_copy = name
    application.submission_copy_sha256 = hashlib.sha256(pdf).hexdigest()
