"""What the audit reads: the reviewers' criterion scores are not aggregated twice."""
from __future__ import annotations

from grantflow.core.db import db
from grantflow.equity.data import load_audit_data
from grantflow.reviews.aggregate import rubric_scores
from tests import factories as F
from tests.equity.builders import Spec, build_program
from tests.queries import recorded


def _criterion_score_reads(program) -> tuple[int, list]:
    with recorded() as statements:
        data = load_audit_data(program)
    return sum("criterion_scores" in sql for sql, _ in statements), data.rubric


def test_a_normalizing_program_reads_its_criterion_scores_as_often_as_a_raw_one(any_app):
    """The board's normalized scores are the standings' own (read once), with the very values a
    separate normalized aggregate gives."""
    harsh, lenient = [1, 2, 1], [5, 4, 5]
    specs = [Spec(poc=i % 2 == 0, awarded=i < 3,
                  reviews={"Harsh": [s + i % 3 for s in harsh][:3], "Lenient": [min(5, s) for s in lenient]})
             for i in range(8)]
    raw_program, _ = build_program(F.funder(), specs)
    normalizing, ids = build_program(F.funder(), specs, normalize_scores=True)
    db.session.commit()
    reads_raw, _ = _criterion_score_reads(raw_program)
    reads_normalized, rubric = _criterion_score_reads(normalizing)
    assert reads_normalized == reads_raw == 3  # the standings' rubric, the audit's per review and per criterion
    expected = rubric_scores(normalizing.id, normalized=True)
    assert rubric == [expected[aid].weighted for aid in ids]
    assert rubric != [s.weighted for s in rubric_scores(normalizing.id, normalized=False).values()]
