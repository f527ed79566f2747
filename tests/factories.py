"""Builders for test data through the real models; each returns the object it made (flushed)."""
from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from grantflow.accounts.models import Membership, User
from grantflow.applications.models import Application
from grantflow.chna.models import Place, PriorityNeed
from grantflow.core import roles as R
from grantflow.core.auth import hash_password
from grantflow.core.db import db, utcnow
from grantflow.organizations.models import ACCEPTED, NetworkMembership, Organization
from grantflow.programs.models import PUBLISHED, Criterion, Program, Rubric

PASSWORD = "correct horse battery"
_HASH = None
_seq = itertools.count(1)


def _password_hash() -> str:
    global _HASH
    if _HASH is None:
        _HASH = hash_password(PASSWORD)
    return _HASH


def user(email: str | None = None, name: str | None = None, *, org: Organization | None = None,
         role: str | None = None, title: str | None = None) -> User:
    n = next(_seq)
    u = User(email=email or f"user{n}@example.org", name=name or f"Test User {n}", password_hash=_password_hash(),
             email_verified_at=utcnow())
    db.session.add(u)
    if org is not None and role is not None:
        db.session.add(Membership(user=u, organization=org, role=role, title=title))
    db.session.flush()
    return u


def organization(kind: str = "cbo", name: str | None = None, **fields) -> Organization:
    n = next(_seq)
    name = name or f"{'Funder' if kind == 'funder' else 'Community Org'} {n}"
    org = Organization(kind=kind, name=name, slug=fields.pop("slug", f"org-{n}"), **fields)
    db.session.add(org)
    db.session.flush()
    return org


def funder(*, signatory: tuple[str, str] | None = ("Dana Whitfield", "President and CEO"), **fields) -> Organization:
    """A funder with a letterhead and its signatory (no letter is issued without one), unless
    `signatory=None`."""
    from grantflow.letters.models import Letterhead

    fields.setdefault("service_area", ["36061"])
    org = organization("funder", **fields)
    if signatory:
        db.session.add(Letterhead(funder_id=org.id, address="1 River Road\nRiverside, CA 92501",
                                  phone="(951) 555-0100", website="https://riverside.example",
                                  signatory_name=signatory[0], signatory_title=signatory[1]))
        db.session.flush()
    return org


def cbo(**fields) -> Organization:
    fields.setdefault("ein", f"12-{3456700 + next(_seq):07d}")
    fields.setdefault("tax_exempt", True)
    fields.setdefault("annual_budget_cents", 450_000_00)
    fields.setdefault("service_area", ["36061000100"])
    return organization("cbo", **fields)


def program(funder_org: Organization, *, slug: str | None = None, criteria: int = 3, **fields) -> Program:
    n = next(_seq)
    now = utcnow()
    defaults = dict(
        title=f"Community Health Fund {n}", slug=slug or f"program-{n}", description="Funding for community health.",
        status=PUBLISHED, budget_cents=500_000_00, min_award_cents=10_000_00, max_award_cents=100_000_00,
        timezone="America/New_York", opens_at=now - dt.timedelta(days=10), closes_at=now + dt.timedelta(days=20),
    )
    defaults.update(fields)
    p = Program(funder=funder_org, **defaults)
    rubric = Rubric(program=p, version=1)
    for i in range(criteria):
        rubric.criteria.append(Criterion(
            position=i, label=f"Criterion {i + 1}", guidance="How well does the proposal do this?",
            weight=Decimal(1 + i), scale_min=1, scale_max=5,
            anchors={str(k): f"Level {k}" for k in range(1, 6)}))
    db.session.add(p)
    db.session.flush()
    return p


def need(funder_org: Organization, name: str, rank: int, **fields) -> PriorityNeed:
    obj = PriorityNeed(funder_id=funder_org.id, name=name, rank=rank, **fields)
    db.session.add(obj)
    db.session.flush()
    return obj


def place(funder_org: Organization, geoid: str, *, need_index: float = 0.5, population: int = 4000,
          is_priority: bool = False, name: str | None = None) -> Place:
    obj = Place(funder_id=funder_org.id, geoid=geoid, name=name or f"Tract {geoid}", need_index=need_index,
                population=population, is_priority=is_priority)
    db.session.add(obj)
    db.session.flush()
    return obj


def application(prog: Program, org: Organization, *, status: str = "submitted", **fields) -> Application:
    defaults = dict(title="Neighborhood health navigators", summary="We connect residents to care.",
                    amount_requested_cents=50_000_00, rubric_id=prog.current_rubric.id if prog.current_rubric else None)
    if status != "draft":
        defaults["submitted_at"] = utcnow()
    defaults.update(fields)
    app_ = Application(program=prog, organization=org, status=status, **defaults)
    db.session.add(app_)
    db.session.flush()
    return app_


def team_member(org: Organization, team_role: str, email: str | None = None, name: str | None = None) -> User:
    """A person on `org`'s team as admin, editor or viewer."""
    u = user(email, name)
    db.session.add(Membership(user=u, organization=org, role=R.APPLICANT, team_role=team_role, title="staff"))
    db.session.flush()
    return u


def membership(u: User, org: Organization, role: str, title: str | None = None) -> Membership:
    m = Membership(user=u, organization=org, role=role, title=title)
    db.session.add(m)
    db.session.flush()
    return m


def network_member(network: Organization, member: Organization, status: str = ACCEPTED) -> NetworkMembership:
    """A membership as if the member had answered the network's invitation (`status`)."""
    link = NetworkMembership(network_id=network.id, member_id=member.id, status=status,
                             answered_at=utcnow() if status != "invited" else None)
    db.session.add(link)
    db.session.flush()
    return link


ROLES = R


def release(prog: Program, *, ago: dt.timedelta = dt.timedelta(minutes=1), outcomes=None, actor: User | None = None):
    """Releases the program's decisions through the real release (versions written, messages
    queued), performed long enough ago that its hold ended `ago` before now."""
    from flask import current_app

    from grantflow.decisions import release as rel
    from grantflow.decisions.models import OUTCOMES

    hold = dt.timedelta(minutes=int(current_app.config["RELEASE_HOLD_MINUTES"]))
    r = rel.Release(program_id=prog.id, outcomes=list(outcomes or OUTCOMES), status=rel.SCHEDULED,
                    created_by_id=actor.id if actor else None)
    db.session.add(r)
    db.session.flush()
    rel.perform(r, now=utcnow() - ago - hold)
    return r
