"""Personal API tokens: made by the command or the page, stored hashed, scoped, expiring,
revocable, rate-limited; the API takes no cookie and needs no CSRF token."""
from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from sqlalchemy import select

from grantflow.api.models import ApiToken
from grantflow.core.db import db, utcnow
from grantflow.core.errors import PROBLEM_JSON
from tests.api.conftest import bearer, make_token


def _fresh_tokens():
    db.session.expire_all()
    return list(db.session.execute(select(ApiToken)).scalars())


def test_the_command_prints_a_token_that_opens_the_api(any_app, any_scene):
    app, scene = any_app, any_scene
    client = app.test_client(use_cookies=False)
    assert client.get("/api/v1/programs").status_code == 401
    result = app.test_cli_runner().invoke(args=["tokens", "create", "dana@eastside.org", "--scope", "read",
                                                "--expires", "30"])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    response = client.get("/api/v1/programs", headers=bearer(token))
    assert response.status_code == 200
    assert [p["slug"] for p in response.get_json()["items"]] == ["health-2026"]
    (row,) = _fresh_tokens()
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest() and token not in (row.prefix, row.token_hash)
    assert row.scope == "read" and row.user_id == scene.user.id
    assert dt.timedelta(days=29) < row.expires_at - utcnow() <= dt.timedelta(days=30)
    assert row.last_used_at is not None


def test_the_command_refuses_an_unknown_email(app, scene):
    result = app.test_cli_runner().invoke(args=["tokens", "create", "nobody@example.org", "--scope", "read"])
    assert result.exit_code != 0 and "No active account" in result.output


@pytest.mark.parametrize("header", ["", "Bearer", "Bearer gfp_wrong", "Basic abc", "Bearer " + "x" * 500])
def test_no_valid_token_is_a_401_problem(app, scene, header):
    response = app.test_client(use_cookies=False).get("/api/v1/programs", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.mimetype == PROBLEM_JSON
    assert response.get_json()["status"] == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_expired_and_revoked_tokens_stop_working(app, scene, api):
    token = make_token(scene.user, "read")
    assert api(token).get("/api/v1/programs").status_code == 200
    (row,) = _fresh_tokens()
    row.expires_at = utcnow() - dt.timedelta(seconds=1)
    db.session.commit()
    assert api(token).get("/api/v1/programs").status_code == 401
    row.expires_at = utcnow() + dt.timedelta(days=1)
    row.revoked_at = utcnow()
    db.session.commit()
    assert api(token).get("/api/v1/programs").status_code == 401


def test_a_read_token_cannot_write(app, scene, api):
    response = api(make_token(scene.user, "read")).post("/api/v1/applications", json={"program": "health-2026"})
    assert response.status_code == 403 and response.mimetype == PROBLEM_JSON
    assert "read" in response.get_json()["detail"]


def test_a_session_cookie_opens_no_api_and_the_api_sets_none(app, scene, api):
    browser = app.test_client(user=scene.user)
    assert browser.get("/account").status_code == 200
    assert browser.get("/api/v1/programs").status_code == 401  # the cookie is not a credential here
    response = api(make_token(scene.user, "write")).get("/api/v1/programs")
    assert response.status_code == 200 and "Set-Cookie" not in response.headers


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_api_writes_need_no_csrf_token(app, scene, api):
    response = api(make_token(scene.user, "write")).post("/api/v1/applications", json={"program": "health-2026"})
    assert response.status_code == 201, response.get_json()


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True, "API_RATE_LIMIT": "3 per minute"}])
def test_requests_are_rate_limited_per_token(app, scene, api):
    mine, other = api(make_token(scene.user, "read")), api(make_token(scene.other_user, "read"))
    assert [mine.get("/api/v1/programs").status_code for _ in range(3)] == [200, 200, 200]
    limited = mine.get("/api/v1/programs")
    assert limited.status_code == 429 and limited.mimetype == PROBLEM_JSON
    assert other.get("/api/v1/programs").status_code == 200


def test_the_tokens_page_makes_shows_once_and_revokes(app, scene, api):
    browser = app.test_client(user=scene.user)
    response = browser.post("/account/api-tokens", data={"name": "CRM sync", "scope": "write", "expires": "7"})
    assert response.status_code == 201
    page = response.get_data(as_text=True)
    token = page.split('<code id="new-token">')[1].split("</code>")[0]
    assert api(token).get("/api/v1/programs").status_code == 200
    (row,) = _fresh_tokens()
    assert (row.name, row.scope) == ("CRM sync", "write")
    assert token not in browser.get("/account/api-tokens").get_data(as_text=True)  # shown once
    assert browser.post(f"/account/api-tokens/{row.id}/revoke").status_code == 302
    assert _fresh_tokens()[0].revoked_at is not None
    assert api(token).get("/api/v1/programs").status_code == 401


def test_the_tokens_page_answers_bad_input_at_the_field(app, scene):
    browser = app.test_client(user=scene.user)
    response = browser.post("/account/api-tokens", data={"name": "Kept name", "scope": "write", "expires": "9999"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Choose between 1 and 366 days." in page and 'value="Kept name"' in page
    assert _fresh_tokens() == []


def test_nobody_revokes_another_persons_token(app, scene):
    make_token(scene.user, "read")
    (row,) = _fresh_tokens()
    assert app.test_client(user=scene.other_user).post(f"/account/api-tokens/{row.id}/revoke").status_code == 404
    assert _fresh_tokens()[0].revoked_at is None
