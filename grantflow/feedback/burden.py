"""The cost of applying: the short survey offered after submission, and what officers may see of it.

An anonymous answer is stored with only its program and a coarse date (the first day of its month),
never the application, organization or user; the one-survey-per-application marker
(`BurdenSurveyDone`) does not point at the answer. Officers see aggregates only, with groups of
1..k-1 answers suppressed (k: the setting `SURVEY_SUPPRESSION_K`) and free text only for programs with at
least k answers, shuffled and undated.
"""
from __future__ import annotations

import datetime as dt
import random
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Callable, Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from grantflow.core.db import db, utcnow
from grantflow.feedback.suppression import k_threshold, small, suppress_counts

SCALES = ("clarity", "fairness", "respect", "burden")
SCALE_LABELS = {
    "clarity": _l("How clear were the program's requirements?"),
    "fairness": _l("How fair was the selection process?"),
    "respect": _l("How respectfully were you treated?"),
    "burden": _l("How burdensome was applying?"),
}
SCALE_ENDS = {
    "clarity": (_l("Very unclear"), _l("Very clear")),
    "fairness": (_l("Very unfair"), _l("Very fair")),
    "respect": (_l("Not at all respectfully"), _l("Very respectfully")),
    "burden": (_l("Not burdensome"), _l("Extremely burdensome")),
}
HELPERS = (
    ("nobody", _l("Nobody: I did it alone")),
    ("colleagues", _l("Colleagues or staff")),
    ("board", _l("Board members")),
    ("volunteers", _l("Volunteers or community members")),
    ("consultant", _l("A paid consultant or grant writer")),
    ("network", _l("Our network or fiscal sponsor")),
    ("funder_staff", _l("The funder's staff")),
)
HELPER_LABELS = dict(HELPERS)


def coarse_date(today: dt.date) -> dt.date:
    """The first day of the month: enough to follow trends, too coarse to match a submission."""
    return today.replace(day=1)


class SurveyError(Exception):
    pass


def has_answered(application_id: int) -> bool:
    from grantflow.feedback.models import BurdenSurveyDone

    return db.session.get(BurdenSurveyDone, application_id) is not None


def survey_closes_at(program) -> Optional[dt.datetime]:
    """Answers are taken until `BURDEN_SURVEY_DAYS` (a setting) after applications close.

    Results are shown only once it has passed, so the aggregate never changes while an officer
    watches: comparing it before and after one applicant's submission cannot reveal their answer."""
    from flask import current_app

    if program.closes_at is None:
        return None
    return program.closes_at + dt.timedelta(days=int(current_app.config["BURDEN_SURVEY_DAYS"]))


def survey_open(program) -> bool:
    closes = survey_closes_at(program)
    return closes is None or utcnow() < closes


def can_answer(application) -> bool:
    return (application.submitted_at is not None and application.status not in ("draft", "withdrawn")
            and survey_open(application.program))


def record_answer(application, *, anonymous: bool, hours_spent: Optional[float], who_helped: list[str],
                  clarity: Optional[int], fairness: Optional[int], respect: Optional[int],
                  burden: Optional[int], what_to_change: str, today: dt.date | None = None) -> None:
    """Stores one answer and marks the application answered. Writes no audit event and no log line:
    either would tie the (anonymous) answer to the application by time."""
    from grantflow.feedback.models import BurdenSurvey, BurdenSurveyDone

    if has_answered(application.id):
        raise SurveyError("This application's survey was already answered. Thank you!")
    if not survey_open(application.program):
        raise SurveyError("The survey for this program has closed. Thank you all the same.")
    today = today or dt.date.today()
    db.session.add(BurdenSurvey(
        program_id=application.program_id,
        application_id=None if anonymous else application.id,
        hours_spent=hours_spent, who_helped=[h for h in who_helped if h in HELPER_LABELS],
        clarity=clarity, fairness=fairness, respect=respect, burden=burden,
        what_to_change=what_to_change or "", submitted_on=coarse_date(today),
    ))
    db.session.add(BurdenSurveyDone(application_id=application.id))
    db.session.flush()


