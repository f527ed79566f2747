"""Releasing decisions to applicants, as a deliberate act, and telling them of later changes.

A decision is hidden from its applicant until a release makes it visible (`Decision.released_at`).
The officer reads the pre-flight (`preflight`: how many applicants will be told what, what is
still undecided or ineligible, whether the application or review period is still open, which
letters are issued, each message as it will read), chooses the kinds to release (awards first,
say), and confirms by typing the number of applicants to tell. While applications are still open a
release needs a reason, which is recorded. A release happens now or on the program's release date
(a queue job, `RELEASE_TASK`, cancellable until it runs; `perform_due` catches any the queue
lost). Performed, it holds for `RELEASE_HOLD_MINUTES`: the decisions become visible and the
messages (through the outbox, `not_before`) leave when the hold ends; until then `call_off` undoes
it, cancelling the messages. A release is done once per decision: each decision is told once,
by the release that made it visible.

After release, a change of outcome or amount (`tell_change`, called by `services.decide`, which
asks for a reason) makes a new `DecisionVersion`, supersedes the decision's current letter
(grantflow/letters/services.py, `supersede_current`) and sends the applicant one message saying
what changed.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select

from grantflow.accounts.models import Membership, User
from grantflow.applications import models as A
from grantflow.applications.models import Application
from grantflow.core import auditlog, events, uow
from grantflow.core import outbox as ob
from grantflow.core import roles as R
from grantflow.core.db import db, utcnow
from grantflow.core.i18n import in_language
from grantflow.core.mail import send_mail
from grantflow.core.money import format_money
from grantflow.core.timeutil import to_local
from grantflow.core.urls import external_url
from grantflow.decisions.models import (
    AWARD, CANCELLED, CHANGED_NOTICE, DECLINE, OUTCOMES, RELEASED, RELEASED_NOTICE, SCHEDULED, UNDONE, WAITLIST,
    Decision, DecisionVersion, Release,
)
from grantflow.letters import delivery
from grantflow.letters.models import IssuedLetter
from grantflow.organizations.models import Organization
from grantflow.programs.models import Program

RELEASE_TASK = "decisions_release"
LABELS = {AWARD: _l("Awarded"), DECLINE: _l("Declined"), WAITLIST: _l("Waitlisted")}
PLURAL = {AWARD: _l("awards"), DECLINE: _l("declines"), WAITLIST: _l("waitlist places")}
NOW, SCHEDULE = "now", "scheduled"


class ReleaseError(Exception):
    """A release that cannot go ahead; `field` names the form field the message belongs to."""

    def __init__(self, field: str | None, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def when_local(value: dt.datetime | None, program: Program) -> str:
    local = to_local(value, program.timezone)
    return f"{local:%B %d, %Y at %I:%M %p %Z}" if local else ""


# --- visibility ------------------------------------------------------------------------------------

def visible(decision: Decision | None, now: dt.datetime | None = None) -> bool:
    return (decision is not None and decision.released_at is not None
            and decision.released_at <= (now or utcnow()))


def released_decision(application: Application) -> Decision | None:
    """The application's decision once it is released to its applicant (after the hold)."""
    decision = db.session.execute(
        select(Decision).where(Decision.application_id == application.id)).scalar_one_or_none()
    return decision if visible(decision) else None


def is_released(program: Program) -> bool:
    """Whether any decision of the program is visible to its applicant yet."""
    return db.session.execute(select(Decision.id).where(
        Decision.program_id == program.id, Decision.released_at.is_not(None),
        Decision.released_at <= utcnow()).limit(1)).first() is not None


def released_count(program: Program) -> int:
    """Decisions visible to their applicants, or about to be (in a release's hold)."""
    return db.session.execute(select(func.count()).select_from(Decision).where(
        Decision.program_id == program.id, Decision.released_at.is_not(None))).scalar_one()


