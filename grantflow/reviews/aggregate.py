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

Everything is read as plain tuples in four queries, whatever the number of applications (at
50,000 applications, 600,000 criterion scores: the loops below keep to plain tuples and locals).
"""
from __future__ import annotations

import math
import statistics
from collections import defaultdict
from dataclasses import dataclass
from typing import NamedTuple

from flask import current_app, has_app_context
from sqlalchemy import select

from grantflow.applications.models import DRAFT as APP_DRAFT
from grantflow.applications.models import Application
from grantflow.config import DEFAULTS
from grantflow.core.db import db, driver_rows, plain_rows
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
    # The criterion means of the reviewers' own scores, never normalized (the same mapping as
    # `criterion_means` when the scores were read raw).
    raw_criterion_means: dict[int, float]


class ReviewTotal(NamedTuple):
    """A counted review, as the equity audit compares reviewers: whose it is, and the weighted mean
    of its own scores on the criteria's scales (never normalized: a reviewer's gap is in their own
    marks)."""

    application_id: int
    reviewer_id: int | None
    reviewer_label: str | None
    mean: float


class RubricScores(dict[int, RubricScore]):
    """`{application_id: RubricScore}`, and the counted reviews they were computed from
    (`reviews`, in id order), so that what reads both (the audit) reads the scores once."""

    reviews: list[ReviewTotal]


@dataclass(frozen=True)
class _Crit:
    rubric_id: int
    weight: float
    lo: int
    hi: int


@dataclass(slots=True)
class _Review:
    id: int
    application_id: int
    reviewer: str
    rubric_id: int
    fractions: dict[int, float]  # criterion_id -> fraction of its scale
    total: float = 0.0           # weighted mean fraction
    raw: ReviewTotal | None = None
    raw_fractions: dict[int, float] | None = None  # before normalizing


def _clamp(x: float) -> float:
    return min(1.0, max(0.0, x))


def _mean(xs: list[float]) -> float:
    """`statistics.fmean` of a non-empty list (the same arithmetic: fsum, then one division),
    without its per-call overhead (called once per application and criterion)."""
    return math.fsum(xs) / len(xs)


def disagreement_threshold() -> float:
    """The disagreement spread as a fraction of the scale's range (the app's setting, or its default
    outside an app)."""
    config = current_app.config if has_app_context() else DEFAULTS
    return float(config["REVIEW_DISAGREEMENT_FRACTION"])


def _load(program_id: int, application_ids: list[int] | None = None):
    """The criteria, the applications, the submitted reviews (id order) and their counted scores:
    scored, on a criterion of the rubric version the review was made against (filtered in SQL,
    which halves what is fetched at 530,000 scores), in review then score order."""
    criteria = {
        cid: _Crit(rid, float(w), lo, hi)
        for cid, rid, w, lo, hi in db.session.execute(
            select(Criterion.id, Criterion.rubric_id, Criterion.weight, Criterion.scale_min, Criterion.scale_max)
            .join(Rubric, Rubric.id == Criterion.rubric_id)
            .where(Rubric.program_id == program_id)
        )
    }
    app_ids = [
        aid for (aid,) in plain_rows(
            select(Application.id).where(Application.program_id == program_id, Application.status != APP_DRAFT,
                                         *_only(application_ids))
            .order_by(Application.id)
        )
    ]
    submitted = (Application.program_id == program_id, Review.status == SUBMITTED, *_only(application_ids))
    reviews = driver_rows(
        select(Review.id, Review.application_id, Review.reviewer_id, Review.reviewer_label, Review.rubric_id)
        .join(Application, Application.id == Review.application_id)
        .where(*submitted).order_by(Review.id)
    )
    scores = driver_rows(
        select(CriterionScore.review_id, CriterionScore.criterion_id, CriterionScore.score)
        .join(Review, Review.id == CriterionScore.review_id)
        .join(Application, Application.id == Review.application_id)
        .join(Criterion, (Criterion.id == CriterionScore.criterion_id) & (Criterion.rubric_id == Review.rubric_id))
        .where(*submitted, CriterionScore.score.is_not(None))
        .order_by(CriterionScore.review_id, CriterionScore.id)
    )
    return criteria, app_ids, reviews, scores


def _only(application_ids: list[int] | None) -> tuple:
    return () if application_ids is None else (Application.id.in_(application_ids),)


def _reviews(criteria: dict[int, _Crit], reviews, scores) -> list[_Review]:
    """The counted reviews (id order), each with its criteria's fractions and weighted total."""
    # Scores are a few whole numbers per criterion: each (criterion, score)'s fraction is computed
    # once (the same expression), then looked up for the 600,000 scores of a large program.
    fraction_of: dict[int, dict] = {cid: {} for cid in criteria}
    fractions: dict[int, dict[int, float]] = {}
    get = fractions.get
    for rid, cid, score in scores:
        known = fraction_of[cid]
        f = known.get(score)
        if f is None:
            c = criteria[cid]
            span = c.hi - c.lo
            f = known[score] = min(1.0, max(0.0, (score - c.lo) / span)) if span > 0 else 0.0
        own = get(rid)
        if own is None:
            fractions[rid] = {cid: f}
        else:
            own[cid] = f
    weight = {cid: c.weight for cid, c in criteria.items()}
    scale = {cid: (c.lo, c.hi - c.lo) for cid, c in criteria.items()}
    counted = []
    append = counted.append
    for rid, aid, reviewer_id, label, rubric_id in reviews:
        own = get(rid)
        if not own:
            continue  # a submitted review that scored nothing is not counted
        weights = [weight[cid] for cid in own]
        total_w = sum(weights)
        if total_w <= 0:
            continue
        who = f"user:{reviewer_id}" if reviewer_id is not None else f"label:{label or rid}"
        rev = _Review(rid, aid, who, rubric_id, own)
        rev.total = sum([w * f for w, f in zip(weights, own.values())]) / total_w
        # The mean of the scores themselves: Σ w·(lo + f·span) / Σ w.
        raw = sum([w * (scale[cid][0] + f * scale[cid][1]) for w, (cid, f) in zip(weights, own.items())]) / total_w
        rev.raw = ReviewTotal(aid, reviewer_id, label, raw)
        append(rev)
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
            r.raw_fractions = r.fractions
            r.fractions = {c: panel_mean + (f - mean_r) * scale for c, f in r.fractions.items()}
            r.total = panel_mean + (r.total - mean_r) * scale


