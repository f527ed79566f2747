"""A batch's cost per letter is the letter: after each letter's commit, recording the next one must
not reload the whole decision graph (the eager loads of the batch's first query would come back with
every expired decision refreshed)."""
from __future__ import annotations

import re

from grantflow.core import files
from grantflow.core.db import db
from grantflow.letters import jobs, services
from tests import factories as F
from tests.letters import pdfcheck as C
from tests.letters.conftest import decide
from tests.queries import recorded


def _reads(statements, table: str) -> int:
    return sum(1 for sql, _ in statements if re.search(rf"\bFROM {table}\b", sql) and sql.lstrip().startswith("SELECT"))


def _one_then_four(w, **org) -> tuple[list, list, list[int]]:
    """Four more awards; the statements of a chunk of one letter, of a chunk of four, and the ids."""
    for i in range(4):
        decide(F.application(w.program, F.cbo(name=f"Block Club {i}", slug=f"block-{i}", **org)), "award", 1_000_00)
    db.session.commit()
    batch = jobs.create_batch(w.program)
    first, rest = batch.decision_ids[:1], batch.decision_ids[1:]
    assert len(rest) == 4
    with recorded() as one:
        assert jobs.issue_chunk(batch.id, first) == 1
    with recorded() as four:
        assert jobs.issue_chunk(batch.id, rest) == 4
    return one, four, batch.decision_ids


def test_issuing_a_chunk_reads_the_decision_graph_once_however_many_letters(any_app, letters_world):
    one, four, decision_ids = _one_then_four(letters_world)
    for table in ("applications", "organizations", "programs"):
        assert _reads(four, table) == _reads(one, table), table
    assert _reads(four, "applications") == 1
    db.session.expire_all()
    assert all(services.current_letter(d) is not None for d in decision_ids)


def test_spanish_letters_read_the_funder_s_translations_once_per_chunk(any_app, letters_world):
    """Each Spanish letter read the program's, the wording's and the criteria's translations again."""
    from grantflow.core.translations import ContentTranslation

    w = letters_world
    w.cbo.language = "es"
    db.session.add(ContentTranslation(kind="program", object_id=w.program.id, field="title", locale="es",
                                      text="Salud Comunitaria 2026"))
    one, four, decision_ids = _one_then_four(w, language="es")
    assert _reads(four, "content_translations") == _reads(one, "content_translations") > 0
    db.session.expire_all()
    letter = services.current_letter(decision_ids[-1])
    assert "Salud Comunitaria 2026" in C.flat(files.read(services.letter_key(letter)))