DECIDED_STATUSES = (A.AWARDED, A.DECLINED, A.WAITLISTED)


def told_status(application: Application, sees_decisions: bool) -> tuple[str, list]:
    """The application's status and status history as this viewer may know them: funder staff
    (`sees_decisions`) everything; the applicant nothing of a decision before its release (not
    the status it gave the application, nor its line in the timeline)."""
    history = list(application.history)
    if sees_decisions or application.status not in DECIDED_STATUSES or released_decision(application):
        return application.status, history
    kept = [c for c in history if c.to_status not in DECIDED_STATUSES]
    return (kept[-1].to_status if kept else A.SUBMITTED), kept


def told_statuses(applications: list[Application]) -> dict[int, str]:
    """`told_status` for the applicant's list of applications, in two queries whatever its length."""
    from grantflow.applications.models import StatusChange

    decided = [a.id for a in applications if a.status in DECIDED_STATUSES]
    shown = set(db.session.execute(select(Decision.application_id).where(
        Decision.application_id.in_(decided or [-1]), Decision.released_at <= utcnow())).scalars())
    before = dict(db.session.execute(
        select(StatusChange.application_id, StatusChange.to_status)
        .where(StatusChange.application_id.in_([a for a in decided if a not in shown] or [-1]),
               StatusChange.to_status.not_in(DECIDED_STATUSES)).order_by(StatusChange.id)).all())
    return {a.id: a.status if a.id in shown or a.id not in decided else before.get(a.id, A.SUBMITTED)
            for a in applications}


def history(decision: Decision) -> list[DecisionVersion]:
    """The versions of a decision its applicant has been shown, oldest first."""
    return list(db.session.execute(
        select(DecisionVersion).where(DecisionVersion.decision_id == decision.id,
                                      DecisionVersion.visible_from <= utcnow())
        .order_by(DecisionVersion.number)).scalars())


# --- messages ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Message:
    subject: str
    body: str


def _outcome_words(outcome: str, amount_cents: int) -> str:
    return {AWARD: _("awarded %(amount)s", amount=format_money(amount_cents)), DECLINE: _("not funded this time"),
            WAITLIST: _("on the waitlist")}[outcome]


def release_message(program: Program, title: str, outcome: str, amount_cents: int, link: str) -> Message:
    """What an applicant is told when their decision is released (also the page's preview), in the
    current language (the sender chooses the organization's: `grantflow.core.i18n.in_language`)."""
    where = (_("Read it, with the reviewers' comments for you, on your application's page:") + f"\n{link}\n" if link
             else _("Log in to GrantFlow and open your application's page to read it, with the reviewers' "
                    "comments for you.") + "\n")
    next_step = {AWARD: _("Congratulations. We will be in touch about the grant agreement and next steps."),
                 DECLINE: _("Thank you for the work you put into applying. How the application was scored, and "
                            "what would have strengthened it, are on the same page; you are welcome to apply "
                            "again."),
                 WAITLIST: _("It may still be funded if money becomes available; we will tell you either way.")}[outcome]
    contact = program.contact_email or program.contact_name or ""
    return Message(
        _("Decision on your application to %(program)s", program=program.title),
        _("Hello,") + "\n\n" + _("The decision on your application “%(title)s” to %(program)s is ready: it was "
                                 "%(outcome)s.", title=title or program.title, program=program.title,
                                 outcome=_outcome_words(outcome, amount_cents))
        + f"\n\n{where}\n{next_step}\n"
        + ("\n" + _("Questions: %(contact)s", contact=contact) + "\n" if contact else ""))


