"""Who an API request is: the personal token it carries, and nothing else.

No session cookie is read or set under the API's prefix (a browser's cookie cannot call the API
on its user's behalf, so the API needs no CSRF token), the request runs as the token's user
through the same policy rules as the pages, and a read token may only read. Requests are
rate-limited per token (per address without one).
"""
from __future__ import annotations

from flask import current_app, g, request
from flask.sessions import SecureCookieSessionInterface

from grantflow.api import tokens
from grantflow.core.errors import problem

READ_METHODS = ("GET", "HEAD", "OPTIONS")


class NoSessionUnder(SecureCookieSessionInterface):
    """The app's cookie session, except under ``prefix``: no session there (none read, none set)."""

    def __init__(self, prefix: str):
        self.prefix = prefix

    def open_session(self, app, request):
        if request.path.startswith(self.prefix):
            return None  # Flask uses a null session, which is never saved
        return super().open_session(app, request)


def rate_key() -> str:
    """The token's hash (its user's budget, wherever they call from), else the caller's address."""
    scheme, _, token = (request.headers.get("Authorization") or "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return "token:" + tokens.hash_token(token.strip())
    return "addr:" + (request.remote_addr or "")


def rate_limit() -> str:
    return current_app.config["API_RATE_LIMIT"]


def authenticate() -> None:
    """Runs before every API operation: 401 without an active token, 403 when a read token writes."""
    token = tokens.from_header(request.headers.get("Authorization"))
    if token is None:
        raise problem(401, "Send an active personal API token: Authorization: Bearer gfp_…")
    g._login_user = token.user  # Flask-Login's current_user for this request, from no cookie
    g.api_token = token
    if request.method not in READ_METHODS and not token.can_write:
        raise problem(403, "This token may only read; make a write token to change anything.")
