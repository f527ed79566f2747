"""The ranking board: every submitted application with its standing, rubric score, the scoring
rules' contributions, the total, the amount requested and a running total against the budget, in
a fixed number of queries whatever the number of applications.

Standing and total are `grantflow.scoring.standing`'s (the same everywhere): complete applications
are ranked by total; the partial, unreviewed and ineligible ones follow, in that order, labelled
with what they lack, whatever the sort (a sort orders the applications within each standing).

The running total adds, down the board in its current order, the money each row could take: the
award when awarded, nothing when declined or ineligible, otherwise the amount requested. The first
row whose running total passes the budget is where the money runs out if everything above it is
funded as requested. "Over budget" is something else, said once (`services.over_budget`): a row
is over budget when awarding what it requests would take the awards past the budget.
Groups use grantflow/facts.py's definitions (with their documented defaults).
"""
from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, replace
from typing import Optional

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import aliased

from grantflow import facts as F
from grantflow.applications.models import Application
from grantflow.core import csvfile, memo
from grantflow.core.db import db
from grantflow.core.money import cents_to_dollars
from grantflow.decisions.models import AWARD, DECLINE, Decision
from grantflow.decisions.services import over_budget
from grantflow.organizations.models import Organization
from grantflow.programs.models import Program
from grantflow.reviews.aggregate import RubricScore
from grantflow.scoring.engine import rubric_normalized
from grantflow.scoring.standing import KEPT as STANDINGS_READ
from grantflow.scoring.standing import ORDER, Standing, standings

GROUPS = {
    "poc_led": _l("Led by people of color"),
    "community_led": _l("Community-led"),
    "priority_place": _l("Serves a priority place"),
}
SORTS = {"total": _l("Total score"), "rubric": _l("Rubric score"), "requested": _l("Amount requested"), "id": _l("Application number")}
# The columns an officer may show; the default set fits a 1,280 px window.
COLUMNS = {"status": _l("Application status"), "rubric": _l("Rubric"), "rules": _l("Each rule's part"), "requested": _l("Requested"),
           "decision": _l("Decision"), "running": _l("Running total")}
DEFAULT_COLUMNS = ("rubric", "requested", "decision", "running")


@dataclass(frozen=True)
class BoardRow:
    application_id: int
    title: str
    applicant: str
    status: str
    standing: Standing
    amount_requested_cents: int
    rubric: RubricScore | None
    contributions: dict[str, float]  # rule key -> points of the total
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
    rank: Optional[int] = None  # place among the complete applications (only they are ranked)
    running_total_cents: int = 0
    over_budget: bool = False

    @property
    def total(self) -> Optional[float]:
        return self.standing.total

    @property
    def rubric_score(self) -> Optional[float]:
        return self.rubric.weighted if self.rubric else None

    @property
    def at_stake_cents(self) -> int:
        if self.decision == AWARD:
            return self.award_cents
        if self.decision == DECLINE or not self.standing.fundable:
            return 0
        return self.amount_requested_cents


@dataclass(frozen=True)
class Board:
    program_id: int
    budget_cents: int
    awarded_cents: int
    normalized: bool
    rules: tuple[tuple[str, str], ...]  # (key, label) of the rules in use
    rows: tuple[BoardRow, ...]
    runs_out_at: Optional[int]  # application id of the first row past the budget
    needs: dict[int, str]
    places: dict[int, str]

    @property
    def left_cents(self) -> int:
        return self.budget_cents - self.awarded_cents


# The board reads what the standings read (titles, applicants and decisions among them): a board
# is kept between requests while none of those tables changes (grantflow/core/memo.py).
KEPT = memo.watch("board", STANDINGS_READ.tables)
TABLE_KEPT = memo.watch("board.table", KEPT.tables)  # the board's rows as HTML (grantflow/decisions/views.py)


def load_board(program: Program, *, status: str | None = None, need: int | None = None, place: int | None = None,
               group: str | None = None, sort: str = "total") -> Board:
    return memo.kept(KEPT, (program.id, status, need, place, group, sort),
                     lambda: _load_board(program, status, need, place, group, sort))


