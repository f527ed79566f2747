"""The demo's open 2026 cycle, as the program officer who reported issue 14 found it: reviews partly
in, some applications ineligible, on SQLite and on PostgreSQL. Every output that ranks or scores
applications — the ranking board, the score page, the results page, the what-if sandbox, the
board's CSV and the equity audit — tells one truth about each application's standing and total,
and no partial or unreviewed application ranks above a complete one. Each symptom the officer saw
is a test here."""
from __future__ import annotations

import csv
import io
import re

import pytest
from sqlalchemy import select

from grantflow.accounts.models import User
from grantflow.applications.models import Application
from grantflow.core.db import db
from grantflow.decisions.board import load_board
from grantflow.decisions.services import awarded_total, decide
from grantflow.demo.build import OPEN_PROGRAM, build_demo
from grantflow.equity.data import load_audit_data
from grantflow.programs.models import Program
from grantflow.reviews.models import SUBMITTED, Review, ReviewAssignment
from grantflow.scoring import engine


def _quiet(*_args):
    pass


@pytest.fixture
def cycle(any_app):
    build_demo(reset=False, seed=2026, n_applications=None, echo=_quiet)
    program = db.session.execute(select(Program).where(Program.slug == OPEN_PROGRAM)).scalar_one()
    officer = db.session.execute(select(User).where(User.email == "officer1@rchf.example.org")).scalar_one()
    return program, officer, any_app.test_client(user=officer)


def _reviews_state(program) -> dict[int, tuple[int, int]]:
    """(submitted reviews, active assignments still waiting) per application, read directly."""
    state: dict[int, list[int]] = {}
    for aid, status in db.session.execute(
            select(Review.application_id, Review.status).join(Application, Application.id == Review.application_id)
            .where(Application.program_id == program.id)):
        state.setdefault(aid, [0, 0])[0] += status == SUBMITTED
    submitted_assignments = select(Review.assignment_id).where(Review.status == SUBMITTED,
                                                               Review.assignment_id.is_not(None))
    for (aid,) in db.session.execute(
            select(ReviewAssignment.application_id).join(Application, Application.id == ReviewAssignment.application_id)
            .where(Application.program_id == program.id, ReviewAssignment.status == "assigned",
                   ReviewAssignment.id.not_in(submitted_assignments))):
        state.setdefault(aid, [0, 0])[1] += 1
    return {aid: (n, waiting) for aid, (n, waiting) in state.items()}


def test_no_application_without_its_reviews_ranks_above_one_with_all_of_them(cycle):
    """Seen: #57, with no review, first on the board (82.3, from the priority rules alone)."""
    program, _, _ = cycle
    state = _reviews_state(program)
    rows = load_board(program).rows
    complete = [i for i, r in enumerate(rows)
                if state.get(r.application_id, (0, 0))[0] and not state[r.application_id][1]
                and r.status != "ineligible"]
    incomplete = [i for i, r in enumerate(rows) if i not in complete]
    assert complete and incomplete
    assert max(complete) < min(incomplete), [(r.application_id, r.total) for r in rows[:5]]


def test_an_ineligible_application_adds_nothing_to_the_running_total(cycle):
    program, _, _ = cycle
    rows = load_board(program).rows
    before = 0
    ineligible = [r for r in rows if r.status == "ineligible"]
    assert ineligible
    for r in rows:
        if r.status == "ineligible":
            assert r.running_total_cents == before, r.application_id
        before = r.running_total_cents


def test_awards_within_the_budget_are_never_marked_over_budget(cycle):
    """Seen: awarded rows marked red "over budget" while the awards were within the budget."""
    program, officer, _ = cycle
    for r in load_board(program).rows:
        if r.status == "ineligible" or not r.rubric or not r.rubric.n_reviews:
            continue
        amount = min(r.amount_requested_cents, program.max_award_cents)
        if awarded_total(program.id) + amount <= program.budget_cents:
            decide(db.session.get(Application, r.application_id), "award", amount_cents=amount,
                   rationale="Strong plan.", actor=officer, reason_without_review="Reviewed by the panel chair.")
    assert 0 < awarded_total(program.id) <= program.budget_cents
    rows = load_board(program).rows
    assert [r.application_id for r in rows if r.decision == "award" and r.over_budget] == []
    # An undecided row is over budget exactly when awarding its request would pass the budget.
    left = program.budget_cents - awarded_total(program.id)
    for r in rows:
        if r.decision is None and r.standing.standing != "ineligible":
            assert r.over_budget == (r.amount_requested_cents > left), r.application_id


