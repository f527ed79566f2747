"""The program page's apply panel (eligibility and drafts of every organization the user may
apply for) runs the same number of queries for 1 organization as for 50."""
from __future__ import annotations

from grantflow.core import roles as R
from grantflow.core.db import db
from grantflow.organizations.models import NETWORK
from tests import factories as F
from tests.queries import recorded


def _queries(client, url: str) -> tuple[int, int, str]:
    db.session.expire_all()
    with recorded() as statements:
        r = client.get(url)
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
        F.network_member(network, F.cbo(name=f"Member {i:02d}", service_area=["36061000100" if i % 4 else "99999"]))
    db.session.commit()


def _compare(login, build, what: str) -> None:
    _, program = _scene()
    counts = {}
    for n in (1, 50):
        user = F.user(f"staff{n}@example.org")
        build(user, program, n)
        status, counts[n], page = _queries(login(user), "/programs/health-2026")
        assert status == 200
        offers = page.count("Start an application for") + page.count("Continue the draft of") \
            + page.count("does not meet")
        assert offers == n + (what == "network members")  # a network applies as itself too
    print(f"program page queries (1 vs 50 {what}):", counts)
    assert counts[1] == counts[50], counts


def test_program_page_queries_do_not_grow_with_organizations(app, login):
    _compare(login, _cbos, "organizations")


def test_program_page_queries_do_not_grow_with_network_members(app, login):
    _compare(login, _network, "network members")
