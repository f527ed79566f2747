"""A program's standings are kept between requests only while what they read is unchanged
(grantflow/core/memo.py): any committed write to one of their tables shows at once, in this
process and in another one; a transaction's own uncommitted changes are never hidden from it."""
from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import Table, update
from sqlalchemy.sql.dml import UpdateBase
from sqlalchemy.sql.util import find_tables

from grantflow.core import memo
from grantflow.core.db import db
from grantflow.decisions.models import AWARD, Decision
from grantflow.organizations.models import LeadershipProfile
from grantflow.programs.models import ProgramRule
from grantflow.reviews.models import ReviewAssignment
from grantflow.scoring import engine
from grantflow.scoring import standing as S
from grantflow.scoring.services import save_config
from tests import factories as F
from tests.conftest import make_app
from tests.queries import recorded_clauses
from tests.reviews.helpers import review, reviewer


def tables_read(stmts) -> set[str]:
    out = set()
    for stmt in stmts:
        if isinstance(stmt, UpdateBase) or not hasattr(stmt, "get_children"):
            continue
        for t in find_tables(stmt, include_aliases=True, include_joins=True, include_selects=True):
            t = getattr(t, "original", t)  # an alias of a table reads the table
            if isinstance(t, Table):
                out.add(t.name)
    return out


@pytest.fixture
def cycle(any_app):
    funder = F.funder()
    program = F.program(funder, slug="kept", criteria=2)
    panel = [reviewer(funder, f"R{i}") for i in range(2)]
    apps = [F.application(program, F.cbo(name=f"org {i}")) for i in range(4)]
    crits = program.current_rubric.criteria
    for i, a in enumerate(apps[:3]):
        for r in panel:
            review(a, r, {c.id: 1 + (i + r.id) % 5 for c in crits})
    # Every rule on, the example plugin's too: it reads an answer to its own question.
    configs = [replace(c, enabled=True, weight=c.weight or 1.0) for c in engine.program_config(program)]
    save_config(program, configs)
    db.session.commit()
    return program, apps, panel


def fresh(program):
    db.session.expire_all()
    return S._standings(program, None, None)


def same(a: S.Standings, b: S.Standings) -> bool:
    def config(st):
        return [(c.key, c.weight, c.params) for c in st.configs]

    return a.rows == b.rows and config(a) == config(b) and a.facts == b.facts


def test_the_watch_list_is_what_standings_read(cycle):
    program, *_ = cycle
    with recorded_clauses() as seen:
        S._standings(program, None, None)
    assert tables_read(seen) == set(S.KEPT.tables)


def test_kept_while_unchanged_then_recomputed_after_each_kind_of_write(cycle):
    program, apps, panel = cycle
    first = S.standings(program)
    with recorded_clauses() as seen:
        again = S.standings(program)
    assert again is first and len(seen) == 1  # the generations, nothing else

    def write_review():
        review(apps[3], panel[0], {c.id: 5 for c in program.current_rubric.criteria})

    def decide():
        db.session.add(Decision(application_id=apps[0].id, program_id=program.id, outcome=AWARD, amount_cents=100))

    def demographics():
        db.session.add(LeadershipProfile(organization_id=apps[1].organization_id, ed_race=["black"],
                                         consent_given_at=db.func.now()))

    def reweigh():
        db.session.execute(update(ProgramRule).where(ProgramRule.program_id == program.id,
                                                     ProgramRule.rule_key == "poc_led").values(weight=30))

    def assign():
        db.session.add(ReviewAssignment(application_id=apps[2].id, reviewer_id=F.user(
            "late@example.org", "Late Reviewer", org=program.funder, role="reviewer").id))

    def withdraw():
        apps[1].status = "withdrawn"

    for change in (write_review, decide, demographics, reweigh, assign, withdraw):
        before = S.standings(program)
        change()
        db.session.flush()
        assert same(S.standings(program), fresh(program)), f"{change.__name__}: own change hidden before commit"
        db.session.commit()
        after = S.standings(program)
        assert after is not before, change.__name__
        assert same(after, fresh(program)), change.__name__


def test_a_write_in_another_process_shows_here(cycle, tmp_path):
    program, apps, panel = cycle
    url = db.engine.url.render_as_string(hide_password=False)
    kept = S.standings(program)
    assert S.standings(program) is kept
    other = make_app(tmp_path / "other", url)  # another process: its own engine and its own kept results
    with other.app_context():
        from grantflow.applications.models import Application

        db.session.get(Application, apps[0].id).status = "withdrawn"
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    now = S.standings(program)
    assert now is not kept
    assert apps[0].id not in {s.application_id for s in now.rows}


def test_a_rolled_back_savepoint_leaves_the_outer_write_counted(cycle):
    program, apps, _ = cycle
    before = S.standings(program)
    apps[2].status = "withdrawn"
    db.session.flush()
    with db.session.begin_nested() as nested:
        apps[3].title = "changed inside a savepoint"
        db.session.flush()
        nested.rollback()
    db.session.commit()
    after = S.standings(program)
    assert after is not before
    assert apps[2].id not in {s.application_id for s in after.rows}


def test_off_when_the_setting_is_zero(cycle):
    program, *_ = cycle
    from flask import current_app

    current_app.config["MEMO_SECONDS"] = 0
    assert S.standings(program) is not S.standings(program)


def test_the_board_reads_only_watched_tables(cycle):
    from flask import current_app

    from grantflow.decisions import board

    program, *_ = cycle
    current_app.config["MEMO_SECONDS"] = 0  # the standings inside are read, not kept
    with recorded_clauses() as seen:
        board.load_board(program, sort="rubric")
    assert tables_read(seen) <= set(board.KEPT.tables)
    current_app.config["MEMO_SECONDS"] = 120
    kept = board.load_board(program)
    assert board.load_board(program) is kept and board.load_board(program, sort="id") is not kept


def test_kept_per_language_since_explanations_are_worded(cycle):
    """Standings carry rule labels worded in the request's language (their explanations and what
    they lack are messages, worded when shown): a Spanish reader must not be served the standings an
    English reader's request kept, nor the other way round."""
    from grantflow.core.i18n import in_language

    program, *_ = cycle

    def explanations(st):
        return ([(r.label, str(r.explanation)) for row in st.rows for r in row.score.rules]
                + [tuple(map(str, row.lacks)) for row in st.rows])

    with in_language("en"):
        english = S.standings(program)
        worded_english = explanations(english)
    with in_language("es"):
        spanish = S.standings(program)
        assert explanations(spanish) == explanations(fresh(program))
        assert explanations(spanish) != worded_english
    with in_language("en"):
        assert S.standings(program) is english
