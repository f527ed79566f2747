"""Places as of the cycle: a closed program keeps the places and need indices it ran with.

A funder's places change (a new SVI release, new tracts, priority marks), but a closed cycle was
scored and decided against the places of its time, and its audit must keep saying what it said.
So before anything changes a funder's places, every closed program of that funder without a
vintage gets one: a copy of the places as they stand (`freeze_closed`, called by the places
import, the priority marks and the past-cycle import). `program_places` then gives the scoring
engine and the audit the vintage when there is one, and the live places otherwise.
"""
from __future__ import annotations

from typing import Optional

from sqlalchemy import exists, func, insert, literal, or_, select

from grantflow.chna.models import Place, PlaceVintage, VintagePlace
from grantflow.core.db import db, utcnow

_COLUMNS = ("geoid", "name", "need_index", "population", "is_priority")


def freeze_closed(funder_id: int, *, exclude: Optional[int] = None) -> list[int]:
    """Takes a vintage for each closed (or imported past) program of the funder that has none
    (but `exclude`); returns their ids. Call it before changing the funder's places, in the same
    transaction."""
    from grantflow.programs.models import CLOSED, Program

    ids = db.session.execute(select(Program.id).where(
        Program.funder_id == funder_id, or_(Program.status == CLOSED, Program.is_historical),
        Program.id != (exclude or -1),
        ~exists().where(PlaceVintage.program_id == Program.id)).order_by(Program.id)).scalars().all()
    if not ids:
        return []
    sources = ", ".join(s for (s,) in db.session.execute(
        select(Place.source).where(Place.funder_id == funder_id, Place.source.is_not(None))
        .distinct().order_by(Place.source)))[:500]
    now = utcnow()
    for program_id in ids:
        db.session.add(PlaceVintage(program_id=program_id, taken_at=now, sources=sources))
        db.session.flush()
        db.session.execute(insert(VintagePlace).from_select(
            ["program_id", "place_id", *_COLUMNS],
            select(literal(program_id), Place.id, *(getattr(Place, c) for c in _COLUMNS))
            .where(Place.funder_id == funder_id)))
    return list(ids)


def program_places(program_id: int, funder_id: int) -> list[tuple]:
    """(id, geoid, name, need_index, population, is_priority) of the places the program uses: its
    vintage when it has one, else the funder's current places."""
    has_vintage = db.session.execute(select(func.count()).select_from(PlaceVintage)
                                     .where(PlaceVintage.program_id == program_id)).scalar_one()
    if has_vintage:
        q = select(VintagePlace.place_id, *(getattr(VintagePlace, c) for c in _COLUMNS)).where(
            VintagePlace.program_id == program_id)
    else:
        q = select(Place.id, *(getattr(Place, c) for c in _COLUMNS)).where(Place.funder_id == funder_id)
    return [tuple(r) for r in db.session.execute(q)]


def vintage(program_id: int) -> Optional[dict]:
    """When the program's places were frozen and where they came from; None while it uses the
    current places."""
    row = db.session.execute(select(PlaceVintage.taken_at, PlaceVintage.sources)
                             .where(PlaceVintage.program_id == program_id)).first()
    return None if row is None else {"taken_at": row.taken_at.isoformat(), "sources": row.sources}
