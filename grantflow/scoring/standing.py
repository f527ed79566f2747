"""An application's standing and total: the one definition that the ranking board, the score page,
the results page, the what-if sandbox, the board's CSV and the equity audit read.

Standing, decided by `judge` and nowhere else:

- **ineligible**: the application was found ineligible; it cannot be funded and has no total.
- **unreviewed**: no submitted review counts yet (the program scores the reviewers' rubric).
- **partial**: some reviews are in, but an assigned reviewer has not submitted yet, the rubric rule's
  minimum number of reviews is not reached, or a scoring rule failed for it.
- **complete**: every assigned review is in and every rule that has data scored it.

A program that does not score the reviewers' rubric (no merit rule in use) does not wait for
reviews: its applications are complete when every rule scored them.

The total is the scoring engine's (grantflow/scoring/results.py) over the data as it is now, with
the program's saved rules (or the what-if sandbox's): the same numbers wherever it is shown. It
exists only while the merit part is counted: an unreviewed or ineligible application has no total,
never its priority part passed off as one. Only complete applications are ranked by total; after
them come the partial ones (by their provisional total), then the unreviewed, then the ineligible,
each with what it lacks (`Standing.lacks`).

Recorded score runs (`engine.rescore`) are snapshots for comparing configurations over time; what
is shown here never waits for one.

For other areas (the equity audit): `standings(program)` returns every submitted application's
`Standing` in ranking order, in a fixed number of queries; `Standing.total`, `.standing` and
`.score` (the rules' parts) are plain values; `Standings.facts` and `.withdrawn` are the facts they
were computed from (the audit reads them rather than loading them again).
"""
from __future__ import annotations

from dataclasses import dataclass
from flask_babel import lazy_gettext as _l
from typing import Optional

from sqlalchemy import func, select

from grantflow.applications import models as A
from grantflow.core import memo
from grantflow.core.db import db
from grantflow.facts import ApplicationFacts, ProgramContext
from grantflow.programs.models import Program
from grantflow.reviews.aggregate import RubricScores, rubric_scores
from grantflow.reviews.models import ASSIGNED, SUBMITTED, Review, ReviewAssignment
from grantflow.scoring.engine import RuleConfig, load_inputs, program_config, resolve, rubric_normalized, score_all
from grantflow.scoring.explain import Explanation, explain, explain_n
from grantflow.scoring.results import ERRORED, OK, ApplicationScore, keeps_complete
from grantflow.scoring.rules import MERIT

COMPLETE, PARTIAL, UNREVIEWED, INELIGIBLE = "complete", "partial", "unreviewed", "ineligible"
ORDER = (COMPLETE, PARTIAL, UNREVIEWED, INELIGIBLE)
LABELS = {COMPLETE: _l("Complete"), PARTIAL: _l("Partly reviewed"), UNREVIEWED: _l("Not reviewed yet"),
          INELIGIBLE: _l("Ineligible")}
# Applications that have no standing at all: never submitted, or taken back.
NOT_STANDING = (A.DRAFT, A.WITHDRAWN)


@dataclass(frozen=True, slots=True)
class Standing:
    application_id: int
    status: str
    standing: str
    reviews_in: int
    reviews_waiting: int  # active assignments whose review is not submitted yet
    score: ApplicationScore
    lacks: tuple[Explanation, ...]  # what keeps it from being complete (worded in the reader's language when shown)
    merit_counted: bool

    @property
    def total(self) -> Optional[float]:
        """The 0–100 total, or None (ineligible, or its merit part not counted yet)."""
        if self.standing == INELIGIBLE or not self.merit_counted:
            return None
        return self.score.total

    @property
    def label(self) -> str:
        return str(LABELS[self.standing])

    @property
    def ranked(self) -> bool:
        return self.standing == COMPLETE

    @property
    def fundable(self) -> bool:
        return self.standing != INELIGIBLE


INELIGIBLE_LACKS = (explain("found ineligible, so it cannot be funded"),)
UNASSIGNED_LACKS = (explain("no review in yet, and no reviewer assigned"),)


def judge(status: str, reviews_in: int, reviews_waiting: int, score: ApplicationScore,
          merit_used: bool) -> tuple[str, tuple[Explanation, ...]]:
    """(standing, what it lacks): the definition in the module docstring. What it lacks is a
    message worded when shown: the audit judges every application and reads none of them."""
    if status == A.INELIGIBLE:
        return INELIGIBLE, INELIGIBLE_LACKS
    lacks: list[Explanation] = []
    if merit_used:
        if reviews_in == 0:
            return UNREVIEWED, ((explain("no review in yet (%(assigned)s assigned)", assigned=reviews_waiting),)
                                if reviews_waiting else UNASSIGNED_LACKS)
        if reviews_waiting:
            lacks.append(explain_n("%(waiting)s of %(num)d review still to come",
                                   "%(waiting)s of %(num)d reviews still to come",
                                   reviews_in + reviews_waiting, waiting=reviews_waiting))
    for r in score.rules:
        if not keeps_complete(r.status, r.kind):
            lacks.append(explain("%(rule)s: failed, not counted", rule=r.label) if r.status == ERRORED
                         else explain("%(rule)s: not enough reviews, not counted", rule=r.label))
    return (PARTIAL if lacks else COMPLETE), tuple(lacks)


