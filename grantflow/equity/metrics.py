"""The audit's statistics, as docs/domain.md ("Equity audit") defines them, on plain Python and NumPy values.

Everything here works on raw (unsuppressed) numbers; `suppression.py` decides what may be shown
and `report.py` puts the two together. Fairlearn and pandas are used only by the tests, to check
these numbers (Fairlearn's MetricFrame is about 50x slower than a bincount).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable, Optional, Sequence

import numpy as np
from scipy import stats

FOUR_FIFTHS = 0.8
Z95 = float(stats.norm.ppf(0.975))


@dataclass(frozen=True)
class GroupCounts:
    """Raw per-group numbers of one dimension."""
    group: str
    applicants: int
    awards: int
    stages: tuple[int, ...]          # how many reached each funnel stage (applied .. awarded)
    cents_requested: int
    cents_awarded: int


def group_index(labels: Sequence[str], order: Iterable[str]) -> tuple[list[str], np.ndarray]:
    """Groups in display order (the dimension's order first, then any others) and each row's index."""
    groups = list(order)
    groups += sorted(g for g in dict.fromkeys(labels) if g not in groups)
    pos = {g: i for i, g in enumerate(groups)}
    return groups, np.fromiter(map(pos.__getitem__, labels), dtype=np.int64, count=len(labels))


def group_counts(groups: list[str], idx: np.ndarray, stage: np.ndarray, requested: np.ndarray,
                 awarded_cents: np.ndarray, n_stages: int = 5) -> list[GroupCounts]:
    """Raw numbers per group, from `group_index`'s groups and row indices."""
    m = len(groups)
    n = np.bincount(idx, minlength=m)
    reached = [np.bincount(idx[stage >= s], minlength=m) for s in range(n_stages)]
    req = np.bincount(idx, weights=requested, minlength=m)
    aw = np.bincount(idx, weights=awarded_cents, minlength=m)
    return [GroupCounts(g, int(n[i]), int(reached[-1][i]), tuple(int(r[i]) for r in reached),
                        int(round(req[i])), int(round(aw[i]))) for i, g in enumerate(groups)]


def rate(num: int, den: int) -> Optional[float]:
    return None if den <= 0 else num / den


def wilson(x: int, n: int, z: float = Z95) -> Optional[tuple[float, float]]:
    """The Wilson score interval (95% by default) for x successes in n trials; None when n = 0.

    Unlike the plain ±z·√(p(1−p)/n) interval it stays inside [0, 1] and keeps its coverage at the
    group sizes of a real cycle (10–50), including 0 of n and n of n."""
    if n <= 0:
        return None
    p = x / n
    denom = 1 + z * z / n
    center = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, center - half), min(1.0, center + half)


def difference_interval(x1: int, n1: int, x2: int, n2: int) -> Optional[tuple[float, float]]:
    """Newcombe's hybrid score interval (his method 10, from the two Wilson intervals) for the
    difference of two rates x1/n1 − x2/n2; None when either group is empty."""
    a, b = wilson(x1, n1), wilson(x2, n2)
    if a is None or b is None:
        return None
    p1, p2 = x1 / n1, x2 / n2
    d = p1 - p2
    return (d - math.sqrt((p1 - a[0]) ** 2 + (b[1] - p2) ** 2),
            d + math.sqrt((a[1] - p1) ** 2 + (p2 - b[0]) ** 2))


# What the evidence supports about a difference in award rates (the findings' wording).
CLEAR, NO_GAP, TOO_FEW = "clear difference", "no meaningful difference", "too few to tell"


def evidence(p: Optional[float], interval: Optional[tuple[float, float]], alpha: float,
             margin: float) -> Optional[str]:
    """"clear difference" when Fisher's p is below alpha; "no meaningful difference" when the whole
    95% interval of the difference lies within ±margin; otherwise "too few to tell" (the data
    neither show a difference nor rule out one that matters)."""
    if interval is None:
        return None
    if p is not None and p < alpha:
        return CLEAR
    if -margin <= interval[0] and interval[1] <= margin:
        return NO_GAP
    return TOO_FEW


@dataclass(frozen=True)
class StratifiedTest:
    odds_ratio: Optional[float]  # Mantel–Haenszel common odds ratio
    statistic: Optional[float]   # CMH chi-square (1 df, continuity-corrected)
    p: Optional[float]
    strata: int                  # tables that took part (those with at least two applications)


