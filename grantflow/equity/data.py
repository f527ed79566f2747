"""Everything the audit of one program needs, loaded as plain values in a fixed number of queries.

Funnel stages (DOMAIN.md: applied → eligible → reviewed → recommended → awarded). Each
application counts at the furthest stage it is known to have reached and at every stage before it
(an award implies the application was eligible, reviewed and recommended — imported history often
has decisions but no reviews):

- applied: every application that is not a draft (withdrawn ones included);
- eligible: status eligible, under review, recommended, awarded, declined or waitlisted
  (ineligible, still-unscreened "submitted" and withdrawn-before-review applications are not);
- reviewed: at least one submitted review;
- recommended: status recommended or waitlisted, or a waitlist decision;
- awarded: an award decision (its amount is the dollars awarded), or the status "awarded" with
  no decision recorded (the amount requested is then taken as awarded).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import Optional

from sqlalchemy import func, select

from grantflow.core.db import db
from grantflow.facts import ApplicationFacts, ProgramContext, load_facts

# Keys of ApplicationFacts.extra holding an imported past cycle's own classification.
IMPORTED_POC = "imported_poc_led"
IMPORTED_COMMUNITY = "imported_community_led"
STAGES = ("applied", "eligible", "reviewed", "recommended", "awarded")
STAGE_LABELS = {"applied": "Applied", "eligible": "Eligible", "reviewed": "Reviewed",
                "recommended": "Recommended", "awarded": "Awarded"}
_ELIGIBLE_STATUSES = {"eligible", "under_review", "recommended", "awarded", "declined", "waitlisted"}
_RECOMMENDED_STATUSES = {"recommended", "waitlisted"}


@dataclass(frozen=True)
class ReviewRow:
    reviewer: str          # stable key: "u<id>" for an account, "l<label>" for an imported name
    reviewer_name: str
    application_id: int
    weighted: float        # the review's weighted mean on the rubric scale


@dataclass(frozen=True)
class CriterionInfo:
    id: int
    label: str
    rubric_version: int
    position: int


@dataclass
class AuditData:
    program_id: int
    slug: str
    title: str
    funder_name: str
    series: Optional[str]
    cycle_label: Optional[str]
    data_vintage: Optional[str]
    rubric_version: Optional[int]
    is_historical: bool
    budget_cents: int
    ctx: ProgramContext
    facts: list[ApplicationFacts]
    stage: list[int]                   # furthest stage index per application (parallel to facts)
    awarded: list[bool]
    award_cents: list[int]
    requested_cents: list[int]
    rubric: list[Optional[float]]      # application's rubric score on the scale, None if unreviewed
    criterion_means: dict[int, dict[int, float]] = field(default_factory=dict)  # app id -> criterion -> mean
    criteria: list[CriterionInfo] = field(default_factory=list)
    reviews: list[ReviewRow] = field(default_factory=list)
    merit: Optional[list[Optional[float]]] = None  # rubric-only score (scoring engine), None when unscored
    total: Optional[list[Optional[float]]] = None  # total with priority rules


def _stage(status: str, outcome: Optional[str], reviewed: bool) -> int:
    if outcome == "award" or (status == "awarded" and outcome is None):
        return 4
    if status in _RECOMMENDED_STATUSES or outcome == "waitlist":
        return 3
    if reviewed:
        return 2
    if status in _ELIGIBLE_STATUSES or outcome is not None:
        return 1
    return 0


def _app_rubric_scores(program_id: int, normalized: bool) -> Optional[dict[int, float]]:
    """The board's own aggregate (issue 4) when it is available, so the audit and the board agree."""
    try:
        from grantflow.reviews.aggregate import rubric_scores
    except ImportError:
        return None
    return {app_id: s.weighted for app_id, s in rubric_scores(program_id, normalized=normalized).items()
            if s.weighted is not None}


def _scoring_results(program_id: int):
    try:
        from grantflow.scoring.engine import latest_results
    except ImportError:
        return {}
    return latest_results(program_id) or {}


