"""The standings' fast paths give exactly the numbers of the plain definitions, on a randomized
program: the reviewers' rubric scores (grantflow/reviews/aggregate.py's definition, computed here
review by review with `statistics.fmean`) and each rule's part of the total (one rule at a time, by
the formula in grantflow/scoring/results.py). Exact equality: a fast path that reorders a sum fails."""
from __future__ import annotations

import random
import statistics
from decimal import Decimal

import pytest

from grantflow.core.db import db
from grantflow.reviews.aggregate import rubric_scores
from grantflow.scoring.standing import standings
from tests import factories as F
from tests.reviews.helpers import review, reviewer


@pytest.fixture
def randomized(app):
    rng = random.Random(20261201)
    funder = F.funder()
    prog = F.program(funder, slug="randomized", criteria=4)
    crits = prog.current_rubric.criteria
    for c, (w, lo, hi) in zip(crits, [(1.5, 1, 5), (0.3, 0, 10), (2.0, 1, 3), (0.7, 1, 5)]):
        c.weight, c.scale_min, c.scale_max = Decimal(str(w)), lo, hi
    panel = [reviewer(funder, f"R{i}") for i in range(5)]
    apps = [F.application(prog, F.cbo(name=f"org {i}")) for i in range(40)]
    for a in apps:
        for r in rng.sample(panel, rng.randint(0, 4)):
            review(a, r, {c.id: (None if rng.random() < 0.15 else rng.randint(c.scale_min, c.scale_max))
                          for c in crits})
    db.session.commit()
    return prog, crits


def by_definition(crits, program_id):
    """{application id: (weighted, fraction, criterion means, reviews, spread)} of raw scores,
    computed review by review as the definition reads."""
    from sqlalchemy import select

    from grantflow.applications.models import Application
    from grantflow.reviews.models import SUBMITTED, Review

    crit = {c.id: c for c in crits}
    out = {}
    for a in db.session.execute(select(Application).where(Application.program_id == program_id)
                                .order_by(Application.id)).scalars():
        totals, fractions = [], {}
        for rv in db.session.execute(select(Review).where(Review.application_id == a.id, Review.status == SUBMITTED)
                                     .order_by(Review.id)).scalars():
            own = {s.criterion_id: min(1.0, max(0.0, (s.score - crit[s.criterion_id].scale_min)
                                                / (crit[s.criterion_id].scale_max - crit[s.criterion_id].scale_min)))
                   for s in sorted(rv.scores, key=lambda s: s.id) if s.score is not None}
            if not own:
                continue
            weight = sum(float(crit[c].weight) for c in own)
            totals.append(sum(float(crit[c].weight) * f for c, f in own.items()) / weight)
            for c, f in own.items():
                fractions.setdefault(c, []).append(f)
        if not totals:
            out[a.id] = (None, None, {}, 0, None)
            continue
        lo, hi = min(c.scale_min for c in crits), max(c.scale_max for c in crits)
        fraction = min(1.0, max(0.0, statistics.fmean(totals)))
        shown = [lo + min(1.0, max(0.0, t)) * (hi - lo) for t in totals]
        means = {c: crit[c].scale_min + statistics.fmean(fs) * (crit[c].scale_max - crit[c].scale_min)
                 for c, fs in sorted(fractions.items())}
        out[a.id] = (lo + fraction * (hi - lo), fraction, means, len(totals), max(shown) - min(shown))
    return out


def test_rubric_scores_are_the_definitions(randomized):
    prog, crits = randomized
    got = {aid: (s.weighted, s.fraction, s.criterion_means, s.n_reviews, s.spread)
           for aid, s in rubric_scores(prog.id).items()}
    assert got == by_definition(crits, prog.id)
    assert sum(1 for v in got.values() if v[3] >= 2) >= 10  # the randomized program has panels to average


def test_each_rules_part_is_the_formulas(randomized):
    prog, _ = randomized
    st = standings(prog)
    assert st.rows and len(st.configs) >= 3
    for s in st.rows:
        rules = s.score.rules
        den = sum(r.weight for r in rules if r.counted)
        for key, _ in st.rule_labels:
            expected = next((100.0 * r.weight * (r.points or 0.0) / r.max_points / den
                             for r in rules if r.rule_key == key and r.counted and den), 0.0)
            assert s.score.contributions()[key] == s.score.contribution(key) == expected
        if s.total is not None:
            assert sum(s.score.contributions().values()) == pytest.approx(s.total, abs=1e-5)


