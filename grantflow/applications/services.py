"""Applications: start a draft, save what was typed (at any time), submit once, withdraw.

Every transition is a conditional UPDATE on the application's status (after a row lock where the
database has one), so two requests racing — a double-clicked submit, an autosave arriving after
the submission — cannot both succeed: the loser sees the status already moved.
"""
from __future__ import annotations

import datetime as dt

from flask import url_for
from sqlalchemy import select, update
from werkzeug.datastructures import MultiDict
from wtforms.fields import FieldList

from forms.questions import answers_from_form, field_name
from grantflow.applications import attachments
from grantflow.applications.models import (
    DRAFT, SUBMITTED, WITHDRAWN, Answer, Application, BudgetLine, StatusChange,
)
from grantflow.core import auditlog
from grantflow.core.db import db, utcnow
from grantflow.core.mail import send_mail
from grantflow.core.timeutil import to_local
from grantflow.programs.models import PUBLISHED

# Time between two saves counts as editing when shorter than this (longer gaps are breaks).
EDIT_GAP_SECONDS = 5 * 60
_SKIP_FIELDS = {"csrf_token", "action", "submit_token", "attachment"}


class ApplicationError(Exception):
    """A refusal the view shows as a message."""


class NotOpen(ApplicationError):
    pass


# --- the program's window -------------------------------------------------------------------------

def local_deadline(program) -> str:
    local = to_local(program.closes_at, program.timezone)
    if local is None:
        return "no deadline"
    return f"{local:%B} {local.day}, {local.year} at {local:%I:%M %p %Z}".replace(" 0", " ") + f" ({program.timezone})"


def not_open_reason(program, now: dt.datetime | None = None) -> str | None:
    """None when `program` accepts applications at `now` (the server's clock); else why not."""
    now = now or utcnow()
    if program.status != PUBLISHED:
        return f"{program.title} is not open for applications."
    if program.opens_at is not None and now < program.opens_at:
        local = to_local(program.opens_at, program.timezone)
        return f"{program.title} opens for applications on {local:%B} {local.day}, {local.year} at {local:%I:%M %p %Z}."
    if program.closes_at is not None and now >= program.closes_at:
        return (f"The deadline for {program.title} was {local_deadline(program)}. "
                f"Applications can no longer be submitted.")
    return None


# --- transitions ------------------------------------------------------------------------------------

def transition(application: Application, from_status: str | None, to_status: str, actor_id: int | None,
               note: str = "") -> StatusChange:
    change = StatusChange(application_id=application.id, from_status=from_status, to_status=to_status,
                          actor_id=actor_id, note=note, at=utcnow())
    db.session.add(change)
    auditlog.record(f"application.{to_status}", application, before={"status": from_status},
                    after={"status": to_status}, actor_id=actor_id)
    db.session.flush()
    return change


def find_draft(program, org, on_behalf_of=None) -> Application | None:
    return db.session.execute(
        select(Application).where(
            Application.program_id == program.id, Application.organization_id == org.id,
            Application.status == DRAFT,
            (Application.on_behalf_of_id == on_behalf_of.id) if on_behalf_of is not None
            else Application.on_behalf_of_id.is_(None))
        .order_by(Application.id)
    ).scalars().first()


def start(program, org, user, on_behalf_of=None) -> Application:
    reason = not_open_reason(program)
    if reason:
        raise NotOpen(reason)
    application = Application(program=program, organization=org, on_behalf_of=on_behalf_of,
                              created_by_id=user.id, status=DRAFT, title="", summary="",
                              community_voice="", outcomes=[], editing_seconds=0)
    db.session.add(application)
    db.session.flush()
    transition(application, None, DRAFT, user.id, "Draft started")
    return application


def lock(application: Application) -> Application:
    """Reloads the row, locked until the request's transaction ends (PostgreSQL; SQLite takes
    its write lock at the first UPDATE, which comes next)."""
    db.session.execute(select(Application).where(Application.id == application.id)
                       .with_for_update().execution_options(populate_existing=True))
    return application