# --- aggregates ------------------------------------------------------------------------------------

@dataclass
class ScaleSummary:
    key: str
    label: str
    mean: Optional[float]
    distribution: dict[int, Optional[int]]  # level -> count (None: suppressed)


@dataclass
class GroupRow:
    label: str
    n: Optional[int]               # None: 1..k-1 answers, suppressed
    means: dict[str, Optional[float]]
    mean_hours: Optional[float]


@dataclass
class DimensionTable:
    label: str
    rows: list[GroupRow]


@dataclass
class BurdenReport:
    program_id: int
    k: int
    n_answers: int
    shown: bool                    # False: survey still open or fewer than k answers: no result shown
    survey_open: bool = False
    survey_closes_at: Optional[dt.datetime] = None
    n_anonymous: Optional[int] = None
    scales: list[ScaleSummary] = field(default_factory=list)
    mean_hours: Optional[float] = None
    median_hours: Optional[float] = None
    helpers: dict[str, Optional[int]] = field(default_factory=dict)
    dollars_per_hour_cents: Optional[int] = None
    median_award_cents: Optional[int] = None
    n_submitted: int = 0
    editing_hours_median: Optional[float] = None
    editing_hours_mean: Optional[float] = None
    free_text: list[str] = field(default_factory=list)
    groups: list[DimensionTable] = field(default_factory=list)


def _mean(values) -> Optional[float]:
    values = [v for v in values if v is not None]
    return statistics.fmean(values) if values else None


def _median(values) -> Optional[float]:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def _answers(program_id: int) -> list:
    from grantflow.feedback.models import BurdenSurvey

    return db.session.execute(
        select(BurdenSurvey.application_id, BurdenSurvey.hours_spent, BurdenSurvey.who_helped,
               BurdenSurvey.clarity, BurdenSurvey.fairness, BurdenSurvey.respect, BurdenSurvey.burden,
               BurdenSurvey.what_to_change)
        .where(BurdenSurvey.program_id == program_id)
    ).all()


def _dimensions() -> list[tuple[str, Callable]]:
    """Groupings of non-anonymous answers, from the shared definitions in grantflow/facts.py."""
    from grantflow import facts as F

    def yes_no(value) -> str:
        return "Not reported" if value is None else ("Yes" if value else "No")

    return [
        ("Led by people of color", lambda f, ctx: yes_no(F.leadership_is_poc(f))),
        ("Community-led", lambda f, ctx: yes_no(F.is_community_led(f))),
        ("Serves a priority place", lambda f, ctx: yes_no(F.serves_priority_place(f, ctx))),
        ("First-time applicant", lambda f, ctx: yes_no(f.first_time)),
        ("Organization budget", lambda f, ctx: F.budget_band(f.annual_budget_cents)),
    ]


def _group_tables(program_id: int, named: list, k: int) -> list[DimensionTable]:
    from grantflow.facts import load_facts

    if not named:
        return []
    ctx, facts = load_facts(program_id)
    by_app = {f.application_id: f for f in facts}
    tables = []
    for label, group_of in _dimensions():
        groups: dict[str, list] = defaultdict(list)
        for row in named:
            f = by_app.get(row.application_id)
            if f is not None:
                groups[group_of(f, ctx)].append(row)
        counts = suppress_counts({g: len(rows) for g, rows in groups.items()}, k, total_shown=True)
        rows = []
        for g in sorted(groups):
            n = counts[g]
            members = groups[g]
            rows.append(GroupRow(
                label=g, n=n,
                means={s: (_mean(getattr(r, s) for r in members) if n is not None else None) for s in SCALES},
                mean_hours=_mean(r.hours_spent for r in members) if n is not None else None))
        tables.append(DimensionTable(label, rows))
    return tables


