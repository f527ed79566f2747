"""Sessions end: logout, a password change or reset, deactivation and removal from an organization
end the server-side sessions, so an old cookie (session or remember-me) opens nothing again."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from grantflow.accounts.models import Membership, User
from grantflow.accounts.sessions import UserSession
from grantflow.core import roles as R
from grantflow.core.db import db
from grantflow.core.mail import outbox
from tests import factories as F


@pytest.fixture
def ana(any_app):
    org = F.cbo(name="Eastside Tenants Union", slug="eastside")
    user = F.user("ana@eastside.org", "Ana Applicant", org=org, role=R.APPLICANT)
    db.session.commit()
    return user


def _log_in(app, remember=False, password=None):
    client = app.test_client()
    r = client.post("/login", data={"email": "ana@eastside.org", "password": password or F.PASSWORD,
                                    **({"remember": "y"} if remember else {})})
    assert r.status_code == 302, r.get_data(as_text=True)
    return client


def _cookies(client) -> dict[str, str]:
    return {name: client.get_cookie(name).value for name in ("session", "remember_token")
            if client.get_cookie(name) is not None}


def _client_with(app, cookies: dict[str, str]):
    c = app.test_client()
    for name, value in cookies.items():
        c.set_cookie(name, value, domain="localhost")
    return c


def _opens_dashboard(client) -> bool:
    r = client.get("/dashboard")
    return r.status_code == 200 and "Welcome, Ana Applicant" in r.get_data(as_text=True)


def test_logout_ends_the_session_and_its_remember_token(any_app, ana):
    client = _log_in(any_app, remember=True)
    saved = _cookies(client)
    assert set(saved) == {"session", "remember_token"}
    assert _opens_dashboard(_client_with(any_app, saved))
    assert _opens_dashboard(_client_with(any_app, {"remember_token": saved["remember_token"]}))

    assert client.post("/logout").status_code == 302
    assert not _opens_dashboard(client)
    assert not _opens_dashboard(_client_with(any_app, saved))
    assert not _opens_dashboard(_client_with(any_app, {"remember_token": saved["remember_token"]}))
    db.session.expire_all()
    [row] = db.session.execute(select(UserSession)).scalars()
    assert row.ended_reason == "logged out" and row.ended_at is not None


def test_logout_ends_only_this_session_unless_asked_for_everywhere(any_app, ana):
    phone, laptop, tablet = (_log_in(any_app) for _ in range(3))
    phone.post("/logout")
    assert not _opens_dashboard(phone) and _opens_dashboard(laptop)
    laptop.post("/logout", data={"everywhere": "y"})
    assert not _opens_dashboard(laptop) and not _opens_dashboard(tablet)


def test_a_password_reset_ends_every_session(any_app, ana):
    client = _log_in(any_app, remember=True)
    saved = _cookies(client)
    guest = any_app.test_client()
    guest.post("/reset", data={"email": "ana@eastside.org"})
    link = re.search(r"http://localhost(/\S+)", outbox()[-1].get_content()).group(1)
    r = guest.post(link, data={"password": "a brand new passphrase", "confirm": "a brand new passphrase"})
    assert r.status_code == 302
    assert not _opens_dashboard(client)
    assert not _opens_dashboard(_client_with(any_app, {"remember_token": saved["remember_token"]}))


def test_changing_the_password_keeps_this_session_and_ends_the_others(any_app, ana):
    here, elsewhere = _log_in(any_app), _log_in(any_app, remember=True)
    old_remember = _cookies(elsewhere)["remember_token"]
    r = here.post("/account", data={"current": "wrong", "password": "a brand new passphrase",
                                    "confirm": "a brand new passphrase"})
    assert r.status_code == 422 and "That is not your current password." in r.get_data(as_text=True)
    assert _opens_dashboard(elsewhere)
    r = here.post("/account", data={"current": F.PASSWORD, "password": "a brand new passphrase",
                                    "confirm": "a brand new passphrase"})
    assert r.status_code == 302
    assert _opens_dashboard(here)
    assert not _opens_dashboard(elsewhere)
    assert not _opens_dashboard(_client_with(any_app, {"remember_token": old_remember}))
    _log_in(any_app, password="a brand new passphrase")


def test_deactivation_ends_every_session(any_app, ana):
    client = _log_in(any_app, remember=True)
    user = db.session.get(User, ana.id)
    user.active = False
    db.session.commit()
    user.active = True  # even if reactivated, the old cookies stay dead
    db.session.commit()
    assert not _opens_dashboard(client)


def test_removal_from_an_organization_ends_every_session(any_app):
    funder = F.funder(name="Riverside Health Foundation", slug="riverside")
    admin = F.user("admin@riverside.org", "Fran Admin", org=funder, role=R.FUNDER_ADMIN)
    rae = F.user("rae@riverside.org", "Rae Reviewer", org=funder, role=R.REVIEWER)
    db.session.commit()
    rae_client = any_app.test_client()
    assert rae_client.post("/login", data={"email": "rae@riverside.org", "password": F.PASSWORD}).status_code == 302
    assert rae_client.get("/dashboard").status_code == 200
    membership = db.session.execute(select(Membership).where(Membership.user_id == rae.id)).scalar_one()
    admin_client = any_app.test_client(user=admin)
    page = admin_client.get("/funders/riverside/people").get_data(as_text=True)
    assert f"/funders/riverside/people/{membership.id}/remove" in page
    r = admin_client.post(f"/funders/riverside/people/{membership.id}/remove")
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.get(Membership, membership.id) is None
    assert rae_client.get("/dashboard").status_code == 302  # to the login page
    # Another funder's admin cannot remove anyone here.
    other = F.funder(name="Hilltop Hospital", slug="hilltop")
    hal = F.user("hal@hilltop.org", org=other, role=R.FUNDER_ADMIN)
    db.session.commit()
    own = db.session.execute(select(Membership).where(Membership.user_id == admin.id)).scalar_one()
    assert any_app.test_client(user=hal).post(f"/funders/riverside/people/{own.id}/remove").status_code == 404


def test_the_account_page_lists_sessions_and_ends_the_others(any_app, ana):
    here = _log_in(any_app)
    other = any_app.test_client()
    other.post("/login", data={"email": "ana@eastside.org", "password": F.PASSWORD},
               headers={"User-Agent": "Phone browser 1.0"})
    page = here.get("/account").get_data(as_text=True)
    assert "Phone browser 1.0" in page and "(this session)" in page
    assert here.post("/account/sessions/end-others").status_code == 302
    assert _opens_dashboard(here) and not _opens_dashboard(other)
    # Someone else's session id is a 404.
    stranger = F.user("x@example.org")
    db.session.commit()
    row = db.session.execute(select(UserSession).where(UserSession.user_id == ana.id)).scalars().first()
    assert any_app.test_client(user=stranger).post(f"/account/sessions/{row.id}/end").status_code == 404


def test_ending_this_very_session_on_the_account_page_logs_out(any_app, ana):
    """The account page's "end" button on the current session answered 500 (a redirect to a
    route that does not exist); it logs out and goes to the home page."""
    here = _log_in(any_app)
    saved = _cookies(here)
    db.session.expire_all()
    [row] = db.session.execute(select(UserSession)).scalars()
    r = here.post(f"/account/sessions/{row.id}/end")
    assert r.status_code == 302 and r.headers["Location"].rstrip("/") in ("", "http://localhost")
    assert not _opens_dashboard(_client_with(any_app, saved))
    db.session.expire_all()
    assert db.session.get(UserSession, row.id).ended_reason == "ended by the user"


def test_an_idle_session_expires(any_app, ana):
    client = _log_in(any_app)
    row = db.session.execute(select(UserSession)).scalar_one()
    row.last_seen_at = row.last_seen_at - dt.timedelta(hours=any_app.config["SESSION_IDLE_HOURS"] + 1)
    db.session.commit()
    assert not _opens_dashboard(client)


def test_a_cookie_from_before_server_side_sessions_is_refused(any_app, ana):
    """A Flask-Login id without a session token (the old format) names no session."""
    client = any_app.test_client()
    with client.session_transaction() as sess:
        sess["_user_id"] = str(ana.id)
        sess["_fresh"] = True
    assert not _opens_dashboard(client)
