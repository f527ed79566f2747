"""What an applicant gives for a draft, as plain values, and the checks it must pass.

Any door into the applications service (the edit page, an API, an importer) describes a draft as a
`DraftInput` and gets back problems keyed by field, so every door meets the same checks with the
same messages. Field keys are the names the edit page uses: `title`, `summary`, `community_voice`,
`amount_requested`, `needs`, `places`, `attachment`, `budget-<n>-category|description|amount`,
`outcomes-<n>-metric|target` (n counts rows from 0, as given) and `q_<question key>`.

Two kinds of checks: `format_problems` (a value that cannot be stored; checked on every save, and
the rest of the draft is still saved) and `missing` (what a submission still needs; checked at
submission, all at once, so every missing field is reported together).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from flask_babel import gettext as _, lazy_gettext as _l

from grantflow.applications.metrics import METRICS
from grantflow.core.i18n import format_number
from grantflow.core.money import format_money
from grantflow.programs import answers as answer_checks

TITLE_MAX = 200
SUMMARY_MAX = 5000
LONG_MAX = 10000
CATEGORY_MAX = 80
LINE_TEXT_MAX = 300  # a budget line's description, an outcome's target
UNREADABLE = _l("This could not be read as typed; check it.")


def answer_key(question_key: str) -> str:
    return f"q_{question_key}"


def row_key(kind: str, index: int, part: str) -> str:
    """`row_key("budget", 1, "amount")` -> "budget-1-amount"."""
    return f"{kind}-{index}-{part}"


@dataclass(frozen=True)
class Upload:
    """A file to attach: the name it was given, a readable binary stream, the claimed type (the
    attachment service trusts only the content)."""

    filename: str
    stream: BinaryIO
    mimetype: str = ""


@dataclass(frozen=True)
class BudgetLineInput:
    category: str = ""
    description: str = ""
    amount_cents: int | None = None


@dataclass(frozen=True)
class OutcomeInput:
    metric: str = ""
    target: str = ""


@dataclass(frozen=True)
class DraftInput:
    """Everything given for a draft. Every field is written when it passes its checks (an empty
    value clears it), except the fields named in `unparsed`: what was typed there could not be
    read (e.g. "12,5x dollars" for an amount), so the stored value stays.

    `answers` maps question keys to JSON values (a file question: an `Upload`, or None).
    `typed` is the caller's page as typed, field name -> values (every field, also those that did
    not parse or that fail a check), stored with the draft so it resumes exactly as typed; a
    caller without a page (an API) leaves it empty and the draft then shows what is stored.
    """

    title: str = ""
    summary: str = ""
    community_voice: str = ""
    amount_requested_cents: int | None = None
    need_ids: tuple[int, ...] = ()
    place_ids: tuple[int, ...] = ()
    budget: tuple[BudgetLineInput, ...] = ()
    outcomes: tuple[OutcomeInput, ...] = ()
    answers: Mapping[str, Any] = field(default_factory=dict)
    attachment: Upload | None = None
    unparsed: frozenset[str] = frozenset()
    typed: Mapping[str, Sequence[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Catalog:
    """The funder's needs and places an application may name (ids)."""

    need_ids: frozenset[int]
    place_ids: frozenset[int]


def _too_long(text: str, limit: int) -> str | None:
    return _("Use at most %(num)s characters.", num=format_number(limit)) if len(text or "") > limit else None


def _amount(cents: int | None) -> str | None:
    return _("Enter an amount of zero or more.") if cents is not None and cents < 0 else None


