"""Every registered route × every role (and anonymous) gives the expected outcome."""
from __future__ import annotations

import pytest
from flask import url_for

from grantflow.core.db import db
from tests.authz import ROLES, all_routes
from tests.conftest import build_world

ROUTES = all_routes()


def test_every_route_has_a_row(app):
    registered = {r.endpoint for r in app.url_map.iter_rules() if r.endpoint != "static"}
    covered = {r.endpoint for r in ROUTES}
    assert registered - covered == set(), "routes with no row in tests/authz/*.py"
    assert covered - registered == set(), "rows for routes that do not exist"


def _outcome(response) -> str:
    if response.status_code in (403, 404):
        return "deny"
    if response.status_code == 401:
        return "login"
    if response.status_code in (301, 302, 303) and "/login" in response.headers.get("Location", ""):
        return "login"
    return "ok"


def _call_api(app, user, url, method, data):
    """A call with the user's write token (none for anonymous), as an API client makes it."""
    from grantflow.api import tokens

    headers = {}
    if user is not None:
        _row, token = tokens.create(user, name="authz", scope="write")
        db.session.commit()
        headers["Authorization"] = f"Bearer {token}"
    body = {"json": data if data is not None else {}} if method != "GET" else {}
    return app.test_client(use_cookies=False).open(url, method=method, headers=headers, **body)


@pytest.mark.parametrize("row", ROUTES, ids=[f"{r.method} {r.endpoint}" for r in ROUTES])
def test_route_by_role(app, row):
    world = build_world(team=True)
    kwargs = {k: (v(world) if callable(v) else v) for k, v in row.kwargs.items()}
    with app.test_request_context():
        url = url_for(row.endpoint, **kwargs)
    # Least privileged first, so allowed requests that change data come after every denied one.
    order = sorted(ROLES, key=lambda role: row.expected(role) == "ok")
    failures = []
    for role in order:
        data = row.data(world) if callable(row.data) else row.data
        if row.api:
            response = _call_api(app, None if role == "anonymous" else world.users[role], url, row.method, data)
        else:
            client = app.test_client() if role == "anonymous" else app.test_client(user=world.users[role])
            response = client.open(url, method=row.method, data=data or {})
        got = _outcome(response)
        if got != row.expected(role):
            failures.append(f"{role}: expected {row.expected(role)}, got {got} ({response.status_code})")
        db.session.rollback()
    assert not failures, f"{row.method} {url}:\n" + "\n".join(failures)
