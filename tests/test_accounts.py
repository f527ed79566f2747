"""Accounts: registration, login, password reset by emailed token, invitations, CSRF, rate limit, cookies."""
from __future__ import annotations

import html as htmllib
import re

import pytest
from flask_babel import refresh
from sqlalchemy import select

from grantflow.accounts.models import Invitation, Membership, User
from grantflow.core import roles as R
from grantflow.core.db import db
from grantflow.core.mail import outbox
from grantflow.organizations.models import Organization
from tests import factories as F
from tests.conftest import make_app

GOOD = "a long enough passphrase"


def _error(html: str, field: str) -> str:
    """The text of a field's error paragraph (tied to it by id for aria-describedby)."""
    m = re.search(rf'<p class="error" id="{field}-error">(.*?)</p>', html, re.S)
    return htmllib.unescape(m.group(1).strip()) if m else ""


def _value(html: str, field: str) -> str | None:
    m = re.search(rf'<input[^>]*\bid="{field}"[^>]*>', html)
    if not m:
        return None
    v = re.search(r'\bvalue="([^"]*)"', m.group(0))
    return htmllib.unescape(v.group(1)) if v else ""


def _link(message) -> str:
    return re.search(r"http://localhost(/\S+)", message.get_content()).group(1)


# --- registration -----------------------------------------------------------------------------------

def test_register_empty_form_gives_a_message_at_each_field(client):
    r = client.post("/register", data={})
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert _error(html, "name") == "Enter your name."
    assert _error(html, "email") == "Enter your email address."
    assert _error(html, "organization_name") == "Enter your organization's legal name."
    assert _error(html, "password") == "Choose a password."
    assert 'aria-describedby="password-hint password-counter password-error"' in html
    assert db.session.execute(select(User)).first() is None


def test_register_bad_values_keep_what_was_typed(client):
    r = client.post("/register", data={
        "name": "  Dana Rivera ", "email": "dana-at-example", "organization_name": "Eastside Tenants Union",
        "organization_kind": "network", "password": "short", "confirm": "different"})
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert _error(html, "email") == "Enter an email address like name@example.org."
    assert _error(html, "password").startswith("Use at least 10 characters")
    assert _error(html, "confirm") == "The two passwords differ."
    assert _value(html, "name") == "Dana Rivera"  # stripped, kept
    assert _value(html, "email") == "dana-at-example"
    assert _value(html, "organization_name") == "Eastside Tenants Union"
    assert re.search(r'<input[^>]*checked[^>]*value="network"|<input[^>]*value="network"[^>]*checked', html)


def _register(client, email="Dana@Eastside.org", org="Eastside Tenants Union"):
    return client.post("/register", data={
        "name": "Dana Rivera", "email": email, "organization_name": org,
        "organization_kind": "cbo", "password": GOOD, "confirm": GOOD})


def test_register_creates_an_unverified_applicant_and_emails_a_confirmation_link(app, client):
    r = _register(client)
    assert r.status_code == 200 and "Check your email" in r.get_data(as_text=True)
    user = db.session.execute(select(User)).scalar_one()
    assert user.email == "dana@eastside.org" and user.email_verified_at is None
    assert user.password_hash.startswith("$argon2id$") and GOOD not in user.password_hash
    [m] = user.memberships
    assert m.role == R.APPLICANT and m.organization.name == "Eastside Tenants Union" and m.organization.kind == "cbo"
    # Not logged in, and cannot log in before confirming.
    assert client.get("/dashboard").status_code == 302
    r = client.post("/login", data={"email": "dana@eastside.org", "password": GOOD})
    assert r.status_code == 422 and _error(r.get_data(as_text=True), "email").startswith("Confirm your email")
    [msg] = outbox()
    assert msg["To"] == "dana@eastside.org" and msg["Subject"] == "Confirm your email address for GrantFlow"
    link = _link(msg)
    r = client.get(link)
    assert r.status_code == 302 and r.headers["Location"].endswith("/dashboard")
    assert "Eastside Tenants Union" in client.get("/dashboard").get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).email_verified_at is not None
    assert app.test_client().get(link[:-4] + "abcd").status_code == 302  # a tampered link does nothing


