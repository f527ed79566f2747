"""The rubric builder's operations, with versioning.

A rubric version is frozen as soon as any review was made against it: reviews keep the version they
scored (`Review.rubric_id`, and their `CriterionScore`s point at that version's criteria). Editing a
frozen version therefore first copies it to a new version, and the edit is applied to the copy;
applications submitted afterwards get the new version (`Program.current_rubric`).
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select

from grantflow.core import auditlog, translations
from grantflow.core.db import db
from grantflow.core.ordering import move, renumber
from grantflow.programs.models import Criterion, Program, Rubric
from grantflow.reviews.models import Review

CRITERION_FIELDS = ("label", "guidance", "weight", "scale_min", "scale_max", "anchors")


def is_frozen(rubric: Rubric) -> bool:
    """True once a review (draft or submitted) exists for this version."""
    return db.session.execute(select(Review.id).where(Review.rubric_id == rubric.id).limit(1)).first() is not None


def editable_rubric(program: Program) -> tuple[Rubric, dict[int, Criterion]]:
    """The version edits go to, and a map from the current version's criterion ids to the editable
    version's criteria (the identity when no new version was needed)."""
    current = program.current_rubric
    if current is None:
        rubric = Rubric(version=1)
        program.rubrics.append(rubric)
        db.session.flush()
        return rubric, {}
    if not is_frozen(current):
        return current, {c.id: c for c in current.criteria}
    new = Rubric(version=current.version + 1)
    mapping: dict[int, Criterion] = {}
    for c in current.criteria:
        copy = Criterion(position=c.position, label=c.label, guidance=c.guidance, weight=c.weight,
                         scale_min=c.scale_min, scale_max=c.scale_max, anchors=dict(c.anchors or {}))
        new.criteria.append(copy)
        mapping[c.id] = copy
    program.rubrics.append(new)
    db.session.flush()
    for c in current.criteria:  # its wording in other languages goes with it to the new version
        translations.copy(c, mapping[c.id])
    auditlog.record("rubric.new_version", new, before={"rubric_id": current.id, "version": current.version},
                    after={"rubric_id": new.id, "version": new.version})
    return new, mapping


def _target(program: Program, criterion_id: int) -> tuple[Rubric, Criterion]:
    current = program.current_rubric
    if current is None or criterion_id not in {c.id for c in current.criteria}:
        raise LookupError(criterion_id)
    rubric, mapping = editable_rubric(program)
    return rubric, mapping[criterion_id]


def _renumber(rubric: Rubric) -> None:
    renumber(sorted(rubric.criteria, key=lambda c: (c.position, c.id or 0)))


def _values(c: Criterion) -> dict[str, Any]:
    return {"label": c.label, "weight": str(c.weight), "scale_min": c.scale_min, "scale_max": c.scale_max}


def add_criterion(program: Program, values: dict[str, Any]) -> Criterion:
    rubric, _ = editable_rubric(program)
    criterion = Criterion(position=len(rubric.criteria), **{k: values[k] for k in CRITERION_FIELDS if k in values})
    rubric.criteria.append(criterion)
    db.session.flush()
    auditlog.record("rubric.criterion_add", criterion, after={"rubric_version": rubric.version, **_values(criterion)})
    return criterion


def update_criterion(program: Program, criterion_id: int, values: dict[str, Any]) -> Criterion:
    rubric, criterion = _target(program, criterion_id)
    before = _values(criterion)
    for k in CRITERION_FIELDS:
        if k in values:
            setattr(criterion, k, values[k])
    db.session.flush()
    auditlog.record("rubric.criterion_update", criterion, before=before,
                    after={"rubric_version": rubric.version, **_values(criterion)})
    return criterion


def move_criterion(program: Program, criterion_id: int, step: int) -> Criterion:
    """Moves a criterion one place up (step -1) or down (+1); at either end nothing changes."""
    current = program.current_rubric
    ordered, i, j = move(sorted(current.criteria, key=lambda c: c.position) if current else [], criterion_id, step)
    if i == j:
        return ordered[i]
    rubric, mapping = editable_rubric(program)  # a rubric in use gets a new version first
    moved = [mapping[c.id] for c in ordered]
    renumber(moved)
    db.session.flush()
    auditlog.record("rubric.criterion_move", moved[j], after={"rubric_version": rubric.version, "position": j})
    return moved[j]


def remove_criterion(program: Program, criterion_id: int) -> None:
    rubric, criterion = _target(program, criterion_id)
    before = _values(criterion)
    rubric.criteria.remove(criterion)
    db.session.flush()
    _renumber(rubric)
    auditlog.record("rubric.criterion_remove", rubric, before=before, after={"rubric_version": rubric.version})


def weight_shares(rubric: Rubric | None) -> dict[int, float]:
    """Each criterion's weight as a share (0..1) of the total weight."""
    if rubric is None:
        return {}
    total = sum((Decimal(c.weight or 0) for c in rubric.criteria), Decimal(0))
    return {c.id: (float(Decimal(c.weight or 0) / total) if total > 0 else 0.0) for c in rubric.criteria}


def levels(criterion: Criterion) -> list[tuple[int, str]]:
    """(level, anchor text) from the lowest level to the highest."""
    anchors = criterion.anchors or {}
    return [(n, anchors.get(str(n), "")) for n in range(criterion.scale_min, criterion.scale_max + 1)]
