"""is_released / released_decision: decisions stay hidden until the program's release time."""
from __future__ import annotations

import datetime as dt

from grantflow.core.db import utcnow
from grantflow.decisions.services import decide, is_released, released_decision


def test_hidden_until_release_time(world):
    app_ = world.application
    program = world.program
    decide(app_, "decline", rationale="Outside the focus area.", actor=world.users["program_officer"])
    program.decisions_release_at = None
    assert not is_released(program) and released_decision(app_) is None
    program.decisions_release_at = utcnow() + dt.timedelta(hours=1)
    assert not is_released(program) and released_decision(app_) is None
    program.decisions_release_at = utcnow() - dt.timedelta(seconds=1)
    assert is_released(program)
    d = released_decision(app_)
    assert d is not None and d.outcome == "decline"
    assert released_decision(world.other_application) is None  # released but not decided