def format_problems(program, data: DraftInput, catalog: Catalog) -> dict[str, str]:
    """Every field of `data` whose value cannot be stored, with its message (fields in
    `data.unparsed` included, with a generic one: the caller knows why it could not read them)."""
    found: dict[str, str] = {key: UNREADABLE for key in data.unparsed}

    def check(key: str, message: str | None) -> None:
        if message and key not in found:
            found[key] = message

    check("title", _too_long(data.title, TITLE_MAX))
    check("summary", _too_long(data.summary, SUMMARY_MAX))
    check("community_voice", _too_long(data.community_voice, LONG_MAX))
    check("amount_requested", _amount(data.amount_requested_cents))
    if not set(data.need_ids) <= catalog.need_ids:
        check("needs", _("Choose needs from the list."))
    if not set(data.place_ids) <= catalog.place_ids:
        check("places", _("Choose places from the list."))
    for i, line in enumerate(data.budget):
        check(row_key("budget", i, "category"), _too_long(line.category, CATEGORY_MAX))
        check(row_key("budget", i, "description"), _too_long(line.description, LINE_TEXT_MAX))
        check(row_key("budget", i, "amount"), _amount(line.amount_cents))
    for i, outcome in enumerate(data.outcomes):
        if outcome.metric and outcome.metric not in METRICS:
            check(row_key("outcomes", i, "metric"), _("Choose a metric from the list."))
        check(row_key("outcomes", i, "target"), _too_long(outcome.target, LINE_TEXT_MAX))
    for q in program.questions:
        check(answer_key(q.key), answer_checks.problem(q, data.answers.get(q.key)))
    return found


def row_ok(kind: str, index: int, problems: Mapping[str, str]) -> bool:
    prefix = f"{kind}-{index}-"
    return not any(key.startswith(prefix) for key in problems)


def missing(program, data: DraftInput, problems: Mapping[str, str], catalog: Catalog, *,
            answered_files: frozenset[int] = frozenset()) -> dict[str, str]:
    """What a submission still needs, by field. A field that already has a problem gets no second
    message (its own is what to fix first), but still counts as missing. `answered_files` are the
    ids of file questions that already have a stored file."""
    out: dict[str, str] = {}

    def need(key: str, message: str) -> None:
        if key not in problems and key not in out:
            out[key] = message

    if not data.title:
        need("title", _("Enter a project title."))
    if not data.summary:
        need("summary", _("Enter a project summary."))
    if catalog.need_ids and not data.need_ids:
        need("needs", _("Choose at least one community health need the project addresses."))
    if catalog.place_ids and not data.place_ids:
        need("places", _("Choose at least one place the project serves."))
    amount = data.amount_requested_cents
    if amount is None and "amount_requested" not in data.unparsed:
        need("amount_requested", _("Enter the amount you request."))
    elif amount is not None:
        lo, hi = program.min_award_cents or 0, program.max_award_cents or 0
        if amount < lo or (hi and amount > hi):
            need("amount_requested",
                 _("Request between %(low)s and %(high)s.", low=format_money(lo, whole=True), high=format_money(hi, whole=True)))
    filled = 0
    for i, line in enumerate(data.budget):
        amount_typed = line.amount_cents is not None or row_key("budget", i, "amount") in data.unparsed
        if not (line.category or line.description or amount_typed):
            continue
        filled += 1
        if not line.category:
            need(row_key("budget", i, "category"), _("Enter a category for this budget line."))
        if not amount_typed:
            need(row_key("budget", i, "amount"), _("Enter the amount of this budget line."))
    if not filled:
        need(row_key("budget", 0, "category"), _("Add at least one budget line."))
    elif amount is not None and all(row_ok("budget", i, problems) and row_key("budget", i, "amount") not in out
                                    for i in range(len(data.budget))):
        total = sum(line.amount_cents or 0 for line in data.budget)
        if total != amount:
            need("amount_requested", _("Your budget lines add up to %(total)s, but you request %(amount)s. "
                                       "Make them match.", total=format_money(total), amount=format_money(amount)))
    chosen = 0
    for i, outcome in enumerate(data.outcomes):
        if not (outcome.metric or outcome.target):
            continue
        chosen += 1
        if not outcome.metric:
            need(row_key("outcomes", i, "metric"), _("Choose the metric this target is for."))
        if not outcome.target:
            need(row_key("outcomes", i, "target"), _("Enter the target for this metric."))
    if not chosen:
        need(row_key("outcomes", 0, "metric"), _("Choose at least one outcome you will track."))
    if not data.community_voice:
        need("community_voice", _("Tell us how the people you serve shape this work."))
    for q in program.questions:
        if not q.required:
            continue
        value = data.answers.get(q.key)
        if q.kind == "file":
            answered = q.id in answered_files or getattr(value, "filename", None)
        else:
            answered = not answer_checks.is_empty(value) or answer_key(q.key) in data.unparsed
        if not answered:
            need(answer_key(q.key), answer_checks.missing(q))
    return out
