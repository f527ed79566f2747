"""What an applicant is told once decisions are released: the panel's average per criterion, the
reviewers' comments meant for them, the scoring rules' explanations and what would have made the
application stronger. Reviewer identities and private comments never enter these values."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
import math
from dataclasses import dataclass
from typing import Optional

from sqlalchemy import select

from grantflow.core.db import db
from grantflow.core.i18n import SOURCE_LOCALE
from grantflow.core.translations import Localized, localized
from grantflow.programs.models import anchor_field
from grantflow.scoring.explain import Text

# Which parts of the feedback a program shows (Program.feedback_settings); all on by default.
SETTING_KEYS = ("show_criteria", "show_comments", "show_rules", "show_strengthen", "for_awarded")
SETTING_LABELS = {
    "show_criteria": _l("The rubric criteria with the panel's average score on each"),
    "show_comments": _l("Reviewers' comments written for the applicant"),
    "show_rules": _l("The scoring rules' explanations (also needs the program to share rule explanations)"),
    "show_strengthen": _l("What would have strengthened the application"),
    "for_awarded": _l("Show feedback to funded applicants too (declined and waitlisted applicants always get it)"),
}
# The same, in a word or two (the officer's overview lists the parts shared).
SETTING_SHORT_LABELS = {"show_criteria": _l("criteria"), "show_comments": _l("comments"), "show_rules": _l("rules"),
                        "show_strengthen": _l("what would strengthen"), "for_awarded": _l("funded applicants too")}


def settings_of(program) -> dict[str, bool]:
    stored = program.feedback_settings or {}
    return {key: bool(stored.get(key, True)) for key in SETTING_KEYS}


def is_released(program) -> bool:
    """Decisions are public to applicants (contracts.md item 5)."""
    from grantflow.decisions.release import is_released as released

    return released(program)


def released_decision(application):
    from grantflow.decisions.release import released_decision as decision_if_released

    return decision_if_released(application)


@dataclass(frozen=True)
class CriterionFeedback:
    label: Localized  # the funder's words, in the page's language where it gave them
    guidance: Localized
    mean: Optional[float]
    n: int
    scale_min: int
    scale_max: int
    next_level: Optional[int]
    next_anchor: Localized  # what a reviewer looks for one level up


@dataclass(frozen=True)
class RuleFeedback:
    label: str
    explanation: Text  # worded in the reader's language when shown
    points: Optional[float]
    max_points: Optional[float]


@dataclass(frozen=True)
class ApplicantFeedback:
    released: bool
    shown: bool                      # False: the program does not share feedback for this outcome
    outcome: Optional[str]           # award / decline / waitlist / None
    criteria: tuple[CriterionFeedback, ...]
    comments: tuple[str, ...]
    rules: tuple[RuleFeedback, ...]
    strengthen: tuple[CriterionFeedback, ...]
    officer_note: str
    settings: dict


def criterion_means(application) -> dict[int, tuple[float, int]]:
    """criterion id -> (mean of submitted reviews' scores, number of scores); unscored excluded."""
    from grantflow.reviews.models import SUBMITTED, CriterionScore, Review

    rows = db.session.execute(
        select(CriterionScore.criterion_id, db.func.avg(CriterionScore.score), db.func.count(CriterionScore.score))
        .join(Review, Review.id == CriterionScore.review_id)
        .where(Review.application_id == application.id, Review.status == SUBMITTED,
               CriterionScore.score.is_not(None))
        .group_by(CriterionScore.criterion_id)
    ).all()
    return {cid: (float(mean), int(n)) for cid, mean, n in rows if n}


def applicant_comments(application) -> tuple[str, ...]:
    """Only the text each reviewer wrote for the applicant; no names, dates or private notes."""
    from grantflow.reviews.models import SUBMITTED, Review

    texts = db.session.execute(
        select(Review.comment_to_applicant).where(
            Review.application_id == application.id, Review.status == SUBMITTED,
            Review.comment_to_applicant != "").order_by(Review.id)
    ).scalars().all()
    return tuple(t.strip() for t in texts if t and t.strip())


def rule_explanations(application) -> tuple[RuleFeedback, ...]:
    from grantflow.scoring.standing import standing_of

    standing = standing_of(application)
    if standing is None:
        return ()
    return tuple(RuleFeedback(r.label, r.explanation, r.points, r.max_points)
                 for r in standing.score.rules if r.explanation)


def _criterion_feedback(criterion, means) -> CriterionFeedback:
    mean, n = means.get(criterion.id, (None, 0))
    next_level = None
    if mean is not None and mean < criterion.scale_max:
        next_level = min(criterion.scale_max, math.floor(mean) + 1)
    return CriterionFeedback(
        label=localized(criterion, "label"), guidance=localized(criterion, "guidance"), mean=mean, n=n,
        scale_min=criterion.scale_min, scale_max=criterion.scale_max, next_level=next_level,
        next_anchor=localized(criterion, anchor_field(next_level)) if next_level else Localized("", SOURCE_LOCALE))


def strengthen_from(criteria: list[CriterionFeedback], *, limit: int = 2) -> tuple[CriterionFeedback, ...]:
    """The lowest-scored criteria (relative to their scale) that were below the top level."""
    below = [c for c in criteria if c.mean is not None and c.next_level is not None]
    below.sort(key=lambda c: (c.mean - c.scale_min) / max(1, c.scale_max - c.scale_min))
    return tuple(below[:limit])


def build_feedback(application) -> ApplicantFeedback:
    from grantflow.feedback.models import ApplicantNote

    program = application.program
    settings = settings_of(program)
    released = is_released(program)
    decision = released_decision(application) if released else None
    outcome = decision.outcome if decision is not None else None
    shown = released and (outcome != "award" or settings["for_awarded"])
    if not shown:
        return ApplicantFeedback(released, False, outcome, (), (), (), (), "", settings)
    rubric = application.rubric or program.current_rubric
    means = criterion_means(application)
    criteria = [_criterion_feedback(c, means) for c in (rubric.criteria if rubric else [])]
    note = db.session.execute(
        select(ApplicantNote.text).where(ApplicantNote.application_id == application.id)).scalar_one_or_none()
    return ApplicantFeedback(
        released=True, shown=True, outcome=outcome,
        criteria=tuple(criteria) if settings["show_criteria"] else (),
        comments=applicant_comments(application) if settings["show_comments"] else (),
        rules=rule_explanations(application) if settings["show_rules"] and program.share_rule_explanations else (),
        strengthen=strengthen_from(criteria) if settings["show_strengthen"] else (),
        officer_note=(note or "") if settings["show_strengthen"] else "",
        settings=settings,
    )


def save_settings(program, values: dict[str, bool]) -> None:
    from grantflow.core import auditlog

    before = settings_of(program)
    after = {key: bool(values.get(key)) for key in SETTING_KEYS}
    program.feedback_settings = dict(program.feedback_settings or {}) | after
    auditlog.record("feedback.settings_changed", program, before=before, after=after)


def save_note(application, text: str, author_id: int) -> None:
    from grantflow.core import auditlog
    from grantflow.feedback.models import ApplicantNote

    note = db.session.execute(
        select(ApplicantNote).where(ApplicantNote.application_id == application.id)).scalar_one_or_none()
    before = {"text": note.text} if note else None
    if note is None:
        note = ApplicantNote(application_id=application.id)
        db.session.add(note)
    note.text = text
    note.author_id = author_id
    db.session.flush()
    auditlog.record("feedback.note_saved", application, before=before, after={"text": text})
