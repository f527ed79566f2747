"""Everything the audit of one program needs, loaded as plain values in a fixed number of queries.

Funnel stages (applied → eligible → reviewed → recommended → awarded). Each
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

from dataclasses import dataclass, field
from typing import Optional

import numpy as np
from flask_babel import gettext as _
from sqlalchemy import select

from grantflow.core.db import db, plain_rows
from grantflow.facts import ApplicationFacts, ProgramContext

# Keys of ApplicationFacts.extra holding an imported past cycle's own classification.
IMPORTED_POC = "imported_poc_led"
IMPORTED_COMMUNITY = "imported_community_led"
IMPORTED_FIRST_TIME = "imported_first_time"
STAGES = ("applied", "eligible", "reviewed", "recommended", "awarded")
_ELIGIBLE_STATUSES = {"eligible", "under_review", "recommended", "awarded", "declined", "waitlisted"}
_RECOMMENDED_STATUSES = {"recommended", "waitlisted"}


@dataclass(frozen=True)
class CriterionInfo:
    id: int
    label: str
    rubric_version: int
    position: int
    weight: float


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
    # (into `reviewer_names` and `reviewer_keys`), and the review's weighted mean.
    review_app: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    review_reviewer: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    review_score: np.ndarray = field(default_factory=lambda: np.zeros(0))
    reviewer_names: list[str] = field(default_factory=list)  # as shown, in the reader's language
    reviewer_keys: list[str] = field(default_factory=list)  # what the JSON and CSV name them by, in any language
    merit: Optional[list[Optional[float]]] = None  # rubric-only score (scoring engine), None when unscored
    total: Optional[list[Optional[float]]] = None  # total with priority rules
    places_as_of: Optional[dict] = None  # the program's place vintage (grantflow/chna/vintage.py), if frozen


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


def _board_rubric(program, st) -> dict[int, float]:
    """The board's normalized rubric scores (so the audit and the board agree): the standings'
    own when they read them normalized, as they do unless a rule asks for raw scores; computed
    only otherwise (at 50,000 applications a second pass over 530,000 criterion scores)."""
    from grantflow.reviews.aggregate import rubric_scores
    from grantflow.scoring.engine import rubric_normalized

    scores = (st.rubric if rubric_normalized(program, list(st.configs))
              else rubric_scores(program.id, normalized=True))
    return {app_id: s.weighted for app_id, s in scores.items() if s.weighted is not None}


def _ranked_scores(st) -> Optional[dict[int, tuple[Optional[float], float]]]:
    """`{application_id: (merit part, total)}` of the applications the ranking board ranks, from
    the one standing every page shows (grantflow.scoring.standing), with the data as it is now:
    the hypothetical funding ranks what the board ranks, never a total made of the priority rules
    alone or left by an old score run (the others have neither: `AuditData.merit` and `.total`
    are None for them). None when the program scores with no rule."""
    if not st.configs:
        return None
    return {s.application_id: (s.score.merit, s.total) for s in st.rows if s.ranked}


def _facts(st) -> list[ApplicationFacts]:
    """Every application that is not a draft, in id order: the facts the standings were computed
    from (the standing ones and the withdrawn ones), not loaded a second time."""
    facts = [*st.facts.values(), *st.withdrawn]
    facts.sort(key=lambda f: f.application_id)
    return facts


def _positions(app_ids: np.ndarray, ids) -> tuple[np.ndarray, np.ndarray]:
    """Positions in `app_ids` (sorted, as `load_facts` returns them) of `ids`, and which were found."""
    ids = np.asarray(ids, dtype=np.int64)
    pos = np.minimum(np.searchsorted(app_ids, ids), max(len(app_ids) - 1, 0))
    return pos, (app_ids[pos] == ids) if len(app_ids) else np.zeros(len(ids), dtype=bool)


def _reviews(reviews, app_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str], list[str]]:
    """The counted reviews (`grantflow.reviews.aggregate.ReviewTotal`, read with the standings) as
    parallel arrays (position of the application, reviewer index, the review's weighted mean of
    its own scores) and the reviewers' names and keys, in order of their first review. A reviewer
    without a name is named in the reader's language; their key is the same in every language."""
    from grantflow.accounts.models import User

    if not reviews:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0), [], []
    apps, reviewer_ids, labels, means = zip(*reviews)
    pos, found = _positions(app_ids, apps)
    # A stable key per reviewer: the account, or the imported name of one without an account.
    keys = [("u", rid) if rid is not None else ("l", label or "") for rid, label in zip(reviewer_ids, labels)]
    index: dict[tuple, int] = {}
    reviewer = np.fromiter((index.setdefault(k, len(index)) if kept else -1 for k, kept in zip(keys, found.tolist())),
                           dtype=np.int64, count=len(keys))
    user_ids = {rid for kind, rid in index if kind == "u"}
    names = dict(db.session.execute(select(User.id, User.name).where(User.id.in_(user_ids))).all()) if user_ids else {}
    reviewer_keys = [names.get(v, f"Reviewer {v}") if kind == "u" else (v or "Unnamed reviewer")
                     for kind, v in index]
    reviewer_names = [names.get(v, _("Reviewer %(id)s", id=v)) if kind == "u" else (v or _("Unnamed reviewer"))
                      for kind, v in index]
    return pos[found], reviewer[found], np.asarray(means, dtype=float)[found], reviewer_names, reviewer_keys