def _load_board(program: Program, status: str | None, need: int | None, place: int | None, group: str | None,
                sort: str) -> Board:
    st = standings(program)
    ctx = st.ctx
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
    awarded = sum(a for o, a in decisions.values() if o == AWARD)
    rows: list[BoardRow] = []
    rule_keys = [key for key, _ in st.rule_labels]
    for s in st.rows:
        parts = s.score.contributions()
        f = st.facts[s.application_id]
        outcome, amount = decisions.get(s.application_id, (None, 0))
        title, applicant = names.get(s.application_id, ("", ""))
        requested = f.amount_requested_cents or 0
        rows.append(BoardRow(
            application_id=s.application_id, title=title or _("Untitled"), applicant=applicant, status=f.status,
            standing=s, amount_requested_cents=requested, rubric=st.rubric.get(s.application_id),
            contributions={key: parts.get(key, 0.0) for key in rule_keys},
            decision=outcome, award_cents=amount or 0,
            need_ids=f.need_ids, need_names=tuple(ctx.needs[n].name for n in f.need_ids if n in ctx.needs),
            place_ids=f.place_ids,
            place_names=tuple(ctx.places[p].name for p in f.place_ids if p in ctx.places),
            need_quartile=F.need_quartile(F.served_need_index(f, ctx)),
            poc_led=F.leadership_is_poc(f), community_led=F.is_community_led(f),
            priority_place=F.serves_priority_place(f, ctx),
            over_budget=(outcome != AWARD and s.fundable
                         and over_budget(program.budget_cents, awarded, requested)),
        ))

    if status:
        rows = [r for r in rows if r.status == status]
    if need:
        rows = [r for r in rows if need in r.need_ids]
    if place:
        rows = [r for r in rows if place in r.place_ids]
    if group in GROUPS:
        rows = [r for r in rows if getattr(r, group) is True]

    def in_standing(r: BoardRow) -> int:
        return ORDER.index(r.standing.standing)

    if sort == "rubric":
        rows.sort(key=lambda r: (in_standing(r), r.rubric_score is None, -(r.rubric_score or 0), r.application_id))
    elif sort == "requested":
        rows.sort(key=lambda r: (in_standing(r), -r.amount_requested_cents, r.application_id))
    elif sort == "id":
        rows.sort(key=lambda r: (in_standing(r), r.application_id))
    # "total": the standings' own order.

    running = 0
    runs_out_at = None
    out = []
    rank = 0
    for r in rows:
        running += r.at_stake_cents
        if running > program.budget_cents and runs_out_at is None:
            runs_out_at = r.application_id
        rank += r.standing.ranked
        out.append(replace(r, running_total_cents=running, rank=rank if r.standing.ranked else None))
    return Board(program.id, program.budget_cents, awarded, rubric_normalized(program, list(st.configs)),
                 st.rule_labels, tuple(out), runs_out_at,
                 {k: v.name for k, v in ctx.needs.items()}, {k: v.name for k, v in ctx.places.items()})


def _yes_no(value: Optional[bool]) -> str:
    return "not reported" if value is None else ("yes" if value else "no")


def _exact(value: Optional[float]) -> str:
    """Numbers in the export as computed (people see them rounded on the pages)."""
    return "" if value is None else repr(float(value))


# Between the names in one cell: a tract's own name has "; " in it ("Census Tract 408.02; Riverside
# County; California"), so "; " between names could not be split.
LIST_SEPARATOR = " | "


def _dollars(cents: int | None) -> str:
    """Dollars as a plain number ("67000.00"): a spreadsheet sums the column as it is."""
    return "" if cents is None else str(cents_to_dollars(cents))


def to_csv(board: Board) -> str:
    """The board as a spreadsheet: amounts in dollars as plain numbers (`_dollars`), list cells
    joined by `LIST_SEPARATOR`."""
    header = ["rank", "application_id", "title", "applicant", "status", "standing", "lacks", "rubric_score",
              "reviews", "reviews_to_come", "reviewers_disagree", *[f"rule: {label}" for _, label in board.rules],
              "total", "amount_requested", "decision", "award", "running_total", "over_budget", "needs", "places",
              "poc_led", "community_led", "priority_place", "evidence"]
    rows = ([
        r.rank or "", r.application_id, r.title, r.applicant, r.status, r.standing.standing,
        "; ".join(map(str, r.standing.lacks)), _exact(r.rubric_score), r.standing.reviews_in, r.standing.reviews_waiting,
        "yes" if r.rubric and r.rubric.disagreement else "no",
        *[_exact(r.contributions.get(key)) for key, _ in board.rules],
        _exact(r.total), _dollars(r.amount_requested_cents), r.decision or "",
        _dollars(r.award_cents) if r.award_cents else "", _dollars(r.running_total_cents),
        "yes" if r.over_budget else "no", LIST_SEPARATOR.join(r.need_names), LIST_SEPARATOR.join(r.place_names),
        _yes_no(r.poc_led), _yes_no(r.community_led), "yes" if r.priority_place else "no",
        json.dumps({o.rule_key: o.evidence for o in r.standing.score.rules}, sort_keys=True, default=str),
    ] for r in board.rows)
    return csvfile.to_text(itertools.chain([header], rows))