def test_register_with_an_existing_email_answers_the_same_and_tells_the_owner(app, client):
    F.user("dana@eastside.org")
    db.session.commit()
    existing = _register(client, email="DANA@eastside.org", org="Other Org")
    new = _register(app.test_client(), email="newcomer@eastside.org", org="Other Org")
    assert existing.status_code == new.status_code == 200
    e, n = existing.get_data(as_text=True), new.get_data(as_text=True)
    assert e.replace("dana@eastside.org", "X") == n.replace("newcomer@eastside.org", "X")
    assert db.session.execute(select(Organization).where(Organization.name == "Other Org")).scalars().all() \
        and len(db.session.execute(select(Organization).where(Organization.name == "Other Org")).scalars().all()) == 1
    mails = {m["To"]: m for m in outbox()}
    assert mails["dana@eastside.org"]["Subject"] == "Someone tried to register with your email on GrantFlow"
    assert "/reset" in mails["dana@eastside.org"].get_content()
    assert mails["newcomer@eastside.org"]["Subject"] == "Confirm your email address for GrantFlow"


# --- login --------------------------------------------------------------------------------------------

def test_wrong_password_and_unknown_email_get_the_same_answer(app, client):
    F.user("ana@eastside.org")
    db.session.commit()
    wrong = client.post("/login", data={"email": "ana@eastside.org", "password": "not the password"})
    unknown = client.post("/login", data={"email": "nobody@eastside.org", "password": "not the password"})
    assert wrong.status_code == unknown.status_code == 422
    w, u = wrong.get_data(as_text=True), unknown.get_data(as_text=True)
    assert _error(w, "password") == _error(u, "password") == "That email and password do not match an account."
    assert _error(w, "email") == _error(u, "email")
    # The pages differ only in the typed email, which is kept.
    assert _value(w, "email") == "ana@eastside.org" and _value(u, "email") == "nobody@eastside.org"
    assert w.replace("ana@eastside.org", "X") == u.replace("nobody@eastside.org", "X")


def test_login_missing_fields_are_named(client):
    r = client.post("/login", data={"email": "ana@eastside.org"})
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert _error(html, "password") == "Enter your password."
    assert _value(html, "email") == "ana@eastside.org"


def test_login_logout(app, client):
    F.user("ana@eastside.org", "Ana Applicant")
    db.session.commit()
    assert client.get("/dashboard").status_code == 302
    r = client.post("/login", data={"email": " ANA@eastside.org ", "password": F.PASSWORD})
    assert r.status_code == 302
    assert "Welcome, Ana Applicant" in client.get("/dashboard").get_data(as_text=True)
    assert client.post("/logout").status_code == 302
    assert client.get("/dashboard").status_code == 302


def test_login_keeps_a_local_next_and_refuses_a_foreign_one(app, client):
    F.user("ana@eastside.org")
    db.session.commit()
    r = client.post("/login?next=/opportunities", data={"email": "ana@eastside.org", "password": F.PASSWORD})
    assert r.headers["Location"].endswith("/opportunities")
    client.post("/logout")
    r = client.post("/login?next=https://evil.example/x", data={"email": "ana@eastside.org", "password": F.PASSWORD})
    assert "evil.example" not in r.headers["Location"]


def test_inactive_user_cannot_log_in(app, client):
    u = F.user("ana@eastside.org")
    u.active = False
    db.session.commit()
    r = client.post("/login", data={"email": "ana@eastside.org", "password": F.PASSWORD})
    assert r.status_code == 422


# --- password reset -------------------------------------------------------------------------------------

def test_password_reset_by_emailed_link_works_once(app, client, caplog):
    user = F.user("ana@eastside.org")
    db.session.commit()
    caplog.set_level("INFO", logger="grantflow.mail")
    r = client.post("/reset", data={"email": "ana@eastside.org"})
    assert r.status_code == 302
    [msg] = outbox()
    assert msg["To"] == "ana@eastside.org"
    link = _link(msg)
    assert link in caplog.text  # no mail server: the message goes to the log
    assert client.get(link).status_code == 200
    r = client.post(link, data={"password": "short", "confirm": "short"})
    assert r.status_code == 422 and _error(r.get_data(as_text=True), "password").startswith("Use at least")
    r = client.post(link, data={"password": "my brand new passphrase", "confirm": "my brand new passphrase"})
    assert r.status_code == 302 and r.headers["Location"].endswith("/login")
    db.session.refresh(user)
    # The old password no longer works; the new one does.
    assert client.post("/login", data={"email": "ana@eastside.org", "password": F.PASSWORD}).status_code == 422
    assert client.post("/login", data={"email": "ana@eastside.org",
                                       "password": "my brand new passphrase"}).status_code == 302
    client.post("/logout")
    # Used once: the link now sends back to the request form.
    again = client.get(link)
    assert again.status_code == 302 and again.headers["Location"].endswith("/reset")
    again = client.post(link, data={"password": "yet another passphrase", "confirm": "yet another passphrase"})
    assert again.status_code == 302 and again.headers["Location"].endswith("/reset")