def change_message(program: Program, title: str, before: DecisionVersion, after: Decision, reason: str,
                   link: str) -> Message:
    where = (_("Your application's page shows the decision and its history:") + f"\n{link}\n" if link
             else _("Log in to GrantFlow and open your application's page to see the decision and its history.")
             + "\n")
    return Message(
        _("The decision on your application to %(program)s has changed", program=program.title),
        _("Hello,") + "\n\n" + _("The decision on your application “%(title)s” to %(program)s has changed. It was "
                                 "%(before)s; it is now %(after)s.", title=title or program.title,
                                 program=program.title, before=_outcome_words(before.outcome, before.amount_cents),
                                 after=_outcome_words(after.outcome, after.amount_cents))
        + "\n\n" + _("Why: %(reason)s", reason=reason) + f"\n\n{where}")


def recipients(applications: list[Application]) -> dict[int, list[str]]:
    """The applicant users' emails of each application's organization (its creator when it has
    none), in two queries whatever the number of applications."""
    orgs = {a.organization_id for a in applications}
    by_org: dict[int, list[str]] = {}
    for org_id, email in db.session.execute(
            select(Membership.organization_id, User.email).join(User, User.id == Membership.user_id)
            .where(Membership.organization_id.in_(orgs or [-1]), Membership.role == R.APPLICANT,
                   User.active.is_(True)).order_by(User.email)):
        by_org.setdefault(org_id, []).append(email)
    creators = dict(db.session.execute(select(User.id, User.email).where(
        User.id.in_({a.created_by_id for a in applications if a.created_by_id} or {-1}))).all())
    out = {}
    for a in applications:
        emails = list(dict.fromkeys(by_org.get(a.organization_id, [])))
        if not emails and a.created_by_id in creators:
            emails = [creators[a.created_by_id]]
        out[a.id] = emails
    return out


# --- the pre-flight ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Waiting:
    application_id: int
    title: str
    applicant: str
    status: str


@dataclass(frozen=True)
class Preflight:
    program: Program
    outcomes: tuple[str, ...]  # chosen
    waiting: dict[str, int]  # decisions not released yet, per outcome
    released: dict[str, int]  # decisions released (or in their hold), per outcome
    undecided: tuple[Waiting, ...]
    ineligible: tuple[Waiting, ...]
    application_period_open: bool
    review_period_open: bool
    letters: dict[str, tuple[int, int]]  # chosen outcome -> (current letters issued, decisions)
    previews: dict[str, Message]
    scheduled: tuple[Release, ...]
    holding: tuple[Release, ...]
    now: dt.datetime = field(default_factory=utcnow)

    @property
    def count(self) -> int:
        """Applicants the chosen release would tell."""
        return sum(self.waiting.get(o, 0) for o in self.outcomes)

    @property
    def can_schedule(self) -> bool:
        at = self.program.decisions_release_at
        return at is not None and at > self.now


def _pending(program_id: int, outcomes) -> list[Decision]:
    return list(db.session.execute(
        select(Decision).where(Decision.program_id == program_id, Decision.outcome.in_(list(outcomes)),
                               Decision.released_at.is_(None)).order_by(Decision.id)).scalars())


def _application_open(program: Program, at: dt.datetime) -> bool:
    return program.closes_at is not None and at < program.closes_at


