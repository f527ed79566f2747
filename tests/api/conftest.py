"""API helpers: tokens made through the real service, and requests that carry one."""
from __future__ import annotations

import pytest

from grantflow.api import tokens
from grantflow.core.db import db
from tests.applications.conftest import build_scene, complete_form  # noqa: F401  (re-exported for API tests)


def make_token(user, scope: str = "write", days: int | None = None) -> str:
    _row, token = tokens.create(user, name=f"test {scope}", scope=scope, days=days)
    db.session.commit()
    return token


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def scene(app):
    return build_scene()


@pytest.fixture
def any_scene(any_app):
    return build_scene()


@pytest.fixture
def api():
    """api(token) -> a client of the current app whose every request carries that token (and no cookie)."""
    from flask import current_app

    class Client:
        def __init__(self, token):
            self.client = current_app.test_client(use_cookies=False)
            self.headers = bearer(token)

        def __getattr__(self, method):
            def call(url, **kwargs):
                return getattr(self.client, method)(url, headers=self.headers | kwargs.pop("headers", {}), **kwargs)
            return call

    return Client
