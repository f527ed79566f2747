"""A program's audit settings: its suppression threshold k (plain values in and out)."""
from __future__ import annotations

from flask import current_app
from flask_babel import gettext
from sqlalchemy import select

from grantflow.core import auditlog
from grantflow.core.db import db
from grantflow.equity.models import AuditSettings
from grantflow.equity.suppression import MIN_K

MAX_K = 1000


class SettingsError(Exception):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def program_k(program_id: int) -> int:
    """The program's own k, else the setting AUDIT_SUPPRESSION_K (never below MIN_K)."""
    own = db.session.execute(select(AuditSettings.suppression_k)
                             .where(AuditSettings.program_id == program_id)).scalar_one_or_none()
    return max(MIN_K, own if own is not None else int(current_app.config["AUDIT_SUPPRESSION_K"]))


def set_k(program_id: int, k: int, user_id: int | None) -> int:
    """Sets the program's k; refuses a value below MIN_K (or above MAX_K) with the field's message."""
    if k < MIN_K:
        raise SettingsError("k", gettext("k cannot be below %(min)s: smaller groups could identify organizations.",
                                         min=MIN_K))
    if k > MAX_K:
        raise SettingsError("k", gettext("Enter a whole number from %(min)s to %(max)s.", min=MIN_K, max=MAX_K))
    row = db.session.get(AuditSettings, program_id)
    before = program_k(program_id)
    if row is None:
        row = AuditSettings(program_id=program_id, suppression_k=k, updated_by_id=user_id)
        db.session.add(row)
    else:
        row.suppression_k, row.updated_by_id = k, user_id
    db.session.flush()
    auditlog.record("equity.suppression_k", object_type="Program", object_id=program_id,
                    before={"k": before}, after={"k": k})
    return k
