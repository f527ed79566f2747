"""Saving a program's scoring configuration (with its audit event and plugin questions)."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select

from grantflow.core import auditlog
from grantflow.core.db import db
from grantflow.programs.models import CustomQuestion, Program, ProgramRule
from grantflow.scoring.engine import RuleConfig
from grantflow.scoring.registry import available_questions


def references(program: Program, configs: list[RuleConfig]) -> dict[str, dict[str, str]]:
    """What the rules' parameters may point at (`Param.refers`), for the configuration form: the
    funder's CHNA needs and places by id, the program's questions (and those plugins offer) by
    key. Only the kinds some rule refers to are read."""
    from grantflow.chna.models import Place, PriorityNeed

    kinds = {p.refers for c in configs for p in c.rule.params if p.refers}
    out: dict[str, dict[str, str]] = {}
    if "need" in kinds:
        out["need"] = {str(i): name for i, name in db.session.execute(
            select(PriorityNeed.id, PriorityNeed.name).where(PriorityNeed.funder_id == program.funder_id))}
    if "place" in kinds:
        out["place"] = {str(i): name for i, name in db.session.execute(
            select(Place.id, Place.name).where(Place.funder_id == program.funder_id))}
    if "question" in kinds:
        out["question"] = {k: q.label for k, q in available_questions().items()} | {
            key: label for key, label in db.session.execute(
                select(CustomQuestion.key, CustomQuestion.label).where(CustomQuestion.program_id == program.id))}
    return out


def config_dict(configs: list[RuleConfig]) -> dict:
    return {c.key: {"enabled": c.enabled, "weight": c.weight, "params": c.params} for c in configs}


def save_config(program: Program, configs: list[RuleConfig]) -> dict:
    """Writes one ProgramRule per rule (enabled or not), adds the plugin questions the enabled
    rules read, and records the change in the audit trail. Returns the saved config."""
    rows = {r.rule_key: r for r in db.session.execute(
        select(ProgramRule).where(ProgramRule.program_id == program.id)).scalars()}
    before = {k: {"enabled": r.enabled, "weight": float(r.weight), "params": r.params} for k, r in sorted(rows.items())}
    for c in configs:
        row = rows.get(c.key)
        if row is None:
            row = ProgramRule(program_id=program.id, rule_key=c.key)
            db.session.add(row)
        row.enabled = c.enabled
        row.weight = Decimal(str(round(c.weight, 3)))
        row.params = c.params
    added = ensure_questions(program, [c for c in configs if c.enabled])
    after = config_dict(configs)
    auditlog.record("scoring.configure", program, before=before or None,
                    after={**after, **({"questions_added": added} if added else {})})
    db.session.flush()
    return after


def ensure_questions(program: Program, configs: list[RuleConfig]) -> list[str]:
    """Adds to the program's custom questions (by key, once) those its enabled rules read."""
    wanted = {q for c in configs for q in c.rule.questions}
    if not wanted:
        return []
    have = {k for (k,) in db.session.execute(
        select(CustomQuestion.key).where(CustomQuestion.program_id == program.id))}
    questions = available_questions()
    position = db.session.execute(
        select(func.coalesce(func.max(CustomQuestion.position), -1)).where(CustomQuestion.program_id == program.id)
    ).scalar_one()
    added = []
    for key in sorted(wanted - have):
        q = questions.get(key)
        if q is None:
            continue
        position += 1
        db.session.add(CustomQuestion(program_id=program.id, position=position, key=q.key, label=q.label,
                                      help_text=q.help_text, kind=q.kind, required=q.required,
                                      options=list(q.options)))
        added.append(key)
    return added