def burden_report(program, *, rng: random.Random | None = None) -> BurdenReport:
    """Everything an officer may see of a program's burden surveys, already suppressed."""
    from grantflow.applications.models import Application
    from grantflow.decisions.models import AWARD, Decision

    k = k_threshold()
    answers = _answers(program.id)
    n = len(answers)
    editing = db.session.execute(
        select(Application.editing_seconds).where(Application.program_id == program.id,
                                                  Application.submitted_at.is_not(None))).scalars().all()
    is_open = survey_open(program)
    report = BurdenReport(program_id=program.id, k=k, n_answers=n, shown=n >= k and not is_open,
                          survey_open=is_open, survey_closes_at=survey_closes_at(program), n_submitted=len(editing))
    if len(editing) >= k:
        hours = [s / 3600 for s in editing if s]
        report.editing_hours_median = _median(hours)
        report.editing_hours_mean = _mean(hours)
    if not report.shown:
        return report
    report.n_anonymous = sum(1 for a in answers if a.application_id is None)
    if small(report.n_anonymous, k) or small(n - report.n_anonymous, k):
        report.n_anonymous = None
    for key in SCALES:
        levels = Counter(getattr(a, key) for a in answers if getattr(a, key) is not None)
        report.scales.append(ScaleSummary(
            key, SCALE_LABELS[key], _mean(getattr(a, key) for a in answers),
            suppress_counts({lvl: levels.get(lvl, 0) for lvl in range(1, 6)}, k)))
    report.mean_hours = _mean(a.hours_spent for a in answers)
    report.median_hours = _median(a.hours_spent for a in answers)
    helper_counts = Counter(h for a in answers for h in (a.who_helped or []))
    # Several helpers per answer: the total is not shown, so no complementary suppression needed.
    report.helpers = suppress_counts({key: helper_counts.get(key, 0) for key, _ in HELPERS}, k, total_shown=False)
    awards = db.session.execute(
        select(Decision.amount_cents).where(Decision.program_id == program.id, Decision.outcome == AWARD)
    ).scalars().all()
    if awards and report.median_hours:
        report.median_award_cents = int(statistics.median(awards))
        # CEP's measure: the median grant divided by the median hours applicants spent on the process.
        report.dollars_per_hour_cents = int(round(report.median_award_cents / report.median_hours))
    texts = [a.what_to_change.strip() for a in answers if a.what_to_change and a.what_to_change.strip()]
    (rng or random.SystemRandom()).shuffle(texts)
    report.free_text = texts
    named = [a for a in answers if a.application_id is not None]
    report.groups = _group_tables(program.id, named, k)
    return report


@dataclass
class ProgramBurdenRow:
    program: object
    n_answers: Optional[int]       # None: 1..k-1
    mean_burden: Optional[float]
    mean_hours: Optional[float]
    still_open: bool = False


def funder_overview(programs) -> list[ProgramBurdenRow]:
    """By program: answers count and headline means, suppressed like every other table."""
    from grantflow.feedback.models import BurdenSurvey

    k = k_threshold()
    ids = [p.id for p in programs]
    stats = {pid: (n, b, h) for pid, n, b, h in db.session.execute(
        select(BurdenSurvey.program_id, db.func.count(BurdenSurvey.id), db.func.avg(BurdenSurvey.burden),
               db.func.avg(BurdenSurvey.hours_spent))
        .where(BurdenSurvey.program_id.in_(ids or [-1])).group_by(BurdenSurvey.program_id))}
    rows = []
    for p in programs:
        n, b, h = stats.get(p.id, (0, None, None))
        if survey_open(p):
            rows.append(ProgramBurdenRow(p, None, None, None, still_open=True))
        elif small(n, k):
            rows.append(ProgramBurdenRow(p, None, None, None))
        else:
            rows.append(ProgramBurdenRow(p, n, None if b is None else float(b), None if h is None else float(h)))
    return rows
