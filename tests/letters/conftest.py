"""Letters fixtures: a funder's program with award and decline decisions (created directly)."""
from __future__ import annotations

import datetime as dt

import pytest

from grantflow.core.db import db
from grantflow.decisions.models import Decision


def decide(application, outcome: str, amount_cents: int = 0) -> Decision:
    decision = Decision(application_id=application.id, program_id=application.program_id, outcome=outcome,
                        amount_cents=amount_cents)
    db.session.add(decision)
    db.session.flush()
    return decision


@pytest.fixture
def letters_world(world):
    """`world` plus grant dates, a contact, and decisions: an award for Eastside, a decline for Northside."""
    program = world.program
    program.grant_start = dt.date(2027, 1, 1)
    program.grant_end = dt.date(2027, 12, 31)
    program.contact_name = "Pat Officer"
    program.contact_email = "po@riverside.org"
    world.award = decide(world.application, "award", 25_000_00)
    world.decline = decide(world.other_application, "decline")
    db.session.commit()
    return world
