"""A batch's cost per letter is the letter: after each letter's commit, recording the next one must
not reload the whole decision graph (the eager loads of the batch's first query would come back with
every expired decision refreshed)."""
from __future__ import annotations

import re

from grantflow.core.db import db
from grantflow.letters import jobs, services
from tests import factories as F
from tests.letters.conftest import decide
from tests.queries import recorded


def _reads(statements, table: str) -> int:
    return sum(1 for sql, _ in statements if re.search(rf"\bFROM {table}\b", sql) and sql.lstrip().startswith("SELECT"))


def test_issuing_a_chunk_reads_the_decision_graph_once_however_many_letters(any_app, letters_world):
    w = letters_world
    for i in range(4):
        decide(F.application(w.program, F.cbo(name=f"Block Club {i}", slug=f"block-{i}")), "award", 1_000_00)
    db.session.commit()
    batch = jobs.create_batch(w.program)
    first, rest = batch.decision_ids[:1], batch.decision_ids[1:]
    assert len(rest) == 4
    with recorded() as one:
        assert jobs.issue_chunk(batch.id, first) == 1
    with recorded() as four:
        assert jobs.issue_chunk(batch.id, rest) == 4
    for table in ("applications", "organizations", "programs"):
        assert _reads(four, table) == _reads(one, table), table
    assert _reads(four, "applications") == 1
    db.session.expire_all()
    assert all(services.current_letter(d) is not None for d in batch.decision_ids)