def claim_draft(application: Application, now: dt.datetime | None = None) -> bool:
    """Marks an edit: counts the time since the previous save as editing when under five minutes.
    False (nothing changed) when the application is no longer a draft."""
    now = now or utcnow()
    lock(application)
    last = application.last_edit_at
    gap = (now - last).total_seconds() if last is not None else None
    add = int(round(gap)) if gap is not None and 0 <= gap < EDIT_GAP_SECONDS else 0
    result = db.session.execute(
        update(Application).where(Application.id == application.id, Application.status == DRAFT)
        .values(last_edit_at=now, editing_seconds=Application.editing_seconds + add)
        .execution_options(synchronize_session=False))
    db.session.refresh(application)
    return result.rowcount == 1


# --- drafts --------------------------------------------------------------------------------------

def serialize(*forms) -> dict[str, list[str]]:
    """Exactly what was typed, field name -> values, with repeated rows renumbered in order."""
    out: dict[str, list[str]] = {}

    def raw(f) -> list[str]:
        if f.raw_data is not None:
            return [str(v) for v in f.raw_data if isinstance(v, (str, int, float))]
        if f.type in ("MultiCheckboxField", "SelectMultipleField"):
            return [str(v) for v in (f.data or [])]
        if f.type == "BooleanField":
            return ["y"] if f.data else []
        value = f._value() if hasattr(f, "_value") else f.data  # a select has no text of its own
        return [] if value is None else [str(value)]

    for form in forms:
        for f in form:
            if f.short_name in _SKIP_FIELDS or f.type in ("FileField", "CSRFTokenField", "SubmitField"):
                continue
            if isinstance(f, FieldList):
                for i, entry in enumerate(f.entries):
                    for sub in entry.form:
                        out[f"{f.name}-{i}-{sub.short_name}"] = raw(sub)
            else:
                out[f.name] = raw(f)
    return out


def draft_formdata(application: Application) -> MultiDict | None:
    if not application.draft_form:
        return None
    return MultiDict([(k, v) for k, values in application.draft_form.items() for v in values])


def stored_answers(application: Application) -> dict:
    answers = {a.question_id: a.value for a in application.answers}
    out = {}
    for q in application.program.questions:
        if q.kind == "file":
            out[q.key] = next((True for a in application.attachments if a.question_id == q.id), None)
        else:
            out[q.key] = answers.get(q.id)
    return out


def save_draft(application: Application, form, answers_form, user, client_rev: str | None = None) -> list:
    """Writes every field whose value fits (fields with errors keep their typed text in
    `draft_form` only) and stores uploads; returns the attachments stored."""
    program = application.program
    if not form.title.errors:
        application.title = form.title.data or ""
    if not form.summary.errors:
        application.summary = form.summary.data or ""
    if not form.community_voice.errors:
        application.community_voice = form.community_voice.data or ""
    if not form.amount_requested.errors:
        application.amount_requested_cents = form.amount_requested.cents
    from grantflow.chna.models import Place, PriorityNeed

    if not form.needs.errors:
        ids = set(form.needs.data or [])
        application.needs = list(db.session.execute(select(PriorityNeed).where(
            PriorityNeed.id.in_(ids or {-1}), PriorityNeed.funder_id == program.funder_id)).scalars())
    if not form.places.errors:
        ids = set(form.places.data or [])
        application.places = list(db.session.execute(select(Place).where(
            Place.id.in_(ids or {-1}), Place.funder_id == program.funder_id)).scalars())
    lines = []
    for i, entry in enumerate(form.budget.entries):
        f = entry.form
        if f.errors or not (f.category.data or f.amount.cents is not None):
            continue
        lines.append(BudgetLine(position=i, category=f.category.data or "", description=f.description.data or "",
                                amount_cents=f.amount.cents or 0))
    application.budget_lines = lines
    application.outcomes = [{"metric": e.form.metric.data, "target": e.form.target.data or ""}
                            for e in form.outcomes.entries if e.form.metric.data and not e.form.errors]
    stored = []
    if answers_form is not None:
        by_question = {a.question_id: a for a in application.answers}
        values = answers_from_form(answers_form)
        for q in answers_form.questions:
            fld = answers_form[field_name(q)]
            if q.kind == "file":
                upload = values.get(q.key)
                if upload is not None and not fld.errors:
                    try:
                        att = attachments.store(application, upload, user_id=user.id, question_id=q.id)
                    except attachments.UploadError as exc:
                        fld.errors = [*fld.errors, str(exc)]
                        continue
                    for old in [a for a in application.attachments if a.question_id == q.id and a is not att]:
                        attachments.delete(old)
                    stored.append(att)
                    _set_answer(application, by_question, q, {"attachment_id": att.id})
                continue
            if fld.errors:
                continue
            _set_answer(application, by_question, q, values.get(q.key))
    upload = form.attachment.data
    if upload is not None and getattr(upload, "filename", None):
        try:
            stored.append(attachments.store(application, upload, user_id=user.id))
        except attachments.UploadError as exc:
            form.attachment.errors = [*form.attachment.errors, str(exc)]
    for att in stored:
        auditlog.record("attachment.uploaded", att, after={"application_id": application.id, "sha256": att.sha256,
                                                            "size": att.size, "mime_type": att.mime_type})
    forms = [form] + ([answers_form] if answers_form is not None else [])
    # The browser's revision id of what it sent: its autosave script compares it with its own copy.
    application.draft_form = serialize(*forms) | {"_rev": [client_rev or ""]}
    application.updated_at = utcnow()
    db.session.flush()
    return stored


