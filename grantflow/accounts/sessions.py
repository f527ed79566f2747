"""Server-side login sessions: a cookie is only as good as the row it names.

Each login creates a :class:`UserSession` row holding the SHA-256 of a random token. The user's
Flask-Login id is ``"<user id>:<token>"``, so both the session cookie and the remember-me cookie
carry the token, and the user loader accepts a cookie only while its row is active. Ending the row
(logout, a password change or reset, deactivation, removal from an organization, "end this
session" on the sessions page) ends every cookie that names it, in every web process, because the
row lives in the shared database.

The rules that end sessions are enforced where the change happens to the data (a flush listener),
so no view can forget them: a changed password ends the user's other sessions (all of them on a
reset), deactivation and a removed membership end all of them.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Optional

from flask import current_app, g, has_request_context, request
from sqlalchemy import ForeignKey, String, event, inspect, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from grantflow.core.db import UTCDateTime, db, utcnow

# How often a session's "last seen" is written: often enough for the sessions page, rarely enough
# that reading pages does not write to the database on every request.
TOUCH_SECONDS = 300


class UserSession(db.Model):
    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    remember: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime)
    ended_reason: Mapped[str] = mapped_column(String(40), default="")
    user_agent: Mapped[str] = mapped_column(String(300), default="")
    ip: Mapped[str] = mapped_column(String(45), default="")

    @property
    def expires_at(self) -> dt.datetime:
        """Idle sessions end: a remembered one after REMEMBER_DAYS, another after SESSION_IDLE_HOURS."""
        if self.remember:
            return self.last_seen_at + dt.timedelta(days=current_app.config["REMEMBER_DAYS"])
        return self.last_seen_at + dt.timedelta(hours=current_app.config["SESSION_IDLE_HOURS"])

    @property
    def active(self) -> bool:
        return self.ended_at is None and self.expires_at > utcnow()


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(user, *, remember: bool = False) -> str:
    """A new session for ``user``; returns the Flask-Login id to log them in with."""
    token = secrets.token_urlsafe(32)
    row = UserSession(user_id=user.id, token_hash=_hash(token), remember=remember,
                      user_agent=(request.user_agent.string[:300] if has_request_context() else ""),
                      ip=(request.remote_addr or "")[:45] if has_request_context() else "")
    db.session.add(row)
    db.session.flush()
    user.login_id = f"{user.id}:{token}"
    user.session_id = row.id
    return user.login_id


def resolve(login_id: str):
    """The user a cookie's id names, or None when its session has ended, expired or is unknown."""
    from grantflow.accounts.models import User

    user_part, _, token = (login_id or "").partition(":")
    if not user_part.isdigit() or not token or len(user_part) > 18:
        return None
    row = db.session.execute(
        select(UserSession).where(UserSession.token_hash == _hash(token),
                                  UserSession.user_id == int(user_part))
    ).scalar_one_or_none()
    if row is None or not row.active:
        return None
    user = db.session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    now = utcnow()
    if (now - row.last_seen_at).total_seconds() > TOUCH_SECONDS:
        # Its own UPDATE, so a page that rolls back still counts as a visit.
        db.session.execute(update(UserSession).where(UserSession.id == row.id).values(last_seen_at=now))
    user.login_id = login_id
    user.session_id = row.id
    return user


def end(row: UserSession, reason: str) -> None:
    if row.ended_at is None:
        row.ended_at, row.ended_reason = utcnow(), reason


def end_all(user_id: int, reason: str, *, keep: int | None = None, session: Session | None = None) -> int:
    """Ends every active session of a user (but ``keep``); returns how many."""
    s = session or db.session
    stmt = (update(UserSession).where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
            .values(ended_at=utcnow(), ended_reason=reason))
    if keep is not None:
        stmt = stmt.where(UserSession.id != keep)
    return s.execute(stmt.execution_options(synchronize_session=False)).rowcount


def active_sessions(user_id: int) -> list[UserSession]:
    rows = db.session.execute(select(UserSession).where(UserSession.user_id == user_id,
                                                        UserSession.ended_at.is_(None))
                              .order_by(UserSession.last_seen_at.desc())).scalars().all()
    return [r for r in rows if r.active]


def current_session_id() -> int | None:
    from flask_login import current_user

    return getattr(current_user, "session_id", None) if has_request_context() else None


def keep_current_on_password_change() -> None:
    """The person changing their own password stays logged in here; their other sessions end."""
    g.gf_keep_session = current_session_id()


# --- ending sessions where the data changes -------------------------------------------------------

@event.listens_for(Session, "before_flush")
def _end_sessions_on_change(session: Session, flush_context, instances) -> None:
    from grantflow.accounts.models import Membership, User

    for obj in list(session.dirty):
        if isinstance(obj, User):
            state = inspect(obj)
            if state.attrs.password_hash.history.has_changes():
                keep = g.pop("gf_keep_session", None) if has_request_context() else None
                end_all(obj.id, "password changed", keep=keep, session=session)
            active = state.attrs.active.history
            if active.has_changes() and not obj.active:
                end_all(obj.id, "deactivated", session=session)
    for obj in session.deleted:
        if isinstance(obj, Membership):
            end_all(obj.user_id, "removed from an organization", session=session)
