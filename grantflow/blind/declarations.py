"""Conflicts of interest that work blind (as HotCRP does it).

A reviewer cannot say whether they know an applicant whose name is hidden, so in a blind program
they declare before reading any of its applications: against the list of every organization that
applied (names only, in alphabetical order, not tied to applications), and with their own
affiliations, which are matched against every applicant's names, short forms and acronyms (now
and for later applications: grantflow/reviews/assignment.py `blind_conflicts`). Conflicted
applications are never assigned to them; assignments they already had are recused and given to
another reviewer. An organization that applies after the declaration brings the declaration page
back. While reading, "I think I know who this is" recuses the reviewer and tells the program
officers (an email and a flag on the assignments page).
"""
from __future__ import annotations

from collections import defaultdict

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from grantflow.accounts.models import Membership, User
from grantflow.accounts.services import language_of
from grantflow.applications.models import Application
from grantflow.blind.lexicon import organization_terms
from grantflow.blind.models import BlindDeclaration
from grantflow.blind.textmatch import Matcher
from grantflow.core import auditlog
from grantflow.core import roles as R
from grantflow.core.db import db, utcnow
from grantflow.core.i18n import in_language
from grantflow.core.mail import send_mail
from grantflow.core.translations import localized
from grantflow.organizations.models import ACCEPTED, NetworkMembership, Organization
from grantflow.reviews import assignment as assign
from grantflow.reviews import reasons
from grantflow.reviews.models import ASSIGNED, ConflictOfInterest, ReviewAssignment

MAX_AFFILIATIONS = 2000  # characters


def applicants(program) -> list[Organization]:
    """Every organization that applied (or was applied for) and is in or past review, by name."""
    rows = db.session.execute(
        select(Application.organization_id, Application.on_behalf_of_id)
        .where(Application.program_id == program.id, Application.status.in_(assign.ASSIGNABLE))
    ).all()
    ids = {o for row in rows for o in row if o is not None}
    if not ids:
        return []
    return list(db.session.execute(
        select(Organization).where(Organization.id.in_(ids)).order_by(Organization.name, Organization.id)
    ).scalars())


def declaration_of(program, user) -> BlindDeclaration | None:
    return db.session.execute(select(BlindDeclaration).where(
        BlindDeclaration.program_id == program.id, BlindDeclaration.reviewer_id == user.id)).scalar_one_or_none()


def needs_declaration(program, user) -> bool:
    """True while the reviewer has not declared against every organization that applied."""
    if not program.blind_review:
        return False
    d = declaration_of(program, user)
    return d is None or bool({o.id for o in applicants(program)} - set(d.organization_ids or []))


def affiliation_matchers(orgs: list[Organization]) -> dict[int, Matcher]:
    """Organization id -> a matcher of its names, its fiscal sponsor's and its networks' (with their
    short forms and acronyms); one query for any number of organizations."""
    networks: dict[int, list[str]] = defaultdict(list)
    if orgs:
        for member_id, name in db.session.execute(
                select(NetworkMembership.member_id, Organization.name)
                .join(Organization, Organization.id == NetworkMembership.network_id)
                .where(NetworkMembership.member_id.in_([o.id for o in orgs]), NetworkMembership.status == ACCEPTED)
                .order_by(NetworkMembership.member_id, Organization.id)):
            networks[member_id].append(name)
    out = {}
    for org in orgs:
        terms = organization_terms(org.name, "organization") + organization_terms(org.fiscal_sponsor_name, "sponsor")
        for name in networks[org.id]:
            terms += organization_terms(name, "network")
        out[org.id] = Matcher(terms)
    return out


def affiliation_match(affiliations: str | None, matchers: list[Matcher]) -> str | None:
    """The first affiliation line that names an applicant (see `affiliation_matchers`)."""
    lines = [line.strip() for line in (affiliations or "").splitlines() if line.strip()]
    for matcher in matchers:
        for line in lines:
            if any(m.term is not None for m in matcher.matches(line)):
                return line
    return None


