"""What the audit reads: the reviewers' criterion scores once, with the standings."""
from __future__ import annotations

import pytest

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
    assert reads_normalized == reads_raw == 1  # the standings' rubric: the audit reads the reviews it counted
    expected = rubric_scores(normalizing.id, normalized=True)
    assert rubric == [expected[aid].weighted for aid in ids]
    assert rubric != [s.weighted for s in rubric_scores(normalizing.id, normalized=False).values()]


def test_reviews_and_criterion_means_are_those_of_the_reviewers_own_scores(any_app):
    """Read once with the (normalized) standings, the per-review means and the per-criterion means
    the audit compares are still the reviewers' own marks: Σ weight·score / Σ weight per review, the
    plain mean per application and criterion, computed here from the rows themselves."""
    from collections import defaultdict

    from sqlalchemy import select

    from grantflow.programs.models import Criterion
    from grantflow.reviews.models import CriterionScore, Review

    specs = [Spec(poc=i % 2 == 0, awarded=i < 3,
                  reviews={"Harsh": [1 + i % 2, 2, 1], "Lenient": [5, 4 - i % 3, 5], "Middle": [3, 3, 2 + i % 2]})
             for i in range(9)]
    program, ids = build_program(F.funder(), specs, normalize_scores=True)
    db.session.commit()
    data = load_audit_data(program)
    rows = db.session.execute(
        select(Review.id, Review.application_id, CriterionScore.criterion_id, CriterionScore.score, Criterion.weight)
        .join(CriterionScore, CriterionScore.review_id == Review.id)
        .join(Criterion, Criterion.id == CriterionScore.criterion_id)
        .where(Review.application_id.in_(ids))).all()
    sums, per_criterion, app_of = defaultdict(lambda: [0.0, 0.0]), defaultdict(list), {}
    for rid, aid, cid, score, weight in rows:
        sums[rid][0] += float(weight) * score
        sums[rid][1] += float(weight)
        per_criterion[(aid, cid)].append(score)
        app_of[rid] = aid
    position = {f.application_id: i for i, f in enumerate(data.facts)}
    expected_reviews = sorted((position[app_of[rid]], num / den) for rid, (num, den) in sums.items())
    got_reviews = sorted(zip(data.review_app.tolist(), data.review_score.tolist()))
    assert [a for a, _ in got_reviews] == [a for a, _ in expected_reviews]
    assert [m for _, m in got_reviews] == pytest.approx([m for _, m in expected_reviews], abs=1e-9)
    got = {(data.facts[p].application_id, cid): m for cid, (ps, ms) in data.criterion_values.items()
           for p, m in zip(ps.tolist(), ms.tolist())}
    assert got == pytest.approx({k: sum(v) / len(v) for k, v in per_criterion.items()}, abs=1e-9)
    assert sorted(data.reviewer_names) == ["Harsh", "Lenient", "Middle"]
