"""A CBO's team: the admin invites colleagues by email with a role (through the outbox, after the
commit, once), the link is single use, expires, can be revoked and resent, and lands only on an
account with the invited address; roles hold on every door (a viewer changes nothing, an editor
edits and submits, only an admin withdraws); the last admin stays; removing someone ends their
sessions. Through the real views, on SQLite and PostgreSQL; what is saved is read back after
`expire_all` (a fresh query of the database)."""
from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from grantflow.accounts.models import Invitation, Membership, User
from grantflow.accounts.sessions import active_sessions
from grantflow.applications.models import DRAFT, SUBMITTED, Application
from grantflow.core import roles as R
from grantflow.core.db import db, utcnow
from grantflow.core.mail import outbox
from tests import factories as F
from tests.applications.conftest import build_scene, complete_form

TEAM = "/organizations/eastside/team"
LINK = re.compile(r"http://localhost(/invitations/[\w-]+)")


@pytest.fixture
def team(any_app):
    s = build_scene()
    s.app = any_app
    s.admin = s.user  # the person who registered Eastside: its team's admin
    s.editor = F.team_member(s.cbo, R.TEAM_EDITOR, "eli@eastside.org", "Eli Editor")
    s.viewer = F.team_member(s.cbo, R.TEAM_VIEWER, "val@eastside.org", "Val Viewer")
    s.draft = F.application(s.program, s.cbo, status=DRAFT)
    db.session.commit()
    s.login = lambda user: any_app.test_client(user=user)
    return s


def _mails_to(email: str):
    return [m for m in outbox() if m["To"] == email]


def _link(message) -> str:
    return LINK.search(message.get_content()).group(1)


def _membership(org_id: int, email: str) -> Membership | None:
    db.session.expire_all()
    return db.session.execute(select(Membership).join(User).where(
        Membership.organization_id == org_id, User.email == email, Membership.role == R.APPLICANT)
    ).scalar_one_or_none()


def _invite(s, email: str, role: str = "editor"):
    return s.login(s.admin).post(TEAM, data={"email": email, "role": role})


# --- invitations --------------------------------------------------------------------------------------

def test_invitation_is_sent_once_after_the_commit_and_a_new_account_accepts_it(team):
    r = _invite(team, "  Rosa@Eastside.org ")
    assert r.status_code == 302
    [mail] = _mails_to("rosa@eastside.org")
    assert "as editor" in mail.get_content() and "Eastside Tenants Union" in mail["Subject"]
    # A second click: told at the field, and no second message.
    again = _invite(team, "rosa@eastside.org")
    assert again.status_code == 422
    assert "rosa@eastside.org is invited already" in again.get_data(as_text=True)
    assert len(_mails_to("rosa@eastside.org")) == 1

    link = _link(mail)
    anonymous = team.app.test_client()
    page = anonymous.get(link)
    assert page.status_code == 200 and "Editor" in page.get_data(as_text=True)
    r = anonymous.post(link, data={"name": "Rosa Diaz", "password": "correct horse battery", "confirm": "correct horse battery"})
    assert r.status_code == 302
    m = _membership(team.cbo.id, "rosa@eastside.org")
    assert m is not None and m.team_role == R.TEAM_EDITOR
    assert m.user.email_verified_at is not None  # the link reached the address
    # Single use: the link works no more.
    assert team.app.test_client().get(link).status_code == 404


def test_an_existing_account_accepts_logged_in_and_another_account_is_refused(team):
    other = F.user("kai@elsewhere.org", "Kai Long")  # an account that exists already
    db.session.commit()
    _invite(team, "kai@elsewhere.org", "viewer")
    link = _link(_mails_to("kai@elsewhere.org")[0])

    wrong = team.login(team.other_user)  # logged in as someone else: refused, nothing joins
    r = wrong.post(link)
    assert r.status_code == 403 and "This invitation is for kai@elsewhere.org" in r.get_data(as_text=True)
    assert _membership(team.cbo.id, team.other_user.email) is None

    assert team.app.test_client().get(link).status_code == 302  # to the login page first
    right = team.login(other)
    assert right.get(link).status_code == 200
    assert right.post(link).status_code == 302
    m = _membership(team.cbo.id, "kai@elsewhere.org")
    assert m is not None and m.team_role == R.TEAM_VIEWER


def test_expired_invitation_is_refused_and_resending_makes_a_new_link(team):
    _invite(team, "sam@eastside.org", "viewer")
    old = _link(_mails_to("sam@eastside.org")[0])
    inv = db.session.execute(select(Invitation).where(Invitation.email == "sam@eastside.org")).scalar_one()
    inv.expires_at = utcnow() - dt.timedelta(minutes=1)
    db.session.commit()
    assert team.app.test_client().get(old).status_code == 404
    page = team.login(team.admin).get(TEAM).get_data(as_text=True)
    assert "Expired on" in page

    r = team.login(team.admin).post(f"{TEAM}/invitations/{inv.id}", data={"action": "resend"})
    assert r.status_code == 302
    mails = _mails_to("sam@eastside.org")
    assert len(mails) == 2
    new = _link(mails[1])
    assert new != old
    assert team.app.test_client().get(old).status_code == 404
    assert team.app.test_client().get(new).status_code == 200


def test_revoked_invitation_no_longer_works(team):
    _invite(team, "kim@eastside.org")
    link = _link(_mails_to("kim@eastside.org")[0])
    inv = db.session.execute(select(Invitation).where(Invitation.email == "kim@eastside.org")).scalar_one()
    r = team.login(team.admin).post(f"{TEAM}/invitations/{inv.id}", data={"action": "revoke"})
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.get(Invitation, inv.id).revoked_at is not None
    assert team.app.test_client().get(link).status_code == 404
    assert "kim@eastside.org" not in team.login(team.admin).get(TEAM).get_data(as_text=True)
    # Revoked already: said plainly, nothing changes.
    again = team.login(team.admin).post(f"{TEAM}/invitations/{inv.id}", data={"action": "revoke"})
    assert again.status_code == 422 and "accepted or revoked already" in again.get_data(as_text=True)


