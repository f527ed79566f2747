"""The pages that list awards (the program's payments, the funder's overview, the grantee's
dashboard, Schedule H and the CHNA report) run as many queries for 20 awards as for 2."""
from __future__ import annotations

import datetime as dt

import pytest

from grantflow.awards import models as M
from grantflow.core import roles as R
from grantflow.core.db import db
from tests import factories as F
from tests.awards.builders import award, file, pay, report, schedule
from tests.queries import recorded

D = dt.date


def _awards(world, n: int, start: int = 0) -> None:
    need = world.need = getattr(world, "need", None) or F.need(world.funder, "Housing", 1)
    for k in range(start, start + n):
        org = F.cbo(name=f"Grantee {k:02d}")
        F.membership(world.users["applicant"], org, R.APPLICANT)
        a = F.application(world.program, org, outcomes=[{"metric": "People", "target": "9"}])
        a.needs = [need]
        award(a, 30_000_00)
        interim = report(a, "interim", D(2026, 6, 30))
        first, *_ = schedule(a, (10_000_00, D(2026, 1, 15), M.AGREEMENT_SIGNED, None),
                             (10_000_00, D(2026, 7, 15), M.REPORT_ACCEPTED, interim.id), (10_000_00, D(2027, 1, 15)))
        db.session.add(M.AwardTerms(application_id=a.id, agreement_signed_at=dt.datetime(2026, 1, 2, tzinfo=dt.timezone.utc)))
        db.session.flush()
        pay(first, D(2026, 1, 20))
        file(interim, world.users["applicant"])
    db.session.commit()


PAGES = ("/programs/health-2026/payments", "/funders/riverside/payments", "/funders/riverside/schedule-h?year=2026",
         "/funders/riverside/schedule-h/part1_7i?year=2026", "/funders/riverside/chna-report?year=2026")


def _count(client, url: str) -> int:
    db.session.expire_all()
    with recorded() as statements:
        r = client.get(url)
    assert r.status_code == 200, (url, r.status_code)
    return len(statements)


@pytest.mark.parametrize("url", PAGES)
def test_queries_do_not_grow_with_the_awards(app, world, login, url):
    _awards(world, 2)
    client = login(world.users["program_officer"])
    few = _count(client, url)
    _awards(world, 18, start=2)
    many = _count(client, url)
    assert many == few, f"{url}: {few} queries for 2 awards, {many} for 20"


def test_the_grantee_dashboard_section_does_not_grow_with_the_awards(app, world):
    """(The dashboard's other sections load each of the user's organizations; this one does not.)"""
    from grantflow.awards.views import grantee_dashboard

    user = world.users["applicant"]

    def count() -> int:
        db.session.expire_all()
        orgs = user.organizations_with(R.APPLICANT)  # loaded by the dashboard for every section
        assert orgs
        with recorded() as statements:
            section = grantee_dashboard(user)
        assert section["payments"] and section["reports"]
        return len(statements)

    _awards(world, 2)
    few = count()
    _awards(world, 18, start=2)
    assert count() == few