def test_reset_request_for_unknown_email_answers_the_same_and_sends_nothing(client):
    r = client.post("/reset", data={"email": "nobody@example.org"}, follow_redirects=True)
    assert "If that email has an account, a reset link is on its way." in r.get_data(as_text=True)
    assert outbox() == []


def test_tampered_reset_token_is_refused(app, client):
    F.user("ana@eastside.org")
    db.session.commit()
    client.post("/reset", data={"email": "ana@eastside.org"})
    link = _link(outbox()[0])
    assert client.get(link[:-3] + "xyz").status_code == 302


# --- invitations --------------------------------------------------------------------------------------

def test_funder_admin_invites_a_reviewer_who_accepts(app, world, login):
    admin = login(world.users["funder_admin"])
    r = admin.get("/funders/riverside/people")
    assert r.status_code == 200 and "Rae Reviewer" in r.get_data(as_text=True)
    r = admin.post("/funders/riverside/people", data={"email": "New.Reviewer@example.org", "role": R.REVIEWER})
    assert r.status_code == 302
    [msg] = outbox()
    assert msg["To"] == "new.reviewer@example.org"
    link = _link(msg)
    inv = db.session.execute(select(Invitation)).scalar_one()
    assert inv.role == R.REVIEWER and link.split("/")[-1] not in inv.token_hash  # only a hash is kept

    guest = app.test_client()
    page = guest.get(link)
    assert page.status_code == 200 and _value(page.get_data(as_text=True), "email") == "new.reviewer@example.org"
    r = guest.post(link, data={"name": "", "password": "short", "confirm": "short"})
    assert r.status_code == 422
    assert _error(r.get_data(as_text=True), "name") == "Enter your name."
    r = guest.post(link, data={"name": "Nia Reviewer", "password": GOOD, "confirm": GOOD})
    assert r.status_code == 302
    user = db.session.execute(select(User).where(User.email == "new.reviewer@example.org")).scalar_one()
    assert [(m.organization_id, m.role) for m in user.memberships] == [(world.funder.id, R.REVIEWER)]
    assert "Welcome, Nia Reviewer" in guest.get("/dashboard").get_data(as_text=True)
    # The link works once.
    assert app.test_client().get(link).status_code == 404


def test_existing_user_accepts_an_invitation_by_logging_in(app, world, login):
    admin = login(world.users["funder_admin"])
    admin.post("/funders/riverside/people", data={"email": "po@hilltop.org", "role": R.COMMUNITY_ADVISOR})
    link = _link(outbox()[0])
    assert "/login" in app.test_client().get(link).headers["Location"]
    hal = login(world.users["other_officer"])
    assert hal.get(link).status_code == 200
    assert hal.post(link).status_code == 302
    assert R.COMMUNITY_ADVISOR in world.users["other_officer"].roles_in(world.funder.id)


@pytest.mark.parametrize("who", ["program_officer", "reviewer", "community_advisor", "applicant", "other_officer"])
def test_only_the_funder_admin_may_invite(world, login, who):
    r = login(world.users[who]).post("/funders/riverside/people",
                                      data={"email": "x@example.org", "role": R.FUNDER_ADMIN})
    assert r.status_code in (403, 404)
    assert db.session.execute(select(Invitation)).first() is None
    assert outbox() == []


def test_invitation_role_must_be_a_funder_role(world, login):
    r = login(world.users["funder_admin"]).post("/funders/riverside/people",
                                                data={"email": "x@example.org", "role": R.APPLICANT})
    assert r.status_code == 422
    assert _error(r.get_data(as_text=True), "role")
    assert db.session.execute(select(Membership).where(Membership.role == R.APPLICANT,
                                                       Membership.organization_id == world.funder.id)).first() is None


# --- CSRF, rate limit, cookies ------------------------------------------------------------------------

