"""A program's custom questions: add, edit, reorder, remove.

Each question gets a stable `key` (from its first label) under which applicants' answers are stored,
so relabelling a question never orphans the answers already given.
"""
from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from grantflow.core import auditlog
from grantflow.core.db import db
from grantflow.core.ordering import move, renumber
from grantflow.core.text import slugify
from grantflow.programs.models import CustomQuestion, Program

QUESTION_FIELDS = ("label", "help_text", "kind", "required", "options", "word_limit", "min_value", "max_value")
KIND_LABELS = {
    "short_text": _l("Short text"),
    "long_text": _l("Long text (with a word limit)"),
    "number": _l("Number"),
    "single_choice": _l("Single choice"),
    "multiple_choice": _l("Multiple choice"),
    "date": _l("Date"),
    "file": _l("File upload"),
}


def _unique_key(program: Program, label: str) -> str:
    base = slugify(label, max_length=40).replace("-", "_")
    taken = {q.key for q in program.questions}
    key, n = base, 2
    while key in taken:
        key, n = f"{base}_{n}", n + 1
    return key


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    """Drops settings that do not apply to the question's kind (e.g. a word limit on a date)."""
    out = {k: values[k] for k in QUESTION_FIELDS if k in values}
    kind = out.get("kind")
    if kind != "long_text":
        out["word_limit"] = None
    if kind != "number":
        out["min_value"] = out["max_value"] = None
    if kind not in ("single_choice", "multiple_choice"):
        out["options"] = []
    return out


def _values(q: CustomQuestion) -> dict[str, Any]:
    return {"key": q.key, "label": q.label, "kind": q.kind, "required": q.required}


def add_question(program: Program, values: dict[str, Any]) -> CustomQuestion:
    q = CustomQuestion(key=_unique_key(program, values["label"]), position=len(program.questions), **_clean(values))
    program.questions.append(q)
    db.session.flush()
    auditlog.record("question.add", q, after=_values(q))
    return q


def get_question(program: Program, question_id: int) -> CustomQuestion:
    for q in program.questions:
        if q.id == question_id:
            return q
    raise LookupError(question_id)


def update_question(program: Program, question_id: int, values: dict[str, Any]) -> CustomQuestion:
    q = get_question(program, question_id)
    before = _values(q)
    for k, v in _clean(values).items():
        setattr(q, k, v)
    db.session.flush()
    auditlog.record("question.update", q, before=before, after=_values(q))
    return q


def move_question(program: Program, question_id: int, step: int) -> CustomQuestion:
    """Moves a question one place up (step -1) or down (+1); at either end nothing changes."""
    ordered, i, j = move(sorted(program.questions, key=lambda q: (q.position, q.id)), question_id, step)
    if i != j:
        renumber(ordered)
        db.session.flush()
        auditlog.record("question.move", ordered[j], after={"position": j})
    return ordered[j]


class QuestionInUse(Exception):
    pass


def remove_question(program: Program, question_id: int) -> None:
    """Removes a question nobody has answered yet (answers of submitted applications are kept)."""
    from grantflow.applications.models import Answer, Application

    q = get_question(program, question_id)
    answered = db.session.execute(
        select(Answer.id).join(Application).where(Answer.question_id == q.id, Application.status != "draft").limit(1)
    ).first()
    if answered:
        raise QuestionInUse(_("Applicants have already submitted answers to this question, so it cannot be removed."))
    before = _values(q)
    program.questions.remove(q)
    db.session.flush()
    renumber(sorted(program.questions, key=lambda x: x.position))
    auditlog.record("question.remove", program, before=before)