def declare(program, user, *, conflict_ids: list[int], affiliations: str) -> list[ConflictOfInterest]:
    """Records the reviewer's declaration; recuses them where it finds a conflict (refilling the
    freed places) and confirms their other assignments of the program. Returns the new conflicts."""
    listed = applicants(program)
    listed_ids = {o.id for o in listed}
    chosen = sorted(set(conflict_ids) & listed_ids)
    d = declaration_of(program, user)
    before = None if d is None else {"conflict_ids": d.conflict_ids, "affiliations": d.affiliations}
    if d is None:
        d = BlindDeclaration(program_id=program.id, reviewer_id=user.id)
        db.session.add(d)
    d.organization_ids, d.conflict_ids = sorted(listed_ids), chosen
    d.affiliations, d.declared_at = (affiliations or "").strip()[:MAX_AFFILIATIONS], utcnow()
    db.session.flush()
    auditlog.record("blind.declaration", d, before=before,
                    after={"conflict_ids": chosen, "affiliations": d.affiliations}, actor_id=user.id)
    apps = db.session.execute(
        select(Application.id, Application.organization_id, Application.on_behalf_of_id)
        .where(Application.program_id == program.id, Application.status.in_(assign.ASSIGNABLE))
        .order_by(Application.id)).all()
    found = assign.blind_conflicts([tuple(a) for a in apps], [user.id])
    made = []
    for app_id, _, _ in apps:
        reason = found.get((app_id, user.id))
        asg = _assignment(app_id, user.id)
        if reason is None:
            if asg is not None and asg.status == ASSIGNED and asg.no_conflict_confirmed_at is None:
                asg.no_conflict_confirmed_at = utcnow()
            continue
        source = assign.DECLARED if reason.code == reasons.BLIND_DECLARED else assign.AFFILIATION
        made.append(assign.record_conflict(app_id, user.id, reason, user.id, source=source))
        if asg is not None and asg.status == ASSIGNED:
            assign.recuse(asg)
    db.session.flush()
    return made


def recognize(asg: ReviewAssignment, note: str) -> ConflictOfInterest:
    """"I think I know who this is": recuses the reviewer, refills the place, tells the officers."""
    reason = reasons.Reason(reasons.RECOGNIZED, {"note": (note or "").strip()[:2000]})
    coi = assign.record_conflict(asg.application_id, asg.reviewer_id, reason, asg.reviewer_id,
                                 source=assign.RECOGNIZED)
    assign.recuse(asg)
    application = db.session.get(Application, asg.application_id)
    program = application.program
    reviewer = db.session.get(User, asg.reviewer_id)
    for officer in program_officers(program.funder_id):
        with in_language(language_of(officer)):  # each officer is written to in their own language
            body = "\n\n".join((
                _("%(reviewer)s recused themselves from application #%(id)s of %(program)s: they think they know "
                  "who the applicant is, so blind review did not hold for them.", reviewer=reviewer.name,
                  id=application.id, program=localized(program, "title").text),
                str(reason),
                _("The application was given to another reviewer where one was free; see the program's reviewer "
                  "assignments.")))
            send_mail(officer.email, _("A reviewer may know the applicant of application #%(id)s", id=application.id),
                      body, key=f"blind.recognized:{coi.id}:{officer.email}", event="blind.recognized",
                      funder_id=program.funder_id)
    return coi


def program_officers(funder_id: int) -> list[User]:
    """The funder's active program officers, with their memberships (which say their language)."""
    return list(db.session.execute(
        select(User).options(selectinload(User.memberships).selectinload(Membership.organization))
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.organization_id == funder_id, Membership.role == R.PROGRAM_OFFICER, User.active.is_(True))
        .order_by(User.email).distinct()).scalars())


def _assignment(app_id: int, reviewer_id: int) -> ReviewAssignment | None:
    return db.session.execute(select(ReviewAssignment).where(
        ReviewAssignment.application_id == app_id, ReviewAssignment.reviewer_id == reviewer_id)).scalar_one_or_none()
