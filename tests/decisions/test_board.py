"""The ranking board: order, running total against the budget, filters, CSV, the scoring rules'
contributions, and a fixed number of queries."""
from __future__ import annotations

import csv
import html
import io
import json
import re

import pytest
from sqlalchemy import event, select

from grantflow.core import roles as R
from grantflow.core.db import db, utcnow
from grantflow.decisions.board import load_board
from grantflow.decisions.services import decide
from grantflow.organizations.models import LeadershipProfile
from tests import factories as F
from tests.reviews.helpers import review, reviewer


@pytest.fixture
def setup(app):
    funder = F.funder(name="Board Funder", slug="board-funder")
    prog = F.program(funder, slug="board-prog", budget_cents=100_000_00, min_award_cents=1_000_00,
                     max_award_cents=50_000_00)
    officer = F.user("po@board.org", org=funder, role=R.PROGRAM_OFFICER)
    revs = [reviewer(funder) for _ in range(2)]
    housing = F.need(funder, "Housing", 1)
    food = F.need(funder, "Food access", 2)
    hot = F.place(funder, "36061000100", need_index=0.9, is_priority=True, name="Tract 1 (priority)")
    cool = F.place(funder, "36061000200", need_index=0.1, name="Tract 2")
    apps = []
    for i, score in enumerate([5, 2, 4, 3]):
        org = F.cbo(name=f"Org {'ABCD'[i]}")
        a = F.application(prog, org, title=f"Project {'ABCD'[i]}", amount_requested_cents=40_000_00)
        a.needs = [housing] if i % 2 == 0 else [food]
        a.places = [hot] if i < 2 else [cool]
        for r in revs:
            review(a, r, [score] * 3)
        apps.append(a)
    # Org A is led by people of color (ED identifies as Black, with consent).
    db.session.add(LeadershipProfile(organization_id=apps[0].organization_id, consent_given_at=utcnow(),
                                     ed_race=["black"], board_total=4, board_poc=1))
    db.session.commit()
    return prog, apps, officer, (housing, food, hot, cool)


def test_order_and_running_total(setup):
    prog, apps, officer, _ = setup
    b = load_board(prog)
    assert [r.title for r in b.rows] == ["Project A", "Project C", "Project D", "Project B"]
    assert [r.rubric_score for r in b.rows] == [5.0, 4.0, 3.0, 2.0]
    assert [r.rank for r in b.rows] == [1, 2, 3, 4] and all(r.standing.standing == "complete" for r in b.rows)
    assert [r.running_total_cents for r in b.rows] == [40_000_00, 80_000_00, 120_000_00, 160_000_00]
    assert b.runs_out_at == apps[3].id  # Project D is where the money runs out
    # Nothing is awarded yet: every request fits the $100,000 budget on its own.
    assert [r.over_budget for r in b.rows] == [False] * 4
    # A decline takes nothing; an award counts its amount.
    decide(apps[2], "award", amount_cents=30_000_00, rationale="Yes", actor=officer)
    decide(apps[0], "decline", rationale="No", actor=officer)
    b = load_board(prog)
    assert [r.running_total_cents for r in b.rows] == [0, 30_000_00, 70_000_00, 110_000_00]
    assert b.awarded_cents == 30_000_00 and b.runs_out_at == apps[1].id
    decide(apps[3], "award", amount_cents=40_000_00, rationale="Yes", actor=officer)
    b = load_board(prog)
    # $30,000 left: awarding a $40,000 request would pass the budget; the awards themselves never are.
    assert {r.title: r.over_budget for r in b.rows} == {"Project A": True, "Project C": False,
                                                        "Project D": False, "Project B": True}


def test_filters_and_sorts(setup):
    prog, apps, _, (housing, food, hot, cool) = setup
    assert [r.title for r in load_board(prog, need=housing.id).rows] == ["Project A", "Project C"]
    assert [r.title for r in load_board(prog, place=cool.id).rows] == ["Project C", "Project D"]
    assert [r.title for r in load_board(prog, group="priority_place").rows] == ["Project A", "Project B"]
    assert [r.title for r in load_board(prog, group="poc_led").rows] == ["Project A"]
    assert [r.title for r in load_board(prog, sort="id").rows] == ["Project A", "Project B", "Project C", "Project D"]
    assert load_board(prog, status="awarded").rows == ()


