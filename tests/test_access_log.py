"""Secret tokens that travel in URLs (password reset, invitations, email confirmation) never reach the access log:
a real request to the real server, its log lines captured."""
from __future__ import annotations

import logging
import threading
import urllib.error
import urllib.request

import pytest
from werkzeug.serving import make_server

from grantflow.accounts import services as accounts
from grantflow.core import roles as R
from grantflow.core.db import db
from tests import factories as F


@pytest.fixture
def served(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


def _get(url: str, **headers) -> int:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as r:
            return r.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_tokens_in_urls_are_cut_from_the_access_log(app, served, caplog):
    app.config["SERVER_NAME"] = None
    funder = F.funder(slug="riverside")
    admin = F.user("admin@riverside.org", org=funder, role=R.FUNDER_ADMIN)
    existing = F.user("rae@example.org")
    reset_token = accounts.make_reset_token(admin)
    _, invite_token = accounts.invite(funder, existing.email, R.REVIEWER, admin)
    _, new_invite_token = accounts.invite(funder, "new@example.org", R.REVIEWER, admin)
    db.session.commit()
    caplog.set_level(logging.INFO, logger="werkzeug")
    # A reset link, a used-up one, and invitations (one answers with a redirect to the login page
    # that carries the link in `next`, which the browser then requests).
    assert _get(f"{served}/reset/{reset_token}") == 200
    assert _get(f"{served}/reset/{reset_token}x") == 200  # expired or bad: redirected to /reset
    assert _get(f"{served}/invitations/{new_invite_token}") == 200
    assert _get(f"{served}/invitations/{invite_token}") == 200  # → /login?next=/invitations/<token>
    assert _get(f"{served}/login?next=%2Finvitations%2F{invite_token}") == 200
    lines = [r.getMessage() for r in caplog.records if r.name == "werkzeug"]
    assert sum("/reset/" in line for line in lines) == 2 and sum("/login?next=" in line for line in lines) == 2
    assert sum("[redacted]" in line for line in lines) == 6, lines
    for token in (reset_token, invite_token, new_invite_token):
        assert not [line for line in lines if token in line or token[:12] in line], lines


def test_email_confirmation_tokens_are_cut_from_the_access_log(app, served, caplog):
    """The `/verify/<token>` link of a new account is found in the URL map like the others."""
    app.config["SERVER_NAME"] = None
    user = F.user("new@example.org")
    user.email_verified_at = None
    token = accounts.make_verify_token(user)
    db.session.commit()
    caplog.set_level(logging.INFO, logger="werkzeug")
    assert _get(f"{served}/verify/{token}") == 200  # confirmed, then → /dashboard → /login
    db.session.expire_all()
    assert db.session.get(type(user), user.id).email_verified_at is not None
    lines = [r.getMessage() for r in caplog.records if r.name == "werkzeug"]
    assert sum("/verify/[redacted]" in line for line in lines) == 1, lines
    assert not [line for line in lines if token in line or token[:12] in line], lines


def test_gunicorn_access_lines_are_cut_too(app, caplog):
    """gunicorn logs the request line and the Referer (a page opened from a reset link sends it
    with every asset it loads) through its `gunicorn.access` logger with a dict of fields."""
    caplog.set_level(logging.INFO, logger="gunicorn.access")
    token = "eyJ1aWQiOjF9.Z3J-_abc.def"
    logging.getLogger("gunicorn.access").info(
        '%(h)s "%(r)s" %(s)s "%(f)s"',
        {"h": "127.0.0.1", "r": f"GET /reset/{token} HTTP/1.1", "s": "200",
         "f": f"https://grants.example.org/invitations/{token}?x=1"})
    line = caplog.records[-1].getMessage()
    assert token not in line and '"GET /reset/' in line and "/invitations/" in line and "?x=1" in line