def preflight(program: Program, outcomes=OUTCOMES) -> Preflight:
    """Everything the release page shows before anything happens (a fixed number of queries)."""
    now = utcnow()
    outcomes = tuple(o for o in OUTCOMES if o in set(outcomes))
    counts: dict[tuple[str, bool], int] = {
        (o, released): n for o, released, n in db.session.execute(
            select(Decision.outcome, Decision.released_at.is_not(None), func.count())
            .where(Decision.program_id == program.id).group_by(Decision.outcome, Decision.released_at.is_not(None)))}
    waiting = {o: counts.get((o, False), 0) for o in OUTCOMES}
    released = {o: counts.get((o, True), 0) for o in OUTCOMES}
    applicant = func.coalesce(Application.on_behalf_of_id, Application.organization_id)
    rows = db.session.execute(
        select(Application.id, Application.title, Organization.name, Application.status)
        .join(Organization, Organization.id == applicant)
        .outerjoin(Decision, Decision.application_id == Application.id)
        .where(Application.program_id == program.id, Decision.id.is_(None),
               Application.status.not_in((A.DRAFT, A.WITHDRAWN)))
        .order_by(Application.id)).all()
    undecided = tuple(Waiting(*r) for r in rows if r.status != A.INELIGIBLE)
    ineligible = tuple(Waiting(*r) for r in rows if r.status == A.INELIGIBLE)
    letters = {}
    issued = dict(db.session.execute(
        select(Decision.outcome, func.count()).join(IssuedLetter, IssuedLetter.decision_id == Decision.id)
        .where(Decision.program_id == program.id, Decision.released_at.is_(None),
               IssuedLetter.superseded_at.is_(None)).group_by(Decision.outcome)).all())
    for o in outcomes:
        if o in (AWARD, DECLINE):
            letters[o] = (issued.get(o, 0), waiting[o])
    first = select(func.min(Decision.id)).where(Decision.program_id == program.id).group_by(Decision.outcome)
    samples = {o: (app_id, title, amount) for o, app_id, title, amount in db.session.execute(
        select(Decision.outcome, Application.id, Application.title, Decision.amount_cents)
        .join(Application, Application.id == Decision.application_id).where(Decision.id.in_(first)))}
    previews = {}
    for o in outcomes:
        app_id, title, amount = samples.get(o, (None, _("Example project"), program.min_award_cents))
        link = external_url("applications.status", app_id=app_id) if app_id else _("(a link to their application)")
        previews[o] = release_message(program, title, o, amount, link)
    releases = list(db.session.execute(
        select(Release).where(Release.program_id == program.id, Release.status.in_((SCHEDULED, RELEASED)))
        .order_by(Release.id)).scalars())
    return Preflight(
        program, outcomes, waiting, released, undecided, ineligible,
        _application_open(program, now), program.review_ends_at is not None and now < program.review_ends_at,
        letters, previews, tuple(r for r in releases if r.status == SCHEDULED),
        tuple(r for r in releases if r.holding(now)), now)


# --- releasing -------------------------------------------------------------------------------------

def request_release(program: Program, outcomes, *, count: int | None, when: str = NOW, reason: str = "",
                    actor: User | None = None, site_url: str = "") -> Release:
    """Releases (or schedules) the chosen kinds of decisions once the officer confirmed the count;
    ReleaseError (with the field) when it may not go ahead. Nothing is committed here."""
    outcomes = [o for o in OUTCOMES if o in set(outcomes or ())]
    if not outcomes:
        raise ReleaseError("outcomes", _("Choose which decisions to release."))
    if when not in (NOW, SCHEDULE):
        raise ReleaseError("when", _("Choose to release now or on the program's release date."))
    now = utcnow()
    at = now if when == NOW else program.decisions_release_at
    if at is None or at < now:
        raise ReleaseError("when", _("The program has no release date in the future: set one in the program's "
                                   "settings, or release now."))
    waiting = len(_pending(program.id, outcomes))
    if not waiting:
        raise ReleaseError("outcomes", _("No decision of these kinds is waiting to be released."))
    if count != waiting:
        raise ReleaseError("count", _("You typed %(count)s; this release will tell %(waiting)s applicants. Type "
                                      "%(waiting)s to confirm (if the page said %(count)s, decisions changed since "
                                      "you opened it).", waiting=waiting, count=count) if count else
                           _("Type %(waiting)s, the number of applicants this release will tell, to confirm.",
                             waiting=waiting))
    reason = (reason or "").strip()
    if _application_open(program, at) and not reason:
        raise ReleaseError("reason", _("Applications are still open until %(closes)s. Give the reason for releasing "
                                       "decisions before they close.", closes=when_local(program.closes_at, program)))
    release = Release(program_id=program.id, outcomes=outcomes, status=SCHEDULED, scheduled_for=at,
                      confirmed_count=count, reason=reason, site_url=site_url[:300],
                      created_by_id=actor.id if actor else None, created_at=now)
    db.session.add(release)
    db.session.flush()
    auditlog.record("decisions.release_requested", release, actor_id=release.created_by_id,
                    after={"program_id": program.id, "outcomes": outcomes, "when": when, "at": at.isoformat(),
                           "count": count, "reason": reason or None})
    if when == NOW:
        perform(release, now=now)
    else:
        app = current_app._get_current_object()
        release_id = release.id
        uow.after_commit(lambda: _queue(app, release_id, at))
    return release


