"""Applications: start a draft, save what was typed (at any time), submit once, withdraw.

The service takes and returns plain data — a `DraftInput` in, problems keyed by field out
(`grantflow.applications.drafts`) — so the edit page, a CLI, an importer or an API use it alike.

Every transition is a conditional UPDATE on the application's status (after a row lock where the
database has one), so two requests racing — a double-clicked submit, an autosave arriving after
the submission — cannot both succeed: the loser sees the status already moved.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from grantflow.applications import activity, attachments, submission_copy
from grantflow.applications.drafts import (
    BudgetLineInput, Catalog, DraftInput, OutcomeInput, answer_key, format_problems, missing, row_ok,
)
from grantflow.applications.models import (
    DRAFT, SUBMITTED, WITHDRAWN, Answer, Application, Attachment, BudgetLine, StatusChange,
)
from grantflow.accounts.models import Membership
from grantflow.blind.tasks import MAKE_COPIES
from grantflow.chna.models import Place, PriorityNeed
from grantflow.core import auditlog, events, uow
from grantflow.core import roles as R
from grantflow.core.db import db, utcnow
from grantflow.core.i18n import current_locale, format_when, in_language
from grantflow.core.mail import send_mail
from grantflow.core.money import format_money
from grantflow.core.timeutil import to_local
from grantflow.organizations.models import Organization
from grantflow.programs.models import PUBLISHED
from grantflow.tasks import enqueue

# Time between two saves counts as editing when shorter than this (longer gaps are breaks).
EDIT_GAP_SECONDS = 5 * 60


class ApplicationError(Exception):
    """A refusal the view shows as a message."""


class NotOpen(ApplicationError):
    pass


class Incomplete(ApplicationError):
    """A submission refused: `problems` maps each field to what it still needs."""

    def __init__(self, problems: Mapping[str, str]):
        super().__init__(f"{len(problems)} field(s) need attention before this application can be submitted.")
        self.problems = dict(problems)


# --- the program's window -------------------------------------------------------------------------

def local_deadline(program) -> str:
    local = to_local(program.closes_at, program.timezone)
    if local is None:
        return _("no deadline")
    return f"{format_when(local, 'deadline')} ({program.timezone})"


def not_open_reason(program, now: dt.datetime | None = None) -> str | None:
    """None when `program` accepts applications at `now` (the server's clock); else why not."""
    now = now or utcnow()
    if program.status != PUBLISHED:
        return _("%(program)s is not open for applications.", program=program.title)
    if program.opens_at is not None and now < program.opens_at:
        return _("%(program)s opens for applications on %(when)s.", program=program.title,
                 when=format_when(to_local(program.opens_at, program.timezone), "deadline"))
    if program.closes_at is not None and now >= program.closes_at:
        return _("The deadline for %(program)s was %(when)s. Applications can no longer be submitted.",
                 program=program.title, when=local_deadline(program))
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


def applicant_organizations(user) -> list[Organization]:
    """The organizations `user` may apply for (as an admin or editor of their team), networks'
    accepted members loaded with them."""
    return list(db.session.execute(
        select(Organization).join(Membership, Membership.organization_id == Organization.id)
        .where(Membership.user_id == user.id, Membership.role == R.APPLICANT,
               Membership.team_role.in_(R.TEAM_EDITORS))
        .order_by(Membership.id).options(selectinload(Organization.members))).scalars())


def drafts_by_applicant(program, organization_ids) -> dict[tuple[int, int | None], Application]:
    """The draft (the oldest, should there be several) of each (organization, member it applies
    for, or None) among these organizations, in one query."""
    out: dict[tuple[int, int | None], Application] = {}
    for a in db.session.execute(select(Application).where(
            Application.program_id == program.id, Application.status == DRAFT,
            Application.organization_id.in_(sorted(set(organization_ids)))).order_by(Application.id)).scalars():
        out.setdefault((a.organization_id, a.on_behalf_of_id), a)
    return out


def profile_places(program, org) -> list[Place]:
    """The funder's places that the applicant's profile names: a place itself, or a smaller area
    inside it (a block group's code starts with its tract's), so a new draft starts from them."""
    codes = [str(c) for c in (org.service_area or []) if c]
    if not codes:
        return []
    places = db.session.execute(select(Place).where(Place.funder_id == program.funder_id)
                                .order_by(Place.name)).scalars().all()
    return [p for p in places if any(c == p.geoid or (len(c) > len(p.geoid) and c.startswith(p.geoid))
                                     for c in codes)]


def start(program, org, user, on_behalf_of=None) -> Application:
    reason = not_open_reason(program)
    if reason:
        raise NotOpen(reason)
    application = Application(program=program, organization=org, on_behalf_of=on_behalf_of,
                              created_by_id=user.id, status=DRAFT, title="", summary="",
                              community_voice="", outcomes=[], editing_seconds=0,
                              places=profile_places(program, on_behalf_of or org))
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

@dataclass(frozen=True)
class Stale:
    """A save made from an older version of the draft than the stored one, which someone else saved
    (`yours`: the same person, from another page: a second window or device)."""

    by: str
    at: dt.datetime | None
    revision: int
    yours: bool = False

    def message(self, tz: str) -> str:
        local = to_local(self.at, tz)
        if self.yours:
            rest = _("Nothing you typed here is saved yet, and it is all still on this page. To keep this page's "
                     "version, save again: it replaces the other one. To see the other one first, open the draft "
                     "again (copy what you want to keep).")
            if local is None:
                return _("You saved another version of this draft in another window or on another device, after "
                         "you opened this page.") + " " + rest
            return _("You saved another version of this draft in another window or on another device at %(time)s "
                     "on %(day)s, after you opened this page.",
                     time=format_when(local, "time"), day=format_when(local, "day")) + " " + rest
        rest = _("Nothing you typed here is saved yet, and it is all still on this page. To keep your version, "
                 "save again: it replaces theirs. To see theirs first, open the draft again (copy what you want "
                 "to keep).")
        if local is None:
            return _("%(name)s saved another version of this draft, after you opened it.", name=self.by) + " " + rest
        return _("%(name)s saved another version of this draft at %(time)s on %(day)s, after you opened it.",
                 name=self.by, time=format_when(local, "time"), day=format_when(local, "day")) + " " + rest


def parse_revision(value) -> int | None:
    """The draft revision a page was made from (None when it names none, or not one we gave)."""
    text = str(value or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else None


def stale_draft(application: Application, base_revision, user, page_token: str | None = None) -> Stale | None:
    """Whether saving from `base_revision` would overwrite a newer version saved by another person,
    or by the same one from another page (`page_token` names the page a save comes from: two
    windows or devices of one person overwrote each other unwarned; the same page's autosave still
    in flight is no conflict). The row is locked first, so of two saves from the same version the
    second one is told."""
    base = parse_revision(base_revision)
    if base is None:
        return None
    lock(application)
    if application.draft_revision == base or application.last_edited_by_id is None:
        return None
    yours = application.last_edited_by_id == user.id
    if yours and page_token and saved_from(application) == page_token:
        return None
    editor = application.last_edited_by
    return Stale(editor.name if editor else _("Someone"), application.last_edit_at, application.draft_revision,
                 yours=yours)


def saved_from(application: Application) -> str | None:
    """The page token of the draft's last save from the form (None for one saved otherwise)."""
    return ((application.draft_form or {}).get("_page") or [None])[0]


def _fields_of(data: DraftInput) -> dict:
    """A draft's values by field key, to tell which fields a save changed."""
    return {"title": data.title, "summary": data.summary, "community_voice": data.community_voice,
            "amount_requested": data.amount_requested_cents, "needs": sorted(data.need_ids),
            "places": sorted(data.place_ids), "budget": list(data.budget), "outcomes": list(data.outcomes)} | {
        answer_key(k): v for k, v in data.answers.items()}


@dataclass(frozen=True)
class DraftResult:
    """What a save did: `problems` maps every field that was not written to its message (the
    typed text stays in `draft_form`); `stored` are the files attached by this save."""

    problems: Mapping[str, str]
    stored: tuple[Attachment, ...] = ()


def stored_answers(application: Application) -> dict:
    answers = {a.question_id: a.value for a in application.answers}
    out = {}
    for q in application.program.questions:
        if q.kind == "file":
            out[q.key] = next((True for a in application.attachments if a.question_id == q.id), None)
        else:
            out[q.key] = answers.get(q.id)
    return out


def stored_input(application: Application) -> DraftInput:
    """The draft as stored, as the input that would store it again (what a submission without new
    input is checked against)."""
    answers = {a.question_id: a.value for a in application.answers}
    return DraftInput(
        title=application.title or "", summary=application.summary or "",
        community_voice=application.community_voice or "", amount_requested_cents=application.amount_requested_cents,
        need_ids=tuple(n.id for n in application.needs), place_ids=tuple(p.id for p in application.places),
        budget=tuple(BudgetLineInput(b.category, b.description, b.amount_cents) for b in application.budget_lines),
        outcomes=tuple(OutcomeInput(o.get("metric", ""), o.get("target", "")) for o in application.outcomes or []),
        answers={q.key: answers.get(q.id) for q in application.program.questions if q.kind != "file"})


def _funder_choices(program) -> tuple[dict[int, PriorityNeed], dict[int, Place]]:
    """The needs and places of the program's funder that an application may name."""
    needs = db.session.execute(select(PriorityNeed).where(PriorityNeed.funder_id == program.funder_id)).scalars()
    places = db.session.execute(select(Place).where(Place.funder_id == program.funder_id)).scalars()
    return {n.id: n for n in needs}, {p.id: p for p in places}


def _catalog(needs: dict, places: dict) -> Catalog:
    return Catalog(frozenset(needs), frozenset(places))


def save_draft(application: Application, data: DraftInput, user, client_rev: str | None = None,
               page_token: str | None = None) -> DraftResult:
    """Writes every field of `data` that passes its checks (the others keep their stored value)
    and stores uploads; `client_rev` is the browser's revision id of what it sent (its autosave
    script compares it with its own copy)."""
    program = application.program
    needs, places = _funder_choices(program)
    problems = format_problems(program, data, _catalog(needs, places))
    ok = lambda key: key not in problems  # noqa: E731
    before = _fields_of(stored_input(application))
    if ok("title"):
        application.title = data.title
    if ok("summary"):
        application.summary = data.summary
    if ok("community_voice"):
        application.community_voice = data.community_voice
    if ok("amount_requested"):
        application.amount_requested_cents = data.amount_requested_cents
    if ok("needs"):
        application.needs = [needs[i] for i in sorted(set(data.need_ids))]
    if ok("places"):
        application.places = [places[i] for i in sorted(set(data.place_ids))]
    application.budget_lines = [
        BudgetLine(position=i, category=line.category, description=line.description,
                   amount_cents=line.amount_cents or 0)
        for i, line in enumerate(data.budget)
        if row_ok("budget", i, problems) and (line.category or line.amount_cents is not None)]
    application.outcomes = [{"metric": o.metric, "target": o.target} for i, o in enumerate(data.outcomes)
                            if o.metric and row_ok("outcomes", i, problems)]
    stored = []
    by_question = {a.question_id: a for a in application.answers}
    for q in program.questions:
        key, value = answer_key(q.key), data.answers.get(q.key)
        if not ok(key):
            continue
        if q.kind != "file":
            _set_answer(application, by_question, q, value)
        elif value is not None and getattr(value, "filename", None):
            try:
                att = attachments.store(application, value, user_id=user.id, question_id=q.id)
            except attachments.UploadError as exc:
                problems[key] = str(exc)
                continue
            for old in [a for a in application.attachments if a.question_id == q.id and a is not att]:
                attachments.delete(old)
            stored.append(att)
            _set_answer(application, by_question, q, {"attachment_id": att.id})
    upload = data.attachment
    if upload is not None and getattr(upload, "filename", None):
        try:
            stored.append(attachments.store(application, upload, user_id=user.id))
        except attachments.UploadError as exc:
            problems["attachment"] = str(exc)
    for att in stored:
        auditlog.record(activity.ATTACHED, application, actor_id=user.id, after={
            "attachment_id": att.id, "name": att.original_name, "sha256": att.sha256, "size": att.size,
            "mime_type": att.mime_type})
    application.draft_form = ({k: [str(v) for v in values] for k, values in data.typed.items()}
                              | {"_rev": [client_rev or ""], "_page": [page_token or ""]}) if data.typed else None
    application.updated_at = utcnow()
    application.draft_revision = (application.draft_revision or 0) + 1
    application.last_edited_by_id = user.id
    application.language = current_locale()
    db.session.flush()
    after = _fields_of(stored_input(application))
    activity.record_edit(application, user.id, [k for k in after if before.get(k) != after[k]])
    return DraftResult(problems, tuple(stored))


def remove_attachment(application: Application, attachment_id: int) -> bool:
    """Deletes one of the application's files (and the answer that named it); False when the
    application has no file with that id."""
    att = next((a for a in application.attachments if a.id == attachment_id), None)
    if att is None:
        return False
    auditlog.record(activity.DETACHED, application, before={"attachment_id": att.id, "name": att.original_name,
                                                            "sha256": att.sha256})
    for ans in [a for a in application.answers
                if isinstance(a.value, dict) and a.value.get("attachment_id") == att.id]:
        application.answers.remove(ans)
    attachments.delete(att)
    return True


def submission_problems(application: Application, data: DraftInput | None = None) -> dict[str, str]:
    """Everything that stops `application` from being submitted with `data` (default: what is
    stored), by field: each value that cannot be stored, and what a submission still needs."""
    program = application.program
    data = stored_input(application) if data is None else data
    catalog = _catalog(*_funder_choices(program))
    problems = format_problems(program, data, catalog)
    files = frozenset(a.question_id for a in application.attachments if a.question_id is not None)
    return problems | missing(program, data, problems, catalog, answered_files=files)


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

def submit(application: Application, user, data: DraftInput | None = None, now: dt.datetime | None = None) -> bool:
    """Submits a complete draft once: True when this call submitted it, False when it already was.

    NotOpen when the program's close time (server clock) has passed; Incomplete (with every
    problem by field) when the draft — `data` as just saved, or else what is stored — is not
    ready (`submission_problems`)."""
    now = now or utcnow()
    program = application.program
    reason = not_open_reason(program, now)
    if reason:
        raise NotOpen(reason)
    if application.status == DRAFT:
        problems = submission_problems(application, data)
        if problems:
            raise Incomplete(problems)
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
    events.emit("application.submitted", funder_id=program.funder_id,
                data={"application_id": application.id, "program": program.slug,
                      "submitted_at": now.isoformat(timespec="seconds")})
    if program.blind_review:  # the reviewers' copies, made before anyone asks (grantflow/blind/copies.py)
        app_id = application.id
        uow.after_commit(lambda: enqueue(MAKE_COPIES, app_id))
    submission_copy.store(application)
    with in_language(application.applicant.language):
        subject = _("Application received: %(title)s", title=application.title)
        body = _("Thank you. %(applicant)s's application “%(title)s” to %(program)s (%(funder)s) was received "
                 "on %(when)s.", applicant=application.applicant.name, title=application.title,
                 program=program.title, funder=program.funder.name,
                 when=format_when(to_local(now, program.timezone), "deadline")) + "\n\n" + "\n".join((
            _("Amount requested: %(amount)s", amount=format_money(application.amount_requested_cents or 0)),
            _("Reference number: %(id)s", id=application.id), "",
            _("Follow its status here: %(url)s",
              url=url_for("applications.status", app_id=application.id, _external=True)),
            _("A copy of what you sent (PDF): %(url)s",
              url=url_for("applications.submission_copy_pdf", app_id=application.id, _external=True)), "",
            _("You can withdraw it until the deadline, %(when)s.", when=local_deadline(program)))) + "\n"
    send_mail(user.email, subject, body, key=f"application.submitted:{application.id}",
              event="application.submitted", funder_id=program.funder_id)
    return True


def _contact(program) -> str:
    """Whom an applicant writes to about a program: "Pat Officer at po@example.org"."""
    name = program.contact_name or program.funder.name
    return _("%(name)s at %(email)s", name=name, email=program.contact_email) if program.contact_email else name


def withdraw(application: Application, user, now: dt.datetime | None = None) -> bool:
    """Withdraws a draft or a submission before the deadline, and tells the person who did it."""
    now = now or utcnow()
    program = application.program
    if program.closes_at is not None and now >= program.closes_at:
        raise NotOpen(_("The deadline was %(when)s; after it an application can no longer be withdrawn here. "
                        "Contact %(contact)s.", when=local_deadline(program), contact=_contact(program)))
    lock(application)
    before = application.status
    result = db.session.execute(
        update(Application).where(Application.id == application.id, Application.status.in_((DRAFT, SUBMITTED)))
        .values(status=WITHDRAWN, updated_at=now).execution_options(synchronize_session=False))
    db.session.refresh(application)
    if result.rowcount != 1:
        return False
    transition(application, before, WITHDRAWN, user.id, "Withdrawn by the applicant")
    with in_language(application.applicant.language):
        title = application.title or _("untitled draft")
        subject = _("Application withdrawn: %(title)s", title=title)
        body = (_("%(applicant)s's application “%(title)s” to %(program)s (%(funder)s) was withdrawn by %(name)s "
                  "on %(when)s. It will not be reviewed and cannot be submitted again.",
                  applicant=application.applicant.name, title=title, program=program.title,
                  funder=program.funder.name, name=user.name,
                  when=format_when(to_local(now, program.timezone), "deadline"))
                + "\n\n" + _("Reference number: %(id)s", id=application.id) + "\n"
                + url_for("applications.status", app_id=application.id, _external=True) + "\n\n"
                + _("If this was a mistake, contact %(contact)s.", contact=_contact(program)) + "\n")
    send_mail(user.email, subject, body, key=f"application.withdrawn:{application.id}",
              event="application.withdrawn", funder_id=program.funder_id)
    return True