def _app_with(tmp_path, **config):
    app = make_app(tmp_path, **config)
    with app.app_context():
        db.create_all()
        F.user("ana@eastside.org")
        db.session.commit()
    return app


def test_a_post_without_csrf_token_is_refused(tmp_path):
    app = _app_with(tmp_path, WTF_CSRF_ENABLED=True)
    with app.app_context():
        client = app.test_client()
        r = client.post("/login", data={"email": "ana@eastside.org", "password": F.PASSWORD})
        assert r.status_code == 400
        # Said in the page's language, with what to do (Flask-WTF's own words are English only).
        refresh()  # the requests share this test's app context, where the language is kept
        es = client.post("/login", data={}, headers={"Accept-Language": "es"}).get_data(as_text=True)
        assert "vuelva a cargar la página" in es and "CSRF" not in es
        assert client.post("/register", data={"name": "x"}).status_code == 400
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                          client.get("/login").get_data(as_text=True)).group(1)
        r = client.post("/login", data={"email": "ana@eastside.org", "password": F.PASSWORD, "csrf_token": token})
        assert r.status_code == 302
        db.engine.dispose()


def _login_from(client, address, email, password):
    return client.post("/login", data={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": address}).status_code


def test_login_is_limited_per_account_from_any_address(tmp_path):
    """Guessing one account's password from four addresses stops after five tries, not forty."""
    app = _app_with(tmp_path, RATELIMIT_ENABLED=True)
    with app.app_context():
        client = app.test_client()
        codes = [_login_from(client, f"10.0.0.{i % 4 + 1}", "ana@eastside.org", "wrong password")
                 for i in range(40)]
        assert codes[:5] == [422] * 5 and set(codes[5:]) == {429}
        refresh()  # the requests share this test's app context, where the language is kept
        page = client.post("/login", data={"email": "ana@eastside.org", "password": "x"},
                           headers={"Accept-Language": "es"}, environ_base={"REMOTE_ADDR": "10.0.0.1"})
        assert page.status_code == 429 and "Espere unos minutos" in page.get_data(as_text=True)
        assert "per 1 minute" not in page.get_data(as_text=True)
        # Even the right password waits now, for this account only ...
        assert _login_from(client, "10.0.0.9", "ANA@eastside.org", F.PASSWORD) == 429
        assert client.get("/login").status_code == 200  # only POSTs count
        db.engine.dispose()


def test_a_throttled_address_does_not_block_other_accounts(tmp_path):
    app = _app_with(tmp_path, RATELIMIT_ENABLED=True)
    with app.app_context():
        F.user("ben@eastside.org")
        db.session.commit()
        client = app.test_client()
        for _ in range(6):
            _login_from(client, "10.0.0.1", "ana@eastside.org", "wrong password")
        assert _login_from(client, "10.0.0.1", "ana@eastside.org", F.PASSWORD) == 429
        # Someone else in the same office logs in with their right password.
        assert _login_from(client, "10.0.0.1", "ben@eastside.org", F.PASSWORD) == 302
        db.engine.dispose()


def test_correct_logins_do_not_count_against_the_limit(tmp_path):
    app = _app_with(tmp_path, RATELIMIT_ENABLED=True)
    with app.app_context():
        for _ in range(8):
            assert _login_from(app.test_client(), "10.0.0.1", "ana@eastside.org", F.PASSWORD) == 302
        db.engine.dispose()


def test_secure_cookie_settings_by_default(tmp_path):
    from grantflow import create_app

    app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path), "WTF_CSRF_ENABLED": False,
                      "RATELIMIT_ENABLED": False})
    for key in ("SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "REMEMBER_COOKIE_SECURE",
                "REMEMBER_COOKIE_HTTPONLY"):
        assert app.config[key] is True, key
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    with app.app_context():
        db.create_all()
        F.user("ana@eastside.org")
        db.session.commit()
        r = app.test_client().post("/login", data={"email": "ana@eastside.org", "password": F.PASSWORD,
                                                   "remember": "y"})
        cookies = r.headers.getlist("Set-Cookie")
        session = next(c for c in cookies if c.startswith("session="))
        remember = next(c for c in cookies if c.startswith("remember_token="))
        for c in (session, remember):
            assert "Secure" in c and "HttpOnly" in c, c
        assert "SameSite=Lax" in session
        db.engine.dispose()
