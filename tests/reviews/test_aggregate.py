"""Rubric aggregation: weighted means, missing criteria, rubric versions, normalization, disagreement."""
from __future__ import annotations

import statistics
from decimal import Decimal

import pytest
from sqlalchemy import event

from grantflow.core.db import db
from grantflow.programs.models import Criterion, Rubric
from grantflow.reviews.aggregate import rubric_scores
from tests import factories as F
from tests.reviews.helpers import DRAFT, review, reviewer


@pytest.fixture
def setup(app):
    funder = F.funder()
    prog = F.program(funder)  # 3 criteria, weights 1, 2, 3, scale 1–5
    cbo = F.cbo()
    return prog, funder, cbo


def test_weighted_mean_on_scale_and_criterion_means(setup):
    prog, funder, cbo = setup
    a = F.application(prog, cbo)
    r1, r2 = reviewer(funder), reviewer(funder)
    review(a, r1, [5, 3, 1])   # fractions 1, .5, 0 -> (1 + 1 + 0) / 6 = 1/3 -> 2.333
    review(a, r2, [5, 5, 5])   # 5
    s = rubric_scores(prog.id)[a.id]
    assert s.n_reviews == 2
    assert s.weighted == pytest.approx((1 + 4 / 3 + 5) / 2)
    assert s.fraction == pytest.approx((1 / 3 + 1) / 2)
    c1, c2, c3 = prog.current_rubric.criteria
    assert s.criterion_means == {c1.id: 5.0, c2.id: 4.0, c3.id: 3.0}
    assert s.spread == pytest.approx(5 - 7 / 3)
    assert s.disagreement is True


def test_missing_criterion_is_left_out_never_zero(setup):
    prog, funder, cbo = setup
    a = F.application(prog, cbo)
    review(a, reviewer(funder), [5, None, 1])
    s = rubric_scores(prog.id)[a.id]
    c1, c2, c3 = prog.current_rubric.criteria
    # (1*1 + 3*0) / (1 + 3) = 0.25 -> 1 + 0.25 * 4 = 2.0 (counting the blank as 1 would give 1.667)
    assert s.weighted == pytest.approx(2.0)
    assert c2.id not in s.criterion_means
    assert s.criterion_means[c1.id] == 5.0


def test_only_submitted_reviews_count_and_unreviewed_has_none(setup):
    prog, funder, cbo = setup
    a, b = F.application(prog, cbo), F.application(prog, F.cbo())
    review(a, reviewer(funder), [4, 4, 4])
    review(a, reviewer(funder), [1, 1, 1], status=DRAFT)
    review(b, reviewer(funder), [1, 1, 1], status=DRAFT)
    F.application(prog, F.cbo(), status="draft")
    scores = rubric_scores(prog.id)
    assert scores[a.id].weighted == pytest.approx(4.0) and scores[a.id].n_reviews == 1
    assert scores[a.id].spread == 0 and scores[a.id].disagreement is False
    assert scores[b.id].weighted is None and scores[b.id].n_reviews == 0 and scores[b.id].criterion_means == {}
    assert len(scores) == 2  # drafts are not applications yet


def test_each_review_uses_its_own_rubric_version(setup):
    prog, funder, cbo = setup
    a = F.application(prog, cbo)
    v1 = prog.current_rubric
    v2 = Rubric(program=prog, version=2)
    v2.criteria = [Criterion(position=0, label="Only", weight=Decimal(1), scale_min=0, scale_max=10),
                   Criterion(position=1, label="Second", weight=Decimal(9), scale_min=0, scale_max=10)]
    db.session.add(v2)
    db.session.flush()
    review(a, reviewer(funder), [5, 1, 1], rubric=v1)  # v1 weights 1,2,3: (1) / 6 -> fraction 1/6
    review(a, reviewer(funder), [10, 0], rubric=v2)     # v2 weights 1,9: 1/10
    # A score against a criterion of another version is ignored.
    review(a, reviewer(funder), {v2.criteria[0].id: 10, v1.criteria[0].id: 1}, rubric=v2)  # fraction 1
    s = rubric_scores(prog.id)[a.id]
    assert s.fraction == pytest.approx((1 / 6 + 1 / 10 + 1) / 3)
    assert s.weighted == pytest.approx(10 * s.fraction)  # shown on the latest version's 0–10 scale
    assert s.criterion_means[v2.criteria[0].id] == pytest.approx(10.0)
    assert s.criterion_means[v1.criteria[0].id] == pytest.approx(5.0)


