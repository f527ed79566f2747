"""Funding programs, their versioned rubrics, custom questions and scoring-rule configuration."""
from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from typing import TYPE_CHECKING, Optional

from sqlalchemy import JSON, BigInteger, Date, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grantflow.core import translations
from grantflow.core.db import UTCDateTime, db, utcnow
from grantflow.core.i18n import SOURCE_LOCALE
from grantflow.programs.answers import choices

if TYPE_CHECKING:
    from grantflow.organizations.models import Organization

DRAFT = "draft"
PUBLISHED = "published"
CLOSED = "closed"
STATUSES = (DRAFT, PUBLISHED, CLOSED)


class Program(db.Model):
    __tablename__ = "programs"

    id: Mapped[int] = mapped_column(primary_key=True)
    funder_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default=DRAFT)
    budget_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    min_award_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    max_award_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    timezone: Mapped[str] = mapped_column(String(64), default="America/New_York")
    opens_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime)
    closes_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime)
    review_ends_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime)
    decisions_release_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime)
    grant_start: Mapped[Optional[dt.date]] = mapped_column(Date)
    grant_end: Mapped[Optional[dt.date]] = mapped_column(Date)
    contact_name: Mapped[Optional[str]] = mapped_column(String(200))
    contact_email: Mapped[Optional[str]] = mapped_column(String(254))
    # Eligibility rules.
    require_tax_exempt_or_sponsor: Mapped[bool] = mapped_column(default=True)
    max_applicant_budget_cents: Mapped[Optional[int]] = mapped_column(BigInteger)
    require_service_area_in_region: Mapped[bool] = mapped_column(default=True)
    # Review settings.
    blind_review: Mapped[bool] = mapped_column(default=False)
    reviewers_see_others: Mapped[bool] = mapped_column(default=False)
    reviewers_per_application: Mapped[int] = mapped_column(default=3)
    normalize_scores: Mapped[bool] = mapped_column(default=False)
    # Transparency and feedback settings (which parts applicants see once decisions are released).
    share_rule_explanations: Mapped[bool] = mapped_column(default=True)
    feedback_settings: Mapped[dict] = mapped_column(JSON, default=dict)
    report_schedule: Mapped[list] = mapped_column(JSON, default=list)  # due dates for check-ins
    # Repeating programs: cycles of one series are compared in the equity audit.
    series: Mapped[Optional[str]] = mapped_column(String(80), index=True)
    cycle_label: Mapped[Optional[str]] = mapped_column(String(40))
    is_historical: Mapped[bool] = mapped_column(default=False)
    data_vintage: Mapped[Optional[str]] = mapped_column(String(80))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    funder: Mapped["Organization"] = relationship()
    rubrics: Mapped[list["Rubric"]] = relationship(
        back_populates="program", cascade="all, delete-orphan", order_by="Rubric.version"
    )
    questions: Mapped[list["CustomQuestion"]] = relationship(
        back_populates="program", cascade="all, delete-orphan", order_by="CustomQuestion.position"
    )
    rules: Mapped[list["ProgramRule"]] = relationship(
        back_populates="program", cascade="all, delete-orphan", order_by="ProgramRule.id"
    )

    @property
    def current_rubric(self) -> Optional["Rubric"]:
        return self.rubrics[-1] if self.rubrics else None


class Rubric(db.Model):
    """One version of a program's rubric; reviews keep the version they were made against."""

    __tablename__ = "rubrics"
    __table_args__ = (UniqueConstraint("program_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    program: Mapped[Program] = relationship(back_populates="rubrics")
    criteria: Mapped[list["Criterion"]] = relationship(
        back_populates="rubric", cascade="all, delete-orphan", order_by="Criterion.position"
    )

    @property
    def total_weight(self) -> Decimal:
        return sum((c.weight for c in self.criteria), Decimal(0))


class Criterion(db.Model):
    __tablename__ = "criteria"

    id: Mapped[int] = mapped_column(primary_key=True)
    rubric_id: Mapped[int] = mapped_column(ForeignKey("rubrics.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    label: Mapped[str] = mapped_column(String(200))
    guidance: Mapped[str] = mapped_column(Text, default="")
    weight: Mapped[Decimal] = mapped_column(Numeric(8, 3), default=Decimal(1))
    scale_min: Mapped[int] = mapped_column(default=1)
    scale_max: Mapped[int] = mapped_column(default=5)
    # {"1": "anchor text for 1", ...}: string keys so JSON round-trips unchanged.
    anchors: Mapped[dict] = mapped_column(JSON, default=dict)

    rubric: Mapped[Rubric] = relationship(back_populates="criteria")


QUESTION_KINDS = ("short_text", "long_text", "number", "single_choice", "multiple_choice", "date", "file")


class CustomQuestion(db.Model):
    __tablename__ = "custom_questions"
    __table_args__ = (UniqueConstraint("program_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)
    key: Mapped[str] = mapped_column(String(60))
    label: Mapped[str] = mapped_column(String(300))
    help_text: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(20))
    required: Mapped[bool] = mapped_column(default=False)
    options: Mapped[list] = mapped_column(JSON, default=list)
    word_limit: Mapped[Optional[int]]
    min_value: Mapped[Optional[Decimal]] = mapped_column(Numeric(14, 2))
    max_value: Mapped[Optional[Decimal]] = mapped_column(Numeric(14, 2))

    program: Mapped[Program] = relationship(back_populates="questions")


class ProgramRule(db.Model):
    """A scoring rule that applies to a program, with its weight and parameters."""

    __tablename__ = "program_rules"
    __table_args__ = (UniqueConstraint("program_id", "rule_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    rule_key: Mapped[str] = mapped_column(String(80))
    enabled: Mapped[bool] = mapped_column(default=True)
    weight: Mapped[Decimal] = mapped_column(Numeric(8, 3), default=Decimal(1))
    params: Mapped[dict] = mapped_column(JSON, default=dict)

    program: Mapped[Program] = relationship(back_populates="rules")


def option_field(value: str) -> str:
    """A choice's field among its question's translations: named for the choice's stored value, so
    a translation stays with its choice when choices are reordered and lapses when it is reworded."""
    return "option:" + hashlib.sha1(value.encode()).hexdigest()[:16]


def chosen(q: CustomQuestion, value) -> list[translations.Localized]:
    """What an answer to choice question `q` picked, as the reader reads it: each choice's label in
    the page's language where the funder gave one, else its own; a value no longer among the
    choices (reworded since), as it was stored."""
    labels = dict(choices(q.options))
    picked = value if isinstance(value, list) else [value]
    return [translations.localized(q, option_field(v)) if v in labels else translations.Localized(v, SOURCE_LOCALE)
            for v in (str(v) for v in picked if v not in (None, ""))]


def anchor_field(level: int | str) -> str:
    return f"anchor:{level}"


def _question_texts(q: CustomQuestion) -> dict[str, str]:
    return {"label": q.label or "", "help_text": q.help_text or "",
            **{option_field(value): label for value, label in choices(q.options)}}


def _criterion_texts(c: Criterion) -> dict[str, str]:
    anchors = c.anchors or {}
    return {"label": c.label or "", "guidance": c.guidance or "",
            **{anchor_field(n): anchors[str(n)] for n in range(c.scale_min, c.scale_max + 1) if anchors.get(str(n))}}


# What of a program a funder can give in other languages (grantflow/core/translations.py).
translations.register("program", Program, ("title", "description"))
translations.register("question", CustomQuestion, _question_texts)
translations.register("criterion", Criterion, _criterion_texts)