def test_bad_invitations_are_told_at_the_field(team):
    client = team.login(team.admin)
    for data, message in (({"email": "not an email", "role": "editor"}, "Enter an email address"),
                          ({"email": "x@example.org", "role": "owner"}, "Not a valid choice"),
                          ({"email": team.editor.email, "role": "viewer"}, "is on the team already")):
        r = client.post(TEAM, data=data)
        assert r.status_code == 422
        assert message in r.get_data(as_text=True)
    assert not [m for m in outbox() if m["To"] in ("x@example.org", team.editor.email)]


# --- roles ----------------------------------------------------------------------------------------------

def test_a_viewer_reads_but_changes_nothing(team):
    viewer = team.login(team.viewer)
    url = f"/applications/{team.draft.id}"
    assert viewer.get(url).status_code == 200
    for r in (viewer.get(f"{url}/edit"), viewer.post(f"{url}/edit", data=complete_form(team, action="save")),
              viewer.post(f"{url}/edit", data=complete_form(team, action="submit")),
              viewer.post(f"{url}/autosave", data={"title": "Mine now"}),
              viewer.post(f"{url}/withdraw", data={"confirm": "yes"}),
              viewer.post("/programs/health-2026/apply")):
        assert r.status_code == 403
    assert "viewer" in viewer.get(f"{url}/edit").get_data(as_text=True)
    assert viewer.get(TEAM).status_code == 404
    db.session.expire_all()
    a = db.session.get(Application, team.draft.id)
    assert a.status == DRAFT and a.title != "Mine now" and a.draft_revision == 0


def test_an_editor_edits_and_submits_but_only_an_admin_withdraws(team):
    editor = team.login(team.editor)
    url = f"/applications/{team.draft.id}"
    assert editor.get(f"{url}/edit").status_code == 200
    r = editor.post(f"{url}/edit", data=complete_form(team, action="save", title="Edited by Eli"))
    assert r.status_code == 302
    db.session.expire_all()
    a = db.session.get(Application, team.draft.id)
    assert a.title == "Edited by Eli" and a.last_edited_by_id == team.editor.id
    page = editor.get(f"{url}/edit").get_data(as_text=True)
    assert re.search(r"Last edited by Eli Editor, \d{1,2}:\d\d [AP]M E[SD]T on ", page)
    with editor.session_transaction() as sess:
        token = sess["submit_tokens"][str(team.draft.id)]
    r = editor.post(f"{url}/edit", data=complete_form(team, action="submit", submit_token=token))
    assert r.status_code == 302, r.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Application, team.draft.id).status == SUBMITTED
    assert editor.post(f"{url}/withdraw", data={"confirm": "yes"}).status_code == 403
    assert team.login(team.admin).post(f"{url}/withdraw", data={"confirm": "yes"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Application, team.draft.id).status == "withdrawn"


def test_the_last_admin_cannot_be_demoted_or_removed(team):
    admin = team.login(team.admin)
    mine = _membership(team.cbo.id, team.admin.email)
    r = admin.post(f"{TEAM}/{mine.id}", data={"action": "role", f"m{mine.id}-team_role": "editor"})
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert "is the team&#39;s only admin" in page and f'id="m{mine.id}-team_role-error"' in page
    r = admin.post(f"{TEAM}/{mine.id}", data={"action": "remove"})
    assert r.status_code == 422 and "only admin" in r.get_data(as_text=True)
    assert _membership(team.cbo.id, team.admin.email).team_role == R.TEAM_ADMIN

    # With a second admin, the first may step down.
    eli = _membership(team.cbo.id, team.editor.email)
    assert admin.post(f"{TEAM}/{eli.id}", data={"action": "role", f"m{eli.id}-team_role": "admin"}).status_code == 302
    assert admin.post(f"{TEAM}/{mine.id}", data={"action": "role", f"m{mine.id}-team_role": "viewer"}).status_code == 302
    assert _membership(team.cbo.id, team.admin.email).team_role == R.TEAM_VIEWER
    assert _membership(team.cbo.id, team.editor.email).team_role == R.TEAM_ADMIN
    assert admin.get(TEAM).status_code == 404  # a viewer now


def test_removing_someone_ends_their_sessions(team):
    viewer = team.login(team.viewer)
    assert viewer.get(f"/applications/{team.draft.id}").status_code == 200
    assert active_sessions(team.viewer.id)
    val = _membership(team.cbo.id, team.viewer.email)
    r = team.login(team.admin).post(f"{TEAM}/{val.id}", data={"action": "remove"})
    assert r.status_code == 302
    assert _membership(team.cbo.id, team.viewer.email) is None
    db.session.expire_all()
    assert active_sessions(team.viewer.id) == []
    assert viewer.get(f"/applications/{team.draft.id}").status_code in (302, 401)


def test_a_viewer_token_cannot_write_through_the_api(team):
    from grantflow.api import tokens

    _row, token = tokens.create(team.viewer, name="CRM", scope="write")
    db.session.commit()
    client = team.app.test_client(use_cookies=False)
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get(f"/api/v1/applications/{team.draft.id}", headers=headers).status_code == 200
    assert client.patch(f"/api/v1/applications/{team.draft.id}", json={"title": "API"}, headers=headers).status_code == 404
    assert client.post("/api/v1/applications", json={"program": "health-2026"}, headers=headers).status_code == 403
    db.session.expire_all()
    assert db.session.get(Application, team.draft.id).title != "API"
