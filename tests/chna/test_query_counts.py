"""Lists of needs, places, criteria and questions load in a fixed number of queries (no N+1)."""
from __future__ import annotations

from grantflow.chna import importer
from grantflow.core.db import db
from grantflow.programs import questions as qsvc
from grantflow.programs import rubrics
from tests import factories as F
from tests.queries import recorded


def _grow(world, n):
    start = len(world.program.questions)
    for i in range(start, start + n):
        F.need(world.funder, f"Need {i}", 100 + i)
        qsvc.add_question(world.program, {"label": f"Question {i}", "kind": "short_text"})
        rubrics.add_criterion(world.program, {"label": f"Criterion x{i}"})
    rows = "".join(f"36061{i:06d},Tract {i},0.{i % 10}\n" for i in range(start * 20, (start + n) * 20))
    importer.import_bytes(world.funder.id, ("geoid,name,index\n" + rows).encode())
    db.session.commit()


def _count(client, url):
    db.session.expire_all()
    with recorded() as statements:
        assert client.get(url).status_code == 200
    return len(statements)


def test_pages_do_not_grow_with_rows(world, login):
    officer = login(world.users["program_officer"])
    urls = ["/funders/riverside/chna", "/programs/health-2026/rubric", "/programs/health-2026/questions",
            "/programs/health-2026/manage"]
    _grow(world, 2)
    small = {u: _count(officer, u) for u in urls}
    _grow(world, 8)
    large = {u: _count(officer, u) for u in urls}
    print("query counts", small)
    assert small == large, (small, large)
