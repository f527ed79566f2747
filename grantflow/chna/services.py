"""A funder's CHNA: its ranked priority needs and the priority marks on its places.

Ranks are kept dense (1..n) in list order, so moving a need up or down swaps two ranks.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update

from grantflow.chna.models import Place, PriorityNeed
from grantflow.chna.vintage import freeze_closed
from grantflow.core import auditlog
from grantflow.core.db import db
from grantflow.core.ordering import move, renumber

NEED_FIELDS = ("name", "weight", "description")


class NeedError(Exception):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def needs(funder_id: int) -> list[PriorityNeed]:
    return list(db.session.execute(
        select(PriorityNeed).where(PriorityNeed.funder_id == funder_id).order_by(PriorityNeed.rank, PriorityNeed.id)
    ).scalars())


def get_need(funder_id: int, need_id: int) -> PriorityNeed:
    need = db.session.get(PriorityNeed, need_id)
    if need is None or need.funder_id != funder_id:
        raise LookupError(need_id)
    return need


def _check_name(funder_id: int, name: str, need_id: int | None = None) -> None:
    clash = db.session.execute(
        select(PriorityNeed.id).where(PriorityNeed.funder_id == funder_id,
                                      func.lower(PriorityNeed.name) == name.lower(),
                                      PriorityNeed.id != (need_id or -1))
    ).first()
    if clash:
        raise NeedError("name", "This need is already on the list.")


def add_need(funder_id: int, values: dict[str, Any], rank: int | None = None) -> PriorityNeed:
    """Adds a need at `rank` (1 = top priority; default: last)."""
    _check_name(funder_id, values["name"])
    current = needs(funder_id)
    need = PriorityNeed(funder_id=funder_id, rank=len(current) + 1,
                        **{k: values[k] for k in NEED_FIELDS if k in values})
    db.session.add(need)
    position = len(current) if rank is None else max(0, min(rank - 1, len(current)))
    current.insert(position, need)
    renumber(current, "rank", start=1)
    db.session.flush()
    auditlog.record("chna.need_add", need, after={"name": need.name, "rank": need.rank,
                                                  "weight": str(need.weight) if need.weight is not None else None})
    return need


def update_need(funder_id: int, need_id: int, values: dict[str, Any], rank: int | None = None) -> PriorityNeed:
    need = get_need(funder_id, need_id)
    _check_name(funder_id, values.get("name", need.name), need_id)
    before = {"name": need.name, "rank": need.rank, "weight": str(need.weight) if need.weight is not None else None}
    for k in NEED_FIELDS:
        if k in values:
            setattr(need, k, values[k])
    if rank is not None and rank != need.rank:
        others = [n for n in needs(funder_id) if n.id != need.id]
        others.insert(max(0, min(rank - 1, len(others))), need)
        renumber(others, "rank", start=1)
    db.session.flush()
    auditlog.record("chna.need_update", need, before=before,
                    after={"name": need.name, "rank": need.rank,
                           "weight": str(need.weight) if need.weight is not None else None})
    return need


def move_need(funder_id: int, need_id: int, step: int) -> PriorityNeed:
    """Moves a need one rank up (step -1) or down (+1); at either end nothing changes."""
    ordered, i, j = move(needs(funder_id), need_id, step)
    if i != j:
        renumber(ordered, "rank", start=1)
        db.session.flush()
        auditlog.record("chna.need_move", ordered[j], after={"rank": ordered[j].rank})
    return ordered[j]


def remove_need(funder_id: int, need_id: int) -> None:
    need = get_need(funder_id, need_id)
    before = {"name": need.name, "rank": need.rank}
    db.session.delete(need)
    db.session.flush()
    renumber(needs(funder_id), "rank", start=1)
    auditlog.record("chna.need_remove", object_type="PriorityNeed", object_id=need_id, before=before)


def set_priority(funder_id: int, place_id: int, value: bool) -> Place:
    place = db.session.get(Place, place_id)
    if place is None or place.funder_id != funder_id:
        raise LookupError(place_id)
    if place.is_priority != value:
        freeze_closed(funder_id)  # closed cycles keep the marks they ran with
        place.is_priority = value
        auditlog.record("chna.place_priority", place, before={"is_priority": not value}, after={"is_priority": value})
    return place


def mark_priority_at_least(funder_id: int, threshold: float, *, clear_others: bool = True) -> int:
    """Marks places whose need index is ≥ threshold as priority (and, by default, unmarks the rest)."""
    freeze_closed(funder_id)  # closed cycles keep the marks they ran with
    db.session.execute(update(Place).where(Place.funder_id == funder_id, Place.need_index >= threshold)
                       .values(is_priority=True))
    if clear_others:
        db.session.execute(update(Place).where(
            Place.funder_id == funder_id, (Place.need_index < threshold) | Place.need_index.is_(None))
            .values(is_priority=False))
    count = db.session.execute(select(func.count()).select_from(Place).where(
        Place.funder_id == funder_id, Place.is_priority)).scalar_one()
    auditlog.record("chna.mark_priority", object_type="Organization", object_id=funder_id,
                    after={"threshold": threshold, "priority_places": count})
    return count
