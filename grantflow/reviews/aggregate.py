"""Rubric scores of a program's applications from the reviewers' submitted scores.

Definitions (kept here, in one place, because the board, the scoring engine and the audit read them):

- Every criterion score is first put on a 0..1 *fraction* of its own scale
  (`(score - scale_min) / (scale_max - scale_min)`), so criteria with different scales mix safely.
- A review's total is the weighted mean of the fractions of the criteria it scored; criteria left
  unscored are left out of both the numerator and the weights — never counted as zero. A submitted
  review that scored nothing is not counted.
- Each review is read against the rubric version it was made against (`Review.rubric_id`), so a
  rubric edited after some reviews keeps those reviews' weights.
- An application's `weighted` is the mean of its reviews' totals, shown on the rubric's scale (the
  lowest `scale_min` to the highest `scale_max` of that rubric's criteria; 1–5 by default).
  `criterion_means` are on each criterion's own scale.
- Normalization (`normalized=True`), for harsh and lenient reviewers: each reviewer's review totals
  become z-scores within that reviewer's own submitted reviews in the program, mapped back with the
  whole panel's mean and standard deviation of review totals: `panel_mean + z * panel_sd`. The same
  linear map is applied to that reviewer's criterion fractions, so criterion means and totals agree.
  A reviewer with a single review, or whose totals do not vary (sd = 0), keeps raw scores: there is
  nothing to calibrate against. Results are clamped to the scale.
- Disagreement: `spread` is max − min of the reviewers' totals on the rubric's scale; the flag is
  raised when at least two reviews count and `spread >= threshold × (scale_max − scale_min)`.
  The threshold is the setting `REVIEW_DISAGREEMENT_FRACTION` of the range (grantflow/config.py).

Everything is read as plain tuples in three queries, whatever the number of applications.
"""
from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass

from flask import current_app, has_app_context
from sqlalchemy import select

from grantflow.applications.models import DRAFT as APP_DRAFT
from grantflow.applications.models import Application
from grantflow.config import DEFAULTS
from grantflow.core.db import db
from grantflow.programs.models import Criterion, Rubric
from grantflow.reviews.models import SUBMITTED, CriterionScore, Review

@dataclass(frozen=True)
class RubricScore:
    application_id: int
    weighted: float | None        # weighted mean on the rubric's scale; None with no submitted review
    fraction: float | None        # (weighted - scale_min) / (scale_max - scale_min), 0..1
    criterion_means: dict[int, float]   # criterion_id -> mean (missing scores excluded, never 0)
    n_reviews: int                # submitted reviews counted
    spread: float | None          # max - min of reviewers' weighted totals
    disagreement: bool


@dataclass(frozen=True)
class _Crit:
    rubric_id: int
    weight: float
    lo: int
    hi: int


@dataclass
class _Review:
    id: int
    application_id: int
    reviewer: str
    rubric_id: int
    fractions: dict[int, float]  # criterion_id -> fraction of its scale
    total: float = 0.0           # weighted mean fraction


def _clamp(x: float) -> float:
    return min(1.0, max(0.0, x))


def disagreement_threshold() -> float:
    """The disagreement spread as a fraction of the scale's range (the app's setting, or its default
    outside an app)."""
    config = current_app.config if has_app_context() else DEFAULTS
    return float(config["REVIEW_DISAGREEMENT_FRACTION"])


def _load(program_id: int, application_ids: list[int] | None = None):
    criteria = {
        cid: _Crit(rid, float(w), lo, hi)
        for cid, rid, w, lo, hi in db.session.execute(
            select(Criterion.id, Criterion.rubric_id, Criterion.weight, Criterion.scale_min, Criterion.scale_max)
            .join(Rubric, Rubric.id == Criterion.rubric_id)
            .where(Rubric.program_id == program_id)
        )
    }
    app_ids = [
        aid for (aid,) in db.session.execute(
            select(Application.id).where(Application.program_id == program_id, Application.status != APP_DRAFT,
                                         *_only(application_ids))
            .order_by(Application.id)
        )
    ]
    rows = db.session.execute(
        select(Review.id, Review.application_id, Review.reviewer_id, Review.reviewer_label, Review.rubric_id,
               CriterionScore.criterion_id, CriterionScore.score)
        .join(Application, Application.id == Review.application_id)
        .outerjoin(CriterionScore, CriterionScore.review_id == Review.id)
        .where(Application.program_id == program_id, Review.status == SUBMITTED, *_only(application_ids))
        .order_by(Review.id)
    ).all()
    return criteria, app_ids, rows


