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

import numpy as np
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
    criteria: list[CriterionInfo] = field(default_factory=list)
    # criterion id -> (positions in `facts` of the applications scored on it, their mean scores)
    criterion_values: dict[int, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    # Submitted reviews as parallel arrays: position of the application in `facts`, reviewer index
    # (into `reviewer_names`), and the review's weighted mean.
    review_app: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    review_reviewer: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    review_score: np.ndarray = field(default_factory=lambda: np.zeros(0))
    reviewer_names: list[str] = field(default_factory=list)
    merit: Optional[list[Optional[float]]] = None  # rubric-only score (scoring engine), None when unscored
    total: Optional[list[Optional[float]]] = None  # total with priority rules


def _rows(stmt):
    """Plain rows through the session's connection, skipping the ORM's per-row processing
    (about 3x cheaper at 100,000 rows; these statements select columns, never entities)."""
    return db.session.connection().execute(stmt)


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
    return latest_results(program_id, details=False) or {}


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
    decisions = {r.application_id: (r.outcome, r.amount_cents) for r in _rows(
        select(Decision.application_id, Decision.outcome, Decision.amount_cents)
        .where(Decision.program_id == program.id))}

    # One row per submitted review: its weighted mean over the criteria it scored (missing scores
    # are left out, never counted as zero).
    per_review = _rows(
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
    pos = {f.application_id: i for i, f in enumerate(facts)}
    reviewer_index: dict[str, int] = {}
    reviewer_names: list[str] = []
    r_app, r_rev, r_score = [], [], []
    sums: dict[int, float] = defaultdict(float)
    counts: dict[int, int] = defaultdict(int)
    for r in per_review:
        if not r[5] or r.application_id not in pos:
            continue
        weighted = float(r[4]) / float(r[5])
        # A stable key per reviewer: the account, or the imported name of one without an account.
        key = f"u{r.reviewer_id}" if r.reviewer_id is not None else f"l{r.reviewer_label or '?'}"
        if key not in reviewer_index:
            reviewer_index[key] = len(reviewer_names)
            reviewer_names.append(names.get(r.reviewer_id, f"Reviewer {r.reviewer_id}") if r.reviewer_id is not None
                                  else (r.reviewer_label or "Unnamed reviewer"))
        r_app.append(pos[r.application_id])
        r_rev.append(reviewer_index[key])
        r_score.append(weighted)
        sums[r.application_id] += weighted
        counts[r.application_id] += 1

    per_criterion: dict[int, tuple[list, list]] = defaultdict(lambda: ([], []))
    for app_id, crit_id, mean in _rows(
            select(Review.application_id, CriterionScore.criterion_id, func.avg(CriterionScore.score))
            .join(CriterionScore, CriterionScore.review_id == Review.id)
            .join(Application, Application.id == Review.application_id)
            .where(Application.program_id == program.id, Review.status == SUBMITTED,
                   CriterionScore.score.is_not(None))
            .group_by(Review.application_id, CriterionScore.criterion_id)):
        if app_id in pos:
            apps, values = per_criterion[crit_id]
            apps.append(pos[app_id])
            values.append(float(mean))
    criterion_values = {c: (np.asarray(a, dtype=np.int64), np.asarray(v, dtype=float))
                        for c, (a, v) in per_criterion.items()}
    criteria = [CriterionInfo(r.id, r.label, r.version, r.position) for r in db.session.execute(
        select(Criterion.id, Criterion.label, Rubric.version, Criterion.position)
        .join(Rubric, Rubric.id == Criterion.rubric_id)
        .where(Rubric.program_id == program.id).order_by(Rubric.version, Criterion.position))
        if r.id in criterion_values]

    # The board's normalized scores when the program normalizes; otherwise the plain mean of the
    # reviews' weighted means, which is what the board shows too (computed here from one query).
    board = _app_rubric_scores(program.id, True) if program.normalize_scores else None
    rubric: list[Optional[float]] = []
    stage, awarded, award_cents, requested = [], [], [], []
    for f in facts:
        outcome, amount = decisions.get(f.application_id, (None, 0))
        s = _stage(f.status, outcome, f.application_id in counts)
        stage.append(s)
        awarded.append(s == 4)
        req = f.amount_requested_cents or 0
        requested.append(req)
        award_cents.append((amount or 0) if outcome == "award" else (req if s == 4 else 0))
        if board is not None and f.application_id in board:
            rubric.append(board[f.application_id])
        elif counts.get(f.application_id):
            rubric.append(sums[f.application_id] / counts[f.application_id])
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
        criteria=criteria, criterion_values=criterion_values, review_app=np.asarray(r_app, dtype=np.int64),
        review_reviewer=np.asarray(r_rev, dtype=np.int64), review_score=np.asarray(r_score, dtype=float),
        reviewer_names=reviewer_names, merit=merit, total=total,
    )
