"""Score runs and their results: one row per scoring rule's contribution to one application."""
from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grantflow.core.db import UTCDateTime, db, utcnow

OK = "ok"
ERRORED = "errored"


class ScoreRun(db.Model):
    """A rescoring of a program; its config records every rule, version, weight and parameter used."""

    __tablename__ = "score_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    config: Mapped[dict] = mapped_column(JSON, default=dict)
    config_hash: Mapped[str] = mapped_column(String(64))

    results: Mapped[list["ScoreResult"]] = relationship(back_populates="run", cascade="all, delete-orphan")


class ScoreResult(db.Model):
    __tablename__ = "score_results"
    __table_args__ = (UniqueConstraint("run_id", "application_id", "rule_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Indexed by the unique (run_id, application_id, rule_key) constraint, whose leading column it is.
    run_id: Mapped[int] = mapped_column(ForeignKey("score_runs.id", ondelete="CASCADE"))
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    rule_key: Mapped[str] = mapped_column(String(80))
    rule_version: Mapped[str] = mapped_column(String(40))
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    weight: Mapped[float]
    points: Mapped[Optional[float]]
    max_points: Mapped[Optional[float]]
    status: Mapped[str] = mapped_column(String(16), default=OK)
    # The explanation in English words, and as the rule's message (grantflow/scoring/explain.py) to
    # word it in any reader's language; None for a plain-text explanation or a result stored before.
    explanation: Mapped[str] = mapped_column(Text, default="")
    explanation_message: Mapped[Optional[dict]] = mapped_column(JSON)
    evidence: Mapped[dict] = mapped_column(JSON, default=dict)

    run: Mapped[ScoreRun] = relationship(back_populates="results")


class ScoreTotal(db.Model):
    """An application's combined score in a run, stored once beside its per-rule results so that
    readers needing only totals (the equity audit) read one row per application, not one per rule.
    Written by `engine.rescore` with `results.combine_parts`, the same definition `run_results` uses."""

    __tablename__ = "score_totals"

    run_id: Mapped[int] = mapped_column(ForeignKey("score_runs.id", ondelete="CASCADE"), primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"),
                                                primary_key=True, index=True)
    total: Mapped[float]
    merit: Mapped[Optional[float]]
    priority: Mapped[Optional[float]]
    complete: Mapped[bool]