def _only(application_ids: list[int] | None) -> tuple:
    return () if application_ids is None else (Application.id.in_(application_ids),)


def _reviews(criteria: dict[int, _Crit], rows) -> list[_Review]:
    reviews: dict[int, _Review] = {}
    for rid, aid, reviewer_id, label, rubric_id, cid, score in rows:
        rev = reviews.get(rid)
        if rev is None:
            who = f"user:{reviewer_id}" if reviewer_id is not None else f"label:{label or rid}"
            rev = reviews[rid] = _Review(rid, aid, who, rubric_id, {})
        crit = criteria.get(cid) if cid is not None else None
        # Only criteria of the rubric version the review was made against count.
        if score is None or crit is None or crit.rubric_id != rubric_id:
            continue
        span = crit.hi - crit.lo
        rev.fractions[cid] = _clamp((score - crit.lo) / span) if span > 0 else 0.0
    counted = []
    for rev in reviews.values():
        weights = {cid: criteria[cid].weight for cid in rev.fractions}
        total_w = sum(weights.values())
        if not rev.fractions or total_w <= 0:
            continue
        rev.total = sum(weights[c] * f for c, f in rev.fractions.items()) / total_w
        counted.append(rev)
    return counted


def _normalize(reviews: list[_Review]) -> None:
    """Maps each reviewer's fractions linearly so their totals have the panel's mean and sd."""
    if len(reviews) < 2:
        return
    totals = [r.total for r in reviews]
    panel_mean, panel_sd = statistics.fmean(totals), statistics.pstdev(totals)
    by_reviewer: dict[str, list[_Review]] = defaultdict(list)
    for r in reviews:
        by_reviewer[r.reviewer].append(r)
    for own in by_reviewer.values():
        if len(own) < 2:
            continue  # one review: nothing to calibrate against, raw scores stay
        mean_r = statistics.fmean(r.total for r in own)
        sd_r = statistics.pstdev([r.total for r in own])
        if sd_r == 0:
            continue  # no variation: raw scores stay
        scale = panel_sd / sd_r
        for r in own:
            r.fractions = {c: panel_mean + (f - mean_r) * scale for c, f in r.fractions.items()}
            r.total = panel_mean + (r.total - mean_r) * scale


def rubric_scores(program_id: int, *, normalized: bool = False, threshold: float | None = None,
                  application_ids: list[int] | None = None) -> dict[int, RubricScore]:
    """`{application_id: RubricScore}` for every non-draft application of the program (only
    `application_ids` when given: raw scores then read only their reviews; normalized ones still
    read every review, which calibration needs).

    `threshold` is the disagreement spread as a fraction of the scale's range (see module doc).
    """
    criteria, app_ids, rows = _load(program_id, None if normalized else application_ids)
    reviews = _reviews(criteria, rows)
    if normalized:
        _normalize(reviews)
    threshold = disagreement_threshold() if threshold is None else threshold

    scale_of: dict[int, tuple[int, int]] = {}
    for c in criteria.values():
        lo, hi = scale_of.get(c.rubric_id, (c.lo, c.hi))
        scale_of[c.rubric_id] = (min(lo, c.lo), max(hi, c.hi))

    by_app: dict[int, list[_Review]] = defaultdict(list)
    for r in reviews:
        by_app[r.application_id].append(r)

    result: dict[int, RubricScore] = {}
    shown = set(app_ids) | set(by_app)
    for aid in sorted(shown if application_ids is None else shown & set(application_ids)):
        own = by_app.get(aid, [])
        if not own:
            result[aid] = RubricScore(aid, None, None, {}, 0, None, False)
            continue
        # The scale shown is that of the latest rubric version among the reviews.
        lo, hi = scale_of[max(r.rubric_id for r in own)]
        span = hi - lo
        totals = [lo + _clamp(r.total) * span for r in own]
        fraction = _clamp(statistics.fmean(r.total for r in own))
        per_crit: dict[int, list[float]] = defaultdict(list)
        for r in own:
            for cid, f in r.fractions.items():
                per_crit[cid].append(_clamp(f))
        means = {
            cid: criteria[cid].lo + statistics.fmean(fs) * (criteria[cid].hi - criteria[cid].lo)
            for cid, fs in sorted(per_crit.items())
        }
        spread = max(totals) - min(totals)
        result[aid] = RubricScore(
            application_id=aid,
            weighted=lo + fraction * span,
            fraction=fraction,
            criterion_means=means,
            n_reviews=len(own),
            spread=spread,
            disagreement=len(own) >= 2 and span > 0 and spread >= threshold * span - 1e-9,
        )
    return result
