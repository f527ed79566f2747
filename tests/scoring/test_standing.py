"""The one definition of an application's standing: what each standing means, the ranking it gives,
and one application's standing read alone equal to the same read with the whole program."""
from __future__ import annotations

import pytest

from grantflow.core.db import db
from grantflow.scoring.standing import COMPLETE, INELIGIBLE, PARTIAL, UNREVIEWED, standing_of, standings
from tests import factories as F
from tests.reviews.helpers import review, reviewer


@pytest.fixture
def cycle(app):
    """Five applications: two fully reviewed (5s and 3s), one with one of two reviews in, one
    assigned and not reviewed, one ineligible (reviewed, still no total)."""
    funder = F.funder()
    prog = F.program(funder, slug="standing")
    a, b, c = reviewer(funder, "A"), reviewer(funder, "B"), reviewer(funder, "C")
    apps = {name: F.application(prog, F.cbo(name=name)) for name in ("top", "middle", "partly", "waiting")}
    apps["ineligible"] = F.application(prog, F.cbo(name="ineligible"), status="ineligible")
    for r in (a, b):
        review(apps["top"], r, [5, 5, 5])
        review(apps["middle"], r, [3, 3, 3])
        review(apps["ineligible"], r, [5, 5, 5])
    review(apps["partly"], a, [4, 4, 4])
    from grantflow.reviews.models import ReviewAssignment

    db.session.add(ReviewAssignment(application_id=apps["partly"].id, reviewer_id=b.id))
    db.session.add(ReviewAssignment(application_id=apps["waiting"].id, reviewer_id=c.id))
    db.session.commit()
    return prog, apps


def test_each_standing_and_the_ranking(cycle):
    prog, apps = cycle
    rows = standings(prog).rows
    names = {a.id: name for name, a in apps.items()}
    assert [(names[s.application_id], s.standing) for s in rows] == [
        ("top", COMPLETE), ("middle", COMPLETE), ("partly", PARTIAL), ("waiting", UNREVIEWED),
        ("ineligible", INELIGIBLE)]
    by = {names[s.application_id]: s for s in rows}
    assert by["top"].total > by["middle"].total and by["partly"].total is not None
    assert tuple(map(str, by["partly"].lacks)) == ("1 of 2 reviews still to come",)
    assert by["waiting"].total is None and tuple(map(str, by["waiting"].lacks)) == ("no review in yet (1 assigned)",)
    assert by["ineligible"].total is None and not by["ineligible"].fundable
    assert [s.ranked for s in rows] == [True, True, False, False, False]


@pytest.mark.parametrize("normalized", [False, True])
def test_one_application_alone_reads_as_with_the_whole_program(cycle, normalized):
    prog, apps = cycle
    prog.normalize_scores = normalized
    db.session.commit()
    whole = {s.application_id: s for s in standings(prog).rows}
    for application in apps.values():
        alone = standing_of(application)
        assert (alone.standing, alone.total, alone.lacks, alone.score.rules) == \
            (whole[application.id].standing, whole[application.id].total, whole[application.id].lacks,
             whole[application.id].score.rules)
