"""The program page's apply panel (eligibility and drafts of every organization the user may
apply for) runs the same number of queries for 1 organization as for 50."""
from __future__ import annotations

from sqlalchemy import event

from grantflow.core import roles as R
from grantflow.core.db import db
from grantflow.organizations.models import NETWORK
from tests import factories as F


def _queries(client, url: str) -> tuple[int, int, str]:
    statements = []

    def listener(conn, cursor, statement, *args):
        statements.append(statement)

    db.session.expire_all()
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        r = client.get(url)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    return r.status_code, len(statements), r.get_data(as_text=True)


def _scene():
    funder = F.funder(slug="riverside", service_area=["36061"])
    for i in range(30):
        F.place(funder, f"36061{i:06d}")
    program = F.program(funder, slug="health-2026", max_applicant_budget_cents=1_000_000_00)
    db.session.commit()
    return funder, program


def _cbos(user, program, n):
    """n organizations the user applies for, every third with a draft, every fifth ineligible."""
    for i in range(n):
        org = F.cbo(name=f"Org {i:02d}", annual_budget_cents=(5_000_000_00 if i % 5 == 4 else 400_000_00))
        F.membership(user, org, R.APPLICANT)
        if i % 3 == 2:
            F.application(program, org, status="draft")
    db.session.commit()


def _network(user, program, members):
    network = F.organization(NETWORK, name="Harbor Network", ein="12-3456789", tax_exempt=True,
                             annual_budget_cents=400_000_00, service_area=["36061000100"])
    F.membership(user, network, R.APPLICANT)
    for i in range(members):
        network.members.append(F.cbo(name=f"Member {i:02d}", service_area=["36061000100" if i % 4 else "99999"]))
    db.session.commit()


def test_program_page_queries_do_not_grow_with_organizations(app, login):
    _, program = _scene()
    one, fifty = F.user("one@example.org"), F.user("fifty@example.org")
    _cbos(one, program, 1)
    _cbos(fifty, program, 50)
    counts = {}
    for label, user, n in (("1", one, 1), ("50", fifty, 50)):
        status, counts[label], page = _queries(login(user), "/programs/health-2026")
        assert status == 200
        assert page.count("Start an application for") + page.count("Continue the draft of") \
            + page.count("does not meet") == n
    print("program page queries (1 vs 50 organizations):", counts)
    assert counts["1"] == counts["50"], counts


def test_program_page_queries_do_not_grow_with_network_members(app, login):
    _, program = _scene()
    small, large = F.user("small@example.org"), F.user("large@example.org")
    _network(small, program, 1)
    _network(large, program, 50)
    counts = {}
    for label, user in (("1", small), ("50", large)):
        status, counts[label], page = _queries(login(user), "/programs/health-2026")
        assert status == 200 and "Harbor Network, on behalf of Member 00" in page
    print("program page queries (network of 1 vs 50 members):", counts)
    assert counts["1"] == counts["50"], counts