def _set_answer(application, by_question, q, value) -> None:
    answer = by_question.get(q.id)
    if value is None or value == [] or value == "":
        if answer is not None:
            application.answers.remove(answer)
        return
    if answer is None:
        application.answers.append(Answer(question_id=q.id, value=value))
    else:
        answer.value = value


# --- submission and withdrawal -----------------------------------------------------------------------

def submit(application: Application, user, now: dt.datetime | None = None) -> bool:
    """Submits a complete draft once: True when this call submitted it, False when it already was.

    NotOpen when the program's close time (server clock) has passed."""
    now = now or utcnow()
    program = application.program
    reason = not_open_reason(program, now)
    if reason:
        raise NotOpen(reason)
    rubric = program.current_rubric
    result = db.session.execute(
        update(Application).where(Application.id == application.id, Application.status == DRAFT)
        .values(status=SUBMITTED, submitted_at=now, rubric_id=rubric.id if rubric else None,
                draft_form=None, updated_at=now)
        .execution_options(synchronize_session=False))
    db.session.refresh(application)
    if result.rowcount != 1:
        return False
    transition(application, DRAFT, SUBMITTED, user.id, "Submitted")
    send_mail(user.email, f"Application received: {application.title}",
              f"Thank you. {application.applicant.name}'s application “{application.title}” to "
              f"{program.title} ({program.funder.name}) was received on "
              f"{to_local(now, program.timezone):%B %d, %Y at %I:%M %p %Z}.\n\n"
              f"Amount requested: ${(application.amount_requested_cents or 0) / 100:,.2f}\n"
              f"Reference number: {application.id}\n\n"
              f"Follow its status here: {url_for('applications.status', app_id=application.id, _external=True)}\n\n"
              f"You can withdraw it until the deadline, {local_deadline(program)}.\n")
    return True


def withdraw(application: Application, user, now: dt.datetime | None = None) -> bool:
    now = now or utcnow()
    program = application.program
    if program.closes_at is not None and now >= program.closes_at:
        raise NotOpen(f"The deadline was {local_deadline(program)}; after it an application can no longer "
                      f"be withdrawn here. Contact {program.contact_name or program.funder.name}"
                      f"{' at ' + program.contact_email if program.contact_email else ''}.")
    lock(application)
    before = application.status
    result = db.session.execute(
        update(Application).where(Application.id == application.id, Application.status.in_((DRAFT, SUBMITTED)))
        .values(status=WITHDRAWN, updated_at=now).execution_options(synchronize_session=False))
    db.session.refresh(application)
    if result.rowcount != 1:
        return False
    transition(application, before, WITHDRAWN, user.id, "Withdrawn by the applicant")
    return True
