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

Everything is read as plain tuples in four queries, whatever the number of applications, and
computed on arrays (at 50,000 applications, 530,000 criterion scores: a loop in Python per score
cost about a second). The arrays keep the definitions' arithmetic exactly (tests/scoring/test_fast_paths.py).
"""
from __future__ import annotations

import math
import statistics
from collections import defaultdict
from dataclasses import dataclass
from itertools import chain
from typing import NamedTuple

import numpy as np

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


def disagreement_threshold() -> float:
    """The disagreement spread as a fraction of the scale's range (the app's setting, or its default
    outside an app)."""
    config = current_app.config if has_app_context() else DEFAULTS
    return float(config["REVIEW_DISAGREEMENT_FRACTION"])


def _load(program_id: int, application_ids: list[int] | None = None):
    """The criteria, the applications, the submitted reviews (id order) and their scores (unordered:
    `_Columns` sorts them and keeps those it counts, which costs less than the database's sort and
    join at 530,000 scores)."""
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
        .where(*submitted)
    )
    reviews.sort()  # by id (unique): cheaper here than the database's sort of 133,000 rows
    scores = driver_rows(
        select(CriterionScore.id, CriterionScore.review_id, CriterionScore.criterion_id, CriterionScore.score)
        .join(Review, Review.id == CriterionScore.review_id)
        .join(Application, Application.id == Review.application_id)
        .where(*submitted, CriterionScore.score.is_not(None))
    )
    return criteria, app_ids, reviews, scores


def _only(application_ids: list[int] | None) -> tuple:
    return () if application_ids is None else (Application.id.in_(application_ids),)


class _Columns:
    """The counted reviews and their criterion scores as parallel arrays, in review id order, and
    the scores in (review, score id) order: the arithmetic of the definitions above, element by
    element in the same order as review by review (sums accumulate left to right, means are
    `math.fsum` over each group), so the numbers are the same to the last bit."""

    def __init__(self, criteria: dict[int, _Crit], reviews, scores):
        cids = sorted(criteria)
        s = np.fromiter(chain.from_iterable(scores), dtype=np.int64, count=4 * len(scores)).reshape(-1, 4)
        # (score id, review id, criterion id, score), read unordered: sorted here by review, then score id.
        s = s[np.lexsort((s[:, 0], s[:, 1]))]
        index = np.full(max(cids[-1] if cids else 0, int(s[:, 2].max()) if len(s) else 0) + 1, -1, dtype=np.int64)
        index[cids] = np.arange(len(cids))
        self.cids = cids
        self.lo = np.array([criteria[c].lo for c in cids], dtype=np.int64)
        self.span = np.array([criteria[c].hi - criteria[c].lo for c in cids], dtype=np.int64)
        weight = np.array([criteria[c].weight for c in cids], dtype=float)
        rev_ids = np.fromiter((r[0] for r in reviews), dtype=np.int64, count=len(reviews))
        rev_rubric = np.fromiter((r[4] for r in reviews), dtype=np.int64, count=len(reviews))
        # Each criterion's rubric, and -1 (no rubric) last, for a criterion not of the program (index -1).
        crit_rubric = np.array([criteria[c].rubric_id for c in cids] + [-1], dtype=np.int64)
        pos = np.searchsorted(rev_ids, s[:, 1])
        crit = index[s[:, 2]]
        # Counted: a criterion of the rubric version the review was made against.
        on_rubric = crit_rubric[crit] == rev_rubric[pos]
        s, pos, crit = s[on_rubric, 1:], pos[on_rubric], crit[on_rubric]
        lo, span = self.lo[crit], self.span[crit]
        # Each score as a fraction of its criterion's scale, clamped; 0 on a scale of one point.
        f = np.where(span > 0, np.clip((s[:, 2] - lo) / np.maximum(span, 1), 0.0, 1.0), 0.0)
        w = weight[crit]
        n = len(reviews)
        total_w = np.bincount(pos, weights=w, minlength=n)
        # A submitted review that scored nothing (or only criteria of weight 0) is not counted.
        counted = (np.bincount(pos, minlength=n) > 0) & (total_w > 0)
        self.total = np.bincount(pos, weights=w * f, minlength=n)[counted] / total_w[counted]
        # The mean of the scores themselves: Σ w·(lo + f·span) / Σ w.
        self.raw = np.bincount(pos, weights=w * (lo + f * span), minlength=n)[counted] / total_w[counted]
        kept = [r for r, c in zip(reviews, counted.tolist()) if c]
        self.rows = kept  # (id, application id, reviewer id, label, rubric id)
        self.app = np.fromiter((r[1] for r in kept), dtype=np.int64, count=len(kept))
        self.rubric = np.fromiter((r[4] for r in kept), dtype=np.int64, count=len(kept))
        # Scores of counted reviews: their review's position among the counted ones.
        new_pos = np.cumsum(counted) - 1
        keep = counted[pos]
        self.score_review = new_pos[pos[keep]]
        self.score_crit = crit[keep]
        self.f = self.raw_f = f[keep]  # `f` is replaced when normalized; `raw_f` stays the reviewers' own


def _normalize(cols: _Columns) -> None:
    """Maps each reviewer's fractions linearly so their totals have the panel's mean and sd."""
    if len(cols.total) < 2:
        return
    totals = cols.total.tolist()
    panel_mean, panel_sd = statistics.fmean(totals), statistics.pstdev(totals)
    by_reviewer: dict[str, list[int]] = defaultdict(list)
    for i, (rid, _aid, reviewer_id, label, _rubric) in enumerate(cols.rows):
        by_reviewer[f"user:{reviewer_id}" if reviewer_id is not None else f"label:{label or rid}"].append(i)
    n = len(totals)
    adjusted = np.zeros(n, dtype=bool)
    mean_of, scale_of = np.zeros(n), np.ones(n)
    for own in by_reviewer.values():
        if len(own) < 2:
            continue  # one review: nothing to calibrate against, raw scores stay
        mine = [totals[i] for i in own]
        mean_r, sd_r = statistics.fmean(mine), statistics.pstdev(mine)
        if sd_r == 0:
            continue  # no variation: raw scores stay
        adjusted[own], mean_of[own], scale_of[own] = True, mean_r, panel_sd / sd_r
    cols.total = np.where(adjusted, panel_mean + (cols.total - mean_of) * scale_of, cols.total)
    r = cols.score_review
    cols.f = np.where(adjusted[r], panel_mean + (cols.f - mean_of[r]) * scale_of[r], cols.f)


def _starts(keys: np.ndarray) -> list[int]:
    """Where each run of equal keys starts in a sorted, non-empty array, and its end."""
    return [0, *(np.flatnonzero(keys[1:] != keys[:-1]) + 1).tolist(), len(keys)]


def _criterion_means(cols: _Columns, f: np.ndarray, *, clamp: bool) -> dict[int, dict[int, float]]:
    """Application id -> criterion id -> the mean of its reviews' fractions, on the criterion's
    own scale (criteria in id order)."""
    if not len(f):
        return {}
    app = cols.app[cols.score_review]
    order = np.lexsort((cols.score_crit, app))
    app, crit = app[order], cols.score_crit[order]
    values = (np.clip(f, 0.0, 1.0) if clamp else f)[order].tolist()
    bounds = _starts(app * len(cols.cids) + crit)
    firsts = bounds[:-1]
    group_app, group_crit = app[firsts].tolist(), crit[firsts].tolist()
    lo, span = cols.lo.tolist(), cols.span.tolist()
    fsum = math.fsum
    means = [lo[c] + fsum(values[a:b]) / (b - a) * span[c]
             for c, a, b in zip(group_crit, firsts, bounds[1:])]
    cids = cols.cids
    out: dict[int, dict[int, float]] = defaultdict(dict)
    for aid, c, mean in zip(group_app, group_crit, means):
        out[aid][cids[c]] = mean
    return out


def _clamp(x: float) -> float:
    return min(1.0, max(0.0, x))


def _per_application(cols: _Columns, scale_of: dict[int, tuple[int, int]]) -> dict[int, tuple]:
    """Application id -> (reviews counted, scale low, scale span, fraction, spread) of every
    application with a counted review."""
    if not len(cols.app):
        return {}
    order = np.argsort(cols.app, kind="stable")  # by application, each one's reviews in id order
    app = cols.app[order]
    bounds = _starts(app)
    firsts = bounds[:-1]
    counts = np.diff(bounds)
    # The scale shown is that of the latest rubric version among the reviews.
    scales = [scale_of[r] for r in np.maximum.reduceat(cols.rubric[order], firsts).tolist()]
    lo = np.array([low for low, _ in scales], dtype=np.int64)
    span = np.array([high - low for low, high in scales], dtype=np.int64)
    totals = cols.total[order]
    shown = np.repeat(lo, counts) + np.clip(totals, 0.0, 1.0) * np.repeat(span, counts)
    spreads = np.maximum.reduceat(shown, firsts) - np.minimum.reduceat(shown, firsts)
    totals = totals.tolist()
    fsum = math.fsum
    fractions = [_clamp(fsum(totals[a:b]) / (b - a)) for a, b in zip(firsts, bounds[1:])]
    return {aid: row for aid, *row in zip(app[firsts].tolist(), counts.tolist(), lo.tolist(), span.tolist(),
                                         fractions, spreads.tolist())}


def rubric_scores(program_id: int, *, normalized: bool = False, threshold: float | None = None,
                  application_ids: list[int] | None = None) -> RubricScores:
    """`{application_id: RubricScore}` for every non-draft application of the program (only
    `application_ids` when given: raw scores then read only their reviews; normalized ones still
    read every review, which calibration needs).

    `threshold` is the disagreement spread as a fraction of the scale's range (see module doc).
    """
    criteria, app_ids, review_rows, scores = _load(program_id, None if normalized else application_ids)
    cols = _Columns(criteria, review_rows, scores)
    if normalized:
        _normalize(cols)
    threshold = disagreement_threshold() if threshold is None else threshold

    scale_of: dict[int, tuple[int, int]] = {}
    for c in criteria.values():
        lo, hi = scale_of.get(c.rubric_id, (c.lo, c.hi))
        scale_of[c.rubric_id] = (min(lo, c.lo), max(hi, c.hi))

    per_app = _per_application(cols, scale_of)
    # Raw fractions are within the scale already; normalized ones may leave it.
    means = _criterion_means(cols, cols.f, clamp=normalized)
    raw_means = _criterion_means(cols, cols.raw_f, clamp=False) if normalized else means

    result = RubricScores()
    shown_ids = set(app_ids) | set(per_app)
    for aid in sorted(shown_ids if application_ids is None else shown_ids & set(application_ids)):
        if aid not in per_app:
            result[aid] = RubricScore(aid, None, None, {}, 0, None, False, {})
            continue
        n, lo, span, fraction, spread = per_app[aid]
        result[aid] = RubricScore(
            application_id=aid,
            weighted=lo + fraction * span,
            fraction=fraction,
            criterion_means=means[aid],
            n_reviews=n,
            spread=spread,
            disagreement=n >= 2 and span > 0 and spread >= threshold * span - 1e-9,
            raw_criterion_means=raw_means[aid],
        )
    wanted = None if application_ids is None else set(application_ids)
    result.reviews = [ReviewTotal(aid, reviewer_id, label, raw)
                      for (_rid, aid, reviewer_id, label, _rubric), raw in zip(cols.rows, cols.raw.tolist())
                      if wanted is None or aid in wanted]
    return result