def load_audit_data(program) -> AuditData:
    from grantflow.accounts.models import User
    from grantflow.applications.models import Application
    from grantflow.decisions.models import Decision
    from grantflow.programs.models import Criterion, Rubric
    from grantflow.reviews.models import SUBMITTED, CriterionScore, Review

    from grantflow.equity.models import HistoricalClassification

    ctx, facts = load_facts(program.id)
    imported = {r.application_id: r for r in db.session.execute(
        select(HistoricalClassification.application_id, HistoricalClassification.poc_led,
               HistoricalClassification.community_led)
        .join(Application, Application.id == HistoricalClassification.application_id)
        .where(Application.program_id == program.id))}
    if imported:
        facts = [replace(f, extra={**f.extra, IMPORTED_POC: imported[f.application_id].poc_led,
                                   IMPORTED_COMMUNITY: imported[f.application_id].community_led})
                 if f.application_id in imported else f for f in facts]
    decisions = {r.application_id: (r.outcome, r.amount_cents) for r in db.session.execute(
        select(Decision.application_id, Decision.outcome, Decision.amount_cents)
        .where(Decision.program_id == program.id))}

    # One row per submitted review: its weighted mean over the criteria it scored (missing scores
    # are left out, never counted as zero).
    per_review = db.session.execute(
        select(Review.id, Review.application_id, Review.reviewer_id, Review.reviewer_label,
               func.sum(CriterionScore.score * Criterion.weight), func.sum(Criterion.weight))
        .join(CriterionScore, CriterionScore.review_id == Review.id)
        .join(Criterion, Criterion.id == CriterionScore.criterion_id)
        .join(Application, Application.id == Review.application_id)
        .where(Application.program_id == program.id, Review.status == SUBMITTED,
               CriterionScore.score.is_not(None))
        .group_by(Review.id, Review.application_id, Review.reviewer_id, Review.reviewer_label)
    ).all()
    user_ids = {r.reviewer_id for r in per_review if r.reviewer_id is not None}
    names = dict(db.session.execute(select(User.id, User.name).where(User.id.in_(user_ids))).all()) if user_ids else {}
    reviews: list[ReviewRow] = []
    by_app: dict[int, list[float]] = defaultdict(list)
    for r in per_review:
        if not r[5]:
            continue
        weighted = float(r[4]) / float(r[5])
        if r.reviewer_id is not None:
            key, name = f"u{r.reviewer_id}", names.get(r.reviewer_id, f"Reviewer {r.reviewer_id}")
        else:
            key, name = f"l{r.reviewer_label or '?'}", r.reviewer_label or "Unnamed reviewer"
        reviews.append(ReviewRow(key, name, r.application_id, weighted))
        by_app[r.application_id].append(weighted)

    criterion_means: dict[int, dict[int, float]] = defaultdict(dict)
    for app_id, crit_id, mean in db.session.execute(
            select(Review.application_id, CriterionScore.criterion_id, func.avg(CriterionScore.score))
            .join(CriterionScore, CriterionScore.review_id == Review.id)
            .join(Application, Application.id == Review.application_id)
            .where(Application.program_id == program.id, Review.status == SUBMITTED,
                   CriterionScore.score.is_not(None))
            .group_by(Review.application_id, CriterionScore.criterion_id)):
        criterion_means[app_id][crit_id] = float(mean)
    used = {c for means in criterion_means.values() for c in means}
    criteria = [CriterionInfo(r.id, r.label, r.version, r.position) for r in db.session.execute(
        select(Criterion.id, Criterion.label, Rubric.version, Criterion.position)
        .join(Rubric, Rubric.id == Criterion.rubric_id)
        .where(Rubric.program_id == program.id).order_by(Rubric.version, Criterion.position))
        if r.id in used]

    board = _app_rubric_scores(program.id, bool(program.normalize_scores))
    rubric: list[Optional[float]] = []
    stage, awarded, award_cents, requested = [], [], [], []
    for f in facts:
        outcome, amount = decisions.get(f.application_id, (None, 0))
        s = _stage(f.status, outcome, f.application_id in by_app)
        stage.append(s)
        awarded.append(s == 4)
        req = f.amount_requested_cents or 0
        requested.append(req)
        award_cents.append((amount or 0) if outcome == "award" else (req if s == 4 else 0))
        if board is not None and f.application_id in board:
            rubric.append(board[f.application_id])
        elif by_app.get(f.application_id):
            vals = by_app[f.application_id]
            rubric.append(sum(vals) / len(vals))
        else:
            rubric.append(None)

    results = _scoring_results(program.id)
    merit = total = None
    if results:
        merit = [getattr(results.get(f.application_id), "merit", None) for f in facts]
        total = [getattr(results.get(f.application_id), "total", None) for f in facts]

    current = program.current_rubric
    return AuditData(
        program_id=program.id, slug=program.slug, title=program.title, funder_name=program.funder.name,
        series=program.series, cycle_label=program.cycle_label, data_vintage=program.data_vintage,
        rubric_version=current.version if current else None, is_historical=bool(program.is_historical),
        budget_cents=program.budget_cents or 0, ctx=ctx, facts=facts, stage=stage, awarded=awarded,
        award_cents=award_cents, requested_cents=requested, rubric=rubric,
        criterion_means=dict(criterion_means), criteria=criteria, reviews=reviews, merit=merit, total=total,
    )
