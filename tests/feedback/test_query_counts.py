"""Officers' lists load in a fixed number of queries, whatever the number of applications."""
from __future__ import annotations

import datetime as dt
from contextlib import contextmanager

from sqlalchemy import event

from grantflow.core.db import db
from grantflow.feedback import checkins
from tests import factories as F
from tests.feedback.builders import decide, release


@contextmanager
def count_queries():
    counter = {"n": 0}

    def before(*args, **kwargs):
        counter["n"] += 1

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield counter
    finally:
        event.remove(db.engine, "before_cursor_execute", before)


def _add_funded(world, n):
    for _ in range(n):
        a = F.application(world.program, F.cbo())
        decide(a, "award", 10_000_00)
    db.session.commit()


def _queries(client, url):
    with count_queries() as c:
        assert client.get(url).status_code == 200
    return c["n"]


def test_officer_pages_constant_queries(world, login):
    release(world.program)
    checkins.set_schedule(world.program, [dt.date(2027, 3, 31), dt.date(2027, 9, 30)])
    _add_funded(world, 2)
    officer = login(world.users["program_officer"])
    urls = ["/programs/health-2026/feedback", "/programs/health-2026/feedback/reports",
            "/programs/health-2026/feedback/burden", "/programs/health-2026/feedback/community"]
    for url in urls:
        _queries(officer, url)  # warm: creates reports
    before = {url: _queries(officer, url) for url in urls}
    _add_funded(world, 10)
    for url in urls:
        _queries(officer, url)
    after = {url: _queries(officer, url) for url in urls}
    assert after == before