def _board_html(client, program) -> dict[int, tuple[str, str]]:
    body = client.get(f"/programs/{program.slug}/board").get_data(as_text=True)
    return {int(a): (s, t) for a, s, t in re.findall(
        r'<tr data-application="(\d+)" data-standing="(\w+)" data-total="([^"]*)"', body)}


def _score_page(client, app_id) -> tuple[str, str]:
    body = client.get(f"/applications/{app_id}/score").get_data(as_text=True)
    [(standing, total)] = re.findall(r'<dl class="totals" data-standing="(\w+)" data-total="([^"]*)"', body)
    return standing, total


def _whatif_html(client, program) -> dict[int, tuple[str, str]]:
    body = client.get(f"/programs/{program.slug}/what-if").get_data(as_text=True)
    return {int(a): (s, t) for a, s, t in re.findall(
        r'<tr data-application="(\d+)" data-standing="(\w+)" data-total="([^"]*)"', body)}


def _results_page(client, program) -> dict[int, tuple[str, str]]:
    body = client.get(f"/programs/{program.slug}/scoring/results").get_data(as_text=True)
    return {int(a): (s, t) for a, s, t in re.findall(
        r'<tr data-application="(\d+)" data-standing="(\w+)" data-total="([^"]*)"', body)}


def _audit(program, board) -> dict[int, tuple[str, str]]:
    """The equity audit's total per application (what its "with the priority rules" funding ranks
    by), beside the board's standing: only a complete application has one there."""
    data = load_audit_data(program)
    totals = {f.application_id: t for f, t in zip(data.facts, data.total or [None] * len(data.facts))}
    return {aid: (standing, "" if totals[aid] is None else f"{totals[aid]:.1f}") for aid, (standing, _) in board.items()}


def _csv(client, program) -> dict[int, tuple[str, str]]:
    text = client.get(f"/programs/{program.slug}/board.csv").get_data(as_text=True)
    return {int(r["application_id"]): (r["standing"], "" if r["total"] == "" else f"{float(r['total']):.1f}")
            for r in csv.DictReader(io.StringIO(text))}


def test_board_score_page_whatif_and_csv_tell_one_truth(cycle):
    """Seen: #43 at 76.2 on the board, "not scored yet" on its score page and 65.0 in the what-if.

    Reviews keep arriving after the program was last rescored; then every output is read again."""
    program, officer, client = cycle
    engine.rescore(program.id)
    db.session.commit()
    # A reviewer submits after the rescore, on an application that had no review in.
    waiting = db.session.execute(
        select(Review).join(Application, Application.id == Review.application_id)
        .where(Application.program_id == program.id, Review.status == "draft").order_by(Review.id)).scalars().first()
    for s in waiting.scores:
        s.score = s.score or 4
    waiting.status = SUBMITTED
    db.session.commit()

    board = _board_html(client, program)
    assert len(board) >= 25
    outputs = {
        "board": board,
        "score page": {aid: _score_page(client, aid) for aid in board},
        "results page": _results_page(client, program),
        "what-if": _whatif_html(client, program),
        "csv": _csv(client, program),
    }
    assert {name: out for name, out in outputs.items()} == {name: board for name in outputs}
    # The audit ranks only what the board ranks, by the same total.
    ranked_only = {aid: (s, t if s == "complete" else "") for aid, (s, t) in board.items()}
    assert _audit(program, board) == ranked_only
    # The standings are the four kinds, and the ranking puts every complete one first.
    kinds = [s for s, _ in board.values()]
    assert set(kinds) == {"complete", "partial", "unreviewed", "ineligible"}
    order = list(board)
    ranked_kinds = [board[a][0] for a in order]
    assert ranked_kinds == sorted(ranked_kinds, key=["complete", "partial", "unreviewed", "ineligible"].index)
    # An application not reviewed yet has no total anywhere (never its priority part passed off as one).
    assert all(t == "" for s, t in board.values() if s in ("unreviewed", "ineligible"))
