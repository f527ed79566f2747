"""Personal API tokens: a person's own key to the API, scoped, expiring, revocable."""
from __future__ import annotations

import datetime as dt
from flask_babel import lazy_gettext as _l
from typing import Optional

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grantflow.accounts.models import User
from grantflow.core.db import UTCDateTime, db, utcnow

READ, WRITE = "read", "write"
SCOPES = (READ, WRITE)
SCOPE_LABELS = {READ: _l("Read only"), WRITE: _l("Read and write")}


class ApiToken(db.Model):
    """Only the SHA-256 of the token is kept (the token is shown once, when it is made): a leaked
    database gives no working token. ``prefix`` (the token's first characters) lets a person tell
    their tokens apart."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    scope: Mapped[str] = mapped_column(String(10))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime)
    revoked_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    @property
    def active(self) -> bool:
        return self.revoked_at is None and self.expires_at > utcnow()

    @property
    def can_write(self) -> bool:
        return self.scope == WRITE
