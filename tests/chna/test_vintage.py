"""Places as of the cycle: a closed program keeps the places, need indices and priority marks it
ran with; an open one follows the funder's current places."""
from __future__ import annotations

from sqlalchemy import func, select

from grantflow.chna import services
from grantflow.chna.models import PlaceVintage, VintagePlace
from grantflow.chna.vintage import freeze_closed
from grantflow.core.db import db
from grantflow.facts import load_context
from grantflow.programs.models import CLOSED
from tests import factories as F


def test_priority_marks_freeze_closed_programs_first(any_app):
    funder = F.funder()
    tract = F.place(funder, "36061000100", need_index=0.9, is_priority=True)
    closed = F.program(funder, status=CLOSED)
    open_ = F.program(funder)
    db.session.commit()
    assert load_context(closed.id).places[tract.id].is_priority  # no vintage yet: the live places

    services.set_priority(funder.id, tract.id, False)
    services.mark_priority_at_least(funder.id, 0.95)
    db.session.commit()
    db.session.expire_all()
    assert load_context(closed.id).places[tract.id].is_priority
    assert not load_context(open_.id).places[tract.id].is_priority
    # One vintage per closed program, taken once (the second change found it there).
    assert db.session.scalar(select(func.count()).select_from(PlaceVintage)) == 1
    assert db.session.scalar(select(func.count()).select_from(VintagePlace)) == 1
    F.place(funder, "36061000200")
    db.session.commit()
    assert set(load_context(closed.id).places) == {tract.id}
    assert len(load_context(open_.id).places) == 2


def test_freeze_skips_programs_with_a_vintage_and_the_excluded_one(app):
    funder = F.funder()
    F.place(funder, "36061000100")
    a, b = F.program(funder, status=CLOSED), F.program(funder, status=CLOSED)
    assert freeze_closed(funder.id, exclude=b.id) == [a.id]
    assert freeze_closed(funder.id) == [b.id]
    assert freeze_closed(funder.id) == []