def rubric_scores(program_id: int, *, normalized: bool = False, threshold: float | None = None,
                  application_ids: list[int] | None = None) -> RubricScores:
    """`{application_id: RubricScore}` for every non-draft application of the program (only
    `application_ids` when given: raw scores then read only their reviews; normalized ones still
    read every review, which calibration needs).

    `threshold` is the disagreement spread as a fraction of the scale's range (see module doc).
    """
    criteria, app_ids, review_rows, scores = _load(program_id, None if normalized else application_ids)
    reviews = _reviews(criteria, review_rows, scores)
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

    result = RubricScores()
    shown = set(app_ids) | set(by_app)
    for aid in sorted(shown if application_ids is None else shown & set(application_ids)):
        own = by_app.get(aid, [])
        if not own:
            result[aid] = RubricScore(aid, None, None, {}, 0, None, False, {})
            continue
        # The scale shown is that of the latest rubric version among the reviews.
        lo, hi = scale_of[max([r.rubric_id for r in own])]
        span = hi - lo
        review_totals = [r.total for r in own]
        totals = [lo + min(1.0, max(0.0, t)) * span for t in review_totals]
        fraction = _clamp(_mean(review_totals))
        # Raw fractions are within the scale already; normalized ones may leave it.
        means = _criterion_means([r.fractions for r in own], criteria, clamp=normalized)
        raw_means = (_criterion_means([r.raw_fractions or r.fractions for r in own], criteria, clamp=False)
                     if normalized else means)
        spread = max(totals) - min(totals)
        result[aid] = RubricScore(
            application_id=aid,
            weighted=lo + fraction * span,
            fraction=fraction,
            criterion_means=means,
            n_reviews=len(own),
            spread=spread,
            disagreement=len(own) >= 2 and span > 0 and spread >= threshold * span - 1e-9,
            raw_criterion_means=raw_means,
        )
    wanted = None if application_ids is None else set(application_ids)
    result.reviews = [r.raw for r in reviews if wanted is None or r.application_id in wanted]
    return result


def _criterion_means(fraction_sets: list[dict[int, float]], criteria: dict[int, _Crit], *,
                     clamp: bool) -> dict[int, float]:
    """Criterion id -> the mean of the reviews' fractions, on the criterion's own scale."""
    per_crit: dict[int, list[float]] = {}
    for fractions in fraction_sets:
        for cid, f in fractions.items():
            fs = per_crit.get(cid)
            if fs is None:
                fs = per_crit[cid] = []
            fs.append(min(1.0, max(0.0, f)) if clamp else f)
    means = {}
    for cid, fs in sorted(per_crit.items()):
        c = criteria[cid]
        means[cid] = c.lo + _mean(fs) * (c.hi - c.lo)
    return means
