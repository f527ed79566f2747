"""Who reviews what: conflicts of interest, hand assignment and load-balanced automatic assignment.

Conflicts from the records: a reviewer with any membership (any role or title — member, board
member, staff, applicant user) in the applying organization, in the organization it applies on
behalf of, or in a network either of them belongs to. Declared conflicts (and earlier recusals)
exclude the reviewer from that application too. In a blind program the reviewer declares before
reading anything (grantflow/blind/declarations.py): the organizations they conflict with, from the
list of every applicant, exclude each application of those organizations, including later ones;
the affiliations they name exclude every application whose organizations' names (with their
short forms and acronyms) they mention; and "I think I know who this is" recuses them. A
conflict's reason is kept as a code and its arguments (grantflow/reviews/reasons.py) and worded in
the language of whoever reads it.

Automatic assignment (`auto_assign`) gives each submitted application `Program.reviewers_per_application`
active reviewers from the panel (the funder's users with the reviewer role), or as many as are
eligible when fewer are. It is a pure function of plain sets (`plan`), so it is tested on its own:

1. greedy: applications in id order, each takes the eligible reviewers with the lowest load
   (active assignments in this program), ties by reviewer id;
2. then local moves: while some assignment made in this run (a, r) has an eligible reviewer r'
   not on a with load(r) >= load(r') + 2, move it to r'. Each move lowers the sum of squared loads,
   so this stops; at the end no single move can even out the loads.

Guaranteed (and tested with Hypothesis): no conflicted assignment; every application gets
min(N, eligible) reviewers; for every assignment made by the run, load(r) - load(r') <= 1 for each
eligible reviewer r' not on that application — so with no conflicts, max load - min load <= 1.
Assignments that already existed (by hand, or with a review begun) are never moved.

New assignments (by hand or automatic) are followed by `progress.on_assigned`: each reviewer is
emailed, and applications move to under review once the application period has closed.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from grantflow.accounts.models import Membership, User
from grantflow.applications import models as A
from grantflow.applications.models import Application
from grantflow.core import auditlog
from grantflow.core import roles as R
from grantflow.core.db import db, utcnow
from grantflow.organizations.models import ACCEPTED, NetworkMembership
from grantflow.programs.models import Program
from grantflow.reviews import progress, reasons
from grantflow.reviews.models import ASSIGNED, RECUSED, SET_ASIDE, ConflictOfInterest, Review, ReviewAssignment
from grantflow.reviews.reasons import Reason

REMOVED = "removed"  # taken off by a program officer (may be assigned again)
RECORDS = "records"
DECLARED = "declared"
AFFILIATION = "affiliation"  # a blind reviewer's affiliation matched the applicant
RECOGNIZED = "recognized"  # a blind reviewer thinks they know who the applicant is
SOURCES = {RECORDS: "records", DECLARED: "declared", AFFILIATION: "affiliation", RECOGNIZED: "recognized"}
# Applications that are in (or past) review; drafts, withdrawn and ineligible ones are not assigned.
ASSIGNABLE = (A.SUBMITTED, A.ELIGIBLE, A.UNDER_REVIEW, A.RECOMMENDED)


class AssignmentError(Exception):
    def __init__(self, field: str | None, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


# --- the pure planner ----------------------------------------------------------------------------

def plan(eligible: dict[int, set[int]], existing: dict[int, set[int]], panel: list[int],
         n: int) -> dict[int, list[int]]:
    """New assignments {application: [reviewers]}; see the module docstring for the guarantees.

    eligible: application -> reviewers who may review it (no conflict, not recused);
    existing: application -> reviewers already actively assigned (count toward loads, never moved).
    """
    load = {r: 0 for r in panel}
    for reviewers in existing.values():
        for r in reviewers:
            if r in load:
                load[r] += 1
    new: dict[int, list[int]] = {}
    for app_id in sorted(eligible):
        have = existing.get(app_id, set())
        need = n - len(have)
        candidates = sorted((r for r in eligible[app_id] if r not in have and r in load),
                            key=lambda r: (load[r], r))
        chosen = candidates[:max(need, 0)]
        for r in chosen:
            load[r] += 1
        if chosen:
            new[app_id] = chosen

    moved = True
    while moved:
        moved = False
        for app_id in sorted(new):
            on_app = set(new[app_id]) | existing.get(app_id, set())
            for i, r in enumerate(new[app_id]):
                free = [x for x in eligible[app_id] if x not in on_app and x in load]
                if not free:
                    break
                target = min(free, key=lambda x: (load[x], x))
                if load[r] >= load[target] + 2:
                    new[app_id][i] = target
                    load[r] -= 1
                    load[target] += 1
                    on_app = (on_app - {r}) | {target}
                    moved = True
    return {a: sorted(rs) for a, rs in new.items()}


# --- loading the facts ---------------------------------------------------------------------------

def panel_ids(funder_id: int) -> list[int]:
    return list(db.session.execute(
        select(Membership.user_id).join(User, User.id == Membership.user_id)
        .where(Membership.organization_id == funder_id, Membership.role == R.REVIEWER, User.active.is_(True))
        .order_by(Membership.user_id).distinct()
    ).scalars())


@dataclass(frozen=True)
class ConflictFacts:
    """Who may not review what, for a set of applications: (application_id, reviewer_id) -> reason
    (worded when shown, in the reader's language)."""

    records: dict[tuple[int, int], Reason]
    declared: dict[tuple[int, int], Reason]
    recused: set[tuple[int, int]]

    def blocked(self, app_id: int, reviewer_id: int) -> Reason | None:
        key = (app_id, reviewer_id)
        if key in self.records:
            return self.records[key]
        if key in self.declared:
            return self.declared[key]
        if key in self.recused:
            return Reason(reasons.RECUSED)
        return None


def conflict_facts(app_rows: list[tuple[int, int, int | None]], reviewer_ids: list[int]) -> ConflictFacts:
    """app_rows: (application_id, organization_id, on_behalf_of_id). A fixed number of queries, any size."""
    app_ids = [a for a, _, _ in app_rows]
    orgs = {o for _, org, behalf in app_rows for o in (org, behalf) if o is not None}
    networks: dict[int, set[int]] = defaultdict(set)
    if orgs:
        for network_id, member_id in db.session.execute(
            select(NetworkMembership.network_id, NetworkMembership.member_id)
            .where(NetworkMembership.member_id.in_(orgs), NetworkMembership.status == ACCEPTED)
        ):
            networks[member_id].add(network_id)
    related = orgs | {n for ns in networks.values() for n in ns}
    member_of: dict[int, dict[int, tuple[str, str | None]]] = defaultdict(dict)  # reviewer -> org -> (role, title)
    if related and reviewer_ids:
        for user_id, org_id, role, title in db.session.execute(
            select(Membership.user_id, Membership.organization_id, Membership.role, Membership.title)
            .where(Membership.user_id.in_(reviewer_ids), Membership.organization_id.in_(related))
        ):
            member_of[user_id][org_id] = (role, title)
    records: dict[tuple[int, int], Reason] = {}
    for app_id, org, behalf in app_rows:
        direct = [o for o in (org, behalf) if o is not None]
        nets = set().union(*(networks.get(o, set()) for o in direct)) if direct else set()
        for reviewer, where in member_of.items():
            for o in direct:
                if o in where:
                    records[(app_id, reviewer)] = reasons.membership(reasons.MEMBER_OF_APPLICANT, *where[o])
                    break
            else:
                for net in sorted(nets):
                    if net in where:
                        records[(app_id, reviewer)] = reasons.membership(reasons.MEMBER_OF_NETWORK, *where[net])
                        break
    declared: dict[tuple[int, int], Reason] = {}
    recused: set[tuple[int, int]] = set()
    if app_ids:
        for app_id, reviewer_id, source, code, args, text in db.session.execute(
            select(ConflictOfInterest.application_id, ConflictOfInterest.reviewer_id, ConflictOfInterest.source,
                   ConflictOfInterest.reason_code, ConflictOfInterest.reason_args, ConflictOfInterest.reason)
            .where(ConflictOfInterest.application_id.in_(app_ids))
        ):
            if source != RECORDS:
                declared[(app_id, reviewer_id)] = reasons.stored(code, args, text)
        for key, reason in blind_conflicts(app_rows, reviewer_ids).items():
            declared.setdefault(key, reason)
        recused = {
            (a, r) for a, r in db.session.execute(
                select(ReviewAssignment.application_id, ReviewAssignment.reviewer_id)
                .where(ReviewAssignment.application_id.in_(app_ids), ReviewAssignment.status == RECUSED)
            )
        }
    return ConflictFacts(records, declared, recused)


def blind_conflicts(app_rows: list[tuple[int, int, int | None]],
                    reviewer_ids: list[int]) -> dict[tuple[int, int], Reason]:
    """(application, reviewer) -> reason, from blind reviewers' declarations: an organization they
    declared a conflict with, or one their affiliations name (matched on the applicant's names)."""
    from grantflow.blind.declarations import affiliation_match, affiliation_matchers
    from grantflow.blind.models import BlindDeclaration
    from grantflow.organizations.models import Organization

    if not app_rows or not reviewer_ids:
        return {}
    declarations = db.session.execute(
        select(BlindDeclaration).where(BlindDeclaration.reviewer_id.in_(reviewer_ids))).scalars().all()
    if not declarations:
        return {}
    programs = dict(db.session.execute(select(Application.id, Application.program_id)
                                       .where(Application.id.in_([a for a, _, _ in app_rows]))).all())
    org_ids = {o for _, org, behalf in app_rows for o in (org, behalf) if o is not None}
    orgs = {o.id: o for o in db.session.execute(select(Organization).where(Organization.id.in_(org_ids))).scalars()}
    matchers = affiliation_matchers(list(orgs.values())) if any(d.affiliations for d in declarations) else {}
    out: dict[tuple[int, int], Reason] = {}
    for app_id, org, behalf in app_rows:
        applicant = [orgs[o] for o in (org, behalf) if o in orgs]
        for d in declarations:
            if d.program_id == programs.get(app_id) and {o.id for o in applicant} & set(d.conflict_ids or []):
                out[(app_id, d.reviewer_id)] = Reason(reasons.BLIND_DECLARED)
                continue
            line = affiliation_match(d.affiliations, [matchers[o.id] for o in applicant if o.id in matchers])
            if line:
                out.setdefault((app_id, d.reviewer_id), Reason(reasons.AFFILIATION, {"line": line}))
    return out


def record_conflict(app_id: int, reviewer_id: int, reason: Reason, actor_id: int | None, *,
                    source: str = RECORDS) -> ConflictOfInterest:
    """Keeps one ConflictOfInterest row per application, reviewer and source, and logs it once
    (the reason as its code and arguments, worded by whoever reads it)."""
    coi = db.session.execute(
        select(ConflictOfInterest).where(ConflictOfInterest.application_id == app_id,
                                         ConflictOfInterest.reviewer_id == reviewer_id,
                                         ConflictOfInterest.source == source)
    ).scalars().first()
    if coi is not None:
        return coi
    coi = _conflict(app_id, reviewer_id, source, reason)
    auditlog.record(f"conflict.{source}", coi, after={"application_id": app_id, "reviewer_id": reviewer_id,
                                                      "reason": reason.to_json()}, actor_id=actor_id)
    return coi


def _conflict(app_id: int, reviewer_id: int, source: str, reason: Reason) -> ConflictOfInterest:
    coi = ConflictOfInterest(application_id=app_id, reviewer_id=reviewer_id, source=source,
                             reason_code=reason.code, reason_args=dict(reason.args), reason=reason.text)
    db.session.add(coi)
    db.session.flush()
    return coi


# --- automatic assignment ------------------------------------------------------------------------

def auto_assign(program: Program, *, actor_id: int | None = None,
                application_ids: list[int] | None = None) -> list[ReviewAssignment]:
    """Fills every assignable application of the program up to N active reviewers."""
    q = select(Application.id, Application.organization_id, Application.on_behalf_of_id).where(
        Application.program_id == program.id, Application.status.in_(ASSIGNABLE))
    if application_ids is not None:
        q = q.where(Application.id.in_(application_ids))
    app_rows = [tuple(r) for r in db.session.execute(q.order_by(Application.id))]
    panel = panel_ids(program.funder_id)
    facts = conflict_facts(app_rows, panel)
    # Loads count the whole program, not only the applications being filled.
    existing: dict[int, set[int]] = defaultdict(set)
    for app_id, reviewer_id in db.session.execute(
        select(ReviewAssignment.application_id, ReviewAssignment.reviewer_id)
        .join(Application, Application.id == ReviewAssignment.application_id)
        .where(Application.program_id == program.id, ReviewAssignment.status == ASSIGNED)
    ):
        existing[app_id].add(reviewer_id)
    eligible: dict[int, set[int]] = {}
    for app_id, _, _ in app_rows:
        ok = set()
        for r in panel:
            reason = facts.blocked(app_id, r)
            if reason is None:
                ok.add(r)
            elif (app_id, r) in facts.records:
                record_conflict(app_id, r, reason, actor_id)
        eligible[app_id] = ok
    # Applications outside this run still count toward loads but are not planned.
    new = plan(eligible, existing, panel, program.reviewers_per_application)
    made = []
    for app_id, reviewers in new.items():
        for r in reviewers:
            made.append(_create(app_id, r, actor_id, how="auto"))
    db.session.flush()
    progress.on_assigned(made, actor_id=actor_id)
    return made


def _create(app_id: int, reviewer_id: int, actor_id: int | None, *, how: str) -> ReviewAssignment:
    asg = db.session.execute(
        select(ReviewAssignment).where(ReviewAssignment.application_id == app_id,
                                       ReviewAssignment.reviewer_id == reviewer_id)
    ).scalar_one_or_none()
    if asg is None:
        asg = ReviewAssignment(application_id=app_id, reviewer_id=reviewer_id, assigned_by_id=actor_id)
        db.session.add(asg)
    asg.status = ASSIGNED
    db.session.flush()
    auditlog.record("assignment.create", asg, after={"application_id": app_id, "reviewer_id": reviewer_id,
                                                     "how": how}, actor_id=actor_id)
    return asg


# --- by hand -------------------------------------------------------------------------------------

def assign_by_hand(application: Application, reviewer_ids: list[int], *, actor_id: int | None) -> list[ReviewAssignment]:
    """Adds the chosen reviewers; refuses (AssignmentError on field "reviewers") any conflicted one,
    and any reviewer at all for an application that is not submitted (a draft, a withdrawn one)."""
    if application.status not in ASSIGNABLE:
        raise AssignmentError("reviewers", _("Only a submitted application can be given reviewers."))
    panel = set(panel_ids(application.program.funder_id))
    facts = conflict_facts([(application.id, application.organization_id, application.on_behalf_of_id)],
                           list(panel))
    problems = []
    for r in reviewer_ids:
        if r not in panel:
            problems.append(_("One of the people chosen is not a reviewer of this funder."))
            continue
        reason = facts.blocked(application.id, r)
        if reason:
            user = db.session.get(User, r)
            if (application.id, r) in facts.records:
                record_conflict(application.id, r, reason, actor_id)
            problems.append(_("%(name)s has a conflict of interest (%(reason)s) and cannot be assigned.",
                               name=user.name, reason=str(reason)))
    if problems:
        raise AssignmentError("reviewers", " ".join(problems))
    active = active_reviewer_ids(application.id)
    made = [_create(application.id, r, actor_id, how="hand") for r in reviewer_ids if r not in active]
    progress.on_assigned(made, actor_id=actor_id)
    return made


def active_reviewer_ids(app_id: int) -> set[int]:
    return set(db.session.execute(
        select(ReviewAssignment.reviewer_id).where(ReviewAssignment.application_id == app_id,
                                                   ReviewAssignment.status == ASSIGNED)
    ).scalars())


def unassign(assignment: ReviewAssignment, *, actor_id: int | None) -> bool:
    """Takes a reviewer off an application (status "removed", kept for the record); False when
    they were not on it. A submitted review stays and cannot be taken away this way."""
    if assignment.status != ASSIGNED:
        return False
    if assignment.review is not None and assignment.review.status == "submitted":
        raise AssignmentError(None, _("This reviewer already submitted a review; it cannot be unassigned."))
    assignment.status = REMOVED
    auditlog.record("assignment.remove", assignment, before={"status": ASSIGNED}, after={"status": REMOVED},
                    actor_id=actor_id)
    db.session.flush()
    return True


# --- declarations --------------------------------------------------------------------------------

def confirm_no_conflict(assignment: ReviewAssignment) -> None:
    assignment.no_conflict_confirmed_at = utcnow()
    auditlog.record("conflict.none_confirmed", assignment,
                    after={"application_id": assignment.application_id, "reviewer_id": assignment.reviewer_id},
                    actor_id=assignment.reviewer_id)
    db.session.flush()


def declare_conflict(assignment: ReviewAssignment, reason: str) -> list[ReviewAssignment]:
    """Records the declaration, recuses the reviewer and fills the freed slot; returns new assignments."""
    reason = (reason or "").strip()
    if not reason:
        raise AssignmentError("reason", _("Describe the conflict of interest."))
    why = Reason(reasons.DECLARED, {"reason": reason})
    coi = _conflict(assignment.application_id, assignment.reviewer_id, DECLARED, why)
    auditlog.record("conflict.declared", coi, after={"application_id": coi.application_id,
                                                     "reviewer_id": coi.reviewer_id, "reason": why.to_json()},
                    actor_id=assignment.reviewer_id)
    return recuse(assignment)


def recuse(assignment: ReviewAssignment) -> list[ReviewAssignment]:
    """Takes the reviewer off the application (by their own word) and fills the freed place."""
    before = {"status": assignment.status}
    assignment.status = RECUSED
    db.session.flush()
    auditlog.record("assignment.recused", assignment, before=before, after={"status": RECUSED},
                    actor_id=assignment.reviewer_id)
    # A review already written (draft or submitted) no longer counts: its scores leave the
    # application's rubric score, its comments what others and the applicant read.
    review = db.session.execute(select(Review).where(Review.assignment_id == assignment.id)).scalar_one_or_none()
    if review is not None and review.status != SET_ASIDE:
        auditlog.record("review.set_aside", review, before={"status": review.status}, after={"status": SET_ASIDE},
                        actor_id=assignment.reviewer_id)
        review.status = SET_ASIDE
        db.session.flush()
    program = db.session.get(Application, assignment.application_id).program
    return auto_assign(program, actor_id=None, application_ids=[assignment.application_id])