def normalized_by_definition(crits, program_id):
    """{application id: (weighted, fraction, criterion means, raw criterion means, reviews, spread)}
    of normalized scores, review by review: each reviewer's totals mapped to the panel's mean and sd."""
    from sqlalchemy import select

    from grantflow.applications.models import Application
    from grantflow.reviews.models import SUBMITTED, Review

    crit = {c.id: c for c in crits}
    reviews = []  # (application id, reviewer id, fractions, total) of the counted reviews, id order
    for rv in db.session.execute(select(Review).join(Application).where(
            Application.program_id == program_id, Review.status == SUBMITTED).order_by(Review.id)).scalars():
        own = {s.criterion_id: min(1.0, max(0.0, (s.score - crit[s.criterion_id].scale_min)
                                            / (crit[s.criterion_id].scale_max - crit[s.criterion_id].scale_min)))
               for s in sorted(rv.scores, key=lambda s: s.id) if s.score is not None}
        if own:
            weight = sum(float(crit[c].weight) for c in own)
            reviews.append((rv.application_id, rv.reviewer_id, own,
                            sum(float(crit[c].weight) * f for c, f in own.items()) / weight))
    totals = [t for *_, t in reviews]
    panel_mean, panel_sd = statistics.fmean(totals), statistics.pstdev(totals)
    mapped = []
    for aid, who, own, t in reviews:
        mine = [x for _, w, _, x in reviews if w == who]
        if len(mine) < 2 or statistics.pstdev(mine) == 0:
            mapped.append((aid, own, own, t))
            continue
        mean_r, scale = statistics.fmean(mine), panel_sd / statistics.pstdev(mine)
        mapped.append((aid, {c: panel_mean + (f - mean_r) * scale for c, f in own.items()}, own,
                       panel_mean + (t - mean_r) * scale))
    lo, hi = min(c.scale_min for c in crits), max(c.scale_max for c in crits)
    out = {}
    for aid in sorted({m[0] for m in mapped}):
        mine = [m for m in mapped if m[0] == aid]

        def means(which, clamp):
            fs = {}
            for m in mine:
                for c, f in m[which].items():
                    fs.setdefault(c, []).append(min(1.0, max(0.0, f)) if clamp else f)
            return {c: crit[c].scale_min + statistics.fmean(v) * (crit[c].scale_max - crit[c].scale_min)
                    for c, v in sorted(fs.items())}

        fraction = min(1.0, max(0.0, statistics.fmean([m[3] for m in mine])))
        shown = [lo + min(1.0, max(0.0, m[3])) * (hi - lo) for m in mine]
        out[aid] = (lo + fraction * (hi - lo), fraction, means(1, True), means(2, False), len(mine),
                    max(shown) - min(shown))
    return out


def test_normalized_rubric_scores_are_the_definitions(randomized):
    prog, crits = randomized
    got = {aid: (s.weighted, s.fraction, s.criterion_means, s.raw_criterion_means, s.n_reviews, s.spread)
           for aid, s in rubric_scores(prog.id, normalized=True).items() if s.n_reviews}
    expected = normalized_by_definition(crits, prog.id)
    assert got == expected
    # Calibration changed some scores (the panel has reviewers with several varied reviews).
    assert any(v[2] != v[3] for v in got.values())


def test_combine_columns_is_combine_parts_to_the_last_bit():
    """The columns' totals are `combine_parts` of each application's parts, exactly: random weights,
    points and maxima, rules that errored or had no data, a maximum or weight of 0, two merit rules
    (the last one counted is the merit part), and no rule at all."""
    from grantflow.scoring.results import ERRORED, NO_DATA, OK, combine_columns, combine_parts

    rng = random.Random(7)
    for trial in range(200):
        n = rng.randint(0, 30)
        columns = []
        for _rule in range(rng.randint(0, 6)):
            weight = rng.choice([0.0, 0.1, 1.0, 2.5, rng.uniform(0, 100)])
            kind = rng.choice(["merit", "priority", "priority"])
            parts = []
            for _ in range(rng.randint(1, 5)):
                status = rng.choice([OK, OK, OK, ERRORED, NO_DATA])
                maximum = rng.choice([0.0, 1.0, 10.0, rng.uniform(0.01, 50)])
                points = None if status != OK else rng.uniform(0, maximum)
                parts.append((weight, points, maximum, status, kind))
            columns.append((parts, [rng.randrange(len(parts)) for _ in range(n)]))
        expected = [combine_parts([parts[codes[i]] for parts, codes in columns]) for i in range(n)]
        assert list(zip(*combine_columns(columns, n))) == expected if n else combine_columns(columns, n) == (
            [], [], [], []), trial