def test_board_page_and_csv(setup, login):
    prog, apps, officer, (housing, *_) = setup
    client = login(officer)
    body = client.get("/programs/board-prog/board").get_data(as_text=True)
    assert body.index("Project C") < body.index("runs out here") < body.index("Project D")
    assert "reviewers disagree" not in body
    r = client.get(f"/programs/board-prog/board.csv?need={housing.id}")
    assert r.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.get_data(as_text=True))))
    assert [(x["title"], x["rubric_score"], x["running_total"], x["over_budget"], x["standing"]) for x in rows] == [
        ("Project A", "5.0", "40000.00", "no", "complete"), ("Project C", "4.0", "80000.00", "no", "complete")]
    # Amounts are plain numbers a spreadsheet sums (they were "$40,000.00" text).
    assert sum(float(x["amount_requested"]) for x in rows) == 80_000.00
    # A tract's own name has "; " in it: names in one cell are split by " | ", which it has not.
    from grantflow.chna.models import Place

    place = db.session.execute(select(Place).where(Place.geoid == "36061000100")).scalar_one()
    place.name = "Census Tract 1; New York County; New York"
    db.session.commit()
    rows = list(csv.DictReader(io.StringIO(client.get("/programs/board-prog/board.csv").get_data(as_text=True))))
    assert rows[0]["places"].split(" | ") == ["Census Tract 1; New York County; New York"]
    board_a = load_board(prog).rows[0]
    assert rows[0]["poc_led"] == "yes" and rows[0]["needs"] == "Housing"
    assert float(rows[0]["total"]) == board_a.total  # exact in the export
    assert json.loads(rows[0]["evidence"])["rubric"] == {"weighted": 5.0, "reviews": 2}


def test_each_rules_part_is_a_column_to_choose(setup, login):
    prog, apps, officer, _ = setup
    b = load_board(prog)
    first = b.rows[0]
    assert b.rules and abs(sum(first.contributions.values()) - first.total) < 1e-6
    client = login(officer)
    body = client.get("/programs/board-prog/board").get_data(as_text=True)
    assert "Place-based need</th>" not in body  # not shown unless chosen
    body = client.get("/programs/board-prog/board?cols=&cols=rules").get_data(as_text=True)
    for _, label in b.rules:
        assert f"{label}</th>" in html.unescape(body)  # a translated label is escaped as Jinja sees fit
    assert "Requested</th>" not in body


def test_fixed_number_of_queries(setup):
    prog, apps, officer, (housing, food, hot, cool) = setup

    def count():
        n = []
        listener = lambda *a: n.append(1)  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            load_board(prog)
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(n)

    db.session.expire_all()
    prog = db.session.get(type(prog), prog.id)
    small = count()
    revs = [reviewer(prog.funder) for _ in range(2)]
    for i in range(12):
        a = F.application(prog, F.cbo(), amount_requested_cents=10_000_00)
        a.needs, a.places = [housing], [hot, cool]
        for r in revs:
            review(a, r, [3, 4, None])
        decide(a, "decline", rationale="x", actor=officer)
    db.session.commit()
    prog = db.session.get(type(prog), prog.id)
    assert count() == small


def test_the_board_page_and_its_csv_run_as_many_queries_for_many_applications(setup, login):
    from tests.queries import recorded

    prog, apps, officer, (housing, food, hot, cool) = setup
    client = login(officer)

    def count(path):
        db.session.expire_all()
        with recorded() as statements:
            assert client.get(path).status_code == 200
        return len(statements)

    few = (count("/programs/board-prog/board"), count("/programs/board-prog/board.csv"),
           count("/programs/board-prog/board?cols=&cols=rules&cols=status"))
    revs = [reviewer(prog.funder) for _ in range(3)]
    for i in range(40):
        a = F.application(prog, F.cbo(), amount_requested_cents=5_000_00)
        a.needs, a.places = [housing, food], [hot, cool]
        for r in revs[: i % 4]:
            review(a, r, [3, 4, None])
        if i % 3 == 0:
            decide(a, "decline", rationale="x", actor=officer)
    db.session.commit()
    many = (count("/programs/board-prog/board"), count("/programs/board-prog/board.csv"),
            count("/programs/board-prog/board?cols=&cols=rules&cols=status"))
    assert many == few, (few, many)
    print(f"board page queries: {few[0]} for 4 applications, {many[0]} for 44")


def test_the_csv_link_keeps_the_boards_choices_and_nothing_else(setup, login):
    """The query string is the officer's to type: a `program` or `_external` argument is not the
    link's to take (it once reached url_for and made a 500)."""
    prog, apps, officer, (housing, *_) = setup
    client = login(officer)
    r = client.get(f"/programs/board-prog/board?need={housing.id}&cols=rubric&cols=decision&program=x"
                   "&_external=1&_scheme=javascript&_anchor=a")
    assert r.status_code == 200
    link = re.search(r'href="([^"]*board\.csv[^"]*)"', r.get_data(as_text=True)).group(1)
    assert link.startswith("/programs/board-prog/board.csv?")
    assert sorted(link.split("?", 1)[1].replace("&amp;", "&").split("&")) == sorted(
        [f"need={housing.id}", "cols=rubric", "cols=decision"])
