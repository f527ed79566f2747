"""Who changed what in an application, for its team and the funder's staff: the audit events of
the application (grantflow/core/auditlog.py) told as lines — draft started, fields edited, files
added or removed, submitted, withdrawn.

Saves come every few seconds while someone types (autosave), so one person's edits within
EDIT_GAP_SECONDS of their previous edit extend that entry (the fields changed, and until when)
instead of adding one per save. Decisions are not part of it: an applicant learns of them only
when they are released.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy import select

from grantflow.accounts.models import User
from grantflow.core import auditlog
from grantflow.core.auditlog import AuditEvent
from grantflow.core.db import db, utcnow

EDITED = "application.edited"
ATTACHED = "attachment.uploaded"
DETACHED = "attachment.deleted"
SHOWN = ("application.draft", EDITED, ATTACHED, DETACHED, "application.submitted", "application.withdrawn")
EDIT_GAP_SECONDS = 5 * 60
LIMIT = 200
FIELD_LABELS = {"title": _l("project title"), "summary": _l("project summary"),
                "community_voice": _l("community voice"), "amount_requested": _l("amount requested"),
                "needs": _l("needs"), "places": _l("places"), "budget": _l("budget"), "outcomes": _l("outcomes")}


@dataclass(frozen=True)
class Entry:
    at: dt.datetime
    who: str
    what: str


def record_edit(application, user_id: int, fields: list[str]) -> None:
    """Notes that `user_id` changed `fields` (field keys, in page order) of the draft."""
    if not fields:
        return
    now = utcnow()
    last = db.session.execute(
        select(AuditEvent).where(AuditEvent.object_type == "Application", AuditEvent.object_id == application.id)
        .order_by(AuditEvent.id.desc()).limit(1)).scalar_one_or_none()
    if (last is not None and last.action == EDITED and last.actor_id == user_id
            and (now - _until(last)).total_seconds() < EDIT_GAP_SECONDS):
        known = list((last.after or {}).get("fields", []))
        last.after = {"fields": known + [f for f in fields if f not in known], "until": now.isoformat()}
        return
    auditlog.record(EDITED, application, after={"fields": list(fields), "until": now.isoformat()}, actor_id=user_id)


def _until(event: AuditEvent) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat((event.after or {})["until"])
    except (KeyError, TypeError, ValueError):
        return event.at


def _labels(application) -> dict[str, str]:
    return FIELD_LABELS | {f"q_{q.key}": f"“{q.label}”" for q in application.program.questions}


def _what(event: AuditEvent, labels: dict[str, str]) -> str:
    after, before = event.after or {}, event.before or {}
    if event.action == EDITED:
        return _("edited %(fields)s", fields=", ".join(str(labels.get(f, f)) for f in after.get("fields", [])))
    if event.action == ATTACHED:
        return _("added the file %(name)s", name=after.get("name")) if after.get("name") else _("added a file")
    if event.action == DETACHED:
        return _("removed the file %(name)s", name=before.get("name")) if before.get("name") else _("removed a file")
    return {"application.draft": _("started the draft"), "application.submitted": _("submitted the application"),
            "application.withdrawn": _("withdrew the application")}[event.action]


def trail(application) -> list[Entry]:
    """The application's activity, newest first (one query, at most LIMIT entries)."""
    rows = db.session.execute(
        select(AuditEvent, User.name).outerjoin(User, User.id == AuditEvent.actor_id)
        .where(AuditEvent.object_type == "Application", AuditEvent.object_id == application.id,
               AuditEvent.action.in_(SHOWN))
        .order_by(AuditEvent.id.desc()).limit(LIMIT)).all()
    labels = _labels(application)
    return [Entry(event.at, name or _("Someone no longer on GrantFlow"), _what(event, labels)) for event, name in rows]
