"""What a reviewer may see of an application, with blind review applied.

Blind review (Program.blind_review) hides the applicant from reviewers. The reviewer's view shows
no organization name, EIN, location or file name, and every text of the application passes
through its identity lexicon (grantflow/blind/lexicon.py: names and their short forms and
acronyms, people, addresses, web and email, EINs, terms the applicant added), which replaces each
match by what it was ("[Applicant]", "[name]", "[address]", "[contact]", "[EIN]", "[hidden]"):
title, summary, community voice, every answer (a plugin's questions are answers too), budget
lines, outcomes, places, and other reviewers' comments. Attachments are served as redacted copies
(grantflow/blind/copies.py). Demographics are never part of the reviewer's view, blind or not.
Program officers read the application through the applications area, which shows everything.

The funder's own content beside the answers (question labels and help, the choices an applicant
picked, need names) is shown in the reader's language where the funder gave it
(grantflow/core/translations.py). It names nobody, but a chosen choice is the applicant's answer:
it passes through the lexicon like everything else the applicant put in.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from markupsafe import Markup

from grantflow.applications.models import Application
from grantflow.blind.lexicon import lexicon_for
from grantflow.core.i18n import SOURCE_LOCALE
from grantflow.core.translations import Localized, localized
from grantflow.programs.models import chosen


def _same(text):
    return text


@dataclass(frozen=True)
class ReviewerAnswer:
    """One answer as the reviewer reads it: the question in the reader's language, and the answer
    either as typed (`lang`: the language it was typed in) or, for a choice question, the chosen
    choices' labels already marked where they fall back to the source language (`lang` None)."""

    label: Localized
    help: Localized
    text: str | Markup
    lang: str | None


@dataclass
class ReviewerView:
    """Plain values of an application for the reviewer's page (already masked when blind)."""

    application_id: int
    blind: bool
    organization: str | None
    ein: str | None
    location: str | None
    title: str
    summary: str
    community_voice: str
    amount_requested_cents: int | None
    needs: list[Localized]
    places: list[str]
    budget: list[tuple[str, str, int]]
    outcomes: list[tuple[str, str]]
    answers: list[ReviewerAnswer]
    attachments: list[tuple[int, str]] = field(default_factory=list)  # (attachment id, label)
    mask: Callable = _same  # for other texts shown beside the view (other reviewers' comments)
    language: str = "en"  # what the answers were typed in (Application.language)

    @property
    def outcome_lines(self) -> list[tuple[str, str]]:
        """The outcomes as a page shows them: a listed metric by its name ("People served"), not
        its key; one the applicant wrote as they wrote it."""
        from grantflow.applications.metrics import label

        return [(label(metric), target) for metric, target in self.outcomes]


def _answer_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


def _chosen(q, value, mask) -> Markup:
    """The choices picked, in the reader's language where the funder gave it, through the lexicon."""
    return Markup(", ").join(Localized(mask(c.text), c.lang).marked for c in chosen(q, value))


def _answer(q, value, mask, language: str) -> ReviewerAnswer:
    label, help_text = localized(q, "label"), localized(q, "help_text")
    if q.kind in ("single_choice", "multiple_choice"):
        return ReviewerAnswer(label, help_text, _chosen(q, value, mask), None)
    return ReviewerAnswer(label, help_text, mask(_answer_text(value)), language)


def reviewer_view(application: Application, *, blind: bool) -> ReviewerView:
    from grantflow.applications.attachments import shown_name

    mask = lexicon_for(application).mask if blind else _same
    org = application.applicant
    language = application.language or SOURCE_LOCALE
    questions = {q.id: q for q in application.program.questions}
    answers = []
    for ans in sorted(application.answers, key=lambda a: questions[a.question_id].position
                      if a.question_id in questions else 0):
        q = questions.get(ans.question_id)
        if q is None or q.kind == "file":
            continue
        answers.append(_answer(q, ans.value, mask, language))
    return ReviewerView(
        application_id=application.id,
        blind=blind,
        organization=None if blind else org.name,
        ein=None if blind else org.ein,
        location=None if blind else ", ".join(x for x in (org.city, org.state) if x) or None,
        title=mask(application.title or ""),  # pages say "Untitled application" in the reader's language
        summary=mask(application.summary),
        community_voice=mask(application.community_voice),
        amount_requested_cents=application.amount_requested_cents,
        needs=[localized(n, "name") for n in application.needs],
        places=[mask(p.name) for p in application.places],
        budget=[(mask(b.category), mask(b.description), b.amount_cents) for b in application.budget_lines],
        outcomes=[(mask(str(o.get("metric", ""))), mask(str(o.get("target", ""))))
                  for o in (application.outcomes or []) if isinstance(o, dict)],
        answers=answers,
        attachments=[(a.id, shown_name(a, i, not blind)) for i, a in enumerate(application.attachments, 1)],
        language=language,
        mask=mask,
    )
