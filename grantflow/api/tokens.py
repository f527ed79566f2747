"""Making, checking and revoking personal API tokens (plain data in, domain errors by field out),
for the tokens page and the `grantflow tokens create` command alike."""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from flask import current_app
from sqlalchemy import select, update

from grantflow.api.models import SCOPES, ApiToken
from grantflow.core.db import db, utcnow

# Every token starts with this, so a secret scanner (or a person) recognises one in a paste.
TOKEN_PREFIX = "gfp_"
NAME_MAX = 100
# How often a token's "last used" is written: the tokens page needs no finer clock, and reading
# through the API should not write on every request.
TOUCH_SECONDS = 300


class TokenError(Exception):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create(user, *, name: str, scope: str, days: int | None = None) -> tuple[ApiToken, str]:
    """A new token for ``user``: the row (flushed) and the token itself, which is never stored."""
    name = (name or "").strip()
    if not name:
        raise TokenError("name", "Give the token a name (what will use it).")
    if len(name) > NAME_MAX:
        raise TokenError("name", f"Use at most {NAME_MAX} characters.")
    if scope not in SCOPES:
        raise TokenError("scope", "Choose read or write.")
    days = current_app.config["API_TOKEN_DAYS"] if days is None else days
    if not 1 <= days <= current_app.config["API_TOKEN_MAX_DAYS"]:
        raise TokenError("expires", f"Choose between 1 and {current_app.config['API_TOKEN_MAX_DAYS']} days.")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, name=name, scope=scope, token_hash=hash_token(token),
                   prefix=token[:len(TOKEN_PREFIX) + 6], expires_at=utcnow() + dt.timedelta(days=days))
    db.session.add(row)
    db.session.flush()
    return row, token


def from_header(authorization: str | None) -> ApiToken | None:
    """The active token an ``Authorization: Bearer ...`` header carries, its user active; else None."""
    scheme, _, token = (authorization or "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    row = db.session.execute(select(ApiToken).where(ApiToken.token_hash == hash_token(token))).scalar_one_or_none()
    if row is None or not row.active or not row.user.active:
        return None
    now = utcnow()
    if row.last_used_at is None or (now - row.last_used_at).total_seconds() > TOUCH_SECONDS:
        # Its own UPDATE, so a request that rolls back still counts as a use.
        db.session.execute(update(ApiToken).where(ApiToken.id == row.id).values(last_used_at=now)
                           .execution_options(synchronize_session=False))
    return row


def tokens_of(user) -> list[ApiToken]:
    return list(db.session.execute(select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
                                   .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())).scalars())


def revoke(row: ApiToken) -> None:
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        db.session.flush()