def test_disagreement_threshold_configurable(setup):
    prog, funder, cbo = setup
    a = F.application(prog, cbo)
    review(a, reviewer(funder), [3, 3, 3])
    review(a, reviewer(funder), [4, 4, 4])
    assert rubric_scores(prog.id)[a.id].disagreement is False  # spread 1 < 1.5
    assert rubric_scores(prog.id, threshold=0.25)[a.id].disagreement is True  # 1 >= 0.25 * 4


def test_normalization_calibrates_harsh_and_lenient_reviewers(setup):
    prog, funder, _ = setup
    apps = [F.application(prog, F.cbo()) for _ in range(4)]
    harsh, lenient, single = reviewer(funder), reviewer(funder), reviewer(funder)
    # Both reviewers rank the applications the same way; the harsh one scores 2 points lower.
    for a, base in zip(apps, [1, 2, 3, 3]):
        review(a, harsh, [base] * 3)
        review(a, lenient, [base + 2] * 3)
    review(apps[0], single, [5, 5, 5])
    raw = rubric_scores(prog.id)
    norm = rubric_scores(prog.id, normalized=True)
    # Raw: each app's two reviewers differ by 2 points -> flagged; normalized: they agree.
    assert raw[apps[1].id].disagreement is True
    assert norm[apps[1].id].disagreement is False
    assert norm[apps[1].id].spread == pytest.approx(0, abs=1e-9) or norm[apps[1].id].n_reviews == 2
    # The ranking is kept.
    order = sorted(apps, key=lambda a: norm[a.id].weighted)
    assert [a.id for a in order[:2]] == [apps[0].id, apps[1].id]
    # Mapped back with the panel's mean and sd of all review totals (on the fraction scale).
    totals = [(b - 1) / 4 for b in [1, 2, 3, 3]] + [(b + 1) / 4 for b in [1, 2, 3, 3]] + [1.0]
    pm, psd = statistics.fmean(totals), statistics.pstdev(totals)
    own = [(b - 1) / 4 for b in [1, 2, 3, 3]]
    z = (own[3] - statistics.fmean(own)) / statistics.pstdev(own)
    expected_harsh_app3 = pm + z * psd
    # apps[3]: both normalized totals equal (same z), so the mean is that value.
    assert norm[apps[3].id].fraction == pytest.approx(min(1.0, expected_harsh_app3))
    # The single-review reviewer keeps the raw 5 on apps[0]: mean of (norm harsh, norm lenient, 1.0).
    z0 = (own[0] - statistics.fmean(own)) / statistics.pstdev(own)
    assert norm[apps[0].id].fraction == pytest.approx((2 * (pm + z0 * psd) + 1.0) / 3)


def test_zero_variance_reviewer_keeps_raw(setup):
    prog, funder, _ = setup
    apps = [F.application(prog, F.cbo()) for _ in range(3)]
    flat, varied = reviewer(funder), reviewer(funder)
    for a, s in zip(apps, [1, 3, 5]):
        review(a, flat, [2, 2, 2])
        review(a, varied, [s, s, s])
    norm = rubric_scores(prog.id, normalized=True)
    totals = [0.25] * 3 + [0.0, 0.5, 1.0]
    pm = statistics.fmean(totals)
    # apps[1]: the varied reviewer's middle score (z = 0) maps to the panel mean; the flat
    # reviewer's raw 2 (fraction .25) is kept as it is.
    assert norm[apps[1].id].fraction == pytest.approx((0.25 + pm) / 2)
    assert norm[apps[1].id].weighted == pytest.approx(1 + 4 * (0.25 + pm) / 2)


def test_fixed_number_of_queries(setup):
    prog, funder, cbo = setup
    program_id = prog.id

    def count():
        statements = []

        def listener(conn, cursor, statement, *args):
            statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            rubric_scores(program_id, normalized=True)
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(statements)

    revs = [reviewer(funder) for _ in range(3)]
    review(F.application(prog, cbo), revs[0], [3, 3, 3])
    db.session.commit()
    small = count()
    for i in range(15):
        a = F.application(prog, F.cbo())
        for r in revs:
            review(a, r, [1 + i % 5, 2, None])
    db.session.commit()
    assert count() == small == 4