def cmh(tables: Sequence[tuple[int, int, int, int]]) -> StratifiedTest:
    """Cochran–Mantel–Haenszel test of no association across strata (here: cycles), each a 2×2
    table (a, b, c, d) = (group awarded, group not, rest awarded, rest not), with the Mantel–Haenszel
    common odds ratio. Continuity-corrected, as R's `mantelhaen.test` and statsmodels'
    `StratifiedTable.test_null_odds(correction=True)`, which the tests check it against."""
    diff = var = num = den = 0.0
    used = 0
    for a, b, c, d in tables:
        n = a + b + c + d
        if n < 2:
            continue
        used += 1
        r1, r2, c1, c2 = a + b, c + d, a + c, b + d
        diff += a - r1 * c1 / n
        var += r1 * r2 * c1 * c2 / (n * n * (n - 1))
        num += a * d / n
        den += b * c / n
    odds = num / den if den > 0 else None
    if var <= 0:
        return StratifiedTest(odds, None, None, used)
    statistic = max(0.0, abs(diff) - 0.5) ** 2 / var
    return StratifiedTest(odds, statistic, float(stats.chi2.sf(statistic, 1)), used)


def reference_group(rates: dict[str, Optional[float]], configured: Optional[str] = None) -> Optional[str]:
    """The configured reference when it has a rate, else the group with the highest rate (ties: the
    first in display order), as the four-fifths rule does."""
    if configured and rates.get(configured) is not None:
        return configured
    best, best_rate = None, -1.0
    for g, r in rates.items():
        if r is not None and r > best_rate:
            best, best_rate = g, r
    return best


def impact_ratio(sr: Optional[float], sr_ref: Optional[float]) -> Optional[float]:
    if sr is None or not sr_ref:
        return None
    return sr / sr_ref


def parity(rates: Iterable[Optional[float]]) -> tuple[Optional[float], Optional[float]]:
    """Demographic parity ratio (min/max selection rate) and difference (max − min), as Fairlearn's
    `demographic_parity_ratio` / `_difference` over the groups given."""
    values = [r for r in rates if r is not None]
    if not values:
        return None, None
    lo, hi = min(values), max(values)
    return (lo / hi if hi > 0 else None), hi - lo


def fisher_p(a: int, n: int, total_awards: int, total_applicants: int) -> Optional[float]:
    """Two-sided Fisher's exact test on group vs rest × awarded vs not."""
    rest_n, rest_a = total_applicants - n, total_awards - a
    if n <= 0 or rest_n <= 0:
        return None
    table = [[a, n - a], [rest_a, rest_n - rest_a]]
    return float(stats.fisher_exact(table, alternative="two-sided").pvalue)


@dataclass(frozen=True)
class RankTest:
    n_group: int
    n_rest: int
    mean_group: float
    mean_rest: float
    gap: float                # mean_group − mean_rest
    p: Optional[float]        # Mann–Whitney U, two-sided
    effect: Optional[float]   # rank-biserial correlation: +1 group always higher, −1 always lower


class Ranked:
    """One ranking of a set of values reused for many group-vs-rest Mann–Whitney tests.

    Uses the normal approximation with tie and continuity correction, identical to
    `scipy.stats.mannwhitneyu(method="asymptotic")` (what SciPy itself picks for samples that
    survive suppression) but O(n) per group instead of a re-sort per test.
    """

    def __init__(self, values: np.ndarray):
        self.values = np.asarray(values, dtype=float)
        self.ranks = stats.rankdata(self.values)
        _, counts = np.unique(self.values, return_counts=True)
        self.tie_term = float((counts ** 3 - counts).sum())
        self.n = len(self.values)

    def test(self, mask: np.ndarray) -> Optional[RankTest]:
        n1 = int(mask.sum())
        n2 = self.n - n1
        if n1 == 0 or n2 == 0:
            return None
        g, r = self.values[mask], self.values[~mask]
        u1 = float(self.ranks[mask].sum()) - n1 * (n1 + 1) / 2
        mu = n1 * n2 / 2
        n = n1 + n2
        var = n1 * n2 / 12 * ((n + 1) - self.tie_term / (n * (n - 1)))
        if var <= 0:
            p = 1.0
        else:
            # SciPy takes the larger U and subtracts 0.5 (continuity), two-sided.
            u = max(u1, n1 * n2 - u1)
            z = (u - mu - 0.5) / math.sqrt(var)
            p = float(min(1.0, 2 * stats.norm.sf(z)))
        return RankTest(n1, n2, float(g.mean()), float(r.mean()), float(g.mean() - r.mean()), p,
                        2 * u1 / (n1 * n2) - 1)


def greedy_funded(scores: Sequence[Optional[float]], amounts: Sequence[int], budget: int) -> np.ndarray:
    """Fund down the ranking (highest score first; ties by position) while the budget allows,
    skipping any request that no longer fits; unscored applications are never funded."""
    funded = np.zeros(len(scores), dtype=bool)
    order = sorted((i for i, s in enumerate(scores) if s is not None), key=lambda i: (-scores[i], i))
    left = budget
    for i in order:
        if 0 < amounts[i] <= left:
            funded[i] = True
            left -= amounts[i]
    return funded
