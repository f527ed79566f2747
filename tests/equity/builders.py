"""Builders of audit test data through the real models (organizations with leadership profiles,
applications, decisions, reviews with criterion scores)."""
from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from typing import Optional

from sqlalchemy import insert

from grantflow.applications.models import Application, application_places
from grantflow.core.db import db
from grantflow.decisions.models import Decision
from grantflow.organizations.models import LeadershipProfile, Organization
from grantflow.reviews.models import CriterionScore, Review
from tests import factories as F

_seq = itertools.count(1)
NOW = dt.datetime(2026, 1, 5, tzinfo=dt.timezone.utc)


@dataclass
class Spec:
    """One application: its organization's POC leadership (True/False/None = not reported), the
    decision and amounts, status, places served and reviews as {reviewer: [score per criterion]}."""
    poc: Optional[bool] = None
    awarded: bool = False
    requested: int = 50_000_00
    amount: Optional[int] = None
    status: Optional[str] = None
    places: tuple = ()
    reviews: dict = field(default_factory=dict)
    budget: Optional[int] = 450_000_00


def build_program(funder, specs: list[Spec], *, reviewers: dict | None = None, **program_fields):
    """A program with one application per spec; returns (program, [application ids])."""
    prog = F.program(funder, **program_fields)
    criteria = prog.current_rubric.criteria
    reviewers = reviewers or {}
    orgs, profiles = [], []
    for s in specs:
        n = next(_seq)
        orgs.append({"kind": "cbo", "slug": f"audit-org-{n}", "name": f"Audit Org {n}", "tax_exempt": True,
                     "annual_budget_cents": s.budget, "service_area": [], "created_at": NOW, "updated_at": NOW})
    if not specs:
        return prog, []
    org_ids = [r for (r,) in db.session.execute(insert(Organization).returning(Organization.id), orgs)]
    for s, oid in zip(specs, org_ids):
        if s.poc is not None:
            profiles.append({"organization_id": oid, "consent_given_at": NOW,
                             "ed_race": ["black"] if s.poc else ["white"], "board_total": 10,
                             "board_poc": 6 if s.poc else 2, "senior_total": 4, "senior_poc": 2 if s.poc else 0,
                             "updated_at": NOW})
    if profiles:
        db.session.execute(insert(LeadershipProfile), profiles)
    apps = []
    for s, oid in zip(specs, org_ids):
        status = s.status or ("awarded" if s.awarded else "declined")
        apps.append({"program_id": prog.id, "organization_id": oid, "status": status, "title": "Work",
                     "summary": "", "community_voice": "", "outcomes": [], "amount_requested_cents": s.requested,
                     "rubric_id": prog.current_rubric.id, "editing_seconds": 0, "created_at": NOW,
                     "updated_at": NOW, "submitted_at": NOW})
    app_ids = [r for (r,) in db.session.execute(insert(Application).returning(Application.id), apps)]
    decisions, links = [], []
    for s, aid in zip(specs, app_ids):
        if s.awarded or (s.status in (None, "declined")):
            decisions.append({"application_id": aid, "program_id": prog.id,
                              "outcome": "award" if s.awarded else "decline",
                              "amount_cents": (s.amount if s.amount is not None else s.requested) if s.awarded else 0,
                              "rationale": "", "decided_at": NOW, "updated_at": NOW})
        links += [{"application_id": aid, "place_id": p.id} for p in s.places]
    if decisions:
        db.session.execute(insert(Decision), decisions)
    if links:
        db.session.execute(insert(application_places), links)
    for s, aid in zip(specs, app_ids):
        for who, scores in s.reviews.items():
            if who not in reviewers:
                reviewers[who] = F.user(name=who)
            r = Review(application_id=aid, reviewer_id=reviewers[who].id, rubric_id=prog.current_rubric.id,
                       status="submitted", submitted_at=NOW)
            for c, sc in zip(criteria, scores):
                r.scores.append(CriterionScore(criterion_id=c.id, score=sc))
            db.session.add(r)
    db.session.flush()
    return prog, app_ids