def _queue(app, release_id: int, at: dt.datetime) -> None:
    from grantflow.tasks import enqueue_at

    try:
        enqueue_at(RELEASE_TASK, at, release_id, app=app)
    except Exception:  # noqa: BLE001 - perform_due (every few minutes) runs what did not reach the queue
        app.logger.exception("could not queue release %s; the periodic check will run it", release_id)


def perform(release: Release, *, now: dt.datetime | None = None) -> int:
    """Makes the release's decisions visible after the hold and queues their messages to leave
    then; returns how many decisions it released. Decisions released before are left alone."""
    now = now or utcnow()
    program = db.session.get(Program, release.program_id)
    hold_until = now + dt.timedelta(minutes=int(current_app.config["RELEASE_HOLD_MINUTES"]))
    decisions = list(db.session.execute(
        select(Decision).where(Decision.program_id == program.id, Decision.outcome.in_(release.outcomes),
                               Decision.released_at.is_(None)).order_by(Decision.id)
        .with_for_update(skip_locked=True)).scalars())
    applications = {a.id: a for a in db.session.execute(
        select(Application).where(Application.id.in_([d.application_id for d in decisions] or [-1]))).scalars()}
    emails = recipients(list(applications.values()))
    numbers = _last_versions([d.id for d in decisions])
    message_ids = []
    letters = delivery.current_letters([d.id for d in decisions])
    for d in decisions:
        application = applications[d.application_id]
        letter = letters.get(d.id)
        db.session.add(DecisionVersion(decision_id=d.id, number=numbers.get(d.id, 0) + 1, kind=RELEASED_NOTICE,
                                       outcome=d.outcome, amount_cents=d.amount_cents, visible_from=hold_until,
                                       release_id=release.id, created_by_id=release.created_by_id))
        link = external_url("applications.status", base_url=release.site_url or None, app_id=application.id)
        with in_language(application.applicant.language):
            message = release_message(program, application.title, d.outcome, d.amount_cents, link)
            body, first = message.body + delivery.release_line(letter, program.funder.name), len(message_ids)
        for to in emails[application.id]:
            message_ids.append(send_mail(to, message.subject, body, key=f"decision.released:{d.id}:{release.id}:{to}",
                                         event="decision.released", funder_id=program.funder_id,
                                         not_before=hold_until).id)
        if letter is not None and len(message_ids) > first:
            letter.message_id = message_ids[first]  # the release's message is the letter's too
        message_ids += [m.id for m in events.emit(
            "decision.released", funder_id=program.funder_id, not_before=hold_until,
            data={"decision_id": d.id, "application_id": application.id, "program": program.slug,
                  "outcome": d.outcome, "amount_cents": d.amount_cents, "release_id": release.id})]
        d.released_at, d.release_id, d.notified_at = hold_until, release.id, now
    release.status, release.performed_at, release.hold_until = RELEASED, now, hold_until
    release.told_count, release.message_ids = len(decisions), message_ids
    auditlog.record("decisions.release", release, actor_id=release.created_by_id,
                    after={"program_id": program.id, "outcomes": release.outcomes, "decisions": len(decisions),
                           "messages": len(message_ids), "visible_from": hold_until.isoformat(),
                           "reason": release.reason or None})
    db.session.flush()
    return len(decisions)


