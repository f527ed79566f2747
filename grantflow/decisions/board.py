"""The ranking board: every submitted application with its rubric score, the scoring rules'
contributions (when the program has been scored), the total, the amount requested and a running
total against the budget, in a fixed number of queries whatever the number of applications.

The total is the scoring engine's 0–100 total when the program has been scored, else the rubric
score as 0–100 (fraction × 100). The running total adds, down the board in its current order,
the money each row would take: the award when awarded, nothing when declined, otherwise the amount
requested. The first row whose running total passes the budget is where the money runs out.
Groups use grantflow/facts.py's definitions (with their documented defaults).
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Optional

from sqlalchemy import select
from sqlalchemy.orm import aliased

from grantflow import facts as F
from grantflow.applications.models import Application
from grantflow.core import csvfile
from grantflow.core.db import db
from grantflow.core.money import format_money
from grantflow.decisions.models import AWARD, DECLINE, Decision
from grantflow.organizations.models import Organization
from grantflow.programs.models import Program
from grantflow.reviews.aggregate import RubricScore, rubric_scores

GROUPS = {
    "poc_led": "Led by people of color",
    "community_led": "Community-led",
    "priority_place": "Serves a priority place",
}
SORTS = {"total": "Total score", "rubric": "Rubric score", "requested": "Amount requested", "id": "Application number"}


@dataclass(frozen=True)
class BoardRow:
    application_id: int
    title: str
    applicant: str
    status: str
    amount_requested_cents: int
    rubric: RubricScore | None
    rubric_score: Optional[float]
    contributions: dict[str, float]  # rule label -> points of the total
    total: Optional[float]
    decision: Optional[str]
    award_cents: int
    need_ids: tuple[int, ...]
    need_names: tuple[str, ...]
    place_ids: tuple[int, ...]
    place_names: tuple[str, ...]
    need_quartile: Optional[int]
    poc_led: Optional[bool]
    community_led: Optional[bool]
    priority_place: bool
    running_total_cents: int = 0
    within_budget: bool = True

    @property
    def at_stake_cents(self) -> int:
        if self.decision == AWARD:
            return self.award_cents
        if self.decision == DECLINE:
            return 0
        return self.amount_requested_cents


@dataclass(frozen=True)
class Board:
    program_id: int
    budget_cents: int
    awarded_cents: int
    normalized: bool
    scored: bool
    rule_labels: tuple[str, ...]
    rows: tuple[BoardRow, ...]
    runs_out_at: Optional[int]  # application id of the first row past the budget
    needs: dict[int, str]
    places: dict[int, str]


def _latest_results(program_id: int) -> dict:
    try:
        from grantflow.scoring.engine import latest_results
    except ImportError:  # the scoring engine is optional for the board
        return {}
    return latest_results(program_id, details=False) or {}  # contributions only, no explanations


def load_board(program: Program, *, status: str | None = None, need: int | None = None, place: int | None = None,
               group: str | None = None, sort: str = "total") -> Board:
    normalized = bool(program.normalize_scores)
    rubric = rubric_scores(program.id, normalized=normalized)
    ctx, facts = F.load_facts(program.id)
    scores = _latest_results(program.id)
    behalf = aliased(Organization)
    names = {
        r.id: (r.title, r.behalf_name or r.org_name)
        for r in db.session.execute(
            select(Application.id, Application.title, Organization.name.label("org_name"),
                   behalf.name.label("behalf_name"))
            .join(Organization, Organization.id == Application.organization_id)
            .outerjoin(behalf, behalf.id == Application.on_behalf_of_id)
            .where(Application.program_id == program.id, Application.status != "draft")
        )
    }
    decisions = {
        aid: (outcome, amount) for aid, outcome, amount in db.session.execute(
            select(Decision.application_id, Decision.outcome, Decision.amount_cents)
            .where(Decision.program_id == program.id))
    }
    rule_labels: list[str] = []
    rows: list[BoardRow] = []
    for f in facts:
        if f.status in ("withdrawn",):
            continue
        rs = rubric.get(f.application_id)
        sc = scores.get(f.application_id)
        contributions: dict[str, float] = {}
        if sc is not None:
            for r in sc.rules:
                if r.label not in rule_labels:
                    rule_labels.append(r.label)
                contributions[r.label] = sc.contribution(r.rule_key)
        total = sc.total if sc is not None else (rs.fraction * 100 if rs and rs.fraction is not None else None)
        outcome, amount = decisions.get(f.application_id, (None, 0))
        title, applicant = names.get(f.application_id, ("", ""))
        rows.append(BoardRow(
            application_id=f.application_id, title=title or "Untitled", applicant=applicant, status=f.status,
            amount_requested_cents=f.amount_requested_cents or 0, rubric=rs,
            rubric_score=rs.weighted if rs else None, contributions=contributions, total=total,
            decision=outcome, award_cents=amount or 0,
            need_ids=f.need_ids, need_names=tuple(ctx.needs[n].name for n in f.need_ids if n in ctx.needs),
            place_ids=f.place_ids,
            place_names=tuple(ctx.places[p].name for p in f.place_ids if p in ctx.places),
            need_quartile=F.need_quartile(F.served_need_index(f, ctx)),
            poc_led=F.leadership_is_poc(f), community_led=F.is_community_led(f),
            priority_place=F.serves_priority_place(f, ctx),
        ))

    if status:
        rows = [r for r in rows if r.status == status]
    if need:
        rows = [r for r in rows if need in r.need_ids]
    if place:
        rows = [r for r in rows if place in r.place_ids]
    if group in GROUPS:
        rows = [r for r in rows if getattr(r, group) is True]

    def none_last(value):
        return (value is None, -(value or 0))

    if sort == "rubric":
        rows.sort(key=lambda r: (*none_last(r.rubric_score), r.application_id))
    elif sort == "requested":
        rows.sort(key=lambda r: (-r.amount_requested_cents, r.application_id))
    elif sort == "id":
        rows.sort(key=lambda r: r.application_id)
    else:
        rows.sort(key=lambda r: (*none_last(r.total), r.application_id))

    running = 0
    runs_out_at = None
    out = []
    for r in rows:
        running += r.at_stake_cents
        within = running <= program.budget_cents
        if not within and runs_out_at is None:
            runs_out_at = r.application_id
        out.append(BoardRow(**{**r.__dict__, "running_total_cents": running, "within_budget": within}))
    awarded = sum(a for o, a in decisions.values() if o == AWARD)
    return Board(program.id, program.budget_cents, awarded, normalized, bool(scores), tuple(rule_labels),
                 tuple(out), runs_out_at, {k: v.name for k, v in ctx.needs.items()},
                 {k: v.name for k, v in ctx.places.items()})


def _yes_no(value: Optional[bool]) -> str:
    return "not reported" if value is None else ("yes" if value else "no")


def to_csv(board: Board) -> str:
    header = ["rank", "application_id", "title", "applicant", "status", "rubric_score", "reviews",
              "reviewers_disagree", *[f"rule: {label}" for label in board.rule_labels], "total",
              "amount_requested", "decision", "award", "running_total", "within_budget", "needs", "places",
              "poc_led", "community_led", "priority_place"]
    rows = ([
        i, r.application_id, r.title, r.applicant, r.status,
        "" if r.rubric_score is None else f"{r.rubric_score:.2f}",
        r.rubric.n_reviews if r.rubric else 0, "yes" if r.rubric and r.rubric.disagreement else "no",
        *["" if label not in r.contributions else f"{r.contributions[label]:.2f}" for label in board.rule_labels],
        "" if r.total is None else f"{r.total:.2f}",
        format_money(r.amount_requested_cents), r.decision or "", format_money(r.award_cents) if r.award_cents else "",
        format_money(r.running_total_cents), "yes" if r.within_budget else "no",
        "; ".join(r.need_names), "; ".join(r.place_names),
        _yes_no(r.poc_led), _yes_no(r.community_led), "yes" if r.priority_place else "no",
    ] for i, r in enumerate(board.rows, 1))
    return csvfile.to_text(itertools.chain([header], rows))