def _criterion_values(rubric, app_ids: np.ndarray) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """Criterion id -> (positions of the applications scored on it, the means of their reviewers'
    own scores), from the standings' rubric scores."""
    rows = [(aid, cid, mean) for aid, s in rubric.items() for cid, mean in s.raw_criterion_means.items()]
    if not rows:
        return {}
    apps, criteria, means = zip(*rows)
    pos, found = _positions(app_ids, apps)
    criteria = np.asarray(criteria, dtype=np.int64)
    means = np.asarray(means, dtype=float)
    out = {}
    for c in np.unique(criteria):
        mask = found & (criteria == c)
        out[int(c)] = (pos[mask], means[mask])
    return out


def load_audit_data(program) -> AuditData:
    from grantflow.applications.models import Application
    from grantflow.decisions.models import Decision
    from grantflow.programs.models import Criterion, Rubric

    from grantflow.equity.models import HistoricalClassification

    from grantflow.scoring.standing import standings

    st = standings(program)
    ctx, facts = st.ctx, _facts(st)
    imported = {r.application_id: r for r in db.session.execute(
        select(HistoricalClassification.application_id, HistoricalClassification.poc_led,
               HistoricalClassification.community_led, Application.first_time_applicant)
        .join(Application, Application.id == HistoricalClassification.application_id)
        .where(Application.program_id == program.id))}
    if imported:
        facts = [f.with_extra({IMPORTED_POC: imported[f.application_id].poc_led,
                               IMPORTED_COMMUNITY: imported[f.application_id].community_led,
                               IMPORTED_FIRST_TIME: imported[f.application_id].first_time_applicant})
                 if f.application_id in imported else f for f in facts]
    decisions = {app_id: (outcome, cents) for app_id, outcome, cents in plain_rows(
        select(Decision.application_id, Decision.outcome, Decision.amount_cents)
        .where(Decision.program_id == program.id)).all()}

    app_ids = np.fromiter((f.application_id for f in facts), dtype=np.int64, count=len(facts))
    review_app, review_reviewer, review_score, reviewer_names, reviewer_keys = _reviews(st.rubric.reviews, app_ids)
    n_reviews = np.bincount(review_app, minlength=len(facts))
    review_means = np.bincount(review_app, weights=review_score, minlength=len(facts)) / np.maximum(n_reviews, 1)
    criterion_values = _criterion_values(st.rubric, app_ids)
    criteria = [CriterionInfo(r.id, r.label, r.version, r.position, float(r.weight or 0)) for r in db.session.execute(
        select(Criterion.id, Criterion.label, Rubric.version, Criterion.position, Criterion.weight)
        .join(Rubric, Rubric.id == Criterion.rubric_id)
        .where(Rubric.program_id == program.id).order_by(Rubric.version, Criterion.position))
        if r.id in criterion_values]

    # The board's normalized scores when the program normalizes; otherwise the plain mean of the
    # reviews' weighted means, which is what the board shows too (computed here from one query).
    board = _board_rubric(program, st) if program.normalize_scores else None
    rubric: list[Optional[float]] = []
    stage, awarded, award_cents, requested = [], [], [], []
    for f, n, mean in zip(facts, n_reviews.tolist(), review_means.tolist()):
        outcome, amount = decisions.get(f.application_id, (None, 0))
        s = _stage(f.status, outcome, n > 0)
        stage.append(s)
        awarded.append(s == 4)
        req = f.amount_requested_cents or 0
        requested.append(req)
        award_cents.append((amount or 0) if outcome == "award" else (req if s == 4 else 0))
        if board is not None and f.application_id in board:
            rubric.append(board[f.application_id])
        elif n:
            rubric.append(mean)
        else:
            rubric.append(None)

    ranked = _ranked_scores(st)
    merit = total = None
    if ranked:
        merit = [ranked.get(f.application_id, (None, None))[0] for f in facts]
        total = [ranked.get(f.application_id, (None, None))[1] for f in facts]

    from grantflow.chna.vintage import vintage

    current = program.current_rubric
    return AuditData(
        program_id=program.id, slug=program.slug, title=program.title, funder_name=program.funder.name,
        series=program.series, cycle_label=program.cycle_label, data_vintage=program.data_vintage,
        rubric_version=current.version if current else None, is_historical=bool(program.is_historical),
        budget_cents=program.budget_cents or 0, ctx=ctx, facts=facts, stage=stage, awarded=awarded,
        award_cents=award_cents, requested_cents=requested, rubric=rubric,
        criteria=criteria, criterion_values=criterion_values, review_app=review_app,
        review_reviewer=review_reviewer, review_score=review_score,
        reviewer_names=reviewer_names, reviewer_keys=reviewer_keys, merit=merit, total=total, places_as_of=vintage(program.id),
    )
