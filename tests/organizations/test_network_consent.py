"""A network claims no organization without its consent: it invites, the organization's admin
accepts or declines, and only an accepted membership lets the network see the member's profile or
apply on its behalf. Search finds only the applicant pools of the network's funders, by exact name
or EIN, and never lists an EIN; eligibility text shows no figure of another organization. Each
through the real views, on SQLite and PostgreSQL; what is saved is read back in a fresh session."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from grantflow.applications.models import Application
from grantflow.core import roles as R
from grantflow.core.auditlog import AuditEvent
from grantflow.core.db import db
from grantflow.core.mail import outbox
from grantflow.core.policy import can
from tests import factories as F

MEMBERS = "/organizations/harlem-net/members"
NETWORKS = "/organizations/eastside/networks"
EINS = ("12-3456789", "27-7654321", "31-1234567")


@pytest.fixture
def pool(any_app):
    """Riverside's applicant pool holds the network (a draft is enough) and Eastside; Hilltop's holds
    the Youth League; the Quiet Block Club applied nowhere."""
    s = SimpleNamespace(app=any_app)
    s.funder = F.funder(name="Riverside Health Foundation", slug="riverside")
    s.other_funder = F.funder(name="Hilltop Hospital", slug="hilltop")
    s.program = F.program(s.funder, slug="health-2026", title="Community Health 2026")
    s.other_program = F.program(s.other_funder, slug="hilltop-2026")
    s.net = F.organization("network", name="Harlem CBO Network", slug="harlem-net", ein="13-1111111",
                           tax_exempt=True, service_area=["36061"])
    s.coordinator = F.user("nia@harlem.org", "Nia Network", org=s.net, role=R.APPLICANT)
    F.application(s.program, s.net, status="draft")
    s.cbo = F.cbo(name="Eastside Tenants Union", slug="eastside", ein=EINS[0], annual_budget_cents=2_345_678_00)
    s.director = F.user("dana@eastside.org", "Dana Rivera", org=s.cbo, role=R.APPLICANT)
    s.staff = F.user("eli@eastside.org", "Eli Staff", org=s.cbo, role=R.APPLICANT)
    F.application(s.program, s.cbo)
    s.outsider = F.cbo(name="Hilltop Youth League", slug="hilltop-youth", ein=EINS[1])
    s.outsider_admin = F.user("hy@hilltop.org", org=s.outsider, role=R.APPLICANT)
    F.application(s.other_program, s.outsider)
    s.loner = F.cbo(name="Quiet Block Club", slug="quiet", ein=EINS[2])
    F.user("q@quiet.org", org=s.loner, role=R.APPLICANT)
    db.session.commit()
    s.login = lambda user: any_app.test_client(user=user)
    return s


def _membership(s):
    from grantflow.organizations.models import NetworkMembership

    db.session.expire_all()
    return db.session.execute(select(NetworkMembership).where(NetworkMembership.network_id == s.net.id,
                                                              NetworkMembership.member_id == s.cbo.id)
                              ).scalar_one_or_none()


def _actions() -> list[str]:
    return [e.action for e in db.session.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars()]


def test_search_finds_only_the_pool_by_exact_name_or_ein_and_lists_no_ein(pool):
    client = pool.login(pool.coordinator)

    def search(q: str) -> str:
        r = client.get(MEMBERS, query_string={"q": q})
        assert r.status_code == 200
        return r.get_data(as_text=True)

    for q in ("Eastside Tenants Union", "  eastside   TENANTS union "):
        page = search(q)
        assert "Invite Eastside Tenants Union" in page
        assert not [ein for ein in EINS if ein in page], "a result lists an EIN"
    for q in ("12-3456789", "123456789"):
        assert "Invite Eastside Tenants Union" in search(q)
    for q in ("Eastside", "east", "Tenants Union", "12-345", "%", "_"):
        assert "Invite Eastside" not in search(q), q
    # Organizations outside the network's funders' pools are not found, by name or EIN.
    for q in ("Hilltop Youth League", EINS[1], "Quiet Block Club", EINS[2]):
        page = search(q)
        assert 'value="invite"' not in page and "Hilltop Youth League" not in page.replace(f'value="{q}"', "")


def test_an_invitation_waits_for_the_members_consent(pool):
    s = pool
    client = s.login(s.coordinator)
    before = len(outbox())
    r = client.post(MEMBERS, data={"action": "invite", "member_id": s.cbo.id})
    assert r.status_code == 302, r.get_data(as_text=True)
    m = _membership(s)
    assert m is not None and m.status == "invited" and m.invited_by_id == s.coordinator.id
    assert "network.member_invited" in _actions()
    sent = outbox()[before:]
    assert sorted(msg["To"] for msg in sent) == ["dana@eastside.org", "eli@eastside.org"]
    assert all("Harlem CBO Network" in msg["Subject"] and NETWORKS in msg.get_content() for msg in sent)
    # Invited is not a member: no profile, no applying on its behalf (not even with a made-up key).
    assert not can("organization.view", s.cbo, user=s.coordinator)
    page = client.get(MEMBERS).get_data(as_text=True)
    assert "Eastside Tenants Union" in page and EINS[0] not in page
    assert "on behalf of Eastside" not in client.get("/programs/health-2026/apply").get_data(as_text=True)
    r = client.post("/programs/health-2026/apply", data={"applicant": f"{s.net.id}:{s.cbo.id}"})
    assert r.status_code == 422
    assert db.session.execute(select(func.count()).select_from(Application)
                              .where(Application.on_behalf_of_id == s.cbo.id)).scalar_one() == 0
    # Inviting again sends nothing new.
    client.post(MEMBERS, data={"action": "invite", "member_id": s.cbo.id})
    assert len(outbox()) == before + 2

    # The organization's admin sees it on the dashboard and accepts on the organization's page.
    director = s.login(s.director)
    dash = director.get("/dashboard").get_data(as_text=True)
    assert "Harlem CBO Network" in dash and NETWORKS in dash
    page = director.get(NETWORKS).get_data(as_text=True)
    assert "Harlem CBO Network" in page and "apply on your behalf" in page
    r = director.post(NETWORKS, data={"action": "accept", "network_id": s.net.id})
    assert r.status_code == 302
    m = _membership(s)
    assert m.status == "accepted" and m.answered_by_id == s.director.id and m.answered_at is not None
    assert "network.invitation_accepted" in _actions()

    # Now the network sees the member's profile and applies on its behalf.
    assert can("organization.view", s.cbo, user=s.coordinator)
    assert EINS[0] in client.get(MEMBERS).get_data(as_text=True)
    page = client.get("/programs/health-2026/apply").get_data(as_text=True)
    assert "Harlem CBO Network, on behalf of Eastside Tenants Union" in page
    r = client.post("/programs/health-2026/apply", data={"applicant": f"{s.net.id}:{s.cbo.id}"})
    assert r.status_code == 302
    db.session.expire_all()
    a = db.session.execute(select(Application).where(Application.on_behalf_of_id == s.cbo.id)).scalar_one()
    assert a.organization_id == s.net.id and a.status == "draft"


def test_the_invitation_is_written_in_the_members_language(pool):
    """The coordinator writes in English; a member organization that reads Spanish is told in Spanish."""
    s = pool
    s.cbo.language = "es"
    db.session.commit()
    before = len(outbox())
    r = s.login(s.coordinator).post(MEMBERS, data={"action": "invite", "member_id": s.cbo.id},
                                    headers={"Accept-Language": "en"})
    assert r.status_code == 302
    sent = outbox()[before:]
    assert len(sent) == 2
    for msg in sent:
        assert msg["Subject"] == "Harlem CBO Network invita a Eastside Tenants Union a unirse a su red"
        body = msg.get_content()
        assert "Si acepta" in body and NETWORKS in body and "If you accept" not in body


def test_a_declined_invitation_stands_until_the_member_changes_its_mind(pool):
    s = pool
    client = s.login(s.coordinator)
    client.post(MEMBERS, data={"action": "invite", "member_id": s.cbo.id})
    director = s.login(s.director)
    assert director.post(NETWORKS, data={"action": "decline", "network_id": s.net.id}).status_code == 302
    assert _membership(s).status == "declined" and "network.invitation_declined" in _actions()
    sent = len(outbox())
    r = client.post(MEMBERS, data={"action": "invite", "member_id": s.cbo.id})
    assert r.status_code == 422 and "declined" in r.get_data(as_text=True)
    assert _membership(s).status == "declined" and len(outbox()) == sent
    assert "on behalf of Eastside" not in client.get("/programs/health-2026/apply").get_data(as_text=True)
    # The member may still join later, from its own page.
    assert director.post(NETWORKS, data={"action": "accept", "network_id": s.net.id}).status_code == 302
    assert _membership(s).status == "accepted"


def test_only_the_invited_organizations_people_answer(pool):
    s = pool
    s.login(s.coordinator).post(MEMBERS, data={"action": "invite", "member_id": s.cbo.id})
    for user in (s.coordinator, s.outsider_admin):
        client = s.login(user)
        assert client.get(NETWORKS).status_code == 404
        assert client.post(NETWORKS, data={"action": "accept", "network_id": s.net.id}).status_code == 404
    assert _membership(s).status == "invited"
    # The outsider's own page does not accept someone else's invitation either.
    r = s.login(s.outsider_admin).post("/organizations/hilltop-youth/networks",
                                       data={"action": "accept", "network_id": s.net.id})
    assert r.status_code in (302, 422)
    assert _membership(s).status == "invited"


def test_organizations_outside_the_pool_cannot_be_invited_by_id(pool):
    s = pool
    client = s.login(s.coordinator)
    sent = len(outbox())
    for org in (s.outsider, s.loner, s.funder):
        r = client.post(MEMBERS, data={"action": "invite", "member_id": org.id})
        assert r.status_code == 422
    for action in ("add_existing", "add_new"):  # the old ways of claiming an organization are gone
        client.post(MEMBERS, data={"action": action, "member_id": s.outsider.id,
                                   "member_name": "Hilltop Youth League", "member_ein": EINS[1]})
    from grantflow.organizations.models import NetworkMembership

    assert db.session.execute(select(func.count()).select_from(NetworkMembership)).scalar_one() == 0
    assert len(outbox()) == sent
    assert db.session.execute(select(func.count()).select_from(
        select(F.Organization.id).where(F.Organization.ein == EINS[1]).subquery())).scalar_one() == 1


def test_eligibility_text_for_a_member_shows_no_figures_of_the_member(pool):
    s = pool
    F.network_member(s.net, s.cbo)
    s.cbo.service_area = ["06037000100"]
    s.program.max_applicant_budget_cents = 1_000_000_00
    db.session.commit()
    for path in ("/programs/health-2026/apply", "/programs/health-2026"):
        page = s.login(s.coordinator).get(path).get_data(as_text=True)
        assert "on behalf of Eastside Tenants Union" in page and "Annual budget" in page, path
        assert "2,345,678" not in page and "06037000100" not in page and "Los Angeles" not in page, path
        assert "ask Eastside Tenants Union to update" in page.replace("\n", " "), path
    # The organization itself still sees its own figures (its places by name).
    page = s.login(s.director).get("/programs/health-2026/apply").get_data(as_text=True)
    assert "$2,345,678" in page and "Census Tract 1, Los Angeles County, California" in page


def test_leaving_or_removal_ends_the_networks_reach(pool):
    s = pool
    F.network_member(s.net, s.cbo)
    draft = F.application(s.program, s.net, status="draft", on_behalf_of=s.cbo)
    db.session.commit()
    client = s.login(s.coordinator)
    assert client.get(f"/applications/{draft.id}/edit").status_code == 200
    director = s.login(s.director)
    assert "Harlem CBO Network" in director.get(NETWORKS).get_data(as_text=True)
    assert director.post(NETWORKS, data={"action": "leave", "network_id": s.net.id}).status_code == 302
    assert _membership(s).status == "declined" and "network.member_left" in _actions()
    assert "on behalf of Eastside" not in client.get("/programs/health-2026/apply").get_data(as_text=True)
    assert client.get(f"/applications/{draft.id}/edit").status_code == 404
    assert EINS[0] not in client.get(MEMBERS).get_data(as_text=True)
    # The network withdraws what is left (here: the declined invitation) from its list.
    assert client.post(MEMBERS, data={"action": "remove", "member_id": s.cbo.id}).status_code == 302
    assert _membership(s) is None and "network.member_removed" in _actions()


def test_odd_ids_are_refused_without_an_error(pool):
    s = pool
    for value in ("99999999999999999999", "-1", "abc", ""):
        r = s.login(s.coordinator).post(MEMBERS, data={"action": "invite", "member_id": value})
        assert r.status_code == 422, value
        assert s.login(s.coordinator).post(MEMBERS, data={"action": "remove", "member_id": value}).status_code == 302
        r = s.login(s.director).post(NETWORKS, data={"action": "accept", "network_id": value})
        assert r.status_code == 302, value


def test_the_members_page_speaks_spanish(pool):
    """Found by hand: the network's members page was English only (title, help, buttons, search)."""
    import html as html_lib

    s = pool
    client = s.login(s.coordinator)
    client.post(MEMBERS, data={"action": "invite", "member_id": s.cbo.id})
    page = html_lib.unescape(client.get(MEMBERS + "?q=" + EINS[0], headers={"Accept-Language": "es"}).get_data(as_text=True))
    assert "organizaciones miembro" in page and "Invitar a una organización" in page and "Buscar" in page
    assert "Retirar la invitación a Eastside Tenants Union" in page
    for english in ("member organizations", "Invitations waiting", "Invite an organization", "Exact name or EIN",
                    "Withdraw the invitation", "No members yet"):
        assert english not in page, english