def _last_versions(decision_ids: list[int]) -> dict[int, int]:
    return dict(db.session.execute(
        select(DecisionVersion.decision_id, func.max(DecisionVersion.number))
        .where(DecisionVersion.decision_id.in_(decision_ids or [-1])).group_by(DecisionVersion.decision_id)).all())


def perform_scheduled(release_id: int, *, now: dt.datetime | None = None) -> int:
    """The queue job of a scheduled release: performs it if it is still scheduled and due."""
    now = now or utcnow()
    release = db.session.execute(select(Release).where(Release.id == release_id).with_for_update()).scalar_one_or_none()
    if release is None or release.status != SCHEDULED or release.scheduled_for > now:
        return 0
    return perform(release, now=now)


def perform_due(now: dt.datetime | None = None) -> int:
    """Performs every scheduled release whose time has come (what the queue may have lost)."""
    now = now or utcnow()
    due = db.session.execute(select(Release.id).where(Release.status == SCHEDULED, Release.scheduled_for <= now)
                             .order_by(Release.id)).scalars().all()
    return sum(perform_scheduled(release_id, now=now) for release_id in due)


def call_off(release: Release, actor: User | None = None, *, now: dt.datetime | None = None) -> str:
    """Cancels a scheduled release, or undoes one still in its hold (its decisions hidden again,
    its messages cancelled); returns the new status. ReleaseError when it is too late."""
    now = now or utcnow()
    before = release.status
    if release.status == SCHEDULED:
        release.status = CANCELLED
    elif release.holding(now):
        messages = list(db.session.execute(select(ob.OutboxMessage).where(
            ob.OutboxMessage.id.in_(release.message_ids or [-1])).with_for_update()).scalars())
        ob.cancel(messages)
        if any(m.status != ob.CANCELLED for m in messages):
            raise ReleaseError(None, _("Some of this release's messages have already gone out; it can no longer "
                                     "be undone. Change the decisions one by one instead."))
        db.session.execute(delete(DecisionVersion).where(DecisionVersion.release_id == release.id))
        for d in db.session.execute(select(Decision).where(Decision.release_id == release.id)).scalars():
            d.released_at = d.release_id = d.notified_at = None
        release.status = UNDONE
    else:
        raise ReleaseError(None, _("This release has already gone out; it can no longer be called off."))
    release.ended_at, release.ended_by_id = now, actor.id if actor else None
    auditlog.record(f"decisions.release_{release.status}", release, actor_id=release.ended_by_id,
                    before={"status": before}, after={"status": release.status})
    db.session.flush()
    return release.status


# --- changes after release -------------------------------------------------------------------------

def tell_change(decision: Decision, application: Application, reason: str, actor_id: int | None) -> DecisionVersion:
    """After a released decision changed outcome or amount: a new version the applicant sees now,
    their current letter superseded, and one message saying what changed."""
    from grantflow.letters.services import supersede_current

    now = utcnow()
    program = db.session.get(Program, decision.program_id)
    before = db.session.execute(
        select(DecisionVersion).where(DecisionVersion.decision_id == decision.id)
        .order_by(DecisionVersion.number.desc()).limit(1)).scalar_one()
    version = DecisionVersion(decision_id=decision.id, number=before.number + 1, kind=CHANGED_NOTICE,
                              outcome=decision.outcome, amount_cents=decision.amount_cents, reason=reason,
                              visible_from=now, created_by_id=actor_id)
    db.session.add(version)
    supersede_current(decision.id, actor_id=actor_id, reason=reason)
    with in_language(application.applicant.language):
        message = change_message(program, application.title, before, decision, reason,
                                 external_url("applications.status", app_id=application.id))
    for to in recipients([application])[application.id]:
        send_mail(to, message.subject, message.body, key=f"decision.changed:{decision.id}:{version.number}:{to}",
                  event="decision.changed", funder_id=program.funder_id)
    db.session.flush()
    return version