def ranking_key(s: Standing):
    """Complete first (by total, highest first), then partial, unreviewed, ineligible; ties by id."""
    total = s.total
    return (ORDER.index(s.standing), total is None, -(total or 0.0), s.application_id)


@dataclass(frozen=True)
class Standings:
    program_id: int
    configs: tuple[RuleConfig, ...]  # the enabled rules, resolved (what was computed)
    ctx: ProgramContext
    facts: dict[int, ApplicationFacts]
    rubric: RubricScores  # with the counted reviews (`RubricScores.reviews`)
    rows: tuple[Standing, ...]  # in ranking order
    # The withdrawn applications' facts (no standing, but the audit counts them as having applied).
    withdrawn: tuple[ApplicationFacts, ...] = ()

    def get(self, application_id: int) -> Optional[Standing]:
        return next((s for s in self.rows if s.application_id == application_id), None)

    @property
    def rule_labels(self) -> tuple[tuple[str, str], ...]:
        """(key, label) of the rules in use, in key order."""
        return tuple((c.key, c.label) for c in self.configs)


def waiting_reviews(program_id: int, application_ids: list[int] | None = None) -> dict[int, int]:
    """Active assignments per application whose review is not submitted yet (one query)."""
    only = () if application_ids is None else (ReviewAssignment.application_id.in_(application_ids),)
    return dict(db.session.execute(
        select(ReviewAssignment.application_id, func.count())
        .join(A.Application, A.Application.id == ReviewAssignment.application_id)
        .outerjoin(Review, (Review.assignment_id == ReviewAssignment.id) & (Review.status == SUBMITTED))
        .where(A.Application.program_id == program_id, ReviewAssignment.status == ASSIGNED, Review.id.is_(None),
               *only)
        .group_by(ReviewAssignment.application_id)).all())


# What a program's standings read: the program's ranking is kept between requests while none of
# these tables changes (grantflow/core/memo.py; tests/scoring/test_kept_standings.py checks the list).
KEPT = memo.watch("standings", (
    "applications", "application_needs", "application_places", "answers", "custom_questions", "organizations",
    "leadership_profiles", "community_practices", "feedback_loops", "network_members", "decisions", "programs",
    "program_rules", "priority_needs", "places", "place_vintages", "reviews", "review_assignments",
    "criterion_scores", "criteria", "rubrics",
))


def standings(program: Program, configs: list[RuleConfig] | None = None,
              application_ids: list[int] | None = None) -> Standings:
    """Every submitted (not withdrawn) application's standing and total, in ranking order, with
    the program's saved rules or `configs` (the what-if sandbox's); only `application_ids` when
    given (what is read is then theirs alone, except what calibrating normalized reviewer scores
    needs). A fixed number of queries whatever the number of applications.

    The whole program's standings with its saved rules are kept while their data is unchanged
    (`KEPT`): the board, the audit and the exports of one program read them once."""
    if configs is None and application_ids is None:
        # Filed by program alone: memo.kept adds the language and the watched tables' generations.
        return memo.kept(KEPT, (program.id,), lambda: _standings(program, None, None))
    return _standings(program, configs, application_ids)


def _standings(program: Program, configs: list[RuleConfig] | None,
               application_ids: list[int] | None) -> Standings:
    used = resolve(program_config(program) if configs is None else configs, program)
    rubric = rubric_scores(program.id, normalized=rubric_normalized(program, used), application_ids=application_ids)
    ctx, loaded = load_inputs(program, used, rubric=rubric, application_ids=application_ids)
    facts = [f for f in loaded if f.status not in NOT_STANDING]
    scores = score_all(used, ctx, facts)
    waiting = waiting_reviews(program.id, application_ids)
    merit_used = any(c.rule.kind == MERIT for c in used)
    rows = []
    for f in facts:
        score = scores[f.application_id]
        reviews_in = rubric[f.application_id].n_reviews if f.application_id in rubric else 0
        kind, lacks = judge(f.status, reviews_in, waiting.get(f.application_id, 0), score, merit_used)
        merit_counted = all(r.status == OK for r in score.rules if r.kind == MERIT)
        rows.append(Standing(f.application_id, f.status, kind, reviews_in, waiting.get(f.application_id, 0),
                             score, lacks, merit_counted))
    rows.sort(key=ranking_key)
    return Standings(program.id, tuple(used), ctx, {f.application_id: f for f in facts}, rubric, tuple(rows),
                     tuple(f for f in loaded if f.status == A.WITHDRAWN))


def standing_of(application: A.Application) -> Optional[Standing]:
    """One application's standing (None for a draft or a withdrawn application)."""
    return standings(application.program, application_ids=[application.id]).get(application.id)
