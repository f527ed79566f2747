"""The audit trail: who did what to which record, when, with the values before and after."""
from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from grantflow.core.db import UTCDateTime, db, utcnow


class AuditEvent(db.Model):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(80), index=True)
    object_type: Mapped[str] = mapped_column(String(60))
    object_id: Mapped[Optional[int]]
    before: Mapped[Optional[dict]] = mapped_column(JSON)
    after: Mapped[Optional[dict]] = mapped_column(JSON)
    ip: Mapped[Optional[str]] = mapped_column(String(45))


def record(action: str, obj: Any = None, *, before: dict | None = None, after: dict | None = None,
           actor_id: int | None = None, object_type: str | None = None, object_id: int | None = None) -> AuditEvent:
    """Adds an event to the current session; it commits (or rolls back) with the change it describes."""
    if actor_id is None and has_request_context() and current_user and current_user.is_authenticated:
        actor_id = current_user.id
    event = AuditEvent(
        action=action,
        actor_id=actor_id,
        object_type=object_type or (type(obj).__name__ if obj is not None else ""),
        object_id=object_id if object_id is not None else getattr(obj, "id", None),
        before=before,
        after=after,
        ip=request.remote_addr if has_request_context() else None,
    )
    db.session.add(event)
    return event
